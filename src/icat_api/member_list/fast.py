"""The member list's fast path: a cache hit is answered before FastAPI routes the request.

The website's one call is the hottest read. When its bytes for the day, representation (JSON,
CSV or the HTML page) and UN language (``Accept-Language``) asked are in memory under the
current data version, this pure-ASGI layer answers them (200, or 304 for a known ETag) with the
very function the route uses. Anything else — a miss, a stale data version, a query it does not
read exactly as the route would — goes on to the route, which validates,
answers the same way and fills the cache. It sits inside the request-id, rate-limit and
input-guard layers, so a hit is logged, limited and guarded like any request.
"""

import re
from datetime import date
from urllib.parse import parse_qsl

from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from icat_api.clock import today
from icat_api.data_version import VersionedCache
from icat_api.languages import preferred_language
from icat_api.member_list.router import PATH, answer, representation_for
from icat_api.member_list.service import member_list_key
from icat_api.schemas import Day

_DAY = TypeAdapter(Day)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(query: bytes) -> date | None:
    """The day asked (today when none), or None when the route should read the query."""
    if not query:
        return today()
    try:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return None
    days = [value for name, value in pairs if name == "on"]
    if not days:
        return today()
    if len(days) > 1 or not _ISO_DAY.fullmatch(days[0]):
        return None
    try:
        return _DAY.validate_python(days[0])
    except ValidationError:
        return None


class MemberListFastPath:
    """Answers ``GET /v1/member-list`` from the cache when it can; else passes it on."""

    def __init__(self, app: ASGIApp, cache: VersionedCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == PATH:
            response = self._hit(scope)
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _hit(self, scope: Scope) -> Response | None:
        if self.cache.stale_check_due():
            return None  # the route reads the stored version first
        day = _day(scope["query_string"])
        if day is None:
            return None
        headers = Headers(scope=scope)
        representation = representation_for(headers.get("accept"))
        if representation is None:
            return None  # the route answers 406
        language = preferred_language(headers.get("accept-language"))
        cached = self.cache.get(member_list_key(day, representation, language), self.cache.token())
        if cached is None:
            return None  # the route looks it up again, and counts the miss
        if self.cache.on_lookup is not None:
            self.cache.on_lookup(True)
        return answer(cached, day, representation, headers.get("if-none-match"))
