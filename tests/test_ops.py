"""Operations: liveness, readiness, request ids, offline docs, the OpenAPI document."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from icat_api.app import DOCS_POLICY, create_app
from icat_api.settings import Settings

_ASSET = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.I)


@pytest.fixture(params=["postgres", "sqlite"])
def unreachable_client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    """A client of an app whose database cannot be reached: nothing listens on port 1, and
    SQLite cannot create a file in a directory that does not exist."""
    url = (
        "postgresql+psycopg://postgres@127.0.0.1:1/nope"
        if request.param == "postgres"
        else f"sqlite:///{tmp_path / 'missing-dir' / 'icat.db'}"
    )
    app = create_app(Settings(database_url=url))
    try:
        with TestClient(app, raise_server_exceptions=False) as c:
            yield c
    finally:
        app.state.engine.dispose()


def test_healthz_answers_ok(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_readyz_answers_ready_when_the_database_answers(client: TestClient) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ready"}


def test_readyz_answers_503_problem_when_the_database_is_unreachable(
    unreachable_client: TestClient,
) -> None:
    r = unreachable_client.get("/readyz")
    assert r.status_code == 503
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == 503
    assert body["type"].endswith("/unavailable")
    assert body["detail"]
    assert body["request_id"] == r.headers["x-request-id"]


def test_healthz_stays_ok_when_the_database_is_unreachable(
    unreachable_client: TestClient,
) -> None:
    r = unreachable_client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/v1/member-list"),
        ("GET", "/v1/entities/no-such-entity"),
        ("POST", "/v1/entities"),
        ("GET", "/no/such/route"),
        ("GET", "/docs"),
        ("GET", "/openapi.json"),
    ],
)
def test_every_response_carries_a_request_id(client: TestClient, method: str, path: str) -> None:
    r = client.request(method, path)
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", r.headers.get("x-request-id", ""))


def test_generated_request_ids_differ_between_requests(client: TestClient) -> None:
    ids = {client.get("/healthz").headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5


def test_a_valid_incoming_request_id_is_echoed(client: TestClient) -> None:
    r = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"


def test_an_incoming_request_id_is_quoted_in_problem_bodies(client: TestClient) -> None:
    r = client.get("/v1/entities/no-such-entity", headers={"X-Request-ID": "trace.42_x"})
    assert r.status_code == 404
    assert r.headers["x-request-id"] == "trace.42_x"
    assert r.json()["request_id"] == "trace.42_x"


@pytest.mark.parametrize(
    "hostile",
    [
        "x" * 500,
        "x" * 65,
        "abc 123",
        "abc\n",
        "abc\r\nSet-Cookie: stolen=1",
        "<script>alert(1)</script>",
        "",
    ],
    ids=["500-chars", "65-chars", "space", "trailing-newline", "crlf-injection", "markup", "empty"],
)
def test_a_hostile_incoming_request_id_is_replaced_by_a_generated_one(
    client: TestClient, hostile: str
) -> None:
    r = client.get("/healthz", headers={"X-Request-ID": hostile})
    assert r.status_code == 200
    echoed = r.headers["x-request-id"]
    assert echoed != hostile
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", echoed)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_only_local_assets(client: TestClient, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    lowered = html.lower()
    assert "cdn" not in lowered
    assert "fonts.googleapis" not in lowered
    assets = _ASSET.findall(html)
    assert any(a.endswith(".js") for a in assets), assets
    for asset in assets:
        assert asset.startswith("/static-docs/"), asset
        answer = client.get(asset)
        assert answer.status_code == 200, asset
        assert answer.content, asset
    assert "/openapi.json" in html
    # The browser is told to take nothing from elsewhere: no source but this server's own.
    policy = r.headers["content-security-policy"]
    assert policy == DOCS_POLICY and policy.startswith("default-src 'self';")
    assert "http" not in policy and "*" not in policy


def test_the_description_says_how_to_get_a_key_and_where_changes_are(client: TestClient) -> None:
    description = client.get("/openapi.json").json()["info"]["description"]
    for told in (
        "icat-api keys create --entity ID",
        "ask the ICAT secretariat (the Coordinator, UNODC)",
        "`GET /v1/changes?after=SEQ`",
        "`POST /v1/webhooks`",
        "Standard Webhooks",
    ):
        assert told in description, told


def test_openapi_document_is_served_as_json(client: TestClient) -> None:
    r = client.get("/openapi.json")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    document = r.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "ICAT registry API"
    for path in ("/healthz", "/readyz", "/v1/member-list", "/v1/entities"):
        assert path in document["paths"], path
    assert "/docs" not in document["paths"]
