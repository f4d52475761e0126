"""Every write lands in the append-only audit trail (ToR 3.C.2)."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from icat_api.audit.models import AuditEvent
from tests.conftest import Keys


def events(client: TestClient, sec: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": 200, **({"cursor": cursor} if cursor else {})}
        body = client.get("/v1/audit-events", headers=sec, params=query).json()
        out += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return out


def test_seed_is_on_the_record(client: TestClient, sec: dict[str, str]) -> None:
    seeded = events(client, sec, action="seed", resource_type="entity")
    assert len(seeded) == 25


def test_a_change_records_who_what_before_and_after(
    client: TestClient, keys: Keys, sec: dict[str, str]
) -> None:
    r = client.patch(
        "/v1/entities/itu", headers={**sec, "X-Request-ID": "req-42"}, json={"acronym": "UIT"}
    )
    assert r.status_code == 200
    [event] = events(client, sec, resource_type="entity", resource_id="itu", action="update")
    assert event["actor_entity_id"] == "unodc"
    assert event["key_id"] is not None
    assert event["before"]["acronym"] == "ITU" and event["after"]["acronym"] == "UIT"
    assert event["request_id"] == "req-42"


def test_a_secretariat_key_is_recorded_without_an_entity(client: TestClient, keys: Keys) -> None:
    headers = Keys.header(keys.secretariat)
    body = {
        "id": "sadc",
        "name": "Southern African Development Community",
        "kind": "intergovernmental",
        "scope": "regional",
        "mandate_covers_tip": True,
    }
    assert client.post("/v1/entities", headers=headers, json=body).status_code == 201
    [event] = events(client, headers, resource_id="sadc")
    assert event["action"] == "create" and event["actor_entity_id"] is None
    assert event["before"] is None and event["after"]["id"] == "sadc"


def test_a_refused_write_records_nothing(client: TestClient, sec: dict[str, str]) -> None:
    before = len(events(client, sec))
    r = client.post(
        "/v1/entities/council-of-europe/memberships",
        headers=sec,
        json={"role": "member", "starts_on": "2021-01-01"},
    )
    assert r.status_code == 422
    assert len(events(client, sec)) == before


def test_membership_writes_are_recorded(client: TestClient, sec: dict[str, str]) -> None:
    span = client.get("/v1/entities/sr-tip/memberships").json()["items"][0]
    r = client.post(
        f"/v1/entities/sr-tip/memberships/{span['id']}/end",
        headers=sec,
        json={"ends_on": "2023-01-01"},
    )
    assert r.status_code == 200
    [event] = events(client, sec, resource_type="membership", resource_id=str(span["id"]))
    assert event["action"] == "end"
    assert event["before"]["ends_on"] is None and event["after"]["ends_on"] == "2023-01-01"


def test_the_trail_cannot_be_written_through_the_api(
    client: TestClient, sec: dict[str, str]
) -> None:
    assert client.post("/v1/audit-events", headers=sec, json={}).status_code == 405
    assert client.delete("/v1/audit-events", headers=sec).status_code == 405


def test_the_database_refuses_to_rewrite_the_trail(db: Session) -> None:
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(update(AuditEvent).values(action="forged"))
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(delete(AuditEvent))
    assert (db.scalar(select(func.count()).select_from(AuditEvent)) or 0) > 0
