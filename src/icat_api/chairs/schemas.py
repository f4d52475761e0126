"""Candidacy and eligibility bodies (ToR 3.D.1, 3.D.2)."""

from datetime import date, datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, model_validator

from icat_api.chair_terms.schemas import SeatRoles
from icat_api.schemas import Day, EntityId, Note, Schema, Year


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
                    "confirmed_entity_ids": ["un-women", "osce"],
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
    confirmed_entity_ids: list[str] = Field(
        description="The candidates who have expressed their own interest (ToR 3.D.2)."
    )
    status: Literal["awaiting_confirmation", "candidate", "elected", "not_elected", "withdrawn"] = (
        Field(
            description="`awaiting_confirmation` until every named candidate has expressed its "
            "interest; `not_elected` once another candidacy is elected for the term or 30 June "
            "of the year before has passed (ToR 3.D.1)."
        )
    )
    election_decision_id: int | None
    closed_on: date | None = Field(description="The day it was elected or withdrawn.")
    created_at: datetime


class CandidacyConfirm(Schema):
    """A named co-candidate's own expression of interest in a joint candidacy (ToR 3.D.2)."""

    model_config = {"json_schema_extra": {"examples": [{"confirmed_on": "2018-03-20"}]}}

    entity_id: EntityId | None = Field(
        default=None,
        description="The candidate confirming: the key's own entity by default; the "
        "secretariat names it (or confirms for every candidate when omitted).",
    )
    confirmed_on: Day | None = Field(
        default=None, description="Defaults to today; in Q1 of the year before the term."
    )


class CandidacyWithdraw(Schema):
    model_config = {"json_schema_extra": {"examples": [{"withdrawn_on": "2018-04-02"}]}}

    withdrawn_on: Day | None = Field(default=None, description="Defaults to today.")


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
