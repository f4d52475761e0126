"""Rate limits that hold across processes (issue 12): through Redis (ICAT_REDIS_URL) every
worker and replica shares one allowance; Redis away, requests are served and one warning is
logged; `serve --workers N` gives every worker the same settings and JSON logs.

Redis on 127.0.0.1:6379 (`.ci/run` starts it): these tests use databases 11 and 12 only, and
flush only those. The tests marked ``live_servers`` start real `icat-api serve` processes on the
suite's database (they only read it), a few seconds each.
"""

import asyncio
import json
import math
import os
import shutil
import socket
import subprocess
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
import redis
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from icat_api.app import create_app
from icat_api.ratelimit import SharedGcra
from icat_api.settings import Settings
from tests.livesrv import BIN, ROOT, free_port

SERVERS_DB = "redis://127.0.0.1:6379/11"  # the two servers sharing one limit
IN_PROCESS_DB = "redis://127.0.0.1:6379/12"  # the app in this process
# Redis's 0.25 s by default: a process paused that long on a loaded machine would serve a request
# uncounted (failing open) and the exact sequences of 200s and 429s below would not hold
PATIENT = "5"


@contextmanager
def flushed(url: str) -> Iterator[redis.Redis]:
    """Our own Redis database, empty before and after."""
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


@contextmanager
def serving(
    database_url: str, log_path: Path, env: dict[str, str], *args: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`icat-api serve ARGS` on a free port with ``env`` (and no ICAT_ setting of the
    developer's), started; answers its base URL once it has been asked to start. Wait for it
    with ``ready``."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ICAT_")}
    environ |= {"ICAT_DATABASE_URL": database_url, "ICAT_LOG_JSON": "true", **env}
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [str(BIN / "icat-api"), "serve", "--port", str(port), *args],
            env=environ,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield f"http://127.0.0.1:{port}", proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def ready(base: str, proc: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert proc.poll() is None, f"serve exited: {log_path.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"serve did not start: {log_path.read_text()[-3000:]}"
        time.sleep(0.1)


def log_records(log_path: Path) -> list[dict[str, object]]:
    """Every line the server wrote, each a JSON record (a line that is not fails the test)."""
    records = []
    for line in log_path.read_text().split("\n"):  # JSON lines end at \n only
        if line.strip():
            record = json.loads(line)
            assert isinstance(record, dict), line
            records.append(record)
    return records


def forged(i: int) -> dict[str, str]:
    """A new forwarded address on every request: a client trying to look like many."""
    return {"X-Forwarded-For": f"203.0.113.{i % 250}", "Forwarded": f"for=192.0.2.{i % 250}"}


@pytest.mark.live_servers
def test_two_servers_sharing_redis_allow_the_setting_in_total_not_twice(
    database_url: str, tmp_path: Path
) -> None:
    """Requests alternate between two `serve` processes, each from 127.0.0.1 (not a trusted
    proxy: its forged X-Forwarded-For must not help, nor may uvicorn believe it)."""
    env = {
        "ICAT_RATE_LIMIT_ENABLED": "true",
        "ICAT_RATE_LIMIT_PER_ADDRESS": "12/hour",
        "ICAT_RATE_LIMIT_PER_KEY": "4/hour",
        "ICAT_REDIS_URL": SERVERS_DB,
        "ICAT_REDIS_TIMEOUT_SECONDS": PATIENT,
    }
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    with flushed(SERVERS_DB) as store, ExitStack() as stack:
        servers = [stack.enter_context(serving(database_url, log, env)) for log in logs]
        for (base, proc), log in zip(servers, logs, strict=True):
            ready(base, proc, log)
        store.flushdb()  # the readiness probes are not limited; nothing else came before
        bases = [base for base, _ in servers]

        def get(i: int, headers: dict[str, str]) -> httpx.Response:
            return httpx.get(
                f"{bases[i % 2]}/v1/member-list", headers={**forged(i), **headers}, timeout=5
            )

        # one key, from both servers: 4 allowed (each request also counts for the address)
        keyed = [get(i, {"Authorization": "Bearer icat_one-key-on-two-servers"}) for i in range(6)]
        # then no key: the address has 12 - 6 left, wherever the request lands
        plain = [get(i, {}) for i in range(6, 26)]
        ttls = [store.pttl(k) for k in store.keys("icat:ratelimit:*")]

    assert [r.status_code for r in keyed] == [200] * 4 + [429] * 2
    assert [r.status_code for r in plain] == [200] * 6 + [429] * 14
    for refused in [*keyed[4:], *plain[6:]]:
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert 1 <= int(refused.headers["retry-after"]) <= 3600
    # both servers answered, and both refused: the allowance was one, not one each
    answered = [
        [r for r in [*keyed, *plain] if r.url.port == int(b.rsplit(":", 1)[1])] for b in bases
    ]
    for answers in answered:
        assert {r.status_code for r in answers} == {200, 429}
    assert len(ttls) == 2 and all(0 < t <= 3600 * 1000 for t in ttls)  # address and key expire
    for log in logs:
        clients = {r.get("client") for r in log_records(log) if r.get("event") == "request"}
        assert clients == {"127.0.0.1"}  # the access log names the peer, not the forged ones


def test_in_process_redis_limits_with_the_same_semantics(settings: Settings) -> None:
    app = create_app(
        settings.model_copy(
            update={
                "rate_limit_enabled": True,
                "rate_limit_per_address": "5/minute",
                "rate_limit_per_key": "3/minute",
                "redis_url": IN_PROCESS_DB,
                "redis_timeout_seconds": float(PATIENT),
            }
        )
    )
    key = {"Authorization": "Bearer icat_in-process"}
    try:
        with flushed(IN_PROCESS_DB) as store, TestClient(app) as c:
            started = time.monotonic()
            keyed = [c.get("/v1/member-list", headers=key).status_code for _ in range(4)]
            plain = [c.get("/v1/entities") for _ in range(3)]
            elapsed = time.monotonic() - started
            assert c.get("/healthz").status_code == 200  # probes are never limited
            address_tat = store.get("icat:ratelimit:address:testclient")
            ttl = store.pttl("icat:ratelimit:address:testclient")
            stored = store.keys("*")
    finally:
        app.state.engine.dispose()
    # the key's 3, then the address's 5 (the refused keyed request counted for the address)
    assert keyed == [200, 200, 200, 429]
    assert [r.status_code for r in plain] == [200, 429, 429]
    # one request back every 60/5 s, counted from the first: less the time the requests took
    # (a cold first read took 1.1 s on a loaded CI machine, and the answer was 11)
    retry_after = int(plain[-1].headers["retry-after"])
    assert math.ceil(12 - elapsed) <= retry_after <= 12
    assert address_tat is not None and 0 < ttl <= 60_000
    assert len(stored) == 2  # the address and a digest of the key, never the key itself
    assert not any(b"in-process" in k for k in stored)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_redis_away_fails_open_with_one_warning_per_30_seconds() -> None:
    clock = Clock()
    closed = f"redis://127.0.0.1:{free_port()}/0"
    shared = SharedGcra(closed, (1, 60.0), (1, 60.0), clock=clock)

    async def takes(n: int) -> list[float]:
        answers = []
        for _ in range(n):
            answers.append(await shared.take("198.51.100.4", b"k"))
            clock.now += 0.5
        await shared.aclose()
        return answers

    with capture_logs() as logged:
        assert asyncio.run(takes(100)) == [0.0] * 100  # 50 s: every request served
    warnings = [e for e in logged if e["event"] == "rate_limit_store_unavailable"]
    assert [e["log_level"] for e in warnings] == ["warning", "warning"]  # at 0 s and 30 s
    assert "ConnectionError" in str(warnings[0]["error"])


@pytest.mark.parametrize("timeout", [0.3, 1.2])
def test_a_redis_that_never_answers_holds_a_request_up_for_the_setting_only(
    timeout: float,
) -> None:
    # A listening socket never accepted nor read: connecting succeeds, the answer never comes.
    with socket.create_server(("127.0.0.1", 0)) as mute:
        port = mute.getsockname()[1]
        shared = SharedGcra(f"redis://127.0.0.1:{port}/0", (1, 60.0), (1, 60.0), timeout=timeout)

        async def take() -> tuple[float, float]:
            started = time.monotonic()
            wait = await shared.take("198.51.100.4", None)
            await shared.aclose()
            return wait, time.monotonic() - started

        with capture_logs() as logged:
            wait, seconds = asyncio.run(take())
    assert wait == 0.0  # served, uncounted
    assert timeout <= seconds < timeout + 2
    assert [e["event"] for e in logged] == ["rate_limit_store_unavailable"]
    assert "Timeout" in str(logged[0]["error"])


def test_the_redis_timeout_is_a_setting() -> None:
    assert Settings(database_url="sqlite://").redis_timeout_seconds == 0.25
    for bad in ("0", "-1", "11", "soon"):
        with pytest.raises(ValueError, match="redis_timeout_seconds"):
            Settings(database_url="sqlite://", redis_timeout_seconds=bad)


@pytest.mark.live_servers
def test_redis_away_the_server_answers_and_warns_once_then_limits_when_it_is_back(
    database_url: str, tmp_path: Path
) -> None:
    port = free_port()  # nothing listens here until the test starts Redis on it
    env = {
        "ICAT_RATE_LIMIT_ENABLED": "true",
        "ICAT_RATE_LIMIT_PER_ADDRESS": "3/hour",
        "ICAT_REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "ICAT_REDIS_TIMEOUT_SECONDS": PATIENT,  # nothing listens: refused at once all the same
    }
    log = tmp_path / "server.log"
    redis_server = shutil.which("redis-server")
    assert redis_server is not None, "redis-server is needed (`.ci/run` starts Redis with it)"
    with serving(database_url, log, env) as (base, proc):
        ready(base, proc, log)
        started = time.monotonic()
        away = [httpx.get(f"{base}/v1/member-list", timeout=5) for _ in range(20)]
        away_seconds = time.monotonic() - started
        redis_command = [redis_server, "--port", str(port), "--bind", "127.0.0.1"]
        redis_command += ["--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
        with subprocess.Popen(
            redis_command,
            stdout=subprocess.DEVNULL,
        ) as redis_proc:
            try:
                back: list[int] = []
                deadline = time.monotonic() + 15
                while 429 not in back and time.monotonic() < deadline:
                    back.append(httpx.get(f"{base}/v1/member-list", timeout=5).status_code)
                    time.sleep(0.05)
            finally:
                redis_proc.terminate()
    assert [r.status_code for r in away] == [200] * 20
    assert away_seconds < 10  # a dead Redis does not hold requests up
    # limiting resumed: a fresh allowance of 3, then refused
    assert back[-4:] == [200, 200, 200, 429], back
    records = log_records(log)
    warned = [r for r in records if r.get("event") == "rate_limit_store_unavailable"]
    assert len(warned) == 1, warned  # one line, not one per request
    assert warned[0]["level"] == "warning"
    assert [r["event"] for r in records if r.get("logger") == "icat_api.ratelimit"] == [
        "rate_limit_store_unavailable",
        "rate_limit_store_back",
    ]


@pytest.mark.live_servers
def test_every_worker_logs_json_and_applies_the_same_settings(
    database_url: str, tmp_path: Path
) -> None:
    """`serve --workers 2`, limits in each process (no Redis), behind a trusted proxy at
    127.0.0.1: every worker limits the forwarded client to the same 2/hour, and logs JSON."""
    env = {
        "ICAT_RATE_LIMIT_ENABLED": "true",
        "ICAT_RATE_LIMIT_PER_ADDRESS": "2/hour",
        "ICAT_FORWARDED_ALLOW_IPS": "127.0.0.1",
    }
    log = tmp_path / "server.log"
    by_worker: dict[str, list[int]] = defaultdict(list)
    with serving(database_url, log, env, "--workers", "2") as (base, proc):
        ready(base, proc, log)
        deadline = time.monotonic() + 20
        # a new connection each time, until each worker has answered at least three
        while (len(by_worker) < 2 or min(map(len, by_worker.values())) < 3) and (
            time.monotonic() < deadline
        ):
            r = httpx.get(
                f"{base}/v1/member-list", headers={"X-Forwarded-For": "203.0.113.5"}, timeout=5
            )
            worker = r.headers["x-request-id"][:12]  # each process numbers its own request ids
            by_worker[worker].append(r.status_code)
    assert len(by_worker) == 2, by_worker
    for statuses in by_worker.values():
        assert statuses[:3] == [200, 200, 429], by_worker
        assert set(statuses[2:]) == {429}
    records = log_records(log)  # every line JSON: the workers' too
    started = Counter(
        str(r["event"]) for r in records if str(r["event"]).startswith("Started server process")
    )
    assert len(started) == 2  # one per worker process
    requests = [
        r for r in records if r.get("event") == "request" and r["path"] == "/v1/member-list"
    ]
    assert {str(r["request_id"])[:12] for r in requests} == set(by_worker)
    assert {r["client"] for r in requests} == {"203.0.113.5"}
