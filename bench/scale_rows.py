"""Plumbing of the scale generator (bench/scale.py): the facts it keeps in memory while it
invents rows, explicit ids, decisions that respect the rules, and chunked bulk inserts."""

import bisect
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

import icat_api.models  # noqa: F401  (every table in the metadata)
from icat_api.chair_terms.models import ChairSeat, ChairTerm
from icat_api.db import Base
from icat_api.entities.models import Entity, Membership
from icat_api.entities.rules import Span
from icat_api.governance.models import Enrolment
from icat_api.seed.data import CORE_SIX
from icat_api.sequences import restart_ids

Row = dict[str, Any]
CHUNK = 5000
TODAY = date.today()
# Tables whose ids the generator assigns, so that rows can point at each other before insert.
ID_TABLES = (
    "meetings",
    "applications",
    "decisions",
    "chair_candidacies",
    "work_plans",
    "activities",
    "publications",
    "funding",
    "funding_milestones",
    "focal_points",
)
# Insert order: every foreign key points at a table inserted before it.
ORDER = (
    "entities",
    "meetings",
    "memberships",
    "working_group_enrolments",
    "attendance",
    "applications",
    "chair_candidacies",
    "work_plans",
    "activities",
    "publications",
    "decisions",
    "objections",
    "funding",
    "funding_milestones",
    "milestone_reports",
    "focal_points",
    "focal_point_tombstones",
)


def at(day: date, rng: random.Random) -> datetime:
    """A moment of ``day`` in office hours, UTC."""
    return datetime.combine(day, time(8), tzinfo=UTC) + timedelta(minutes=rng.randrange(600))


def between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


@dataclass
class Org:
    """An entity as the generator sees it: eligibility, role spans, Working Group enrolments."""

    id: str
    name: str
    acronym: str | None
    eligible: bool
    spans: list[Span] = field(default_factory=list)
    enrolled: list[date] = field(default_factory=list)

    def role_on(self, day: date) -> str | None:
        return next((s.role for s in self.spans if s.holds_on(day)), None)

    def in_working_group(self, day: date) -> bool:
        """ToR 3.B.7, as ``working_group_expression``: a member that confirmed by ``day``."""
        return self.role_on(day) == "member" and any(c <= day for c in self.enrolled)


@dataclass
class Meeting:
    id: int
    kind: str
    starts_on: date
    ends_on: date
    attendees: list[str] = field(default_factory=list)


class World:
    """The registry as the generator has made it so far, and the rows waiting for insert."""

    def __init__(self, conn: Connection, seed: int) -> None:
        self.rng = random.Random(seed)
        self.rows: dict[str, list[Row]] = defaultdict(list)
        self.orgs: dict[str, Org] = {}
        self.meetings: list[Meeting] = []
        self.chairs: dict[int, list[str]] = {}
        self.next_id: dict[str, int] = {}
        self._wg: dict[date, list[str]] = {}
        self._deciding: list[Meeting] = []
        self._deciding_days: list[date] = []
        self._spans: list[tuple[date, date, str, str]] | None = None
        self._starts: list[date] = []
        for eid, name, acronym, kind, covers in conn.execute(
            select(
                Entity.id, Entity.name, Entity.acronym, Entity.kind, Entity.mandate_covers_tip
            ).order_by(Entity.id)
        ):
            eligible = kind in ("un_entity", "intergovernmental") and bool(covers)
            self.orgs[eid] = Org(eid, name, acronym, eligible)
        for eid, role, starts_on, ends_on in conn.execute(
            select(
                Membership.entity_id, Membership.role, Membership.starts_on, Membership.ends_on
            ).order_by(Membership.entity_id, Membership.starts_on)
        ):
            self.orgs[eid].spans.append(Span(role, starts_on, ends_on))
        for eid, confirmed_on in conn.execute(
            select(Enrolment.entity_id, Enrolment.confirmed_on).order_by(Enrolment.id)
        ):
            self.orgs[eid].enrolled.append(confirmed_on)
        for start, end, eid in conn.execute(
            select(ChairTerm.start_year, ChairTerm.end_year, ChairSeat.entity_id)
            .join(ChairSeat, ChairSeat.term_id == ChairTerm.id)
            .order_by(ChairTerm.start_year, ChairSeat.position)
        ):
            for year in range(start, end + 1):
                self.chairs.setdefault(year, []).append(eid)
        for table in ID_TABLES:
            top = conn.scalar(select(func.max(Base.metadata.tables[table].c.id)))
            self.next_id[table] = (top or 0) + 1
        tombstones = Base.metadata.tables["focal_point_tombstones"]
        top = conn.scalar(select(func.max(tombstones.c.id))) or 0
        self.next_id["focal_points"] = max(self.next_id["focal_points"], top + 1)

    def new_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def add(self, table: str, **row: Any) -> Row:
        self.rows[table].append(row)
        return row

    def add_span(self, org: Org, span: Span) -> None:
        org.spans.append(span)
        self._spans = None

    def holders(self, day: date, role: str | None = None) -> list[str]:
        """Entities holding a role (or ``role``) on ``day``."""
        if self._spans is None:
            self._spans = sorted(
                (s.starts_on, s.ends_on or date.max, s.role, o.id)
                for o in self.orgs.values()
                for s in o.spans
            )
            self._starts = [entry[0] for entry in self._spans]
        held = self._spans[: bisect.bisect_right(self._starts, day)]
        return [e for _, end, r, e in held if day < end and (role is None or r == role)]

    def working_group(self, day: date) -> list[str]:
        if day not in self._wg:
            members = self.holders(day, "member")
            self._wg[day] = sorted(e for e in members if self.orgs[e].in_working_group(day))
        return self._wg[day]

    # Decisions (ToR 3.B.3): at a Working Group or principals meeting the core six attend (they
    # confirmed in 2007 and vote from the first Working Group meeting), confirmed by the Chair
    # of the year, so only in years with a recorded chair.

    def index_deciding_meetings(self) -> None:
        first_wg = min(
            (m.starts_on for m in self.meetings if m.kind == "working_group"), default=None
        )
        self._deciding = [
            m
            for m in sorted(self.meetings, key=lambda m: (m.starts_on, m.id))
            if m.kind in ("working_group", "principals")
            and first_wg is not None
            and m.starts_on >= first_wg
            and m.starts_on.year in self.chairs
            and m.ends_on.year == m.starts_on.year
        ]
        self._deciding_days = [m.starts_on for m in self._deciding]

    def deciding_meeting(
        self, first: date, last: date, *, earliest: bool = False, working_group: bool = False
    ) -> Meeting | None:
        """A meeting that can decide, starting between ``first`` and ``last`` (the earliest, or
        one at random); only Working Group ones when an application must be introduced at one
        first (ToR 3.A.3)."""
        lo = bisect.bisect_left(self._deciding_days, first)
        hi = bisect.bisect_right(self._deciding_days, last)
        found = [m for m in self._deciding[lo:hi] if not working_group or m.kind == "working_group"]
        if not found:
            return None
        return found[0] if earliest else self.rng.choice(found)

    def decide(
        self,
        kind: str,
        first: date,
        last: date,
        record: str,
        *,
        meeting: Meeting | None = None,
        electronic: bool = False,
        outcome: str = "adopted",
        objection: str | None = None,
        effects: list[str] | None = None,
        **subject: Any,
    ) -> Row | None:
        """A decision of ``kind`` taken between ``first`` and ``last`` (on the first day of
        ``meeting`` when given); None when no meeting (or for an electronic one, no chaired day
        after the first Working Group meeting) fits."""
        rng = self.rng
        deadline: date | None = None
        if electronic:
            lo = max(first, self._deciding_days[0] if self._deciding_days else date.max)
            hi = min(last, date(max(self.chairs), 12, 28))
            if lo > hi:
                return None
            deadline = between(rng, lo, hi)
            if deadline.year not in self.chairs:
                return None
            meeting, decided_on = None, deadline + timedelta(days=rng.randint(0, 2))
            others = [e for e in self.holders(deadline) if e not in CORE_SIX]
            taking_part = [*CORE_SIX, *rng.sample(others, min(len(others), rng.randint(3, 20)))]
        elif meeting is not None:
            decided_on, taking_part = meeting.starts_on, meeting.attendees
        else:
            meeting = self.deciding_meeting(first, last)
            if meeting is None:
                return None
            decided_on = between(rng, meeting.starts_on, meeting.ends_on)
            taking_part = meeting.attendees
        voters = [e for e in CORE_SIX if e in taking_part]
        row = self.add(
            "decisions",
            id=self.new_id("decisions"),
            procedure="electronic" if electronic else "meeting",
            meeting_id=meeting.id if meeting else None,
            decided_on=decided_on,
            deadline_on=deadline,
            kind=kind,
            record=record,
            confirmed_by=rng.choice(self.chairs[decided_on.year]),
            outcome=outcome,
            application_id=subject.get("application_id"),
            candidacy_id=None,
            work_plan_id=subject.get("work_plan_id"),
            publication_id=subject.get("publication_id"),
            activity_id=subject.get("activity_id"),
            recipient_entity_id=subject.get("recipient_entity_id"),
            amount=subject.get("amount"),
            currency=subject.get("currency"),
            consulted_entity_ids=None if meeting else taking_part,
            effects=effects or [],
            created_at=at(decided_on, rng),
        )
        if objection is not None and voters:
            self.add(
                "objections",
                decision_id=row["id"],
                entity_id=rng.choice(voters),
                reason=objection,
                withdrawn=outcome == "adopted",
            )
        return row


def insert_rows(conn: Connection, table: str, rows: Iterable[Row], chunk: int = CHUNK) -> int:
    """INSERT ``rows`` (dicts with the same keys) in executemany chunks."""
    statement = insert(Base.metadata.tables[table])
    batch: list[Row] = []
    done = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            conn.execute(statement, batch)
            done += len(batch)
            batch = []
    if batch:
        conn.execute(statement, batch)
        done += len(batch)
    return done


def bump_data_version(conn: Connection) -> None:
    """Tell running servers' caches (keyed by the data version) that the data changed."""
    table = Base.metadata.tables.get("data_version")
    if table is not None:
        conn.execute(update(table).values(version=table.c.version + 1))


def reset_sequences(conn: Connection) -> None:
    """Move each id sequence past the ids the generator assigned itself, and the focal points'
    past removed contacts' ids too (they live on in the tombstones)."""
    tombstones = Base.metadata.tables["focal_point_tombstones"]
    for name in ID_TABLES:
        removed = conn.scalar(select(func.max(tombstones.c.id))) if name == "focal_points" else None
        restart_ids(conn, Base.metadata.tables[name], removed)
