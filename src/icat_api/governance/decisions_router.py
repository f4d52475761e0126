"""HTTP for decisions and applications."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from icat_api.auth import AuthenticatedCaller, ChairOrSecretariat
from icat_api.conditional import json_response
from icat_api.db import SessionDep
from icat_api.governance import applications, decisions
from icat_api.governance.decision_schemas import (
    ApplicationCreate,
    ApplicationRead,
    ApplicationWithdraw,
    DecisionCreate,
    DecisionKind,
    DecisionRead,
)
from icat_api.pagination import PageDep
from icat_api.params import EntityQuery, YearQuery
from icat_api.problems import responses
from icat_api.schemas import Page

router = APIRouter(prefix="/v1", tags=["decisions"])
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get(
    "/decisions",
    summary="List decisions",
    response_model=Page[DecisionRead],
    responses=responses(304, 422),
)
def list_decisions(
    request: Request,
    session: SessionDep,
    page: PageDep,
    kind: Annotated[DecisionKind | None, Query()] = None,
    year: Annotated[YearQuery | None, Query()] = None,
    meeting_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    outcome: Annotated[Literal["adopted", "not_adopted"] | None, Query()] = None,
) -> Response:
    """Decisions in the order taken, filtered by kind, year, meeting and outcome. Public."""
    return json_response(
        request,
        decisions.list_decisions(
            session=session, page=page, kind=kind, year=year, meeting_id=meeting_id, outcome=outcome
        ),
    )


@router.post(
    "/decisions",
    summary="Record a decision",
    status_code=201,
    response_model=DecisionRead,
    responses=responses(400, 401, 403, 409, 413, 422),
)
def create_decision(
    request: Request, session: SessionDep, caller: ChairOrSecretariat, body: DecisionCreate
) -> Response:
    """Records a decision taken by consensus (ToR 3.B.3) at a meeting, or electronically with
    the entities consulted and a deadline. It needs the written `record` and `confirmed_by`, the
    Chair or co-chair sitting that day. Only entities with voting rights that take part may
    object (partners are observers, ToR 3.B.7); a maintained objection makes it `not_adopted`;
    withdrawn objections stay on the record; at least one entity with voting rights must take
    part. An adopted `admission` admits the applicant that day (ToR 3.A.3), an adopted
    `chair_election` (by 30 June of the year before the term, every candidate eligible that day,
    ToR 3.D.1) creates the chair term, in the same transaction; the answer lists the `effects`.
    The sitting Chair or the secretariat."""
    created = decisions.create(
        session=session,
        caller=caller,
        data=body,
        chair_min_ratio=request.app.state.settings.chair_min_attendance_ratio,
    )
    return json_response(
        request, created, status_code=201, headers={"Location": f"/v1/decisions/{created.id}"}
    )


@router.get(
    "/decisions/{decision_id}",
    summary="Read a decision",
    response_model=DecisionRead,
    responses=responses(304, 404, 422),
)
def get_decision(request: Request, session: SessionDep, decision_id: IdPath) -> Response:
    """One decision with its record, objections, outcome and effects. Public."""
    return json_response(request, decisions.get(session=session, decision_id=decision_id))


@router.get(
    "/applications",
    summary="List applications",
    response_model=Page[ApplicationRead],
    responses=responses(304, 422),
)
def list_applications(
    request: Request,
    session: SessionDep,
    page: PageDep,
    entity_id: EntityQuery = None,
    status: Annotated[
        Literal["submitted", "introduced", "accepted", "not_accepted", "withdrawn"] | None, Query()
    ] = None,
) -> Response:
    """Applications for membership or partnership, with the Working Group meeting each is
    introduced at (ToR 3.A.3). Public."""
    return json_response(
        request,
        applications.list_applications(
            session=session, page=page, entity_id=entity_id, status=status
        ),
    )


@router.post(
    "/applications",
    summary="Apply for membership or partnership",
    status_code=201,
    response_model=ApplicationRead,
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def create_application(
    request: Request, session: SessionDep, caller: AuthenticatedCaller, body: ApplicationCreate
) -> Response:
    """Files an application made in writing to the Chair or the Coordinator (ToR 3.A.3).
    Eligibility is checked at once: international organizations only (ToR 3.A.4(a)) whose
    mandate covers trafficking in persons (ToR 3.A.4(b)), never civil society (ToR 3.A.5); one
    open application per entity (409), none for a role it holds. The applicant's own key or
    the secretariat."""
    created = applications.create(session=session, caller=caller, data=body)
    return json_response(
        request, created, status_code=201, headers={"Location": f"/v1/applications/{created.id}"}
    )


@router.get(
    "/applications/{application_id}",
    summary="Read an application",
    response_model=ApplicationRead,
    responses=responses(304, 404, 422),
)
def get_application(request: Request, session: SessionDep, application_id: IdPath) -> Response:
    """One application and where it stands. Public."""
    return json_response(request, applications.get(session=session, application_id=application_id))


@router.post(
    "/applications/{application_id}/withdraw",
    summary="Withdraw an application",
    response_model=ApplicationRead,
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def withdraw_application(
    request: Request,
    session: SessionDep,
    caller: AuthenticatedCaller,
    application_id: IdPath,
    body: ApplicationWithdraw,
) -> Response:
    """Ends an open application (409 when already decided or withdrawn). The applicant's own
    key or the secretariat."""
    return json_response(
        request,
        applications.withdraw(
            session=session, caller=caller, application_id=application_id, data=body
        ),
    )
