"""Working Group bodies: enrolments, meetings, attendance, applications, decisions."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from icat_api.entities.schemas import Role
from icat_api.money import Amount, Currency, check_minor_units
from icat_api.schemas import Day, EntityId, Flag, Name, Note, Schema, ShortText

Reference = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Record = Annotated[str, StringConstraints(max_length=20_000)]
Representative = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class MeetingKind(StrEnum):
    working_group = "working_group"
    principals = "principals"
    consultation = "consultation"
    briefing = "briefing"
    expert_group = "expert_group"


class Mode(StrEnum):
    in_person = "in_person"
    virtual = "virtual"
    hybrid = "hybrid"


class Capacity(StrEnum):
    voting_member = "voting_member"
    member = "member"
    observer = "observer"
    guest = "guest"


class EnrolmentCreate(Schema):
    """A member's written confirmation of its interest in the Working Group (ToR 3.B.7)."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "entity_id": "unfpa",
                    "confirmed_on": "2021-02-15",
                    "confirmation_reference": "Letter UNFPA/TD/2021/07",
                }
            ]
        }
    }

    entity_id: EntityId
    confirmed_on: Day
    confirmation_reference: Reference


class EnrolmentRead(BaseModel):
    id: int
    entity_id: str
    confirmed_on: date
    confirmation_reference: str
    created_at: datetime


class RosterMember(BaseModel):
    """An enrolled member and whether it votes on the day."""

    entity_id: str
    name: str
    acronym: str | None
    confirmed_on: date
    first_participation_on: date | None = Field(
        description="Its first Working Group meeting on or after confirming (ToR 3.B.7)."
    )
    has_voting_rights: bool
    voting_since: date | None


class RosterObserver(BaseModel):
    entity_id: str
    name: str
    acronym: str | None


class WorkingGroupRead(BaseModel):
    """The Working Group on `as_of`: enrolled members, and partners as observers."""

    as_of: date
    members: list[RosterMember]
    observers: list[RosterObserver] = Field(
        description="Partners: non-voting observers (ToR 3.B.7)."
    )


class VotingRightsRead(BaseModel):
    """Whether an entity has voting rights on a day, and why (ToR 3.B.7, 3.E.3)."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "entity_id": "unhcr",
                    "on": "2015-07-22",
                    "has_voting_rights": True,
                    "since": "2015-01-19",
                    "reason": "Member of the Working Group, confirmed 2007-01-01, voting since its first "
                    "meeting on 2015-01-19 (ToR 3.B.7, 3.E.3).",
                }
            ]
        }
    }

    entity_id: str
    on: date
    has_voting_rights: bool
    since: date | None
    reason: str


_MEETING: dict[str, Any] = {
    "kind": "working_group",
    "title": "Second Working Group meeting of 2015",
    "starts_on": "2015-07-22",
    "ends_on": "2015-07-24",
    "location": "Geneva",
    "mode": "in_person",
}


class MeetingCreate(Schema):
    model_config = {"json_schema_extra": {"examples": [_MEETING]}}

    kind: MeetingKind
    title: Name
    starts_on: Day
    ends_on: Day | None = Field(default=None, description="Defaults to `starts_on`.")
    location: ShortText | None = None
    mode: Mode = Mode.in_person
    note: Note | None = None

    @model_validator(mode="after")
    def _days(self) -> Self:
        if self.ends_on is None:
            self.ends_on = self.starts_on
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class MeetingUpdate(Schema):
    model_config = {"json_schema_extra": {"examples": [{"location": "Palais des Nations, Geneva"}]}}

    title: Name | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None
    location: ShortText | None = None
    mode: Mode | None = None
    note: Note | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> Self:
        for name in ("title", "starts_on", "ends_on", "mode"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class MeetingRead(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    **_MEETING,
                    "id": 2,
                    "note": None,
                    "created_at": "2026-01-01T00:00:00Z",
                    "updated_at": "2026-01-01T00:00:00Z",
                }
            ]
        }
    }

    id: int
    kind: MeetingKind
    title: str
    starts_on: date
    ends_on: date
    location: str | None
    mode: Mode
    note: str | None
    created_at: datetime
    updated_at: datetime


class AttendeeIn(Schema):
    entity_id: EntityId
    representatives: list[Representative] = Field(default_factory=list, max_length=50)


class AttendanceSet(Schema):
    """Everyone who attended: the list replaces the one recorded."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "items": [
                        {
                            "entity_id": "unhcr",
                            "representatives": ["Head, Asylum and Migration Unit"],
                        },
                        {"entity_id": "osce", "representatives": []},
                    ]
                }
            ]
        }
    }

    items: list[AttendeeIn] = Field(max_length=500)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        ids = [a.entity_id for a in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError("an entity is listed twice")
        return self


class AttendeeRead(BaseModel):
    entity_id: str
    name: str
    capacity: Capacity = Field(description="How it took part that day (ToR 3.B.7, 3.A.5).")
    representatives: list[str] | None = Field(
        description="Who represented it; personal data, shown only to callers with a key."
    )


class AttendanceRead(BaseModel):
    meeting_id: int
    on: date
    items: list[AttendeeRead]


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
