"""The ToR rules on who may hold a role, and how an entity's status is derived.

Pure functions over the facts they need, each naming its clause, plus the one SQL expression
that derives the status (so lists can filter on it without loading every row).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, or_, select

from icat_api.applications.models import Application
from icat_api.entities.models import Entity, Membership
from icat_api.governance.models import Enrolment
from icat_api.problems import RuleViolation

ONE_ROLE_AT_A_TIME = "ToR 3.E/3.F"


def check_may_hold_role(*, kind: str, mandate_covers_tip: bool) -> None:
    """Who may be a member or partner of ICAT.

    - ToR 3.A.5: non-governmental and other civil-society bodies are engaged as stakeholders
      for specific activities; they never hold a role.
    - ToR 3.A.4(a): only international organizations, i.e. intergovernmental ones (global,
      regional, sub-regional) — UN entities included (ToR 3.F.1).
    - ToR 3.A.4(b): only relevant ones: the mandate or statute addresses trafficking in persons.
    """
    if kind == "non_governmental":
        raise RuleViolation(
            "ToR 3.A.5",
            "Non-governmental and civil-society organizations take part as stakeholders; "
            "they cannot be ICAT members or partners",
        )
    if kind not in ("un_entity", "intergovernmental"):
        raise RuleViolation(
            "ToR 3.A.4(a)",
            "Only international (intergovernmental) organizations and UN entities may join ICAT",
        )
    if not mandate_covers_tip:
        raise RuleViolation(
            "ToR 3.A.4(b)",
            "Only organizations whose mandate or statute addresses trafficking in persons may "
            "join ICAT (mandate_covers_tip is false)",
        )


@dataclass(frozen=True)
class Span:
    """A role held from ``starts_on`` until the day before ``ends_on`` (open when None)."""

    role: str
    starts_on: date
    ends_on: date | None

    def overlaps(self, other: "Span") -> bool:
        a_end = self.ends_on or date.max
        b_end = other.ends_on or date.max
        return self.starts_on < b_end and other.starts_on < a_end

    def holds_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day < self.ends_on)


def check_one_role_at_a_time(existing: Iterable[Span], new: Span) -> None:
    """ToR 3.A.1, 3.E, 3.F: ICAT is its members and its partners, and an entity is one or the
    other at any time, never both, never twice. A partner becoming a member ends the
    partnership on the day the membership starts, so spans may touch but not overlap."""
    for span in existing:
        if span.overlaps(new):
            until = span.ends_on.isoformat() if span.ends_on else "now"
            raise RuleViolation(
                ONE_ROLE_AT_A_TIME,
                f"An entity holds one role at a time: it is {span.role} from "
                f"{span.starts_on.isoformat()} until {until}, which overlaps "
                f"{new.starts_on.isoformat()}-{new.ends_on.isoformat() if new.ends_on else 'open'}"
                "; end that membership first",
                status=422,
            )


def derive_status(spans: Iterable[Span], day: date, *, applicant: bool = False) -> str:
    """An entity's status on ``day``: the role it holds (ToR 3.A.1), else ``applicant`` while an
    application is open (ToR 3.A.3), else ``former_member`` if it held a role before, else
    ``stakeholder`` (ToR 3.A.5). Mirrors ``status_expression``."""
    spans = list(spans)
    for span in spans:
        if span.holds_on(day):
            return span.role
    if applicant:
        return "applicant"
    if any(span.starts_on <= day for span in spans):
        return "former_member"
    return "stakeholder"


def _active(day: date) -> ColumnElement[bool]:
    return and_(
        Membership.entity_id == Entity.id,
        Membership.starts_on <= day,
        or_(Membership.ends_on.is_(None), Membership.ends_on > day),
    )


def status_expression(day: date) -> ColumnElement[Any]:
    """``derive_status`` as SQL over the entities table, for filtering and listing."""
    role = (
        select(Membership.role).where(_active(day)).order_by(Membership.starts_on).limit(1)
    ).scalar_subquery()
    had_role = exists().where(Membership.entity_id == Entity.id, Membership.starts_on <= day)
    applying = exists().where(
        Application.entity_id == Entity.id,
        Application.submitted_on <= day,
        or_(Application.closed_on.is_(None), Application.closed_on > day),
    )
    return case(
        (role.is_not(None), role),
        (applying, "applicant"),
        (had_role, "former_member"),
        else_="stakeholder",
    )


def working_group_expression(day: date) -> ColumnElement[bool]:
    """ToR 3.B.7: a member that has confirmed in writing its interest in the Working Group.
    Partners attend as non-voting observers and are never enrolled."""
    member = exists().where(_active(day), Membership.role == "member")
    enrolled = exists().where(Enrolment.entity_id == Entity.id, Enrolment.confirmed_on <= day)
    return and_(member, enrolled)
