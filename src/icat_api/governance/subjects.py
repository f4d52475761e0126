"""The subjects of the Working Group's money and output decisions (ToR 3.B.2, 3.B.5), checked
before the decision is recorded and changed with it, in the same transaction."""

from collections.abc import Callable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api.db import utcnow
from icat_api.entities import rules as entity_rules
from icat_api.entities.models import Entity
from icat_api.governance.decision_schemas import DecisionCreate, DecisionKind
from icat_api.governance.models import Decision
from icat_api.problems import InvalidInput, RuleViolation
from icat_api.publications.service import sign_off_subject
from icat_api.work_plans.models import Activity
from icat_api.work_plans.service import endorse

Effect = Callable[[Decision], list[str]]


def check(session: Session, data: DecisionCreate, day: date) -> Effect | None:
    """Check the subject of the decision's kind; answer what an adopted decision changes."""
    if data.kind is DecisionKind.work_plan_endorsement:
        assert data.work_plan_id is not None
        plan = endorse(session, data.work_plan_id)

        def endorsed(decision: Decision) -> list[str]:
            if decision.outcome != "adopted":
                return [f"work plan {plan.id}: not endorsed"]
            plan.status, plan.endorsement_decision_id, plan.updated_at = (
                "endorsed",
                decision.id,
                utcnow(),
            )
            return [f"work plan {plan.id} ({plan.start_year}-{plan.start_year + 1}): endorsed"]

        return endorsed
    if data.kind is DecisionKind.product_sign_off:
        assert data.publication_id is not None
        publication = sign_off_subject(session, data.publication_id)

        def signed(decision: Decision) -> list[str]:
            if decision.outcome != "adopted":
                return [f"publication {publication.id}: not signed off"]
            publication.status, publication.sign_off_decision_id = "signed_off", decision.id
            publication.updated_at = utcnow()
            return [f"publication {publication.id}: signed off"]

        return signed
    if data.activity_id is not None and session.get(Activity, data.activity_id) is None:
        raise InvalidInput(
            "Unknown activity.",
            errors=[{"loc": ["body", "activity_id"], "msg": "unknown activity"}],
        )
    if data.kind is DecisionKind.budget_allocation:
        return lambda d: (
            [f"activity {d.activity_id}: {d.amount} {d.currency} allocated"]
            if d.outcome == "adopted"
            else []
        )
    if data.kind is DecisionKind.funding_approval:
        recipient = data.recipient_entity_id
        if session.get(Entity, recipient) is None:
            raise InvalidInput(
                "Unknown entity.",
                errors=[{"loc": ["body", "recipient_entity_id"], "msg": "unknown entity"}],
            )
        in_wg = session.scalar(
            select(entity_rules.working_group_expression(day)).where(Entity.id == recipient)
        )
        if not in_wg:
            raise RuleViolation(
                "ToR 3.B.5",
                f"{recipient} is not a member of the Working Group on {day}: only its "
                "members may receive funds on ICAT's behalf",
            )
        return lambda d: (
            [f"{d.recipient_entity_id}: approved to receive funds on ICAT's behalf"]
            if d.outcome == "adopted"
            else []
        )
    return None
