"""Application bodies (ToR 3.A.3)."""

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from icat_api.entities.schemas import Role
from icat_api.governance.schemas import Reference
from icat_api.schemas import Day, EntityId, Schema

_APPLICATION: dict[str, Any] = {
    "entity_id": "asean",
    "role": "partner",
    "submitted_on": "2021-03-01",
    "addressed_to": "coordinator",
    "letter_reference": "ASEAN/SG/2021/114",
}


class ApplicationCreate(Schema):
    """An application in writing to the Chair or the Coordinator (ToR 3.A.3)."""

    model_config = {"json_schema_extra": {"examples": [_APPLICATION]}}

    entity_id: EntityId
    role: Role
    submitted_on: Day
    addressed_to: Literal["chair", "coordinator"]
    letter_reference: Reference


class ApplicationWithdraw(Schema):
    model_config = {"json_schema_extra": {"examples": [{"withdrawn_on": "2021-05-01"}]}}

    withdrawn_on: Day | None = Field(default=None, description="Defaults to today.")


class ApplicationRead(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    **_APPLICATION,
                    "id": 3,
                    "status": "introduced",
                    "introduced_at_meeting_id": 7,
                    "introduced_on": "2021-06-10",
                    "decision_id": None,
                    "closed_on": None,
                    "created_at": "2026-01-01T00:00:00Z",
                    "updated_at": "2026-01-01T00:00:00Z",
                }
            ]
        }
    }

    id: int
    entity_id: str
    role: Role
    submitted_on: date
    addressed_to: str
    letter_reference: str
    status: Literal["submitted", "introduced", "accepted", "not_accepted", "withdrawn"]
    introduced_at_meeting_id: int | None = Field(
        description="The next Working Group meeting after submission (ToR 3.A.3)."
    )
    introduced_on: date | None
    decision_id: int | None
    closed_on: date | None
    created_at: datetime
    updated_at: datetime
