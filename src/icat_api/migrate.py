"""Alembic from code: upgrade, downgrade, and whether the database is at head."""

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


def migrations_dir() -> Path:
    """The migrations: the package ``icat_api.migrations``, which is the repository's top-level
    migrations/ mapped into the wheel (pyproject.toml), and that very folder in an editable
    install. Found wherever the program runs from; alembic.ini is not needed."""
    try:
        location = resources.files("icat_api.migrations")
    except ModuleNotFoundError:
        # src/ on sys.path without an install (or an editable install made before the mapping).
        location = Path(__file__).resolve().parents[2] / "migrations"
    if not isinstance(location, Path) or not (location / "env.py").is_file():
        raise RuntimeError(f"the migrations are missing from {location}: reinstall icat-api")
    return location


def alembic_config(url: str) -> Config:
    """An Alembic config for ``url``, with the package's migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def is_at_head(engine: Engine, url: str) -> bool:
    with engine.connect() as conn:
        return current_revisions(conn) == head_revisions(url)


# One key for the registry's schema work on a PostgreSQL server: replicas started together
# take turns, and the first one migrates and seeds (pg_advisory_lock).
_ADVISORY_KEY = 0x1CA7_5EED


@contextmanager
def exclusive(url: str) -> Iterator[None]:
    """Hold the database's schema lock for the block: a PostgreSQL advisory lock, or an
    exclusive lock on the SQLite file (flock, which SQLite's own locks do not see). Processes
    that start together wait their turn, so only the first one migrates and seeds."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(parsed, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _ADVISORY_KEY})
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_KEY})
        finally:
            engine.dispose()
        return
    path = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if not path or path == ":memory:" or path.startswith("file:"):
        yield
        return
    with open(path, "ab") as handle:  # creates the empty file SQLite would create
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@lru_cache(maxsize=8)
def head_revisions(url: str) -> frozenset[str]:
    """The revisions the code's migrations end at (read once per process)."""
    return frozenset(ScriptDirectory.from_config(alembic_config(url)).get_heads())


def current_revisions(connection: Connection) -> frozenset[str]:
    """The revisions the database is at (none when it was never migrated)."""
    return frozenset(MigrationContext.configure(connection).get_current_heads())
