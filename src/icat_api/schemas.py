"""Shared schema pieces: the one base schema and the named field types every domain uses."""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    field_validator,
)

FIRST_DAY = date(1945, 10, 24)  # the UN Charter came into force; no ICAT record is older
LAST_DAY = date(2100, 12, 31)


# Characters no text of the registry carries: C0 controls but tab and newline (NUL included),
# and the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069),
# which make a name display as something else than it is ("Trojan Source").
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\u202a-\u202e\u2066-\u2069]")


def _no_nul(value: Any) -> Any:
    # Strings, and strings in lists; nested objects are Schema models that check their own
    # fields, so the error names the innermost field.
    if isinstance(value, str):
        bad = _FORBIDDEN.search(value)
        if bad is not None:
            char = bad.group()
            if char == "\x00":
                raise ValueError("NUL characters are not allowed")
            raise ValueError(
                f"control or bidirectional-override character U+{ord(char):04X} is not allowed"
            )
    if isinstance(value, list):
        for v in value:
            if isinstance(v, str):
                _no_nul(v)
    return value


class Schema(BaseModel):
    """The base of every request and response body: unknown fields refused, strings trimmed,
    NUL, other control characters (but tab and newline) and bidirectional overrides refused
    anywhere."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, from_attributes=True)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        return _no_nul(value)


class ReadSchema(BaseModel):
    """The base of an answer made from the registry's own rows: :class:`Schema`'s shape (unknown
    fields refused, as the OpenAPI document shows) without its input checks, which what was
    stored has passed; a page of entities would run them on some 400 fields per request."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_day_only(value: Any) -> Any:
    # pydantic would take 0 as 1970-01-01; a day is written YYYY-MM-DD and nothing else.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DAY.match(value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


def _rfc3339_only(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise ValueError("a timestamp is RFC 3339, e.g. 2026-01-31T12:00:00Z")
    return value


_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a timestamp needs a time zone (Z or +hh:mm)")
    try:
        return value.astimezone(UTC)  # stored in UTC: 0001-01-01T00:00+00:01 has no UTC time
    except OverflowError:
        raise ValueError("the timestamp is out of range once in UTC") from None


def _in_range(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"date must be between {FIRST_DAY} and {LAST_DAY}")
    return value


Day = Annotated[
    date,
    BeforeValidator(_iso_day_only),
    AfterValidator(_in_range),
    Field(description="A calendar day, YYYY-MM-DD, between 1945-10-24 and 2100-12-31."),
]
Year = Annotated[int, Strict(), Field(ge=2000, le=2100, description="A calendar year.")]
Instant = Annotated[
    datetime,
    BeforeValidator(_rfc3339_only),
    AfterValidator(_aware),
    Field(description="An RFC 3339 timestamp with a time zone, e.g. 2026-01-31T12:00:00Z."),
]
Flag = Annotated[bool, Strict()]
# A row's id: a positive 32-bit integer, as both databases store it.
RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
EntityId = Annotated[
    str,
    StringConstraints(min_length=2, max_length=64, pattern=SLUG_PATTERN),
    Field(
        description="An entity's stable id: a lower-case slug (letters, digits, single hyphens).",
        examples=["unodc", "un-women"],
    ),
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=300)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Note = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Url = Annotated[
    str,
    StringConstraints(max_length=500, pattern=r"^https?://[^\s/$.?#][^\s]*$"),
    Field(description="An http(s) URL.", examples=["https://www.unodc.org"]),
]
Cursor = Annotated[
    str, Field(max_length=500, description="The `next_cursor` of the previous page.")
]

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list, in a stable order."""

    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
