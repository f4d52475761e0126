"""Chair eligibility on a day, from the facts (ToR 3.D.1, 3.E.3)."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api.chairs import rules
from icat_api.chairs.schemas import Attendance, EligibilityRead
from icat_api.entities.service import entity_exists, status_on
from icat_api.governance import facts
from icat_api.governance.models import Attendance as Attended
from icat_api.governance.models import Meeting
from icat_api.governance.rules import VotingRights
from icat_api.problems import NotFound


def verdicts(
    session: Session, entity_ids: list[str], day: date, min_ratio: float
) -> dict[str, rules.Eligibility]:
    """Each entity's eligibility to chair on ``day``."""
    held = [d for _, d in facts.working_group_meetings(session)]
    rights = facts.voting_rights(session, entity_ids, day)
    attended: dict[str, list[date]] = {e: [] for e in entity_ids}
    for eid, starts_on in session.execute(
        select(Attended.entity_id, Meeting.starts_on)
        .join(Meeting, Meeting.id == Attended.meeting_id)
        .where(Meeting.kind == "working_group", Attended.entity_id.in_(entity_ids))
    ):
        attended[eid].append(starts_on)
    return {
        e: rules.chair_eligibility(
            day=day,
            status=status_on(session, e, day) or "stakeholder",
            has_voting_rights=rights[e].has_voting_rights,
            first_participation_on=_first_participation(rights[e], attended[e], day),
            meetings_held=held,
            meetings_attended=attended[e],
            min_ratio=min_ratio,
        )
        for e in entity_ids
    }


def _first_participation(rights: VotingRights, attended: list[date], day: date) -> date | None:
    """Its first Working Group meeting since confirming, even when it no longer votes."""
    if rights.first_participation_on is not None:
        return rights.first_participation_on
    confirmed = rights.confirmed_on
    if confirmed is None:
        return None
    return min((d for d in attended if confirmed <= d <= day), default=None)


def eligibility(
    *, session: Session, entity_id: str, day: date, min_ratio: float
) -> EligibilityRead:
    if not entity_exists(session, entity_id):
        raise NotFound(f"No entity with id {entity_id!r}.")
    v = verdicts(session, [entity_id], day, min_ratio)[entity_id]
    return EligibilityRead(
        entity_id=entity_id,
        on=day,
        eligible=v.eligible,
        reasons=v.reasons,
        first_participation_on=v.first_participation_on,
        attendance=Attendance(
            attended=v.attended, held=v.held, ratio=None if v.ratio is None else round(v.ratio, 4)
        ),
        min_attendance_ratio=min_ratio,
    )
