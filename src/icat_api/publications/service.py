"""ICAT products: signed off by consensus before they are published (ToR 3.B.5)."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api.audit.service import record
from icat_api.caller import Caller
from icat_api.chair_terms.service import sitting_chair_ids
from icat_api.clock import today
from icat_api.db import utcnow
from icat_api.entities.models import Entity
from icat_api.entities.rules import working_group_expression
from icat_api.governance.models import Decision
from icat_api.pagination import INT32, Keyset, PageParams, page_of
from icat_api.problems import InvalidInput, NotFound
from icat_api.publications import rules
from icat_api.publications.models import Publication
from icat_api.publications.schemas import PublicationCreate, PublicationRead, PublishBody
from icat_api.schemas import Page


def read(p: Publication) -> PublicationRead:
    return PublicationRead.model_validate(p, from_attributes=True)


PUBLICATIONS = Keyset("publications", (Publication.id,), (INT32,))


@dataclass(frozen=True)
class DraftAccess:
    """Which unpublished products a caller reads: all of them, or those it leads, or none."""

    all: bool = False
    lead: str | None = None

    def sees(self, status: str, lead_entity_id: str | None) -> bool:
        mine = self.lead is not None and lead_entity_id == self.lead
        return status == "published" or self.all or mine


def draft_access(session: Session, caller: Caller | None) -> DraftAccess:
    """DESIGN section 5: drafts and signed-off, unpublished products are read by the
    secretariat, the sitting Chair(s) and the Working Group's members, and by the product's
    lead entity (its own); never by the public, stakeholders, applicants or former members."""
    if caller is None:
        return DraftAccess()
    day = today()
    if caller.is_secretariat or caller.entity_id in sitting_chair_ids(session, day):
        return DraftAccess(all=True)
    in_working_group = session.scalar(
        select(working_group_expression(day)).where(Entity.id == caller.entity_id)
    )
    return DraftAccess(all=bool(in_working_group), lead=caller.entity_id)


def list_publications(
    *, session: Session, page: PageParams, access: DraftAccess, kind: str | None
) -> Page[PublicationRead]:
    """Published products for the public; unpublished ones as ``access`` allows."""
    query = select(Publication)
    if not access.all and access.lead is None:
        query = query.where(Publication.status == "published")
    elif not access.all:
        query = query.where(
            (Publication.status == "published") | (Publication.lead_entity_id == access.lead)
        )
    if kind is not None:
        query = query.where(Publication.kind == kind)
    rows = list(session.scalars(PUBLICATIONS.query(query, page)))
    items, cursor = page_of(
        PUBLICATIONS, page, rows, lambda page_rows: [read(r) for r in page_rows]
    )
    return Page[PublicationRead](items=items, next_cursor=cursor)


def get(*, session: Session, publication_id: int, access: DraftAccess) -> PublicationRead:
    row = session.get(Publication, publication_id)
    if row is None or not access.sees(row.status, row.lead_entity_id):
        raise NotFound(f"No publication {publication_id}.")
    return read(row)


def create(*, session: Session, caller: Caller, data: PublicationCreate) -> PublicationRead:
    if data.lead_entity_id is not None and session.get(Entity, data.lead_entity_id) is None:
        raise InvalidInput(
            "Unknown entity.", errors=[{"loc": ["body", "lead_entity_id"], "msg": "unknown entity"}]
        )
    now = utcnow()
    row = Publication(
        title=data.title,
        kind=data.kind.value,
        lead_entity_id=data.lead_entity_id,
        status="draft",
        note=data.note,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    created = read(row)
    record(session, caller, "create", ("publication", row.id), after=created)
    return created


def publish(
    *, session: Session, caller: Caller, publication_id: int, data: PublishBody
) -> PublicationRead:
    """ToR 3.B.5: every ICAT product is signed off by consensus before it is published."""
    row = session.scalar(
        select(Publication).where(Publication.id == publication_id).with_for_update()
    )
    if row is None:
        raise NotFound(f"No publication {publication_id}.")
    before = read(row)
    signed = session.get(Decision, row.sign_off_decision_id) if row.sign_off_decision_id else None
    rules.check_publishable(row.status, signed.decided_on if signed else None, data.published_on)
    row.status, row.published_on, row.url, row.updated_at = (
        "published",
        data.published_on,
        data.url,
        utcnow(),
    )
    session.flush()
    after = read(row)
    record(session, caller, "publish", ("publication", row.id), before=before, after=after)
    return after
