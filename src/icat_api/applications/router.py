"""HTTP for applications (ToR 3.A.3)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from icat_api.applications import service as applications
from icat_api.applications.schemas import ApplicationCreate, ApplicationRead, ApplicationWithdraw
from icat_api.auth import AuthenticatedCaller
from icat_api.conditional import created_response, json_response
from icat_api.db import SessionDep, read_handler
from icat_api.pagination import PageDep
from icat_api.params import EntityQuery, IdPath
from icat_api.problems import responses
from icat_api.schemas import Page

router = APIRouter(prefix="/v1", tags=["decisions"])


@router.get(
    "/applications",
    summary="List applications",
    response_model=Page[ApplicationRead],
    responses=responses(304, 422),
)
@read_handler
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
    return created_response(request, created, f"/v1/applications/{created.id}")


@router.get(
    "/applications/{application_id}",
    summary="Read an application",
    response_model=ApplicationRead,
    responses=responses(304, 404, 422),
)
@read_handler
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
