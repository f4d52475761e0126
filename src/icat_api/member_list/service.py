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
from icat_api.member_list import html
from icat_api.member_list.schemas import ListedEntity, MemberList


class Representation(Enum):
    """The member list's representations by media type, in the order they are offered: JSON by
    default; CSV before HTML, so `Accept: text/*` gets CSV."""

    JSON = "application/json"
    CSV = "text/csv"
    HTML = "text/html"


def member_list(*, session: Session, day: date, coordinator_id: str) -> MemberList:
    """Who belonged to ICAT on ``day``, in three statements whatever the size of the registry."""
    status = rules.status_expression(day).label("status")
    working_group = rules.working_group_expression(day).label("wg")
    rows = session.execute(
        select(Entity.id, Entity.name, Entity.acronym, Entity.website, status, working_group)
        .where((status.in_(("member", "partner"))) | (Entity.id == coordinator_id))
        .order_by(Entity.name)
    ).all()
    listed = {
        r.id: ListedEntity(id=r.id, name=r.name, acronym=r.acronym, website=r.website) for r in rows
    }
    chairs = [
        listed.get(c.entity_id)
        or ListedEntity(id=c.entity_id, name=c.name, acronym=c.acronym, website=None)
        for term in terms_in_year(session=session, year=day.year)
        for c in term.chairs
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


_RENDER: dict[Representation, Callable[[MemberList], bytes]] = {
    Representation.JSON: render_json,
    Representation.CSV: to_csv,
    Representation.HTML: html.render,
}


def _build(
    factory: sessionmaker[Session], day: date, coordinator_id: str, representation: Representation
) -> Cached:
    with factory() as session:
        data = member_list(session=session, day=day, coordinator_id=coordinator_id)
    body = _RENDER[representation](data)
    return Cached(body=body, etag=etag_of(body))


def member_list_key(day: date, representation: Representation) -> tuple[str, date, Representation]:
    """The member list's key in the read cache (the fast path looks it up too)."""
    return ("member-list", day, representation)


async def cached_member_list(app: FastAPI, day: date, representation: Representation) -> Cached:
    """The member list's bytes for ``day`` in ``representation``, from memory while the data has
    not changed (the hottest read: no database, no thread, on a hit)."""
    coordinator_id = app.state.settings.coordinator_entity_id
    return await cached(
        app.state.read_cache,
        member_list_key(day, representation),
        lambda: _build(app.state.sessionmaker, day, coordinator_id, representation),
    )
