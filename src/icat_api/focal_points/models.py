"""Focal points (ToR 3.A.2): the contacts each member and partner designates. Personal data."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from icat_api.db import Base, UTCDateTime, utcnow


class FocalPoint(Base):
    """One contact of an entity, keyed by the agency's own ``external_id``."""

    __tablename__ = "focal_points"
    __table_args__ = (
        UniqueConstraint("entity_id", "external_id"),
        # ToR 3.A.2: at most one primary contact per entity, backed by the database.
        Index(
            "uq_focal_points_primary",
            "entity_id",
            unique=True,
            sqlite_where=text("is_primary"),
            postgresql_where=text("is_primary"),
        ),
        Index("ix_focal_points_changed", "updated_at", "id"),
        {"sqlite_autoincrement": True},  # ids are never reused: tombstones keep them
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="RESTRICT"))
    external_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    is_primary: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FocalPointTombstone(Base):
    """A removed contact, kept (without its personal data) for the change feed."""

    __tablename__ = "focal_point_tombstones"
    __table_args__ = (Index("ix_focal_point_tombstones_changed", "deleted_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    external_id: Mapped[str] = mapped_column(String(200))
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
