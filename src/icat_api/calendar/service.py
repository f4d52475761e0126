"""The registry's calendar (RFC 5545): every meeting, and every deadline of a decision taken by
electronic procedure, as an event that calendar applications can subscribe to — all-day, or
timed when a meeting has local times; a meeting cancelled (or postponed until new days are
known) is `STATUS:CANCELLED`.

An event's UID names what it is (``meeting-17@icat.network``, ``decision-42-deadline@...``), so
it stays the same across requests and edits, and a subscribed calendar updates the event in
place. Its DTSTAMP and LAST-MODIFIED are when the registry last changed it (RFC 5545 3.8.7.2:
without a METHOD, DTSTAMP is the last revision in the store), never the time of the request: the
same data is the same bytes, and the same ETag.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from icat_api.conditional import etag_of
from icat_api.data_version import Cached, cached
from icat_api.governance.models import Decision, Meeting

CALENDAR = "text/calendar"
MEDIA_TYPE = f"{CALENDAR}; charset=utf-8"
DOMAIN = "icat.network"  # the registry's own, as in its problem types: UIDs unique worldwide
PRODID = "-//ICAT//ICAT registry API//EN"
NAME = "ICAT meetings and deadlines"
CANCELLED, POSTPONED = "cancelled", "postponed"

_KINDS = {
    "working_group": "Working Group meeting",
    "principals": "Principals' meeting",
    "consultation": "Consultation",
    "briefing": "Briefing",
    "expert_group": "Expert group meeting",
}
_MODES = {"in_person": "in person", "virtual": "virtual", "hybrid": "hybrid"}


def meeting_uid(meeting_id: int) -> str:
    return f"meeting-{meeting_id}@{DOMAIN}"


def deadline_uid(decision_id: int) -> str:
    return f"decision-{decision_id}-deadline@{DOMAIN}"


def _all_day(event: Event, first: date, last: date) -> None:
    """``first`` to ``last`` inclusive: DTEND is the day after, exclusive (RFC 5545 3.6.1)."""
    event.add("dtstart", first)
    event.add("dtend", last + timedelta(days=1))


def _revised(event: Event, created: datetime, revised: datetime) -> None:
    event.add("dtstamp", revised)
    event.add("created", created)
    event.add("last-modified", revised)


def is_cancelled(meeting: Meeting) -> bool:
    """Whether the meeting will not take place on its days: cancelled, or postponed until new
    days are known (RFC 5545 has no "postponed": the event on these days is called off, and
    comes back, same UID, on its new days)."""
    return meeting.status in (CANCELLED, POSTPONED)


def _when(event: Event, meeting: Meeting) -> None:
    """Its days as an all-day event; or, with local times, from its start on the first day to
    its end on the last, as UTC instants (no VTIMEZONE needed, right in any year)."""
    if meeting.time_zone is None or meeting.start_time is None or meeting.end_time is None:
        _all_day(event, meeting.starts_on, meeting.ends_on)
        return
    zone = ZoneInfo(meeting.time_zone)
    for name, day, hhmm in (
        ("dtstart", meeting.starts_on, meeting.start_time),
        ("dtend", meeting.ends_on, meeting.end_time),
    ):
        local = datetime.combine(day, time.fromisoformat(hhmm), zone)
        event.add(name, local.astimezone(UTC))


def _about(meeting: Meeting) -> str:
    about = f"{_KINDS.get(meeting.kind, meeting.kind)}, {_MODES.get(meeting.mode, meeting.mode)}."
    if meeting.start_time is not None:
        about += f" {meeting.start_time}-{meeting.end_time} {meeting.time_zone}."
    if meeting.status == CANCELLED:
        about += f"\n\nCancelled: {meeting.status_reason}"
    elif meeting.status == POSTPONED:
        about += f"\n\nPostponed, new days to be set: {meeting.status_reason}"
    elif meeting.postponed_from is not None:
        about += f"\n\nPostponed from {meeting.postponed_from}: {meeting.status_reason}"
    if meeting.note:
        about += f"\n\n{meeting.note}"
    return about


def meeting_event(meeting: Meeting) -> Event:
    """A meeting as an event over its days (all-day unless it has local times)."""
    event = Event()
    event.add("uid", meeting_uid(meeting.id))
    _revised(event, meeting.created_at, meeting.updated_at)
    _when(event, meeting)
    postponed = meeting.status == POSTPONED
    event.add("summary", f"Postponed: {meeting.title}" if postponed else meeting.title)
    if meeting.location:
        event.add("location", meeting.location)
    event.add("description", f"{_about(meeting)}\n\nICAT registry: /v1/meetings/{meeting.id}")
    event.add("categories", [meeting.kind])
    if is_cancelled(meeting):
        event.add("status", "CANCELLED")
    return event


def deadline_event(decision: Decision) -> Event:
    """The deadline of a decision taken by electronic procedure, as an all-day event."""
    assert decision.deadline_on is not None
    kind = decision.kind.replace("_", " ")
    consulted = len(decision.consulted_entity_ids or [])
    event = Event()
    event.add("uid", deadline_uid(decision.id))
    # A decision is never edited: it was last revised when it was recorded.
    _revised(event, decision.created_at, decision.created_at)
    _all_day(event, decision.deadline_on, decision.deadline_on)
    event.add("summary", f"Deadline: {kind} by electronic procedure")
    event.add(
        "description",
        f"Decision {decision.id} ({kind}), {consulted} entities consulted; "
        f"{decision.outcome.replace('_', ' ')} on {decision.decided_on.isoformat()}.\n\n"
        f"{decision.record}\n\nICAT registry: /v1/decisions/{decision.id}",
    )
    event.add("categories", ["electronic_procedure"])
    return event


def calendar(*, session: Session) -> bytes:
    """The whole calendar: meetings, then deadlines, each in date order; two statements
    whatever the number of events."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", NAME)  # RFC 7986
    cal.add("x-wr-calname", NAME)  # its older spelling, which more applications read
    for meeting in session.scalars(select(Meeting).order_by(Meeting.starts_on, Meeting.id)):
        cal.add_component(meeting_event(meeting))
    deadlines = (
        select(Decision)
        .where(Decision.procedure == "electronic", Decision.deadline_on.is_not(None))
        .order_by(Decision.deadline_on, Decision.id)
    )
    for decision in session.scalars(deadlines):
        cal.add_component(deadline_event(decision))
    body: bytes = cal.to_ical()  # typed loosely by icalendar
    return body


def _build(factory: sessionmaker[Session]) -> Cached:
    with factory() as session:
        body = calendar(session=session)
    return Cached(body=body, etag=etag_of(body))


async def cached_calendar(app: FastAPI) -> Cached:
    """The calendar's bytes, from memory while the data has not changed."""
    return await cached(app.state.read_cache, ("calendar",), lambda: _build(app.state.sessionmaker))
