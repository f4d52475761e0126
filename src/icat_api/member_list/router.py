"""GET /v1/member-list: the ICAT website's one call."""

from datetime import date

from fastapi import APIRouter, Request, Response

from icat_api import csv_output
from icat_api.conditional import etag_matches
from icat_api.data_version import Cached
from icat_api.languages import ENGLISH, preferred_language
from icat_api.member_list import html, service
from icat_api.member_list.schemas import EXAMPLE, MemberList
from icat_api.member_list.service import Representation
from icat_api.negotiation import NotAcceptable, preferred
from icat_api.params import OnQuery, today_or
from icat_api.problems import responses

PATH = "/v1/member-list"
router = APIRouter(prefix="/v1", tags=["member list"])
_HEADERS = {"Cache-Control": "public, max-age=60", "Vary": "Accept, Accept-Language"}
# The page runs nothing and loads nothing (html.py says why each directive); nosniff: a browser
# takes each representation for what its Content-Type says, never for a page.
_HTML_HEADERS = {
    "Content-Security-Policy": html.CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
}
_MEDIA_TYPES = {
    Representation.JSON: "application/json",
    Representation.CSV: csv_output.MEDIA_TYPE,
    Representation.HTML: "text/html; charset=utf-8",
}

OFFERED = tuple(r.value for r in Representation)


def representation_for(accept: str | None) -> Representation | None:
    """The representation ``accept`` prefers (q-values, RFC 9110); None when it accepts none."""
    chosen = preferred(accept, OFFERED)
    return None if chosen is None else Representation(chosen)


def _headers(cached: Cached, day: date, representation: Representation) -> dict[str, str]:
    headers = {"ETag": cached.etag, "Content-Language": cached.language or ENGLISH, **_HEADERS}
    if representation is Representation.CSV:
        headers.update(csv_output.attachment(service.csv_filename(day)))
    elif representation is Representation.HTML:
        headers.update(_HTML_HEADERS)
    return headers


def answer(
    cached: Cached, day: date, representation: Representation, if_none_match: str | None
) -> Response:
    """The member list's answer from its cached bytes: 200, or 304 when the ETag is known. The
    CSV is an attachment named for its day; the HTML page carries its security policy. Its
    ``Content-Language`` names the languages of the names in it."""
    headers = _headers(cached, day, representation)
    if etag_matches(if_none_match, cached.etag):
        return Response(status_code=304, headers=headers)
    return Response(cached.body, media_type=_MEDIA_TYPES[representation], headers=headers)


@router.get(
    "/member-list",
    summary="The member list for the website",
    response_model=MemberList,
    responses={
        200: {
            "description": "ICAT on the day: JSON, or CSV with `Accept: text/csv` (UTF-8 with a "
            "byte-order mark, every cell quoted, a cell a spreadsheet would read as a formula "
            "prefixed with `'`), or with `Accept: text/html` (what a browser sends) a small "
            "accessible page to embed in an `<iframe>`: no script, no external asset, every "
            "name linking to the entity's website.",
            "headers": {
                "Content-Language": {
                    "description": "The languages of the names in the answer, the one "
                    "`Accept-Language` asked for first (`fr, en`), `en` when none was in it.",
                    "schema": {"type": "string"},
                },
                "Vary": {"description": "`Accept, Accept-Language`.", "schema": {"type": "string"}},
                "Content-Disposition": {
                    "description": "With CSV: `attachment; "
                    'filename="icat-member-list-YYYY-MM-DD.csv"`, the day asked.',
                    "schema": {"type": "string"},
                },
                "Content-Security-Policy": {
                    "description": "With HTML: `default-src 'none'` (no script, nothing loaded), "
                    "the page's inline style by its hash, `frame-ancestors *` (made to be "
                    "embedded).",
                    "schema": {"type": "string"},
                },
            },
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": '"group","id","name","acronym","website"\r\n"coordinator","unodc",'
                    '"United Nations Office on Drugs and Crime","UNODC","https://www.unodc.org"\r\n',
                },
                "text/html": {
                    "schema": {"type": "string"},
                    "example": html.render(MemberList.model_validate(EXAMPLE)).decode(),
                },
            },
        },
        **responses(304, 406, 422),
    },
)
async def get_member_list(request: Request, on: OnQuery = None) -> Response:
    """The Coordinator (UNODC, ToR 3.C.1), the sitting Chair or co-chairs, the members, the
    Working Group and the partners, each with `id`, `name`, `acronym` and `website`, as ICAT
    stood on `on` (today by default). `Accept: text/csv` answers CSV, one row per entity and
    group; `Accept: text/html` the same as a web page for the website to embed. Public and
    cacheable: send the `ETag` back as `If-None-Match` for a 304. No personal data, ever.

    Names are those each entity went by on `on` (a former name before its renaming, in
    English), in the UN language `Accept-Language` prefers (`ar`, `zh`, `en`, `fr`, `ru`,
    `es`; q-values weighed, regional variants such as `fr-CH` read as their language), English
    for each name not filled in it. `Content-Language` names the languages the answer actually
    uses, the one asked first (`fr, en` when some French names were missing; `en` when none was
    filled); the HTML page's `lang` is the first, and `dir="rtl"` for Arabic. Each language has
    its own ETag."""
    representation = representation_for(request.headers.get("accept"))
    if representation is None:
        raise NotAcceptable(OFFERED)
    day = today_or(on)
    language = preferred_language(request.headers.get("accept-language"))
    cached = await service.cached_member_list(request.app, day, representation, language)
    return answer(cached, day, representation, request.headers.get("if-none-match"))
