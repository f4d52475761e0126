"""Chair term bodies (ToR 3.D, Annex 3)."""

from datetime import date, datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, model_validator

from icat_api.schemas import Day, EntityId, Note, Schema, Year

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


class CandidacyCreate(Schema):
    """An expression of interest in chairing, by one member or two co-chairs (ToR 3.D.1, 3.D.2)."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "term_year": 2019,
                    "entity_ids": ["un-women", "osce"],
                    "submitted_on": "2018-03-15",
                    "roles": [
                        {"entity_id": "un-women", "tasks": list("abcdefg")},
                        {"entity_id": "osce", "tasks": list("ghijklm")},
                    ],
                }
            ]
        }
    }

    term_year: Year
    entity_ids: Annotated[list[EntityId], Field(min_length=1, max_length=10)]
    submitted_on: Day
    roles: list[SeatRoles] | None = Field(default=None, max_length=10)
    note: Note | None = None

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        if len(set(self.entity_ids)) != len(self.entity_ids):
            raise ValueError("entity_ids must not repeat")
        return self


class CandidacyRead(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": 1,
                    "term_year": 2019,
                    "entity_ids": ["un-women", "osce"],
                    "submitted_on": "2018-03-15",
                    "roles": [
                        {"entity_id": "un-women", "tasks": list("abcdefg")},
                        {"entity_id": "osce", "tasks": list("ghijklm")},
                    ],
                    "note": "Joint expression of interest.",
                    "status": "elected",
                    "election_decision_id": 4,
                    "created_at": "2026-01-01T00:00:00Z",
                }
            ]
        }
    }

    id: int
    term_year: int
    entity_ids: list[str]
    submitted_on: date
    roles: list[SeatRoles] | None
    note: str | None
    status: Literal["submitted", "elected", "not_elected"]
    election_decision_id: int | None
    created_at: datetime


class Attendance(BaseModel):
    attended: int = Field(description="Working Group meetings it attended in the window.")
    held: int = Field(description="Working Group meetings held in the window.")
    ratio: float | None = Field(description="attended / held; null when none were held.")


class EligibilityRead(BaseModel):
    """Whether an entity may be elected Chair on a day, with every reason (ToR 3.D.1, 3.E.3)."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "entity_id": "ilo",
                    "on": "2016-05-01",
                    "eligible": True,
                    "reasons": ["Member with voting rights on 2016-05-01 (ToR 3.E.3)."],
                    "first_participation_on": "2015-01-19",
                    "attendance": {"attended": 3, "held": 3, "ratio": 1.0},
                    "min_attendance_ratio": 0.5,
                }
            ]
        }
    }

    entity_id: str
    on: date
    eligible: bool
    reasons: list[str]
    first_participation_on: date | None
    attendance: Attendance
    min_attendance_ratio: float = Field(
        description="The project's reading of 'regular participation' (setting "
        "ICAT_CHAIR_MIN_ATTENDANCE_RATIO): the share of the Working Group meetings of the twelve "
        "months before the day that it attended."
    )
