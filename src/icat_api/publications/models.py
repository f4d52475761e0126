"""ICAT products (ToR 3.B.5: signed off by consensus before they are published)."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from icat_api.db import Base, UTCDateTime, utcnow

PUBLICATION_KINDS = ("issue_brief", "policy_paper", "toolkit", "submission", "report", "other")


class Publication(Base):
    __tablename__ = "publications"
    __table_args__ = (
        CheckConstraint(
            "kind IN (" + ", ".join(repr(k) for k in PUBLICATION_KINDS) + ")", name="kind"
        ),
        CheckConstraint("status IN ('draft', 'signed_off', 'published')", name="status"),
        Index("ix_publications_kind", "kind", "id"),  # GET /v1/publications?kind=
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(14))
    lead_entity_id: Mapped[str | None] = mapped_column(
        ForeignKey("entities.id", ondelete="RESTRICT")
    )
    status: Mapped[str] = mapped_column(String(10), default="draft")
    sign_off_decision_id: Mapped[int | None] = mapped_column(Integer)
    published_on: Mapped[date | None] = mapped_column(Date)
    url: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
