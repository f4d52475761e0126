"""Written applications for membership or partnership (ToR 3.A.3)."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from icat_api.db import Base, UTCDateTime, one_of, utcnow

APPLICATION_STATUSES = ("submitted", "accepted", "not_accepted", "withdrawn")


class Application(Base):
    """A written application for membership or partnership (ToR 3.A.3)."""

    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(one_of("role", ("member", "partner")), name="role"),
        CheckConstraint(one_of("addressed_to", ("chair", "coordinator")), name="addressed_to"),
        CheckConstraint(one_of("status", APPLICATION_STATUSES), name="status"),
        # ToR 3.A.3: one open application per entity, backed by the database.
        Index(
            "uq_applications_open",
            "entity_id",
            unique=True,
            sqlite_where=text("status = 'submitted'"),
            postgresql_where=text("status = 'submitted'"),
        ),
        Index("ix_applications_status", "status", "id"),  # GET /v1/applications?status=
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[str] = mapped_column(
        ForeignKey("entities.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[str] = mapped_column(String(10))
    submitted_on: Mapped[date] = mapped_column(Date)
    addressed_to: Mapped[str] = mapped_column(String(12))
    letter_reference: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(14), default="submitted")
    # The day it stopped being open: decided or withdrawn.
    closed_on: Mapped[date | None] = mapped_column(Date)
    decision_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
