"""Observability (issue 13, item 5): `GET /metrics` in Prometheus's text format when
ICAT_METRICS_ENABLED is true, counted by route template, method and status whatever layer
answered (the response cache, the rate limiter), and summed over every worker of
`icat-api serve --workers N`; OpenTelemetry traces switched on by the standard OTEL_* variables,
whose trace id every log line of the request carries.

The tests marked ``live_servers`` start real `icat-api serve` processes on the suite's database
(they only read it), a few seconds each.
"""

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool
from structlog.testing import capture_logs

from icat_api.app import create_app
from icat_api.db import make_engine
from icat_api.observability import tracing
from icat_api.observability.metrics import BUCKETS, HttpMetrics
from icat_api.settings import Settings
from tests.livesrv import BIN, ROOT, free_port

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    """Every sample of an exposition, by name and labels (prometheus_client's own parser)."""
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            key = (sample.name, frozenset(sample.labels.items()))
            assert key not in samples, key  # one value per series
            samples[key] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    """The value of one series, which must be there."""
    return samples[(name, frozenset(labels.items()))]


def series(samples: Samples, name: str) -> dict[frozenset[tuple[str, str]], float]:
    return {labels: v for (n, labels), v in samples.items() if n == name}


def scrape(client: TestClient) -> tuple[Samples, str]:
    r = client.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    return parse(r.text), r.text


@contextmanager
def app_with(settings: Settings, **changes: Any) -> Iterator[FastAPI]:
    """An app of its own (its own registry, cache and pool) on the suite's database."""
    app = create_app(settings.model_copy(update={"metrics_enabled": True, **changes}))
    try:
        yield app
    finally:
        app.state.engine.dispose()


def test_requests_are_counted_by_route_template_method_and_status(settings: Settings) -> None:
    # cache_check_seconds: the member list's second and third requests are the response cache's
    with app_with(settings, cache_check_seconds=60) as app, TestClient(app) as client:
        statuses = [
            client.get("/v1/member-list").status_code,
            client.get("/v1/member-list").status_code,
            client.get("/v1/member-list").status_code,
            client.get("/v1/entities/unodc").status_code,
            client.get("/v1/entities/no-such-entity").status_code,
            client.get("/no/such/route").status_code,
            client.request("BREW", "/v1/member-list").status_code,
            client.post("/v1/entities", json={}).status_code,
            client.get("/openapi.json").status_code,  # a Starlette route: no APIRoute in scope
        ]
        samples, text = scrape(client)
        again, _ = scrape(client)
        pool_size = app.state.engine.pool.size()
    assert statuses == [200, 200, 200, 200, 404, 404, 405, 401, 200]
    assert series(samples, "icat_http_requests_total") == {
        frozenset({"method": m, "route": r, "status": s}.items()): n
        for m, r, s, n in [
            ("GET", "/v1/member-list", "200", 3),
            ("GET", "/v1/entities/{entity_id}", "200", 1),
            ("GET", "/v1/entities/{entity_id}", "404", 1),
            ("GET", "<unmatched>", "404", 1),
            ("OTHER", "/v1/member-list", "405", 1),  # a made-up method makes no series
            ("POST", "/v1/entities", "401", 1),
            ("GET", "/openapi.json", "200", 1),
        ]
    }
    assert "no-such" not in text  # raw paths never become labels
    assert value(again, "icat_http_requests_total", method="GET", route="/metrics", status="200")
    # the latency histogram: every request in +Inf, buckets cumulative
    labels = {"method": "GET", "route": "/v1/member-list"}
    assert value(samples, "icat_http_request_duration_seconds_count", **labels) == 3
    buckets = [
        value(samples, "icat_http_request_duration_seconds_bucket", **labels, le=str(le))
        for le in BUCKETS
    ]
    assert buckets == sorted(buckets)
    assert value(samples, "icat_http_request_duration_seconds_bucket", **labels, le="+Inf") == 3
    assert 0 < value(samples, "icat_http_request_duration_seconds_sum", **labels) < 30
    # the public reads: the member list a miss, then twice from memory (answered before routing,
    # and counted under its route all the same); each entity a miss (a 404 is not kept)
    assert value(samples, "icat_read_cache_misses_total") == 3
    assert value(samples, "icat_read_cache_hits_total") == 2
    assert value(samples, "icat_rate_limit_refusals_total", scope="address") == 0
    assert value(samples, "icat_rate_limit_refusals_total", scope="key") == 0
    # the pool, read when scraped
    assert value(samples, "icat_db_pool_size") == pool_size
    assert value(samples, "icat_db_pool_checked_out") == 0  # between requests
    assert value(samples, "icat_db_pool_checked_in") >= 1
    assert value(samples, "icat_db_pool_overflow") == 0
    assert not [name for name, _ in samples if name.endswith("_created")]


REDIS_DB = "redis://127.0.0.1:6379/13"  # ours alone (test_rate_limit_shared uses 11 and 12)


@pytest.fixture(params=["in-process", "redis"])
def limits_store(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """Where the limits are counted: in the process, or in Redis (emptied before and after)."""
    if request.param == "in-process":
        yield None
        return
    store = redis.Redis.from_url(REDIS_DB)
    store.flushdb()
    try:
        yield REDIS_DB
    finally:
        store.flushdb()
        store.close()


def test_429s_are_counted_by_the_limit_that_refused_them_under_their_route(
    settings: Settings, limits_store: str | None
) -> None:
    key = {"Authorization": "Bearer icat_a-key-no-one-issued"}
    with app_with(
        settings,
        rate_limit_enabled=True,
        rate_limit_per_address="3/hour",
        rate_limit_per_key="1/hour",
        redis_url=limits_store,
        redis_timeout_seconds=5.0,  # counted, even on a loaded machine
    ) as app:
        with TestClient(app, raise_server_exceptions=False) as client:
            keyed = [client.get("/v1/entities/unodc", headers=key).status_code for _ in range(2)]
            plain = [client.get("/v1/entities/unodc").status_code for _ in range(2)]
        # that address has no allowance left: the scraper comes from another
        with TestClient(app, client=("192.0.2.7", 50000)) as scraper:
            samples, _ = scrape(scraper)
    assert keyed == [200, 429]  # the key's one request an hour (the address has made two)
    assert plain == [200, 429]  # the address's three
    assert value(samples, "icat_rate_limit_refusals_total", scope="key") == 1
    assert value(samples, "icat_rate_limit_refusals_total", scope="address") == 1
    # refused before routing, yet under the route the path leads to
    refused = value(
        samples,
        "icat_http_requests_total",
        method="GET",
        route="/v1/entities/{entity_id}",
        status="429",
    )
    assert refused == 2


def test_metrics_are_off_by_default_and_cost_nothing(client: TestClient, app: FastAPI) -> None:
    assert client.get("/metrics").status_code == 404
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]
    layers: list[object] = [m.cls for m in app.user_middleware]
    assert HttpMetrics not in layers
    assert app.state.read_cache.on_lookup is None


def test_metrics_stay_out_of_the_openapi_document(settings: Settings) -> None:
    with app_with(settings) as app:
        assert "/metrics" not in app.openapi()["paths"]


def test_a_scraper_that_asks_for_openmetrics_gets_it(settings: Settings) -> None:
    from prometheus_client.openmetrics.parser import (
        text_string_to_metric_families as openmetrics_families,
    )

    with app_with(settings) as app, TestClient(app) as client:
        client.get("/healthz")
        r = client.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert r.headers["content-type"].startswith("application/openmetrics-text")
    families = {f.name: f for f in openmetrics_families(r.text)}  # type: ignore[no-untyped-call]
    healthz = [s for s in families["icat_http_requests"].samples if s.name.endswith("_total")]
    assert [(s.labels["route"], s.value) for s in healthz] == [("/healthz", 1)]


def _prepare_in_a_new_process(env: dict[str, str], workers: int) -> str:
    """multiproc.prepare() as `icat-api serve` calls it: before prometheus_client is imported,
    which this process did long ago. Answers what it printed: the directory, and the variable
    as the workers will find it."""
    code = (
        "import os; from icat_api.observability import multiproc; "
        f"print(multiproc.prepare({workers}), os.environ.get(multiproc.ENV))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_serve_gives_its_workers_an_empty_directory_for_their_samples(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    made, told = _prepare_in_a_new_process(environ, workers=2).split()
    assert made == told
    assert not Path(made).exists()  # a new directory, removed when the server stops
    # one worker keeps its counts in memory
    assert _prepare_in_a_new_process(environ, workers=1) == "None None"

    given = tmp_path / "samples"
    given.mkdir()
    (given / "README").write_text("not ours")
    environ["PROMETHEUS_MULTIPROC_DIR"] = str(given)
    for workers in (1, 2):  # given, it is used whatever the number of workers
        for stale in ("counter_4242.db", "histogram_4242.db", "gauge_livesum_4242.db"):
            (given / stale).write_bytes(b"a previous run's counts")
        assert _prepare_in_a_new_process(environ, workers) == f"{given} {given}"
        assert [p.name for p in given.iterdir()] == ["README"]  # counts start at zero


@pytest.mark.parametrize(
    ("environ", "on"),
    [
        ({}, False),
        ({"OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=test"}, False),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_SERVICE_NAME": "icat"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_SERVICE_NAME": "icat-registry"}, True),
        ({"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "TRUE"}, False),
    ],
)
def test_tracing_is_switched_by_the_standard_variables(environ: dict[str, str], on: bool) -> None:
    assert tracing.enabled(environ) is on


@pytest.mark.parametrize(
    ("environ", "exporters"),
    [
        ({"OTEL_SERVICE_NAME": "icat"}, ["otlp_proto_http"]),
        ({"OTEL_TRACES_EXPORTER": "console, otlp"}, ["console", "otlp_proto_http"]),
        (
            {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
            ["otlp_proto_grpc"],
        ),
    ],
)
def test_otlp_speaks_http_unless_told_otherwise(
    environ: dict[str, str], exporters: list[str]
) -> None:
    assert tracing._exporter_names(environ) == exporters


def test_the_exporters_named_are_the_installed_ones() -> None:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter

    assert isinstance(tracing._exporter("console"), ConsoleSpanExporter)
    assert isinstance(tracing._exporter("otlp_proto_http"), OTLPSpanExporter)
    with pytest.raises(RuntimeError, match="opentelemetry-exporter-otlp-proto-grpc"):
        tracing._exporter("otlp_proto_grpc")


def test_a_request_is_one_trace_and_its_log_line_names_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=600_000))
    app = create_app(settings)  # no OTEL_* here: not traced until told
    assert exporter.get_finished_spans() == ()
    # Instrumented with this provider rather than through the environment, which would
    # install a global provider in this process for the tests that come after.
    tracing.instrument(app, app.state.engine, provider)
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    processors = tracing.log_processors()  # as configure_logging takes them
    try:
        with TestClient(app) as client, capture_logs(processors=processors) as logged:
            r = client.get("/v1/entities/unodc")
            assert exporter.get_finished_spans() == ()  # batched...
        spans = exporter.get_finished_spans()  # ...and sent as the app stopped
    finally:
        app.state.engine.dispose()
        provider.shutdown()
    assert r.status_code == 200
    [server] = [s for s in spans if s.kind is SpanKind.SERVER]
    assert server.attributes is not None
    assert server.attributes["http.route"] == "/v1/entities/{entity_id}"
    queries = [s for s in spans if s.kind is SpanKind.CLIENT]
    assert queries, [s.name for s in spans]
    assert server.context is not None
    trace_id = server.context.trace_id
    for query in queries:
        assert query.context is not None and query.parent is not None
        assert query.context.trace_id == trace_id
        assert query.parent.span_id == server.context.span_id  # the request's own statements
    backend = make_url(settings.database_url).get_backend_name()
    assert {(q.attributes or {}).get("db.system") for q in queries} == {backend}
    [line] = [e for e in logged if e["event"] == "request"]
    assert line["trace_id"] == format(trace_id, "032x")
    assert line["span_id"] == format(server.context.span_id, "016x")


def test_without_tracing_log_lines_carry_no_trace_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    assert tracing.log_processors() == []


# ---- real servers ------------------------------------------------------------------------


@contextmanager
def serving(
    database_url: str, env: dict[str, str], out: Path, err: Path, *args: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`icat-api serve ARGS` on a free port with ``env`` (none of the developer's ICAT_, OTEL_
    or PROMETHEUS_ settings), its stdout and stderr in files; answers once it is ready."""
    port = free_port()
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("ICAT_", "OTEL_", "PROMETHEUS_"))
    }
    environ |= {"ICAT_DATABASE_URL": database_url, "ICAT_LOG_JSON": "true", **env}
    with out.open("w") as stdout, err.open("w") as stderr:
        proc = subprocess.Popen(
            [str(BIN / "icat-api"), "serve", "--port", str(port), *args],
            env=environ,
            cwd=ROOT,
            stdout=stdout,
            stderr=stderr,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None, f"serve exited: {err.read_text()[-3000:]}"
                assert time.monotonic() < deadline, f"serve is not up: {err.read_text()[-3000:]}"
                time.sleep(0.1)
            yield base, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def worker_of(r: httpx.Response) -> str:
    return r.headers["x-request-id"][:12]  # each process numbers its own request ids


@pytest.mark.live_servers
def test_two_workers_count_every_request_once_whichever_answers_the_scrape(
    database_url: str, tmp_path: Path
) -> None:
    """The workers write their samples to a directory given here (else a temporary one), so
    that what is left of it when they stop can be seen."""
    samples_dir = tmp_path / "samples"
    env = {
        "ICAT_METRICS_ENABLED": "true",
        "ICAT_RATE_LIMIT_ENABLED": "false",
        "PROMETHEUS_MULTIPROC_DIR": str(samples_dir),
    }
    answered: dict[str, int] = {}
    scraped: dict[str, list[Samples]] = {}
    labels = {"method": "GET", "route": "/v1/member-list"}
    with serving(
        database_url, env, tmp_path / "out.log", tmp_path / "err.log", "--workers", "2"
    ) as (base, _):
        # a new connection each time, until each worker has answered ten
        deadline = time.monotonic() + 30
        while (len(answered) < 2 or min(answered.values()) < 10) and time.monotonic() < deadline:
            r = httpx.get(f"{base}/v1/member-list", timeout=5)
            assert r.status_code == 200
            answered[worker_of(r)] = answered.get(worker_of(r), 0) + 1
        sent = sum(answered.values())
        # A worker counts a request once its answer is sent: the last may not be counted yet.
        while time.monotonic() < deadline:
            counted = parse(httpx.get(f"{base}/metrics", timeout=5).text)
            if (
                min(
                    value(counted, "icat_http_requests_total", **labels, status="200"),
                    value(counted, "icat_http_request_duration_seconds_count", **labels),
                )
                >= sent
            ):
                break
            time.sleep(0.1)
        # then scrapes until each worker has answered two
        while (len(scraped) < 2 or min(map(len, scraped.values())) < 2) and (
            time.monotonic() < deadline
        ):
            r = httpx.get(f"{base}/metrics", timeout=5)
            assert r.status_code == 200, r.text
            scraped.setdefault(worker_of(r), []).append(parse(r.text))
    assert len(answered) == 2 and min(answered.values()) >= 10, answered
    assert len(scraped) == 2, scraped.keys()
    pool = make_engine(database_url).pool
    assert isinstance(pool, QueuePool)
    per_worker_pool = pool.size()
    for samples in [s for by_worker in scraped.values() for s in by_worker]:
        assert value(samples, "icat_http_requests_total", **labels, status="200") == sent
        assert value(samples, "icat_http_request_duration_seconds_count", **labels) == sent
        assert value(samples, "icat_http_request_duration_seconds_bucket", **labels, le="+Inf") == (
            sent
        )
        looked_up = value(samples, "icat_read_cache_hits_total") + value(
            samples, "icat_read_cache_misses_total"
        )
        assert looked_up == sent  # each member list request consulted the cache once
        assert value(samples, "icat_read_cache_misses_total") >= 2  # each worker built its own
        assert value(samples, "icat_db_pool_size") == 2 * per_worker_pool  # both workers' pools
    # stopped: the counts stay, each worker's pool left the sum
    left = sorted(re.sub(r"\d+", "PID", p.name) for p in samples_dir.iterdir())
    assert left == ["counter_PID.db"] * 2 + ["histogram_PID.db"] * 2


def span_objects(text: str) -> list[dict[str, Any]]:
    """The JSON objects the console exporter printed one after another (each over many lines)."""
    decoder = json.JSONDecoder()
    objects, at = [], 0
    text = text.strip()
    while at < len(text):
        obj, at = decoder.raw_decode(text, at)
        objects.append(obj)
        while at < len(text) and text[at].isspace():
            at += 1
    return objects


@pytest.mark.live_servers
def test_one_worker_traces_by_the_otel_variables_and_counts_in_memory(
    database_url: str, tmp_path: Path
) -> None:
    """`icat-api serve` (one worker) with OTEL_TRACES_EXPORTER=console and metrics on: the
    request's spans and its JSON log line agree, and /metrics counts it."""
    env = {
        "ICAT_METRICS_ENABLED": "true",
        "OTEL_TRACES_EXPORTER": "console",
        "OTEL_SERVICE_NAME": "icat-under-test",
        "OTEL_BSP_SCHEDULE_DELAY": "600000",  # no batch leaves before the server stops
    }
    out, err = tmp_path / "spans.json", tmp_path / "err.log"
    with serving(database_url, env, out, err) as (base, _):
        r = httpx.get(f"{base}/v1/entities/unodc", timeout=5)
        assert r.status_code == 200
        request_id = r.headers["x-request-id"]
        scraped = httpx.get(f"{base}/metrics", timeout=5)
        assert out.read_text() == ""
    spans = span_objects(out.read_text())  # sent as it stopped (SIGTERM: no atexit handlers)
    [server] = [
        s
        for s in spans
        if s["kind"] == "SpanKind.SERVER"
        and s["attributes"].get("http.route") == "/v1/entities/{entity_id}"
    ]
    assert server["resource"]["attributes"]["service.name"] == "icat-under-test"
    trace_id = server["context"]["trace_id"]
    queries = [
        s for s in spans if s["kind"] == "SpanKind.CLIENT" and s["context"]["trace_id"] == trace_id
    ]
    assert queries and all(q["parent_id"] == server["context"]["span_id"] for q in queries)
    lines = [json.loads(line) for line in err.read_text().split("\n") if line.startswith("{")]
    [logged] = [e for e in lines if e.get("request_id") == request_id]
    assert logged["event"] == "request"
    assert "0x" + logged["trace_id"] == trace_id
    assert "0x" + logged["span_id"] == server["context"]["span_id"]
    assert scraped.status_code == 200
    samples = parse(scraped.text)
    route = "/v1/entities/{entity_id}"
    assert value(samples, "icat_http_requests_total", method="GET", route=route, status="200") == 1
    pool = make_engine(database_url).pool
    assert isinstance(pool, QueuePool)
    assert value(samples, "icat_db_pool_size") == pool.size()
