"""Fixtures: one migrated, seeded database per worker; each test in a rolled-back transaction."""

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from icat_api.app import create_app
from icat_api.keys.service import create_key
from icat_api.settings import Settings
from tests.dbutil import fresh_database, seeded

# Markers of tests run once, not once per database: each runs only when asked for by name in
# `-m` (as .ci/run does) or by its variable; elsewhere (`make test`) it is deselected, so
# `make test` needs neither the package index nor Chromium; asked for, they fail when what they
# need is missing, never skip.
ONCE_ONLY = {
    # tests/test_install.py: build the wheel, install it in a fresh venv, serve from an empty
    # folder (a minute; needs the package index)
    "install": "ICAT_RUN_INSTALL_TESTS",
    # tests/test_browser.py: pages read in headless Chromium (Debian's chromium, chromedriver)
    "browser": "ICAT_RUN_BROWSER_TESTS",
    # tests/test_generated_client.py: generate a client from the committed document and drive
    # a real server with it (nothing in it depends on the database)
    "clients": "ICAT_RUN_CLIENT_TESTS",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the ONCE_ONLY tests that were not asked for."""
    markexpr = config.getoption("markexpr") or ""
    for marker, variable in ONCE_ONLY.items():
        asked = re.search(rf"(?<!not )\b{marker}\b", markexpr)
        if asked or os.environ.get(variable) == "1":
            continue
        once = [item for item in items if item.get_closest_marker(marker)]
        if once:
            config.hook.pytest_deselected(items=once)
            items[:] = [item for item in items if not item.get_closest_marker(marker)]


@pytest.fixture(scope="session")
def database_url() -> str:
    return seeded(fresh_database("suite"))


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, log_json=True, rate_limit_enabled=False)


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture(scope="session")
def engine(app: FastAPI) -> Engine:
    engine: Engine = app.state.engine
    return engine


@pytest.fixture
def connection(engine: Engine, app: FastAPI) -> Iterator[Connection]:
    """A connection in an outer transaction that is rolled back after the test; the app's
    sessions join it through savepoints, so their commits are undone too."""
    original = app.state.sessionmaker
    # Answers cached from an earlier test's data, which its rollback undid, must not be served.
    app.state.read_cache.clear()
    with engine.connect() as conn:
        outer = conn.begin()
        app.state.sessionmaker = sessionmaker(
            bind=conn,
            expire_on_commit=False,
            autoflush=False,
            join_transaction_mode="create_savepoint",
        )
        try:
            yield conn
        finally:
            app.state.sessionmaker = original
            outer.rollback()


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    """A session in the test's transaction, for arranging and inspecting state."""
    with Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    ) as session:
        yield session


@pytest.fixture
def client(app: FastAPI, connection: Connection) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@dataclass(frozen=True)
class Keys:
    coordinator: str  # UNODC: the secretariat's powers (ToR 3.C.1)
    secretariat: str  # a secretariat key tied to no entity
    member: str  # ILO, an ordinary member
    partner: str  # Council of Europe, a partner
    revoked: str

    @staticmethod
    def header(key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def keys(db: Session) -> Keys:
    from icat_api.keys.service import revoke_key

    made = {
        name: create_key(session=db, entity_id=entity, secretariat=entity is None)
        for name, entity in [
            ("coordinator", "unodc"),
            ("secretariat", None),
            ("member", "ilo"),
            ("partner", "council-of-europe"),
            ("revoked", "iom"),
        ]
    }
    revoke_key(session=db, key_id=made["revoked"][0].id)
    db.commit()
    return Keys(**{name: key for name, (_, key) in made.items()})


@pytest.fixture
def sec(keys: Keys) -> dict[str, str]:
    """Headers of the Coordinator's key."""
    return Keys.header(keys.coordinator)
