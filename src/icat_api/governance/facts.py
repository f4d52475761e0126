"""The facts the Working Group rules need, loaded in a constant number of statements."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api.entities.models import Membership
from icat_api.entities.rules import Span
from icat_api.governance import rules
from icat_api.governance.models import Attendance, Enrolment, Meeting

Facts = tuple[dict[str, list[Span]], dict[str, list[date]], dict[str, list[date]]]


def _facts(session: Session, ids: set[str] | None, until: date) -> Facts:
    """The spans, written confirmations (up to ``until``) and Working Group meetings attended
    (first days, up to ``until``) of ``ids`` (of everyone when None): three statements."""
    spans_q = select(
        Membership.entity_id, Membership.role, Membership.starts_on, Membership.ends_on
    )
    conf_q = select(Enrolment.entity_id, Enrolment.confirmed_on).where(
        Enrolment.confirmed_on <= until
    )
    att_q = (
        select(Attendance.entity_id, Meeting.starts_on)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Meeting.kind == "working_group", Meeting.starts_on <= until)
    )
    if ids is not None:
        spans_q = spans_q.where(Membership.entity_id.in_(ids))
        conf_q = conf_q.where(Enrolment.entity_id.in_(ids))
        att_q = att_q.where(Attendance.entity_id.in_(ids))
    spans: dict[str, list[Span]] = defaultdict(list)
    for eid, role, starts_on, ends_on in session.execute(spans_q):
        spans[eid].append(Span(role, starts_on, ends_on))
    confirmations: dict[str, list[date]] = defaultdict(list)
    for eid, confirmed_on in session.execute(conf_q):
        confirmations[eid].append(confirmed_on)
    attended: dict[str, list[date]] = defaultdict(list)
    for eid, starts_on in session.execute(att_q):
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


def working_group_meetings(session: Session) -> list[tuple[int, date]]:
    """Every Working Group meeting that is held or to be held on its days, oldest first: (id,
    starts_on). A cancelled or postponed one is none of them: no application is introduced at
    it (ToR 3.A.3), and it does not count among the meetings held (ToR 3.D.1)."""
    return [
        (mid, starts_on)
        for mid, starts_on in session.execute(
            select(Meeting.id, Meeting.starts_on)
            .where(Meeting.kind == "working_group", Meeting.status == rules.SCHEDULED)
            .order_by(Meeting.starts_on, Meeting.id)
        )
    ]
