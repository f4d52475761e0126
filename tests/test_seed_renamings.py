"""The seed's renamings (assumption A8): DPA is DPPA and DPKO is DPO from 1 January 2019, with
the fact sheet's names as former names; a registry seeded before them takes them on the next
seed, unless the Coordinator has since given the entity a name or a history of its own."""

from datetime import date

from sqlalchemy.orm import Session

from icat_api.entities.models import Entity
from icat_api.seed import data
from icat_api.seed.loader import seed


def test_the_seed_carries_the_renamings_with_their_source() -> None:
    renamed = {e.id: e for e in data.ENTITIES if e.former_names}
    assert set(renamed) == {"dpa", "dpko"}
    dpa = renamed["dpa"]
    assert (dpa.name, dpa.acronym) == ("Department of Political and Peacebuilding Affairs", "DPPA")
    [former] = dpa.former_names
    assert (former.name, former.acronym, former.until) == (
        "Department of Political Affairs",
        "DPA",
        date(2018, 12, 31),
    )
    assert dpa.note is not None and "72/199" in dpa.note and "A8" in dpa.note
    assert renamed["dpko"].former_names[0].name == "Department of Peacekeeping Operations"


def _as_seeded_before(db: Session, entity_id: str, name: str, acronym: str) -> Entity:
    entity = db.get(Entity, entity_id)
    assert entity is not None
    entity.name, entity.acronym = name, acronym
    entity.names, entity.acronyms, entity.former_names = {"en": name}, {"en": acronym}, []
    entity.note = None
    db.flush()
    return entity


def test_a_registry_seeded_before_takes_the_renaming(db: Session) -> None:
    dpa = _as_seeded_before(db, "dpa", "Department of Political Affairs", "DPA")
    report = seed(db)
    assert report.renamed == 1 and report.entities == 0
    db.refresh(dpa)
    assert (dpa.name, dpa.acronym) == ("Department of Political and Peacebuilding Affairs", "DPPA")
    assert dpa.names == {"en": dpa.name} and dpa.acronyms == {"en": "DPPA"}
    assert dpa.former_names == [
        {"name": "Department of Political Affairs", "acronym": "DPA", "until": "2018-12-31"}
    ]
    assert dpa.note is not None and "72/199" in dpa.note
    assert seed(db).renamed == 0  # once


def test_an_entity_the_coordinator_changed_is_left_as_it_is(db: Session) -> None:
    dpko = _as_seeded_before(db, "dpko", "Department of Peacekeeping Operations (UN)", "DPKO")
    dpa = _as_seeded_before(db, "dpa", "Department of Political Affairs", "DPA")
    dpa.former_names = [{"name": "Political Office", "acronym": None, "until": "1992-02-28"}]
    db.flush()
    assert seed(db).renamed == 0
    db.refresh(dpko)
    db.refresh(dpa)
    assert dpko.name == "Department of Peacekeeping Operations (UN)"
    assert dpa.name == "Department of Political Affairs"
