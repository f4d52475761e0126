"""Expressions of interest in chairing (ToR 3.D.1, 3.D.2)."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from icat_api.db import Base, UTCDateTime, utcnow


class ChairCandidacy(Base):
    """An expression of interest in chairing the term of ``term_year`` (ToR 3.D.1, 3.D.2)."""

    __tablename__ = "chair_candidacies"
    __table_args__ = (
        CheckConstraint(
            "status IN ('awaiting_confirmation', 'candidate', 'elected', 'withdrawn')",
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term_year: Mapped[int] = mapped_column(Integer, index=True)
    entity_ids: Mapped[list[str]] = mapped_column(JSON)
    submitted_on: Mapped[date] = mapped_column(Date)
    # For co-chairs: {entity_id: [tasks a-m of ToR 3.D.3]}.
    roles: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(2000))
    # The candidates who have expressed their own interest (ToR 3.D.2).
    confirmed_entity_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Stored: awaiting_confirmation, candidate, elected, withdrawn; `not_elected` is derived.
    status: Mapped[str] = mapped_column(String(24), default="candidate")
    closed_on: Mapped[date | None] = mapped_column(Date)
    election_decision_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
