"""Examples of the problem+json answers the OpenAPI document declares, one or more per status.

Each is worded as the service words it (the handlers of problems.py, the middleware, the rules'
``RuleViolation``s), rendered by ``problem_body`` like a real answer; tests/test_openapi.py
checks them against the source and against the running service.
"""

from collections.abc import Callable, Iterator
from inspect import getclosurevars
from typing import Any

from fastapi.dependencies.models import Dependant

from icat_api.auth import authenticate, optional_caller, require
from icat_api.problems import problem_body
from icat_api.settings import Settings

# What a request id looks like (middleware.RequestContext: 12 hex digits per process, a counter).
REQUEST_ID = "5f0c2a9e41b7000000000017"

# Refusals by a clause of the ToR (a 422), per operation: the clause and the rule's wording.
TOR_REFUSALS: dict[str, tuple[str, str]] = {
    "update_entity": (
        "ToR 3.A.4(b)",
        "Only organizations whose mandate or statute addresses trafficking in persons may join "
        "ICAT (mandate_covers_tip is false)",
    ),
    "add_membership": (
        "ToR 3.A.5",
        "Non-governmental and civil-society organizations take part as stakeholders; they "
        "cannot be ICAT members or partners",
    ),
    "create_application": (
        "ToR 3.A.4(a)",
        "Only international (intergovernmental) organizations and UN entities may join ICAT",
    ),
    "withdraw_application": (
        "ToR 3.C.2",
        "withdrawn_on 2031-01-15 is after today (2026-11-28): the register records facts that "
        "have happened, not plans",
    ),
    "create_focal_point": (
        "ToR 3.A.2",
        "Exactly one contact must be the primary focal point while any are listed; this change "
        "leaves 2",
    ),
    "update_focal_point": (
        "ToR 3.A.2",
        "Exactly one contact must be the primary focal point while any are listed; this change "
        "leaves none",
    ),
    "delete_focal_point": (
        "ToR 3.A.2",
        "Exactly one contact must be the primary focal point while any are listed; this change "
        "leaves none",
    ),
    "sync_focal_points": (
        "ToR 3.A.2",
        "Only ICAT members and partners designate focal points; this entity is stakeholder",
    ),
    "enrol_in_working_group": (
        "ToR 3.B.7",
        "Only ICAT members join the Working Group; on 2023-01-10 this entity is partner "
        "(partners attend as non-voting observers)",
    ),
    "set_attendance": (
        "ToR 3.A.5",
        "Only members and partners attend a working_group meeting; stakeholders are guests of "
        "briefings and consultations only: walk-free",
    ),
    "record_decision": (
        "ToR 3.B.7",
        "council-of-europe is a partner, a non-voting observer: it cannot object",
    ),
    "create_chair_term": (
        "ToR 3.E.3",
        "Only ICAT members may chair; not a member on 1 January 2019: council-of-europe",
    ),
    "create_candidacy": (
        "ToR 3.D.1",
        "Interest in chairing in 2027 is expressed between 1 January and 31 March 2026, not on "
        "2026-04-15",
    ),
    "confirm_candidacy": ("ToR 3.D.2", "ilo is not named in this joint candidacy"),
    "withdraw_candidacy": (
        "ToR 3.C.2",
        "withdrawn_on 2031-01-15 is after today (2026-11-28): the register records facts that "
        "have happened, not plans",
    ),
    "create_work_plan": ("ToR 3.B.2(a)", "A work plan is biannual: 2021-2022, not 2021-2023"),
    "add_activity": (
        "ToR 3.E.2",
        "council-of-europe is not a member of the Working Group: it cannot lead an activity",
    ),
    "update_activity": ("ToR 3.B.2(a)", "2023-03-31 is outside the work plan's period 2021-2022"),
    "create_funding": (
        "ToR 3.B.5",
        "Funds are received on ICAT's behalf only with the Working Group's prior approval: "
        "approval_decision_id names an adopted funding_approval decision",
    ),
    "report_milestone": (
        "ToR 3.C.2",
        "reported_on 2031-01-15 is after today (2026-11-28): the register records facts that "
        "have happened, not plans",
    ),
    "publish_publication": (
        "ToR 3.B.5",
        "An ICAT product is signed off by consensus (a product_sign_off decision) before it is "
        "published",
    ),
}

# Conflicts (409) per operation: a ToR clause (or None) and the wording.
CONFLICTS: dict[str, tuple[str | None, str]] = {
    "create_entity": (None, "An entity with id 'unodc' exists; ids are never reused."),
    "update_entity": (None, "An entity named 'International Labour Organization' exists."),
    "end_membership": (
        None,
        "This membership already ended on 2019-12-31; history is not rewritten.",
    ),
    "create_focal_point": (None, "A contact with external_id 'hr-4711' exists; PATCH it."),
    "enrol_in_working_group": (
        None,
        "This member already confirmed its interest on 2019-03-01.",
    ),
    "report_milestone": (None, "This milestone was already reported on."),
    "create_application": ("ToR 3.A.3", "This entity already has an open application"),
    "withdraw_application": (
        "ToR 3.A.3",
        "This application is already withdrawn; only an open one can be withdrawn",
    ),
    "confirm_candidacy": ("ToR 3.D.2", "un-women has already expressed its interest"),
    "withdraw_candidacy": ("ToR 3.D.1", "This candidacy is elected; only an open one is withdrawn"),
    "create_chair_term": ("ToR 3.D.1", "A chair term already covers 2019; one term per year"),
    "publish_publication": ("ToR 3.B.5", "This product is already published"),
    "set_attendance": (
        "ToR 3.B.3",
        "A decision taken at this meeting relied on the participation of ilo: its attendance "
        "cannot be removed",
    ),
    "update_meeting": (
        "ToR 3.B.3",
        "Decisions were taken on days this change would leave outside the meeting",
    ),
    "cancel_meeting": (
        "ToR 3.C.2",
        "Attendance is recorded for this meeting: it was held and cannot be cancelled",
    ),
    "postpone_meeting": (
        "ToR 3.B.3",
        "Decisions were taken at this meeting: it was held and cannot be postponed",
    ),
    "record_decision": ("ToR 3.B.2(a)", "This work plan is already endorsed"),
}
_INTEGRITY = "The change conflicts with what is stored (a duplicate or a missing reference)."

# Refusals (403) answered by a service (the entity in the body, the owner of the row), besides
# or instead of the route's `require(...)` dependency.
FORBIDDEN: dict[str, str] = {
    "create_application": "This key may not act for asean.",
    "withdraw_application": "This key may not act for osce.",
    "report_milestone": "This key may not act for unodc.",
    "enrol_in_working_group": "This key may not act for unfpa.",
    "create_funding": "This key may not act for unodc.",
    "create_candidacy": "Only a candidate's own key, or the secretariat, expresses interest.",
    "confirm_candidacy": "Only a named candidate's own key, or the secretariat, confirms.",
    "withdraw_candidacy": "Only a candidate's own key, or the secretariat, withdraws it.",
    "get_webhook": "This subscription belongs to another key.",
    "delete_webhook": "This subscription belongs to another key.",
    "rotate_webhook_secret": "This subscription belongs to another key.",
    "list_webhook_deliveries": "This subscription belongs to another key.",
}

# Not found (404), by the path parameter that names what was not found (the last one).
NOT_FOUND: dict[str, str] = {
    "entity_id": "No entity with id 'no-such-entity'.",
    "membership_id": "No membership 99999 of entity 'ilo'.",
    "fp_id": "No focal point 99999 of entity 'ilo'.",
    "meeting_id": "No meeting 99999.",
    "decision_id": "No decision 99999.",
    "application_id": "No application 99999.",
    "candidacy_id": "No candidacy 99999.",
    "year": "No chair term covers 2099.",
    "work_plan_id": "No work plan 99999.",
    "activity_id": "No activity 99999 in work plan 1.",
    "funding_id": "No funding 99999.",
    "publication_id": "No publication 99999.",
    "webhook_id": "No webhook subscription 99999.",
}

_MAX_BODY = Settings.model_fields["max_body_bytes"].default
_IDEMPOTENCY_IN_PROGRESS = (
    "A request with this Idempotency-Key is still in progress; retry shortly."
)

Example = dict[str, Any]


def example(
    summary: str,
    status: int,
    detail: str,
    *,
    rule: str | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> Example:
    """A named example of a media type: the problem as the service renders it."""
    if rule:
        detail = f"{detail} ({rule})"  # as RuleViolation words it
    body = problem_body(status, detail, rule=rule, errors=errors, request_id=REQUEST_ID)
    return {"summary": summary, "value": body}


def _walk(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _walk(sub)


def key_use(dependant: Dependant) -> str:
    """`required` when the route needs a key, `optional` when a key lets it show more, else
    `none`: read from its dependencies, so the document cannot drift from the code."""
    calls = list(_walk(dependant))
    if authenticate in calls:
        return "required"
    return "optional" if optional_caller in calls else "none"


def power_refusal(dependant: Dependant) -> str | None:
    """The 403 detail of the route's `require(...)` dependency, if it has one."""
    for call in _walk(dependant):
        if getattr(call, "__qualname__", "") == f"{require.__qualname__}.<locals>.dependency":
            return f"This key may not {getclosurevars(call).nonlocals['what']}."
    return None


def _resolve(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _field_error(loc: list[str | int], msg: str) -> Example:
    where = ".".join(str(p) for p in loc)
    return example("Field validation", 422, f"{where}: {msg}", errors=[{"loc": loc, "msg": msg}])


def validation_example(operation: dict[str, Any], schemas: dict[str, Any]) -> Example | None:
    """A field error this operation answers: a required body field left out (an unknown one
    added where none is required), else `limit` over 200, a malformed path parameter or day."""
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        schema = _resolve(body["schema"], schemas)
        loc: list[str | int] = ["body"]
        if "oneOf" in schema:  # a union chosen by `kind`: pydantic names the member
            kind = body["example"]["kind"]
            variants = [_resolve(v, schemas) for v in schema["oneOf"]]
            schema = next(v for v in variants if v["properties"]["kind"].get("const") == kind)
            loc.append(kind)
        required = [name for name in schema.get("required", []) if name != "kind"]
        if required:
            return _field_error([*loc, required[0]], "Field required")
        return _field_error([*loc, "colour"], "Extra inputs are not permitted")
    params = {(p["in"], p["name"]): p["schema"] for p in operation.get("parameters", [])}
    if ("query", "limit") in params:
        return _field_error(["query", "limit"], "Input should be less than or equal to 200")
    path = [name for where, name in params if where == "path"]
    if path:
        schema = params[("path", path[-1])]
        if schema.get("type") == "integer":
            msg = "Input should be a valid integer, unable to parse string as an integer"
        else:
            msg = f"String should match pattern '{schema['pattern']}'"
        return _field_error(["path", path[-1]], msg)
    for day in ("on", "to"):
        if ("query", day) in params:
            return _field_error(["query", day], "Value error, a day is written YYYY-MM-DD")
    return None


def examples_for(
    code: str,
    operation: dict[str, Any],
    *,
    path: str,
    schemas: dict[str, Any],
    refusal: str | None,
) -> dict[str, Example]:
    """The examples of one error response of ``operation``."""
    op_id = operation["operationId"]
    status = int(code)
    out: dict[str, Example] = {}
    idempotent = any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    if status == 400:
        out["invalid_json"] = example("Not JSON", 400, "The body is not valid JSON.")
        out["duplicate_key"] = example(
            "A key named twice",
            400,
            "The body's JSON names a key twice in one object; each key once.",
        )
    elif status == 401:
        out["missing_key"] = example(
            "No key",
            401,
            "This operation needs an API key: Authorization: Bearer <key>.",
        )
        out["unknown_key"] = example(
            "Unknown or revoked key", 401, "The API key is unknown or revoked."
        )
    elif status == 403:
        if refusal:
            out["forbidden"] = example("The key may not do this", 403, refusal)
        if op_id in FORBIDDEN:
            out["not_its_own"] = example("Not the key's own", 403, FORBIDDEN[op_id])
    elif status == 404:
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
        detail = NOT_FOUND[names[-1]] if names else NOT_FOUND["entity_id"]
        out["not_found"] = example("Not found", 404, detail)
    elif status == 406:
        offered = operation["responses"]["200"].get("content", {}) or {"application/json": {}}
        out["not_acceptable"] = example(
            "Nothing acceptable",
            406,
            "Nothing this resource offers is acceptable to the request's Accept header; it "
            f"offers {', '.join(offered)}.",
        )
    elif status == 409:
        rule, detail = CONFLICTS.get(op_id, (None, _INTEGRITY))
        out["tor_rule" if rule else "conflict"] = example(
            "Refused by the ToR" if rule else "Conflict", 409, detail, rule=rule
        )
        if idempotent:
            out["idempotency_in_progress"] = example(
                "The same Idempotency-Key in flight", 409, _IDEMPOTENCY_IN_PROGRESS
            )
    elif status == 412:
        out["stale"] = example(
            "Stale If-Match",
            412,
            "If-Match does not match the current ETag; read it again and retry.",
        )
    elif status == 413:
        out["too_large"] = example(
            "Body too large", 413, f"The body is larger than {_MAX_BODY} bytes."
        )
    elif status == 415:
        out["not_json"] = example(
            "Not JSON",
            415,
            "The body must be JSON (Content-Type: application/json), not 'text/plain'.",
        )
    elif status == 422:
        field = validation_example(operation, schemas)
        if field:
            out["validation"] = field
        if op_id in TOR_REFUSALS:
            rule, detail = TOR_REFUSALS[op_id]
            out["tor_rule"] = example("Refused by the ToR", 422, detail, rule=rule)
        if idempotent:
            out["idempotency_key"] = example(
                "A malformed Idempotency-Key",
                422,
                "Idempotency-Key must be 1-255 visible ASCII characters.",
                errors=[{"loc": ["header", "Idempotency-Key"], "msg": "invalid"}],
            )
    elif status == 429:
        out["rate_limited"] = example("Too many requests", 429, "Too many requests; retry in 2 s.")
    elif status == 503:
        if path == "/readyz":
            out["unreachable"] = example("Database away", 503, "The database is unreachable.")
            out["migrating"] = example(
                "Schema behind",
                503,
                "The database schema is not at this version's revision yet "
                "(`icat-api db upgrade`).",
            )
        else:
            out["unavailable"] = example(
                "Database busy", 503, "The database is unavailable or busy; retry shortly."
            )
    return out
