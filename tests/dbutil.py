"""Test databases: SQLite files by default, PostgreSQL when ICAT_TEST_DATABASE_URL is set.

Each pytest-xdist worker, and each purpose (suite, migrations, fuzzing), gets a database of its
own, created empty here.
"""

import os
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from icat_api import migrate
from icat_api.db import make_engine
from icat_api.seed.loader import seed

BASE_URL = os.environ.get("ICAT_TEST_DATABASE_URL")
_TMP = Path(tempfile.mkdtemp(prefix="icat-tests-"))
# The newest migration's revision (each file is named after its revision): the schema's head.
HEAD = sorted(
    p.name[:4] for p in (Path(__file__).parents[1] / "migrations" / "versions").glob("0*.py")
)[-1]


def is_postgres() -> bool:
    return BASE_URL is not None and make_url(BASE_URL).get_backend_name() == "postgresql"


def fresh_database(purpose: str) -> str:
    """The URL of a new, empty database for ``purpose`` (dropped and re-created if it exists)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if not is_postgres():
        path = _TMP / f"{purpose}-{worker}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    assert BASE_URL is not None
    url = make_url(BASE_URL)
    name = f"{url.database}_{purpose}_{worker}".lower()
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def seeded(url: str) -> str:
    """``url``'s database migrated to the head and seeded with the real data; answers ``url``."""
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        seed(session)
    engine.dispose()
    return url
