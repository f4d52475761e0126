"""Idempotency-Key on POST: a repeat replays the first answer; another body is refused."""

import hashlib
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from icat_api.app import create_app
from icat_api.db import utcnow
from icat_api.idempotency.middleware import fingerprint_of, purge_expired
from icat_api.idempotency.models import IdempotentRequest
from icat_api.settings import Settings
from tests.conftest import Keys

ENTITY: dict[str, Any] = {
    "id": "eac",
    "name": "East African Community",
    "kind": "intergovernmental",
    "scope": "regional",
    "mandate_covers_tip": True,
}


def count_entities(client: TestClient) -> int:
    return len(client.get("/v1/entities", params={"limit": 200}).json()["items"])


def test_a_repeat_replays_the_first_answer(client: TestClient, sec: dict[str, str]) -> None:
    headers = {**sec, "Idempotency-Key": "create-eac-1"}
    first = client.post("/v1/entities", headers=headers, json=ENTITY)
    assert first.status_code == 201
    n = count_entities(client)
    again = client.post("/v1/entities", headers=headers, json=ENTITY)
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    assert count_entities(client) == n


def test_without_the_key_a_repeat_is_a_conflict(client: TestClient, sec: dict[str, str]) -> None:
    assert client.post("/v1/entities", headers=sec, json=ENTITY).status_code == 201
    assert client.post("/v1/entities", headers=sec, json=ENTITY).status_code == 409


def test_the_same_key_with_another_body_is_refused(client: TestClient, sec: dict[str, str]) -> None:
    headers = {**sec, "Idempotency-Key": "k-2"}
    assert client.post("/v1/entities", headers=headers, json=ENTITY).status_code == 201
    other = {**ENTITY, "id": "ecowas", "name": "Economic Community of West African States"}
    r = client.post("/v1/entities", headers=headers, json=other)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert client.get("/v1/entities/ecowas").status_code == 404


def test_keys_are_kept_per_api_key(client: TestClient, keys: Keys) -> None:
    first = client.post(
        "/v1/entities",
        json=ENTITY,
        headers={**Keys.header(keys.coordinator), "Idempotency-Key": "shared"},
    )
    assert first.status_code == 201
    other = {**ENTITY, "id": "sadc", "name": "Southern African Development Community"}
    second = client.post(
        "/v1/entities",
        json=other,
        headers={**Keys.header(keys.secretariat), "Idempotency-Key": "shared"},
    )
    assert second.status_code == 201
    assert second.json()["id"] == "sadc"


def test_an_error_answer_is_replayed_too(client: TestClient, sec: dict[str, str]) -> None:
    headers = {**sec, "Idempotency-Key": "ngo-member"}
    ngo = {"id": "polaris", "name": "Polaris Project", "kind": "non_governmental"}
    assert client.post("/v1/entities", headers=sec, json=ngo).status_code == 201
    body = {"role": "member", "starts_on": "2020-01-01"}
    first = client.post("/v1/entities/polaris/memberships", headers=headers, json=body)
    again = client.post("/v1/entities/polaris/memberships", headers=headers, json=body)
    assert first.status_code == again.status_code == 422
    assert again.json()["rule"] == "ToR 3.A.5"
    assert again.headers["idempotent-replayed"] == "true"


def test_a_malformed_key_is_refused(client: TestClient, sec: dict[str, str]) -> None:
    for bad in ("x" * 256, "has space", "tab\there"):
        r = client.post("/v1/entities", headers={**sec, "Idempotency-Key": bad}, json=ENTITY)
        assert r.status_code == 422
    assert client.get("/v1/entities/eac").status_code == 404


def test_without_a_valid_api_key_the_key_is_ignored(client: TestClient) -> None:
    r = client.post("/v1/entities", headers={"Idempotency-Key": "anon"}, json=ENTITY)
    assert r.status_code == 401
    assert "idempotent-replayed" not in r.headers


def test_a_streamed_body_over_the_limit_is_413_with_a_key_too(
    client: TestClient, sec: dict[str, str]
) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(1100):
            yield b" " * 1024

    r = client.post(
        "/v1/entities",
        headers={**sec, "Idempotency-Key": "big-1", "Content-Type": "application/json"},
        content=chunks(),
    )
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")


def test_with_the_database_gone_a_keyed_post_is_503_not_500(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/missing-dir/none.db"))
    with TestClient(app, raise_server_exceptions=False) as gone:
        r = gone.post(
            "/v1/entities",
            json=ENTITY,
            headers={"Authorization": "Bearer icat_x", "Idempotency-Key": "k"},
        )
    assert r.status_code == 503
    assert r.headers["content-type"].startswith("application/problem+json")
    app.state.engine.dispose()


# The same JSON is the same request; records expire (issue 12).


def post_raw(client: TestClient, headers: dict[str, str], body: str) -> Any:
    return client.post(
        "/v1/entities", headers={**headers, "Content-Type": "application/json"}, content=body
    )


def test_the_same_json_with_other_whitespace_or_key_order_is_a_replay(
    client: TestClient, sec: dict[str, str]
) -> None:
    headers = {**sec, "Idempotency-Key": "create-eac-canonical"}
    first = post_raw(client, headers, json.dumps(ENTITY))
    assert first.status_code == 201, first.text
    n = count_entities(client)
    reordered = dict(reversed(list(ENTITY.items())))
    for body in (
        json.dumps(reordered),
        json.dumps(ENTITY, indent=4),
        json.dumps(reordered, separators=(",", ":")),
        "\n\t " + json.dumps(ENTITY, separators=(" , ", " : ")) + " \r\n",
    ):
        again = post_raw(client, headers, body)
        assert again.status_code == 201, (body, again.text)
        assert again.headers["idempotent-replayed"] == "true"
        assert again.content == first.content
    assert count_entities(client) == n


def test_the_same_keys_in_another_order_with_another_value_are_refused(
    client: TestClient, sec: dict[str, str]
) -> None:
    headers = {**sec, "Idempotency-Key": "create-eac-other"}
    assert post_raw(client, headers, json.dumps(ENTITY)).status_code == 201
    other = dict(reversed(list({**ENTITY, "scope": "global"}.items())))
    r = post_raw(client, headers, json.dumps(other, indent=2))
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"loc": ["header", "Idempotency-Key"], "msg": "reused with another body"}
    ]
    assert client.get("/v1/entities/eac").json()["scope"] == "regional"


def test_a_fingerprint_reads_json_parsed_and_anything_else_byte_for_byte() -> None:
    same = fingerprint_of("/v1/x", b"", b'{"a": 1, "b": [1, 2]}')
    assert fingerprint_of("/v1/x", b"", b'{"b":[1,2],"a":1}') == same
    assert fingerprint_of("/v1/x", b"", b'{"b":[2,1],"a":1}') != same  # lists keep order
    assert fingerprint_of("/v1/y", b"", b'{"a":1,"b":[1,2]}') != same  # another path
    assert fingerprint_of("/v1/x", b"q=1", b'{"a":1,"b":[1,2]}') != same  # another query
    assert fingerprint_of("/v1/x", b"", b"not json") != fingerprint_of("/v1/x", b"", b"not  json")
    deep = b"[" * 100_000 + b"]" * 100_000  # past what Python parses: taken as bytes
    assert fingerprint_of("/v1/x", b"", deep) == fingerprint_of("/v1/x", b"", deep)


def test_a_record_kept_before_canonical_fingerprints_still_replays(
    client: TestClient, sec: dict[str, str], db: Session
) -> None:
    """Records written by the release before hashed the raw bytes; a retry across the upgrade
    replays them (for one TTL, after which they are gone)."""
    headers = {**sec, "Idempotency-Key": "legacy-1"}
    body = json.dumps(ENTITY)
    assert post_raw(client, headers, body).status_code == 201
    legacy = hashlib.sha256(b"\n".join([b"/v1/entities", b"", body.encode()])).hexdigest()
    db.execute(
        update(IdempotentRequest)
        .where(IdempotentRequest.idempotency_key == "legacy-1")
        .values(fingerprint=legacy)
    )
    db.commit()
    again = post_raw(client, headers, body)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    other = post_raw(client, headers, json.dumps({**ENTITY, "scope": "global"}))
    assert other.status_code == 422


def record_of(db: Session, key: str) -> IdempotentRequest | None:
    db.expire_all()
    return db.scalar(select(IdempotentRequest).where(IdempotentRequest.idempotency_key == key))


def age(db: Session, key: str, hours: float) -> None:
    db.execute(
        update(IdempotentRequest)
        .where(IdempotentRequest.idempotency_key == key)
        .values(created_at=utcnow() - timedelta(hours=hours))
    )
    db.commit()


def test_a_key_is_remembered_for_its_ttl(
    client: TestClient, sec: dict[str, str], db: Session
) -> None:
    headers = {**sec, "Idempotency-Key": "ttl-within"}
    assert client.post("/v1/entities", headers=headers, json=ENTITY).status_code == 201
    age(db, "ttl-within", 23.9)  # ICAT_IDEMPOTENCY_TTL_HOURS is 24 by default
    again = client.post("/v1/entities", headers=headers, json=ENTITY)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"


def test_an_expired_key_is_new_its_record_is_gone_and_expired_ones_are_purged(
    client: TestClient, sec: dict[str, str], keys: Keys, db: Session
) -> None:
    headers = {**sec, "Idempotency-Key": "ttl-expired"}
    assert client.post("/v1/entities", headers=headers, json=ENTITY).status_code == 201
    # Another caller's expired record, and a fresh one.
    for key, body in (
        ("other-expired", {**ENTITY, "id": "sadc"}),
        ("other-fresh", {**ENTITY, "id": "eccas"}),
    ):
        body["name"] = body["id"].upper()
        r = client.post(
            "/v1/entities",
            headers={**Keys.header(keys.secretariat), "Idempotency-Key": key},
            json=body,
        )
        assert r.status_code == 201, r.text
    old = record_of(db, "ttl-expired")
    assert old is not None
    old_id = old.id
    age(db, "ttl-expired", 24.1)
    age(db, "other-expired", 48)

    # The request runs again: the entity exists now, so this time it is a conflict.
    again = client.post("/v1/entities", headers=headers, json=ENTITY)
    assert again.status_code == 409, again.text
    assert "idempotent-replayed" not in again.headers
    new = record_of(db, "ttl-expired")
    assert new is not None and new.id != old_id and new.status == 409
    assert db.get(IdempotentRequest, old_id) is None
    assert record_of(db, "other-expired") is None  # purged
    assert record_of(db, "other-fresh") is not None
    # And the new record is replayed like any other.
    replay = client.post("/v1/entities", headers=headers, json=ENTITY)
    assert replay.status_code == 409 and replay.headers["idempotent-replayed"] == "true"


def test_a_purge_takes_a_bounded_batch_oldest_first(db: Session) -> None:
    now = utcnow()
    for i, hours in enumerate((30, 50, 40, 1)):
        db.add(
            IdempotentRequest(
                key_id=1,
                idempotency_key=f"purge-{i}",
                fingerprint="0" * 64,
                status=201,
                created_at=now - timedelta(hours=hours),
            )
        )
    db.commit()
    before = now - timedelta(hours=24)
    assert purge_expired(db, before, limit=2) == 2
    db.commit()
    left = set(
        db.scalars(
            select(IdempotentRequest.idempotency_key).where(
                IdempotentRequest.idempotency_key.like("purge-%")
            )
        )
    )
    assert left == {"purge-0", "purge-3"}  # the 50- and 40-hour-old went first
    assert purge_expired(db, before, limit=2) == 1
    assert purge_expired(db, before, limit=2) == 0


def test_the_ttl_is_a_positive_number_of_hours(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().idempotency_ttl_hours == 24
    monkeypatch.setenv("ICAT_IDEMPOTENCY_TTL_HOURS", "1.5")
    assert Settings().idempotency_ttl_hours == 1.5
    for bad in ("0", "-1", "nan", "inf", "soon"):
        monkeypatch.setenv("ICAT_IDEMPOTENCY_TTL_HOURS", bad)
        with pytest.raises(ValidationError, match="idempotency_ttl_hours"):
            Settings()
