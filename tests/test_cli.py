"""The `icat-api` command line, driven for real against a fresh database; and `serve` end to end."""

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from icat_api.app import create_app
from icat_api.cli import app as cli_app
from icat_api.db import make_engine
from icat_api.keys.models import ApiKey
from icat_api.models import Base
from icat_api.settings import Settings, get_settings
from tests.dbutil import fresh_database
from tests.livesrv import free_port

ROOT = Path(__file__).resolve().parents[1]
COMMITTED_OPENAPI = ROOT / "openapi" / "openapi.json"
NEW_ENTITY = {"id": "cli-test-org", "name": "CLI Test Organization", "kind": "intergovernmental"}

runner = CliRunner()


@pytest.fixture
def db_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A new, empty database selected through ICAT_DATABASE_URL, as an operator would."""
    url = fresh_database("cli")
    monkeypatch.setenv("ICAT_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        yield url
    finally:
        get_settings.cache_clear()


@pytest.fixture
def seeded_url(db_url: str) -> str:
    """The database, migrated by `db upgrade` and loaded by `seed`."""
    icat("db", "upgrade")
    icat("seed")
    return db_url


def icat(*args: str, ok: bool = True) -> Result:
    """Run `icat-api ARGS`; by default fail the test unless it succeeds."""
    result = runner.invoke(cli_app, list(args), prog_name="icat-api")
    if ok:
        assert result.exit_code == 0, (args, result.output, result.exception)
    return result


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def row_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def all_rows(url: str) -> list[tuple[str, dict[str, Any]]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [
                (t.name, dict(row._mapping))
                for t in Base.metadata.sorted_tables
                for row in conn.execute(select(t))
            ]
    finally:
        engine.dispose()


def create_key(entity: str) -> str:
    """`keys create --entity ENTITY`: answers the key, checked to be alone on the last line."""
    result = icat("keys", "create", "--entity", entity)
    lines = result.stdout.splitlines()
    key = lines[-1]
    assert key == key.strip()
    assert re.fullmatch(r"\S{32,}", key), lines
    assert result.stdout.count(key) == 1
    assert key not in result.stderr
    return key


def key_row(url: str, key: str) -> ApiKey:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            row = session.scalar(
                select(ApiKey).where(ApiKey.key_hash == hashlib.sha256(key.encode()).hexdigest())
            )
            assert row is not None, "no api_keys row holds the key's SHA-256"
            return row
    finally:
        engine.dispose()


@pytest.fixture
def api(seeded_url: str) -> Iterator[TestClient]:
    """The app on the CLI's database."""
    application = create_app(Settings(database_url=seeded_url))
    try:
        with TestClient(application, raise_server_exceptions=False) as c:
            yield c
    finally:
        application.state.engine.dispose()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_db_upgrade_creates_every_table_in_an_empty_database(db_url: str) -> None:
    assert tables(db_url) == set()
    icat("db", "upgrade")
    assert tables(db_url) == set(Base.metadata.tables) | {"alembic_version"}
    counts = row_counts(db_url)
    assert counts.pop("data_version") == 1  # the one-row counter of committed writes
    assert all(n == 0 for n in counts.values()), counts


def test_seed_loads_the_25_entities_and_a_second_seed_adds_nothing(db_url: str) -> None:
    icat("db", "upgrade")
    first = icat("seed")
    after_first = row_counts(db_url)
    assert after_first["entities"] == 25
    assert after_first["memberships"] > 0
    assert re.search(r"entities \+25\b", first.stdout), first.stdout

    second = icat("seed")
    assert row_counts(db_url) == after_first
    assert second.stdout.strip() == (
        "entities +0, memberships +0, enrolments +0, chair terms +0, meetings +0, decisions +0, "
        "products +0, funding +0"
    ), second.stdout


def test_keys_create_prints_a_working_key_and_stores_only_its_hash(
    seeded_url: str, api: TestClient
) -> None:
    coordinator = create_key("unodc")
    member = create_key("ilo")
    assert coordinator != member

    created = api.post("/v1/entities", json=NEW_ENTITY, headers=bearer(coordinator))
    assert created.status_code == 201, created.text
    assert created.json()["id"] == NEW_ENTITY["id"]

    # ILO's key is recognised (not 401) but an ordinary member may not record entities.
    refused = api.post(
        "/v1/entities", json={**NEW_ENTITY, "id": "cli-test-two"}, headers=bearer(member)
    )
    assert refused.status_code == 403, refused.text

    for key, entity in ((coordinator, "unodc"), (member, "ilo")):
        row = key_row(seeded_url, key)
        assert row.entity_id == entity
        assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert row.revoked_at is None
    for table, values in all_rows(seeded_url):
        for value in values.values():
            assert coordinator not in str(value), table
            assert member not in str(value), table


def test_keys_create_for_an_unknown_entity_fails_and_stores_nothing(seeded_url: str) -> None:
    result = icat("keys", "create", "--entity", "nope", ok=False)
    assert result.exit_code != 0
    assert "nope" in result.stderr
    assert not re.search(r"^icat_", result.stdout, re.M)
    assert row_counts(seeded_url)["api_keys"] == 0


def test_keys_create_needs_an_entity_or_secretariat(seeded_url: str) -> None:
    result = icat("keys", "create", ok=False)
    assert result.exit_code != 0
    assert row_counts(seeded_url)["api_keys"] == 0


def test_keys_list_shows_the_key_id_but_never_the_key(seeded_url: str) -> None:
    key = create_key("ilo")
    row = key_row(seeded_url, key)
    listed = icat("keys", "list")
    assert key not in listed.output
    assert row.key_hash not in listed.output
    rows = [line.split("\t") for line in listed.stdout.splitlines()[1:]]
    assert [r[0] for r in rows] == [str(row.id)]
    assert rows[0][1] == "ilo"


def test_keys_revoke_makes_the_key_stop_working(seeded_url: str, api: TestClient) -> None:
    key = create_key("unodc")
    assert api.post("/v1/entities", json=NEW_ENTITY, headers=bearer(key)).status_code == 201
    key_id = key_row(seeded_url, key).id

    icat("keys", "revoke", str(key_id))
    assert key_row(seeded_url, key).revoked_at is not None

    again = {**NEW_ENTITY, "id": "cli-test-after-revoke"}
    r = api.post("/v1/entities", json=again, headers=bearer(key))
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert api.get(f"/v1/entities/{again['id']}").status_code == 404

    listed = icat("keys", "list").stdout.splitlines()[1:]
    revoked_at = {line.split("\t")[0]: line.split("\t")[4] for line in listed}
    assert revoked_at[str(key_id)] != "-"


def test_keys_revoke_of_an_unknown_id_fails(seeded_url: str) -> None:
    result = icat("keys", "revoke", "999999", ok=False)
    assert result.exit_code != 0


def test_db_downgrade_base_empties_the_schema_and_upgrade_restores_it(seeded_url: str) -> None:
    icat("db", "downgrade", "base")
    assert tables(seeded_url) <= {"alembic_version"}
    icat("db", "upgrade")
    assert tables(seeded_url) == set(Base.metadata.tables) | {"alembic_version"}
    assert row_counts(seeded_url)["entities"] == 0


def test_openapi_export_check_passes_against_the_committed_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert COMMITTED_OPENAPI.is_file()
    monkeypatch.chdir(ROOT)  # the default --path is relative: openapi/openapi.json
    result = icat("openapi", "export", "--check")
    assert "up to date" in result.stdout
    assert icat("openapi", "export", "--check", "--path", str(COMMITTED_OPENAPI)).exit_code == 0


def test_openapi_export_then_check_roundtrips_and_check_catches_a_stale_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "out" / "openapi.json"
    assert icat("openapi", "export", "--check", "--path", str(path), ok=False).exit_code != 0
    assert not path.exists()

    icat("openapi", "export", "--path", str(path))
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["info"]["title"] == "ICAT registry API"
    assert "/v1/member-list" in document["paths"]
    icat("openapi", "export", "--check", "--path", str(path))

    path.write_text(path.read_text(encoding="utf-8").replace("ICAT", "XCAT", 1), encoding="utf-8")
    stale = icat("openapi", "export", "--check", "--path", str(path), ok=False)
    assert stale.exit_code != 0
    assert str(path) in stale.stderr


def _log_lines(*paths: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The JSON records logged to ``paths``, and the lines that are not JSON objects."""
    records: list[dict[str, Any]] = []
    other: list[str] = []
    for path in paths:
        for line in path.read_text().split("\n"):  # JSON lines end at \n only
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if isinstance(record, dict):
                records.append(record)
            else:
                other.append(line)
    return records, other


def test_serve_migrates_seeds_and_serves_an_empty_database_with_json_logs(
    tmp_path: Path,
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICAT_")}
    env |= {"ICAT_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", "ICAT_LOG_JSON": "true"}
    out_path, err_path = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with out_path.open("w") as out, err_path.open("w") as err:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "icat-api"), "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=err,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None, f"serve exited: {err_path.read_text()[-3000:]}"
                assert time.monotonic() < deadline, "serve did not answer /healthz in 30 s"
                time.sleep(0.1)

            listing = httpx.get(
                f"{base}/v1/member-list", headers={"X-Request-ID": "e2e-member-list"}, timeout=5
            )
            assert listing.status_code == 200, listing.text
            assert listing.headers["x-request-id"] == "e2e-member-list"
            assert len(listing.json()["members"]) == 23
            assert len(listing.json()["partners"]) == 2
            ready = httpx.get(f"{base}/readyz", timeout=5)
            assert ready.status_code == 200, ready.text
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    records, not_json = _log_lines(out_path, err_path)
    requests = [r for r in records if r.get("event") == "request"]
    assert {"/healthz", "/v1/member-list", "/readyz"} <= {r["path"] for r in requests}
    assert all(r.get("request_id") for r in requests)
    listed = [r for r in requests if r["path"] == "/v1/member-list"]
    assert [r["request_id"] for r in listed] == ["e2e-member-list"]
    assert listed[0]["status"] == 200
    assert ready.headers["x-request-id"] in {r["request_id"] for r in requests}
    # ICAT_LOG_JSON=true: every line the process writes is a JSON record, startup included.
    assert not_json == []
