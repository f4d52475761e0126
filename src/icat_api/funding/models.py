"""Extra-budgetary funds received on ICAT's behalf (ToR 3.B.5) and their milestones."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from icat_api.db import Base, UTCDateTime, utcnow


class Funding(Base):
    """Funds a Working Group member received on ICAT's behalf, with prior approval."""

    __tablename__ = "funding"
    __table_args__ = (CheckConstraint("amount IS NULL OR amount > 0", name="positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    donor: Mapped[str] = mapped_column(String(300))
    recipient_entity_id: Mapped[str] = mapped_column(
        ForeignKey("entities.id", ondelete="RESTRICT"), index=True
    )
    # Null only for history whose amount the records do not give (seed assumption A10).
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 3))
    currency: Mapped[str | None] = mapped_column(String(3))
    received_on: Mapped[date] = mapped_column(Date, index=True)
    approval_decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decisions.id", ondelete="RESTRICT")
    )
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="RESTRICT")
    )
    note: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Milestone(Base):
    """A milestone the recipient reports back on (ToR 3.B.5)."""

    __tablename__ = "funding_milestones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    funding_id: Mapped[int] = mapped_column(
        ForeignKey("funding.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date] = mapped_column(Date, index=True)


class MilestoneReport(Base):
    """The recipient's report on a milestone."""

    __tablename__ = "milestone_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        ForeignKey("funding_milestones.id", ondelete="CASCADE"), index=True
    )
    reported_on: Mapped[date] = mapped_column(Date)
    narrative: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
