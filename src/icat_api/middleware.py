"""Pure ASGI middleware (no BaseHTTPMiddleware: it costs on every request)."""

import itertools
import json
import os
import re
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from icat_api.problems import problem_response

log = structlog.get_logger("icat_api.access")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Request ids made here: random per process, then counted (unique without a syscall each).
_ID_PREFIX = os.urandom(6).hex()
_ID_COUNTER = itertools.count(1)


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            incoming: str = value.decode("latin-1")
            return incoming if _REQUEST_ID.fullmatch(incoming) else None
    return None


class RequestContext:
    """Gives each request an id (``X-Request-ID``, echoed back), binds it to the logs, and logs
    one line per request. Outermost: an exception nothing else handled is logged here once and
    answered as a problem+json 500 with the request's id (never re-raised, so the server does
    not log it a second time)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or f"{_ID_PREFIX}{next(_ID_COUNTER):012x}"
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        answered = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                answered = True
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled_error", method=scope["method"], path=scope["path"])
            if not answered:
                answer = problem_response(
                    500, "An unexpected error occurred; it has been logged.", request=Request(scope)
                )
                await answer(scope, receive, send_with_id)
        finally:
            client = scope.get("client")  # as ForwardedClient left it, behind a trusted proxy
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 2),
                client=client[0] if client else None,
            )


def _replay(first: Message, receive: Receive) -> Receive:
    """A ``receive`` that gives ``first`` once, then what the client sends next (its
    disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return first
        return await receive()

    return replayed


class _DuplicateKey(Exception):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _DuplicateKey
    return out


def _duplicate_key(body: bytes) -> bool:
    """Whether ``body`` is JSON that names a key twice in one object (the last would silently
    win). Other bad JSON is left to the handler (400)."""
    if not body or b'"' not in body:
        return False
    try:
        json.loads(body, object_pairs_hook=_pairs)
    except _DuplicateKey:
        return True
    except (ValueError, RecursionError):
        return False
    return False


_JSON_TYPE = re.compile(r"^application/([a-z0-9.+-]+\+)?json\s*(;.*)?$", re.IGNORECASE)


class InputGuard:
    """What no handler should have to think about: a body over ``max_bytes`` is 413 (announced
    by Content-Length or not), a body that is not JSON is 415, a NUL in a query parameter is
    422."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = self._refusal(scope)
        if problem is not None:
            await problem(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        # The body, read whole (it is at most max_bytes), then handed on as one message.
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay(message, receive), send)  # the client went away
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_bytes:
                answer = problem_response(
                    413, f"The body is larger than {self.max_bytes} bytes.", request=Request(scope)
                )
                await answer(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if _duplicate_key(body):
            answer = problem_response(
                400,
                "The body's JSON names a key twice in one object; each key once.",
                request=Request(scope),
            )
            await answer(scope, receive, send)
            return
        await self.app(scope, _replay({"type": "http.request", "body": body}, receive), send)

    def _refusal(self, scope: Scope) -> JSONResponse | None:
        query = scope.get("query_string", b"")
        if b"%00" in query or b"\x00" in query:
            for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
                if "\x00" in name or "\x00" in value:
                    return problem_response(
                        422,
                        f"query parameter {name!r}: NUL characters are not allowed",
                        request=Request(scope),
                        errors=[
                            {
                                "loc": ["query", name.replace("\x00", "")],
                                "msg": "NUL characters are not allowed",
                            }
                        ],
                    )
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            return None
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return problem_response(
                413, f"The body is larger than {self.max_bytes} bytes.", request=Request(scope)
            )
        has_body = (length is not None and length != b"0") or b"transfer-encoding" in headers
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        if has_body and content_type and not _JSON_TYPE.match(content_type):
            return problem_response(
                415,
                f"The body must be JSON (Content-Type: application/json), not {content_type[:100]!r}.",
                request=Request(scope),
            )
        return None


class HostGuard:
    """Answers only for the host names in ``ICAT_ALLOWED_HOSTS`` (``*`` for any; ``*.example.org``
    for its subdomains): another ``Host`` is 400. And a redirect (a trailing slash) never
    echoes the request's ``Host``: its ``Location`` is a path on this service."""

    def __init__(self, app: ASGIApp, allowed_hosts: list[str]) -> None:
        self.app = app
        self.any_host = "*" in allowed_hosts
        self.exact = {h.lower() for h in allowed_hosts if not h.startswith("*.")}
        self.suffixes = tuple(h[1:].lower() for h in allowed_hosts if h.startswith("*."))

    def _allowed(self, scope: Scope) -> bool:
        if self.any_host:
            return True
        host = next((v for k, v in scope["headers"] if k == b"host"), b"").decode("latin-1")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        name = name.lower()
        return name in self.exact or (bool(self.suffixes) and name.endswith(self.suffixes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self._allowed(scope):
            answer = problem_response(
                400, "This service does not answer for that Host.", request=Request(scope)
            )
            await answer(scope, receive, send)
            return

        async def relative_redirects(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                message["headers"] = [
                    (k, _path_only(v) if k.lower() == b"location" else v)
                    for k, v in message.get("headers", [])
                ]
            await send(message)

        await self.app(scope, receive, relative_redirects)


def _path_only(location: bytes) -> bytes:
    """``http://any.host/v1/x?y`` -> ``/v1/x?y``: never send a caller to a host it named."""
    parts = urlsplit(location.decode("latin-1"))
    path = "/" + parts.path.lstrip("/")  # never '//host': a scheme-relative URL
    return (path + (f"?{parts.query}" if parts.query else "")).encode("latin-1")
