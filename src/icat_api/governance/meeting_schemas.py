"""A meeting as held: its status, local times, agenda and documents (links, not files)."""

from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Self

from babel import Locale, UnknownLocaleError
from pydantic import AfterValidator, Field, StringConstraints, model_validator

from icat_api.schemas import Day, Name, RowId, Schema, Url
from icat_api.settings import _time_zone


class MeetingStatus(StrEnum):
    """As read: `held` is derived, never stored (rules.meeting_status)."""

    scheduled = "scheduled"
    held = "held"
    postponed = "postponed"
    cancelled = "cancelled"


@lru_cache(maxsize=512)
def _known_zone(name: str) -> str:
    # The settings' check lists every zone on disk: remembered for the names that pass.
    return _time_zone(name)


TimeZone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    AfterValidator(_known_zone),
    Field(description="An IANA time zone, e.g. Europe/Vienna.", examples=["Europe/Vienna"]),
]
LocalTime = Annotated[
    str,
    StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$"),
    Field(description="A time of day, HH:MM (24 hours), in the meeting's time zone."),
]


def times_error(starts_on: date, ends_on: date, times: "LocalTimes | None") -> str | None:
    """Why the times do not fit the days (a one-day meeting ends after it starts), or None."""
    if times is not None and starts_on == ends_on and times.end_time <= times.start_time:
        return "a one-day meeting's end_time must be after its start_time"
    return None


class LocalTimes(Schema):
    """When the meeting starts on its first day and ends on its last, in local time: the three
    go together (a time means nothing without its zone)."""

    model_config = {
        "json_schema_extra": {
            "examples": [{"time_zone": "Europe/Zurich", "start_time": "10:00", "end_time": "13:00"}]
        }
    }

    time_zone: TimeZone
    start_time: LocalTime = Field(description="On the first day, HH:MM.")
    end_time: LocalTime = Field(description="On the last day, HH:MM.")


AgendaNumber = Annotated[
    str,
    StringConstraints(min_length=1, max_length=16, pattern=r"^[0-9A-Za-z][0-9A-Za-z.()-]*$"),
    Field(description="The item's number as the agenda writes it: 1, 4.2, 3(b)...", examples=["2"]),
]


class AgendaItem(Schema):
    model_config = {
        "json_schema_extra": {
            "examples": [{"number": "2", "title": "Requests to join ICAT", "decision_ids": [1]}]
        }
    }

    number: AgendaNumber
    title: Name
    decision_ids: list[RowId] = Field(
        default_factory=list,
        max_length=200,
        description="The decisions taken under this item: decisions of this meeting.",
    )


def check_agenda(items: list[AgendaItem]) -> list[AgendaItem]:
    """Each number once; each decision under one item at most."""
    numbers = [i.number for i in items]
    if len(set(numbers)) != len(numbers):
        raise ValueError("an agenda number is used twice")
    ids = [d for i in items for d in i.decision_ids]
    if len(set(ids)) != len(ids):
        raise ValueError("a decision is listed under two agenda items (or twice under one)")
    return items


Agenda = Annotated[list[AgendaItem], Field(max_length=100), AfterValidator(check_agenda)]


class DocumentKind(StrEnum):
    invitation = "invitation"
    agenda = "agenda"
    minutes = "minutes"
    presentation = "presentation"
    report = "report"
    other = "other"


def _language(tag: str) -> str:
    """A language tag CLDR knows (BCP 47: language, optional script and region), as written
    canonically: en, fr, zh-Hans, es-419. Anything babel would read as something else (a
    variant it drops, ``und``) is refused, so the tag stored is the tag meant."""
    try:
        locale = Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError):
        raise ValueError(f"unknown language tag {tag!r}") from None
    canonical = "-".join(p for p in (locale.language, locale.script, locale.territory) if p)
    if canonical.lower() != tag.lower():
        raise ValueError(f"unknown language tag {tag!r}")
    return canonical


LanguageTag = Annotated[
    str,
    StringConstraints(min_length=2, max_length=35),
    AfterValidator(_language),
    Field(description="A BCP 47 language tag: ar, zh, en, fr, ru, es, or another CLDR knows."),
]
MediaType = Annotated[
    str,
    StringConstraints(
        max_length=255,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$",
        to_lower=True,
    ),
    Field(description="The linked file's media type, e.g. application/pdf."),
]
Sha256 = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9A-Fa-f]{64}$", to_lower=True),
    Field(description="The SHA-256 of the linked file: 64 hex digits (stored in lower case)."),
]


class MeetingDocument(Schema):
    """A document of the meeting, linked: the registry holds the link, never the file."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "kind": "minutes",
                    "title": "Minutes of the second Working Group meeting of 2015",
                    "url": "https://icat.un.org/meetings/2015-07/minutes.pdf",
                    "media_type": "application/pdf",
                    "language": "en",
                    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                }
            ]
        }
    }

    kind: DocumentKind
    title: Name
    url: Url
    media_type: MediaType | None = None
    language: LanguageTag | None = None
    sha256: Sha256 | None = None


Documents = Annotated[list[MeetingDocument], Field(max_length=50)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class MeetingCancel(Schema):
    """Why the meeting will not be held."""

    model_config = {
        "json_schema_extra": {
            "examples": [{"reason": "The venue is closed; the items move to the next meeting."}]
        }
    }

    reason: Reason


class MeetingPostpone(Schema):
    """Why the meeting is put off, and its new days when they are known."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "reason": "Too few members can travel that week.",
                    "starts_on": "2015-09-22",
                    "ends_on": "2015-09-24",
                }
            ]
        }
    }

    reason: Reason
    starts_on: Day | None = Field(
        default=None,
        description="The new first day, after the current one. Left out: the meeting is "
        "`postponed` until a PATCH gives its days.",
    )
    ends_on: Day | None = Field(
        default=None, description="The new last day; defaults to keeping the meeting's length."
    )

    @model_validator(mode="after")
    def _days(self) -> Self:
        if self.starts_on is None and self.ends_on is not None:
            raise ValueError("ends_on needs starts_on")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self
