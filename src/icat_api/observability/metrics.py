"""Prometheus metrics, served at ``GET /metrics`` when ``ICAT_METRICS_ENABLED`` is true.

* ``icat_http_requests_total{method,route,status}`` and
  ``icat_http_request_duration_seconds{method,route}`` (a histogram): every answer, refusals
  included (:class:`HttpMetrics` sits outside every other layer), under its route template
  (``/v1/entities/{entity_id}``), never the raw path. A path no route matches is
  ``<unmatched>`` and a method outside HTTP's usual seven is ``OTHER``: callers cannot make new
  series. An answer given before routing (the response cache's hits, a 429, a 413) is labelled
  with the template its path would have reached.
* ``icat_read_cache_hits_total`` / ``icat_read_cache_misses_total``: lookups of the read cache
  (:class:`~icat_api.data_version.VersionedCache`), one per request that consults it.
* ``icat_rate_limit_refusals_total{scope}``: 429s, by the limit that refused (address, key).
* ``icat_db_pool_size`` / ``_checked_in`` / ``_checked_out`` / ``_overflow``: the SQLAlchemy
  connection pool (a pool that does not queue, SQLite in memory, reports none).

One process keeps its counts in memory and reads the pool when scraped (a custom collector).
Several workers each count on their own: ``icat-api serve --workers N`` sets
``PROMETHEUS_MULTIPROC_DIR`` (:mod:`~icat_api.observability.multiproc`), each worker writes its
samples to files there, and whichever worker answers a scrape adds them all up. A worker cannot
read another's pool, so in that mode each publishes its own to gauges summed over the live
workers (``livesum``) every second and before it answers a scrape. Files cost more than memory
(a lock and a file write per sample: about twice the time a request), hence one worker keeps
to memory.

This module imports prometheus_client: import it only when metrics are enabled.
"""

import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from fastapi import FastAPI
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    values,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from icat_api.observability import at_shutdown
from icat_api.observability.multiproc import ENV

PATH = "/metrics"
UNMATCHED = "<unmatched>"
OTHER_METHOD = "OTHER"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# From half a millisecond (the member list from memory) to ten seconds (a lock wait gives up
# after five).
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
REFUSAL_SCOPES = ("address", "key")

# No *_created series (each counter's creation time): the multiprocess mode has none, and one
# exposition whatever the number of workers is simpler to read and to test.
disable_created_metrics()  # type: ignore[no-untyped-call]

_POOL = (
    ("size", "Connections the database pool keeps open at most without overflow (its size)."),
    ("checked_in", "Idle connections in the database pool."),
    ("checked_out", "Database connections in use."),
    ("overflow", "Database connections open beyond the pool's size."),
)


def _pool_state(engine: Engine) -> dict[str, int] | None:
    pool = engine.pool  # read each time: dispose() replaces it
    if not isinstance(pool, QueuePool):
        return None
    return {
        "size": pool.size(),
        "checked_in": pool.checkedin(),
        "checked_out": pool.checkedout(),
        "overflow": max(0, pool.overflow()),  # SQLAlchemy counts up from -size
    }


class _PoolCollector(Collector):
    """The pool as it is when scraped (one process)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def collect(self) -> Iterable[Metric]:
        state = _pool_state(self._engine)
        if state is None:
            return
        for name, doc in _POOL:
            yield GaugeMetricFamily(f"icat_db_pool_{name}", doc, value=state[name])


class _PoolPublisher(Collector):
    """Multiprocess mode: this worker's pool, written to gauges summed over the live workers
    every ``every`` seconds, and (as a collector that yields nothing, registered before the
    files are read) just before this worker answers a scrape."""

    def __init__(self, engine: Engine, directory: str, every: float = 1.0) -> None:
        self._engine = engine
        self._every = every
        self._gauges = {
            name: Gauge(f"icat_db_pool_{name}", doc, registry=None, multiprocess_mode="livesum")
            for name, doc in _POOL
        }
        _forget_dead_workers(directory)
        self.publish()
        threading.Thread(target=self._run, name="icat-metrics-pool", daemon=True).start()

    def publish(self) -> None:
        state = _pool_state(self._engine)
        if state is not None:
            for name, gauge in self._gauges.items():
                gauge.set(state[name])

    def _run(self) -> None:
        while True:
            time.sleep(self._every)
            self.publish()

    def collect(self) -> Iterable[Metric]:
        self.publish()
        return ()


_LIVE_GAUGE_FILE = re.compile(r"gauge_live[a-z]+_(\d+)\.db")


def _forget_dead_workers(directory: str) -> None:
    """Drop the live gauges of workers that died without saying so (a crash: the server starts
    another), else their last pool would be summed for ever."""
    for path in Path(directory).iterdir():
        found = _LIVE_GAUGE_FILE.fullmatch(path.name)
        if found is None:
            continue
        pid = int(found.group(1))
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]
        except PermissionError:  # alive, another user's
            pass


def _leaves(routes: Iterable[BaseRoute]) -> Iterator[tuple[re.Pattern[str], str]]:
    """Every route's path pattern and template, in the router's order."""
    for route in routes:
        nested = getattr(route, "effective_route_contexts", None)
        if callable(nested):  # FastAPI >= 0.15x keeps an included router whole
            for context in nested():
                path_format = str(context.path_format)
                yield compile_path(path_format)[0], path_format
        elif isinstance(route, Mount):
            yield route.path_regex, route.path_format
        else:
            regex = getattr(route, "path_regex", None)
            template = getattr(route, "path_format", None)
            if isinstance(regex, re.Pattern) and isinstance(template, str):
                yield regex, template


class _Templates:
    """The route template of a path that was answered before routing: a dictionary for paths
    without parameters (the response cache's hits cost a lookup), else the routes' patterns
    in order (refusals, unmatched paths). Built at first use, once every route is there."""

    def __init__(self, routes: Callable[[], Sequence[BaseRoute]]) -> None:
        self._routes = routes
        self._static: dict[str, str] | None = None
        self._patterns: list[tuple[re.Pattern[str], str]] = []

    def of(self, path: str) -> str:
        if self._static is None:
            self._static = {}
            for regex, template in _leaves(self._routes()):
                if "{" not in template:  # no parameter: the one path it matches
                    self._static.setdefault(template, template)
                else:
                    self._patterns.append((regex, template))
        static = self._static.get(path)
        if static is not None:
            return static
        for regex, template in self._patterns:
            if regex.match(path):
                return template
        return UNMATCHED


class Metrics:
    """The app's metrics and the registry ``GET /metrics`` answers from."""

    def __init__(self, engine: Engine, routes: Callable[[], Sequence[BaseRoute]]) -> None:
        directory = os.environ.get(ENV) or None
        if directory is not None and values.ValueClass is values.MutexValue:
            raise RuntimeError(f"{ENV} was set after prometheus_client was imported")
        own = None if directory is not None else CollectorRegistry()
        self._requests = Counter(
            "icat_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=own,
        )
        self._duration = Histogram(
            "icat_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by method and route template.",
            ["method", "route"],
            buckets=BUCKETS,
            registry=own,
        )
        misses = Counter(
            "icat_read_cache_misses",
            "Read-cache lookups that found no answer for the current data (built, then kept).",
            registry=own,
        )
        hits = Counter(
            "icat_read_cache_hits",
            "Read-cache lookups answered from memory (the member list, the Working Group, the "
            "Chair's report).",
            registry=own,
        )
        self._lookups = (misses, hits)
        refusals = Counter(
            "icat_rate_limit_refusals",
            "Requests refused with 429, by the limit that refused them (address or key).",
            ["scope"],
            registry=own,
        )
        self._refusals = {scope: refusals.labels(scope) for scope in REFUSAL_SCOPES}
        self.multiprocess_dir = directory
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self._templates = _Templates(routes)
        if own is not None:
            own.register(_PoolCollector(engine))
            self.registry = own
        else:
            assert directory is not None
            self.registry = CollectorRegistry()
            self.registry.register(_PoolPublisher(engine, directory))  # first: publishes
            MultiProcessCollector(self.registry, path=directory)  # type: ignore[no-untyped-call]

    def cache_lookup(self, hit: bool) -> None:
        """Counts a lookup of the read cache."""
        self._lookups[hit].inc()

    def refused(self, scope: str) -> None:
        """Counts a 429 of the ``scope`` limit (``address`` or ``key``)."""
        self._refusals[scope].inc()

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        """Counts an answered request."""
        method = scope["method"]
        if method not in METHODS:
            method = OTHER_METHOD
        route = scope.get("route")  # set by the router; absent when answered before it
        template = getattr(route, "path_format", None) if route is not None else None
        if template is None:
            template = self._templates.of(scope["path"])
        key = (method, template, status)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (
                self._requests.labels(method, template, str(status)),
                self._duration.labels(method, template),
            )
        children[0].inc()
        children[1].observe(seconds)

    def endpoint(self, request: Request) -> Response:
        """``GET /metrics``: the text exposition (or OpenMetrics, when the scraper asks)."""
        encoder, content_type = choose_encoder(request.headers.get("accept", ""))
        return Response(
            encoder(self.registry),
            headers={"Content-Type": content_type, "Cache-Control": "no-store"},
        )


class HttpMetrics:
    """Counts and times every HTTP request (pure ASGI: outermost, so refusals count too)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # no answer started: the server answers 500 or the client went away

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self.metrics.observe(scope, status, time.perf_counter() - started)


def install(app: FastAPI, engine: Engine) -> Metrics:
    """Metrics for ``app`` (its requests, its read cache, the pool of ``engine``) and the
    ``GET /metrics`` route (left out of the OpenAPI document). Add :class:`HttpMetrics`
    outermost, and pass :meth:`Metrics.refused` to the rate limiter."""
    metrics = Metrics(engine, lambda: app.routes)
    directory = metrics.multiprocess_dir
    if directory is not None:  # this worker's pool leaves the sum when it stops
        at_shutdown(app, lambda: mark_process_dead(os.getpid(), directory))  # type: ignore[no-untyped-call]
    app.state.metrics = metrics
    app.state.read_cache.on_lookup = metrics.cache_lookup
    app.add_api_route(PATH, metrics.endpoint, methods=["GET"], include_in_schema=False)
    return metrics
