"""HTTP for the Chair's annual report (ToR 3.D.3(j))."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from icat_api.chairs import report
from icat_api.chairs.report import ChairReport
from icat_api.clock import today
from icat_api.conditional import etag_of, render_json, tagged_response
from icat_api.data_version import Cached, cached
from icat_api.entities.names import OPENAPI_HEADERS, Naming
from icat_api.languages import preferred_language
from icat_api.negotiation import negotiate
from icat_api.problems import responses

router = APIRouter(prefix="/v1", tags=["chairs"])


@router.get(
    "/chair-terms/{year}/report",
    summary="The Chair's annual report",
    response_model=ChairReport,
    responses={
        200: {
            "description": "JSON, or Markdown with `Accept: text/markdown`.",
            "headers": OPENAPI_HEADERS,
            "content": {
                "text/markdown": {
                    "schema": {"type": "string"},
                    "example": "# ICAT Chair's report - 2015 (UNHCR)",
                }
            },
        },
        **responses(304, 404, 406, 422),
    },
)
async def get_chair_report(
    request: Request,
    year: Annotated[int, Path(ge=2000, le=2100, description="The term's year.")],
) -> Response:
    """The facts of a chair term's year for the annual report the Chair prepares at the end of
    the term (ToR 3.D.3(j)): meetings held with attendance and capacities, decisions adopted and
    not, admissions, roles started and ended, members and partners without a focal point, and
    the year's changes by type (as the public change feed shows them).
    `Accept: text/markdown` answers a readable draft to start the report from. Public; answered
    from memory until the data changes. Entities are named as at the end of the year (today for
    the current year), in the UN language `Accept-Language` prefers, English where it is not
    filled (`Content-Language` names the languages used)."""
    markdown = negotiate(request, ("application/json", "text/markdown")) == "text/markdown"
    language = preferred_language(request.headers.get("accept-language"))
    factory = request.app.state.sessionmaker

    def build() -> Cached:
        naming = Naming(date(year, 12, 31), language)
        with factory() as session:
            data = report.report(session=session, year=year, naming=naming)
        body = report.to_markdown(data).encode() if markdown else render_json(data)
        return Cached(body, etag_of(body), naming.content_language())

    # Today is in the key: a meeting reads as held from its first day on, with no write.
    key = ("chair-report", year, markdown, language, today())
    hit = await cached(request.app.state.read_cache, key, build)
    media_type = "text/markdown; charset=utf-8" if markdown else "application/json"
    headers = {"Content-Language": hit.language or language, "Vary": "Accept, Accept-Language"}
    return tagged_response(request, hit.body, hit.etag, media_type, headers=headers)
