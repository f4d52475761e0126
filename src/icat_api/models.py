"""Every table, imported in one place for Alembic and the tests."""

from icat_api.applications.models import Application
from icat_api.audit.models import AuditEvent
from icat_api.chair_terms.models import ChairSeat, ChairTerm
from icat_api.chairs.models import ChairCandidacy
from icat_api.changes.models import Change
from icat_api.data_version import DataVersion
from icat_api.db import Base
from icat_api.entities.models import Entity, Membership
from icat_api.focal_points.models import FocalPoint, FocalPointTombstone
from icat_api.funding.models import Funding, Milestone, MilestoneReport
from icat_api.governance.models import (
    Attendance,
    Decision,
    Enrolment,
    Meeting,
    Objection,
)
from icat_api.idempotency.models import IdempotentRequest
from icat_api.keys.models import ApiKey
from icat_api.publications.models import Publication
from icat_api.webhooks.models import Delivery, Subscription
from icat_api.work_plans.models import Activity, WorkPlan

__all__ = [
    "Activity",
    "ApiKey",
    "Application",
    "Attendance",
    "AuditEvent",
    "Base",
    "ChairCandidacy",
    "ChairSeat",
    "ChairTerm",
    "Change",
    "DataVersion",
    "Decision",
    "Delivery",
    "Enrolment",
    "Entity",
    "FocalPoint",
    "FocalPointTombstone",
    "Funding",
    "IdempotentRequest",
    "Meeting",
    "Membership",
    "Milestone",
    "MilestoneReport",
    "Objection",
    "Publication",
    "Subscription",
    "WorkPlan",
]
