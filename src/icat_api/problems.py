"""RFC 9457 problem details: one error hierarchy, rendered by one set of handlers.

Every refusal of a ToR rule carries the clause in ``rule``; field validation carries
``errors`` [{loc, msg}]. No handler ever shows a stack trace.
"""

import re
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DatabaseError, IntegrityError, InternalError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger("icat_api.errors")


class FieldError(BaseModel):
    """One field that failed validation."""

    loc: list[str | int] = Field(description="Where: body, query, path or header, then the field.")
    msg: str = Field(description="What is wrong with it.")


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "https://icat.network/problems/tor-rule",
                    "title": "Refused by the ICAT Terms of Reference",
                    "status": 422,
                    "detail": "Only international (intergovernmental) organizations and UN "
                    "entities may join ICAT (ToR 3.A.4(a))",
                    "rule": "ToR 3.A.4(a)",
                    "request_id": "5f0c2a9e41b7000000000017",
                }
            ]
        }
    )

    type: str = Field(description="A URI naming the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this request.")
    rule: str | None = Field(
        default=None, description="The ToR clause applied, e.g. 'ToR 3.A.4(b)'."
    )
    errors: list[FieldError] | None = Field(default=None, description="Field validation errors.")
    request_id: str | None = Field(default=None, description="The request id, to quote in support.")


_BASE = "https://icat.network/problems/"
_TITLES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "A valid API key is needed"),
    403: ("forbidden", "This key may not do this"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict with the current state"),
    412: ("precondition-failed", "The resource has changed (If-Match)"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation", "Invalid request"),
    428: ("precondition-required", "If-Match is required"),
    429: ("too-many-requests", "Too many requests"),
    500: ("internal", "Internal error"),
    503: ("unavailable", "Service unavailable"),
}


class ProblemError(Exception):
    """An error the API answers as problem+json."""

    status = 400

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        rule: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = status
        self.rule = rule
        self.errors = errors
        self.headers = headers or {}


class NotFound(ProblemError):
    status = 404


class Conflict(ProblemError):
    status = 409


class PreconditionFailed(ProblemError):
    status = 412


class Unauthorized(ProblemError):
    status = 401

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="icat"'})


class Forbidden(ProblemError):
    status = 403


class InvalidInput(ProblemError):
    status = 422


def unknown(field: str, what: str) -> InvalidInput:
    """A body field naming something the registry does not hold (an id of nothing)."""
    return InvalidInput(
        f"Unknown {what}.", errors=[{"loc": ["body", field], "msg": f"unknown {what}"}]
    )


class Busy(ProblemError):
    """The database is taken by other writers for longer than a request waits."""

    status = 503

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"Retry-After": "1"})


class RuleViolation(ProblemError):
    """A request refused by a clause of the ICAT Terms of Reference."""

    status = 422

    def __init__(self, rule: str, detail: str, *, status: int = 422) -> None:
        super().__init__(f"{detail} ({rule})", status=status, rule=rule)


def problem_response(
    status: int,
    detail: str,
    *,
    request: Request | None = None,
    rule: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The problem+json answer for ``status``."""
    request_id = request.scope.get("state", {}).get("request_id") if request else None
    body = problem_body(status, detail, rule=rule, errors=errors, request_id=request_id)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_body(
    status: int,
    detail: str,
    *,
    rule: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """The problem details of an answer (the OpenAPI document's examples are made by it too)."""
    slug, title = _TITLES.get(status, ("error", "Error"))
    body: dict[str, Any] = {
        "type": _BASE + ("tor-rule" if rule else slug),
        "title": "Refused by the ICAT Terms of Reference" if rule else title,
        "status": status,
        "detail": detail,
    }
    if rule:
        body["rule"] = rule
    if errors is not None:
        body["errors"] = errors
    if request_id:
        body["request_id"] = request_id
    return body


def _loc(loc: tuple[Any, ...]) -> list[str | int]:
    return [p if isinstance(p, int) else str(p) for p in loc]


def _clean_msg(msg: str) -> str:
    # pydantic messages may echo the input; keep them short and free of control characters.
    return msg.replace("\x00", "\\x00")[:300]


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        exc.status,
        exc.detail,
        request=request,
        rule=exc.rule,
        errors=exc.errors,
        headers=exc.headers,
    )


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    raw = exc.errors()
    if any(e.get("type") == "json_invalid" for e in raw):
        return problem_response(400, "The body is not valid JSON.", request=request)
    errors = [
        {
            # A union chosen by a field (`kind`) names that field when its value fits no member.
            "loc": _loc((*e.get("loc", ()), *(e.get("ctx") or {}).get("discriminator", ()))),
            "msg": _clean_msg(str(e.get("msg"))),
        }
        for e in raw
    ]
    first = errors[0] if errors else {"loc": [], "msg": "invalid"}
    where = ".".join(str(p) for p in first["loc"])
    return problem_response(
        422,
        f"{where}: {first['msg']}" if where else str(first["msg"]),
        request=request,
        errors=errors,
    )


_HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def _allowed_methods(request: Request) -> str:
    """Every method the OpenAPI document declares at this path (Starlette names only the
    first route's)."""
    table: list[tuple[re.Pattern[str], str]] | None = getattr(request.app.state, "allow", None)
    if table is None:
        table = []
        for path, item in request.app.openapi().get("paths", {}).items():
            pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path))
            methods = {m.upper() for m in item if m in _HTTP_METHODS}
            table.append((re.compile(f"^{pattern}$"), ", ".join(sorted(methods))))
        request.app.state.allow = table
    for regex, allowed in table:
        if regex.match(request.url.path):
            return allowed
    return ""


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = (
        exc.detail
        if isinstance(exc.detail, str)
        else _TITLES.get(exc.status_code, ("", "Error"))[1]
    )
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    return problem_response(exc.status_code, detail, request=request, headers=headers)


async def _on_integrity(request: Request, exc: Exception) -> JSONResponse:
    log.info("integrity_conflict", error=str(getattr(exc, "orig", exc))[:200])
    return problem_response(
        409,
        "The change conflicts with what is stored (a duplicate or a missing reference).",
        request=request,
    )


async def _on_stale(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(
        412,
        "The resource was changed by another request; read it again and retry.",
        request=request,
    )


def database_unavailable(exc: BaseException) -> bool:
    """Whether a database error means the database is away, busy or broken (503: retry later),
    rather than a mistake in a statement (500)."""
    return (
        type(exc) is DatabaseError  # e.g. SQLite's "file is not a database"
        or isinstance(exc, OperationalError | InternalError)
        or bool(getattr(exc, "connection_invalidated", False))
    )


async def _on_database(request: Request, exc: Exception) -> JSONResponse:
    if not database_unavailable(exc):
        return await _on_unexpected(request, exc)
    log.warning("database_unavailable", error=str(getattr(exc, "orig", exc))[:200])
    return problem_response(
        503,
        "The database is unavailable or busy; retry shortly.",
        request=request,
        headers={"Retry-After": "1"},
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled_error")
    return problem_response(
        500, "An unexpected error occurred; it has been logged.", request=request
    )


def install_handlers(app: FastAPI) -> None:
    """Render every error the application can raise as problem+json."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(IntegrityError, _on_integrity)
    app.add_exception_handler(StaleDataError, _on_stale)
    app.add_exception_handler(DatabaseError, _on_database)
    app.add_exception_handler(Exception, _on_unexpected)


_DESCRIPTIONS = {
    304: "Not modified: the `If-None-Match` ETag is current.",
    400: "The body is not valid JSON.",
    401: "A valid API key is needed (`Authorization: Bearer <key>`).",
    403: "The key's entity may not do this.",
    404: "No such resource.",
    409: "Conflicts with the current state.",
    412: "`If-Match` does not match the current ETag.",
    406: "Nothing offered is acceptable to `Accept` (q-values, RFC 9110).",
    413: "The body is larger than the limit (1 MiB by default).",
    422: "Invalid input, or refused by a ToR rule (`rule` names the clause).",
    503: "The database is unavailable.",
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` for the error codes an operation can answer."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        if code == 304:
            out[304] = {"description": _DESCRIPTIONS[304]}
            continue
        out[code] = {
            "model": Problem,
            "description": _DESCRIPTIONS.get(code, _TITLES[code][1]),
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return out
