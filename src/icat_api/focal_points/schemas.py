"""Focal point bodies: field rules (emails, phones, ids) live here."""

from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any, Literal, Self

import phonenumbers
from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic.networks import validate_email

from icat_api.schemas import Flag, Schema

MAX_CONTACTS = 2000  # per entity: a clear limit, far above any agency's real list

ExternalId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200),
    Field(description="The agency's own key for this contact; matching is on it, never on email."),
]
PersonName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]


# Parsing a phone number or an email address is most of a sync's cost (about 120 and 70 µs),
# and a nightly sync sends the same contacts every night: both are pure functions of the text,
# so their answers are kept (the errors are not).
@lru_cache(maxsize=16384)
def _e164(value: str) -> str:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("a phone number in international form, e.g. +43 1 26060 0") from exc
    if not phonenumbers.is_possible_number(number):
        raise ValueError("not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


Phone = Annotated[
    str,
    StringConstraints(min_length=3, max_length=40),
    AfterValidator(_e164),
    Field(
        description="International form with the country code; stored as E.164.",
        examples=["+43 1 26060 0"],
    ),
]


@lru_cache(maxsize=16384)
def _email(value: str) -> str:
    return validate_email(value)[1]  # pydantic's EmailStr, remembered


Email = Annotated[
    str,
    Field(max_length=254),
    AfterValidator(_email),
    WithJsonSchema(
        {
            "type": "string",
            "format": "email",
            "maxLength": 254,
            "examples": ["focal.point@unodc.org"],
        }
    ),
]

_EXAMPLE: dict[str, Any] = {
    "external_id": "HR-00731",
    "name": "Amina Haddad",
    "title": "Programme Officer, Human Trafficking Section",
    "email": "amina.haddad@unodc.org",
    "phone": "+43 1 26060 0",
    "is_primary": True,
}


class FocalPointIn(Schema):
    """A contact as an agency sends it."""

    model_config = {"json_schema_extra": {"examples": [_EXAMPLE]}}

    external_id: ExternalId
    name: PersonName
    title: Title | None = None
    email: Email
    phone: Phone | None = None
    is_primary: Flag = Field(default=False, description="ToR 3.A.2: exactly one per entity.")


class FocalPointUpdate(Schema):
    """A partial change to one contact (its id, entity and external_id never change)."""

    model_config = {
        "json_schema_extra": {"examples": [{"title": "Chief, Human Trafficking Section"}]}
    }

    name: PersonName | None = None
    title: Title | None = None
    email: Email | None = None
    phone: Phone | None = None
    is_primary: Flag | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> Self:
        for name in ("name", "email", "is_primary"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class FocalPointSet(Schema):
    """The complete list of an agency's contacts: what is absent is removed."""

    model_config = {"json_schema_extra": {"examples": [{"items": [_EXAMPLE]}]}}

    items: list[FocalPointIn] = Field(
        max_length=MAX_CONTACTS, description=f"At most {MAX_CONTACTS} contacts."
    )


class FocalPointRead(BaseModel):
    """One contact. Personal data: never on public endpoints."""

    model_config = {
        "from_attributes": True,
        "json_schema_extra": {
            "examples": [
                {
                    **_EXAMPLE,
                    "id": 1,
                    "entity_id": "unodc",
                    "phone": "+431260600",
                    "created_at": "2026-01-01T00:00:00Z",
                    "updated_at": "2026-01-01T00:00:00Z",
                }
            ]
        },
    }

    id: int
    entity_id: str
    external_id: str
    name: str
    title: str | None
    email: str
    phone: str | None
    is_primary: bool
    created_at: datetime
    updated_at: datetime


class FocalPointList(BaseModel):
    """An entity's contacts, all of them (at most 2000)."""

    entity_id: str
    items: list[FocalPointRead]
    next_cursor: None = Field(default=None, description="Always null: one page holds them all.")


class SyncResult(BaseModel):
    """The set after a full-replace sync, and what the sync did."""

    items: list[FocalPointRead]
    created: int
    updated: int
    removed: int
    unchanged: int


class FocalPointChangeRead(BaseModel):
    """A contact created or changed (``deleted`` false, with its fields), or removed
    (``deleted`` true: a tombstone with its id, entity and external_id only)."""

    id: int
    entity_id: str
    external_id: str
    deleted: bool
    updated_at: datetime
    name: str | None = None
    title: str | None = None
    email: str | None = None
    phone: str | None = None
    is_primary: bool | None = None


class GapRead(BaseModel):
    """A member or partner without a designated focal point (ToR 3.A.2)."""

    id: str
    name: str
    acronym: str | None
    status: Literal["member", "partner"]
