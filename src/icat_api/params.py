"""Path and query parameters shared by the routers."""

from datetime import date
from typing import Annotated

from fastapi import Path, Query
from pydantic import Field

from icat_api.clock import today
from icat_api.schemas import FIRST_DAY, LAST_DAY, SLUG_PATTERN, Day

EntityPath = Annotated[
    str,
    Path(
        min_length=2,
        max_length=64,
        pattern=SLUG_PATTERN,
        description="The entity's id, a lower-case slug.",
        examples=["unodc"],
    ),
]
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="A row's id.")]
IdQuery = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
EntityQuery = Annotated[
    str | None,
    Query(min_length=2, max_length=64, pattern=SLUG_PATTERN, description="An entity's id."),
]
# Query strings carry text: a year is read from "2023" (bodies use the strict `Year`).
YearQuery = Annotated[int, Field(ge=2000, le=2100, description="A calendar year.")]
OnQuery = Annotated[
    Day | None,
    Query(
        description=f"The day to answer for, YYYY-MM-DD ({FIRST_DAY}..{LAST_DAY}); today by default.",
        examples=["2019-06-30"],
    ),
]


def today_or(day: date | None) -> date:
    return day or today()
