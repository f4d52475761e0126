"""The append-only audit trail (ToR 3.C.2: the Coordinator keeps the records)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from icat_api.db import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    """One write: when, by which key and entity, what, and the state before and after."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_resource", "resource_type", "resource_id"),
        # The other filters of GET /v1/audit-events, in the order pages are read (by id).
        Index("ix_audit_events_type", "resource_type", "id"),
        Index("ix_audit_events_actor", "actor_entity_id", "id"),
        Index("ix_audit_events_action", "action", "id"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    key_id: Mapped[int | None] = mapped_column(Integer)
    actor_entity_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[str] = mapped_column(String(100))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(64))
    # The decision that made this change, when it is a decision's effect (ToR 3.C.2).
    decision_id: Mapped[int | None] = mapped_column(Integer, index=True)
