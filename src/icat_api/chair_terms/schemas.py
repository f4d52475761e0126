"""Chair term bodies (ToR 3.D, Annex 3)."""

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, model_validator

from icat_api.schemas import EntityId, Note, Schema, Year

# The Chair's tasks of ToR 3.D.3, a to m.
Task = Literal["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m"]
TASKS: tuple[str, ...] = tuple("abcdefghijklm")


class SeatRoles(Schema):
    """The tasks of ToR 3.D.3 one co-chair carries."""

    entity_id: EntityId
    tasks: Annotated[list[Task], Field(min_length=1, max_length=13)]


class ChairTermCreate(Schema):
    """A past term, recorded by the secretariat (elected terms come from election decisions)."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "start_year": 2015,
                    "end_year": 2015,
                    "entity_ids": ["unhcr"],
                    "note": "ToR Annex 3.",
                },
            ]
        }
    }

    start_year: Year
    end_year: Year | None = Field(default=None, description="Defaults to `start_year`.")
    entity_ids: Annotated[list[EntityId], Field(min_length=1, max_length=10)] = Field(
        description="The Chair, or two co-chairs (ToR 3.D.2)."
    )
    roles: list[SeatRoles] | None = Field(
        default=None,
        max_length=10,
        description="For co-chairs: each one's tasks a-m of ToR 3.D.3, together covering all.",
    )
    note: Note | None = Field(default=None, description="Where the history comes from.")

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.end_year is None:
            self.end_year = self.start_year
        if self.end_year < self.start_year:
            raise ValueError("end_year must not be before start_year")
        if len(set(self.entity_ids)) != len(self.entity_ids):
            raise ValueError("entity_ids must not repeat")
        return self


class ChairSeatRead(BaseModel):
    entity_id: str
    name: str
    acronym: str | None
    tasks: list[str] | None = Field(description="Tasks a-m of ToR 3.D.3; null when not recorded.")


class ChairTermRead(BaseModel):
    """A term of the Chair."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": 10,
                    "start_year": 2019,
                    "end_year": 2019,
                    "entity_ids": ["un-women", "osce"],
                    "chairs": [
                        {
                            "entity_id": "un-women",
                            "name": "UN Women",
                            "acronym": "UN Women",
                            "tasks": None,
                        },
                        {
                            "entity_id": "osce",
                            "name": "Organization for Security and Co-operation in Europe",
                            "acronym": "OSCE",
                            "tasks": None,
                        },
                    ],
                    "election_decision_id": None,
                    "note": "ToR Annex 3: first co-chairing.",
                    "created_at": "2026-01-01T00:00:00Z",
                    "updated_at": "2026-01-01T00:00:00Z",
                }
            ]
        }
    }

    id: int
    start_year: int
    end_year: int
    entity_ids: list[str]
    chairs: list[ChairSeatRead]
    election_decision_id: int | None = Field(description="The chair_election decision (ToR 3.D.1).")
    note: str | None
    created_at: datetime
    updated_at: datetime
