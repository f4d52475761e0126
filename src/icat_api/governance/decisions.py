"""Decisions by consensus (ToR 3.B.3) and their effects, applied in the same transaction."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api.audit.service import record
from icat_api.auth import Caller
from icat_api.chairs import candidacies, eligibility
from icat_api.chairs import rules as chair_rules
from icat_api.chairs.models import ChairCandidacy
from icat_api.chairs.service import insert_term, sitting_chair_ids
from icat_api.db import utcnow
from icat_api.entities import rules as entity_rules
from icat_api.entities.models import Entity, Membership
from icat_api.entities.schemas import MembershipCreate, MembershipEnd, Role
from icat_api.entities.service import add_membership, end_membership, lock_entity
from icat_api.governance import facts, rules, subjects
from icat_api.governance.decision_schemas import (
    DecisionCreate,
    DecisionRead,
    ObjectionRead,
    Procedure,
)
from icat_api.governance.models import Application, Attendance, Decision, Meeting, Objection
from icat_api.money import in_minor_units
from icat_api.pagination import PageParams, encode_cursor
from icat_api.problems import InvalidInput, NotFound, RuleViolation
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


def _objections(session: Session, ids: list[int]) -> dict[int, list[Objection]]:
    out: dict[int, list[Objection]] = {i: [] for i in ids}
    if ids:
        for o in session.scalars(
            select(Objection).where(Objection.decision_id.in_(ids)).order_by(Objection.entity_id)
        ):
            out[o.decision_id].append(o)
    return out


def get(*, session: Session, decision_id: int) -> DecisionRead:
    row = session.get(Decision, decision_id)
    if row is None:
        raise NotFound(f"No decision {decision_id}.")
    return _read(row, _objections(session, [row.id])[row.id])


def list_decisions(
    *,
    session: Session,
    page: PageParams,
    kind: str | None,
    year: int | None,
    meeting_id: int | None,
    outcome: str | None,
) -> Page[DecisionRead]:
    query = select(Decision).order_by(Decision.decided_on, Decision.id).limit(page.limit + 1)
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
    after = page.key(date, int)
    if after is not None:
        day, did = after
        query = query.where(
            (Decision.decided_on > day) | ((Decision.decided_on == day) & (Decision.id > did))
        )
    rows = list(session.scalars(query))
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    objections = _objections(session, [r.id for r in rows])
    items = [_read(r, objections[r.id]) for r in rows]
    cursor = encode_cursor([items[-1].decided_on.isoformat(), items[-1].id]) if more else None
    return Page[DecisionRead](items=items, next_cursor=cursor)


def _unknown(field: str, what: str) -> InvalidInput:
    return InvalidInput(
        f"Unknown {what}.", errors=[{"loc": ["body", field], "msg": f"unknown {what}"}]
    )


def create(
    *, session: Session, caller: Caller, data: DecisionCreate, chair_min_ratio: float = 0.5
) -> DecisionRead:
    """Record a decision: who took part and could object, whether it is adopted, and — in the
    same transaction — what it changes."""
    rules.check_record(data.record)
    meeting: Meeting | None = None
    if data.procedure is Procedure.meeting:
        assert data.meeting_id is not None
        meeting = session.get(Meeting, data.meeting_id)
        if meeting is None:
            raise _unknown("meeting_id", "meeting")
        day = data.decided_on or meeting.starts_on
        if not meeting.starts_on <= day <= meeting.ends_on:
            raise RuleViolation(
                "ToR 3.B.3",
                f"A decision taken at a meeting is dated within its days "
                f"({meeting.starts_on}..{meeting.ends_on}), not {day}",
            )
        taking_part = set(
            session.scalars(select(Attendance.entity_id).where(Attendance.meeting_id == meeting.id))
        )
    else:
        assert data.decided_on is not None and data.consulted_entity_ids is not None
        day = data.decided_on
        taking_part = set(data.consulted_entity_ids)
        known = set(session.scalars(select(Entity.id).where(Entity.id.in_(taking_part))))
        if taking_part - known:
            raise _unknown(
                "consulted_entity_ids", "entity: " + ", ".join(sorted(taking_part - known))
            )
    if session.get(Entity, data.confirmed_by) is None:
        raise _unknown("confirmed_by", "entity")
    rules.check_confirmed_by(data.confirmed_by, sitting_chair_ids(session, day), day)

    objectors = [o.entity_id for o in data.objections]
    known_objectors = set(session.scalars(select(Entity.id).where(Entity.id.in_(objectors))))
    if set(objectors) - known_objectors:
        raise _unknown(
            "objections", "entity: " + ", ".join(sorted(set(objectors) - known_objectors))
        )
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

    application = None
    if data.application_id is not None:
        application = _admission_subject(session, data, meeting, day)
    candidacy = None
    if data.candidacy_id is not None:
        candidacy = _election_subject(session, data.candidacy_id, meeting, day, chair_min_ratio)
    other_effect = subjects.check(session, data, day)

    row = Decision(
        procedure=data.procedure.value,
        meeting_id=data.meeting_id,
        decided_on=day,
        deadline_on=data.deadline_on,
        consulted_entity_ids=data.consulted_entity_ids,
        kind=data.kind.value,
        record=data.record,
        confirmed_by=data.confirmed_by,
        outcome=result,
        application_id=data.application_id,
        candidacy_id=data.candidacy_id,
        work_plan_id=data.work_plan_id,
        publication_id=data.publication_id,
        activity_id=data.activity_id,
        recipient_entity_id=data.recipient_entity_id,
        amount=data.amount,
        currency=data.currency,
        effects=[],
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    objections = [
        Objection(decision_id=row.id, entity_id=o.entity_id, reason=o.reason, withdrawn=o.withdrawn)
        for o in data.objections
    ]
    session.add_all(objections)
    effects: list[str] = []
    if application is not None:
        effects = _admit(session, caller, application, row)
    if candidacy is not None:
        effects = _elect(session, candidacy, row)
    if other_effect is not None:
        effects = other_effect(row)
    row.effects = effects
    session.flush()
    created = _read(row, objections)
    record(
        session=session,
        caller=caller,
        action="create",
        resource_type="decision",
        resource_id=str(row.id),
        after=created,
    )
    return created


def _admission_subject(
    session: Session, data: DecisionCreate, meeting: Meeting | None, day: date
) -> Application:
    """The application an admission decides, locked: decided once (ToR 3.A.3)."""
    application = session.scalar(
        select(Application).where(Application.id == data.application_id).with_for_update()
    )
    if application is None:
        raise _unknown("application_id", "application")
    if application.status != "submitted":
        raise RuleViolation(
            "ToR 3.A.3", f"This application is already {application.status}", status=409
        )
    if meeting is not None and meeting.kind != "working_group":
        raise RuleViolation(
            "ToR 3.A.3",
            "Applications are decided by the Working Group, at its meetings or electronically",
        )
    intro = facts.introduction(facts.working_group_meetings(session), application.submitted_on)
    rules.check_admission_timing(
        submitted_on=application.submitted_on,
        introduced_on=intro[1] if intro else None,
        decided_on=day,
    )
    return application


def _admit(
    session: Session, caller: Caller, application: Application, decision: Decision
) -> list[str]:
    """The effect of an admission decision: accepted → the role from that day (a partner
    admitted as member stops being a partner that day); not adopted → not accepted."""
    day = decision.decided_on
    application.closed_on, application.decision_id, application.updated_at = (
        day,
        decision.id,
        utcnow(),
    )
    if decision.outcome != "adopted":
        application.status = "not_accepted"
        return [f"application {application.id}: not accepted"]
    entity = lock_entity(session, application.entity_id)
    entity_rules.check_may_hold_role(kind=entity.kind, mandate_covers_tip=entity.mandate_covers_tip)
    effects = []
    open_partner = session.scalar(
        select(Membership).where(
            Membership.entity_id == entity.id,
            Membership.role == "partner",
            Membership.starts_on < day,
            (Membership.ends_on.is_(None)) | (Membership.ends_on > day),
        )
    )
    if application.role == "member" and open_partner is not None:
        end_membership(
            session=session,
            caller=caller,
            entity_id=entity.id,
            membership_id=open_partner.id,
            data=MembershipEnd(ends_on=day),
        )
        effects.append(f"{entity.id}: partner until {day}")
    add_membership(
        session=session,
        caller=caller,
        entity_id=entity.id,
        data=MembershipCreate(
            role=Role(application.role), starts_on=day, note=f"Admitted by decision {decision.id}."
        ),
        admission_decision_id=decision.id,
    )
    application.status = "accepted"
    effects.append(f"{entity.id}: {application.role} from {day}")
    effects.append(f"application {application.id}: accepted")
    return effects


def _election_subject(
    session: Session, candidacy_id: int, meeting: Meeting | None, day: date, min_ratio: float
) -> ChairCandidacy:
    """ToR 3.D.1: the Working Group elects by consensus, by 30 June of the year before the
    term, candidates eligible on the day; a year has one Chair."""
    candidacy = candidacies.election_subject(session, candidacy_id, day)
    if meeting is not None and meeting.kind != "working_group":
        raise RuleViolation(
            "ToR 3.D.1",
            "The Chair is elected by the Working Group, at its meeting or electronically",
        )
    chair_rules.check_candidates_eligible(
        eligibility.verdicts(session, list(candidacy.entity_ids), day, min_ratio), day
    )
    return candidacy


def _elect(session: Session, candidacy: ChairCandidacy, decision: Decision) -> list[str]:
    """Adopted: the chair term of the candidacy's year exists, with the co-chairs' roles."""
    candidacy.election_decision_id = decision.id
    if decision.outcome != "adopted":
        candidacy.status = "not_elected"
        return [f"candidacy {candidacy.id}: not elected"]
    candidacy.status = "elected"
    term = insert_term(
        session,
        candidacy.term_year,
        candidacy.term_year,
        list(candidacy.entity_ids),
        candidacy.roles,
        note=f"Elected by decision {decision.id}.",
        election_decision_id=decision.id,
    )
    return [
        f"chair term {candidacy.term_year}: {' and '.join(candidacy.entity_ids)} (term {term.id})",
        f"candidacy {candidacy.id}: elected",
    ]
