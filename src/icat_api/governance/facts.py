"""The facts the Working Group rules need, loaded in a constant number of statements."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import BindParameter, Date, bindparam, select
from sqlalchemy.orm import Session

from icat_api.entities.models import Membership
from icat_api.entities.rules import Span
from icat_api.governance import rules
from icat_api.governance.models import Attendance, Enrolment, Meeting

Facts = tuple[dict[str, list[Span]], dict[str, list[date]], dict[str, list[date]]]


# The statements, built once with the day (and the ids) bound when they run: building them
# cost more than running them, on every voting right, attendance and eligibility read.
_UNTIL = bindparam("until", type_=Date())
_IDS: BindParameter[list[str]] = bindparam("ids", expanding=True)
_SPANS = select(Membership.entity_id, Membership.role, Membership.starts_on, Membership.ends_on)
_CONFIRMATIONS = select(Enrolment.entity_id, Enrolment.confirmed_on).where(
    Enrolment.confirmed_on <= _UNTIL
)
_ATTENDED = (
    select(Attendance.entity_id, Meeting.starts_on)
    .join(Meeting, Meeting.id == Attendance.meeting_id)
    .where(Meeting.kind == "working_group", Meeting.starts_on <= _UNTIL)
)
_OF_EVERYONE = (_SPANS, _CONFIRMATIONS, _ATTENDED)
_OF_SOME = (
    _SPANS.where(Membership.entity_id.in_(_IDS)),
    _CONFIRMATIONS.where(Enrolment.entity_id.in_(_IDS)),
    _ATTENDED.where(Attendance.entity_id.in_(_IDS)),
)


def _facts(session: Session, ids: set[str] | None, until: date) -> Facts:
    """The spans, written confirmations (up to ``until``) and Working Group meetings attended
    (first days, up to ``until``) of ``ids`` (of everyone when None): three statements."""
    spans_q, conf_q, att_q = _OF_EVERYONE if ids is None else _OF_SOME
    values = {"until": until, "ids": sorted(ids or ())}
    connection = session.connection()
    spans: dict[str, list[Span]] = defaultdict(list)
    for eid, role, starts_on, ends_on in connection.execute(spans_q, values):
        spans[eid].append(Span(role, starts_on, ends_on))
    confirmations: dict[str, list[date]] = defaultdict(list)
    for eid, confirmed_on in connection.execute(conf_q, values):
        confirmations[eid].append(confirmed_on)
    attended: dict[str, list[date]] = defaultdict(list)
    for eid, starts_on in connection.execute(att_q, values):
        attended[eid].append(starts_on)
    return spans, confirmations, attended


def _rights(facts: Facts, entity_id: str, day: date) -> rules.VotingRights:
    spans, confirmations, attended = facts
    return rules.voting_rights(
        day=day,
        spans=spans.get(entity_id, []),
        confirmations=confirmations.get(entity_id, []),
        wg_meetings=attended.get(entity_id, []),
    )


def voting_rights(
    session: Session, entity_ids: Iterable[str] | None, day: date
) -> dict[str, rules.VotingRights]:
    """Voting rights on ``day`` of each entity (of all that ever held a role when None)."""
    ids = None if entity_ids is None else set(entity_ids)
    loaded = _facts(session, ids, day)
    return {eid: _rights(loaded, eid, day) for eid in (ids if ids is not None else set(loaded[0]))}


def voting_rights_on(
    session: Session, wanted: Iterable[tuple[str, date]]
) -> dict[tuple[str, date], rules.VotingRights]:
    """Voting rights of each (entity, day) pair, in the three statements of one day: the facts
    are loaded up to the last day, and the rules only count those up to each pair's day."""
    pairs = set(wanted)
    until = max((day for _, day in pairs), default=date.min)
    loaded = _facts(session, {eid for eid, _ in pairs}, until)
    return {(eid, day): _rights(loaded, eid, day) for eid, day in pairs}


# Every Working Group meeting held or to be held on its days, oldest first; and those of some
# days only (below). Built once.
_WG_MEETINGS = (
    select(Meeting.id, Meeting.starts_on)
    .where(Meeting.kind == "working_group", Meeting.status == rules.SCHEDULED)
    .order_by(Meeting.starts_on, Meeting.id)
)
_AFTER, _THROUGH = bindparam("after", type_=Date()), bindparam("through", type_=Date())
_WG_BETWEEN = _WG_MEETINGS.where(Meeting.starts_on > _AFTER, Meeting.starts_on <= _THROUGH)
_WG_FIRST_AFTER = _WG_MEETINGS.where(Meeting.starts_on > _THROUGH).limit(1)


def working_group_meetings(session: Session) -> list[tuple[int, date]]:
    """Every Working Group meeting that is held or to be held on its days, oldest first: (id,
    starts_on). A cancelled or postponed one is none of them: no application is introduced at
    it (ToR 3.A.3), and it does not count among the meetings held (ToR 3.D.1)."""
    return [(mid, starts_on) for mid, starts_on in session.connection().execute(_WG_MEETINGS)]


def working_group_meetings_after(session: Session, days: Iterable[date]) -> list[tuple[int, date]]:
    """The Working Group meetings that :func:`working_group_meetings` lists from the first of
    ``days`` (excluded) to the first after the last of them: enough to find the next meeting
    after each day (an application's introduction, ToR 3.A.3) without every meeting ever."""
    wanted = list(days)
    if not wanted:
        return []
    values = {"after": min(wanted), "through": max(wanted)}
    connection = session.connection()
    rows = [*connection.execute(_WG_BETWEEN, values), *connection.execute(_WG_FIRST_AFTER, values)]
    return [(mid, starts_on) for mid, starts_on in rows]
