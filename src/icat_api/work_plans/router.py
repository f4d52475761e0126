"""HTTP for work plans and activities (ToR 3.B.2)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from icat_api.chair_terms.powers import ChairOrSecretariat
from icat_api.conditional import check_if_match, created_response, json_response
from icat_api.db import SessionDep, read_handler
from icat_api.pagination import PageDep
from icat_api.params import IdPath, YearQuery
from icat_api.problems import responses
from icat_api.schemas import Page
from icat_api.work_plans import service
from icat_api.work_plans.schemas import (
    ActivityCreate,
    ActivityRead,
    ActivityUpdate,
    WorkPlanCreate,
    WorkPlanRead,
)

router = APIRouter(prefix="/v1/work-plans", tags=["work plans"])


@router.get(
    "", summary="List work plans", response_model=Page[WorkPlanRead], responses=responses(304, 422)
)
@read_handler
def list_work_plans(
    request: Request,
    session: SessionDep,
    page: PageDep,
    year: Annotated[YearQuery | None, Query(description="Plans covering this year.")] = None,
) -> Response:
    """Biannual work plans with their activities, allocations and status. Public."""
    return json_response(request, service.list_plans(session=session, page=page, year=year))


@router.post(
    "",
    summary="Draft a work plan",
    status_code=201,
    response_model=WorkPlanRead,
    responses=responses(400, 401, 403, 413, 422),
)
def create_work_plan(
    request: Request, session: SessionDep, caller: ChairOrSecretariat, body: WorkPlanCreate
) -> Response:
    """Drafts a work plan for two calendar years, `start_year` and the next (ToR 3.B.2(a)), co-led
    by the Chair and the successive Chair (ToR 3.D.3(e)). It stays `draft` until a
    `work_plan_endorsement` decision is adopted. The sitting Chair or the secretariat."""
    created = service.create_plan(session=session, caller=caller, data=body)
    return created_response(request, created, f"/v1/work-plans/{created.id}")


@router.get(
    "/{work_plan_id}",
    summary="Read a work plan",
    response_model=WorkPlanRead,
    responses=responses(304, 404, 422),
)
@read_handler
def get_work_plan(request: Request, session: SessionDep, work_plan_id: IdPath) -> Response:
    """One work plan with its activities and their budget allocations. Public."""
    return json_response(request, service.get(session=session, work_plan_id=work_plan_id))


@router.post(
    "/{work_plan_id}/activities",
    summary="Add an activity",
    status_code=201,
    response_model=ActivityRead,
    responses=responses(400, 401, 403, 404, 413, 422),
)
def add_activity(
    request: Request,
    session: SessionDep,
    caller: ChairOrSecretariat,
    work_plan_id: IdPath,
    body: ActivityCreate,
) -> Response:
    """Adds an activity under one of the six priority areas of the 2020 Plan of Action, led by a
    Working Group member (ToR 3.E.2), within the plan's two years. The sitting Chair or the
    secretariat."""
    created = service.add_activity(
        session=session, caller=caller, work_plan_id=work_plan_id, data=body
    )
    return json_response(request, created, status_code=201)


@router.patch(
    "/{work_plan_id}/activities/{activity_id}",
    summary="Report progress on an activity",
    response_model=ActivityRead,
    responses=responses(400, 401, 403, 404, 412, 413, 422),
)
def update_activity(
    request: Request,
    session: SessionDep,
    caller: ChairOrSecretariat,
    work_plan_id: IdPath,
    activity_id: IdPath,
    body: ActivityUpdate,
) -> Response:
    """Updates an activity's status, progress, end or milestones; `If-Match` → 412 when stale.
    The sitting Chair or the secretariat."""
    return json_response(
        request,
        service.update_activity(
            session=session,
            caller=caller,
            work_plan_id=work_plan_id,
            activity_id=activity_id,
            data=body,
            if_match=lambda current: check_if_match(request, current),
        ),
    )
