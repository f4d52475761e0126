"""Working Group bodies: enrolments, meetings, attendance, applications, decisions."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from icat_api.governance.meeting_schemas import (
    Agenda,
    AgendaItem,
    Documents,
    LocalTimes,
    MeetingDocument,
    MeetingStatus,
    times_error,
)
from icat_api.schemas import Day, EntityId, Name, Note, Schema, ShortText

Reference = Annotated[str, StringConstraints(min_length=1, max_length=300)]
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
_TIMES: dict[str, Any] = {"time_zone": "Europe/Zurich", "start_time": "10:00", "end_time": "13:00"}
_AGENDA: list[Any] = [
    {"number": "1", "title": "Adoption of the agenda", "decision_ids": []},
    {"number": "2", "title": "Requests to join ICAT", "decision_ids": [1]},
]
_DOCUMENTS: list[Any] = [
    {
        "kind": "minutes",
        "title": "Minutes of the second Working Group meeting of 2015",
        "url": "https://icat.un.org/meetings/2015-07/minutes.pdf",
        "media_type": "application/pdf",
        "language": "en",
        "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    }
]


class MeetingCreate(Schema):
    model_config = {
        "json_schema_extra": {
            "examples": [{**_MEETING, "local_times": _TIMES, "agenda": [_AGENDA[0]]}]
        }
    }

    kind: MeetingKind
    title: Name
    starts_on: Day
    ends_on: Day | None = Field(default=None, description="Defaults to `starts_on`.")
    location: ShortText | None = None
    mode: Mode = Mode.in_person
    note: Note | None = None
    local_times: LocalTimes | None = Field(
        default=None, description="Its start and end in local time, if known."
    )
    agenda: Agenda = Field(default_factory=list)
    documents: Documents = Field(default_factory=list)

    @model_validator(mode="after")
    def _days(self) -> Self:
        if self.ends_on is None:
            self.ends_on = self.starts_on
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        wrong = times_error(self.starts_on, self.ends_on, self.local_times)
        if wrong:
            raise ValueError(wrong)
        return self


class MeetingUpdate(Schema):
    """The fields sent replace the stored ones: `agenda` and `documents` as whole lists,
    `local_times` null removes the times."""

    model_config = {
        "json_schema_extra": {
            "examples": [{"location": "Palais des Nations, Geneva", "documents": _DOCUMENTS}]
        }
    }

    title: Name | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None
    location: ShortText | None = None
    mode: Mode | None = None
    note: Note | None = None
    local_times: LocalTimes | None = None
    agenda: Agenda | None = None
    documents: Documents | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> Self:
        for name in ("title", "starts_on", "ends_on", "mode", "agenda", "documents"):
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
                    "status": "held",
                    "status_reason": None,
                    "postponed_from": None,
                    "local_times": _TIMES,
                    "agenda": _AGENDA,
                    "documents": _DOCUMENTS,
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
    status: MeetingStatus = Field(
        description="`scheduled`; `held` once its first day has come, unless cancelled or "
        "postponed; `postponed` while it waits for new days; `cancelled`."
    )
    status_reason: str | None = Field(
        description="The reason given when it was last cancelled or postponed."
    )
    postponed_from: date | None = Field(
        description="The first day it was planned for, once it has been postponed."
    )
    local_times: LocalTimes | None
    agenda: list[AgendaItem]
    documents: list[MeetingDocument] = Field(description="Links to its documents, not files.")
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


class MemberParticipation(BaseModel):
    """One enrolled member's Working Group meetings in the window."""

    entity_id: str
    name: str
    acronym: str | None
    attended: int
    held: int
    ratio: float | None = Field(description="attended / held; null when none was held.")
    meets_min_ratio: bool = Field(
        description="Whether the ratio reaches `min_attendance_ratio`: the reading of regular "
        "participation that chair eligibility applies (ToR 3.D.1)."
    )


class ParticipationRead(BaseModel):
    """Each enrolled member's participation in the Working Group between two days (ToR 3.B.4,
    3.E.2: members actively and regularly participate)."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "starts_on": "2014-07-01",
                    "ends_on": "2015-06-30",
                    "held": 2,
                    "min_attendance_ratio": 0.5,
                    "members": [
                        {
                            "entity_id": "unhcr",
                            "name": "Office of the United Nations High Commissioner for Refugees",
                            "acronym": "UNHCR",
                            "attended": 2,
                            "held": 2,
                            "ratio": 1.0,
                            "meets_min_ratio": True,
                        }
                    ],
                }
            ]
        },
    }

    starts_on: date = Field(description="The window's first day (`from`, included).")
    ends_on: date = Field(description="The window's last day (`to`, included).")
    held: int = Field(description="Working Group meetings held in the window.")
    min_attendance_ratio: float
    members: list[MemberParticipation] = Field(
        description="The members enrolled in the Working Group on `to`, by name."
    )
