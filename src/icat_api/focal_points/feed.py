"""What the Coordinator follows: the change feed of contacts (removals as tombstones) and the
members and partners without a focal point (ToR 3.A.2)."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    String,
    Subquery,
    cast,
    false,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from icat_api.entities import rules as entity_rules
from icat_api.entities.models import Entity
from icat_api.focal_points.models import FocalPoint, FocalPointTombstone
from icat_api.focal_points.schemas import (
    FocalPointChangeRead,
    GapRead,
)
from icat_api.pagination import INSTANT, INT32, TEXT, Keyset, PageParams, page_of
from icat_api.schemas import Page

# The change feed's order (updated_at, id) and the gaps' (id): what their cursors resume after.
CHANGES = Keyset("focal-point-changes", (), (INSTANT, INT32), ("updated_at", "id"))
GAPS = Keyset("focal-point-gaps", (Entity.id,), (TEXT,))


def changes(
    *, session: Session, page: PageParams, since: datetime | None
) -> Page[FocalPointChangeRead]:
    """Contacts created or changed since ``since`` and tombstones of those removed, oldest
    change first, by (updated_at, id)."""
    live = select(
        FocalPoint.id,
        FocalPoint.entity_id,
        FocalPoint.external_id,
        false().label("deleted"),
        FocalPoint.updated_at.label("changed_at"),
        FocalPoint.name,
        FocalPoint.title,
        FocalPoint.email,
        FocalPoint.phone,
        FocalPoint.is_primary,
    )
    gone = select(
        FocalPointTombstone.id,
        FocalPointTombstone.entity_id,
        FocalPointTombstone.external_id,
        true().label("deleted"),
        FocalPointTombstone.deleted_at.label("changed_at"),
        # typed: each side is a subquery, so PostgreSQL cannot take the types from the other
        cast(null(), String).label("name"),
        cast(null(), String).label("title"),
        cast(null(), String).label("email"),
        cast(null(), String).label("phone"),
        cast(null(), Boolean).label("is_primary"),
    )
    after = page.key(CHANGES)

    def window(branch: Any, changed: Any, ident: Any) -> Subquery:
        # Each side reads at most a page, in the order of its (changed, id) index; the merge
        # below then sorts two pages, whatever the number of contacts and tombstones.
        if since is not None:
            branch = branch.where(changed >= since)
        if after is not None:
            at, last_id = after
            branch = branch.where(changed >= at, or_(changed > at, ident > last_id))
        windowed: Subquery = branch.order_by(changed, ident).limit(page.limit + 1).subquery()
        return windowed

    sides = (
        window(live, FocalPoint.updated_at, FocalPoint.id),
        window(gone, FocalPointTombstone.deleted_at, FocalPointTombstone.id),
    )
    feed = union_all(*(select(side) for side in sides)).subquery()
    query = select(feed).order_by(feed.c.changed_at, feed.c.id).limit(page.limit + 1)
    rows = session.execute(query).all()
    items, cursor = page_of(
        CHANGES,
        page,
        rows,
        lambda page_rows: [
            FocalPointChangeRead(
                id=r.id,
                entity_id=r.entity_id,
                external_id=r.external_id,
                deleted=bool(r.deleted),
                updated_at=r.changed_at,
                name=r.name,
                title=r.title,
                email=r.email,
                phone=r.phone,
                is_primary=None if r.is_primary is None else bool(r.is_primary),
            )
            for r in page_rows
        ],
    )
    return Page[FocalPointChangeRead](items=items, next_cursor=cursor)


def gaps(*, session: Session, page: PageParams, day: date) -> Page[GapRead]:
    """Members and partners on ``day`` with no focal point designated (ToR 3.A.2)."""
    status = entity_rules.status_expression(day).label("status")
    has_contact = select(FocalPoint.id).where(FocalPoint.entity_id == Entity.id).exists()
    query = select(Entity.id, Entity.name, Entity.acronym, status).where(
        status.in_(("member", "partner")), ~has_contact
    )
    rows = session.execute(GAPS.query(query, page)).all()
    items, cursor = page_of(
        GAPS,
        page,
        rows,
        lambda page_rows: [
            GapRead(id=r.id, name=r.name, acronym=r.acronym, status=r.status) for r in page_rows
        ],
    )
    return Page[GapRead](items=items, next_cursor=cursor)
