"""The response cache: every anonymous public read answered from memory until the data changes.

A registry changes a few times a month and is read all day. An anonymous ``GET`` (``HEAD``
arrives here as one) of a path under ``/v1/`` whose route answered ``200`` is kept — its bytes
and headers as they were sent — in the data-versioned read cache (``data_version``), keyed by
everything the answer can depend on:

* the path, and the query as the routes read it (its pairs decoded, sorted by name: ``?b=2&a=1``
  is ``?a=1&b=2``; repeated names keep their order);
* the representation: the weight ``Accept`` gives each media type any route offers
  (``negotiation.weights``), which decides what any route answers with;
* the UN language ``Accept-Language`` prefers (``languages.preferred_language``);
* today's date in the registry's time zone (answers "as of today" change at midnight).

The next such request is answered here, before routing, with those bytes and headers — or a
``304`` with the same headers (no body, no ``Content-Type``/``Content-Length``) when its
``If-None-Match`` names the ETag, as the routes' own ``304`` answers. A miss runs the route
without ``If-None-Match`` (so the ``200`` can be kept) and answers from what it returned the
same way. A write shows at once in its own process and within ``ICAT_CACHE_CHECK_SECONDS`` in
others (the data version). Kept: only ``200`` answers without ``Cache-Control: no-store`` or
``private``; bounded in entries and bytes (least recently used out).

Keyed reads are never looked up nor kept: a request with an ``Authorization`` header goes to its
route, which applies its visibility rules (a key's view is never cached, so never leaked).
Inside the request-id, rate-limit and input-guard layers: a hit is logged, limited and guarded
like any request.
"""

from collections.abc import Callable, Hashable, Iterator, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from icat_api.clock import today
from icat_api.conditional import etag_matches
from icat_api.data_version import Cached, VersionedCache
from icat_api.languages import preferred_language
from icat_api.negotiation import weights

PREFIX = "/v1/"
_NOT_IN_304 = frozenset({b"content-type", b"content-length"})
_UNCACHEABLE = ("no-store", "private")
_MEMO = 1024  # headers and queries whose keys are remembered (what clients send is a handful)


def endpoints(routes: Sequence[BaseRoute]) -> Iterator[Any]:
    """Each route's endpoints, those of included routers too (FastAPI keeps a router whole)."""
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if callable(contexts):
            yield from contexts()
        else:
            yield route


def media_types(routes: Sequence[BaseRoute]) -> tuple[str, ...]:
    """Every media type (without parameters) a ``GET`` of ``routes`` declares for a success:
    its response class's, and those of its documented 2xx answers (read from the routes, not
    from the OpenAPI document: building that costs seconds at the first request)."""
    found = {"application/json"}
    for endpoint in endpoints(routes):
        if "GET" not in (getattr(endpoint, "methods", None) or ()):
            continue
        media_type = getattr(getattr(endpoint, "response_class", None), "media_type", None)
        if isinstance(media_type, str):
            found.add(media_type)
        for status, response in (getattr(endpoint, "responses", None) or {}).items():
            if str(status).startswith("2"):
                found.update(response.get("content", {}))
    return tuple(sorted({t.split(";")[0].strip().lower() for t in found}))


@lru_cache(maxsize=_MEMO)
def query_key(raw: bytes) -> tuple[tuple[str, str], ...]:
    """The query as the routes read it (Starlette's parsing), sorted by name."""
    if not raw:
        return ()
    return tuple(
        sorted(parse_qsl(raw.decode("latin-1"), keep_blank_values=True), key=itemgetter(0))
    )


@lru_cache(maxsize=_MEMO)
def _weights(accept: bytes, universe: tuple[str, ...]) -> Hashable:
    return weights(accept.decode("latin-1"), universe)


def storable(headers: Sequence[tuple[bytes, bytes]]) -> bool:
    """Whether a 200 may be kept for anyone: its headers do not say otherwise."""
    for name, value in headers:
        if name.lower() == b"cache-control" and any(
            word in value.decode("latin-1").lower() for word in _UNCACHEABLE
        ):
            return False
        if name.lower() == b"set-cookie":
            return False
    return True


class ResponseCache:
    """Answers anonymous public reads from ``cache`` when it can; else runs the route and keeps
    its answer. ``offered`` names the media types the routes answer with (read once, at the
    first request: the routes are all there by then)."""

    def __init__(
        self, app: ASGIApp, cache: VersionedCache, offered: Callable[[], Sequence[str]]
    ) -> None:
        self.app = app
        self.cache = cache
        self._offered = offered
        self._universe: tuple[str, ...] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        accept = language = if_none_match = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                await self.app(scope, receive, send)  # a keyed read: its route, always
                return
            if name == b"accept":
                accept = value if accept is None else accept
            elif name == b"accept-language":
                language = value if language is None else language
            elif name == b"if-none-match":
                if_none_match = value if if_none_match is None else if_none_match
        cache = self.cache
        if cache.claim_check():
            await run_in_threadpool(cache.refresh)
        key = (
            scope["path"],
            query_key(scope["query_string"]),
            self._accept_key(accept),
            preferred_language(None if language is None else language.decode("latin-1")),
            today(),
        )
        token = cache.token()  # taken before the route reads: a write meanwhile makes it stale
        hit = cache.get(key, token)
        if cache.on_lookup is not None:
            cache.on_lookup(hit is not None)
        inm = None if if_none_match is None else if_none_match.decode("latin-1")
        if hit is not None:
            await _answer(hit, inm, send)
            return
        await self._miss(scope, receive, send, key, token, inm)

    def _accept_key(self, accept: bytes | None) -> Hashable:
        if accept is None:
            return None
        if self._universe is None:
            self._universe = tuple(self._offered())
        return _weights(accept, self._universe)

    async def _miss(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: Hashable,
        token: tuple[int, int],
        inm: str | None,
    ) -> None:
        if inm is not None:  # the route answers its 200, kept; the 304 is given from it
            scope = {**scope, "headers": [h for h in scope["headers"] if h[0] != b"if-none-match"]}
        start: Message | None = None
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._finish(start, b"".join(chunks), key, token, inm, send)
            else:
                await send(message)

        await self.app(scope, receive, keep)

    async def _finish(
        self,
        start: Message | None,
        body: bytes,
        key: Hashable,
        token: tuple[int, int],
        inm: str | None,
        send: Send,
    ) -> None:
        assert start is not None  # ASGI: the start comes before the body
        if start["status"] != 200:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        headers = tuple((bytes(k), bytes(v)) for k, v in start.get("headers", ()))
        etag = next((v.decode("latin-1") for k, v in headers if k == b"etag"), "")
        kept = Cached(body=body, etag=etag, headers=headers)
        if storable(headers):
            self.cache.put(key, token, kept)
        await _answer(kept, inm, send)  # the 304 the route would have given, if it names it


async def _answer(kept: Cached, if_none_match: str | None, send: Send) -> None:
    """The kept answer: its 200, or a 304 with its headers when ``If-None-Match`` names it."""
    if kept.etag and etag_matches(if_none_match, kept.etag):
        headers = [h for h in kept.headers if h[0] not in _NOT_IN_304]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": list(kept.headers)})
    await send({"type": "http.response.body", "body": kept.body})
