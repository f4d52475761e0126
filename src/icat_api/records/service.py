"""The annual records (ToR 3.C.2, 3.D.3(i)): one year of ICAT, exported whole.

The Coordinator serves as the repository of ICAT's annual records and makes them available on
request. A year's records are every table's rows that concern the year, as JSON or as one CSV
per table in a zip.
"""

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from icat_api import csv_output
from icat_api.applications.models import Application
from icat_api.audit.models import AuditEvent
from icat_api.chair_terms.models import ChairSeat, ChairTerm
from icat_api.chairs.models import ChairCandidacy
from icat_api.changes.service import count_by_type
from icat_api.db import Base
from icat_api.entities.models import Entity, Membership
from icat_api.funding.models import Funding, Milestone, MilestoneReport
from icat_api.governance.models import (
    Attendance,
    Decision,
    Enrolment,
    Meeting,
    Objection,
)
from icat_api.publications.models import Publication
from icat_api.work_plans.models import Activity, WorkPlan


def _queries(year: int) -> dict[str, Select[Any]]:
    first, last, next_first = date(year, 1, 1), date(year, 12, 31), date(year + 1, 1, 1)
    meetings = select(Meeting.id).where(Meeting.starts_on >= first, Meeting.starts_on <= last)
    decisions = select(Decision.id).where(Decision.decided_on >= first, Decision.decided_on <= last)
    terms = select(ChairTerm.id).where(ChairTerm.start_year <= year, ChairTerm.end_year >= year)
    funds = select(Funding.id).where(Funding.received_on >= first, Funding.received_on <= last)
    plans = select(WorkPlan.id).where(WorkPlan.start_year <= year, WorkPlan.start_year >= year - 1)
    memberships = or_(Membership.ends_on.is_(None), Membership.ends_on > first)
    return {
        "memberships": select(Membership).where(Membership.starts_on <= last, memberships),
        "entities": select(Entity).where(
            Entity.id.in_(
                select(Membership.entity_id).where(Membership.starts_on <= last, memberships)
            )
        ),
        "working_group_enrolments": select(Enrolment).where(Enrolment.confirmed_on <= last),
        "meetings": select(Meeting).where(Meeting.id.in_(meetings)),
        "attendance": select(Attendance).where(Attendance.meeting_id.in_(meetings)),
        "applications": select(Application).where(
            Application.submitted_on <= last,
            or_(Application.closed_on.is_(None), Application.closed_on >= first),
        ),
        "decisions": select(Decision).where(Decision.id.in_(decisions)),
        "objections": select(Objection).where(Objection.decision_id.in_(decisions)),
        "chair_terms": select(ChairTerm).where(ChairTerm.id.in_(terms)),
        "chair_seats": select(ChairSeat).where(ChairSeat.term_id.in_(terms)),
        "chair_candidacies": select(ChairCandidacy).where(
            ChairCandidacy.term_year.in_([year, year + 1])
        ),
        "work_plans": select(WorkPlan).where(WorkPlan.id.in_(plans)),
        "activities": select(Activity).where(Activity.work_plan_id.in_(plans)),
        "funding": select(Funding).where(Funding.id.in_(funds)),
        "funding_milestones": select(Milestone).where(
            or_(
                Milestone.funding_id.in_(funds),
                and_(Milestone.due_on >= first, Milestone.due_on <= last),
            )
        ),
        "milestone_reports": select(MilestoneReport).where(
            MilestoneReport.reported_on >= first, MilestoneReport.reported_on <= last
        ),
        "publications": select(Publication).where(
            or_(
                and_(Publication.published_on >= first, Publication.published_on <= last),
                and_(
                    Publication.status != "published",
                    Publication.created_at < datetime(year + 1, 1, 1, tzinfo=UTC),
                ),
            )
        ),
        "audit_events": select(AuditEvent).where(
            AuditEvent.occurred_at >= datetime(year, 1, 1, tzinfo=UTC),
            AuditEvent.occurred_at < datetime(next_first.year, 1, 1, tzinfo=UTC),
        ),
    }


# Not a table's rows: how many changes of each type the change feed recorded in the year.
_CHANGE_COUNTS = "changes_by_type"
_CHANGE_COUNT_COLUMNS = ("type", "count")


def _row(obj: Base) -> dict[str, Any]:
    # Money stays a decimal string, never a JSON number (DESIGN: money).
    return {
        c.key: format(v, "f") if isinstance(v := getattr(obj, c.key), Decimal) else v
        for c in obj.__table__.columns
    }


def export(*, session: Session, year: int) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows that concern ``year``, by primary key: the same records are the same
    bytes, and ETag, on every database (PostgreSQL may read them in an index's order); then the
    year's changes counted by type."""
    out = {}
    for name, query in _queries(year).items():
        table = query.column_descriptions[0]["entity"].__table__
        ordered = query.order_by(*table.primary_key.columns)
        out[name] = [_row(o) for o in session.scalars(ordered)]
    # The records are the secretariat's (ToR 3.C.2): personal and unpublished changes count.
    counts = count_by_type(session=session, year=year, personal=True)
    out[_CHANGE_COUNTS] = [{"type": kind, "count": n} for kind, n in counts.items()]
    return out


# A fixed time on every member of the zip: the same records give the same bytes, so the same
# ETag (zipfile would stamp each file with the current time).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def to_zip(records: dict[str, list[dict[str, Any]]], columns: dict[str, list[str]]) -> bytes:
    """One CSV per table (header row even when empty), each written by the one CSV writer."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in records.items():
            member = zipfile.ZipInfo(f"{name}.csv", date_time=_ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            body = csv_output.to_csv(
                columns[name], ([row.get(c) for c in columns[name]] for row in rows)
            )
            archive.writestr(member, body)
    return buffer.getvalue()


def zip_filename(year: int) -> str:
    """What the zip is saved as: the records and their year."""
    return f"icat-records-{year}.zip"


def columns(year: int) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, query in _queries(year).items():
        entity = query.column_descriptions[0]["entity"]
        out[name] = [c.key for c in entity.__table__.columns]
    out[_CHANGE_COUNTS] = list(_CHANGE_COUNT_COLUMNS)
    return out
