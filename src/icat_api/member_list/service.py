"""Assemble the member list for a day from entities, memberships, enrolments and chair terms."""

from collections.abc import Callable
from datetime import date
from enum import Enum

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from icat_api import csv_output
from icat_api.chair_terms.service import terms_in_year
from icat_api.conditional import etag_of, render_json
from icat_api.data_version import Cached, cached
from icat_api.entities import rules
from icat_api.entities.models import Entity
from icat_api.entities.names import NAME_COLUMNS, NameRecord, Naming, load_records
from icat_api.member_list import html
from icat_api.member_list.schemas import ListedEntity, MemberList


class Representation(Enum):
    """The member list's representations by media type, in the order they are offered: JSON by
    default; CSV before HTML, so `Accept: text/*` gets CSV."""

    JSON = "application/json"
    CSV = "text/csv"
    HTML = "text/html"


def _listed(
    naming: Naming, entity_id: str, record: NameRecord, website: str | None
) -> ListedEntity:
    name, acronym = naming.show(entity_id, record)
    return ListedEntity(id=entity_id, name=name, acronym=acronym, website=website)


def member_list(
    *, session: Session, day: date, coordinator_id: str, naming: Naming | None = None
) -> MemberList:
    """Who belonged to ICAT on ``day``, named as then in ``naming``'s language (English by
    default), in four statements whatever the size of the registry."""
    naming = naming or Naming(day)
    status = rules.status_expression(day).label("status")
    working_group = rules.working_group_expression(day).label("wg")
    rows = session.execute(
        select(Entity.id, *NAME_COLUMNS, Entity.website, status, working_group)
        .where((status.in_(("member", "partner"))) | (Entity.id == coordinator_id))
        .order_by(Entity.name)
    ).all()
    listed = {r.id: _listed(naming, r.id, NameRecord.of(r), r.website) for r in rows}
    terms = terms_in_year(session=session, year=day.year)
    seats = [c.entity_id for term in terms for c in term.chairs]
    unlisted = load_records(session, [e for e in seats if e not in listed])
    chairs = [
        listed.get(e) or _listed(naming, e, unlisted[e], None)
        for e in seats
        if e in listed or e in unlisted
    ]
    return MemberList(
        as_of=day,
        coordinator=listed.get(coordinator_id),
        chairs=chairs,
        members=[listed[r.id] for r in rows if r.status == "member"],
        working_group=[listed[r.id] for r in rows if r.wg],
        partners=[listed[r.id] for r in rows if r.status == "partner"],
    )


CSV_COLUMNS = ("group", "id", "name", "acronym", "website")


def to_csv(data: MemberList) -> bytes:
    """One row per entity and group it appears in: coordinator, chair, member, working_group,
    partner."""
    groups: list[tuple[str, list[ListedEntity]]] = [
        ("coordinator", [data.coordinator] if data.coordinator else []),
        ("chair", data.chairs),
        ("member", data.members),
        ("working_group", data.working_group),
        ("partner", data.partners),
    ]
    return csv_output.to_csv(
        CSV_COLUMNS,
        ((group, e.id, e.name, e.acronym, e.website) for group, items in groups for e in items),
    )


def csv_filename(day: date) -> str:
    """What the CSV is saved as: the member list and its day."""
    return f"icat-member-list-{day.isoformat()}.csv"


def _html(data: MemberList, naming: Naming) -> bytes:
    return html.render(data, naming.content_language().split(", ")[0], naming.shown_in)


_RENDER: dict[Representation, Callable[[MemberList, Naming], bytes]] = {
    Representation.JSON: lambda data, _: render_json(data),
    Representation.CSV: lambda data, _: to_csv(data),
    Representation.HTML: _html,
}


def _build(
    factory: sessionmaker[Session],
    day: date,
    coordinator_id: str,
    representation: Representation,
    language: str,
) -> Cached:
    naming = Naming(day, language)
    with factory() as session:
        data = member_list(session=session, day=day, coordinator_id=coordinator_id, naming=naming)
    body = _RENDER[representation](data, naming)
    return Cached(body=body, etag=etag_of(body), language=naming.content_language())


def member_list_key(
    day: date, representation: Representation, language: str
) -> tuple[str, date, Representation, str]:
    """The member list's key in the read cache: one entry per
    day, representation and UN language asked."""
    return ("member-list", day, representation, language)


async def cached_member_list(
    app: FastAPI, day: date, representation: Representation, language: str
) -> Cached:
    """The member list's bytes for ``day`` in ``representation`` with names in ``language``,
    from memory while the data has not changed (the hottest read: no database, no thread, on a
    hit)."""
    coordinator_id = app.state.settings.coordinator_entity_id
    return await cached(
        app.state.read_cache,
        member_list_key(day, representation, language),
        lambda: _build(app.state.sessionmaker, day, coordinator_id, representation, language),
    )
