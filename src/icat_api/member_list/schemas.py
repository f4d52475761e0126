"""The website's member list: public, no personal data."""

from datetime import date
from typing import Any

from pydantic import BaseModel, Field


class ListedEntity(BaseModel):
    """An entity as the website shows it: never a person, never a contact."""

    id: str
    name: str
    acronym: str | None
    website: str | None


# The page the document shows for `text/html` is this example rendered (router.py).
EXAMPLE: dict[str, Any] = {
    "as_of": "2019-06-30",
    "coordinator": {
        "id": "unodc",
        "name": "United Nations Office on Drugs and Crime",
        "acronym": "UNODC",
        "website": "https://www.unodc.org",
    },
    "chairs": [
        {
            "id": "osce",
            "name": "Organization for Security and Co-operation in Europe",
            "acronym": "OSCE",
            "website": "https://www.osce.org",
        }
    ],
    "members": [
        {
            "id": "ilo",
            "name": "International Labour Organization",
            "acronym": "ILO",
            "website": "https://www.ilo.org",
        }
    ],
    "working_group": [
        {
            "id": "ilo",
            "name": "International Labour Organization",
            "acronym": "ILO",
            "website": "https://www.ilo.org",
        }
    ],
    "partners": [
        {
            "id": "council-of-europe",
            "name": "Council of Europe",
            "acronym": "CoE",
            "website": "https://www.coe.int",
        }
    ],
}


class MemberList(BaseModel):
    """ICAT as it stood on `as_of`."""

    model_config = {"json_schema_extra": {"examples": [EXAMPLE]}}

    as_of: date
    coordinator: ListedEntity | None = Field(description="ToR 3.C.1: UNODC.")
    chairs: list[ListedEntity] = Field(description="The Chair, or co-chairs, sitting that day.")
    members: list[ListedEntity] = Field(description="ICAT members that day (ToR 3.E).")
    working_group: list[ListedEntity] = Field(
        description="Members enrolled in the Working Group that day (ToR 3.B.7). Partners attend "
        "it as non-voting observers and are listed under `partners`."
    )
    partners: list[ListedEntity] = Field(description="ICAT partners that day (ToR 3.F).")
