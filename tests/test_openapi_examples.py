"""The OpenAPI document's examples are valid against their schemas (jsonschema, with formats)
and its problem examples are what the service answers: worded as the code words them, and, for
what a request can provoke without arranging state, answered so by the running app."""

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from icat_api import openapi_problems
from tests.conftest import Keys
from tests.test_openapi import DOC_PATH, operations

Json = dict[str, Any]
SRC = Path(openapi_problems.__file__).parent
DOC: Json = json.loads(DOC_PATH.read_text(encoding="utf-8"))


# -- every example against its schema -----------------------------------------------------------


def _schema_examples(node: Any, where: str) -> Iterator[tuple[str, Json, Any]]:
    """(where, schema, example) for each `examples` entry of a schema and its subschemas."""
    if isinstance(node, dict):
        if isinstance(node.get("examples"), list) and (
            "type" in node or "$ref" in node or "properties" in node or "anyOf" in node
        ):
            for i, value in enumerate(node["examples"]):
                yield f"{where}/examples/{i}", node, value
        if "example" in node:
            yield f"{where}/example", node, node["example"]
        for key, sub in node.items():
            if key not in ("examples", "example"):
                yield from _schema_examples(sub, f"{where}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _schema_examples(sub, f"{where}/{i}")


def _media_examples(where: str, spec: Json) -> Iterator[tuple[str, Json, Any]]:
    """A parameter's or media type's `example` and `examples` against its `schema`."""
    if "example" in spec:
        yield f"{where}/example", spec["schema"], spec["example"]
    for name, named in spec.get("examples", {}).items():
        yield f"{where}/examples/{name}", spec["schema"], named["value"]


def every_example(doc: Json) -> Iterator[tuple[str, Json, Any]]:
    yield from _schema_examples(doc["components"]["schemas"], "#/components/schemas")
    for method, path, op in operations(doc):
        at = f"{method} {path}"
        for param in op.get("parameters", []):
            yield from _media_examples(f"{at} parameter {param['name']}", param)
            yield from _schema_examples(param["schema"], f"{at} parameter {param['name']}")
        for media, spec in op.get("requestBody", {}).get("content", {}).items():
            yield from _media_examples(f"{at} request {media}", spec)
        for code, answer in op["responses"].items():
            for media, spec in answer.get("content", {}).items():
                if "schema" in spec:
                    yield from _media_examples(f"{at} {code} {media}", spec)


EXAMPLES = list(every_example(DOC))


def test_the_document_has_examples_everywhere_they_are_checked() -> None:
    wheres = [where for where, _, _ in EXAMPLES]
    assert len(wheres) > 800
    assert any("#/components/schemas/DecisionRead" in w for w in wheres)
    assert any(w.startswith("POST /v1/decisions request") for w in wheres)
    assert any(" 422 application/problem+json/examples/validation" in w for w in wheres)
    assert any("parameter Idempotency-Key/example" in w for w in wheres)


def test_every_example_is_valid_against_its_schema() -> None:
    """What Redocly's no-invalid-*-examples check, with jsonschema and formats (date, email...):
    an integrator's mock or test built on an example is a valid request or answer."""
    invalid = []
    for where, schema, value in EXAMPLES:
        # The schema in the document's root, so `#/components/schemas/...` resolves.
        rooted = {**schema, "components": DOC["components"]}
        validator = Draft202012Validator(rooted, format_checker=Draft202012Validator.FORMAT_CHECKER)
        invalid += [f"{where}: {e.message[:200]}" for e in validator.iter_errors(value)]
    assert not invalid, "\n".join(invalid[:40]) + f"\n({len(invalid)} in all)"


def test_an_invalid_example_is_caught() -> None:
    """The check above can fail: a required field left out of an example is reported."""
    schema = {"$ref": "#/components/schemas/Problem", "components": DOC["components"]}
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert list(validator.iter_errors({"type": "x", "title": "x", "status": 422}))
    day = {"type": "string", "format": "date"}
    assert list(
        Draft202012Validator(day, format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(
            "2026-02-30"
        )
    )


# -- problem examples --------------------------------------------------------------------------


def problem_examples(doc: Json) -> Iterator[tuple[str, str, str, Json, str, Json]]:
    """(method, path, status, operation, name, problem) for every documented error example."""
    for method, path, op in operations(doc):
        for code, answer in op["responses"].items():
            if code[0] in "45":
                spec = answer["content"]["application/problem+json"]
                for name, named in spec["examples"].items():
                    yield method, path, code, op, name, named["value"]


PROBLEMS = list(problem_examples(DOC))


def test_refusals_by_the_tor_name_their_clause() -> None:
    """A 422 ToR refusal: the `tor-rule` type, its clause in `rule` and at the end of `detail`,
    as RuleViolation words it; documented for the writes the rules guard."""
    refusals = {}
    for method, path, code, op, _, problem in PROBLEMS:
        if "rule" in problem:
            assert problem["type"] == "https://icat.network/problems/tor-rule"
            assert problem["title"] == "Refused by the ICAT Terms of Reference"
            assert re.fullmatch(r"ToR 3\.[A-F](\.\d+)?(\([a-z]\))?(/3\.[A-F])?", problem["rule"])
            assert problem["detail"].endswith(f" ({problem['rule']})"), (method, path)
            if code == "422":
                refusals[op["operationId"]] = problem["rule"]
    assert refusals["update_entity"] == "ToR 3.A.4(b)"
    assert refusals["record_decision"] == "ToR 3.B.7"
    assert set(openapi_problems.TOR_REFUSALS) <= set(refusals)


ANY = None  # a value the code fills in


def _parts(node: ast.expr) -> list[str | None] | None:
    """The literal parts of the strings an expression makes, values as ANY."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [str(part.value) if isinstance(part, ast.Constant) else ANY for part in node.values]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _parts(node.left), _parts(node.right)
        if left is None and right is None:
            return None
        return (left or [ANY]) + (right or [ANY])
    return None


def _template(node: ast.expr) -> str | None:
    """A regex for a message the code makes; None for strings with too little of their own
    (`f"{where}: {msg}"` would match any detail)."""
    parts = _parts(node)
    if parts is None or sum(len(p) for p in parts if p is not ANY) < 12:
        return None
    return "".join(".+" if p is ANY else re.escape(p) for p in parts)


def source_templates() -> list[re.Pattern[str]]:
    """Every string the service's code can make, openapi_problems.py (the examples) aside."""
    found = set()
    for path in SRC.rglob("*.py"):
        if path.name == "openapi_problems.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.expr) and (pattern := _template(node)):
                found.add(pattern)
    return [re.compile(p, re.DOTALL) for p in found]


def test_problem_examples_are_worded_as_the_code_words_them() -> None:
    """Each example's detail is one the code makes (a rule's clause stripped, as RuleViolation
    appends it): an example is not an invented message."""
    templates = source_templates()
    unknown = set()
    for method, path, code, _, name, problem in PROBLEMS:
        if name == "validation":
            continue  # pydantic's wording: checked against the service below
        detail = problem["detail"]
        if "rule" in problem:
            detail = detail.removesuffix(f" ({problem['rule']})")
        if not any(t.fullmatch(detail) for t in templates):
            unknown.add(f"{method} {path} {code} {name}: {detail}")
    assert not unknown, "\n".join(sorted(unknown))


def test_a_made_up_detail_is_not_found_in_the_code() -> None:
    templates = source_templates()
    assert any(t.fullmatch("No meeting 12.") for t in templates)
    assert not any(
        t.fullmatch("Only international organizations may join ICAT.") for t in templates
    )


# -- what the running service answers ----------------------------------------------------------


def _bad_value(loc: list[str | int], op: Json) -> str:
    """A value of the parameter at ``loc`` that provokes the example's error."""
    name = loc[1]
    if name == "limit":
        return "500"
    if name == "on":
        return "yesterday"
    [param] = [p for p in op["parameters"] if p["name"] == name]
    return "abc" if param["schema"].get("type") == "integer" else "Not_A_Slug"


def _request(method: str, path: str, op: Json, problem: Json) -> dict[str, Any]:
    """The request the validation example describes: valid but for the one field."""
    loc = problem["errors"][0]["loc"]
    values = {
        p["name"]: ("ilo" if p["schema"].get("type") == "string" else "1")
        for p in op.get("parameters", [])
        if p["in"] == "path"
    }
    query = {}
    body = None
    if loc[0] == "path":
        values[loc[1]] = _bad_value(loc, op)
    elif loc[0] == "query":
        query[loc[1]] = _bad_value(loc, op)
    else:
        body = dict(op["requestBody"]["content"]["application/json"]["example"])
        field = loc[-1]
        if problem["errors"][0]["msg"] == "Field required":
            del body[field]
        else:
            body[field] = "blue"
    return {"method": method, "url": path.format(**values), "params": query, "json": body}


VALIDATION = [
    pytest.param(method, path, op, problem, id=f"{method} {path}")
    for method, path, code, op, name, problem in PROBLEMS
    if name == "validation"
]


@pytest.mark.parametrize(("method", "path", "op", "problem"), VALIDATION)
def test_the_validation_example_is_what_the_service_answers(
    client: TestClient, keys: Keys, method: str, path: str, op: Json, problem: Json
) -> None:
    r = client.request(**_request(method, path, op, problem), headers=Keys.header(keys.secretariat))
    assert r.status_code == 422, r.text
    answer = r.json()
    assert answer.pop("request_id")
    assert answer == {k: v for k, v in problem.items() if k != "request_id"}


GETS = [(path, op) for method, path, op in operations(DOC) if method == "GET"]


@pytest.mark.parametrize(
    ("path", "op"), [pytest.param(p, o, id=p) for p, o in GETS if "404" in o["responses"]]
)
def test_the_not_found_example_is_what_the_service_answers(
    client: TestClient, keys: Keys, path: str, op: Json
) -> None:
    names = [p["name"] for p in op["parameters"] if p["in"] == "path"]
    values = {name: "ilo" if name == "entity_id" else "99999" for name in names}
    if names[-1] == "entity_id":
        values["entity_id"] = "no-such-entity"
    if names[-1] == "year":
        values["year"] = "2099"
    r = client.get(path.format(**values), headers=Keys.header(keys.secretariat))
    [example] = op["responses"]["404"]["content"]["application/problem+json"]["examples"].values()
    assert r.status_code == 404, r.text
    assert r.json()["detail"] == example["value"]["detail"]
    assert r.json()["type"] == example["value"]["type"]


# Reads of rows the seed does not hold (a 404 comes first): their 406 is the same negotiation.
NEEDS_A_ROW = {
    "/v1/entities/{entity_id}/focal-points/{fp_id}",
    "/v1/chair-candidacies/{candidacy_id}",
    "/v1/work-plans/{work_plan_id}",
    "/v1/webhooks/{webhook_id}",
    "/v1/webhooks/{webhook_id}/deliveries",
}


@pytest.mark.parametrize(
    ("path", "op"),
    [pytest.param(p, o, id=p) for p, o in GETS if "406" in o["responses"] and p not in NEEDS_A_ROW],
)
def test_the_not_acceptable_example_is_what_the_service_answers(
    client: TestClient, keys: Keys, path: str, op: Json
) -> None:
    real = {"entity_id": "ilo", "year": "2015"}  # or the first row's id
    values = {
        p["name"]: real.get(p["name"], "1") for p in op.get("parameters", []) if p["in"] == "path"
    }
    r = client.get(
        path.format(**values), headers={**Keys.header(keys.secretariat), "Accept": "image/png"}
    )
    [example] = op["responses"]["406"]["content"]["application/problem+json"]["examples"].values()
    assert r.status_code == 406, r.text
    assert r.json()["detail"] == example["value"]["detail"]


@pytest.mark.parametrize(
    ("method", "path", "op"),
    [
        pytest.param(m, p, o, id=f"{m} {p}")
        for m, p, o in operations(DOC)
        if "401" in o["responses"]
    ],
)
def test_the_missing_key_example_is_what_the_service_answers(
    client: TestClient, method: str, path: str, op: Json
) -> None:
    values = {
        p["name"]: "ilo" if p["name"] == "entity_id" else "1"
        for p in op.get("parameters", [])
        if p["in"] == "path"
    }
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("example")
    r = client.request(method, path.format(**values), json=body)
    examples = op["responses"]["401"]["content"]["application/problem+json"]["examples"]
    assert r.status_code == 401, r.text
    answer = r.json()
    assert answer.pop("request_id")
    expected = dict(examples["missing_key"]["value"])
    expected.pop("request_id")
    assert answer == expected
