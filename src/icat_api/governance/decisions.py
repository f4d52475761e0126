"""Decisions by consensus (ToR 3.B.3): who takes part, who may object, the outcome; and the
subject's effects (its domain's, through governance.subjects), in the same transaction."""

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from icat_api import clock, csv_output
from icat_api import rules as record_rules
from icat_api.audit.service import record
from icat_api.caller import Caller
from icat_api.chair_terms.service import sitting_chair_ids
from icat_api.db import utcnow
from icat_api.entities import rules as entity_rules
from icat_api.entities.models import Entity
from icat_api.governance import facts, rules
from icat_api.governance.decision_schemas import (
    SUBJECT_FIELDS,
    DecisionCreate,
    DecisionRead,
    ObjectionRead,
    Procedure,
)
from icat_api.governance.meetings import check_on_agenda, file_under_agenda
from icat_api.governance.models import Attendance, Decision, Meeting, Objection
from icat_api.governance.subjects import Taking, subject_of
from icat_api.money import in_minor_units
from icat_api.pagination import DAY, INT32, Keyset, PageParams, page_of
from icat_api.problems import NotFound, unknown
from icat_api.schemas import Page


def _read(row: Decision, objections: list[Objection]) -> DecisionRead:
    return DecisionRead(
        id=row.id,
        procedure=row.procedure,
        meeting_id=row.meeting_id,
        decided_on=row.decided_on,
        deadline_on=row.deadline_on,
        consulted_entity_ids=row.consulted_entity_ids,
        kind=row.kind,
        application_id=row.application_id,
        accept=row.accept,
        candidacy_id=row.candidacy_id,
        work_plan_id=row.work_plan_id,
        publication_id=row.publication_id,
        activity_id=row.activity_id,
        recipient_entity_id=row.recipient_entity_id,
        amount=in_minor_units(row.amount, row.currency),
        currency=row.currency,
        record=row.record,
        confirmed_by=row.confirmed_by,
        objections=[
            ObjectionRead(entity_id=o.entity_id, reason=o.reason, withdrawn=o.withdrawn)
            for o in objections
        ],
        outcome=row.outcome,
        effects=row.effects or [],
        created_at=row.created_at,
    )


def _objections(
    session: Session, ids: list[int], among: Select[int] | None = None
) -> dict[int, list[Objection]]:
    """The objections of the decisions ``ids``: those whose ids ``among`` selects, when given
    (a whole list: a subquery, not a statement with a parameter per decision)."""
    out: dict[int, list[Objection]] = {i: [] for i in ids}
    if ids:
        chosen = Objection.decision_id.in_(ids if among is None else among)
        for o in session.scalars(select(Objection).where(chosen).order_by(Objection.entity_id)):
            out[o.decision_id].append(o)
    return out


def get(*, session: Session, decision_id: int) -> DecisionRead:
    row = session.get(Decision, decision_id)
    if row is None:
        raise NotFound(f"No decision {decision_id}.")
    return _read(row, _objections(session, [row.id])[row.id])


DECISIONS = Keyset("decisions", (Decision.decided_on, Decision.id), (DAY, INT32))


def list_decisions(
    *,
    session: Session,
    page: PageParams | None,
    kind: str | None,
    year: int | None,
    meeting_id: int | None,
    outcome: str | None,
) -> Page[DecisionRead]:
    """Decisions in the order taken, filtered (every one with no ``page``)."""
    query = select(Decision)
    if kind is not None:
        query = query.where(Decision.kind == kind)
    if year is not None:
        query = query.where(
            Decision.decided_on >= date(year, 1, 1), Decision.decided_on <= date(year, 12, 31)
        )
    if meeting_id is not None:
        query = query.where(Decision.meeting_id == meeting_id)
    if outcome is not None:
        query = query.where(Decision.outcome == outcome)

    among = query.with_only_columns(Decision.id) if page is None else None

    def read(rows: Sequence[Decision]) -> list[DecisionRead]:
        objections = _objections(session, [r.id for r in rows], among)
        return [_read(r, objections[r.id]) for r in rows]

    rows = list(session.scalars(DECISIONS.query(query, page)))
    items, cursor = page_of(DECISIONS, page, rows, read)
    return Page[DecisionRead](items=items, next_cursor=cursor)


CSV_COLUMNS = tuple(DecisionRead.model_fields)


def _cells(d: DecisionRead) -> list[csv_output.Cell]:
    """A decision's row: the fields of the JSON item, its lists in one cell each — ids joined
    with ``;``, objections and effects one a line (an objection as ``entity: reason``, marked
    when withdrawn)."""
    flat: dict[str, csv_output.Cell] = {
        **dict(d),
        "consulted_entity_ids": (
            None if d.consulted_entity_ids is None else csv_output.joined(d.consulted_entity_ids)
        ),
        "objections": csv_output.lines(
            f"{o.entity_id}{' (withdrawn)' if o.withdrawn else ''}: {o.reason}"
            for o in d.objections
        ),
        "effects": csv_output.lines(d.effects),
    }
    return [flat[c] for c in CSV_COLUMNS]


def to_csv(items: list[DecisionRead]) -> bytes:
    """One row per decision."""
    return csv_output.to_csv(CSV_COLUMNS, (_cells(d) for d in items))


def _known(session: Session, ids: set[str], field: str) -> None:
    missing = ids - set(session.scalars(select(Entity.id).where(Entity.id.in_(ids))))
    if missing:
        raise unknown(field, "entity: " + ", ".join(sorted(missing)))


def _participants(
    session: Session, data: DecisionCreate, today: date
) -> tuple[date, Meeting | None, set[str]]:
    """The decision's day, its meeting and who takes part: the meeting's attendees, or the
    entities consulted electronically — every one with voting rights by the deadline (ToR
    3.B.3)."""
    if data.procedure is Procedure.meeting:
        assert data.meeting_id is not None
        # Locked when the decision is filed under an agenda item: the agenda is rewritten.
        query = select(Meeting).where(Meeting.id == data.meeting_id)
        meeting = session.scalar(query.with_for_update() if data.agenda_item else query)
        if meeting is None:
            raise unknown("meeting_id", "meeting")
        rules.check_may_decide_at(meeting.status)
        if data.agenda_item is not None:
            check_on_agenda(meeting, data.agenda_item)
        day = data.decided_on or meeting.starts_on
        rules.check_day_in_meeting(day, meeting.starts_on, meeting.ends_on)
        record_rules.check_not_after_today("decided_on", day, today)
        rules.check_taken_where(data.kind, meeting.kind)
        attending = select(Attendance.entity_id).where(Attendance.meeting_id == meeting.id)
        return day, meeting, set(session.scalars(attending))
    assert data.decided_on is not None and data.deadline_on is not None
    assert data.consulted_entity_ids is not None
    record_rules.check_not_after_today("deadline_on", data.deadline_on, today)
    record_rules.check_not_after_today("decided_on", data.decided_on, today)
    consulted = set(data.consulted_entity_ids)
    _known(session, consulted, "consulted_entity_ids")
    entitled = {
        e
        for e, r in facts.voting_rights(session, None, data.deadline_on).items()
        if r.has_voting_rights
    }
    rules.check_everyone_consulted(consulted, entitled, data.deadline_on)
    return data.decided_on, None, consulted


def create(
    *, session: Session, caller: Caller, data: DecisionCreate, chair_min_ratio: float = 0.5
) -> DecisionRead:
    """Record a decision: who took part and could object, whether it is adopted, and — in the
    same transaction — what its subject's domain changes when it is."""
    rules.check_record(data.record)
    day, meeting, taking_part = _participants(session, data, clock.today())
    _known(session, {data.confirmed_by}, "confirmed_by")
    rules.check_confirmed_by(data.confirmed_by, sitting_chair_ids(session, day), day)

    objectors = [o.entity_id for o in data.objections]
    _known(session, set(objectors), "objections")
    rights = facts.voting_rights(session, taking_part | set(objectors), day)
    voting = {e for e in taking_part if rights[e].has_voting_rights}
    observers = set(
        session.scalars(
            select(Entity.id).where(
                Entity.id.in_(objectors), entity_rules.status_expression(day) == "partner"
            )
        )
    )
    rules.check_objectors(objectors, voting=voting, observers=observers, taking_part=taking_part)
    rules.check_quorum(voting)
    result = rules.outcome(sum(1 for o in data.objections if not o.withdrawn))

    effect = subject_of(data.kind).check(
        session,
        data,
        Taking(day=day, meeting=meeting, caller=caller, chair_min_ratio=chair_min_ratio),
    )
    row = Decision(
        procedure=data.procedure.value,
        meeting_id=data.meeting_id,
        decided_on=day,
        deadline_on=data.deadline_on,
        consulted_entity_ids=data.consulted_entity_ids,
        kind=data.kind,
        record=data.record,
        confirmed_by=data.confirmed_by,
        outcome=result,
        effects=[],
        created_at=utcnow(),
        **{f: getattr(data, f) for f in SUBJECT_FIELDS if hasattr(data, f)},
    )
    session.add(row)
    session.flush()
    objections = [
        Objection(decision_id=row.id, entity_id=o.entity_id, reason=o.reason, withdrawn=o.withdrawn)
        for o in data.objections
    ]
    session.add_all(objections)
    # ToR 3.B.3: a maintained objection means no consensus, and nothing follows from it.
    row.effects = effect(row) if result == "adopted" else []
    session.flush()
    created = _read(row, objections)
    record(session, caller, "create", ("decision", row.id), after=created, decision_id=row.id)
    if meeting is not None and data.agenda_item is not None:
        file_under_agenda(session, caller, meeting, data.agenda_item, row.id)
    return created
