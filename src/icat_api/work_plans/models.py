"""The biannual work plan and its activities (ToR 3.B.2(a), 3.D.3(e))."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from icat_api.db import Base, UTCDateTime, utcnow

PRIORITY_AREAS = (
    "evidence_base",
    "core_drivers",
    "rights_based_approach",
    "accountability",
    "discouraging_demand",
    "partnerships",
)
ACTIVITY_STATUSES = ("planned", "ongoing", "completed", "cancelled")


class WorkPlan(Base):
    """A work plan for two calendar years: ``start_year`` and the next."""

    __tablename__ = "work_plans"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'endorsed')", name="status"),
        # ToR 3.B.2(a): one endorsed plan per period, backed by the database.
        Index(
            "uq_work_plans_endorsed",
            "start_year",
            unique=True,
            sqlite_where=text("status = 'endorsed'"),
            postgresql_where=text("status = 'endorsed'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    start_year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(300))
    co_lead_entity_ids: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    endorsement_decision_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Activity(Base):
    """An activity of a work plan, under one of the six priority areas of the 2020 Plan of
    Action, led by a Working Group member."""

    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint(
            "priority_area IN (" + ", ".join(repr(a) for a in PRIORITY_AREAS) + ")",
            name="priority_area",
        ),
        CheckConstraint(
            "status IN (" + ", ".join(repr(a) for a in ACTIVITY_STATUSES) + ")", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_plan_id: Mapped[int] = mapped_column(
        ForeignKey("work_plans.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    priority_area: Mapped[str] = mapped_column(String(30))
    lead_entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="RESTRICT"))
    contributor_entity_ids: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="planned")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    progress: Mapped[str | None] = mapped_column(String(5000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
