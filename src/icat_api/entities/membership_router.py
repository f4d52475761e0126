"""HTTP for memberships: an entity's role history."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from icat_api.auth import Secretariat
from icat_api.conditional import created_response, json_response
from icat_api.db import SessionDep, read_handler
from icat_api.entities import service
from icat_api.entities.schemas import MembershipCreate, MembershipEnd, MembershipRead
from icat_api.pagination import PageDep
from icat_api.params import EntityPath
from icat_api.problems import responses
from icat_api.schemas import Page

router = APIRouter(prefix="/v1/entities/{entity_id}/memberships", tags=["memberships"])

MembershipPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="The membership's id.")]


@router.get(
    "",
    summary="An entity's role history",
    response_model=Page[MembershipRead],
    responses=responses(304, 404, 422),
)
@read_handler
def list_memberships(
    request: Request, session: SessionDep, entity_id: EntityPath, page: PageDep
) -> Response:
    """Every span in which the entity was a member or a partner, oldest first. Roles are never
    overwritten: an ended membership stays in the history. Public."""
    return json_response(
        request, service.list_memberships(session=session, entity_id=entity_id, page=page)
    )


@router.post(
    "",
    summary="Record a membership",
    status_code=201,
    response_model=MembershipRead,
    responses=responses(400, 401, 403, 404, 413, 422),
)
def add_membership(
    request: Request,
    session: SessionDep,
    caller: Secretariat,
    entity_id: EntityPath,
    body: MembershipCreate,
) -> Response:
    """Records that the entity held (or holds) a role from `starts_on` until the day before
    `ends_on`. Refused with the clause in `rule` when the entity may not hold a role — civil
    society never (ToR 3.A.5), only international organizations (ToR 3.A.4(a)) with a mandate on
    trafficking in persons (ToR 3.A.4(b)) — or when it would hold two roles at once
    (ToR 3.E/3.F). Secretariat only: admissions after the records begin come from decisions."""
    created = service.add_membership(session=session, caller=caller, entity_id=entity_id, data=body)
    return created_response(request, created, f"/v1/entities/{entity_id}/memberships/{created.id}")


@router.get(
    "/{membership_id}",
    summary="Read a membership",
    response_model=MembershipRead,
    responses=responses(304, 404, 422),
)
@read_handler
def get_membership(
    request: Request, session: SessionDep, entity_id: EntityPath, membership_id: MembershipPath
) -> Response:
    """One span of a role: who, which role, from which day until which day, and the decision
    or note it comes from. Public."""
    return json_response(
        request,
        service.get_membership(session=session, entity_id=entity_id, membership_id=membership_id),
    )


@router.post(
    "/{membership_id}/end",
    summary="End a membership",
    response_model=MembershipRead,
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def end_membership(
    request: Request,
    session: SessionDep,
    caller: Secretariat,
    entity_id: EntityPath,
    membership_id: MembershipPath,
    body: MembershipEnd,
) -> Response:
    """Ends an open membership: `ends_on` is the first day the role is no longer held. An ended
    membership cannot be ended again (409): the history is kept, not rewritten. Secretariat only."""
    ended = service.end_membership(
        session=session, caller=caller, entity_id=entity_id, membership_id=membership_id, data=body
    )
    return json_response(request, ended)
