"""HTTP for ICAT products (ToR 3.B.5)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from icat_api.auth import OptionalCaller
from icat_api.chair_terms.powers import ChairOrSecretariat
from icat_api.conditional import json_response
from icat_api.db import SessionDep, read_handler
from icat_api.pagination import PageDep
from icat_api.params import IdPath
from icat_api.problems import responses
from icat_api.publications import service
from icat_api.publications.schemas import (
    PublicationCreate,
    PublicationKind,
    PublicationRead,
    PublishBody,
)
from icat_api.schemas import Page

router = APIRouter(prefix="/v1/publications", tags=["publications"])


@router.get(
    "", summary="ICAT products", response_model=Page[PublicationRead], responses=responses(304, 422)
)
@read_handler
def list_publications(
    request: Request,
    session: SessionDep,
    caller: OptionalCaller,
    page: PageDep,
    kind: Annotated[PublicationKind | None, Query()] = None,
) -> Response:
    """Issue briefs, policy papers, toolkits, submissions and reports. The public sees published
    products; drafts and signed-off ones are listed too for the secretariat, the sitting Chair and
    the Working Group's members, and for the lead entity (its own)."""
    access = service.draft_access(session, caller)
    return json_response(
        request, service.list_publications(session=session, page=page, access=access, kind=kind)
    )


@router.post(
    "",
    summary="Record a product in preparation",
    status_code=201,
    response_model=PublicationRead,
    responses=responses(400, 401, 403, 413, 422),
)
def create_publication(
    request: Request, session: SessionDep, caller: ChairOrSecretariat, body: PublicationCreate
) -> Response:
    """Records a product as a draft; a `product_sign_off` decision signs it off (ToR 3.B.5).
    The sitting Chair or the secretariat."""
    created = service.create(session=session, caller=caller, data=body)
    return json_response(request, created, status_code=201)


@router.get(
    "/{publication_id}",
    summary="Read a product",
    response_model=PublicationRead,
    responses=responses(304, 404, 422),
)
@read_handler
def get_publication(
    request: Request, session: SessionDep, caller: OptionalCaller, publication_id: IdPath
) -> Response:
    """One product. An unpublished one only for those who read drafts (404 for the others)."""
    access = service.draft_access(session, caller)
    return json_response(
        request, service.get(session=session, publication_id=publication_id, access=access)
    )


@router.post(
    "/{publication_id}/publish",
    summary="Publish a signed-off product",
    response_model=PublicationRead,
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def publish_publication(
    request: Request,
    session: SessionDep,
    caller: ChairOrSecretariat,
    publication_id: IdPath,
    body: PublishBody,
) -> Response:
    """Publishes a product: refused (422, ToR 3.B.5) until a `product_sign_off` decision has
    been adopted on it. The sitting Chair or the secretariat."""
    return json_response(
        request,
        service.publish(session=session, caller=caller, publication_id=publication_id, data=body),
    )
