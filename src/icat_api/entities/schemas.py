"""Entity and membership bodies. Field rules live here; rules needing the database in rules.py."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import Field, StringConstraints, model_validator

from icat_api.schemas import Day, EntityId, Flag, Name, Note, Schema, Url


class Kind(StrEnum):
    un_entity = "un_entity"
    intergovernmental = "intergovernmental"
    non_governmental = "non_governmental"
    other = "other"


class Scope(StrEnum):
    global_ = "global"
    regional = "regional"
    sub_regional = "sub_regional"


class Role(StrEnum):
    member = "member"
    partner = "partner"


class Status(StrEnum):
    member = "member"
    partner = "partner"
    applicant = "applicant"
    former_member = "former_member"
    stakeholder = "stakeholder"


Acronym = Annotated[str, StringConstraints(min_length=1, max_length=50)]
MandateReference = Annotated[str, StringConstraints(min_length=1, max_length=500)]

_ENTITY_EXAMPLE: dict[str, Any] = {
    "id": "unodc",
    "name": "United Nations Office on Drugs and Crime",
    "acronym": "UNODC",
    "kind": "un_entity",
    "scope": "global",
    "un_system": True,
    "mandate_covers_tip": True,
    "mandate_reference": "Trafficking in Persons Protocol (2000); GA resolution 61/180",
    "website": "https://www.unodc.org",
}


class EntityCreate(Schema):
    """A new organization. Its id is a slug chosen now and never reused."""

    model_config = {"json_schema_extra": {"examples": [_ENTITY_EXAMPLE]}}

    id: EntityId
    name: Name = Field(description="The organization's full name; unique.")
    acronym: Acronym | None = None
    kind: Kind = Field(
        description="ToR 3.A.4(a): only `un_entity` and `intergovernmental` may join."
    )
    scope: Scope | None = Field(default=None, description="Global, regional or sub-regional.")
    un_system: Flag = Field(default=False, description="Part of the United Nations system.")
    mandate_covers_tip: Flag = Field(
        default=False,
        description="ToR 3.A.4(b): its mandate or statute addresses trafficking in persons.",
    )
    mandate_reference: MandateReference | None = Field(
        default=None, description="Where the mandate is written (resolution, statute)."
    )
    website: Url | None = None

    @model_validator(mode="after")
    def _un_system_is_not_ngo(self) -> Self:
        if self.un_system and self.kind is Kind.non_governmental:
            raise ValueError("a non-governmental organization is not part of the UN system")
        return self


class EntityUpdate(Schema):
    """A partial change; only the fields sent are applied. The id never changes."""

    model_config = {
        "json_schema_extra": {
            "examples": [{"website": "https://www.unodc.org/unodc/en/human-trafficking/"}]
        }
    }

    name: Name | None = None
    acronym: Acronym | None = None
    kind: Kind | None = None
    scope: Scope | None = None
    un_system: Flag | None = None
    mandate_covers_tip: Flag | None = None
    mandate_reference: MandateReference | None = None
    website: Url | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> Self:
        for name in ("name", "kind", "un_system", "mandate_covers_tip"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class EntityRead(Schema):
    """An organization and its status on the day asked (today by default)."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    **_ENTITY_EXAMPLE,
                    "status": "member",
                    "working_group": True,
                    "created_at": "2026-01-01T00:00:00Z",
                    "updated_at": "2026-01-01T00:00:00Z",
                }
            ]
        }
    }

    id: str
    name: str
    acronym: str | None
    kind: Kind
    scope: Scope | None
    un_system: bool
    mandate_covers_tip: bool
    mandate_reference: str | None
    website: str | None
    status: Status = Field(description="Derived from its memberships on the day asked.")
    working_group: bool = Field(
        description="An enrolled member of the Working Group on the day asked (ToR 3.B.7)."
    )
    created_at: datetime = Field(description="When it was first recorded (UTC).")
    updated_at: datetime = Field(description="When it or its memberships last changed (UTC).")


_MEMBERSHIP_EXAMPLE: dict[str, Any] = {
    "role": "partner",
    "starts_on": "2015-07-22",
    "note": "Admitted as partner in 2015 (Chair's report 2015).",
}


class MembershipCreate(Schema):
    """A span of a role, as the secretariat records it. `ends_on` is the first day without it."""

    model_config = {"json_schema_extra": {"examples": [_MEMBERSHIP_EXAMPLE]}}

    role: Role
    starts_on: Day = Field(description="The first day the role is held.")
    ends_on: Day | None = Field(
        default=None, description="The first day the role is no longer held; null while held."
    )
    note: Note | None = Field(default=None, description="Where the history comes from.")

    @model_validator(mode="after")
    def _span(self) -> Self:
        if self.ends_on is not None and self.ends_on <= self.starts_on:
            raise ValueError("ends_on must be after starts_on")
        return self


class MembershipEnd(Schema):
    """Ending an open membership."""

    model_config = {"json_schema_extra": {"examples": [{"ends_on": "2019-01-01"}]}}

    ends_on: Day = Field(description="The first day the role is no longer held.")
    note: Note | None = None


class MembershipRead(Schema):
    """One span of a role."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    **_MEMBERSHIP_EXAMPLE,
                    "id": 1,
                    "entity_id": "osce",
                    "ends_on": "2017-01-01",
                    "admission_decision_id": None,
                    "created_at": "2026-01-01T00:00:00Z",
                    "updated_at": "2026-01-01T00:00:00Z",
                }
            ]
        }
    }

    id: int
    entity_id: str
    role: Role
    starts_on: date
    ends_on: date | None
    note: str | None
    admission_decision_id: int | None = Field(description="The admission decision (ToR 3.A.3).")
    created_at: datetime
    updated_at: datetime
