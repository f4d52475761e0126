"""Decision bodies: how a decision is taken (ToR 3.B.3), and each kind's subject."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

from icat_api.governance.meeting_schemas import AgendaNumber
from icat_api.money import Amount, Currency, check_minor_units
from icat_api.schemas import Day, EntityId, Flag, Schema

Record = Annotated[str, StringConstraints(max_length=20_000)]


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


# The columns that name each kind's subject (DESIGN: Decision), read back by DecisionRead.
SUBJECT_FIELDS = (
    "application_id",
    "accept",
    "work_plan_id",
    "activity_id",
    "amount",
    "currency",
    "recipient_entity_id",
    "publication_id",
    "candidacy_id",
)
SubjectId = Annotated[int, Field(ge=1, le=2**31 - 1)]

_DECISION: dict[str, Any] = {
    "procedure": "meeting",
    "meeting_id": 2,
    "decided_on": "2015-07-22",
    "record": "The Working Group accepts the OSCE as an ICAT partner.",
    "confirmed_by": "unhcr",
    "objections": [],
}


class DecisionBase(Schema):
    """How a decision is taken, whatever its kind: by consensus at a meeting, or electronically
    (ToR 3.B.3, 3.D.1)."""

    procedure: Procedure
    meeting_id: SubjectId | None = None
    decided_on: Day | None = Field(
        default=None,
        description="At a meeting: one of its days (default its first). Electronic: defaults to "
        "the deadline.",
    )
    deadline_on: Day | None = Field(
        default=None, description="Electronic: the consultation's deadline."
    )
    consulted_entity_ids: list[EntityId] | None = Field(
        default=None,
        max_length=500,
        description="Electronic: the entities consulted — every entity with voting rights on "
        "the deadline day (ToR 3.B.3).",
    )
    record: Record = Field(description="The decision as noted in writing (ToR 3.B.3).")
    confirmed_by: EntityId = Field(description="The Chair or co-chair sitting that day.")
    objections: list[ObjectionIn] = Field(default_factory=list, max_length=500)
    agenda_item: AgendaNumber | None = Field(
        default=None,
        description="At a meeting: the number of the item of its agenda the decision is taken "
        "under; the decision is listed in that item's `decision_ids`.",
    )

    @model_validator(mode="after")
    def _procedure(self) -> Self:
        if self.procedure is Procedure.electronic and self.agenda_item is not None:
            raise ValueError("agenda_item is for decisions taken at a meeting")
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
        objectors = [o.entity_id for o in self.objections]
        if len(set(objectors)) != len(objectors):
            raise ValueError("an entity objects twice")
        return self


def _example(**subject: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [{**_DECISION, **subject}]})


class AdmissionDecision(DecisionBase):
    """Admission of an applicant (ToR 3.A.3): `accept` false turns the application down."""

    model_config = _example(kind="admission", application_id=1, accept=True)

    kind: Literal["admission"]
    application_id: SubjectId = Field(description="The application decided.")
    accept: Flag = Field(
        default=True,
        description="true admits the applicant; false turns the application down "
        "(`not_accepted`). Either way only when adopted.",
    )


class ChairElectionDecision(DecisionBase):
    """Election of the Chair of a coming year (ToR 3.D.1)."""

    model_config = _example(
        kind="chair_election",
        decided_on="2018-06-14",
        record="The Working Group elects UN Women and the OSCE as co-chairs for 2019.",
        candidacy_id=1,
    )

    kind: Literal["chair_election"]
    candidacy_id: SubjectId = Field(description="The candidacy elected.")


class WorkPlanEndorsementDecision(DecisionBase):
    """Endorsement of a biannual work plan (ToR 3.B.2(a))."""

    model_config = _example(
        kind="work_plan_endorsement",
        record="The Working Group endorses the work plan.",
        work_plan_id=1,
    )

    kind: Literal["work_plan_endorsement"]
    work_plan_id: SubjectId = Field(description="The draft work plan endorsed.")


class BudgetAllocationDecision(DecisionBase):
    """A budgetary allocation linked to ICAT, to an activity of the work plan (ToR 3.B.2(b,c))."""

    model_config = _example(
        kind="budget_allocation",
        record="The Working Group allocates USD 25,000 to the issue brief.",
        activity_id=3,
        amount="25000.00",
        currency="USD",
    )

    kind: Literal["budget_allocation"]
    activity_id: SubjectId = Field(description="The activity the budget goes to.")
    amount: Amount
    currency: Currency

    @model_validator(mode="after")
    def _minor_units(self) -> Self:
        check_minor_units(self.amount, self.currency)
        return self


class FundingApprovalDecision(DecisionBase):
    """Prior approval for a Working Group member to receive funds on ICAT's behalf, in relation
    to an activity of the endorsed work plan (ToR 3.B.5)."""

    model_config = _example(
        kind="funding_approval",
        record="The Working Group approves IOM receiving funds for the toolkit.",
        recipient_entity_id="iom",
        activity_id=3,
    )

    kind: Literal["funding_approval"]
    recipient_entity_id: EntityId = Field(description="Who may receive the funds.")
    activity_id: SubjectId = Field(
        description="The activity of an endorsed work plan the funds are for (ToR 3.B.5)."
    )
    amount: Amount | None = Field(default=None, description="The amount approved, if set.")
    currency: Currency | None = None

    @model_validator(mode="after")
    def _minor_units(self) -> Self:
        if (self.amount is None) != (self.currency is None):
            raise ValueError("amount and currency go together")
        if self.amount is not None and self.currency is not None:
            check_minor_units(self.amount, self.currency)
        return self


class ProductSignOffDecision(DecisionBase):
    """Sign-off of an ICAT product by consensus before it is published (ToR 3.B.5)."""

    model_config = _example(
        kind="product_sign_off",
        record="The Working Group signs off the issue brief.",
        publication_id=1,
    )

    kind: Literal["product_sign_off"]
    publication_id: SubjectId = Field(description="The draft product signed off.")


class GeneralDecision(DecisionBase):
    """Any other decision of ICAT, taken at any meeting (ToR 3.B.3)."""

    model_config = _example(kind="general", record="The Working Group agrees its next meetings.")

    kind: Literal["general"]


def _kind(body: Any) -> str | None:
    return body.get("kind") if isinstance(body, dict) else getattr(body, "kind", None)


# One body per kind, chosen by `kind` (a callable discriminator: every field of a Schema, `kind`
# included, passes the NUL check first, which a field discriminator does not allow).
DecisionCreate = Annotated[
    Annotated[AdmissionDecision, Tag("admission")]
    | Annotated[ChairElectionDecision, Tag("chair_election")]
    | Annotated[WorkPlanEndorsementDecision, Tag("work_plan_endorsement")]
    | Annotated[BudgetAllocationDecision, Tag("budget_allocation")]
    | Annotated[FundingApprovalDecision, Tag("funding_approval")]
    | Annotated[ProductSignOffDecision, Tag("product_sign_off")]
    | Annotated[GeneralDecision, Tag("general")],
    Discriminator(
        _kind,
        custom_error_type="decision_kind",
        custom_error_message="`kind` is one of " + ", ".join(k.value for k in DecisionKind),
        custom_error_context={"discriminator": ("kind",)},
    ),
]


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
                    "kind": "admission",
                    "application_id": 1,
                    "accept": True,
                    "candidacy_id": None,
                    "work_plan_id": None,
                    "publication_id": None,
                    "activity_id": None,
                    "recipient_entity_id": None,
                    "amount": None,
                    "currency": None,
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
    accept: bool | None = Field(description="An admission's: admit (true) or turn down (false).")
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
