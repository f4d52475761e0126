"""Whether the configured database can serve a command: there, reachable, migrated.

Every command but `serve` and `db upgrade` (which create and migrate it) asks first, so an
operator gets one line saying what is wrong and what to run, and no file is left behind: a
missing SQLite file is reported, never created.
"""

import re
import sqlite3
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from icat_api import migrate

CONNECT_TIMEOUT_SECONDS = 10
"""How long a PostgreSQL server may take to answer before it counts as unreachable."""

UPGRADE = "`icat-api db upgrade`"


class DatabaseNotReady(Exception):
    """The database cannot serve the command; the message is one line that says what to do."""


def shown(url: str | URL) -> str:
    """``url`` as it may be printed: its password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return "(ICAT_DATABASE_URL, not a database URL)"


def one_line(text: str) -> str:
    return " ".join(text.split())


def _reason(error: BaseException, url: URL | None) -> str:
    """What the driver said, on one line, without the password."""
    original = error.orig if isinstance(error, exc.DBAPIError) else error
    reason = one_line(str(original)) or type(original).__name__
    if url is not None and url.password:
        reason = reason.replace(str(url.password), "***")
    return reason


def explain(url: str, error: exc.DBAPIError) -> str:
    """One line about a database error: a connection that failed (``statement`` is None: no
    statement ran) is the database missing or unreachable; anything else is named as it is."""
    try:
        parsed: URL | None = make_url(url)
    except exc.ArgumentError:
        parsed = None
    reason = _reason(error, parsed)
    if error.statement is not None:
        return f"the database {shown(url)} failed: {reason}"
    if parsed is not None and re.search(r'database "[^"]*" does not exist', reason):
        return (
            f"the database {shown(url)} does not exist; create it (createdb {parsed.database}), "
            f"then run {UPGRADE}"
        )
    return f"the database {shown(url)} cannot be reached ({reason})"


def _sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL; None when the database is in memory or a `file:` URI."""
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:") or url.query.get("uri"):
        return None
    return Path(database)


def _probe_engine(url: URL) -> Engine:
    """An engine that opens the database as it is, and creates nothing."""
    if url.get_backend_name() == "sqlite":
        path = _sqlite_path(url)
        if path is not None:
            if not path.exists():
                raise DatabaseNotReady(
                    f"the database {shown(url)} does not exist (no file {path.absolute()}); "
                    f"create it with {UPGRADE}"
                )
            # mode=rw: should the file vanish meanwhile, SQLite fails instead of creating it.
            uri = f"{path.absolute().as_uri()}?mode=rw"
            return create_engine(
                "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=NullPool
            )
        return create_engine(url, poolclass=NullPool)
    if url.get_backend_name() == "postgresql":
        return create_engine(
            url, poolclass=NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS}
        )
    return create_engine(url, poolclass=NullPool)


def require(url: str, *, at_head: bool = True) -> None:
    """Raise :class:`DatabaseNotReady` unless the database at ``url`` exists, answers and is
    migrated: at the head revision, or (``at_head=False``, for downgrades) at a revision this
    program knows."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError as error:
        raise DatabaseNotReady(
            f"ICAT_DATABASE_URL is not a database URL ({_reason(error, None)})"
        ) from error
    engine = _probe_engine(parsed)
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except exc.DBAPIError as error:
        message = explain(url, error)
        if error.statement is not None:  # it answered, but is no database SQLite can read
            message = f"the database {shown(url)} cannot be read ({_reason(error, parsed)})"
        raise DatabaseNotReady(message) from error
    finally:
        engine.dispose()

    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    heads = set(script.get_heads())
    head = ", ".join(sorted(heads))
    known = {rev.revision for rev in script.walk_revisions()}
    if current - known:
        raise DatabaseNotReady(
            f"the database {shown(url)} is at revision {', '.join(sorted(current - known))}, "
            f"which this icat-api does not know (its head is {head}): use a newer icat-api"
        )
    if not current:
        raise DatabaseNotReady(
            f"the database {shown(url)} is not migrated (it has no revision, head is {head}): "
            f"run {UPGRADE}"
        )
    if at_head and current != heads:
        raise DatabaseNotReady(
            f"the database {shown(url)} is not migrated (at revision "
            f"{', '.join(sorted(current))}, head is {head}): run {UPGRADE}"
        )
