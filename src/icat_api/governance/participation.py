"""Who takes part in the Working Group: each enrolled member's meetings held and attended in a
window (ToR 3.B.4, 3.E.2), so the Chair can table those who have stopped participating."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api.entities.names import Naming
from icat_api.governance import facts, rules
from icat_api.governance.models import Attendance, Meeting
from icat_api.governance.schemas import MemberParticipation, ParticipationRead
from icat_api.governance.working_group import roster
from icat_api.problems import InvalidInput


def window(first: date | None, last: date) -> date:
    """The window's first day: ``first``, or the same day a year before ``last`` (the twelve
    months chair eligibility looks at); 422 when it is after ``last``."""
    start = first or rules.one_year_before(last)
    if start > last:
        raise InvalidInput(
            "from is after to",
            errors=[{"loc": ["query", "from"], "msg": "after to"}],
        )
    return start


def participation(
    *, session: Session, first: date, last: date, min_ratio: float, naming: Naming | None = None
) -> ParticipationRead:
    """The members enrolled on ``last``, each with the Working Group meetings held from
    ``first`` to ``last`` and those it attended: three statements whatever the numbers. Named as
    on ``last``, in ``naming``'s language (English by default)."""
    members = roster(session=session, day=last, naming=naming or Naming(last)).members
    held = [d for _, d in facts.working_group_meetings(session) if first <= d <= last]
    attended: dict[str, list[date]] = {m.entity_id: [] for m in members}
    for entity_id, starts_on in session.execute(
        select(Attendance.entity_id, Meeting.starts_on)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(
            Meeting.kind == "working_group",
            Meeting.starts_on >= first,
            Meeting.starts_on <= last,
            Attendance.entity_id.in_(list(attended)),
        )
    ):
        attended[entity_id].append(starts_on)
    items = []
    for m in members:
        counted = rules.participation(held, attended[m.entity_id], first, last)
        ratio = counted.ratio
        items.append(
            MemberParticipation(
                entity_id=m.entity_id,
                name=m.name,
                acronym=m.acronym,
                attended=counted.attended,
                held=counted.held,
                ratio=None if ratio is None else round(ratio, 4),
                meets_min_ratio=ratio is not None and ratio >= min_ratio,
            )
        )
    return ParticipationRead(
        starts_on=first,
        ends_on=last,
        held=len(set(held)),
        min_attendance_ratio=min_ratio,
        members=items,
    )
