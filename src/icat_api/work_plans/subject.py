"""Work-plan endorsement and budget allocation (ToR 3.B.2): decisions about a work plan and an
activity of it."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api.db import utcnow
from icat_api.governance.decision_schemas import (
    BudgetAllocationDecision,
    WorkPlanEndorsementDecision,
)
from icat_api.governance.models import Decision
from icat_api.governance.subjects import Effect, Taking, register
from icat_api.problems import unknown
from icat_api.work_plans import rules
from icat_api.work_plans.models import Activity, WorkPlan
from icat_api.work_plans.service import read_activity, read_plans


class Endorsement:
    """A draft plan whose period overlaps no endorsed plan's (ToR 3.B.2(a)); adopted, it is
    the endorsed plan."""

    def check(self, session: Session, data: WorkPlanEndorsementDecision, taking: Taking) -> Effect:
        plan = session.scalar(
            select(WorkPlan).where(WorkPlan.id == data.work_plan_id).with_for_update()
        )
        if plan is None:
            raise unknown("work_plan_id", "work plan")
        rules.check_draft(plan.status)
        endorsed = session.scalars(
            select(WorkPlan.start_year)
            .where(
                WorkPlan.status == "endorsed",
                WorkPlan.start_year.between(plan.start_year - 1, plan.start_year + 1),
            )
            .with_for_update()
        )
        rules.check_no_overlap(plan.start_year, list(endorsed))

        def endorsed_now(decision: Decision) -> list[str]:
            before = read_plans(session, [plan])[0]
            plan.status, plan.endorsement_decision_id = "endorsed", decision.id
            plan.updated_at = utcnow()
            session.flush()
            taking.audit(
                session,
                decision,
                "endorse",
                ("work_plan", plan.id),
                before,
                read_plans(session, [plan])[0],
            )
            return [f"work plan {plan.id} ({plan.start_year}-{plan.start_year + 1}): endorsed"]

        return endorsed_now


class Allocation:
    """A budgetary allocation to an activity of a work plan (ToR 3.B.2(b,c))."""

    def check(self, session: Session, data: BudgetAllocationDecision, taking: Taking) -> Effect:
        activity = session.get(Activity, data.activity_id)
        if activity is None:
            raise unknown("activity_id", "activity")
        before = read_activity(session, activity)

        def allocated(decision: Decision) -> list[str]:
            taking.audit(
                session,
                decision,
                "allocate",
                ("activity", activity.id),
                before,
                read_activity(session, activity),
            )
            return [f"activity {activity.id}: {decision.amount} {decision.currency} allocated"]

        return allocated


register("work_plan_endorsement", Endorsement())
register("budget_allocation", Allocation())
