"""The OpenAPI document: FastAPI's, with every error answered as problem+json declared."""

from typing import Any

from fastapi import FastAPI
from fastapi import routing as fastapi_routing
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from icat_api.openapi_problems import examples_for, key_use, power_refusal
from icat_api.problems import PROBLEM_JSON, responses

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def operation_id(route: APIRoute) -> str:
    """The route function's name: generated clients call it (`record_decision`), so it is
    named as a method would be, not after the path (`create_decision_v1_decisions_post`)."""
    return route.name


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}}}


# Who may call: `[]` is public; `{}` beside the scheme makes the key optional (a public read that
# shows more to a key); the scheme alone makes it required.
_SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "none": [],
    "optional": [{}, {"bearer": []}],
    "required": [{"bearer": []}],
}

# The server that serves the document: relative, so /docs try requests against whatever host
# and port it was loaded from (OpenAPI's default made explicit); generated clients take their
# base URL as an argument.
SERVERS = [
    {
        "url": "/",
        "description": "The server that serves this document (`make serve`: "
        "http://127.0.0.1:8000).",
    }
]

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


def _resolve(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _nullable(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "null" or any(
        o.get("type") == "null" for o in schema.get("anyOf", [])
    )


def restore_nulls(value: Any, schema: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Put back the nulls FastAPI drops from examples (it renders the document with
    `exclude_none`): a required field that may be null and is missing was null."""
    schema = _resolve(schema, schemas)
    if isinstance(value, list):
        for item in value:
            restore_nulls(item, schema.get("items", {}), schemas)
        return
    if not isinstance(value, dict):
        return
    for option in schema.get("anyOf", []) + schema.get("oneOf", []):
        option = _resolve(option, schemas)
        kind = option.get("properties", {}).get("kind", {}).get("const")
        if "properties" in option and kind in (None, value.get("kind")):
            restore_nulls(value, option, schemas)
    properties = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in value and _nullable(properties.get(name, {})):
            value[name] = None
    for name, sub in value.items():
        if name in properties:
            restore_nulls(sub, properties[name], schemas)


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


def _api_routes(app: FastAPI) -> dict[str, APIRoute]:
    """The app's routes by name (their operationId). FastAPI 0.16x wraps included routers; its
    `iter_route_contexts` walks through them to the routes as declared."""
    contexts = getattr(fastapi_routing, "iter_route_contexts", None)
    declared = [c.original_route for c in contexts(app.routes)] if contexts else app.routes
    return {route.name: route for route in declared if isinstance(route, APIRoute)}


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
        servers=SERVERS,
        license_info={"name": "Apache-2.0", "identifier": "Apache-2.0"},
    )
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    for schema in schemas.values():
        for value in schema.get("examples", []):
            restore_nulls(value, schema, schemas)
    schemas.pop("ValidationError", None)
    components["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from `icat-api keys create --entity ENTITY_ID`.",
        }
    }
    problem_422 = responses(422)[422]["description"]
    routes = _api_routes(app)
    for path, path_item in doc.get("paths", {}).items():
        for method, operation in path_item.items():
            route = routes[operation["operationId"]]
            answers = operation.setdefault("responses", {})
            if "422" in answers or operation.get("parameters") or "requestBody" in operation:
                answers["422"] = _problem(problem_422)
            if "requestBody" in operation and method == "post":
                operation.setdefault("parameters", []).append(_IDEMPOTENCY_KEY)
                answers.setdefault(
                    "409",
                    _problem(
                        "Conflicts with the current state, or a request with this Idempotency-Key is in progress."
                    ),
                )
            if path.startswith("/v1/"):
                answers.setdefault("503", _problem("The database is unavailable or busy; retry."))
                if method == "get":
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
            operation["security"] = _SECURITY[key_use(route.dependant)]
            _add_examples(operation, schemas)
            refusal = power_refusal(route.dependant)
            for code, answer in answers.items():
                if code.startswith(("4", "5")):
                    examples = examples_for(
                        code, operation, path=path, schemas=schemas, refusal=refusal
                    )
                    answer["content"] = {
                        PROBLEM_JSON: {"schema": _PROBLEM_REF, "examples": examples}
                    }
    app.openapi_schema = doc
    return doc
