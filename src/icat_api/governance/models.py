"""The Working Group (ToR 3.B): enrolments, meetings, attendance, decisions by consensus."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from icat_api.db import Base, UTCDateTime, one_of, utcnow

MEETING_KINDS = ("working_group", "principals", "consultation", "briefing", "expert_group")
MODES = ("in_person", "virtual", "hybrid")
PROCEDURES = ("meeting", "electronic")
DECISION_KINDS = (
    "admission",
    "work_plan_endorsement",
    "budget_allocation",
    "funding_approval",
    "product_sign_off",
    "chair_election",
    "general",
)
OUTCOMES = ("adopted", "not_adopted")
# Stored statuses: `held` is read from the days (rules.meeting_status), never stored.
STORED_STATUSES = ("scheduled", "postponed", "cancelled")


class Enrolment(Base):
    """A member's confirmation in writing that it joins the Working Group (ToR 3.B.7)."""

    __tablename__ = "working_group_enrolments"
    __table_args__ = (UniqueConstraint("entity_id", "confirmed_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[str] = mapped_column(
        ForeignKey("entities.id", ondelete="RESTRICT"), index=True
    )
    confirmed_on: Mapped[date] = mapped_column(Date)
    confirmation_reference: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Meeting(Base):
    """A meeting of ICAT: of the Working Group, of principals, a consultation, a briefing..."""

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint(one_of("kind", MEETING_KINDS), name="kind"),
        CheckConstraint(one_of("mode", MODES), name="mode"),
        CheckConstraint("ends_on >= starts_on", name="days"),
        CheckConstraint(one_of("status", STORED_STATUSES), name="status"),
        CheckConstraint("status = 'scheduled' OR status_reason IS NOT NULL", name="status_reason"),
        CheckConstraint(
            "(time_zone IS NULL AND start_time IS NULL AND end_time IS NULL) OR "
            "(time_zone IS NOT NULL AND start_time IS NOT NULL AND end_time IS NOT NULL)",
            name="local_times",
        ),
        Index("ix_meetings_kind_start", "kind", "starts_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(String(2000))
    # `scheduled`, `postponed` (waiting for new days) or `cancelled`, each but the first with
    # the reason given; `postponed_from` keeps the first day it was planned for.
    status: Mapped[str] = mapped_column(String(10), default="scheduled", server_default="scheduled")
    status_reason: Mapped[str | None] = mapped_column(String(2000))
    postponed_from: Mapped[date | None] = mapped_column(Date)
    # Local times of the first and last day (HH:MM) in an IANA zone: all three or none.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    start_time: Mapped[str | None] = mapped_column(String(5))
    end_time: Mapped[str | None] = mapped_column(String(5))
    # [{number, title, decision_ids}] and [{kind, title, url, media_type, language, sha256}],
    # validated by the schemas (governance.meeting_schemas); null reads as empty.
    agenda: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    documents: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Attendance(Base):
    """An entity at a meeting, with the representatives it sent."""

    __tablename__ = "attendance"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[str] = mapped_column(
        ForeignKey("entities.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    representatives: Mapped[list[str] | None] = mapped_column(JSON)


class Decision(Base):
    """A decision by consensus, noted in writing (ToR 3.B.3)."""

    __tablename__ = "decisions"
    __table_args__ = (
        CheckConstraint(one_of("procedure", PROCEDURES), name="procedure"),
        CheckConstraint(one_of("kind", DECISION_KINDS), name="kind"),
        CheckConstraint(one_of("outcome", OUTCOMES), name="outcome"),
        # An application is admitted at most once, whatever races (ToR 3.A.3).
        Index(
            "uq_decisions_admission_adopted",
            "application_id",
            unique=True,
            sqlite_where=text("outcome = 'adopted'"),
            postgresql_where=text("outcome = 'adopted'"),
        ),
        Index("ix_decisions_decided_on", "decided_on"),
        # Filters of GET /v1/decisions, in the order pages are read (decided_on, id).
        Index("ix_decisions_kind", "kind", "decided_on", "id"),
        Index("ix_decisions_outcome", "outcome", "decided_on", "id"),
        # A candidacy is elected at most once (ToR 3.D.1).
        Index(
            "uq_decisions_election_adopted",
            "candidacy_id",
            unique=True,
            sqlite_where=text("outcome = 'adopted'"),
            postgresql_where=text("outcome = 'adopted'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procedure: Mapped[str] = mapped_column(String(10))
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="RESTRICT"), index=True
    )
    decided_on: Mapped[date] = mapped_column(Date)
    deadline_on: Mapped[date | None] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(24))
    record: Mapped[str] = mapped_column(Text)
    confirmed_by: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="RESTRICT"))
    outcome: Mapped[str] = mapped_column(String(12))
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="RESTRICT")
    )
    # An admission's: admit (true) or turn the application down (false) when adopted.
    accept: Mapped[bool | None] = mapped_column()
    candidacy_id: Mapped[int | None] = mapped_column(
        ForeignKey("chair_candidacies.id", ondelete="RESTRICT")
    )
    # Subjects of the kinds of ToR 3.B.2 and 3.B.5.
    work_plan_id: Mapped[int | None] = mapped_column(Integer)
    publication_id: Mapped[int | None] = mapped_column(Integer)
    activity_id: Mapped[int | None] = mapped_column(Integer)
    recipient_entity_id: Mapped[str | None] = mapped_column(String(64))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 3))
    currency: Mapped[str | None] = mapped_column(String(3))
    consulted_entity_ids: Mapped[list[str] | None] = mapped_column(JSON)
    effects: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Objection(Base):
    """An objection raised in a decision: maintained ones block it; withdrawn ones stay on the
    record (ToR 3.B.3)."""

    __tablename__ = "objections"

    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decisions.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[str] = mapped_column(
        ForeignKey("entities.id", ondelete="RESTRICT"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(String(2000))
    withdrawn: Mapped[bool] = mapped_column(default=False)
