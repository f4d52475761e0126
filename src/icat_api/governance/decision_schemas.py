"""Application and decision bodies (ToR 3.A.3, 3.B.3 and the subjects of every kind)."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from icat_api.entities.schemas import Role
from icat_api.governance.schemas import Reference
from icat_api.money import Amount, Currency, check_minor_units
from icat_api.schemas import Day, EntityId, Flag, Schema

Record = Annotated[str, StringConstraints(max_length=20_000)]


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


class ObjectionIn(Schema):
    entity_id: EntityId
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    withdrawn: Flag = Field(default=False, description="Withdrawn during the discussion.")


class Procedure(StrEnum):
    meeting = "meeting"
    electronic = "electronic"


class DecisionKind(StrEnum):
    admission = "admission"
    work_plan_endorsement = "work_plan_endorsement"
    budget_allocation = "budget_allocation"
    funding_approval = "funding_approval"
    product_sign_off = "product_sign_off"
    chair_election = "chair_election"
    general = "general"


# The one field that names each kind's subject (DESIGN: Decision).
SUBJECTS: dict[str, tuple[str, ...]] = {
    "admission": ("application_id",),
    "work_plan_endorsement": ("work_plan_id",),
    "budget_allocation": ("activity_id", "amount", "currency"),
    "funding_approval": ("recipient_entity_id",),
    "product_sign_off": ("publication_id",),
    "chair_election": ("candidacy_id",),
    "general": (),
}
OPTIONAL_SUBJECTS: dict[str, tuple[str, ...]] = {
    "funding_approval": ("activity_id", "amount", "currency"),
}
SUBJECT_FIELDS = (
    "application_id",
    "work_plan_id",
    "activity_id",
    "amount",
    "currency",
    "recipient_entity_id",
    "publication_id",
    "candidacy_id",
)


_DECISION: dict[str, Any] = {
    "procedure": "meeting",
    "meeting_id": 2,
    "decided_on": "2015-07-22",
    "kind": "admission",
    "application_id": 1,
    "record": "The Working Group accepts the OSCE as an ICAT partner.",
    "confirmed_by": "unhcr",
    "objections": [],
}


class DecisionCreate(Schema):
    """A decision taken by consensus at a meeting, or electronically (ToR 3.B.3, 3.D.1)."""

    model_config = {"json_schema_extra": {"examples": [_DECISION]}}

    procedure: Procedure
    meeting_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    decided_on: Day | None = Field(
        default=None,
        description="At a meeting: one of its days (default its first). Electronic: defaults to "
        "the deadline.",
    )
    deadline_on: Day | None = Field(
        default=None, description="Electronic: the consultation's deadline."
    )
    consulted_entity_ids: list[EntityId] | None = Field(
        default=None, max_length=500, description="Electronic: the entities consulted."
    )
    kind: DecisionKind
    application_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The subject of an admission."
    )
    candidacy_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The subject of a chair election."
    )
    work_plan_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The subject of a work_plan_endorsement."
    )
    publication_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The subject of a product_sign_off."
    )
    activity_id: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="A budget_allocation's (or funding_approval's) activity.",
    )
    recipient_entity_id: EntityId | None = Field(
        default=None, description="A funding_approval's recipient."
    )
    amount: Amount | None = Field(default=None, description="A budget_allocation's amount.")
    currency: Currency | None = None
    record: Record = Field(description="The decision as noted in writing (ToR 3.B.3).")
    confirmed_by: EntityId = Field(description="The Chair or co-chair sitting that day.")
    objections: list[ObjectionIn] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.procedure is Procedure.meeting:
            if self.meeting_id is None:
                raise ValueError("a decision at a meeting needs meeting_id")
            if self.deadline_on is not None or self.consulted_entity_ids is not None:
                raise ValueError(
                    "deadline_on and consulted_entity_ids are for electronic decisions"
                )
        else:
            if self.meeting_id is not None:
                raise ValueError("an electronic decision has no meeting_id")
            if self.deadline_on is None or not self.consulted_entity_ids:
                raise ValueError(
                    "an electronic decision needs deadline_on and consulted_entity_ids"
                )
            if self.decided_on is None:
                self.decided_on = self.deadline_on
            if self.decided_on < self.deadline_on:
                raise ValueError("an electronic decision is taken when its deadline has passed")
        needed = SUBJECTS[self.kind.value]
        allowed = needed + OPTIONAL_SUBJECTS.get(self.kind.value, ())
        for field in SUBJECT_FIELDS:
            value = getattr(self, field)
            if field in needed and value is None:
                raise ValueError(f"a {self.kind.value} decision needs {field}")
            if field not in allowed and value is not None:
                raise ValueError(f"{field} is not a subject of a {self.kind.value} decision")
        if (self.amount is None) != (self.currency is None):
            raise ValueError("amount and currency go together")
        if self.amount is not None and self.currency is not None:
            check_minor_units(self.amount, self.currency)
        objectors = [o.entity_id for o in self.objections]
        if len(set(objectors)) != len(objectors):
            raise ValueError("an entity objects twice")
        return self


class ObjectionRead(BaseModel):
    entity_id: str
    reason: str
    withdrawn: bool


class DecisionRead(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    **_DECISION,
                    "id": 1,
                    "deadline_on": None,
                    "consulted_entity_ids": None,
                    "outcome": "adopted",
                    "effects": ["osce: partner from 2015-07-22", "application 1: accepted"],
                    "created_at": "2026-01-01T00:00:00Z",
                }
            ]
        }
    }

    id: int
    procedure: Procedure
    meeting_id: int | None
    decided_on: date
    deadline_on: date | None
    consulted_entity_ids: list[str] | None
    kind: str
    application_id: int | None
    candidacy_id: int | None
    work_plan_id: int | None
    publication_id: int | None
    activity_id: int | None
    recipient_entity_id: str | None
    amount: Decimal | None
    currency: str | None
    record: str
    confirmed_by: str
    objections: list[ObjectionRead]
    outcome: Literal["adopted", "not_adopted"]
    effects: list[str] = Field(description="What the decision changed, applied with it.")
    created_at: datetime
