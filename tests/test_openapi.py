"""The committed OpenAPI document is what the app serves, and integrators can build from it."""

import json
import keyword
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from icat_api.cli import render_openapi

DOC_PATH = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(DOC_PATH.read_text(encoding="utf-8"))
    return doc


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def test_committed_document_equals_what_the_app_serves(client: TestClient) -> None:
    committed = DOC_PATH.read_text(encoding="utf-8")
    assert committed == render_openapi(), "run `icat-api openapi export` and commit the result"
    assert client.get("/openapi.json").json() == json.loads(committed)


def test_every_operation_has_summary_description_and_examples(document: dict[str, Any]) -> None:
    for method, path, op in operations(document):
        where = f"{method} {path}"
        assert op.get("summary"), where
        assert len(op.get("description", "")) > 40, where
        ok = [a for code, a in op["responses"].items() if code.startswith("2")]
        assert ok, where
        if list(op["responses"]) != ["204"] and "204" not in op["responses"]:
            assert any("example" in spec for a in ok for spec in a.get("content", {}).values()), (
                where
            )
        if "requestBody" in op:
            body = op["requestBody"]["content"]["application/json"]
            assert "example" in body, where


def test_every_error_is_declared_as_problem_json(document: dict[str, Any]) -> None:
    for method, path, op in operations(document):
        for code, answer in op["responses"].items():
            if code[0] in "45":
                assert list(answer["content"]) == ["application/problem+json"], (method, path, code)


PUBLIC_READS = {
    "/v1/member-list",
    "/v1/entities",
    "/v1/entities/{entity_id}",
    "/v1/entities/{entity_id}/memberships",
    "/v1/entities/{entity_id}/memberships/{membership_id}",
    "/v1/chairs",
    "/v1/entities/{entity_id}/voting-rights",
    "/v1/working-group",
    "/v1/working-group/participation",
    "/v1/meetings",
    "/v1/meetings/{meeting_id}",
    "/v1/meetings/{meeting_id}/attendance",
    "/v1/calendar.ics",
    "/v1/decisions",
    "/v1/decisions/{decision_id}",
    "/v1/applications",
    "/v1/applications/{application_id}",
    "/v1/entities/{entity_id}/chair-eligibility",
    "/v1/chair-candidacies",
    "/v1/chair-candidacies/{candidacy_id}",
    "/v1/chair-terms/{year}/report",
    "/v1/work-plans",
    "/v1/work-plans/{work_plan_id}",
    "/v1/publications",
    "/v1/publications/{publication_id}",
    "/v1/changes",
    "/healthz",
    "/readyz",
}


Security = list[dict[str, list[str]]]
PUBLIC: Security = []  # no key: generated clients and /docs send none
OPTIONAL_KEY: Security = [{}, {"bearer": []}]  # public; a key shows more (representatives...)
KEY: Security = [{"bearer": []}]


def test_public_reads_are_open_and_everything_else_needs_a_key(document: dict[str, Any]) -> None:
    for method, path, op in operations(document):
        if method == "GET" and path in PUBLIC_READS:
            assert op["security"] in (PUBLIC, OPTIONAL_KEY), (method, path)
            assert "401" not in op["responses"], (method, path)
            continue
        assert {"401", "403"} <= set(op["responses"]), (method, path)
        assert op["security"] == KEY, (method, path)


def test_every_operation_declares_its_security(document: dict[str, Any]) -> None:
    """Redocly's `security-defined`: an operation without `security` reads as "unknown"; each
    says public (`[]`), key optional or key required, by the scheme the document defines."""
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    seen = set()
    for method, path, op in operations(document):
        assert op["security"] in (PUBLIC, OPTIONAL_KEY, KEY), (method, path)
        seen.add(json.dumps(op["security"]))
        if op["security"] == OPTIONAL_KEY:
            assert method == "GET", (method, path)
    assert len(seen) == 3
    changes = document["paths"]["/v1/changes"]["get"]
    assert changes["security"] == OPTIONAL_KEY  # focal points' changes need a key
    assert document["paths"]["/healthz"]["get"]["security"] == PUBLIC


def test_servers_name_where_the_document_is_served(document: dict[str, Any]) -> None:
    """Redocly's `no-empty-servers`: relative `/` is what OpenAPI means by no servers (the host
    that served the document), and what /docs calls wherever it is deployed."""
    assert [s["url"] for s in document["servers"]] == ["/"]
    assert document["info"]["license"]["identifier"] == "Apache-2.0"


def test_every_operation_but_the_probes_declares_a_4xx(document: dict[str, Any]) -> None:
    """The probes answer 200 or 503 only (redocly.yaml switches `operation-4xx-response` off for
    them); every other operation documents how a request of it can be refused."""
    for method, path, op in operations(document):
        if path in ("/healthz", "/readyz"):
            assert not [c for c in op["responses"] if c.startswith("4")], path
            continue
        assert [c for c in op["responses"] if c.startswith("4")], (method, path)


def test_every_documented_error_status_has_a_problem_example(document: dict[str, Any]) -> None:
    """Integrators see what each refusal looks like (tests/test_openapi_examples.py checks that
    the service answers so)."""
    for method, path, op in operations(document):
        for code, answer in op["responses"].items():
            if code[0] not in "45":
                continue
            examples = answer["content"]["application/problem+json"].get("examples")
            assert examples, (method, path, code)
            for named in examples.values():
                problem = named["value"]
                assert named["summary"], (method, path, code)
                assert problem["status"] == int(code), (method, path, code)
                assert problem["type"].startswith("https://icat.network/problems/")
                assert {"title", "detail", "request_id"} <= set(problem), (method, path, code)
            if code == "401":
                assert {"missing_key", "unknown_key"} <= set(examples), (method, path)
            if code == "422" and (op.get("parameters") or "requestBody" in op):
                validation = examples["validation"]["value"]
                assert validation["errors"] and "rule" not in validation, (method, path)


def test_bodies_declare_400_413_and_422(document: dict[str, Any]) -> None:
    for method, path, op in operations(document):
        if "requestBody" in op:
            assert {"400", "413", "422"} <= set(op["responses"]), (method, path)


def test_conditional_gets_declare_304(document: dict[str, Any]) -> None:
    for method, path, op in operations(document):
        if method == "GET" and path.startswith("/v1/"):
            assert "304" in op["responses"], path


def test_member_list_declares_csv(document: dict[str, Any]) -> None:
    content = document["paths"]["/v1/member-list"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv"} <= set(content)


def test_operation_ids_read_as_function_names(document: dict[str, Any]) -> None:
    """Generated clients name their functions after operationIds: each is a unique snake_case
    Python identifier that says what it does, not the path it came from."""
    ids = [op["operationId"] for _, _, op in operations(document)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for op_id in ids:
        assert op_id.isidentifier() and not keyword.iskeyword(op_id), op_id
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", op_id), op_id
        assert "v1" not in op_id.split("_"), op_id
    assert {"get_member_list", "list_entities", "sync_focal_points", "record_decision"} <= set(ids)
