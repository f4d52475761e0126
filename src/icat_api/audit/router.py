"""GET /v1/audit-events: the secretariat reads the trail (ToR 3.C.2)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from icat_api.audit import service
from icat_api.audit.schemas import AuditEventRead
from icat_api.auth import Secretariat
from icat_api.conditional import json_response
from icat_api.db import SessionDep, read_handler
from icat_api.pagination import PageDep
from icat_api.problems import responses
from icat_api.schemas import Instant, Page

router = APIRouter(prefix="/v1", tags=["records"])


@router.get(
    "/audit-events",
    summary="Read the audit trail",
    response_model=Page[AuditEventRead],
    responses=responses(304, 401, 403, 422),
)
@read_handler
def list_audit_events(
    request: Request,
    session: SessionDep,
    _caller: Secretariat,
    page: PageDep,
    resource_type: Annotated[str | None, Query(max_length=40, examples=["entity"])] = None,
    resource_id: Annotated[str | None, Query(max_length=100, examples=["unodc"])] = None,
    actor_entity_id: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
    since: Annotated[Instant | None, Query(description="Events at or after this time.")] = None,
    until: Annotated[Instant | None, Query(description="Events before this time.")] = None,
) -> Response:
    """Every write to the registry, oldest first: when, which key and entity, the action, the
    resource and its state before and after. Append-only: nothing can change or remove an event.
    Secretariat only (ToR 3.C.2)."""
    result = service.list_events(
        session=session,
        page=page,
        resource_type=resource_type,
        resource_id=resource_id,
        actor_entity_id=actor_entity_id,
        action=action,
        since=since,
        until=until,
    )
    return json_response(request, result)
