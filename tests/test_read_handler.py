"""Where read handlers run: on the event loop on SQLite, in the thread pool on PostgreSQL."""

import inspect
import threading

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from icat_api.db import SessionDep, make_engine, make_sessionmaker, read_handler, reads_on_the_loop
from icat_api.problems import NotFound, install_handlers
from icat_api.response_cache import endpoints


def _app_telling_its_loop(on_loop: bool) -> FastAPI:
    """An app whose reads run on the loop or not, and whose ``/where`` names the loop's thread."""
    app = FastAPI()
    install_handlers(app)
    app.state.reads_on_loop = on_loop

    @app.get("/where")
    async def where_the_loop_is() -> dict[str, int]:
        return {"thread": threading.get_ident()}

    return app


def _app(on_loop: bool) -> tuple[FastAPI, list[int]]:
    app = _app_telling_its_loop(on_loop)
    seen: list[int] = []

    @app.get("/read/{n}")
    @read_handler
    def read(request: Request, n: int) -> dict[str, int]:
        seen.append(threading.get_ident())
        if n == 0:
            raise NotFound("No such thing.")
        return {"n": n}

    return app, seen


@pytest.mark.parametrize("on_loop", [True, False])
def test_a_read_runs_on_the_loop_only_when_told(on_loop: bool) -> None:
    app, seen = _app(on_loop)
    with TestClient(app) as client:
        loop = client.get("/where").json()["thread"]
        answer = client.get("/read/7")
        assert answer.status_code == 200
        assert answer.json() == {"n": 7}  # parameters parsed from the handler's own signature
        assert (seen[-1] == loop) is on_loop
        refused = client.get("/read/0")  # its errors answer as any handler's
        assert refused.status_code == 404
        assert refused.headers["content-type"] == "application/problem+json"
        assert client.get("/read/x").status_code == 422
        # A list asked for as CSV is every row that matches: unbounded, it keeps a thread.
        for accept in ("text/csv", "text/csv, application/json;q=0.5"):
            assert client.get("/read/3", headers={"Accept": accept}).status_code == 200
            assert seen[-1] != loop
        assert client.get("/read/3", headers={"Accept": "application/json, text/csv;q=0.5"})
        assert (seen[-1] == loop) is on_loop


def test_a_read_handler_needs_the_request() -> None:
    def no_request(n: int) -> int:
        return n

    with pytest.raises(TypeError, match="no_request"):
        read_handler(no_request)


def test_sqlite_reads_on_the_loop_postgresql_in_threads() -> None:
    assert reads_on_the_loop(make_engine("sqlite://"))
    assert not reads_on_the_loop(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))


def test_every_get_handler_is_a_read_handler_but_the_export_and_readiness(app: FastAPI) -> None:
    # A sync GET handler left out runs in the thread pool on SQLite too: a choice, named here.
    handlers = {
        route.endpoint.__name__: route.endpoint
        for route in endpoints(app.routes)
        if "GET" in (getattr(route, "methods", None) or ())
    }
    assert len(handlers) > 30
    wrapped = {name for name, h in handlers.items() if hasattr(h, "__wrapped__")}
    assert {"list_entities", "get_entity", "list_changes", "get_attendance"} <= wrapped
    in_threads = {name for name, h in handlers.items() if not inspect.iscoroutinefunction(h)}
    assert in_threads == {"get_records", "check_readiness"}


@pytest.mark.parametrize("on_loop", [True, False])
def test_a_read_transaction_ends_where_the_read_ran(on_loop: bool) -> None:
    """On PostgreSQL ending a read is a round trip to the server: never on the event loop."""
    engine = make_engine("sqlite://")
    app = _app_telling_its_loop(on_loop)
    app.state.sessionmaker = factory = make_sessionmaker(engine)
    read: list[int] = []
    ended: list[int] = []
    event.listen(factory, "after_commit", lambda _session: ended.append(threading.get_ident()))

    @app.get("/one")
    @read_handler
    def one(request: Request, session: SessionDep) -> dict[str, int]:
        read.append(threading.get_ident())
        return {"one": session.execute(text("SELECT 1")).scalar_one()}

    try:
        with TestClient(app) as client:
            loop = client.get("/where").json()["thread"]
            assert client.get("/one").json() == {"one": 1}
    finally:
        engine.dispose()
    assert len(ended) == 1
    assert (ended[0] == loop) is on_loop
    assert (read[0] == loop) is on_loop
