"""Funding bodies: amounts are decimal strings with an ISO 4217 currency."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from icat_api.money import Amount, Currency, check_minor_units
from icat_api.schemas import Day, EntityId, Name, Note, RowId, Schema

Donor = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Narrative = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


class MilestoneCreate(Schema):
    """A milestone the recipient is to report on by `due_on`."""

    title: Name
    due_on: Day


class FundingCreate(Schema):
    """Funds received by a Working Group member on ICAT's behalf (ToR 3.B.5)."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "donor": "Sweden",
                    "recipient_entity_id": "unodc",
                    "amount": "250000.00",
                    "currency": "SEK",
                    "received_on": "2021-09-01",
                    "approval_decision_id": 12,
                    "activity_id": 3,
                    "milestones": [{"title": "Interim report", "due_on": "2022-03-31"}],
                }
            ]
        }
    }

    donor: Donor = Field(description="Who gave the funds (a State or other donor; free text).")
    recipient_entity_id: EntityId
    amount: Amount
    currency: Currency
    received_on: Day
    approval_decision_id: RowId | None = Field(
        default=None,
        description="The adopted funding_approval decision (ToR 3.B.5): required; without it the "
        "funds are refused naming the clause.",
    )
    activity_id: RowId | None = Field(
        default=None,
        description="The work plan's activity the funds are for: the approval's (its default).",
    )
    milestones: list[MilestoneCreate] = Field(default_factory=list, max_length=100)
    note: Note | None = None

    @model_validator(mode="after")
    def _minor_units(self) -> Self:
        check_minor_units(self.amount, self.currency)
        return self


class MilestoneRead(BaseModel):
    id: int
    title: str
    due_on: date
    reported_on: date | None = Field(description="When the recipient reported on it.")


class FundingRead(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": 1,
                    "donor": "Sweden",
                    "recipient_entity_id": "unodc",
                    "amount": "250000.00",
                    "currency": "SEK",
                    "received_on": "2021-09-01",
                    "approval_decision_id": 12,
                    "activity_id": 3,
                    "note": None,
                    "milestones": [],
                    "created_at": "2026-01-01T00:00:00Z",
                }
            ]
        }
    }

    id: int
    donor: str
    recipient_entity_id: str
    amount: Decimal | None = Field(description="Null when the records do not give it.")
    currency: str | None
    received_on: date
    approval_decision_id: int | None
    activity_id: int | None
    note: str | None
    milestones: list[MilestoneRead]
    created_at: datetime


class Total(BaseModel):
    currency: str
    donor: str
    amount: Decimal


class FundingPage(BaseModel):
    """Funds, with totals per currency and donor (never summed across currencies)."""

    items: list[FundingRead]
    totals: list[Total]
    next_cursor: str | None


class MilestoneReportCreate(Schema):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "milestone_id": 4,
                    "reported_on": "2022-03-30",
                    "narrative": "Two regional workshops held.",
                }
            ]
        }
    }

    milestone_id: RowId
    reported_on: Day
    narrative: Narrative


class MilestoneReportRead(BaseModel):
    id: int
    milestone_id: int
    reported_on: date
    narrative: str
    created_at: datetime


class OverdueRead(BaseModel):
    funding_id: int
    milestone_id: int
    title: str
    due_on: date
    recipient_entity_id: str
    donor: str
