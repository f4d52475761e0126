"""Shared schema pieces: the one base schema and the named field types every domain uses."""

from datetime import date
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

FIRST_DAY = date(1945, 10, 24)  # the UN Charter came into force; no ICAT record is older
LAST_DAY = date(2100, 12, 31)


def _no_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    if isinstance(value, dict):
        for v in value.values():
            _no_nul(v)
    if isinstance(value, list):
        for v in value:
            _no_nul(v)
    return value


class Schema(BaseModel):
    """The base of every request and response body: unknown fields refused, strings trimmed,
    NUL characters refused anywhere."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, from_attributes=True)

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data: Any) -> Any:
        return _no_nul(data)


def _in_range(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"date must be between {FIRST_DAY} and {LAST_DAY}")
    return value


Day = Annotated[
    date,
    AfterValidator(_in_range),
    Field(description="A calendar day, YYYY-MM-DD, between 1945-10-24 and 2100-12-31."),
]
Year = Annotated[int, Field(ge=2000, le=2100, description="A calendar year.")]

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
EntityId = Annotated[
    str,
    StringConstraints(min_length=2, max_length=64, pattern=SLUG_PATTERN),
    Field(
        description="An entity's stable id: a lower-case slug (letters, digits, single hyphens).",
        examples=["unodc", "un-women"],
    ),
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=300)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Note = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Url = Annotated[
    str,
    StringConstraints(max_length=500, pattern=r"^https?://[^\s/$.?#][^\s]*$"),
    Field(description="An http(s) URL.", examples=["https://www.unodc.org"]),
]
Cursor = Annotated[
    str, Field(max_length=500, description="The `next_cursor` of the previous page.")
]

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list, in a stable order."""

    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
