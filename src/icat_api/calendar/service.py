"""The registry's calendar (RFC 5545): every meeting, and every deadline of a decision taken by
electronic procedure, as an all-day event that calendar applications can subscribe to.

An event's UID names what it is (``meeting-17@icat.network``, ``decision-42-deadline@...``), so
it stays the same across requests and edits, and a subscribed calendar updates the event in
place. Its DTSTAMP and LAST-MODIFIED are when the registry last changed it (RFC 5545 3.8.7.2:
without a METHOD, DTSTAMP is the last revision in the store), never the time of the request: the
same data is the same bytes, and the same ETag.
"""

from datetime import date, datetime, timedelta

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
CANCELLED = "cancelled"

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
    """Whether the meeting is cancelled. Meetings have no status yet (DESIGN §3 gives them one:
    `scheduled`, `held`, `postponed`, `cancelled`); once the column is mapped, its value is read
    here, and until then no meeting is."""
    return getattr(meeting, "status", None) == CANCELLED


def meeting_event(meeting: Meeting) -> Event:
    """A meeting as an all-day event over its days."""
    event = Event()
    event.add("uid", meeting_uid(meeting.id))
    _revised(event, meeting.created_at, meeting.updated_at)
    _all_day(event, meeting.starts_on, meeting.ends_on)
    event.add("summary", meeting.title)
    if meeting.location:
        event.add("location", meeting.location)
    about = f"{_KINDS.get(meeting.kind, meeting.kind)}, {_MODES.get(meeting.mode, meeting.mode)}."
    if meeting.note:
        about += f"\n\n{meeting.note}"
    event.add("description", f"{about}\n\nICAT registry: /v1/meetings/{meeting.id}")
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
