"""The engine, the declarative base and the one-transaction-per-request session dependency."""

import functools
import inspect
import sqlite3
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from typing import Annotated, Any, ParamSpec, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import contextmanager_in_threadpool, run_in_threadpool
from pydantic_core import from_json
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from icat_api.negotiation import preferred
from icat_api.problems import Busy

# Named constraints, so migrations can drop and alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def one_of(column: str, values: tuple[str, ...]) -> str:
    """The SQL of a check constraint: ``column`` holds one of ``values``."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Now, in UTC, to the microsecond."""
    return datetime.now(UTC)


LOCK_WAIT_MS = 5000
"""How long a request waits for a lock held by another (SQLite's busy_timeout, PostgreSQL's
lock_timeout) before it gives up with 503 and Retry-After, rather than hanging."""


def _sqlite_on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # pysqlite opens transactions on its own terms; take control so that SAVEPOINT and
    # one-transaction-per-request behave as on PostgreSQL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


WRITE = "icat_write"
"""Execution option of a connection whose transaction will write (see :func:`get_session`)."""

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _sqlite_on_begin(conn: Any) -> None:
    # A transaction that will write takes SQLite's write lock when it begins (IMMEDIATE): a
    # second writer then waits for it (busy_timeout) instead of failing when it upgrades a read
    # lock to a write lock, which SQLite refuses at once ("database is locked") to avoid a
    # deadlock. Writers queue, as they do on PostgreSQL's row locks.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


# SQLite errors after which a connection cannot be trusted again: the file was replaced, broken
# or taken away under it. Marked as disconnects, so the pool drops every connection and the next
# request opens the file afresh (recovery without a restart once the file is back).
_SQLITE_BROKEN = (
    "file is not a database",
    "database disk image is malformed",
    "disk i/o error",
    "unable to open database file",
    "no such table",
)


def _sqlite_on_error(context: ExceptionContext) -> None:
    message = str(context.original_exception).lower()
    if isinstance(context.original_exception, sqlite3.DatabaseError) and any(
        m in message for m in _SQLITE_BROKEN
    ):
        context.is_disconnect = True


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and explicit transactions."""
    parsed = make_url(url)
    # JSON columns (an entity's names in six languages, its former names) are read with
    # pydantic's parser: the same values as the json module's, four times sooner (a page of
    # entities decodes 75 of them).
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"check_same_thread": False}, json_deserializer=from_json
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        event.listen(engine, "handle_error", _sqlite_on_error)
        return engine
    return create_engine(
        url,
        json_deserializer=from_json,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        connect_args={"options": f"-c lock_timeout={LOCK_WAIT_MS}"},
    )


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that never expire loaded state on commit (answers are built before it)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


class Writers:
    """This process's writers to a SQLite database, one at a time and in turn.

    SQLite has one write lock per file, and a writer waiting for it (busy_timeout) polls with
    growing sleeps: under a steady stream of writes one of them can lose every round and give
    up. Queued here first, on a lock the operating system hands over, writers take SQLite's
    lock in turn; other processes still meet it through busy_timeout. PostgreSQL needs none.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @contextmanager
    def turn(self) -> Iterator[None]:
        if not self._lock.acquire(timeout=LOCK_WAIT_MS / 1000):
            raise Busy("The database is busy with other writes; retry shortly.")
        try:
            yield
        finally:
            self._lock.release()


def writers_for(engine: Engine) -> Writers | None:
    """A writers' queue for a SQLite engine, none for PostgreSQL."""
    return Writers() if engine.dialect.name == "sqlite" else None


@contextmanager
def _transaction(session: Session) -> Iterator[Session]:
    """Commit when the block ends, roll back if it raises."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


@contextmanager
def _reading_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as session, _transaction(session):
        yield session


@contextmanager
def _writing_session(request: Request) -> Iterator[Session]:
    # A write waits for its turn (a blocking lock) and commits to disk: in the thread pool.
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    writers: Writers | None = request.app.state.writers
    with writers.turn() if writers else nullcontext(), factory() as session:
        session.connection(execution_options={WRITE: True})
        with _transaction(session):
            yield session


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: commit when the handler returns, roll back if it raises.

    Services only flush; this is the one place that commits. It runs with
    ``scope="function"`` so the commit happens before the answer is sent: a client never sees
    a success that was not stored. A request that may write (not GET/HEAD/OPTIONS) starts its
    transaction as a writer, so that concurrent writers queue on SQLite; it waits for its turn
    and commits in the thread pool. A read neither waits nor writes. Where reads run on the
    event loop (SQLite, :func:`read_handler`) its transaction is opened and ended there too,
    sparing it two trips to the thread pool and back; elsewhere (PostgreSQL) ending it is a
    round trip to the server, which must not stall the loop: in the thread pool, as the handler.
    """
    if request.method not in SAFE_METHODS:
        async with contextmanager_in_threadpool(_writing_session(request)) as session:
            yield session
        return
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    if request.app.state.reads_on_loop:
        with _reading_session(factory) as session:
            yield session
        return
    async with contextmanager_in_threadpool(_reading_session(factory)) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def reads_on_the_loop(engine: Engine) -> bool:
    """Whether read handlers run on the event loop (see :func:`read_handler`): on SQLite."""
    return engine.dialect.name == "sqlite"


# A list answered as CSV is every row that matches (csv_output, which imports this module).
_LIST_TYPES = ("application/json", "text/csv")


def _whole_list(request: Request) -> bool:
    return preferred(request.headers.get("accept"), _LIST_TYPES) == "text/csv"


P = ParamSpec("P")
R = TypeVar("R")


def read_handler(endpoint: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """A GET handler that reads the database, run where reading costs least.

    On SQLite the database is a local file and a read is CPU work under the GIL: a worker
    thread runs it no sooner, and the hop to the thread pool and back cost more than a page of
    entities takes to read (a cold ``GET /v1/entities``: 550 requests a second in the pool, 950
    on the loop). So there it runs on the event loop, as the read transaction already opens and
    ends there (:func:`get_session`). On PostgreSQL it runs in the thread pool: a slow query on
    the loop would stall every other request. Only bounded reads run on the loop (a page, one
    resource): a list asked for as CSV (every row that matches) keeps its thread, and so does
    an export of a year's records (not a read handler).
    """
    if "request" not in inspect.signature(endpoint).parameters:
        raise TypeError(f"{endpoint.__name__} needs the request to know its database")

    @functools.wraps(endpoint)
    async def handle(*args: P.args, **kwargs: P.kwargs) -> R:
        request: Request = kwargs["request"]  # type: ignore[assignment]
        if request.app.state.reads_on_loop and not _whole_list(request):
            return endpoint(*args, **kwargs)
        return await run_in_threadpool(endpoint, *args, **kwargs)

    return handle
