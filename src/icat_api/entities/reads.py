"""How entities are read: the statements built once, with the day (and a list's filters)
bound when they run, and their rows made into ``EntityRead``.

A public read runs these on every request the cache does not answer; building a statement with
the status expressions, and its cache key, cost more than running it, so they are built at
import (one per shape of a list's filters), never per request.
"""

from collections import namedtuple
from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Date, Select, bindparam, func, or_, select

from icat_api.entities import rules
from icat_api.entities.models import Entity
from icat_api.entities.names import NameRecord, Naming
from icat_api.entities.schemas import EntityRead
from icat_api.languages import UN_LANGUAGES
from icat_api.pagination import TEXT, Keyset, PageParams

# The day a read is on, bound when it runs: the statements below are built once, not per request
# (building the status expressions and their cache keys cost more than running them).
_ON = bindparam("on", type_=Date())
_status = rules.status_expression(_ON)
_enrolled = rules.working_group_expression(_ON)
# An entity as reads show it: its columns (rows, not ORM objects: nothing is written back) with
# its status and its Working Group enrolment on the day.
READ = select(*Entity.__table__.c, _status.label("status"), _enrolled.label("working_group"))
ONE = READ.where(Entity.id == bindparam("entity_id"))
STATUS = select(_status).where(Entity.id == bindparam("entity_id"))
# Whether there is such an entity: its id alone (loading the entity decodes its JSON names).
ID = select(Entity.id).where(Entity.id == bindparam("entity_id"))
# A row of ``READ`` as a named tuple: SQLAlchemy's rows answer an attribute by name ten times
# slower than a tuple answers it by position, and an entity reads some twenty-five.
_Row = namedtuple("_Row", READ.selected_columns.keys())  # type: ignore[misc]


def fields(row: Any, naming: Naming) -> dict[str, Any]:
    """The fields of an EntityRead from a row of ``READ``."""
    row = _Row._make(row)
    record = NameRecord.of(row)
    name, acronym = naming.show(row.id, record)
    return {
        "id": row.id,
        "name": name,
        "acronym": acronym,
        "names": {tag: record.names.get(tag) for tag in UN_LANGUAGES},
        "acronyms": {tag: record.acronyms.get(tag) for tag in UN_LANGUAGES},
        "former_names": [
            {"name": f.name, "acronym": f.acronym, "until": f.until} for f in record.former
        ],
        "kind": row.kind,
        "scope": row.scope,
        "un_system": row.un_system,
        "mandate_covers_tip": row.mandate_covers_tip,
        "mandate_reference": row.mandate_reference,
        "website": row.website,
        "note": row.note,
        "status": row.status,
        "working_group": bool(row.working_group),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


READS = TypeAdapter(list[EntityRead])


def read(row: Any, naming: Naming) -> EntityRead:
    return EntityRead.model_validate(fields(row, naming))


def read_all(rows: Sequence[Any], naming: Naming) -> list[EntityRead]:
    # One validation for the page: pydantic's loop, not one call per entity and nested model.
    return READS.validate_python([fields(row, naming) for row in rows])


ENTITIES = Keyset("entities", (Entity.id,), (TEXT,))


@lru_cache(maxsize=32)
def _filtered(
    status: bool, kind: bool, working_group: bool | None, updated_since: bool
) -> Select[Any]:
    """``READ`` with the filters asked for, their values bound when it runs."""
    query = READ
    if status:
        query = query.where(_status == bindparam("status"))
    if kind:
        query = query.where(Entity.kind == bindparam("kind"))
    if working_group is not None:
        query = query.where(_enrolled if working_group else ~_enrolled)
    if updated_since:
        query = query.where(Entity.updated_at >= bindparam("updated_since"))
    return query


@lru_cache(maxsize=128)
def _first_page(
    status: bool, kind: bool, working_group: bool | None, updated_since: bool, limit: int | None
) -> Select[Any]:
    """The first page of ``limit`` (every row for None): built once per shape, so a request
    pays neither for building it nor for its cache key."""
    page = None if limit is None else PageParams(limit, None)
    return ENTITIES.query(_filtered(status, kind, working_group, updated_since), page)


def listing(
    *,
    page: PageParams | None,
    day: date,
    status: str | None,
    kind: str | None,
    working_group: bool | None,
    q: str | None,
    updated_since: datetime | None,
) -> tuple[Select[Any], dict[str, Any]]:
    """The statement of a list of entities and the values it is run with."""
    shape = (status is not None, kind is not None, working_group, updated_since is not None)
    if q or (page is not None and page.after is not None):
        # A search's text and a cursor's key are in the statement itself: built for this one.
        query = _filtered(*shape)
        if q:
            needle = q.lower()
            query = query.where(
                or_(
                    func.lower(Entity.name).contains(needle, autoescape=True),
                    func.lower(Entity.acronym).contains(needle, autoescape=True),
                    Entity.id.contains(needle, autoescape=True),
                )
            )
        statement = ENTITIES.query(query, page)
    else:
        statement = _first_page(*shape, None if page is None else page.limit)
    values = {"on": day, "status": status, "kind": kind, "updated_since": updated_since}
    return statement, values
