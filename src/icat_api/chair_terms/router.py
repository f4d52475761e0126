"""HTTP for chair terms: who chairs when (ToR 3.D, Annex 3)."""

from fastapi import APIRouter, Request, Response

from icat_api.auth import Secretariat
from icat_api.chair_terms import service
from icat_api.chair_terms.schemas import ChairTermCreate, ChairTermRead
from icat_api.conditional import created_response, json_response
from icat_api.db import SessionDep, read_handler
from icat_api.entities.names import OPENAPI_HEADERS, Naming, headers
from icat_api.languages import preferred_language
from icat_api.pagination import PageDep
from icat_api.params import OnQuery, today_or
from icat_api.problems import responses
from icat_api.schemas import Page

router = APIRouter(prefix="/v1", tags=["chairs"])


@router.get(
    "/chairs",
    summary="The chairs of ICAT",
    response_model=Page[ChairTermRead],
    responses={
        200: {"description": "The terms.", "headers": OPENAPI_HEADERS},
        **responses(304, 422),
    },
)
@read_handler
def list_chairs(
    request: Request, session: SessionDep, page: PageDep, on: OnQuery = None
) -> Response:
    """Every chair term, oldest first, from ToR Annex 3 (UNODC 2007-2010 … UN Women and OSCE
    co-chairing 2019) to the terms recorded or elected since, each chair named as at the term's
    end (today for a term still sitting). With `on`, only the term sitting that day (an empty
    list when none was recorded for its year), named as that day. Names are in the UN language
    `Accept-Language` prefers, English where it is not filled (`Content-Language` names the
    languages used). Public."""
    naming = Naming(today_or(on), preferred_language(request.headers.get("accept-language")))
    terms = service.list_terms(session=session, page=page, day=on, naming=naming)
    return json_response(request, terms, headers=headers(naming))


@router.post(
    "/chair-terms",
    summary="Record a past chair term",
    status_code=201,
    response_model=ChairTermRead,
    responses=responses(400, 401, 403, 409, 413, 422),
)
def create_chair_term(
    request: Request, session: SessionDep, caller: Secretariat, body: ChairTermCreate
) -> Response:
    """Records a term from the history: its years, its chair or two co-chairs (ToR 3.D.2, with
    each one's tasks a-m of ToR 3.D.3 when known). Each chair must be an ICAT member on the
    term's first day (ToR 3.E.3); no two terms share a year (ToR 3.D.1, 409). Secretariat only."""
    created = service.create_term(session=session, caller=caller, data=body)
    return created_response(request, created, f"/v1/chairs?on={created.start_year}-01-01")
