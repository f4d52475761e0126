"""Every error answer is problem+json with the request's id — a 500 too — and is logged once."""

import pytest
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from icat_api.entities import service as entity_service


def test_an_unexpected_error_is_a_problem_with_its_request_id_logged_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: object) -> None:
        raise RuntimeError("a bug the service did not expect")

    monkeypatch.setattr(entity_service, "list_entities", broken)
    with capture_logs() as logged:
        r = client.get("/v1/entities", headers={"X-Request-ID": "trace-me-500"})
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["x-request-id"] == "trace-me-500"
    body = r.json()
    assert (body["status"], body["request_id"]) == (500, "trace-me-500")
    assert "RuntimeError" not in r.text and "Traceback" not in r.text  # no stack trace out
    errors = [e for e in logged if e["event"] == "unhandled_error"]
    assert len(errors) == 1, logged  # once: not again by the server
    assert (errors[0]["log_level"], errors[0]["exc_info"]) == ("error", True)
    assert errors[0]["path"] == "/v1/entities"
    access = [e for e in logged if e["event"] == "request"]
    assert [a["status"] for a in access] == [500]


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
