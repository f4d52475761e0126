"""The name an entity is shown by: on a day (its former names), in a language (its names).

Every view that shows entities' names (entities, the member list, the Working Group, chairs, the
Chair's report) asks a :class:`Naming` made for the request's day and negotiated language, and
answers its :meth:`Naming.content_language`: the languages it actually used.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from icat_api.entities import rules
from icat_api.entities.models import Entity
from icat_api.entities.name_schemas import merged
from icat_api.entities.schemas import EntityUpdate
from icat_api.languages import ENGLISH, content_language, pick

# The columns a view selects to name an entity (with Entity.id).
NAME_COLUMNS = (Entity.name, Entity.acronym, Entity.names, Entity.acronyms, Entity.former_names)


def former_names(stored: Iterable[Mapping[str, Any]]) -> list[rules.FormerName]:
    """Former names as stored (JSON, oldest first) as the rules read them."""
    return [
        rules.FormerName(f["name"], f.get("acronym"), date.fromisoformat(f["until"]))
        for f in stored
    ]


def stored_former_names(former: Iterable[rules.FormerName]) -> list[dict[str, Any]]:
    """Former names as stored: JSON, oldest first."""
    return [{"name": f.name, "acronym": f.acronym, "until": f.until.isoformat()} for f in former]


@dataclass(frozen=True)
class NameRecord:
    """What an entity's record says of its names."""

    name: str
    acronym: str | None
    names: Mapping[str, str]
    acronyms: Mapping[str, str]
    former: tuple[rules.FormerName, ...]

    @classmethod
    def of(cls, row: Any) -> "NameRecord":
        """From an Entity or a row with the NAME_COLUMNS. `name` and `acronym` are the English
        ones whatever ``names`` holds (they are kept equal; the columns are the unique ones)."""
        names = {**(row.names or {}), ENGLISH: row.name}
        acronyms = dict(row.acronyms or {})
        if row.acronym:
            acronyms[ENGLISH] = row.acronym
        else:
            acronyms.pop(ENGLISH, None)
        return cls(row.name, row.acronym, names, acronyms, tuple(former_names(row.former_names)))


@dataclass
class Naming:
    """Names as shown on ``day`` in ``language``; remembers the languages it used."""

    day: date
    language: str = ENGLISH
    used: set[str] = field(default_factory=set)
    # Per entity id: the languages its name and acronym were shown in (for the HTML page).
    shown_in: dict[str, tuple[str, str | None]] = field(default_factory=dict)

    def show(self, entity_id: str, record: NameRecord) -> tuple[str, str | None]:
        """The name and acronym ``entity_id`` went by on the day, in the language (English per
        field where it is not filled; a former name is in English)."""
        former = rules.former_name_on(record.former, self.day)
        if former is not None:
            shown = (former.name, former.acronym)
            languages: tuple[str, str | None] = (ENGLISH, ENGLISH if former.acronym else None)
        else:
            name, name_language = pick(dict(record.names), self.language) or (record.name, ENGLISH)
            acronym = pick(dict(record.acronyms), self.language)
            shown = (name, acronym[0] if acronym else None)
            languages = (name_language, acronym[1] if acronym else None)
        self.used.update(tag for tag in languages if tag is not None)
        self.shown_in[entity_id] = languages
        return shown

    def on(self, day: date) -> "Naming":
        """The same naming on another day, remembering into the same languages used (a list of
        chair terms names each term's chairs as they were in its year)."""
        return replace(self, day=day)

    def content_language(self) -> str:
        """What the answer's ``Content-Language`` says (languages.content_language)."""
        return content_language(self.language, self.used)


# The fields of a write that name the entity.
NAME_FIELDS = ("name", "acronym", "names", "acronyms", "former_names")


def named(entity: Entity, data: EntityUpdate, today: date) -> dict[str, Any]:
    """The name columns of ``entity`` after the partial change ``data`` (all of them when it
    sends any name field, none when it sends none), the former names checked (ToR 3.C.2).

    ``name`` changes the English name and keeps the other languages; ``names`` replaces every
    language; ``acronym`` and ``acronyms`` likewise (``acronym: null``: no English acronym).
    """
    sent = data.model_fields_set
    if not sent & set(NAME_FIELDS):
        return {}
    record = NameRecord.of(entity)
    names = merged(dict(record.names), data.names if "names" in sent else None)
    if "names" not in sent and data.name is not None:
        names[ENGLISH] = data.name
    acronyms = merged(dict(record.acronyms), data.acronyms if "acronyms" in sent else None)
    if "acronym" in sent and (data.acronym is not None or "acronyms" not in sent):
        if data.acronym is None:
            acronyms.pop(ENGLISH, None)
        else:
            acronyms[ENGLISH] = data.acronym
    former: list[rules.FormerName] = list(record.former)
    if data.former_names is not None:
        former = [rules.FormerName(f.name, f.acronym, f.until) for f in data.former_names]
    former = rules.check_former_names(
        former, name=names[ENGLISH], acronym=acronyms.get(ENGLISH), today=today
    )
    return {
        "name": names[ENGLISH],
        "acronym": acronyms.get(ENGLISH),
        "names": names,
        "acronyms": acronyms,
        "former_names": stored_former_names(former),
    }


_RECORDS = select(Entity.id, *NAME_COLUMNS)
_RECORDS_OF = _RECORDS.where(Entity.id.in_(bindparam("ids", expanding=True)))


def load_records(session: Session, ids: Iterable[str] | None) -> dict[str, NameRecord]:
    """The name records of ``ids`` (of every entity for None), in one statement (built once)."""
    if ids is None:
        rows = session.connection().execute(_RECORDS)
    else:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = session.connection().execute(_RECORDS_OF, {"ids": wanted})
    return {row.id: NameRecord.of(row) for row in rows}


def headers(naming: Naming, vary: str = "Accept") -> dict[str, str]:
    """The headers of an answer showing names: what it is in, and what it depends on."""
    return {"Content-Language": naming.content_language(), "Vary": f"{vary}, Accept-Language"}


# The response headers of a read that shows names, for the OpenAPI document.
OPENAPI_HEADERS: dict[str, Any] = {
    "Content-Language": {
        "description": "The languages of the names in the answer, the one `Accept-Language` "
        "asked for first (`fr, en` when some were not filled in French; `en` when none was).",
        "schema": {"type": "string"},
    },
    "Vary": {"description": "`Accept, Accept-Language`.", "schema": {"type": "string"}},
}
