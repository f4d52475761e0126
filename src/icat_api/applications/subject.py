"""Admission (ToR 3.A.3): an application is the subject of an `admission` decision."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api import clock
from icat_api.applications import rules
from icat_api.applications.models import Application
from icat_api.applications.service import read
from icat_api.db import utcnow
from icat_api.entities import rules as entity_rules
from icat_api.entities.models import Membership
from icat_api.entities.schemas import MembershipCreate, MembershipEnd, Role
from icat_api.entities.service import add_membership, end_membership, lock_entity
from icat_api.governance import facts
from icat_api.governance.decision_schemas import AdmissionDecision
from icat_api.governance.models import Decision
from icat_api.governance.subjects import Effect, Taking, register
from icat_api.problems import unknown


class Admission:
    """An open application, introduced at a Working Group meeting on or before the decision's
    day; adopted, it admits the applicant that day (accept) or turns it down (accept false)."""

    def check(self, session: Session, data: AdmissionDecision, taking: Taking) -> Effect:
        application = session.scalar(
            select(Application).where(Application.id == data.application_id).with_for_update()
        )
        if application is None:
            raise unknown("application_id", "application")
        rules.check_open(application.status, "decided")
        meetings = facts.working_group_meetings_after(session, [application.submitted_on])
        intro = rules.introduction(meetings, application.submitted_on)
        rules.check_admission_timing(
            submitted_on=application.submitted_on,
            introduced_on=intro[1] if intro else None,
            decided_on=taking.day,
        )

        def decided(decision: Decision) -> list[str]:
            before = read(application, meetings, clock.today())
            effects = _admit(session, taking, application, decision) if data.accept else []
            application.status = "accepted" if data.accept else "not_accepted"
            application.closed_on, application.decision_id = decision.decided_on, decision.id
            application.updated_at = utcnow()
            session.flush()
            taking.audit(
                session,
                decision,
                "decide",
                ("application", application.id),
                before,
                read(application, meetings, clock.today()),
            )
            return [*effects, f"application {application.id}: {application.status}"]

        return decided


def _admit(
    session: Session, taking: Taking, application: Application, decision: Decision
) -> list[str]:
    """The role from the decision's day; a partner admitted as member stops being a partner
    that day (ToR 3.A.1, 3.E, 3.F)."""
    day = decision.decided_on
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
            caller=taking.caller,
            entity_id=entity.id,
            membership_id=open_partner.id,
            data=MembershipEnd(ends_on=day),
            decision_id=decision.id,
        )
        effects.append(f"{entity.id}: partner until {day}")
    add_membership(
        session=session,
        caller=taking.caller,
        entity_id=entity.id,
        data=MembershipCreate(
            role=Role(application.role), starts_on=day, note=f"Admitted by decision {decision.id}."
        ),
        admission_decision_id=decision.id,
    )
    effects.append(f"{entity.id}: {application.role} from {day}")
    return effects


register("admission", Admission())
