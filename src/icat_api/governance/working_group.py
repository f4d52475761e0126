"""The Working Group: enrolments, the roster on a day, voting rights (ToR 3.B.7, 3.E.3)."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api import rules as record_rules
from icat_api.audit.service import record
from icat_api.caller import Caller, ensure_acts_for
from icat_api.clock import today
from icat_api.entities import rules as entity_rules
from icat_api.entities.models import Entity
from icat_api.entities.names import NAME_COLUMNS, NameRecord, Naming
from icat_api.entities.service import entity_exists, lock_entity, require_entity, status_on
from icat_api.governance import facts, rules
from icat_api.governance.models import Enrolment
from icat_api.governance.schemas import (
    EnrolmentCreate,
    EnrolmentRead,
    RosterMember,
    RosterObserver,
    VotingRightsRead,
    WorkingGroupRead,
)
from icat_api.problems import Conflict, NotFound


def enrol(*, session: Session, caller: Caller, data: EnrolmentCreate) -> EnrolmentRead:
    """Record a member's written confirmation (ToR 3.B.7). Partners attend as observers and do
    not enrol; only members do."""
    ensure_acts_for(caller, data.entity_id)
    record_rules.check_not_after_today("confirmed_on", data.confirmed_on, today())
    require_entity(session, data.entity_id, "entity_id")
    lock_entity(session, data.entity_id)
    status = status_on(session, data.entity_id, data.confirmed_on)
    rules.check_may_enrol(status, data.confirmed_on)
    existing = session.scalar(
        select(Enrolment)
        .where(Enrolment.entity_id == data.entity_id, Enrolment.confirmed_on <= data.confirmed_on)
        .order_by(Enrolment.confirmed_on.desc())
        .limit(1)
    )
    if (
        existing is not None
        and status_on(session, data.entity_id, existing.confirmed_on) == "member"
    ):
        rights = facts.voting_rights(session, [data.entity_id], data.confirmed_on)[data.entity_id]
        if rights.confirmed_on is not None:
            raise Conflict(
                f"This member already confirmed its interest on {rights.confirmed_on}.",
            )
    row = Enrolment(
        entity_id=data.entity_id,
        confirmed_on=data.confirmed_on,
        confirmation_reference=data.confirmation_reference,
    )
    session.add(row)
    session.flush()
    created = EnrolmentRead.model_validate(row, from_attributes=True)
    record(session, caller, "create", ("enrolment", row.id), after=created)
    return created


def roster(*, session: Session, day: date, naming: Naming | None = None) -> WorkingGroupRead:
    """Enrolled members on ``day`` with their voting rights, and the partners observing, named
    as then in ``naming``'s language (English by default)."""
    naming = naming or Naming(day)
    status = entity_rules.status_expression(day).label("status")
    rows = session.execute(
        select(Entity.id, *NAME_COLUMNS, status)
        .where(status.in_(("member", "partner")))
        .order_by(Entity.name)
    ).all()
    shown = {r.id: naming.show(r.id, NameRecord.of(r)) for r in rows}
    members = [r for r in rows if r.status == "member"]
    rights = facts.voting_rights(session, [r.id for r in members], day)
    roster_members = [
        RosterMember(
            entity_id=r.id,
            name=shown[r.id][0],
            acronym=shown[r.id][1],
            confirmed_on=rights[r.id].confirmed_on,
            first_participation_on=rights[r.id].first_participation_on,
            has_voting_rights=rights[r.id].has_voting_rights,
            voting_since=rights[r.id].since,
        )
        for r in members
        if rights[r.id].confirmed_on is not None
    ]
    observers = [
        RosterObserver(entity_id=r.id, name=shown[r.id][0], acronym=shown[r.id][1])
        for r in rows
        if r.status == "partner"
    ]
    return WorkingGroupRead(as_of=day, members=roster_members, observers=observers)


def voting_rights(*, session: Session, entity_id: str, day: date) -> VotingRightsRead:
    """Whether the entity votes on ``day``, since when, and why."""
    if not entity_exists(session, entity_id):
        raise NotFound(f"No entity with id {entity_id!r}.")
    rights = facts.voting_rights(session, [entity_id], day)[entity_id]
    return VotingRightsRead(
        entity_id=entity_id,
        on=day,
        has_voting_rights=rights.has_voting_rights,
        since=rights.since,
        reason=rights.reason,
    )
