"""Work plans and activities. Endorsement and allocations come from decisions."""

from collections import defaultdict
from collections.abc import Callable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api.audit.service import record
from icat_api.caller import Caller
from icat_api.chair_terms.service import sitting_chair_ids
from icat_api.clock import today
from icat_api.db import utcnow
from icat_api.entities import rules as entity_rules
from icat_api.entities.models import Entity
from icat_api.governance.models import Decision
from icat_api.money import in_minor_units
from icat_api.pagination import INT32, Keyset, PageParams, page_of
from icat_api.problems import InvalidInput, NotFound
from icat_api.schemas import Page
from icat_api.work_plans import rules
from icat_api.work_plans.models import Activity, WorkPlan
from icat_api.work_plans.schemas import (
    ActivityCreate,
    ActivityRead,
    ActivityUpdate,
    Allocation,
    WorkPlanCreate,
    WorkPlanRead,
)


def _allocations(session: Session, activity_ids: list[int]) -> dict[int, list[Allocation]]:
    out: dict[int, list[Allocation]] = defaultdict(list)
    if activity_ids:
        for d in session.scalars(
            select(Decision)
            .where(
                Decision.kind == "budget_allocation",
                Decision.outcome == "adopted",
                Decision.activity_id.in_(activity_ids),
            )
            .order_by(Decision.id)
        ):
            assert d.activity_id is not None and d.amount is not None and d.currency is not None
            out[d.activity_id].append(
                Allocation(
                    decision_id=d.id,
                    amount=in_minor_units(d.amount, d.currency),
                    currency=d.currency,
                )
            )
    return out


def _activity(a: Activity, allocations: list[Allocation]) -> ActivityRead:
    return ActivityRead(
        id=a.id,
        work_plan_id=a.work_plan_id,
        title=a.title,
        priority_area=a.priority_area,
        lead_entity_id=a.lead_entity_id,
        contributor_entity_ids=a.contributor_entity_ids,
        status=a.status,
        starts_on=a.starts_on,
        ends_on=a.ends_on,
        milestones=a.milestones,
        progress=a.progress,
        allocations=allocations,
        created_at=a.created_at,
        updated_at=a.updated_at,
    )


def read_activity(session: Session, activity: Activity) -> ActivityRead:
    """One activity with its allocations."""
    return _activity(activity, _allocations(session, [activity.id]).get(activity.id, []))


def read_plans(session: Session, plans: list[WorkPlan]) -> list[WorkPlanRead]:
    """Plans with their activities, in as many statements for one plan as for many."""
    ids = [p.id for p in plans]
    activities: dict[int, list[Activity]] = defaultdict(list)
    if ids:
        for a in session.scalars(
            select(Activity).where(Activity.work_plan_id.in_(ids)).order_by(Activity.id)
        ):
            activities[a.work_plan_id].append(a)
    allocations = _allocations(session, [a.id for acts in activities.values() for a in acts])
    return [
        WorkPlanRead(
            id=p.id,
            start_year=p.start_year,
            end_year=p.start_year + 1,
            title=p.title,
            co_lead_entity_ids=p.co_lead_entity_ids,
            status=p.status,
            endorsement_decision_id=p.endorsement_decision_id,
            activities=[_activity(a, allocations.get(a.id, [])) for a in activities[p.id]],
            created_at=p.created_at,
            updated_at=p.updated_at,
        )
        for p in plans
    ]


def get(*, session: Session, work_plan_id: int) -> WorkPlanRead:
    plan = session.get(WorkPlan, work_plan_id)
    if plan is None:
        raise NotFound(f"No work plan {work_plan_id}.")
    return read_plans(session, [plan])[0]


# Keyset on the order of the list (start_year, id), so a plan recorded late for an earlier period
# is neither skipped nor repeated.
PLANS = Keyset("work-plans", (WorkPlan.start_year, WorkPlan.id), (INT32, INT32))


def list_plans(*, session: Session, page: PageParams, year: int | None) -> Page[WorkPlanRead]:
    query = select(WorkPlan)
    if year is not None:
        query = query.where(WorkPlan.start_year <= year, WorkPlan.start_year >= year - 1)
    rows = list(session.scalars(PLANS.query(query, page)))
    items, cursor = page_of(
        PLANS, page, rows, lambda page_rows: read_plans(session, list(page_rows))
    )
    return Page[WorkPlanRead](items=items, next_cursor=cursor)


def _known(session: Session, ids: list[str], field: str) -> None:
    known = set(session.scalars(select(Entity.id).where(Entity.id.in_(ids)))) if ids else set()
    unknown = [e for e in ids if e not in known]
    if unknown:
        raise InvalidInput(
            "Unknown entity: " + ", ".join(unknown),
            errors=[{"loc": ["body", field], "msg": "unknown entity"}],
        )


def create_plan(*, session: Session, caller: Caller, data: WorkPlanCreate) -> WorkPlanRead:
    rules.check_biannual(data.start_year, data.end_year)
    _known(session, data.co_lead_entity_ids, "co_lead_entity_ids")
    day = today()
    rules.check_co_leads(
        data.co_lead_entity_ids,
        sitting_chair_ids(session, day),
        sitting_chair_ids(session, date(day.year + 1, 1, 1)),
    )
    now = utcnow()
    plan = WorkPlan(
        start_year=data.start_year,
        title=data.title,
        co_lead_entity_ids=data.co_lead_entity_ids,
        status="draft",
        created_at=now,
        updated_at=now,
    )
    session.add(plan)
    session.flush()
    created = read_plans(session, [plan])[0]
    record(session, caller, "create", ("work_plan", plan.id), after=created)
    return created


def _check_lead(session: Session, plan: WorkPlan, lead: str) -> None:
    first, last = date(plan.start_year, 1, 1), date(plan.start_year + 1, 12, 31)
    day = min(max(today(), first), last)
    enrolled = session.scalar(
        select(entity_rules.working_group_expression(day)).where(Entity.id == lead)
    )
    rules.check_lead(lead, bool(enrolled))


def add_activity(
    *, session: Session, caller: Caller, work_plan_id: int, data: ActivityCreate
) -> ActivityRead:
    plan = session.scalar(select(WorkPlan).where(WorkPlan.id == work_plan_id).with_for_update())
    if plan is None:
        raise NotFound(f"No work plan {work_plan_id}.")
    _known(session, [data.lead_entity_id], "lead_entity_id")
    _known(session, data.contributor_entity_ids, "contributor_entity_ids")
    rules.check_within_period(
        plan.start_year, [data.starts_on, data.ends_on, *(m.due_on for m in data.milestones)]
    )
    _check_lead(session, plan, data.lead_entity_id)
    now = utcnow()
    activity = Activity(
        work_plan_id=plan.id,
        title=data.title,
        priority_area=data.priority_area.value,
        lead_entity_id=data.lead_entity_id,
        contributor_entity_ids=data.contributor_entity_ids,
        status="planned",
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        milestones=[m.model_dump(mode="json") for m in data.milestones],
        created_at=now,
        updated_at=now,
    )
    session.add(activity)
    plan.updated_at = now
    session.flush()
    created = _activity(activity, [])
    record(session, caller, "create", ("activity", activity.id), after=created)
    return created


def update_activity(
    *,
    session: Session,
    caller: Caller,
    work_plan_id: int,
    activity_id: int,
    data: ActivityUpdate,
    if_match: Callable[[ActivityRead], None],
) -> ActivityRead:
    activity = session.scalar(select(Activity).where(Activity.id == activity_id).with_for_update())
    if activity is None or activity.work_plan_id != work_plan_id:
        raise NotFound(f"No activity {activity_id} in work plan {work_plan_id}.")
    plan = session.get(WorkPlan, work_plan_id)
    assert plan is not None
    before = _activity(activity, _allocations(session, [activity.id]).get(activity.id, []))
    if_match(before)
    if (
        data.ends_on is not None
        and activity.starts_on is not None
        and data.ends_on < activity.starts_on
    ):
        raise InvalidInput(
            "ends_on must not be before the activity's starts_on.",
            errors=[
                {"loc": ["body", "ends_on"], "msg": f"before starts_on ({activity.starts_on})"}
            ],
        )
    changes = data.model_dump(mode="json", exclude_unset=True)
    if "ends_on" in changes or "milestones" in changes:
        rules.check_within_period(
            plan.start_year, [data.ends_on, *(m.due_on for m in data.milestones or [])]
        )
    for name, value in changes.items():
        if value is None and name in ("status", "milestones"):
            continue
        setattr(activity, name, date.fromisoformat(value) if name == "ends_on" and value else value)
    activity.updated_at = utcnow()
    session.flush()
    after = _activity(activity, before.allocations)
    record(session, caller, "update", ("activity", activity.id), before=before, after=after)
    return after
