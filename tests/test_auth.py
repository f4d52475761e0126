"""Powers (DESIGN §5): public reads need no key; the secretariat's writes need the Coordinator's
(UNODC, ToR 3.C.1) or a secretariat key; 401 with WWW-Authenticate when the key is missing or
wrong, 403 when it may not do this; revoked keys stop working at once."""

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from icat_api import cli
from icat_api.app import create_app
from icat_api.audit.models import AuditEvent
from icat_api.db import Base
from icat_api.entities.models import Membership
from icat_api.keys.service import create_key, revoke_key
from icat_api.settings import Settings, get_settings
from tests.conftest import Keys
from tests.dbutil import fresh_database, seeded


@dataclass(frozen=True)
class Write:
    name: str
    method: str
    path: str  # "{mid}": the Council of Europe's open partnership
    body: dict[str, Any]
    created: bool  # 201 (else 200)


WRITES = (
    Write(
        "create-entity",
        "POST",
        "/v1/entities",
        {
            "id": "new-agency",
            "name": "New Agency against Trafficking",
            "kind": "intergovernmental",
            "scope": "regional",
            "mandate_covers_tip": True,
        },
        True,
    ),
    Write("patch-entity", "PATCH", "/v1/entities/ilo", {"acronym": "OIT"}, False),
    Write(
        "add-membership",
        "POST",
        "/v1/entities/unodc/memberships",
        {"role": "partner", "starts_on": "2001-01-01", "ends_on": "2002-01-01"},
        True,
    ),
    Write(
        "end-membership",
        "POST",
        "/v1/entities/council-of-europe/memberships/{mid}/end",
        {"ends_on": "2024-01-01"},
        False,
    ),
    Write(
        "create-chair-term",
        "POST",
        "/v1/chair-terms",
        {"start_year": 2020, "entity_ids": ["unodc"]},
        True,
    ),
)

PUBLIC_READS = (
    "/v1/member-list",
    "/v1/member-list?on=2019-06-30",
    "/v1/entities",
    "/v1/entities?status=partner",
    "/v1/entities/unodc",
    "/v1/entities/unodc/memberships",
    "/v1/entities/council-of-europe/memberships/{mid}",
    "/v1/chairs",
    "/v1/chairs?on=2019-06-30",
    "/v1/changes",
    "/v1/calendar.ics",
    "/v1/working-group/participation?from=2015-01-01&to=2015-12-31",
    "/healthz",
    "/openapi.json",
)


@pytest.fixture
def mid(db: Session) -> int:
    found = db.scalar(
        select(Membership.id).where(
            Membership.entity_id == "council-of-europe", Membership.ends_on.is_(None)
        )
    )
    assert found is not None
    return found


def call(
    client: TestClient, write: Write, mid: int, headers: dict[str, str] | None = None
) -> Response:
    r: Response = client.request(
        write.method, write.path.replace("{mid}", str(mid)), json=write.body, headers=headers or {}
    )
    return r


def counts(db: Session) -> dict[str, int | None]:
    """Rows in every table: a refused write leaves all of them as they were."""
    return {
        t.name: db.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables
    }


def assert_problem(r: Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text[:500]
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "Traceback" not in r.text
    body: dict[str, Any] = r.json()
    assert body["status"] == status
    for key in ("type", "title", "detail"):
        assert isinstance(body[key], str)
        assert body[key]
    return body


def assert_unauthorized(r: Response) -> None:
    assert_problem(r, 401)
    challenge = r.headers.get("www-authenticate", "")
    assert challenge.split(" ")[0].lower() == "bearer", r.headers


# -- no key --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PUBLIC_READS)
def test_public_reads_need_no_key(client: TestClient, mid: int, path: str) -> None:
    r = client.get(path.replace("{mid}", str(mid)))
    assert r.status_code == 200, r.text[:300]
    media = "text/calendar" if path.endswith(".ics") else "application/json"
    assert r.headers["content-type"].startswith(media)
    assert "www-authenticate" not in r.headers


def test_public_reads_show_no_personal_data_or_keys(client: TestClient, keys: Keys) -> None:
    text = client.get("/v1/member-list").text + client.get("/v1/entities?limit=200").text
    for key in (keys.coordinator, keys.secretariat, keys.member, keys.partner):
        assert key not in text
    assert "key_hash" not in text


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.name)
def test_a_write_without_a_key_is_a_401_with_a_bearer_challenge_and_nothing_stored(
    client: TestClient, db: Session, keys: Keys, mid: int, write: Write
) -> None:
    before = counts(db)
    assert_unauthorized(call(client, write, mid))
    assert counts(db) == before


def test_the_audit_trail_without_a_key_is_a_401_with_a_bearer_challenge(
    client: TestClient,
) -> None:
    assert_unauthorized(client.get("/v1/audit-events"))


# -- keys that are not keys ----------------------------------------------------------------------

MALFORMED_HEADERS = {
    "empty": lambda k: "",
    "scheme-only": lambda k: "Bearer",
    "scheme-and-space": lambda k: "Bearer ",
    "no-scheme": lambda k: k,
    "basic": lambda k: "Basic dXNlcjpwYXNzd29yZA==",
    "basic-with-the-key": lambda k: f"Basic {k}",
    "token-scheme": lambda k: f"Token {k}",
    "no-space": lambda k: f"Bearer{k}",
    "two-keys": lambda k: f"Bearer {k} {k}",
    "comma-joined": lambda k: f"Bearer {k}, Bearer {k}",
}


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.name)
@pytest.mark.parametrize("header", MALFORMED_HEADERS.values(), ids=list(MALFORMED_HEADERS))
def test_a_malformed_authorization_header_is_a_401_and_nothing_stored(
    client: TestClient, db: Session, keys: Keys, mid: int, write: Write, header: Any
) -> None:
    """Even with the Coordinator's own key inside, a header that is not `Bearer <key>` is
    refused."""
    before = counts(db)
    assert_unauthorized(call(client, write, mid, {"Authorization": header(keys.coordinator)}))
    assert counts(db) == before


FORGED = {
    "random-with-prefix": "icat_" + secrets.token_urlsafe(32),
    "random-without-prefix": secrets.token_urlsafe(32),
    "very-long": "icat_" + "A" * 10_000,
    "sql": "icat_' OR '1'='1",
    "key-hash-guess": "icat_" + "0" * 64,
}


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.name)
@pytest.mark.parametrize("key", [*FORGED.values(), None], ids=[*FORGED, "revoked"])
def test_a_forged_or_revoked_key_is_a_401_and_nothing_stored(
    client: TestClient, db: Session, keys: Keys, mid: int, write: Write, key: str | None
) -> None:
    before = counts(db)
    headers = Keys.header(keys.revoked if key is None else key)
    assert_unauthorized(call(client, write, mid, headers))
    assert counts(db) == before


def test_a_key_of_the_coordinator_with_one_character_changed_is_a_401(
    client: TestClient, keys: Keys
) -> None:
    key = keys.coordinator
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert_unauthorized(client.get("/v1/audit-events", headers=Keys.header(tampered)))
    assert client.get("/v1/audit-events", headers=Keys.header(key)).status_code == 200


# -- keys that may not do this -------------------------------------------------------------------


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.name)
@pytest.mark.parametrize("who", ["member", "partner"])
def test_a_member_or_partner_key_on_a_secretariat_write_is_a_403_and_nothing_stored(
    client: TestClient, db: Session, keys: Keys, mid: int, write: Write, who: str
) -> None:
    before = counts(db)
    key = keys.member if who == "member" else keys.partner
    body = assert_problem(call(client, write, mid, Keys.header(key)), 403)
    assert body["detail"]
    assert counts(db) == before


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("member", "/v1/entities/ilo"),
        ("partner", "/v1/entities/council-of-europe"),
    ],
)
def test_an_entity_may_not_change_its_own_record(
    client: TestClient, db: Session, keys: Keys, who: str, path: str
) -> None:
    """The registry record is the secretariat's (DESIGN §5); an entity's key edits its focal
    points, not its status, kind or mandate."""
    before = counts(db)
    key = keys.member if who == "member" else keys.partner
    r = client.patch(path, json={"mandate_covers_tip": False}, headers=Keys.header(key))
    assert_problem(r, 403)
    assert counts(db) == before
    assert client.get(path).json()["mandate_covers_tip"] is True


# -- the keys that may ---------------------------------------------------------------------------


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.name)
@pytest.mark.parametrize("who", ["coordinator", "secretariat"])
def test_the_coordinator_and_secretariat_keys_may_write_and_are_on_the_record(
    client: TestClient, db: Session, keys: Keys, mid: int, write: Write, who: str
) -> None:
    """ToR 3.C.1: UNODC, the Coordinator, has the secretariat's powers."""
    before = counts(db)
    key = keys.coordinator if who == "coordinator" else keys.secretariat
    r = call(client, write, mid, Keys.header(key))
    assert r.status_code == (201 if write.created else 200), r.text
    assert r.headers["content-type"].startswith("application/json")
    assert counts(db)["audit_events"] == (before["audit_events"] or 0) + 1
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert last.actor_entity_id == ("unodc" if who == "coordinator" else None)
    assert last.key_id is not None


def test_the_bearer_scheme_is_case_insensitive(client: TestClient, keys: Keys) -> None:
    """RFC 9110 §11.1: the auth scheme is case-insensitive."""
    for scheme in ("bearer", "BEARER", "Bearer"):
        r = client.get(
            "/v1/audit-events", headers={"Authorization": f"{scheme} {keys.coordinator}"}
        )
        assert r.status_code == 200, (scheme, r.text)


# -- the audit trail -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("none", 401),
        ("revoked", 401),
        ("member", 403),
        ("partner", 403),
        ("coordinator", 200),
        ("secretariat", 200),
    ],
)
def test_the_audit_trail_is_for_the_secretariat_only(
    client: TestClient, keys: Keys, who: str, status: int
) -> None:
    headers = {} if who == "none" else Keys.header(getattr(keys, who))
    r = client.get("/v1/audit-events", headers=headers)
    if status == 200:
        assert r.status_code == 200, r.text
        assert isinstance(r.json()["items"], list)
    elif status == 401:
        assert_unauthorized(r)
    else:
        assert_problem(r, 403)
        assert "www-authenticate" not in r.headers


# -- keys made and revoked with the command-line tool's service ---------------------------------


@pytest.mark.parametrize(
    ("entity_id", "secretariat", "while_valid"),
    [("unodc", False, 200), (None, True, 200), ("ilo", False, 403), ("sr-tip", False, 403)],
    ids=["coordinator", "secretariat", "member", "partner"],
)
def test_a_key_revoked_with_the_service_stops_working_at_once(
    client: TestClient,
    db: Session,
    entity_id: str | None,
    secretariat: bool,
    while_valid: int,
) -> None:
    info, key = create_key(session=db, entity_id=entity_id, secretariat=secretariat)
    db.commit()
    assert client.get("/v1/audit-events", headers=Keys.header(key)).status_code == while_valid
    revoke_key(session=db, key_id=info.id)
    db.commit()
    assert_unauthorized(client.get("/v1/audit-events", headers=Keys.header(key)))
    r = client.post(
        "/v1/chair-terms",
        json={"start_year": 2020, "entity_ids": ["unodc"]},
        headers=Keys.header(key),
    )
    assert_unauthorized(r)


@pytest.fixture
def cli_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database of its own for the command-line tool, which commits in its own connection."""
    url = seeded(fresh_database("auth-cli"))
    monkeypatch.setenv("ICAT_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_a_key_made_and_revoked_with_the_cli_stops_working_at_once(cli_database: str) -> None:
    runner = CliRunner()
    made = runner.invoke(cli.app, ["keys", "create", "--entity", "unodc", "--label", "test"])
    assert made.exit_code == 0, made.output
    key = made.output.strip().splitlines()[-1]
    assert key.startswith("icat_")
    key_id = made.output.split("Created key ", 1)[1].split(" ", 1)[0]

    app = create_app(Settings(database_url=cli_database))
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            headers = Keys.header(key)
            assert client.get("/v1/audit-events", headers=headers).status_code == 200
            r = client.patch("/v1/entities/ilo", json={"acronym": "OIT"}, headers=headers)
            assert r.status_code == 200, r.text

            revoked = runner.invoke(cli.app, ["keys", "revoke", key_id])
            assert revoked.exit_code == 0, revoked.output

            assert_unauthorized(client.get("/v1/audit-events", headers=headers))
            r = client.patch("/v1/entities/ilo", json={"acronym": "ILO"}, headers=headers)
            assert_unauthorized(r)
            assert client.get("/v1/entities/ilo").json()["acronym"] == "OIT"
    finally:
        app.state.engine.dispose()

    listed = runner.invoke(cli.app, ["keys", "list"])
    assert listed.exit_code == 0, listed.output
    [row] = [line for line in listed.output.splitlines() if line.startswith(f"{key_id}\t")]
    assert row.split("\t")[4] != "-"  # revoked_at is set
    assert key not in listed.output  # only a hash is stored and shown
