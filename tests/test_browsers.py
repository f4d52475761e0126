"""Browsers (issue 15): HEAD on every GET of the OpenAPI document; CORS for public reads from any
origin, never with credentials; keys and writes only from origins listed by name."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api.app import create_app
from icat_api.entities.models import Entity
from icat_api.settings import Settings
from tests.conftest import Keys
from tests.helpers import PROBLEM, body_of

SITE = "https://www.icat.example"  # a website showing the member list
ADMIN = "https://admin.icat.example"  # a page the secretariat uses with its key
NEW = {
    "id": "cors-agency",
    "name": "Cors Agency against Trafficking",
    "kind": "intergovernmental",
    "scope": "regional",
    "mandate_covers_tip": True,
}

# -- HEAD -----------------------------------------------------------------------------------------


def _gets(app: FastAPI) -> list[str]:
    return [p for p, item in app.openapi()["paths"].items() if "get" in item]


def _fill(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), template)


def test_head_answers_every_get_as_get_does_without_a_body(
    app: FastAPI, client: TestClient, keys: Keys
) -> None:
    sec = Keys.header(keys.secretariat)
    hook = {"url": "https://hooks.example.org/icat", "events": ["*"]}
    webhook = body_of(client.post("/v1/webhooks", json=hook, headers=sec), 201)
    membership = client.get("/v1/entities/ilo/memberships").json()["items"][0]
    values = {
        "entity_id": "ilo",
        "year": "2015",
        "membership_id": str(membership["id"]),
        "webhook_id": str(webhook["id"]),
    }
    templates = _gets(app)
    assert len(templates) > 30
    for template in templates:
        path = _fill(template, values)
        got, head = client.get(path, headers=sec), client.head(path, headers=sec)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        ignore = {"date", "x-request-id"}
        assert {k: v for k, v in head.headers.items() if k not in ignore} == {
            k: v for k, v in got.headers.items() if k not in ignore
        }, path
        if got.status_code == 200 and path not in ("/healthz", "/readyz"):  # probes: no cache
            assert int(head.headers["content-length"]) == len(got.content), path
            etag = got.headers.get("etag")
            assert etag, f"{path}: a GET without an ETag"
            assert client.head(path, headers={**sec, "If-None-Match": etag}).status_code == 304


def test_head_of_a_write_only_path_is_405(client: TestClient) -> None:
    r = client.head("/v1/chair-terms")
    assert r.status_code == 405
    assert "POST" in r.headers["allow"]


# -- CORS -----------------------------------------------------------------------------------------


def test_a_page_on_any_origin_reads_public_answers(client: TestClient) -> None:
    r = client.get("/v1/member-list", headers={"Origin": SITE})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "*"
    exposed = {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")}
    assert {"etag", "content-disposition", "x-request-id"} <= exposed
    assert "access-control-allow-credentials" not in r.headers
    preflight = client.options(
        "/v1/member-list",
        headers={
            "Origin": SITE,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match, accept",
        },
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in preflight.headers


@pytest.mark.parametrize(
    ("method", "headers"),
    [("GET", "authorization"), ("POST", "content-type"), ("PUT", "authorization, content-type")],
)
def test_keys_and_writes_are_refused_from_an_origin_not_listed(
    client: TestClient, method: str, headers: str
) -> None:
    r = client.options(
        "/v1/entities",
        headers={
            "Origin": SITE,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )
    assert r.status_code == 403
    assert r.headers["content-type"].startswith(PROBLEM)
    assert "access-control-allow-origin" not in r.headers


def test_a_keyed_write_from_an_origin_not_listed_stores_nothing(
    client: TestClient, db: Session, keys: Keys
) -> None:
    sec = Keys.header(keys.coordinator)
    r = client.post("/v1/entities", json=NEW, headers={**sec, "Origin": SITE})
    assert r.status_code == 403
    assert r.headers["content-type"].startswith(PROBLEM)
    assert db.scalar(select(Entity.id).where(Entity.id == NEW["id"])) is None
    r = client.get("/v1/webhooks", headers={**sec, "Origin": SITE})
    assert r.status_code == 403
    # The service's own origin (its docs page's "Try it out") may.
    r = client.get("/v1/webhooks", headers={**sec, "Origin": "http://testserver"})
    assert r.status_code == 200
    # Scripts send no Origin: keys work as ever.
    assert client.get("/v1/webhooks", headers=sec).status_code == 200


@pytest.fixture
def listed(settings: Settings, app: FastAPI, connection: Any) -> Iterator[TestClient]:
    """An app listing ADMIN, on the test's transaction (the suite's app's sessions)."""
    other = create_app(settings.model_copy(update={"cors_origins": [ADMIN, "*"]}))
    other.state.sessionmaker = app.state.sessionmaker
    try:
        with TestClient(other) as client:
            yield client
    finally:
        other.state.engine.dispose()


def test_a_listed_origin_may_send_keys(listed: TestClient, keys: Keys) -> None:
    preflight = listed.options(
        "/v1/webhooks",
        headers={
            "Origin": ADMIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["access-control-allow-origin"] in (ADMIN, "*")
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    r = listed.get("/v1/webhooks", headers={**Keys.header(keys.member), "Origin": ADMIN})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] in (ADMIN, "*")
    # Public reads from anywhere still ("*" is listed too), keys still not.
    assert listed.get("/v1/entities", headers={"Origin": SITE}).status_code == 200
    r = listed.get("/v1/webhooks", headers={**Keys.header(keys.member), "Origin": SITE})
    assert r.status_code == 403


@pytest.mark.parametrize(
    "origins",
    ["ftp://a.example", "https://a.example/path", "a.example", "https://"],
)
def test_origins_that_are_not_origins_are_refused(origins: Any) -> None:
    with pytest.raises(ValidationError):
        Settings(database_url="sqlite://", cors_origins=origins)
