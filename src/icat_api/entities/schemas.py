"""Entity and membership bodies. Field rules live here; rules needing the database in rules.py."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import Field, StringConstraints, model_validator

from icat_api.entities.name_schemas import (
    Acronym,
    Acronyms,
    AcronymsRead,
    FormerNameRead,
    FormerNames,
    Names,
    NamesRead,
)
from icat_api.schemas import Day, EntityId, Flag, Name, Note, ReadSchema, Schema, Url


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


MandateReference = Annotated[str, StringConstraints(min_length=1, max_length=500)]

_ENTITY_EXAMPLE: dict[str, Any] = {
    "id": "unodc",
    "name": "United Nations Office on Drugs and Crime",
    "acronym": "UNODC",
    "names": {
        "ar": None,
        "zh": None,
        "en": "United Nations Office on Drugs and Crime",
        "fr": "Office des Nations Unies contre la drogue et le crime",
        "ru": None,
        "es": None,
    },
    "acronyms": {"ar": None, "zh": None, "en": "UNODC", "fr": "ONUDC", "ru": None, "es": None},
    "former_names": [],
    "kind": "un_entity",
    "scope": "global",
    "un_system": True,
    "mandate_covers_tip": True,
    "mandate_reference": "Trafficking in Persons Protocol (2000); GA resolution 61/180",
    "website": "https://www.unodc.org",
    "note": None,
}
_WRITE_EXAMPLE = {
    k: v for k, v in _ENTITY_EXAMPLE.items() if k not in ("names", "acronyms", "former_names")
}
_RENAMED_EXAMPLE: dict[str, Any] = {
    "id": "dpa",
    "names": {"en": "Department of Political and Peacebuilding Affairs"},
    "acronyms": {"en": "DPPA"},
    "former_names": [
        {"name": "Department of Political Affairs", "acronym": "DPA", "until": "2018-12-31"}
    ],
    "kind": "un_entity",
    "scope": "global",
    "un_system": True,
    "mandate_covers_tip": True,
    "website": "https://dppa.un.org",
    "note": "Renamed on 1 January 2019 (GA resolution 72/199).",
}
_LANGUAGES = (
    "`name` and `names.en` are the same English name, and `acronym` and `acronyms.en` the same "
    "English acronym: send either or both (both must then agree)."
)


class EntityCreate(Schema):
    """A new organization. Its id is a slug chosen now and never reused."""

    model_config = {"json_schema_extra": {"examples": [_WRITE_EXAMPLE, _RENAMED_EXAMPLE]}}

    id: EntityId
    name: Name | None = Field(
        default=None,
        description="The organization's full name in English; unique. Required unless `names` "
        "is sent. " + _LANGUAGES,
    )
    acronym: Acronym | None = Field(default=None, description="The English acronym.")
    names: Names | None = Field(default=None, description="The name in the UN languages.")
    acronyms: Acronyms | None = Field(default=None, description="The acronym in the UN languages.")
    former_names: FormerNames = []
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
    note: Note | None = Field(default=None, description="Where the record's facts come from.")

    @model_validator(mode="after")
    def _un_system_is_not_ngo(self) -> Self:
        if self.un_system and self.kind is Kind.non_governmental:
            raise ValueError("a non-governmental organization is not part of the UN system")
        return self

    @model_validator(mode="after")
    def _english_once(self) -> Self:
        if self.name is None and self.names is None:
            raise ValueError("name (or names with its en) is required")
        agree_in_english(self)
        if self.names is None:
            assert self.name is not None
            self.names = Names(en=self.name)
        self.name = self.names.en
        if self.acronyms is None:
            self.acronyms = Acronyms(en=self.acronym)
        elif self.acronyms.en is None:
            self.acronyms.en = self.acronym
        self.acronym = self.acronyms.en
        return self


def agree_in_english(body: "EntityCreate | EntityUpdate") -> None:
    """`name` is `names.en` and `acronym` is `acronyms.en`: when a body sends both, they agree."""
    if body.name is not None and body.names is not None and body.name != body.names.en:
        raise ValueError(
            f"name ({body.name!r}) and names.en ({body.names.en!r}) differ: both are the "
            "English name; send one of them, or the same in both"
        )
    sent_acronyms = body.acronyms.en if body.acronyms is not None else None
    if body.acronym is not None and sent_acronyms is not None and body.acronym != sent_acronyms:
        raise ValueError(
            f"acronym ({body.acronym!r}) and acronyms.en ({sent_acronyms!r}) differ: both are "
            "the English acronym; send one of them, or the same in both"
        )


class EntityUpdate(Schema):
    """A partial change; only the fields sent are applied. The id never changes."""

    model_config = {
        "json_schema_extra": {
            "examples": [{"website": "https://www.unodc.org/unodc/en/human-trafficking/"}]
        }
    }

    name: Name | None = Field(
        default=None,
        description="The English name; the other languages are kept. " + _LANGUAGES,
    )
    acronym: Acronym | None = Field(
        default=None, description="The English acronym (null: none); the others are kept."
    )
    names: Names | None = Field(
        default=None, description="Every language's name at once: languages left out are cleared."
    )
    acronyms: Acronyms | None = Field(
        default=None,
        description="Every language's acronym at once: languages left out are cleared.",
    )
    former_names: FormerNames | None = Field(
        default=None, description="The whole history at once (`[]` clears it)."
    )
    kind: Kind | None = None
    scope: Scope | None = None
    un_system: Flag | None = None
    mandate_covers_tip: Flag | None = None
    mandate_reference: MandateReference | None = None
    website: Url | None = None
    note: Note | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> Self:
        required = ("name", "names", "acronyms", "former_names")
        for name in (*required, "kind", "un_system", "mandate_covers_tip"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        agree_in_english(self)
        return self


class EntityRead(ReadSchema):
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
    name: str = Field(
        description="The name used on the day asked, in the language `Accept-Language` "
        "prefers (English where that one is not filled; a former name is in English)."
    )
    acronym: str | None = Field(description="The acronym used on the day asked, likewise.")
    names: NamesRead = Field(description="The current name in each UN language.")
    acronyms: AcronymsRead = Field(description="The current acronym in each UN language.")
    former_names: list[FormerNameRead] = Field(description="Names borne before, oldest first.")
    kind: Kind
    scope: Scope | None
    un_system: bool
    mandate_covers_tip: bool
    mandate_reference: str | None
    website: str | None
    note: str | None = Field(description="Where the record's facts come from.")
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


class MembershipRead(ReadSchema):
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
