"""Scale (issue 7, DESIGN section 7): the generator of bench/scale.py at a small factor, answered
by the real app with every invariant kept; and SQL statements per list request that do not grow
with the number of rows (the same count with ~10 rows as with ~1,000)."""

import csv
import io
import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from bench.scale import Plan, build
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from icat_api.app import create_app
from icat_api.applications.models import Application
from icat_api.chair_terms.models import ChairSeat, ChairTerm
from icat_api.db import Base, make_engine
from icat_api.entities.models import Entity, Membership
from icat_api.entities.rules import (
    Span,
    check_may_hold_role,
    check_one_role_at_a_time,
    working_group_expression,
)
from icat_api.focal_points.models import FocalPoint
from icat_api.focal_points.schemas import FocalPointIn
from icat_api.funding.models import Funding, Milestone
from icat_api.governance import facts
from icat_api.governance.models import (
    Attendance,
    Decision,
    Enrolment,
    Meeting,
    Objection,
)
from icat_api.keys.service import create_key
from icat_api.seed.data import ENTITIES
from icat_api.settings import Settings
from icat_api.webhooks.models import Delivery, Subscription
from icat_api.work_plans.models import Activity, WorkPlan
from tests.dbutil import fresh_database

OPENAPI = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"
SEEDED = {e.id for e in ENTITIES}
DEEP = "deep-org"  # the entity with as many memberships and contacts as the database is deep


@dataclass
class Env:
    """A generated database served by the real app, with SQL statements recorded on demand."""

    url: str
    client: TestClient
    headers: dict[str, str]
    counts: dict[str, int]
    seconds: float
    ids: dict[str, int] = field(default_factory=dict)
    statements: list[str] | None = None

    def get(self, path: str) -> tuple[Any, list[str]]:
        """GET ``path`` with the secretariat's key: the JSON answer and the statements run."""
        self.statements = []
        try:
            response = self.client.get(path, headers=self.headers)
        finally:
            statements, self.statements = self.statements, None
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        return response.json(), statements

    def get_file(self, path: str, accept: str) -> tuple[str, list[str]]:
        """GET ``path`` as ``accept`` (a CSV, a calendar), from the database: its text and the
        statements run."""
        cast(FastAPI, self.client.app).state.read_cache.clear()
        self.statements = []
        try:
            response = self.client.get(path, headers={**self.headers, "Accept": accept})
        finally:
            statements, self.statements = self.statements, None
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        assert response.headers["content-type"].startswith(accept)
        return response.content.decode("utf-8-sig"), statements


def _serve(url: str, plan: Plan, deep: int | None = None) -> Iterator[Env]:
    started = time.perf_counter()
    counts = build(url, plan, log=lambda _: None)
    seconds = time.perf_counter() - started
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        info, key = create_key(session=session, entity_id=None, secretariat=True)
        ids = _deepen(session, deep, info.id) if deep is not None else {}
    engine.dispose()
    app = create_app(Settings(database_url=url, log_json=True))
    env = Env(url, TestClient(app), {"Authorization": f"Bearer {key}"}, counts, seconds, ids)

    @event.listens_for(app.state.engine, "before_cursor_execute")
    def _record(*args: Any) -> None:
        if env.statements is not None:
            env.statements.append(" ".join(str(args[2]).split()))

    with env.client:
        yield env
    app.state.engine.dispose()


def _deepen(session: Session, n: int, key_id: int) -> dict[str, int]:
    """Lists under one parent, ``n`` deep: an entity with ``n`` memberships (back-to-back
    spans) and ``n`` focal points, a consultation attended by up to ``n`` entities, a work plan
    of ``n`` activities, a fund with ``n`` overdue milestones, ``n`` chair terms (after 2100),
    ``n`` webhook subscriptions of the key ``key_id``, the first with ``n`` deliveries."""
    first, today = date(2007, 1, 1), date.today()
    session.add(
        Entity(
            id=DEEP,
            name="Deep Organization",
            kind="intergovernmental",
            un_system=False,
            mandate_covers_tip=True,
        )
    )
    session.flush()
    session.add_all(
        Membership(
            entity_id=DEEP,
            role=("partner", "member")[i % 2],
            starts_on=first + timedelta(3 * i),
            ends_on=None if i == n - 1 else first + timedelta(3 * i + 3),
        )
        for i in range(n)
    )
    session.add_all(
        FocalPoint(
            entity_id=DEEP,
            external_id=f"D-{i:05d}",
            name=f"Person {i}",
            email=f"person.{i}@deep.org",
            is_primary=i == 0,
        )
        for i in range(n)
    )
    meeting = Meeting(
        kind="consultation",
        title="Deep consultation",
        starts_on=today,
        ends_on=today,
        mode="virtual",
    )
    plan = WorkPlan(start_year=today.year, title="Deep plan", co_lead_entity_ids=["unodc"])
    fund = Funding(donor="Deep donor", recipient_entity_id="unodc", received_on=first)
    session.add_all([meeting, plan, fund])
    session.flush()
    attendees = session.scalars(select(Entity.id).order_by(Entity.id).limit(n)).all()
    session.add_all(
        Attendance(meeting_id=meeting.id, entity_id=e, representatives=["Delegate"])
        for e in attendees
    )
    session.add_all(
        Activity(
            work_plan_id=plan.id,
            title=f"Deep activity {i}",
            priority_area="partnerships",
            lead_entity_id="unodc",
            contributor_entity_ids=[],
            milestones=[],
        )
        for i in range(n)
    )
    session.add_all(
        Milestone(funding_id=fund.id, title=f"Deep milestone {i}", due_on=first + timedelta(i))
        for i in range(n)
    )
    session.add_all(
        ChairTerm(
            start_year=2101 + i, end_year=2101 + i, seats=[ChairSeat(entity_id="unodc", position=0)]
        )
        for i in range(n)
    )
    hooks = [
        Subscription(
            key_id=key_id,
            secretariat=True,
            url=f"https://hooks{i}.example.org/icat",
            events=["*"],
            secret="whsec_" + "A" * 43 + "=",
            status="active",
        )
        for i in range(n)
    ]
    session.add_all(hooks)
    session.flush()
    session.add_all(
        Delivery(
            subscription_id=hooks[0].id,
            message_id=f"msg_{i}",
            event="entity.updated",
            payload="{}",
            status="delivered",
            attempts=1,
        )
        for i in range(n)
    )
    return {"meeting": meeting.id, "work_plan": plan.id, "webhook": hooks[0].id}


# 1. The generator at factor 2, answered by the app.


@pytest.fixture(scope="module")
def scaled() -> Iterator[Env]:
    yield from _serve(fresh_database("scale"), Plan.scaled(2, 2000))


def _pages(env: Env, path: str, limit: int = 200) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        sep = "&" if "?" in path else "?"
        body, _ = env.get(f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def test_generator_is_fast_and_makes_what_it_says(scaled: Env) -> None:
    assert scaled.seconds < 15
    c = scaled.counts
    assert c["entities"] == 50 and c["decisions"] >= 400 and c["meetings"] >= 18
    assert c["focal_points"] + c["focal_point_tombstones"] == 500
    assert c["audit_events"] > 2000 and c["attendance"] > 200
    assert min(c[t] for t in ("memberships", "working_group_enrolments", "publications")) > 0


def test_entities_page_through_every_row(scaled: Env) -> None:
    engine = make_engine(scaled.url)
    with engine.connect() as conn:
        ids = list(conn.scalars(select(Entity.id).order_by(Entity.id)))
    engine.dispose()
    assert [e["id"] for e in _pages(scaled, "/v1/entities", limit=7)] == ids
    statuses = Counter(e["status"] for e in _pages(scaled, "/v1/entities"))
    assert statuses["member"] > 23 and statuses["stakeholder"] > 0 and len(statuses) >= 4


def test_member_list_lists_synthetic_members(scaled: Env) -> None:
    body, _ = scaled.get("/v1/member-list")
    members = {m["id"] for m in body["members"]}
    assert members - SEEDED, "no synthetic member listed"
    assert members == {e["id"] for e in _pages(scaled, "/v1/entities?status=member")}
    assert {p["id"] for p in body["partners"]} == {
        e["id"] for e in _pages(scaled, "/v1/entities?status=partner")
    }
    roster, _ = scaled.get("/v1/working-group")
    assert {m["entity_id"] for m in roster["members"]} - SEEDED


def test_focal_points_keep_the_rules(scaled: Env) -> None:
    feed = _pages(scaled, "/v1/focal-points")
    live = [f for f in feed if not f["deleted"]]
    assert len(feed) == 500 and len(live) == scaled.counts["focal_points"]
    primaries = Counter(f["entity_id"] for f in live if f["is_primary"])
    assert set(primaries) == {f["entity_id"] for f in live} and set(primaries.values()) == {1}
    for f in live:  # valid email, E.164 phone kept as is
        parsed = FocalPointIn.model_validate({k: f[k] for k in FocalPointIn.model_fields})
        assert parsed.phone == f["phone"]
    holders = {
        e["id"] for e in _pages(scaled, "/v1/entities") if e["status"] in ("member", "partner")
    }
    assert set(primaries) <= holders  # only members and partners designate (ToR 3.A.2)
    gaps = _pages(scaled, "/v1/focal-points/gaps")
    assert gaps and {g["id"] for g in gaps} == holders - set(primaries)


@pytest.fixture(scope="module")
def session(scaled: Env) -> Iterator[Session]:
    engine = make_engine(scaled.url)
    with Session(engine) as s:
        yield s
    engine.dispose()


def _in_wg(session: Session, entity_id: str | None, day: date) -> bool:
    query = select(working_group_expression(day)).where(Entity.id == entity_id)
    return bool(session.scalar(query))


def test_roles_and_enrolments_keep_the_rules(session: Session) -> None:
    spans: dict[str, list[Span]] = defaultdict(list)
    for m in session.scalars(select(Membership).order_by(Membership.starts_on)):
        new = Span(m.role, m.starts_on, m.ends_on)
        check_one_role_at_a_time(spans[m.entity_id], new)  # ToR 3.E/3.F
        spans[m.entity_id].append(new)
    for entity in session.scalars(select(Entity).where(Entity.id.in_(spans))):
        check_may_hold_role(kind=entity.kind, mandate_covers_tip=entity.mandate_covers_tip)
    for e in session.scalars(select(Enrolment)):  # members confirm (ToR 3.B.7)
        assert any(s.role == "member" and s.holds_on(e.confirmed_on) for s in spans[e.entity_id])


def test_decisions_are_consistent_with_their_meetings(session: Session) -> None:
    chairs: dict[int, set[str]] = defaultdict(set)
    for start, end, eid in session.execute(
        select(ChairTerm.start_year, ChairTerm.end_year, ChairSeat.entity_id).join(ChairSeat)
    ):
        for year in range(start, end + 1):
            chairs[year].add(eid)
    meetings = {m.id: m for m in session.scalars(select(Meeting))}
    decisions = list(session.scalars(select(Decision)))
    kinds = {d.kind for d in decisions}
    assert {"admission", "general", "product_sign_off", "funding_approval"} <= kinds
    for d in decisions:
        assert d.confirmed_by in chairs[d.decided_on.year]  # ToR 3.B.3
        if d.meeting_id is not None:
            meeting = meetings[d.meeting_id]
            assert meeting.starts_on <= d.decided_on <= meeting.ends_on
        else:
            assert d.deadline_on is not None and d.consulted_entity_ids
            assert d.decided_on >= d.deadline_on
    for o in session.scalars(select(Objection)):  # only voters object (ToR 3.B.3, 3.B.7)
        d = session.get_one(Decision, o.decision_id)
        rights = facts.voting_rights(session, [o.entity_id], d.decided_on)[o.entity_id]
        assert rights.has_voting_rights, (d.id, o.entity_id, rights.reason)
        assert (d.outcome == "adopted") == o.withdrawn


def test_admissions_funds_and_activities_keep_the_rules(session: Session) -> None:
    admitted = session.scalars(
        select(Membership).where(Membership.admission_decision_id.is_not(None))
    ).all()
    assert admitted
    for m in admitted:  # ToR 3.A.3: the role starts with the decision on the application
        d = session.get_one(Decision, m.admission_decision_id)
        a = session.get_one(Application, d.application_id)
        assert (d.kind, d.outcome, a.status, a.entity_id) == (
            "admission",
            "adopted",
            "accepted",
            m.entity_id,
        )
        assert a.submitted_on < d.decided_on == a.closed_on == m.starts_on
    funds = session.scalars(select(Funding).where(Funding.approval_decision_id.is_not(None)))
    for f in funds:  # prior approval, to a WG member (ToR 3.B.5); Sweden's is history
        d = session.get_one(Decision, f.approval_decision_id)
        assert (d.kind, d.outcome) == ("funding_approval", "adopted")
        assert d.recipient_entity_id == f.recipient_entity_id and d.decided_on <= f.received_on
        assert _in_wg(session, f.recipient_entity_id, d.decided_on)
        assert _in_wg(session, f.recipient_entity_id, f.received_on)
    for act in session.scalars(select(Activity)):  # led by a WG member (ToR 3.E.2)
        plan = session.get_one(WorkPlan, act.work_plan_id)
        first, last = date(plan.start_year, 1, 1), date(plan.start_year + 1, 12, 31)
        assert _in_wg(session, act.lead_entity_id, min(max(date.today(), first), last))


def _dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the moments of writing (the seed stamps them now)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        dump = {
            name: sorted(
                (
                    tuple(row)
                    for row in conn.execute(
                        select(*(c for c in table.c if not c.name.endswith("_at")))
                    )
                ),
                key=repr,
            )
            for name, table in Base.metadata.tables.items()
        }
    engine.dispose()
    return dump


def test_generator_is_deterministic() -> None:
    urls = [fresh_database(f"scale_{run}") for run in ("once", "twice")]
    for url in urls:
        build(url, SMALL, log=lambda _: None)
    first, second = (_dump(url) for url in urls)
    assert first == second and len(first["decisions"]) > 10


def test_writes_still_work_after_the_bulk_inserts(scaled: Env) -> None:
    """Ids the generator assigned itself: the sequences moved past them (PostgreSQL)."""
    top = max(m["id"] for m in _pages(scaled, "/v1/meetings"))
    response = scaled.client.post(
        "/v1/meetings",
        headers=scaled.headers,
        json={"kind": "briefing", "title": "After the scale run", "starts_on": "2026-01-15"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["id"] == top + 1


# 2. SQL statements per list request do not grow with the rows.

SMALL = Plan(
    entities=10,
    meetings=10,
    attendees=6,
    decisions=12,
    focal_points=10,
    gap_ratio=0.5,
    applications=10,
    candidacies=10,
    work_plans=10,
    activities=10,
    publications=10,
    funding=10,
    audit_events=10,
)
BIG = Plan(
    entities=1200,
    meetings=300,
    attendees=40,
    decisions=1000,
    focal_points=1000,
    gap_ratio=0.5,
    applications=400,
    candidacies=300,
    work_plans=300,
    activities=1000,
    publications=300,
    funding=500,
    audit_events=1000,
)

# Every list of the API, with limit=200, and the lists in answers about one parent.
ENDPOINTS = (
    "/v1/entities?limit=200",
    "/v1/entities/{entity}/memberships?limit=200",
    "/v1/entities/{entity}/focal-points",
    "/v1/focal-points?limit=200",
    "/v1/focal-points/gaps?limit=200",
    "/v1/meetings?limit=200",
    "/v1/meetings/{meeting}/attendance",
    "/v1/decisions?limit=200",
    "/v1/applications?limit=200",
    "/v1/chair-candidacies?limit=200",
    "/v1/chairs?limit=200",
    "/v1/work-plans?limit=200",
    "/v1/work-plans/{work_plan}",
    "/v1/funding?limit=200",
    "/v1/funding/overdue-reports?limit=200",
    "/v1/publications?limit=200",
    "/v1/audit-events?limit=200",
    "/v1/changes?limit=200",
    "/v1/webhooks?limit=200",
    "/v1/webhooks/{webhook}/deliveries?limit=200",
    "/v1/member-list",
    "/v1/working-group",
    "/v1/working-group/participation?from=2000-01-01",
    "/v1/chair-terms/2015/report",
    "/v1/records/2015",
)


@pytest.fixture(scope="module")
def small() -> Iterator[Env]:
    yield from _serve(fresh_database("scale_small"), SMALL, deep=10)


@pytest.fixture(scope="module")
def big() -> Iterator[Env]:
    yield from _serve(fresh_database("scale_big"), BIG, deep=1000)


def test_every_list_endpoint_is_measured() -> None:
    spec = json.loads(OPENAPI.read_text())
    schemas = spec["components"]["schemas"]
    lists = set()
    for path, ops in spec["paths"].items():
        content = ops.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
        ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
        if "items" in schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}):
            lists.add(path)
    measured = {p.split("?")[0].replace("{entity}", "{entity_id}") for p in ENDPOINTS}
    measured = {p.replace("{meeting}", "{meeting_id}") for p in measured}
    measured = {p.replace("{webhook}", "{webhook_id}") for p in measured}
    assert lists <= measured, sorted(lists - measured)


def _size(body: Any) -> int:
    """Rows in an answer: the elements of its lists, one level of objects down."""
    if isinstance(body, list):
        return len(body)
    if isinstance(body, dict):
        return sum(_size(v) for v in body.values() if isinstance(v, list | dict))
    return 0


@pytest.mark.parametrize("template", ENDPOINTS)
def test_statements_do_not_grow_with_rows(small: Env, big: Env, template: str) -> None:
    sizes, runs = [], []
    for env in (small, big):
        body, statements = env.get(template.format(entity=DEEP, **env.ids))
        sizes.append(_size(body))
        runs.append(statements)
    assert 1 <= sizes[0] < sizes[1] and sizes[1] >= 100, f"not a fair comparison: rows {sizes}"
    if len(runs[0]) != len(runs[1]):
        extra = Counter(runs[1]) - Counter(runs[0])
        grown = "\n".join(f"  {n} x {s[:300]}" for s, n in extra.most_common(5))
        pytest.fail(
            f"{template}: {len(runs[0])} statements for {sizes[0]} rows, {len(runs[1])} for "
            f"{sizes[1]} rows; repeated with the rows:\n{grown}"
        )


# The other representations of the lists: every row in one answer (a CSV), every event (the
# calendar); their statements do not grow with the rows either.
FILES = (
    ("/v1/entities", "text/csv"),
    ("/v1/meetings", "text/csv"),
    ("/v1/decisions", "text/csv"),
    ("/v1/funding", "text/csv"),
    ("/v1/calendar.ics", "text/calendar"),
)


def _rows(text: str, accept: str) -> int:
    if accept == "text/calendar":
        return text.count("BEGIN:VEVENT")
    return len(list(csv.reader(io.StringIO(text, newline="")))) - 1  # less the header


@pytest.mark.parametrize(("path", "accept"), FILES)
def test_statements_of_whole_lists_do_not_grow_with_rows(
    small: Env, big: Env, path: str, accept: str
) -> None:
    sizes, runs = [], []
    for env in (small, big):
        text, statements = env.get_file(path, accept)
        sizes.append(_rows(text, accept))
        runs.append(statements)
    assert 1 <= sizes[0] < sizes[1] and sizes[1] >= 100, f"not a fair comparison: rows {sizes}"
    assert len(runs[0]) == len(runs[1]), (path, sizes, Counter(runs[1]) - Counter(runs[0]))
