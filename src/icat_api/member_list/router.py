"""GET /v1/member-list: the ICAT website's one call."""

from fastapi import APIRouter, Request, Response

from icat_api.conditional import etag_matches
from icat_api.member_list import service
from icat_api.member_list.schemas import MemberList
from icat_api.params import OnQuery, today_or
from icat_api.problems import responses

router = APIRouter(prefix="/v1", tags=["member list"])
_HEADERS = {"Cache-Control": "public, max-age=60", "Vary": "Accept"}
_CSV = "text/csv; charset=utf-8"
_JSON = "application/json"


def _wants_csv(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and "application/json" not in accept.split(",")[0]


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
    csv = _wants_csv(request)
    cached = await service.cached_member_list(request.app, today_or(on), csv)
    headers = {"ETag": cached.etag, **_HEADERS}
    if etag_matches(request.headers.get("if-none-match"), cached.etag):
        return Response(status_code=304, headers=headers)
    return Response(cached.body, media_type=_CSV if csv else _JSON, headers=headers)
