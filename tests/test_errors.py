"""Every error answer is problem+json with the request's id — a 500 too — and is logged once."""

import json
import logging
from collections.abc import Iterator

import pytest
import structlog
from fastapi.testclient import TestClient

from icat_api.entities import service as entity_service
from icat_api.logs import configure_logging


@pytest.fixture
def json_logs() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO", True)
    yield
    structlog.reset_defaults()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_an_unexpected_error_is_a_problem_with_its_request_id_logged_once(
    client: TestClient,
    json_logs: None,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(**_: object) -> None:
        raise RuntimeError("a bug the service did not expect")

    monkeypatch.setattr(entity_service, "list_entities", broken)
    capfd.readouterr()
    r = client.get("/v1/entities", headers={"X-Request-ID": "trace-me-500"})
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["x-request-id"] == "trace-me-500"
    body = r.json()
    assert (body["status"], body["request_id"]) == (500, "trace-me-500")
    assert "RuntimeError" not in r.text and "Traceback" not in r.text  # no stack trace out
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.strip()]
    errors = [e for e in lines if e.get("event") == "unhandled_error"]
    assert len(errors) == 1, lines
    assert errors[0]["request_id"] == "trace-me-500"
    assert "RuntimeError: a bug the service did not expect" in errors[0]["exception"]
    access = [e for e in lines if e.get("event") == "request"]
    assert [(a["status"], a["request_id"]) for a in access] == [(500, "trace-me-500")]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/nowhere", 404),
        ("DELETE", "/v1/entities", 405),
        ("GET", "/v1/entities?limit=0", 422),
        ("POST", "/v1/entities", 401),
    ],
)
def test_every_error_carries_the_request_id(
    client: TestClient, method: str, path: str, status: int
) -> None:
    r = client.request(method, path)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["x-request-id"] == r.json()["request_id"]
