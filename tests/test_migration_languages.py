"""Migration 0012 on a registry with data (issue 16): existing entities get their name and
acronym as the English ones, no former name; downgrading keeps the English names; both ways on
SQLite and PostgreSQL, with memberships pointing at the entities (nothing is rebuilt)."""

from collections.abc import Iterator

import pytest
from sqlalchemy import JSON, Engine, inspect, text

from icat_api import migrate
from icat_api.db import make_engine
from tests.dbutil import fresh_database

ARABIC = "منظمة العمل الدولية"


@pytest.fixture
def at_0011() -> Iterator[tuple[str, Engine]]:
    """A registry at 0011 with two entities, one without an acronym, and a membership."""
    url = fresh_database("migration_languages")
    migrate.upgrade(url, "0011")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO entities (id, name, acronym, kind, scope, un_system, "
                "mandate_covers_tip, created_at, updated_at, version) VALUES "
                "('ilo', 'International Labour Organization', 'ILO', 'un_entity', 'global', "
                "true, true, '2020-01-01 00:00:00+00', '2020-01-01 00:00:00+00', 1), "
                "('world-bank', 'The World Bank', NULL, 'un_entity', 'global', true, true, "
                "'2020-01-01 00:00:00+00', '2020-01-01 00:00:00+00', 1)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO memberships (entity_id, role, starts_on, created_at, updated_at) "
                "VALUES ('ilo', 'member', '2007-01-01', '2020-01-01 00:00:00+00', "
                "'2020-01-01 00:00:00+00')"
            )
        )
    try:
        yield url, engine
    finally:
        engine.dispose()


def _columns(engine: Engine) -> set[str]:
    engine.dispose()
    return {c["name"] for c in inspect(engine).get_columns("entities")}


def test_upgrade_gives_existing_entities_their_english_names(at_0011: tuple[str, Engine]) -> None:
    url, engine = at_0011
    migrate.upgrade(url, "0012")
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, names, acronyms, former_names, note FROM entities ORDER BY id")
        ).all()
    decode = JSON().result_processor(engine.dialect, None)

    def value(raw: object) -> object:
        return decode(raw) if decode and isinstance(raw, str) else raw

    assert [
        (r.id, value(r.names), value(r.acronyms), value(r.former_names), r.note) for r in rows
    ] == [
        ("ilo", {"en": "International Labour Organization"}, {"en": "ILO"}, [], None),
        ("world-bank", {"en": "The World Bank"}, {}, [], None),
    ]


def test_downgrade_keeps_the_english_names_and_upgrade_works_again(
    at_0011: tuple[str, Engine],
) -> None:
    url, engine = at_0011
    migrate.upgrade(url, "0012")
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE entities SET names = :names WHERE id = 'ilo'"),
            {"names": '{"en": "International Labour Organization", "ar": "' + ARABIC + '"}'},
        )
    assert {"names", "acronyms", "former_names", "note"} <= _columns(engine)
    migrate.downgrade(url, "0011")
    assert not {"names", "acronyms", "former_names", "note"} & _columns(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM entities WHERE id = 'ilo'")).scalar_one() == (
            "International Labour Organization"
        )
        assert conn.execute(text("SELECT count(*) FROM memberships")).scalar_one() == 1
    migrate.upgrade(url)
    with engine.connect() as conn:
        names = conn.execute(text("SELECT names FROM entities WHERE id = 'ilo'")).scalar_one()
    assert "International Labour Organization" in str(names) and ARABIC not in str(names)
