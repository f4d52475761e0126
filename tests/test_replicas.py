"""Replicas started together on one fresh database: they take turns (a PostgreSQL advisory
lock, or a lock on the SQLite file), so the schema is migrated and the real data seeded once,
and every one of them serves."""

import json
import os
import subprocess
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from icat_api.audit.models import AuditEvent
from icat_api.db import make_engine
from icat_api.entities.models import Entity
from tests.dbutil import fresh_database
from tests.livesrv import BIN, ROOT, free_port, wait_ready

pytestmark = pytest.mark.live_servers
REPLICAS = 4


def serve_and_stop(
    ports: list[int], procs: list[subprocess.Popen[bytes]], logs: list[Path]
) -> None:
    """Every replica gets ready and answers the member list; then all stop."""
    try:
        for port, proc, log in zip(ports, procs, logs, strict=True):
            wait_ready(f"http://127.0.0.1:{port}", proc, log)
        for port in ports:
            listed = httpx.get(f"http://127.0.0.1:{port}/v1/member-list", timeout=5)
            assert listed.status_code == 200
            assert len(listed.json()["members"]) > 20
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_replicas_started_together_migrate_and_seed_once(tmp_path: Path) -> None:
    url = fresh_database("replicas")
    env = {
        **os.environ,
        "ICAT_DATABASE_URL": url,
        "ICAT_LOG_JSON": "true",
        "ICAT_RATE_LIMIT_ENABLED": "false",
    }
    ports = [free_port() for _ in range(REPLICAS)]
    logs = [tmp_path / f"replica-{i}.log" for i in range(REPLICAS)]
    with ExitStack() as files:
        procs = [
            subprocess.Popen(
                [str(BIN / "icat-api"), "serve", "--port", str(port)],
                env=env,
                cwd=ROOT,
                stdout=files.enter_context(log.open("wb")),
                stderr=subprocess.STDOUT,
            )
            for port, log in zip(ports, logs, strict=True)
        ]
        serve_and_stop(ports, procs, logs)

    events = [
        json.loads(line)
        for log in logs
        for line in log.read_text().split("\n")
        if line.startswith("{")
    ]
    assert [e["event"] for e in events].count("seeded_real_data") == 1, events
    assert not [e for e in events if e.get("level") in ("error", "critical")], events
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
            entities = conn.scalar(select(func.count()).select_from(Entity))
            seeded = conn.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "seed")
            )
    finally:
        engine.dispose()
    assert len(versions) == 1  # one head, written once
    # Seeded once: a second seed of the same data adds nothing, a racing one would duplicate
    # the seed's audit events or fail on the unique ids.
    one_seed = fresh_database("replicas-one")
    subprocess.run(
        [str(BIN / "icat-api"), "db", "upgrade"],
        env={**env, "ICAT_DATABASE_URL": one_seed},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [str(BIN / "icat-api"), "seed"],
        env={**env, "ICAT_DATABASE_URL": one_seed},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    reference = make_engine(one_seed)
    try:
        with reference.connect() as conn:
            assert entities == conn.scalar(select(func.count()).select_from(Entity))
            assert seeded == conn.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "seed")
            )
    finally:
        reference.dispose()
