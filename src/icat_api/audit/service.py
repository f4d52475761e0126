"""Append to and read the audit trail. Nothing here updates or deletes an event."""

from datetime import datetime
from typing import Any

import structlog
from fastapi.encoders import jsonable_encoder
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from icat_api.audit.models import AuditEvent
from icat_api.audit.schemas import AuditEventRead
from icat_api.caller import Caller
from icat_api.changes import service as changes
from icat_api.db import utcnow
from icat_api.pagination import INT64, Keyset, PageParams, page_of
from icat_api.schemas import Page


def record(
    session: Session,
    caller: Caller | None,
    action: str,
    resource: tuple[str, object],
    *,
    before: Any = None,
    after: Any = None,
    decision_id: int | None = None,
) -> None:
    """Append one event for a write to ``resource`` (its type and id), in the write's own
    transaction; ``decision_id`` names the decision whose effect the write is."""
    resource_type, resource_id = resource[0], str(resource[1])
    changes.note(session, action, resource_type, resource_id, before, after)
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    session.add(
        AuditEvent(
            key_id=caller.key_id if caller else None,
            actor_entity_id=caller.entity_id if caller else None,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            before=jsonable_encoder(before) if before is not None else None,
            after=jsonable_encoder(after) if after is not None else None,
            request_id=request_id,
            decision_id=decision_id,
        )
    )


def record_many(
    *, session: Session, caller: Caller | None, events: list[tuple[str, str, str, Any, Any]]
) -> None:
    """Append many events in one statement: (action, resource_type, resource_id, before,
    after) each. For bulk writes such as a focal-point sync."""
    if not events:
        return
    for action, resource_type, resource_id, before, after in events:
        changes.note(session, action, resource_type, resource_id, before, after)
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    now = utcnow()
    session.execute(
        insert(AuditEvent),
        [
            {
                "occurred_at": now,
                "key_id": caller.key_id if caller else None,
                "actor_entity_id": caller.entity_id if caller else None,
                "action": action,
                "resource_type": resource_type,
                "resource_id": resource_id,
                "before": jsonable_encoder(before) if before is not None else None,
                "after": jsonable_encoder(after) if after is not None else None,
                "request_id": request_id,
            }
            for action, resource_type, resource_id, before, after in events
        ],
    )


EVENTS = Keyset("audit-events", (AuditEvent.id,), (INT64,))


def list_events(
    *,
    session: Session,
    page: PageParams,
    resource_type: str | None,
    resource_id: str | None,
    actor_entity_id: str | None,
    action: str | None,
    since: datetime | None,
    until: datetime | None,
) -> Page[AuditEventRead]:
    """Events oldest first, filtered."""
    query = select(AuditEvent)
    if resource_type is not None:
        query = query.where(AuditEvent.resource_type == resource_type)
    if resource_id is not None:
        query = query.where(AuditEvent.resource_id == resource_id)
    if actor_entity_id is not None:
        query = query.where(AuditEvent.actor_entity_id == actor_entity_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    if until is not None:
        query = query.where(AuditEvent.occurred_at < until)
    rows = list(session.scalars(EVENTS.query(query, page)))
    items, cursor = page_of(
        EVENTS, page, rows, lambda page_rows: [AuditEventRead.model_validate(r) for r in page_rows]
    )
    return Page[AuditEventRead](items=items, next_cursor=cursor)
