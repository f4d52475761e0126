"""HTTP for chairs: the history and the sitting Chair (ToR 3.D, Annex 3)."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from icat_api.auth import Secretariat
from icat_api.chairs import report, service
from icat_api.chairs.report import ChairReport
from icat_api.chairs.schemas import ChairTermCreate, ChairTermRead
from icat_api.conditional import etag_of, json_response, render_json, tagged_response
from icat_api.data_version import Cached, cached
from icat_api.db import SessionDep
from icat_api.pagination import PageDep
from icat_api.params import OnQuery
from icat_api.problems import responses
from icat_api.schemas import Page

router = APIRouter(prefix="/v1", tags=["chairs"])


@router.get(
    "/chairs",
    summary="The chairs of ICAT",
    response_model=Page[ChairTermRead],
    responses=responses(304, 422),
)
def list_chairs(
    request: Request, session: SessionDep, page: PageDep, on: OnQuery = None
) -> Response:
    """Every chair term, oldest first, from ToR Annex 3 (UNODC 2007-2010 … UN Women and OSCE
    co-chairing 2019) to the terms recorded or elected since. With `on`, only the term sitting
    that day (an empty list when none was recorded for its year). Public."""
    return json_response(request, service.list_terms(session=session, page=page, day=on))


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
    return json_response(
        request,
        created,
        status_code=201,
        headers={"Location": f"/v1/chairs?on={created.start_year}-01-01"},
    )


@router.get(
    "/chair-terms/{year}/report",
    summary="The Chair's annual report",
    response_model=ChairReport,
    responses={
        200: {
            "description": "JSON, or Markdown with `Accept: text/markdown`.",
            "content": {
                "text/markdown": {
                    "schema": {"type": "string"},
                    "example": "# ICAT Chair's report - 2015 (UNHCR)",
                }
            },
        },
        **responses(304, 404, 422),
    },
)
async def get_report(
    request: Request,
    year: Annotated[int, Path(ge=2000, le=2100, description="The term's year.")],
) -> Response:
    """The facts of a chair term's year for the annual report the Chair prepares at the end of
    the term (ToR 3.D.3(j)): meetings held with attendance and capacities, decisions adopted and
    not, admissions, roles started and ended, members and partners without a focal point.
    `Accept: text/markdown` answers a readable draft to start the report from. Public; answered
    from memory until the data changes."""
    markdown = "text/markdown" in request.headers.get("accept", "")
    factory = request.app.state.sessionmaker

    def build() -> Cached:
        with factory() as session:
            data = report.report(session=session, year=year)
        body = report.to_markdown(data).encode() if markdown else render_json(data)
        return Cached(body, etag_of(body))

    hit = await cached(request.app.state.read_cache, ("chair-report", year, markdown), build)
    media_type = "text/markdown; charset=utf-8" if markdown else "application/json"
    return tagged_response(request, hit.body, hit.etag, media_type, headers={"Vary": "Accept"})
