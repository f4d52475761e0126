"""Focal point use cases: the nightly full-replace sync, one-by-one edits, the change feed and
the gaps report. Services flush; the request's session commits."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    insert,
    select,
)
from sqlalchemy.orm import Session

from icat_api.audit.service import record, record_many
from icat_api.caller import Caller
from icat_api.clock import today
from icat_api.conditional import etag_of, render_json
from icat_api.db import utcnow
from icat_api.entities.models import Entity
from icat_api.entities.service import lock_entity, status_on, touch_entity
from icat_api.focal_points import rules
from icat_api.focal_points.models import FocalPoint, FocalPointTombstone
from icat_api.focal_points.schemas import (
    MAX_CONTACTS,
    FocalPointIn,
    FocalPointList,
    FocalPointRead,
    FocalPointSet,
    FocalPointUpdate,
    SyncResult,
)
from icat_api.problems import Conflict, InvalidInput, NotFound

FIELDS = ("name", "title", "email", "phone", "is_primary")
IfMatch = Callable[[str], None]


def _contacts(session: Session, entity_id: str) -> list[FocalPoint]:
    return list(
        session.scalars(
            select(FocalPoint).where(FocalPoint.entity_id == entity_id).order_by(FocalPoint.id)
        )
    )


def _as_list(entity_id: str, rows: list[FocalPoint]) -> FocalPointList:
    return FocalPointList(
        entity_id=entity_id, items=[FocalPointRead.model_validate(r) for r in rows]
    )


def check_unique_external_ids(data: FocalPointSet) -> None:
    """One sync names each contact once."""
    first: dict[str, int] = {}
    for i, item in enumerate(data.items):
        if item.external_id in first:
            raise InvalidInput(
                f"external_id {item.external_id!r} appears twice (items {first[item.external_id]} "
                f"and {i}).",
                errors=[
                    {
                        "loc": ["body", "items", i, "external_id"],
                        "msg": f"appears twice (first at items[{first[item.external_id]}])",
                    }
                ],
            )
        first[item.external_id] = i


def set_etag(listing: FocalPointList) -> str:
    """The ETag of an entity's whole set of contacts, as GET answers it."""
    return etag_of(render_json(listing))


def _require_entity(session: Session, entity_id: str) -> None:
    if session.get(Entity, entity_id) is None:
        raise NotFound(f"No entity with id {entity_id!r}.")


def list_contacts(*, session: Session, entity_id: str) -> FocalPointList:
    """Every contact of the entity, by id."""
    _require_entity(session, entity_id)
    return _as_list(entity_id, _contacts(session, entity_id))


def _lock_designating(session: Session, entity_id: str) -> Entity:
    """The entity, locked, if it may designate focal points today (ToR 3.A.2)."""
    entity = lock_entity(session, entity_id)
    rules.check_may_designate(status_on(session, entity_id, today()) or "stakeholder")
    return entity


def _values(item: FocalPointIn | FocalPoint) -> dict[str, Any]:
    return {name: getattr(item, name) for name in FIELDS}


def _audit(
    session: Session, caller: Caller, action: str, fp_id: int, before: Any, after: Any
) -> None:
    record(session, caller, action, ("focal_point", fp_id), before=before, after=after)


def sync(
    *,
    session: Session,
    caller: Caller,
    entity_id: str,
    data: FocalPointSet,
    if_match: IfMatch,
) -> tuple[SyncResult, str]:
    """Make the entity's contacts exactly ``data``: create what is new, update what changed,
    remove what is absent, matched on ``external_id``. One bulk read; unchanged contacts cost
    no statement. Answers the result and the set's new ETag."""
    check_unique_external_ids(data)
    entity = _lock_designating(session, entity_id)
    current = _contacts(session, entity_id)
    listing = _as_list(
        entity_id, current
    )  # read once: the ETag and, if nothing changes, the answer
    etag = set_etag(listing)
    if_match(etag)
    rules.check_one_primary(sum(1 for i in data.items if i.is_primary), len(data.items))

    by_external = {fp.external_id: fp for fp in current}
    wanted = {item.external_id: item for item in data.items}
    removed = [fp for fp in current if fp.external_id not in wanted]
    changed: list[tuple[FocalPoint, FocalPointIn]] = []
    created: list[FocalPointIn] = []
    unchanged = 0
    for item in data.items:
        fp = by_external.get(item.external_id)
        if fp is None:
            created.append(item)
        elif _values(fp) != _values(item):
            changed.append((fp, item))
        else:
            unchanged += 1
    if not (removed or changed or created):
        result = SyncResult(
            items=listing.items, created=0, updated=0, removed=0, unchanged=unchanged
        )
        return result, etag

    now = utcnow()
    events: list[tuple[str, str, str, Any, Any]] = []
    # Phase 1: removals and demotions, so that the one-primary index never sees two.
    for fp in removed:
        events.append(
            ("delete", "focal_point", str(fp.id), FocalPointRead.model_validate(fp), None)
        )
        session.add(
            FocalPointTombstone(
                id=fp.id, entity_id=entity_id, external_id=fp.external_id, deleted_at=now
            )
        )
        session.delete(fp)
    befores = {fp.id: FocalPointRead.model_validate(fp) for fp, _ in changed}
    for fp, item in changed:
        if fp.is_primary and not item.is_primary:
            fp.is_primary = False
            fp.updated_at = now
    session.flush()
    # Phase 2: everything else; new contacts in one INSERT (no RETURNING: the set is read
    # back once below).
    for fp, item in changed:
        for name, value in _values(item).items():
            setattr(fp, name, value)
        fp.updated_at = now
    session.flush()
    if created:
        session.execute(
            insert(FocalPoint),
            [
                {
                    "entity_id": entity_id,
                    "external_id": i.external_id,
                    "created_at": now,
                    "updated_at": now,
                    **_values(i),
                }
                for i in created
            ],
        )
    new_ids = {i.external_id for i in created}
    touch_entity(session, entity)
    after = _as_list(entity_id, _contacts(session, entity_id))
    for fp_read in after.items:
        if fp_read.id in befores:
            events.append(("update", "focal_point", str(fp_read.id), befores[fp_read.id], fp_read))
        elif fp_read.external_id in new_ids:
            events.append(("create", "focal_point", str(fp_read.id), None, fp_read))
    record_many(session=session, caller=caller, events=events)
    result = SyncResult(
        items=after.items,
        created=len(created),
        updated=len(changed),
        removed=len(removed),
        unchanged=unchanged,
    )
    return result, set_etag(after)


def _get(session: Session, entity_id: str, fp_id: int) -> FocalPoint:
    fp = session.get(FocalPoint, fp_id)
    if fp is None or fp.entity_id != entity_id:
        raise NotFound(f"No focal point {fp_id} of entity {entity_id!r}.")
    return fp


def get_contact(*, session: Session, entity_id: str, fp_id: int) -> FocalPointRead:
    return FocalPointRead.model_validate(_get(session, entity_id, fp_id))


def create_contact(
    *, session: Session, caller: Caller, entity_id: str, data: FocalPointIn
) -> FocalPointRead:
    """Add one contact; the set must still have exactly one primary (ToR 3.A.2)."""
    entity = _lock_designating(session, entity_id)
    current = _contacts(session, entity_id)
    if any(fp.external_id == data.external_id for fp in current):
        raise Conflict(f"A contact with external_id {data.external_id!r} exists; PATCH it.")
    if len(current) >= MAX_CONTACTS:
        raise InvalidInput(f"At most {MAX_CONTACTS} contacts per entity.")
    primaries = sum(1 for fp in current if fp.is_primary) + (1 if data.is_primary else 0)
    rules.check_one_primary(primaries, len(current) + 1)
    now = utcnow()
    fp = FocalPoint(
        entity_id=entity_id,
        external_id=data.external_id,
        created_at=now,
        updated_at=now,
        **_values(data),
    )
    session.add(fp)
    session.flush()
    touch_entity(session, entity)
    created = FocalPointRead.model_validate(fp)
    _audit(session, caller, "create", fp.id, None, created)
    return created


def update_contact(
    *,
    session: Session,
    caller: Caller,
    entity_id: str,
    fp_id: int,
    data: FocalPointUpdate,
    if_match: Callable[[FocalPointRead], None],
) -> FocalPointRead:
    """Change one contact; the set must keep exactly one primary (ToR 3.A.2)."""
    entity = _lock_designating(session, entity_id)
    fp = _get(session, entity_id, fp_id)
    before = FocalPointRead.model_validate(fp)
    if_match(before)
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if getattr(fp, k) != v}
    if not changes:
        return before
    if "is_primary" in changes:
        others = [c for c in _contacts(session, entity_id) if c.id != fp.id]
        primaries = sum(1 for c in others if c.is_primary) + (1 if changes["is_primary"] else 0)
        rules.check_one_primary(primaries, len(others) + 1)
    for name, value in changes.items():
        setattr(fp, name, value)
    fp.updated_at = utcnow()
    session.flush()
    touch_entity(session, entity)
    after = FocalPointRead.model_validate(fp)
    _audit(session, caller, "update", fp.id, before, after)
    return after


def delete_contact(
    *,
    session: Session,
    caller: Caller,
    entity_id: str,
    fp_id: int,
    if_match: Callable[[FocalPointRead], None],
) -> None:
    """Remove one contact, leaving a tombstone for the change feed. The primary can go only
    with the last contact (ToR 3.A.2)."""
    entity = lock_entity(session, entity_id)
    fp = _get(session, entity_id, fp_id)
    before = FocalPointRead.model_validate(fp)
    if_match(before)
    others = [c for c in _contacts(session, entity_id) if c.id != fp.id]
    rules.check_one_primary(sum(1 for c in others if c.is_primary), len(others))
    session.add(
        FocalPointTombstone(
            id=fp.id, entity_id=entity_id, external_id=fp.external_id, deleted_at=utcnow()
        )
    )
    session.delete(fp)
    session.flush()
    touch_entity(session, entity)
    _audit(session, caller, "delete", fp_id, before, None)
