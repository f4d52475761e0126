"""What browsers need: HEAD on every GET, and CORS (pure ASGI, like the rest of the middleware).

CORS (Starlette's ``CORSMiddleware``, configured from ``ICAT_CORS_ORIGINS``, default ``*``):
a page on any origin may read the public answers, never with credentials (cookies are not how
this API authenticates). A request that carries a key, or writes, or a preflight that asks
for either, comes only from an origin listed by name in ``ICAT_CORS_ORIGINS`` (``*`` does not
count) or from the service's own origin (the docs' "Try it out"); from any other origin it is
a 403 problem+json, before it reaches the application: a key pasted into someone else's page
does not work there.
"""

from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from icat_api.problems import problem_response

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
ALLOWED_HEADERS = (
    "Accept",
    "Accept-Language",
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "If-Match",
    "If-None-Match",
    "X-Request-ID",
)
EXPOSED_HEADERS = (
    "Content-Disposition",
    "Content-Language",
    "ETag",
    "Idempotent-Replayed",
    "Location",
    "Retry-After",
    "X-Request-ID",
)


class HeadAsGet:
    """``HEAD`` answered as the ``GET`` of the same URL without its body (RFC 9110, 9.3.2):
    the same status and headers, ``Content-Length`` and ``ETag`` included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


def _own_origin(scope: Scope, headers: Headers) -> str:
    return f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"


class CorsPolicy:
    """CORS for browsers; keyed or writing cross-origin requests only from listed origins."""

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        self.listed = frozenset(o.rstrip("/") for o in origins if o != "*")
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_methods=["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=list(ALLOWED_HEADERS),
            expose_headers=list(EXPOSED_HEADERS),
            allow_credentials=False,
            max_age=600,
        )

    def _keyed(self, scope: Scope, headers: Headers) -> bool:
        """Whether the request (or the one a preflight announces) carries a key or writes."""
        method = scope["method"]
        if method == "OPTIONS" and "access-control-request-method" in headers:
            asked = headers["access-control-request-method"].upper()
            asked_headers = headers.get("access-control-request-headers", "")
            wanted = {h.strip().lower() for h in asked_headers.split(",")}
            return asked not in SAFE or "authorization" in wanted
        return "authorization" in headers or method not in SAFE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if (
            origin is not None
            and origin.rstrip("/") not in self.listed
            and origin.rstrip("/") != _own_origin(scope, headers)
            and self._keyed(scope, headers)
        ):
            response = problem_response(
                403,
                "Requests with an API key, and writes, are accepted from browsers only on the "
                "origins listed in ICAT_CORS_ORIGINS.",
                request=Request(scope),
            )
            await response(scope, receive, send)
            return
        await self.cors(scope, receive, send)
