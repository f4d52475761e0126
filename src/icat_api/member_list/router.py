"""GET /v1/member-list: the ICAT website's one call."""

from fastapi import APIRouter, Request, Response

from icat_api.conditional import etag_matches
from icat_api.data_version import Cached
from icat_api.member_list import service
from icat_api.member_list.schemas import MemberList
from icat_api.params import OnQuery, today_or
from icat_api.problems import responses

PATH = "/v1/member-list"
router = APIRouter(prefix="/v1", tags=["member list"])
_HEADERS = {"Cache-Control": "public, max-age=60", "Vary": "Accept"}
_CSV = "text/csv; charset=utf-8"
_JSON = "application/json"


def wants_csv(accept: str | None) -> bool:
    """CSV when asked for, unless JSON is asked for first."""
    accept = accept or ""
    return "text/csv" in accept and "application/json" not in accept.split(",")[0]


def answer(cached: Cached, csv: bool, if_none_match: str | None) -> Response:
    """The member list's answer from its cached bytes: 200, or 304 when the ETag is known.
    Also used by the fast path (``fast.py``), so both answer the same bytes and headers."""
    headers = {"ETag": cached.etag, **_HEADERS}
    if etag_matches(if_none_match, cached.etag):
        return Response(status_code=304, headers=headers)
    return Response(cached.body, media_type=_CSV if csv else _JSON, headers=headers)


@router.get(
    "/member-list",
    summary="The member list for the website",
    response_model=MemberList,
    responses={
        200: {
            "description": "ICAT on the day: JSON, or CSV with `Accept: text/csv`.",
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "group,id,name,acronym,website\r\ncoordinator,unodc,United Nations "
                    "Office on Drugs and Crime,UNODC,https://www.unodc.org\r\n",
                }
            },
        },
        **responses(304, 422),
    },
)
async def get_member_list(request: Request, on: OnQuery = None) -> Response:
    """The Coordinator (UNODC, ToR 3.C.1), the sitting Chair or co-chairs, the members, the
    Working Group and the partners, each with `id`, `name`, `acronym` and `website`, as ICAT
    stood on `on` (today by default). `Accept: text/csv` answers CSV, one row per entity and
    group. Public and cacheable: send the `ETag` back as `If-None-Match` for a 304. No personal
    data, ever."""
    csv = wants_csv(request.headers.get("accept"))
    cached = await service.cached_member_list(request.app, today_or(on), csv)
    return answer(cached, csv, request.headers.get("if-none-match"))
