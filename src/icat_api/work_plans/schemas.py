"""Work plan and activity bodies (ToR 3.B.2(a); priority areas of the 2020 Plan of Action)."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from icat_api.schemas import Day, EntityId, Name, Schema, Year

Text = Annotated[str, StringConstraints(min_length=1, max_length=5000)]


class PriorityArea(StrEnum):
    """The six priority areas of the ICAT Plan of Action endorsed on 15 December 2020."""

    evidence_base = "evidence_base"
    core_drivers = "core_drivers"
    rights_based_approach = "rights_based_approach"
    accountability = "accountability"
    discouraging_demand = "discouraging_demand"
    partnerships = "partnerships"


class ActivityMilestone(Schema):
    """A milestone of an activity, done when `done_on` is set."""

    title: Name
    due_on: Day
    done_on: Day | None = None


class WorkPlanCreate(Schema):
    """A draft work plan for two calendar years (ToR 3.B.2(a))."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "start_year": 2021,
                    "title": "ICAT work plan 2021-2022",
                    "co_lead_entity_ids": ["unodc", "un-women"],
                }
            ]
        }
    }

    start_year: Year
    end_year: Year | None = Field(default=None, description="Always start_year + 1 (biannual).")
    title: Name
    co_lead_entity_ids: Annotated[list[EntityId], Field(min_length=1, max_length=2)] = Field(
        description="The Chair and the successive Chair co-lead the draft (ToR 3.D.3(e))."
    )


class ActivityCreate(Schema):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "title": "Issue brief on trafficking and technology",
                    "priority_area": "evidence_base",
                    "lead_entity_id": "unodc",
                    "contributor_entity_ids": ["ilo", "iom"],
                    "starts_on": "2021-02-01",
                    "ends_on": "2021-11-30",
                    "milestones": [{"title": "First draft", "due_on": "2021-06-30"}],
                }
            ]
        }
    }

    title: Name
    priority_area: PriorityArea
    lead_entity_id: EntityId
    contributor_entity_ids: list[EntityId] = Field(default_factory=list, max_length=50)
    starts_on: Day | None = None
    ends_on: Day | None = None
    milestones: list[ActivityMilestone] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _days(self) -> Self:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class ActivityUpdate(Schema):
    """Progress on an activity."""

    model_config = {
        "json_schema_extra": {
            "examples": [{"status": "ongoing", "progress": "Draft shared with the Working Group."}]
        }
    }

    status: Literal["planned", "ongoing", "completed", "cancelled"] | None = None
    progress: Text | None = None
    ends_on: Day | None = None
    milestones: list[ActivityMilestone] | None = Field(default=None, max_length=100)


class Allocation(BaseModel):
    decision_id: int
    amount: Decimal
    currency: str


class ActivityRead(BaseModel):
    id: int
    work_plan_id: int
    title: str
    priority_area: PriorityArea
    lead_entity_id: str
    contributor_entity_ids: list[str]
    status: str
    starts_on: date | None
    ends_on: date | None
    milestones: list[dict[str, Any]]
    progress: str | None
    allocations: list[Allocation] = Field(
        description="Adopted budget_allocation decisions on it (ToR 3.B.2(c))."
    )
    created_at: datetime
    updated_at: datetime


class WorkPlanRead(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": 1,
                    "start_year": 2021,
                    "end_year": 2022,
                    "title": "ICAT work plan 2021-2022",
                    "co_lead_entity_ids": ["unodc", "un-women"],
                    "status": "endorsed",
                    "endorsement_decision_id": 7,
                    "activities": [],
                    "created_at": "2026-01-01T00:00:00Z",
                    "updated_at": "2026-01-01T00:00:00Z",
                }
            ]
        }
    }

    id: int
    start_year: int
    end_year: int
    title: str
    co_lead_entity_ids: list[str]
    status: Literal["draft", "endorsed"]
    endorsement_decision_id: int | None
    activities: list[ActivityRead]
    created_at: datetime
    updated_at: datetime
