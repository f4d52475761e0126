"""Faults (DESIGN §4, §7): the database going away or held locked while the service serves, and
a process killed mid-write. SQLite or PostgreSQL, as ICAT_TEST_DATABASE_URL says.

- PostgreSQL: the server's database really goes away (no new connections, every backend
  terminated) while a write is in flight; reads and writes answer 503 problem+json with
  Retry-After, /readyz says so, /healthz does not, and the service answers again, without a
  restart, once the database is back.
- SQLite: another process holds the write lock longer than busy_timeout while writes are in
  flight; and the database file is overwritten with garbage, then restored.
- Both: a process SIGKILLed while its admission decision is written but not committed
  (tests/killer.py) leaves none of it stored, and the same decision can then be recorded once.
"""

import json
import os
import queue
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from icat_api.app import create_app
from icat_api.applications.models import Application
from icat_api.audit.models import AuditEvent
from icat_api.db import make_engine
from icat_api.entities.models import Membership
from icat_api.governance.models import Decision
from icat_api.keys.service import create_key
from icat_api.settings import Settings
from tests.dbutil import fresh_database, is_postgres, seeded
from tests.livesrv import ROOT, live_server

TIMEOUT = 30.0
BUSY_TIMEOUT = 5.0  # PRAGMA busy_timeout=5000, set on every SQLite connection by icat_api.db
KILLER = Path(__file__).with_name("killer.py")
MEETING_DAY = "2023-05-10"
ATTENDING = ("ilo", "iom", "ohchr", "unhcr", "unicef", "unodc")


# --- a real server -------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    base: str
    url: str  # the database's
    key: str  # the Coordinator's: the secretariat's powers
    log: Path

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request on a connection of its own (a reset connection fails only its request)."""
        with httpx.Client(base_url=self.base, headers=self.headers, timeout=TIMEOUT) as c:
            return c.request(method, path, **kwargs)


def coordinator_key(url: str) -> str:
    """A new key of the Coordinator (UNODC), made as `icat-api keys create --entity unodc` does."""
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            _, key = create_key(session=session, entity_id="unodc")
    finally:
        engine.dispose()
    return key


@contextmanager
def started(purpose: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    url = fresh_database(purpose)
    log = tmp_path_factory.mktemp(purpose) / "server.log"
    # `serve` upgrades the empty database and seeds the real data before it answers.
    with live_server(url, log) as base:
        yield Server(base, url, coordinator_key(url), log)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with started("faults", tmp_path_factory) as s:
        yield s


class InFlight:
    """A request sent from a thread, so the test can break things while it is being served."""

    def __init__(self, send: Callable[[], httpx.Response]) -> None:
        self._answer: httpx.Response | BaseException | None = None
        self.started = time.monotonic()
        self.seconds = 0.0
        self._thread = threading.Thread(target=self._run, args=(send,))
        self._thread.start()

    def _run(self, send: Callable[[], httpx.Response]) -> None:
        try:
            self._answer = send()
        except BaseException as exc:  # reported in the test's thread
            self._answer = exc
        self.seconds = time.monotonic() - self.started

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def answer(self) -> httpx.Response:
        self._thread.join(timeout=2 * TIMEOUT)
        assert not self._thread.is_alive(), "the request never answered"
        assert isinstance(self._answer, httpx.Response), repr(self._answer)
        return self._answer


# --- what answers must look like -----------------------------------------------------------


def problem_faults(r: httpx.Response, status: int, *, retry_after: bool) -> list[str]:
    """What is wrong with ``r`` as a problem+json answer of ``status`` (empty: nothing)."""
    where = f"{r.request.method} {r.request.url.path}"
    if r.status_code != status:
        return [f"{where}: {r.status_code}, not {status}: {r.text[:300]}"]
    faults = []
    if not r.headers.get("content-type", "").startswith("application/problem+json"):
        faults.append(f"{where}: content-type {r.headers.get('content-type')!r}")
    else:
        body = r.json()
        if body.get("status") != status:
            faults.append(f"{where}: body status {body.get('status')!r}")
        for key in ("type", "title", "detail"):
            if not (isinstance(body.get(key), str) and body[key]):
                faults.append(f"{where}: no {key!r} in {body}")
    if "Traceback" in r.text or 'File "' in r.text:
        faults.append(f"{where}: a stack trace in the body")
    if retry_after and not r.headers.get("retry-after", "").isdigit():
        faults.append(f"{where}: Retry-After {r.headers.get('retry-after')!r}, not seconds")
    return faults


def assert_unavailable(r: httpx.Response) -> None:
    """503 problem+json with Retry-After, no stack trace: what a client retries."""
    faults = problem_faults(r, 503, retry_after=True)
    assert not faults, faults


def assert_not_ready(r: httpx.Response) -> None:
    faults = problem_faults(r, 503, retry_after=False)
    assert not faults, faults


_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception)\b")  # a traceback's last line


def log_faults(log: Path) -> list[str]:
    """The server's log lines with a stack trace or an unhandled error, summed up in one line."""
    events: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for line in log.read_text().split("\n"):  # JSON lines end at \n only
        if "Traceback" not in line and "unhandled_error" not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            entry = {"event": line[:100]}
        events[str(entry.get("event", "")).strip()] += 1
        last = ""
        for trace_line in str(entry.get("exception", "")).splitlines():
            if _EXCEPTION.match(trace_line):
                last = trace_line
        if "exception" in entry:
            errors[last[:200]] += 1
    if not events:
        return []
    return [f"server log: {dict(events)}; exceptions: {dict(errors)}"]


def ok(r: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert r.status_code == status, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    body: dict[str, Any] = r.json()
    return body


def contacts(entity_id: str, n: int) -> dict[str, Any]:
    """A focal-point set of ``n`` contacts, the first primary (ToR 3.A.2)."""
    return {
        "items": [
            {
                "external_id": f"HR-{i:05d}",
                "name": f"Contact {i}",
                "email": f"contact.{i}@{entity_id}.example.org",
                "is_primary": i == 0,
            }
            for i in range(n)
        ]
    }


def new_entity(entity_id: str) -> dict[str, Any]:
    return {
        "id": entity_id,
        "name": f"Organization {entity_id}",
        "kind": "intergovernmental",
        "scope": "global",
        "mandate_covers_tip": True,
    }


def audit_count(server: Server, **params: str) -> int:
    page = ok(server.send("GET", "/v1/audit-events", params={**params, "limit": 200}))
    assert page["next_cursor"] is None, "more events than one page"
    return len(page["items"])


# --- PostgreSQL: the database goes away ----------------------------------------------------


def _backend_waiting_on_audit_insert(watcher: Engine, database: str) -> int:
    """The pid of the server's backend that waits for the lock on ``audit_events`` to insert."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with watcher.connect() as conn:
            pid = conn.scalar(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = :db "
                    "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO audit_events%'"
                ),
                {"db": database},
            )
        if pid is not None:
            return int(pid)
        time.sleep(0.05)
    raise AssertionError("the sync never reached its audit events")


def test_the_database_going_away_answers_503_and_the_service_recovers(
    server: Server, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """PostgreSQL: the database stops taking connections mid-request; SQLite: its file is
    overwritten under the server. Both: 503 problem+json, /readyz 503, recovery, nothing
    stored (the scenarios below)."""
    if is_postgres():
        _postgres_going_away_mid_request(server)
    else:
        _sqlite_file_overwritten_with_garbage(tmp_path_factory)


def _postgres_going_away_mid_request(server: Server) -> None:
    """While a focal-point sync has written its contacts (uncommitted) and waits to write its
    audit events, the database stops taking connections and every backend is terminated. That
    sync, later reads and writes (with or without Idempotency-Key) answer 503 problem+json with
    Retry-After and no stack trace; /readyz answers 503, /healthz 200. Once the database takes
    connections again, the same server answers 200 at once (no restart), and nothing of the
    writes tried during the outage is stored."""
    url = make_url(server.url)
    database = url.database
    assert database
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    watcher = create_engine(server.url, poolclass=NullPool)
    locker = create_engine(server.url, poolclass=NullPool).connect()
    sync = contacts("ilo", 20)
    focal_point_events = audit_count(server, resource_type="focal_point")
    try:
        # Hold inserts into the audit trail: the sync then stops after writing its contacts.
        locker.begin()
        locker.execute(text("LOCK TABLE audit_events IN EXCLUSIVE MODE"))
        put = InFlight(lambda: server.send("PUT", "/v1/entities/ilo/focal-points", json=sync))
        pid = _backend_waiting_on_audit_insert(watcher, database)
        with watcher.connect() as conn:
            wrote = conn.scalar(
                text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "WHERE l.pid = :pid AND c.relname = 'focal_points' "
                    "AND l.mode = 'RowExclusiveLock' AND l.granted"
                ),
                {"pid": pid},
            )
        assert wrote == 1, "the sync had not written its contacts when the database went away"
        assert put.running

        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false'))
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": database},
            )

        assert_unavailable(put.answer())
        assert_unavailable(server.send("GET", "/v1/entities/ilo"))
        assert_unavailable(server.send("GET", "/v1/entities/ilo/focal-points"))
        assert_unavailable(server.send("POST", "/v1/entities", json=new_entity("outage-igo")))
        assert_unavailable(
            server.send(
                "POST",
                "/v1/entities",
                json=new_entity("outage-igo-2"),
                headers={"Idempotency-Key": "outage-1"},
            )
        )
        assert_not_ready(server.send("GET", "/readyz"))
        health = server.send("GET", "/healthz")
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true'))
        with suppress(SQLAlchemyError):  # its backend was terminated on purpose
            locker.close()
        admin.dispose()
        watcher.dispose()

    # Back: the first requests are served by the same process, on fresh connections.
    assert ok(server.send("GET", "/readyz")) == {"status": "ready"}
    assert ok(server.send("GET", "/v1/entities/ilo"))["id"] == "ilo"
    # Nothing of the outage's writes: no contact, no entity, no audit event.
    assert ok(server.send("GET", "/v1/entities/ilo/focal-points"))["items"] == []
    for entity_id in ("outage-igo", "outage-igo-2"):
        assert server.send("GET", f"/v1/entities/{entity_id}").status_code == 404
        assert audit_count(server, resource_type="entity", resource_id=entity_id) == 0
    assert audit_count(server, resource_type="focal_point") == focal_point_events
    # Nothing left locked or half-done: the same sync now goes through, whole.
    done = ok(server.send("PUT", "/v1/entities/ilo/focal-points", json=sync))
    assert done["created"] == len(sync["items"])
    assert audit_count(server, resource_type="focal_point") > focal_point_events
    ok(
        server.send(
            "POST",
            "/v1/entities",
            json=new_entity("outage-igo-2"),
            headers={"Idempotency-Key": "outage-1"},
        ),
        201,
    )
    log = server.log.read_text()
    assert "database_unavailable" in log
    assert not log_faults(server.log), log_faults(server.log)


# --- SQLite: the write lock held by another process ----------------------------------------


@contextmanager
def write_lock_held(url: str) -> Iterator[None]:
    """Another process holds the lock every write needs, until the block ends: SQLite's write
    lock; on PostgreSQL, EXCLUSIVE locks on the tables written (reads still go through)."""
    if is_postgres():
        engine = create_engine(url, poolclass=NullPool)
        conn = engine.connect()
        conn.execute(text("LOCK TABLE entities, focal_points IN EXCLUSIVE MODE"))
        try:
            yield
        finally:
            conn.rollback()
            conn.close()
            engine.dispose()
        return
    path = make_url(url).database
    assert path
    holder = sqlite3.connect(path, isolation_level=None, timeout=1)
    try:
        holder.execute("BEGIN IMMEDIATE")  # the write lock, until rollback
        yield
    finally:
        holder.rollback()
        holder.close()


def test_a_lock_held_past_the_wait_answers_503_and_the_writes_go_through_after(
    server: Server,
) -> None:
    """Another process holds the lock writes need longer than the service waits for it (5 s:
    SQLite's busy_timeout, PostgreSQL's lock_timeout) while two writes are in flight: both wait,
    then answer 503 problem+json with Retry-After and no stack trace; reads, /readyz and
    /healthz answer 200 meanwhile. Once the lock is released the same writes go through, and
    nothing of the refused ones was stored."""
    sync = contacts("iom", 20)
    focal_point_events = audit_count(server, resource_type="focal_point")
    with write_lock_held(server.url):
        put = InFlight(lambda: server.send("PUT", "/v1/entities/iom/focal-points", json=sync))
        post = InFlight(lambda: server.send("POST", "/v1/entities", json=new_entity("lock-igo")))
        time.sleep(1.0)
        assert put.running and post.running, "the writes did not wait for the lock"
        assert ok(server.send("GET", "/v1/entities/iom"))["id"] == "iom"
        assert ok(server.send("GET", "/readyz")) == {"status": "ready"}
        assert ok(server.send("GET", "/healthz")) == {"status": "ok"}
        for write in (put, post):
            assert_unavailable(write.answer())
            assert BUSY_TIMEOUT - 0.5 <= write.seconds < BUSY_TIMEOUT + 10, write.seconds

    assert ok(server.send("GET", "/v1/entities/iom/focal-points"))["items"] == []
    assert server.send("GET", "/v1/entities/lock-igo").status_code == 404
    assert audit_count(server, resource_type="focal_point") == focal_point_events
    assert audit_count(server, resource_type="entity", resource_id="lock-igo") == 0
    done = ok(server.send("PUT", "/v1/entities/iom/focal-points", json=sync))
    assert done["created"] == len(sync["items"])
    ok(server.send("POST", "/v1/entities", json=new_entity("lock-igo")), 201)
    log = server.log.read_text()
    assert "database_unavailable" in log
    assert not log_faults(server.log), log_faults(server.log)


# --- SQLite: the database file overwritten -------------------------------------------------


def _sqlite_file_overwritten_with_garbage(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The database file is overwritten in place with garbage (a bad disk, a bad restore)
    while the server runs, then its bytes are put back. Meanwhile reads and writes should
    answer 503 problem+json with Retry-After and no stack trace, /readyz 503 and /healthz 200;
    nothing of a write tried then is stored; and the server answers 200 again once the file is
    restored, without a restart. Every deviation is collected and reported together."""
    with started("faults-garbage", tmp_path_factory) as server:
        path = Path(str(make_url(server.url).database))
        assert ok(server.send("GET", "/v1/entities/ilo"))["id"] == "ilo"
        with sqlite3.connect(path) as conn:  # everything into the main file: WAL empty
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        conn.close()
        assert busy == 0
        good = path.read_bytes()
        faults: list[str] = []
        try:
            with path.open("r+b") as f:
                f.write(random.Random(7).randbytes(len(good)))
            for method, route, body in [
                ("GET", "/v1/entities/ilo", None),
                ("GET", "/v1/entities/ilo/focal-points", None),
                ("POST", "/v1/entities", new_entity("garbage-igo")),
            ]:
                faults += problem_faults(
                    server.send(method, route, json=body), 503, retry_after=True
                )
            faults += problem_faults(server.send("GET", "/readyz"), 503, retry_after=False)
            if server.send("GET", "/healthz").status_code != 200:
                faults.append("/healthz is not 200")
        finally:
            with path.open("r+b") as f:
                f.write(good)

        deadline = time.monotonic() + 10  # the next request recovers; 10 s for a loaded machine
        while (r := server.send("GET", "/v1/entities/ilo")).status_code != 200:
            if time.monotonic() > deadline:
                faults.append(f"no recovery once the file is back: {r.status_code} {r.text[:200]}")
                break
            time.sleep(0.2)
        faults += log_faults(server.log)

    with sqlite3.connect(path) as conn:
        stored = conn.execute("SELECT count(*) FROM entities WHERE id = 'garbage-igo'").fetchone()
    conn.close()
    assert stored == (0,), "a write made while the file was garbage was stored"
    assert not faults, "\n".join(faults)


# --- both: a process killed mid-write ------------------------------------------------------


@dataclass(frozen=True)
class Admission:
    url: str
    key: str
    decision: dict[str, Any]
    application_id: int
    entity_id: str


@dataclass(frozen=True)
class Stored:
    """What the database holds of one admission, read with an engine of its own."""

    decisions: int
    memberships: int
    application_status: str
    application_decision_id: int | None
    audit_events: int

    @staticmethod
    def read(admission: Admission) -> "Stored":
        engine = create_engine(admission.url, poolclass=NullPool)
        try:
            with Session(engine) as session:
                application = session.get(Application, admission.application_id)
                assert application is not None
                return Stored(
                    decisions=session.scalar(
                        select(func.count())
                        .select_from(Decision)
                        .where(Decision.application_id == admission.application_id)
                    )
                    or 0,
                    memberships=session.scalar(
                        select(func.count())
                        .select_from(Membership)
                        .where(Membership.entity_id == admission.entity_id)
                    )
                    or 0,
                    application_status=application.status,
                    application_decision_id=application.decision_id,
                    audit_events=session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
                )
        finally:
            engine.dispose()


@pytest.fixture
def admission() -> Admission:
    """A seeded database with a Working Group meeting, a commission applying to be a partner
    and the admission decision's body, ready to be posted."""
    url = seeded(fresh_database("faults_kill"))
    key = coordinator_key(url)
    app = create_app(Settings(database_url=url, log_json=True))
    headers = {"Authorization": f"Bearer {key}"}
    try:
        with TestClient(app, headers=headers, raise_server_exceptions=False) as c:
            ok(c.post("/v1/chair-terms", json={"start_year": 2023, "entity_ids": ["ilo"]}), 201)
            meeting = ok(
                c.post(
                    "/v1/meetings",
                    json={
                        "kind": "working_group",
                        "title": "Working Group meeting, May 2023",
                        "starts_on": MEETING_DAY,
                        "mode": "hybrid",
                    },
                ),
                201,
            )
            ok(
                c.put(
                    f"/v1/meetings/{meeting['id']}/attendance",
                    json={"items": [{"entity_id": e} for e in ATTENDING]},
                )
            )
            ok(
                c.post(
                    "/v1/entities",
                    json={
                        "id": "sarc-tip",
                        "name": "South Asian anti-trafficking commission",
                        "kind": "intergovernmental",
                        "scope": "regional",
                        "mandate_covers_tip": True,
                    },
                ),
                201,
            )
            application = ok(
                c.post(
                    "/v1/applications",
                    json={
                        "entity_id": "sarc-tip",
                        "role": "partner",
                        "submitted_on": "2023-02-01",
                        "addressed_to": "chair",
                        "letter_reference": "SARC/2023/01",
                    },
                ),
                201,
            )
    finally:
        app.state.engine.dispose()
    decision = {
        "procedure": "meeting",
        "meeting_id": meeting["id"],
        "kind": "admission",
        "application_id": application["id"],
        "record": "The Working Group accepts the commission as an ICAT partner.",
        "confirmed_by": "ilo",
    }
    return Admission(url, key, decision, application["id"], "sarc-tip")


def _first_line(proc: "subprocess.Popen[str]", timeout: float) -> str:
    assert proc.stdout is not None
    stdout = proc.stdout
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return ""


def test_process_killed_mid_decision_leaves_nothing_half_applied(
    admission: Admission, tmp_path: Path
) -> None:
    """A process recording an admission is SIGKILLed once its transaction holds the whole
    decision (the decision, the membership, the accepted application, the audit events: all
    written, none committed). A fresh engine then finds none of it: no decision, no membership,
    the application still submitted, no new audit event. A new app on the same database records
    the same decision once (201), and a second time is refused."""
    before = Stored.read(admission)
    assert before.decisions == before.memberships == 0
    assert (before.application_status, before.application_decision_id) == ("submitted", None)

    errors = tmp_path / "killer.stderr"
    args = [sys.executable, str(KILLER), admission.url, admission.key]
    with errors.open("w") as err:
        proc = subprocess.Popen(
            [*args, json.dumps(admission.decision)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        try:
            line = _first_line(proc, TIMEOUT)
            assert line.startswith("READY "), f"{line!r}\n{errors.read_text()[-3000:]}"
            seen = json.loads(line.removeprefix("READY "))
            # Mid-write: the killed transaction held every part of the decision.
            assert seen["decisions_for_application"] == 1, seen
            assert seen["memberships"] == 1, seen
            assert seen["application_status"] == "accepted", seen
            assert seen["audit_events"] > before.audit_events, seen
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(timeout=TIMEOUT) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            assert proc.stdout is not None
            proc.stdout.close()

    assert Stored.read(admission) == before

    app = create_app(Settings(database_url=admission.url, log_json=True))
    headers = {"Authorization": f"Bearer {admission.key}"}
    try:
        with TestClient(app, headers=headers, raise_server_exceptions=False) as c:
            created = ok(c.post("/v1/decisions", json=admission.decision), 201)
            assert created["outcome"] == "adopted"
            again = c.post("/v1/decisions", json=admission.decision)
            assert again.status_code == 409, again.text
            memberships = ok(c.get(f"/v1/entities/{admission.entity_id}/memberships"))
            assert [(m["role"], m["admission_decision_id"]) for m in memberships["items"]] == [
                ("partner", created["id"])
            ]
    finally:
        app.state.engine.dispose()
    after = Stored.read(admission)
    assert (after.decisions, after.memberships) == (1, 1)
    assert (after.application_status, after.application_decision_id) == ("accepted", created["id"])
    assert after.audit_events > before.audit_events
