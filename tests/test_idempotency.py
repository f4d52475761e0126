"""Idempotency-Key on POST: a repeat replays the first answer; another body is refused."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from icat_api.app import create_app
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
