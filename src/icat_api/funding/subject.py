"""Funding approval (ToR 3.B.5): the Working Group's prior approval for a member to receive
funds on ICAT's behalf, in relation to an activity of the endorsed work plan."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api.entities import rules as entity_rules
from icat_api.entities.models import Entity
from icat_api.funding import rules
from icat_api.governance.decision_schemas import FundingApprovalDecision
from icat_api.governance.models import Decision
from icat_api.governance.subjects import Effect, Taking, register
from icat_api.problems import unknown
from icat_api.work_plans.models import Activity, WorkPlan


class FundingApproval:
    """A recipient in the Working Group on the day, an activity of an endorsed work plan."""

    def check(self, session: Session, data: FundingApprovalDecision, taking: Taking) -> Effect:
        recipient = data.recipient_entity_id
        if session.get(Entity, recipient) is None:
            raise unknown("recipient_entity_id", "entity")
        in_wg = session.scalar(
            select(entity_rules.working_group_expression(taking.day)).where(Entity.id == recipient)
        )
        rules.check_in_working_group(recipient, taking.day, bool(in_wg))
        plan_status = session.scalar(
            select(WorkPlan.status)
            .join(Activity, Activity.work_plan_id == WorkPlan.id)
            .where(Activity.id == data.activity_id)
        )
        if plan_status is None:
            raise unknown("activity_id", "activity")
        rules.check_activity_of_endorsed_plan(data.activity_id, plan_status)

        def approved(decision: Decision) -> list[str]:
            return [
                f"{recipient}: approved to receive funds on ICAT's behalf for activity "
                f"{data.activity_id}"
            ]

        return approved


register("funding_approval", FundingApproval())
