"""Liveness and readiness probes."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from icat_api import migrate
from icat_api.problems import problem_response, responses

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str


@router.get(
    "/healthz",
    summary="Liveness",
    response_model=Health,
    responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}},
)
async def check_health() -> Health:
    """Answers `ok` while the process serves requests; touches no dependency."""
    return Health(status="ok")


@router.get(
    "/readyz",
    summary="Readiness",
    response_model=Health,
    responses={
        200: {"content": {"application/json": {"example": {"status": "ready"}}}},
        **responses(503),
    },
)
def check_readiness(request: Request) -> JSONResponse:
    """Answers `ready` when the database's schema is at the code's revision and the database
    answers a query that reads a table; else 503 (a replica waiting for another to migrate, a
    database away)."""
    state = request.app.state
    try:
        with state.engine.connect() as conn:
            if not getattr(state, "schema_at_head", False):
                url = state.settings.database_url
                if migrate.current_revisions(conn) != migrate.head_revisions(url):
                    return problem_response(
                        503,
                        "The database schema is not at this version's revision yet "
                        "(`icat-api db upgrade`).",
                        request=request,
                        headers={"Retry-After": "1"},
                    )
                state.schema_at_head = True  # migrations only move forward while serving
            # Reads a page of the database (SQLite answers `SELECT 1` without its file).
            conn.execute(text("SELECT version FROM data_version WHERE id = 1"))
    except SQLAlchemyError:
        return problem_response(503, "The database is unreachable.", request=request)
    return JSONResponse({"status": "ready"})
