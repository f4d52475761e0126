"""Hosts: a redirect never echoes the request's Host; ICAT_ALLOWED_HOSTS refuses the others."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from icat_api.app import create_app
from icat_api.settings import Settings


def test_a_trailing_slash_redirects_to_a_path_not_to_the_callers_host(client: TestClient) -> None:
    r = client.get(
        "/v1/entities/?limit=2", headers={"Host": "evil.example"}, follow_redirects=False
    )
    assert r.status_code == 307
    assert r.headers["location"] == "/v1/entities?limit=2"
    assert "evil" not in r.headers["location"]


@pytest.fixture
def guarded(settings: Settings) -> Iterator[FastAPI]:
    app = create_app(
        settings.model_copy(update={"allowed_hosts": ["api.icat.network", "*.icat.example"]})
    )
    yield app
    app.state.engine.dispose()


@pytest.mark.parametrize(
    "host", ["api.icat.network", "API.icat.network:443", "www.icat.example", "a.b.icat.example"]
)
def test_an_allowed_host_is_answered(guarded: FastAPI, host: str) -> None:
    with TestClient(guarded) as c:
        assert c.get("/healthz", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "icat.example", "api.icat.network.evil", ""])
def test_another_host_is_a_400_problem(guarded: FastAPI, host: str) -> None:
    with TestClient(guarded) as c:
        r = c.get("/v1/member-list", headers={"Host": host})
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 400
    assert r.headers["x-request-id"]
