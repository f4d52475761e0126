"""Meetings and their attendance, with each attendee's capacity on the day."""

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session

from icat_api import clock, csv_output
from icat_api import rules as record_rules
from icat_api.audit.service import record
from icat_api.caller import Caller
from icat_api.db import utcnow
from icat_api.entities import rules as entity_rules
from icat_api.entities.models import Entity
from icat_api.governance import facts, rules
from icat_api.governance.meeting_schemas import times_error
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
from icat_api.problems import Conflict, InvalidInput, NotFound
from icat_api.schemas import Page


def get_row(session: Session, meeting_id: int, *, lock: bool = False) -> Meeting:
    query = select(Meeting).where(Meeting.id == meeting_id)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"No meeting {meeting_id}.")
    return row


_PLAIN = (
    *("id", "kind", "title", "starts_on", "ends_on", "location", "mode", "note"),
    *("status_reason", "postponed_from", "created_at", "updated_at"),
)


def read(row: Meeting, today: date | None = None) -> MeetingRead:
    """A meeting as read on ``today``: `held` once its first day has come (rules)."""
    day = clock.today() if today is None else today
    times = None
    if row.time_zone is not None:
        times = {"time_zone": row.time_zone, "start_time": row.start_time, "end_time": row.end_time}
    return MeetingRead.model_validate(
        {
            **{name: getattr(row, name) for name in _PLAIN},
            "status": rules.meeting_status(row.status, row.starts_on, day),
            "local_times": times,
            "agenda": row.agenda or [],
            "documents": row.documents or [],
        }
    )


def get_meeting(*, session: Session, meeting_id: int) -> MeetingRead:
    return read(get_row(session, meeting_id))


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
    day = clock.today()
    items, cursor = page_of(
        MEETINGS,
        page,
        rows,
        lambda page_rows: [read(r, day) for r in page_rows],
    )
    return Page[MeetingRead](items=items, next_cursor=cursor)


CSV_COLUMNS = tuple(MeetingRead.model_fields)


def _cells(m: MeetingRead) -> list[csv_output.Cell]:
    """A meeting's row: the fields of the JSON item; its times in one cell (``10:00-13:00
    Europe/Zurich``), its agenda and documents one a line (``2. Title [decisions 4; 5]``,
    ``minutes (en): URL``)."""
    t = m.local_times
    flat: dict[str, csv_output.Cell] = {
        **dict(m),
        "local_times": None if t is None else f"{t.start_time}-{t.end_time} {t.time_zone}",
        "agenda": csv_output.lines(
            f"{i.number}. {i.title}"
            + (f" [decisions {csv_output.joined(i.decision_ids)}]" if i.decision_ids else "")
            for i in m.agenda
        ),
        "documents": csv_output.lines(
            f"{d.kind.value}{f' ({d.language})' if d.language else ''}: {d.url}"
            for d in m.documents
        ),
    }
    return [flat[c] for c in CSV_COLUMNS]


def to_csv(items: list[MeetingRead]) -> bytes:
    """One row per meeting, the columns of the JSON items."""
    return csv_output.to_csv(CSV_COLUMNS, (_cells(m) for m in items))


_JSON_LISTS = ("agenda", "documents")


def _columns(data: MeetingCreate | MeetingUpdate, *, sent_only: bool) -> dict[str, Any]:
    """The body's fields (those sent, with ``sent_only``) as the meeting's columns."""
    names = data.model_fields_set if sent_only else set(type(data).model_fields)
    columns = {n: getattr(data, n) for n in names if n not in ("local_times", *_JSON_LISTS)}
    if "local_times" in names:
        t = data.local_times
        columns["time_zone"] = None if t is None else t.time_zone
        columns["start_time"] = None if t is None else t.start_time
        columns["end_time"] = None if t is None else t.end_time
    for n in _JSON_LISTS:
        if n in names:
            columns[n] = [item.model_dump(mode="json") for item in getattr(data, n) or []]
    return columns


def _stored(row: Meeting, column: str) -> Any:
    value = getattr(row, column)
    return (value or []) if column in _JSON_LISTS else value


def _check_agenda(session: Session, meeting_id: int | None, agenda: list[dict[str, Any]]) -> None:
    """Every decision an agenda item names was taken at this meeting."""
    named = {d for item in agenda for d in item["decision_ids"]}
    ours = set()
    if named and meeting_id is not None:
        ours = set(
            session.scalars(
                select(Decision.id).where(Decision.id.in_(named), Decision.meeting_id == meeting_id)
            )
        )
    wrong = [
        {"loc": ["body", "agenda", i, "decision_ids", j], "msg": "not a decision of this meeting"}
        for i, item in enumerate(agenda)
        for j, d in enumerate(item["decision_ids"])
        if d not in ours
    ]
    if wrong:
        raise InvalidInput(
            "An agenda item names a decision not taken at this meeting.", errors=wrong
        )


def create_meeting(*, session: Session, caller: Caller, data: MeetingCreate) -> MeetingRead:
    now = utcnow()
    columns = _columns(data, sent_only=False)
    _check_agenda(session, None, columns["agenda"])
    row = Meeting(**columns, status=rules.SCHEDULED, created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    created = read(row)
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
    """Change a meeting; its days cannot move away from decisions taken at it, nor those of a
    cancelled meeting at all; a postponed meeting given new days is scheduled again."""
    row = get_row(session, meeting_id, lock=True)
    before = read(row)
    if_match(before)
    columns = _columns(data, sent_only=True)
    changes = {k: v for k, v in columns.items() if _stored(row, k) != v}
    if not changes:
        return before
    moved = "starts_on" in changes or "ends_on" in changes
    if moved and row.status == rules.CANCELLED:
        raise Conflict("This meeting is cancelled: its days stay as they were.")
    starts = changes.get("starts_on", row.starts_on)
    ends = changes.get("ends_on", row.ends_on)
    if ends < starts:
        raise InvalidInput(
            "ends_on must not be before starts_on",
            errors=[{"loc": ["body", "ends_on"], "msg": "before starts_on"}],
        )
    times = data.local_times if "local_times" in data.model_fields_set else before.local_times
    wrong = times_error(starts, ends, times)
    if wrong:
        raise InvalidInput(wrong, errors=[{"loc": ["body", "local_times"], "msg": wrong}])
    if "agenda" in changes:
        _check_agenda(session, meeting_id, changes["agenda"])
    if moved:
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
            record_rules.check_not_after_today("starts_on", starts, clock.today())
        if row.status == rules.POSTPONED:
            changes["status"] = rules.SCHEDULED  # its new days are known: rescheduled
    for name, value in changes.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    session.flush()
    after = read(row)
    record(session, caller, "update", ("meeting", row.id), before=before, after=after)
    return after


def check_on_agenda(meeting: Meeting, number: str) -> None:
    """A decision filed under an agenda item names an item of its meeting's agenda."""
    if number not in {item["number"] for item in meeting.agenda or []}:
        raise InvalidInput(
            f"The meeting's agenda has no item {number}.",
            errors=[{"loc": ["body", "agenda_item"], "msg": "not on the meeting's agenda"}],
        )


def file_under_agenda(
    session: Session, caller: Caller, meeting: Meeting, number: str, decision_id: int
) -> None:
    """List a decision under its agenda item: the meeting changes with the decision, and its
    event carries the decision's id."""
    before = read(meeting)
    meeting.agenda = [
        {**item, "decision_ids": [*item["decision_ids"], decision_id]}
        if item["number"] == number
        else item
        for item in meeting.agenda or []
    ]
    meeting.updated_at = utcnow()
    session.flush()
    after = read(meeting)
    record(
        session,
        caller,
        "update",
        ("meeting", meeting.id),
        before=before,
        after=after,
        decision_id=decision_id,
    )


def attendance(*, session: Session, meeting_id: int, with_people: bool) -> AttendanceRead:
    """Who attended, each with its capacity on the meeting's first day."""
    meeting = get_row(session, meeting_id)
    return _attendance(session, meeting, with_people)


def _attendance(session: Session, meeting: Meeting, with_people: bool) -> AttendanceRead:
    return attendances(session, [meeting], with_people)[meeting.id]


# Every attendee of some meetings, with its status on each meeting's own first day: the status
# expression only compares its day with date columns, so the meeting's column stands in for a
# date (a correlated comparison). Built once, the meetings bound when it runs.
_ATTENDEES = (
    select(
        Attendance.meeting_id,
        Attendance.entity_id,
        Attendance.representatives,
        Entity.name,
        entity_rules.status_expression(cast(date, Meeting.starts_on)).label("status"),
    )
    .join(Entity, Entity.id == Attendance.entity_id)
    .join(Meeting, Meeting.id == Attendance.meeting_id)
    .where(Attendance.meeting_id.in_(bindparam("meeting_ids", expanding=True)))
    .order_by(Attendance.meeting_id, Entity.name)
)


def attendances(
    session: Session, meetings: Sequence[Meeting], with_people: bool
) -> dict[int, AttendanceRead]:
    """The attendance of each of ``meetings``, each attendee with its capacity on that
    meeting's first day: one statement for every attendee, three for their voting rights
    (asked even when there are none: the statements do not depend on the rows)."""
    by_id = {m.id: m for m in meetings}
    rows = session.connection().execute(_ATTENDEES, {"meeting_ids": sorted(by_id)}).all()
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
    meeting = get_row(session, meeting_id, lock=True)
    rules.check_may_record_attendance(
        stored=meeting.status, starts_on=meeting.starts_on, today=clock.today()
    )
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
