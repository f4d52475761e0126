"""The ToR rules on who may hold a role, and how an entity's status is derived.

Pure functions over the facts they need, each naming its clause, plus the one SQL expression
that derives the status (so lists can filter on it without loading every row).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, or_, select

from icat_api import rules as record_rules
from icat_api.applications.models import Application
from icat_api.entities.models import Entity, Membership
from icat_api.governance.models import Enrolment
from icat_api.problems import RuleViolation

ONE_ROLE_AT_A_TIME = "ToR 3.E/3.F"
RECORDS = record_rules.RECORDS


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


# A day in SQL: a date, or an expression of one (a bound parameter, another table's column).
Day = date | ColumnElement[date]


def _active(day: Day) -> ColumnElement[bool]:
    return and_(
        Membership.entity_id == Entity.id,
        Membership.starts_on <= day,
        or_(Membership.ends_on.is_(None), Membership.ends_on > day),
    )


def status_expression(day: Day) -> ColumnElement[Any]:
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


def working_group_expression(day: Day) -> ColumnElement[bool]:
    """ToR 3.B.7: a member that has confirmed in writing its interest in the Working Group.
    Partners attend as non-voting observers and are never enrolled."""
    member = exists().where(_active(day), Membership.role == "member")
    enrolled = exists().where(Enrolment.entity_id == Entity.id, Enrolment.confirmed_on <= day)
    return and_(member, enrolled)


@dataclass(frozen=True)
class FormerName:
    """A name an entity bore until ``until``, the last day it was used."""

    name: str
    acronym: str | None
    until: date


def check_former_names(
    former: Sequence[FormerName], *, name: str, acronym: str | None, today: date
) -> list[FormerName]:
    """ToR 3.C.2: the Coordinator keeps the records, and an entity's record says what it was
    called on any day. The former names, oldest first, when they make one history:

    - each was used until a day that has passed (``until`` never after today: a renaming to
      come is recorded when it happens);
    - no two overlap: a day has one name, so no two end on the same day (each runs from the day
      after the one before it ends);
    - each is a renaming: it differs, in name or acronym, from the name that followed it (the
      next former name, or the current name after the latest), else there was no change to
      record and the history would say the entity was renamed to itself.
    """
    for index, entry in enumerate(former):
        record_rules.check_not_after_today(f"former_names[{index}].until", entry.until, today)
    ordered = sorted(former, key=lambda entry: entry.until)
    for earlier, later in pairwise(ordered):
        if earlier.until == later.until:
            raise RuleViolation(
                RECORDS,
                f"Two former names end on {later.until.isoformat()} ({earlier.name!r} and "
                f"{later.name!r}): former names may not overlap, a day has one name",
            )
    for index, entry in enumerate(ordered):
        after = ordered[index + 1] if index + 1 < len(ordered) else None
        following = (after.name, after.acronym) if after else (name, acronym)
        if (entry.name, entry.acronym) == following:
            raise RuleViolation(
                RECORDS,
                f"The former name {entry.name!r} (until {entry.until.isoformat()}) is the same "
                "name and acronym as the one that followed it: a former name records a renaming",
            )
    return ordered


def former_name_on(former: Sequence[FormerName], day: date) -> FormerName | None:
    """The former name in use on ``day`` — the first (oldest first) whose ``until`` is on or
    after it — or None when the current name was (ToR 3.C.2: the record as of that day)."""
    for entry in former:
        if entry.until >= day:
            return entry
    return None
