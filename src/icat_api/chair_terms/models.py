"""Chair terms (ToR 3.D, Annex 3): who chaired ICAT in which years, one or two co-chairs."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from icat_api.db import Base, UTCDateTime, utcnow


class ChairTerm(Base):
    """A term of the Chair: one calendar year when elected, a span for early history."""

    __tablename__ = "chair_terms"
    __table_args__ = (CheckConstraint("end_year >= start_year", name="years"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    start_year: Mapped[int] = mapped_column(Integer, index=True)
    end_year: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(2000))
    # The chair_election decision (ToR 3.D.1) that made it; null for recorded history.
    election_decision_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    seats: Mapped[list["ChairSeat"]] = relationship(
        lazy="raise", order_by="ChairSeat.position", cascade="all, delete-orphan"
    )


class ChairSeat(Base):
    """One chair or co-chair of a term, with the tasks a-m of ToR 3.D.3 it carries."""

    __tablename__ = "chair_seats"

    term_id: Mapped[int] = mapped_column(
        ForeignKey("chair_terms.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[str] = mapped_column(
        ForeignKey("entities.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    # The tasks of ToR 3.D.3 (letters a-m) this co-chair carries; null when not recorded.
    tasks: Mapped[list[str] | None] = mapped_column(JSON)
