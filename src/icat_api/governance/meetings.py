"""Meetings and their attendance, with each attendee's capacity on the day."""

from collections.abc import Callable, Sequence
from datetime import date
from typing import cast

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from icat_api import csv_output
from icat_api import rules as record_rules
from icat_api.audit.service import record
from icat_api.caller import Caller
from icat_api.clock import today
from icat_api.db import utcnow
from icat_api.entities import rules as entity_rules
from icat_api.entities.models import Entity
from icat_api.governance import facts, rules
from icat_api.governance.models import Attendance, Decision, Meeting, Objection
from icat_api.governance.schemas import (
    AttendanceRead,
    AttendanceSet,
    AttendeeRead,
    MeetingCreate,
    MeetingRead,
    MeetingUpdate,
)
from icat_api.pagination import DAY, INT32, Keyset, PageParams, page_of
from icat_api.problems import InvalidInput, NotFound
from icat_api.schemas import Page


def _get(session: Session, meeting_id: int, *, lock: bool = False) -> Meeting:
    query = select(Meeting).where(Meeting.id == meeting_id)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"No meeting {meeting_id}.")
    return row


def get_meeting(*, session: Session, meeting_id: int) -> MeetingRead:
    return MeetingRead.model_validate(_get(session, meeting_id), from_attributes=True)


MEETINGS = Keyset("meetings", (Meeting.starts_on, Meeting.id), (DAY, INT32))


def list_meetings(
    *, session: Session, page: PageParams | None, kind: str | None, year: int | None
) -> Page[MeetingRead]:
    """Meetings oldest first (every one with no ``page``)."""
    query = select(Meeting)
    if kind is not None:
        query = query.where(Meeting.kind == kind)
    if year is not None:
        query = query.where(
            Meeting.starts_on >= date(year, 1, 1), Meeting.starts_on <= date(year, 12, 31)
        )
    rows = list(session.scalars(MEETINGS.query(query, page)))
    items, cursor = page_of(
        MEETINGS,
        page,
        rows,
        lambda page_rows: [MeetingRead.model_validate(r, from_attributes=True) for r in page_rows],
    )
    return Page[MeetingRead](items=items, next_cursor=cursor)


# Every field of the JSON item, in its order: a meeting is flat.
CSV_COLUMNS = tuple(MeetingRead.model_fields)


def to_csv(items: list[MeetingRead]) -> bytes:
    """One row per meeting, the columns of the JSON items."""
    return csv_output.to_csv(CSV_COLUMNS, ([getattr(m, c) for c in CSV_COLUMNS] for m in items))


def create_meeting(*, session: Session, caller: Caller, data: MeetingCreate) -> MeetingRead:
    now = utcnow()
    row = Meeting(**data.model_dump(mode="python"), created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    created = MeetingRead.model_validate(row, from_attributes=True)
    record(session, caller, "create", ("meeting", row.id), after=created)
    return created


def update_meeting(
    *,
    session: Session,
    caller: Caller,
    meeting_id: int,
    data: MeetingUpdate,
    if_match: Callable[[MeetingRead], None],
) -> MeetingRead:
    """Change a meeting; its days cannot move away from decisions taken at it."""
    row = _get(session, meeting_id, lock=True)
    before = MeetingRead.model_validate(row, from_attributes=True)
    if_match(before)
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if getattr(row, k) != v}
    if not changes:
        return before
    starts = changes.get("starts_on", row.starts_on)
    ends = changes.get("ends_on", row.ends_on)
    if ends < starts:
        raise InvalidInput(
            "ends_on must not be before starts_on",
            errors=[{"loc": ["body", "ends_on"], "msg": "before starts_on"}],
        )
    if "starts_on" in changes or "ends_on" in changes:
        outside = session.scalar(
            select(func.count(Decision.id)).where(
                Decision.meeting_id == meeting_id,
                (Decision.decided_on < starts) | (Decision.decided_on > ends),
            )
        )
        rules.check_days_keep_decisions(outside or 0)
        attended = session.scalar(select(func.count()).where(Attendance.meeting_id == meeting_id))
        if attended:
            # ToR 3.C.2: a meeting with attendance recorded has been held; it cannot move ahead.
            record_rules.check_not_after_today("starts_on", starts, today())
    for name, value in changes.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    session.flush()
    after = MeetingRead.model_validate(row, from_attributes=True)
    record(session, caller, "update", ("meeting", row.id), before=before, after=after)
    return after


def attendance(*, session: Session, meeting_id: int, with_people: bool) -> AttendanceRead:
    """Who attended, each with its capacity on the meeting's first day."""
    meeting = _get(session, meeting_id)
    return _attendance(session, meeting, with_people)


def _attendance(session: Session, meeting: Meeting, with_people: bool) -> AttendanceRead:
    return attendances(session, [meeting], with_people)[meeting.id]


def attendances(
    session: Session, meetings: Sequence[Meeting], with_people: bool
) -> dict[int, AttendanceRead]:
    """The attendance of each of ``meetings``, each attendee with its capacity on that
    meeting's first day: one statement for every attendee, three for their voting rights
    (asked even when there are none: the statements do not depend on the rows)."""
    by_id = {m.id: m for m in meetings}
    # The status on each meeting's own first day: the expression only compares ``day`` with
    # date columns, so the meeting's column stands in for a date (a correlated comparison).
    status = entity_rules.status_expression(cast(date, Meeting.starts_on)).label("status")
    rows = session.execute(
        select(
            Attendance.meeting_id,
            Attendance.entity_id,
            Attendance.representatives,
            Entity.name,
            status,
        )
        .join(Entity, Entity.id == Attendance.entity_id)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Attendance.meeting_id.in_(by_id))
        .order_by(Attendance.meeting_id, Entity.name)
    ).all()
    rights = facts.voting_rights_on(
        session, ((r.entity_id, by_id[r.meeting_id].starts_on) for r in rows)
    )
    items: dict[int, list[AttendeeRead]] = {mid: [] for mid in by_id}
    for r in rows:
        votes = rights[(r.entity_id, by_id[r.meeting_id].starts_on)].has_voting_rights
        items[r.meeting_id].append(
            AttendeeRead(
                entity_id=r.entity_id,
                name=r.name,
                capacity=rules.capacity(r.status, votes),
                representatives=(r.representatives or []) if with_people else None,
            )
        )
    return {
        mid: AttendanceRead(meeting_id=mid, on=m.starts_on, items=items[mid])
        for mid, m in by_id.items()
    }


def _relied_on(session: Session, meeting_id: int) -> set[str]:
    """Who the meeting's decisions rest on: their objectors, and the attendees with voting
    rights on each decision's day (ToR 3.B.3)."""
    days = set(
        session.scalars(select(Decision.decided_on).where(Decision.meeting_id == meeting_id))
    )
    if not days:
        return set()
    objectors = session.scalars(
        select(Objection.entity_id)
        .join(Decision, Decision.id == Objection.decision_id)
        .where(Decision.meeting_id == meeting_id)
    )
    attendees = list(
        session.scalars(select(Attendance.entity_id).where(Attendance.meeting_id == meeting_id))
    )
    rights = facts.voting_rights_on(session, [(e, d) for e in attendees for d in days])
    return set(objectors) | {e for (e, _), r in rights.items() if r.has_voting_rights}


def set_attendance(
    *, session: Session, caller: Caller, meeting_id: int, data: AttendanceSet
) -> AttendanceRead:
    """Replace the attendance of a meeting. Stakeholders attend briefings and consultations
    only (ToR 3.A.5)."""
    meeting = _get(session, meeting_id, lock=True)
    # ToR 3.C.2: attendance is a fact, recorded once the meeting has begun.
    record_rules.check_not_after_today("the meeting's starts_on", meeting.starts_on, today())
    ids = [a.entity_id for a in data.items]
    known = set(session.scalars(select(Entity.id).where(Entity.id.in_(ids)))) if ids else set()
    unknown = [e for e in ids if e not in known]
    if unknown:
        raise InvalidInput(
            "Unknown entity: " + ", ".join(unknown),
            errors=[
                {"loc": ["body", "items", i, "entity_id"], "msg": "unknown entity"}
                for i, e in enumerate(ids)
                if e in unknown
            ],
        )
    status = entity_rules.status_expression(meeting.starts_on)
    statuses: dict[str, str] = {}
    if ids:
        rows = session.execute(select(Entity.id, status).where(Entity.id.in_(ids)))
        statuses = {str(eid): str(st) for eid, st in rows}
    guests = [e for e in ids if statuses.get(e) not in ("member", "partner")]
    rules.check_guests_allowed(meeting.kind, guests)
    before = _attendance(session, meeting, True)
    rules.check_attendance_keeps_decisions(
        {a.entity_id for a in before.items} - set(ids), _relied_on(session, meeting_id)
    )
    session.execute(delete(Attendance).where(Attendance.meeting_id == meeting_id))
    session.add_all(
        Attendance(meeting_id=meeting_id, entity_id=a.entity_id, representatives=a.representatives)
        for a in data.items
    )
    meeting.updated_at = utcnow()
    session.flush()
    after = _attendance(session, meeting, True)
    if before.items != after.items:
        record(session, caller, "update", ("attendance", meeting_id), before=before, after=after)
    return after
