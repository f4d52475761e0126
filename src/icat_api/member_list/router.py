"""GET /v1/member-list: the ICAT website's one call."""

from datetime import date

from fastapi import APIRouter, Request, Response

from icat_api import csv_output
from icat_api.conditional import etag_matches
from icat_api.data_version import Cached
from icat_api.member_list import service
from icat_api.member_list.schemas import MemberList
from icat_api.negotiation import NotAcceptable, preferred
from icat_api.params import OnQuery, today_or
from icat_api.problems import responses

PATH = "/v1/member-list"
router = APIRouter(prefix="/v1", tags=["member list"])
_HEADERS = {"Cache-Control": "public, max-age=60", "Vary": "Accept"}
_JSON = "application/json"


OFFERED = (_JSON, csv_output.MEDIA_TYPE.split(";")[0])


def wants_csv(accept: str | None) -> bool | None:
    """CSV when ``accept`` prefers it (q-values, RFC 9110); None when it accepts neither."""
    chosen = preferred(accept, OFFERED)
    return None if chosen is None else chosen != _JSON


def answer(cached: Cached, day: date, csv: bool, if_none_match: str | None) -> Response:
    """The member list's answer from its cached bytes: 200, or 304 when the ETag is known.
    Also used by the fast path (``fast.py``), so both answer the same bytes and headers. The
    CSV is an attachment named for its day."""
    headers = {"ETag": cached.etag, **_HEADERS}
    if csv:
        headers.update(csv_output.attachment(service.csv_filename(day)))
    if etag_matches(if_none_match, cached.etag):
        return Response(status_code=304, headers=headers)
    media_type = csv_output.MEDIA_TYPE if csv else _JSON
    return Response(cached.body, media_type=media_type, headers=headers)


@router.get(
    "/member-list",
    summary="The member list for the website",
    response_model=MemberList,
    responses={
        200: {
            "description": "ICAT on the day: JSON, or CSV with `Accept: text/csv` (UTF-8 with a "
            "byte-order mark, every cell quoted, a cell a spreadsheet would read as a formula "
            "prefixed with `'`).",
            "headers": {
                "Content-Disposition": {
                    "description": "With CSV: `attachment; "
                    'filename="icat-member-list-YYYY-MM-DD.csv"`, the day asked.',
                    "schema": {"type": "string"},
                }
            },
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": '"group","id","name","acronym","website"\r\n"coordinator","unodc",'
                    '"United Nations Office on Drugs and Crime","UNODC","https://www.unodc.org"\r\n',
                }
            },
        },
        **responses(304, 406, 422),
    },
)
async def get_member_list(request: Request, on: OnQuery = None) -> Response:
    """The Coordinator (UNODC, ToR 3.C.1), the sitting Chair or co-chairs, the members, the
    Working Group and the partners, each with `id`, `name`, `acronym` and `website`, as ICAT
    stood on `on` (today by default). `Accept: text/csv` answers CSV, one row per entity and
    group. Public and cacheable: send the `ETag` back as `If-None-Match` for a 304. No personal
    data, ever."""
    csv = wants_csv(request.headers.get("accept"))
    if csv is None:
        raise NotAcceptable(OFFERED)
    day = today_or(on)
    cached = await service.cached_member_list(request.app, day, csv)
    return answer(cached, day, csv, request.headers.get("if-none-match"))
