"""Alembic migrations: upgrade from empty, no drift from the models, downgrade to base, again."""

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session

from icat_api import migrate
from icat_api.db import make_engine
from icat_api.models import Base, Entity
from icat_api.seed.loader import seed
from tests.dbutil import fresh_database


@pytest.fixture
def url() -> str:
    """A new, empty database for each test: the tests do not depend on one another's order."""
    return fresh_database("migrations")


@pytest.fixture
def engine(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _tables(engine: Engine) -> set[str]:
    engine.dispose()  # forget cached connections: the schema just changed
    return set(inspect(engine).get_table_names())


def _drift(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def _current_heads(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def test_upgrade_downgrade_and_upgrade_again_leave_the_schema_matching_the_models(
    url: str, engine: Engine
) -> None:
    model_tables = set(Base.metadata.tables)
    assert _tables(engine) == set(), "fresh_database() must answer an empty database"

    migrate.upgrade(url)
    assert _tables(engine) == model_tables | {"alembic_version"}
    assert migrate.is_at_head(engine, url)
    assert _drift(engine) == []

    migrate.downgrade(url, "base")
    assert _tables(engine) <= {"alembic_version"}
    assert _current_heads(engine) == set()
    assert not migrate.is_at_head(engine, url)

    migrate.upgrade(url)
    assert _tables(engine) == model_tables | {"alembic_version"}
    assert migrate.is_at_head(engine, url)
    assert _drift(engine) == []


def test_upgrade_twice_is_a_no_op(url: str, engine: Engine) -> None:
    migrate.upgrade(url)
    assert _drift(engine) == []
    heads = _current_heads(engine)
    migrate.upgrade(url)
    assert _current_heads(engine) == heads
    assert heads
    assert _drift(engine) == []


def test_downgrade_to_base_removes_a_seeded_schema(url: str, engine: Engine) -> None:
    migrate.upgrade(url)
    with Session(engine) as session, session.begin():
        report = seed(session)
    assert report.entities == 25

    migrate.downgrade(url, "base")
    assert _tables(engine) <= {"alembic_version"}

    migrate.upgrade(url)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Entity)) == 0
