"""The OpenAPI document: FastAPI's, with every error answered as problem+json declared."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from icat_api.problems import PROBLEM_JSON, responses

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def operation_id(route: APIRoute) -> str:
    """The route function's name: generated clients call it (`record_decision`), so it is
    named as a method would be, not after the path (`create_decision_v1_decisions_post`)."""
    return route.name


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}}}


_PRIMITIVES: dict[str, Any] = {
    "string": "string",
    "integer": 1,
    "number": 1.0,
    "boolean": True,
    "null": None,
}


def example_of(schema: dict[str, Any], schemas: dict[str, Any], depth: int = 0) -> Any:
    """An example built from the schema's own examples, so every operation shows one."""
    if "$ref" in schema:
        return example_of(schemas[schema["$ref"].rsplit("/", 1)[-1]], schemas, depth)
    if schema.get("examples"):
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    if depth > 8:
        return None
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"] or schema[key]
            return example_of(options[0], schemas, depth + 1)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {
            name: example_of(sub, schemas, depth + 1)
            for name, sub in schema.get("properties", {}).items()
        }
    if kind == "array":
        return [example_of(schema.get("items", {}), schemas, depth + 1)]
    if schema.get("format") == "date":
        return "2019-06-30"
    if schema.get("format") == "date-time":
        return "2019-06-30T12:00:00Z"
    return _PRIMITIVES.get(str(kind))


def _add_examples(operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    contents = [operation.get("requestBody", {}).get("content", {})]
    for code, answer in operation.get("responses", {}).items():
        if code.startswith("2"):
            contents.append(answer.get("content", {}))
    for content in contents:
        for media, spec in content.items():
            if "json" in media and "schema" in spec and "example" not in spec:
                spec["example"] = example_of(spec["schema"], schemas)


_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a POST safe to retry: a repeat with the same body replays the first "
    "answer (with `Idempotent-Replayed: true`); the same key with another body is 422. Kept per "
    "API key.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
    "example": "sync-2026-11-22-unodc-1",
}


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """Build once: declare bearer keys, and make every error response problem+json."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=[
            {"name": "member list", "description": "The website's public call."},
            {"name": "entities", "description": "Organizations and their derived status."},
            {
                "name": "memberships",
                "description": "Role history: members and partners (ToR 3.A.1, 3.E, 3.F).",
            },
            {
                "name": "focal points",
                "description": "Contacts (ToR 3.A.2). Personal data: never public.",
            },
            {
                "name": "working group",
                "description": "Enrolment and voting rights (ToR 3.B.7, 3.E.3).",
            },
            {"name": "meetings", "description": "Meetings and attendance, with capacities."},
            {
                "name": "decisions",
                "description": "Consensus decisions and applications (ToR 3.A.3, 3.B.3).",
            },
            {"name": "chairs", "description": "The Chair of ICAT (ToR 3.D, Annex 3)."},
            {"name": "work plans", "description": "The biannual work plan (ToR 3.B.2)."},
            {"name": "funding", "description": "Extra-budgetary funds and milestones (ToR 3.B.5)."},
            {
                "name": "publications",
                "description": "ICAT products, signed off before publication (ToR 3.B.5).",
            },
            {"name": "records", "description": "The Coordinator's records (ToR 3.C.2)."},
            {"name": "operations", "description": "Probes for deployments."},
        ],
    )
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    components["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from `icat-api keys create --entity ENTITY_ID`.",
        }
    }
    problem_422 = responses(422)[422]["description"]
    for path, path_item in doc.get("paths", {}).items():
        for operation in path_item.values():
            answers = operation.setdefault("responses", {})
            if "422" in answers or operation.get("parameters") or "requestBody" in operation:
                answers["422"] = _problem(problem_422)
            if "requestBody" in operation and operation is path_item.get("post"):
                operation.setdefault("parameters", []).append(_IDEMPOTENCY_KEY)
                answers.setdefault(
                    "409",
                    _problem(
                        "Conflicts with the current state, or a request with this Idempotency-Key is in progress."
                    ),
                )
            if path.startswith("/v1/"):
                answers.setdefault("503", _problem("The database is unavailable or busy; retry."))
                if operation is path_item.get("get"):
                    answers.setdefault(
                        "406",
                        _problem(
                            "Nothing this resource offers is acceptable to `Accept` "
                            "(weighed by q-values, RFC 9110)."
                        ),
                    )
                answers.setdefault(
                    "429", _problem("Too many requests from this address or key; see Retry-After.")
                )
            if "requestBody" in operation:
                answers.setdefault("400", _problem("The body is not valid JSON."))
                answers.setdefault("413", _problem("The body is larger than the limit (1 MiB)."))
                answers.setdefault("415", _problem("The body is not JSON (Content-Type)."))
            for code, answer in answers.items():
                if code.startswith(("4", "5")):
                    answer["content"] = {PROBLEM_JSON: {"schema": _PROBLEM_REF}}
            if "401" in answers:
                operation["security"] = [{"bearer": []}]
            _add_examples(operation, schemas)
    app.openapi_schema = doc
    return doc
