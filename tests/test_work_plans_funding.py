"""Work plans, budget allocations, extra-budgetary funds and ICAT products through HTTP.

The Working Group plans two calendar years at a time and endorses the plan by a decision
(ToR 3.B.2(a)); endorsed plans never overlap. The Chair sitting when a draft is created leads its
drafting (ToR 3.D.3(e)). Budgetary allocations are decisions too (ToR 3.B.2(b,c)). A member
receives funds on ICAT's behalf only with the Working Group's prior approval, for an activity of
the endorsed work plan, and reports back on milestones; every product is signed off by consensus
before it is published (ToR 3.B.5). Every change a decision makes is audited with its id, and
the Coordinator exports a year's records (ToR 3.C.2).

The plans and funds here are for 2023-2024, years with no seeded data: ILO chairs 2023 (a term
recorded here) and a Working Group meeting on 15-16 March 2023 is attended by four voting
members (ILO, IOM, UNHCR, UNODC) and a partner. The drafts are created today, when ILO and IOM
co-chair (a term recorded here for the current year): they co-lead every draft. Each refusal
answers problem+json, names the ToR clause where one applies, and stores nothing.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from icat_api.audit.models import AuditEvent
from icat_api.db import Base
from icat_api.funding.models import Funding, Milestone, MilestoneReport
from icat_api.governance.models import Decision
from icat_api.publications.models import Publication
from icat_api.work_plans.models import Activity, WorkPlan
from tests.conftest import Keys
from tests.helpers import PROBLEM, Headers, Json, all_items, body_of, key_of

CHAIR = "ilo"  # chairs 2023, co-chairs this year (both recorded by each test)
RECIPIENT = "iom"  # a voting Working Group member that receives funds; co-chairs this year
CO_CHAIRS = [CHAIR, RECIPIENT]  # this year's co-chairs: they co-lead the drafts (ToR 3.D.3(e))
# The co-chairs delineate the tasks of ToR 3.D.3 (ToR 3.D.2); both lead the work plan's draft (e).
ROLES: list[dict[str, Any]] = [
    {"entity_id": CHAIR, "tasks": list("abcdefg")},
    {"entity_id": RECIPIENT, "tasks": list("ehijklm")},
]
PARTNER = "council-of-europe"
NOT_ENROLLED = "undp"  # an ICAT member that never joined the Working Group
MEETING_DAY = "2023-03-15"
ADDRESS = "https://icat.un.org/publications/brief-2023"
TABLES: tuple[type[Base], ...] = (
    WorkPlan,
    Activity,
    Decision,
    Funding,
    Milestone,
    MilestoneReport,
    Publication,
    AuditEvent,
)


# --- helpers -----------------------------------------------------------------------------------


def today() -> date:
    return date.today()


def tomorrow() -> str:
    return str(today() + timedelta(days=1))


def chair_term(client: TestClient, sec: Headers, year: int, entity_id: str) -> None:
    body = {"start_year": year, "entity_ids": [entity_id]}
    body_of(client.post("/v1/chair-terms", headers=sec, json=body), 201)


def co_chairs_this_year(client: TestClient, sec: Headers) -> None:
    """ILO and IOM co-chair the current year, their roles delineated (ToR 3.D.2): the Chair
    sitting today co-leads the drafting of a work plan (ToR 3.D.3(e))."""
    body = {"start_year": today().year, "entity_ids": CO_CHAIRS, "roles": ROLES}
    term = body_of(client.post("/v1/chair-terms", headers=sec, json=body), 201)
    assert term["entity_ids"] == CO_CHAIRS
    assert [(c["entity_id"], c["tasks"]) for c in term["chairs"]] == [
        (r["entity_id"], r["tasks"]) for r in ROLES
    ]


def build_2023(client: TestClient, sec: Headers) -> int:
    """ILO chairs 2023; the Working Group meets on 15-16 March. ILO and IOM co-chair this year.
    Answers the meeting's id."""
    chair_term(client, sec, 2023, CHAIR)
    co_chairs_this_year(client, sec)
    body = {
        "kind": "working_group",
        "title": "First Working Group meeting of 2023",
        "starts_on": MEETING_DAY,
        "ends_on": "2023-03-16",
    }
    meeting_id = int(body_of(client.post("/v1/meetings", headers=sec, json=body), 201)["id"])
    attendees = [{"entity_id": e} for e in (CHAIR, RECIPIENT, "unhcr", "unodc", PARTNER)]
    attendance = client.put(
        f"/v1/meetings/{meeting_id}/attendance", headers=sec, json={"items": attendees}
    )
    capacities = {a["entity_id"]: a["capacity"] for a in body_of(attendance, 200)["items"]}
    assert capacities == {
        CHAIR: "voting_member",
        RECIPIENT: "voting_member",
        "unhcr": "voting_member",
        "unodc": "voting_member",
        PARTNER: "observer",
    }
    return meeting_id


@pytest.fixture
def meeting_id(client: TestClient, sec: Headers) -> int:
    return build_2023(client, sec)


def decision_body(
    meeting_id: int,
    kind: str,
    *,
    objected: bool = False,
    decided_on: str | None = None,
    **subject: Any,
) -> Json:
    """A decision at the March meeting, confirmed by the Chair; UNHCR maintains an objection
    when ``objected`` (then it is not adopted, ToR 3.B.3)."""
    body: Json = {
        "procedure": "meeting",
        "meeting_id": meeting_id,
        "kind": kind,
        "record": f"The Working Group decides on a {kind}.",
        "confirmed_by": CHAIR,
        "objections": (
            [{"entity_id": "unhcr", "reason": "Not yet discussed with our office."}]
            if objected
            else []
        ),
        **subject,
    }
    if decided_on is not None:
        body["decided_on"] = decided_on
    return body


def decide(
    client: TestClient,
    sec: Headers,
    meeting_id: int,
    kind: str,
    *,
    objected: bool = False,
    **subject: Any,
) -> Json:
    taken = body_of(
        client.post(
            "/v1/decisions",
            headers=sec,
            json=decision_body(meeting_id, kind, objected=objected, **subject),
        ),
        201,
    )
    assert taken["outcome"] == ("not_adopted" if objected else "adopted"), taken
    return taken


def plan_body(start_year: Any = 2023, **fields: Any) -> Json:
    return {
        "start_year": start_year,
        "title": f"ICAT work plan {start_year}-{start_year + 1}",
        "co_lead_entity_ids": CO_CHAIRS,
        **fields,
    }


def create_plan(client: TestClient, headers: Headers, start_year: int = 2023) -> Json:
    r = client.post("/v1/work-plans", headers=headers, json=plan_body(start_year))
    created = body_of(r, 201)
    assert r.headers["location"] == f"/v1/work-plans/{created['id']}"
    return created


def activity_body(**fields: Any) -> Json:
    return {
        "title": "Issue brief on trafficking and technology",
        "priority_area": "evidence_base",
        "lead_entity_id": RECIPIENT,
        "contributor_entity_ids": [CHAIR, "unhcr"],
        "starts_on": "2023-02-01",
        "ends_on": "2024-06-30",
        "milestones": [{"title": "First draft", "due_on": "2023-09-30"}],
        **fields,
    }


def add_activity(
    client: TestClient, headers: Headers, plan_id: int, **fields: Any
) -> httpx.Response:
    r: httpx.Response = client.post(
        f"/v1/work-plans/{plan_id}/activities", headers=headers, json=activity_body(**fields)
    )
    return r


def funding_body(approval_id: int, **fields: Any) -> Json:
    return {
        "donor": "Sweden",
        "recipient_entity_id": RECIPIENT,
        "amount": "250000.00",
        "currency": "USD",
        "received_on": "2023-04-01",
        "approval_decision_id": approval_id,
        "milestones": [],
        **fields,
    }


def endorse(client: TestClient, sec: Headers, meeting_id: int, plan_id: int) -> Json:
    """The Working Group endorses the draft plan at the March meeting (ToR 3.B.2(a))."""
    taken = decide(client, sec, meeting_id, "work_plan_endorsement", work_plan_id=plan_id)
    assert taken["work_plan_id"] == plan_id
    return taken


def endorsed_activity(client: TestClient, sec: Headers, meeting_id: int) -> int:
    """An activity of the endorsed 2023-2024 plan: funds are approved for it (ToR 3.B.5)."""
    plan = create_plan(client, sec)
    activity = body_of(add_activity(client, sec, plan["id"]), 201)
    endorse(client, sec, meeting_id, plan["id"])
    return int(activity["id"])


def approve(
    client: TestClient, sec: Headers, meeting_id: int, activity_id: int, recipient: str = RECIPIENT
) -> int:
    """The Working Group approves ``recipient`` receiving funds for the activity (ToR 3.B.5)."""
    taken = decide(
        client,
        sec,
        meeting_id,
        "funding_approval",
        recipient_entity_id=recipient,
        activity_id=activity_id,
    )
    assert (taken["recipient_entity_id"], taken["activity_id"]) == (recipient, activity_id)
    assert taken["decided_on"] == MEETING_DAY
    return int(taken["id"])


def events(client: TestClient, sec: Headers, resource_type: str, resource_id: Any) -> list[Json]:
    """The audit trail of one resource, oldest first."""
    found: list[Json] = all_items(
        client,
        "/v1/audit-events",
        sec,
        resource_type=resource_type,
        resource_id=str(resource_id),
    )
    return found


def publication(
    client: TestClient, headers: Headers, title: str = "Trafficking and technology"
) -> Json:
    body = {"title": title, "kind": "issue_brief", "lead_entity_id": RECIPIENT}
    created = body_of(client.post("/v1/publications", headers=headers, json=body), 201)
    assert (created["status"], created["sign_off_decision_id"]) == ("draft", None)
    return created


def snapshot(client: TestClient, sec: Headers, db: Session) -> Json:
    """What a refused request could have written: row counts of every table concerned, and
    the resources as the API shows them."""
    db.expire_all()
    return {
        "counts": {t.__tablename__: db.scalar(select(func.count()).select_from(t)) for t in TABLES},
        "work_plans": all_items(client, "/v1/work-plans"),
        "publications": all_items(client, "/v1/publications", headers=sec),
    }


@dataclass
class Registry:
    """Sends requests that must be refused and checks that nothing was stored by them."""

    client: TestClient
    sec: Headers
    db: Session

    @contextmanager
    def unchanged(self) -> Iterator[None]:
        before = snapshot(self.client, self.sec, self.db)
        yield
        assert snapshot(self.client, self.sec, self.db) == before

    def refuse(
        self,
        method: str,
        path: str,
        body: Json | None,
        *,
        status: int,
        rule: str | None,
        headers: Headers | None = None,
        extra: Headers | None = None,
    ) -> Json:
        """Send a request that must be refused with ``status`` and ``rule``; nothing stored."""
        with self.unchanged():
            r = self.client.request(
                method,
                path,
                headers={**(self.sec if headers is None else headers), **(extra or {})},
                json=body,
            )
            problem = body_of(r, status)
            assert r.headers["content-type"].startswith(PROBLEM), r.headers["content-type"]
            assert problem["status"] == status
            assert problem.get("rule") == rule, problem
            assert problem["detail"]
            if status == 401:
                assert r.headers["www-authenticate"].startswith("Bearer")
            if status == 422 and rule is None:
                assert problem["errors"], problem
        return problem


@pytest.fixture
def registry(client: TestClient, sec: Headers, db: Session) -> Registry:
    return Registry(client, sec, db)


# --- 1. work plans: drafted, endorsed, implemented ---------------------------------------------


def test_a_work_plan_from_draft_to_endorsement_and_progress(
    client: TestClient, sec: Headers, keys: Keys, meeting_id: int, registry: Registry
) -> None:
    plan = create_plan(client, sec)
    assert (plan["start_year"], plan["end_year"], plan["status"]) == (2023, 2024, "draft")
    assert (plan["co_lead_entity_ids"], plan["endorsement_decision_id"]) == (
        [CHAIR, RECIPIENT],
        None,
    )
    assert plan["activities"] == []

    r = add_activity(client, sec, plan["id"])
    activity = body_of(r, 201)
    etag = r.headers["etag"]
    assert (activity["work_plan_id"], activity["priority_area"], activity["status"]) == (
        plan["id"],
        "evidence_base",
        "planned",
    )
    assert (activity["lead_entity_id"], activity["contributor_entity_ids"]) == (
        RECIPIENT,
        [CHAIR, "unhcr"],
    )
    assert (activity["starts_on"], activity["ends_on"]) == ("2023-02-01", "2024-06-30")
    assert [(m["title"], m["due_on"]) for m in activity["milestones"]] == [
        ("First draft", "2023-09-30")
    ]
    assert activity["allocations"] == []
    other = body_of(
        add_activity(
            client, sec, plan["id"], title="Partnership forum", priority_area="partnerships"
        ),
        201,
    )

    # Progress, with If-Match: the ETag of the activity's last answer.
    progress = {"status": "ongoing", "progress": "Draft shared with the Working Group."}
    path = f"/v1/work-plans/{plan['id']}/activities/{activity['id']}"
    r = client.patch(path, headers={**sec, "If-Match": etag}, json=progress)
    updated = body_of(r, 200)
    assert (updated["status"], updated["progress"]) == ("ongoing", progress["progress"])
    assert updated["allocations"] == []
    assert updated["updated_at"] >= activity["updated_at"]
    # The creation's ETag is stale now: a concurrent writer loses nothing.
    problem = registry.refuse(
        "PATCH", path, {"status": "cancelled"}, status=412, rule=None, extra={"If-Match": etag}
    )
    assert "If-Match" in problem["detail"]
    assert (
        body_of(client.get(f"/v1/work-plans/{plan['id']}"), 200)["activities"][0]["status"]
        == "ongoing"
    )
    milestones = [{"title": "First draft", "due_on": "2023-09-30", "done_on": "2023-09-28"}]
    r = client.patch(
        path,
        headers={**sec, "If-Match": r.headers["etag"]},
        json={"status": "completed", "milestones": milestones},
    )
    done = body_of(r, 200)
    assert (done["status"], done["milestones"][0]["done_on"]) == ("completed", "2023-09-28")
    assert done["progress"] == progress["progress"]

    # Endorsed by a decision of the Working Group, in the same transaction.
    endorsement = endorse(client, sec, meeting_id, plan["id"])
    assert any("endorsed" in e for e in endorsement["effects"]), endorsement["effects"]
    assert endorsement["effects"] == [f"work plan {plan['id']} (2023-2024): endorsed"]
    endorsed = body_of(client.get(f"/v1/work-plans/{plan['id']}"), 200)  # public
    assert (endorsed["status"], endorsed["endorsement_decision_id"]) == (
        "endorsed",
        endorsement["id"],
    )
    assert [a["id"] for a in endorsed["activities"]] == [activity["id"], other["id"]]
    # The endorsement is on the plan's record, carrying the decision's id (ToR 3.C.2).
    [endorsed_event] = [
        e for e in events(client, sec, "work_plan", plan["id"]) if e["action"] == "endorse"
    ]
    assert endorsed_event["decision_id"] == endorsement["id"]
    assert (endorsed_event["before"]["status"], endorsed_event["after"]["status"]) == (
        "draft",
        "endorsed",
    )
    assert endorsed_event["after"]["endorsement_decision_id"] == endorsement["id"]

    # The public lists the plans covering a year: both of its years, not the ones around it.
    for year, listed in ((2022, False), (2023, True), (2024, True), (2025, False)):
        found = [p["id"] for p in all_items(client, "/v1/work-plans", year=year)]
        assert (plan["id"] in found) is listed, year

    # Budget allocations: adopted ones show on the activity; a blocked one does not.
    allocated = decide(
        client,
        sec,
        meeting_id,
        "budget_allocation",
        activity_id=activity["id"],
        amount="15000.00",
        currency="USD",
    )
    blocked = decide(
        client,
        sec,
        meeting_id,
        "budget_allocation",
        objected=True,
        activity_id=activity["id"],
        amount="99000.00",
        currency="EUR",
    )
    assert blocked["effects"] == []  # no consensus: nothing follows (ToR 3.B.3)
    yen = decide(
        client,
        sec,
        meeting_id,
        "budget_allocation",
        activity_id=activity["id"],
        amount="500",
        currency="JPY",
    )
    shown = body_of(client.get(f"/v1/work-plans/{plan['id']}"), 200)["activities"][0]
    assert [
        (a["decision_id"], Decimal(a["amount"]), a["currency"]) for a in shown["allocations"]
    ] == [
        (allocated["id"], Decimal("15000"), "USD"),
        (yen["id"], Decimal("500"), "JPY"),
    ]
    assert (
        body_of(client.get(f"/v1/work-plans/{plan['id']}"), 200)["activities"][1]["allocations"]
        == []
    )
    # Each adopted allocation is on the activity's record with its decision's id; the blocked
    # one is not (ToR 3.C.2).
    allocations = [
        e for e in events(client, sec, "activity", activity["id"]) if e["action"] == "allocate"
    ]
    assert [e["decision_id"] for e in allocations] == [allocated["id"], yen["id"]]
    for event in allocations:
        before = [a["decision_id"] for a in event["before"]["allocations"]]
        after = [a["decision_id"] for a in event["after"]["allocations"]]
        assert after == [*before, event["decision_id"]]
    assert [e["action"] for e in events(client, sec, "activity", other["id"])] == ["create"]
    # The year's totals of adopted allocations, per currency, in the Chair's report.
    report = body_of(client.get("/v1/chair-terms/2023/report"), 200)
    assert report["allocations"] == [
        {"currency": "JPY", "amount": "500"},
        {"currency": "USD", "amount": "15000.00"},
    ]


def test_a_work_plan_covers_two_calendar_years(
    client: TestClient, sec: Headers, registry: Registry
) -> None:
    # No Chair is recorded for this year: no one may co-lead a draft yet (ToR 3.D.3(e)).
    problem = registry.refuse(
        "POST", "/v1/work-plans", plan_body(), status=422, rule="ToR 3.D.3(e)"
    )
    assert "no Chair is recorded for this year" in problem["detail"]
    co_chairs_this_year(client, sec)
    # A third year is refused (ToR 3.B.2(a)); so is a single year.
    for end_year in (2025, 2023, 2022):
        registry.refuse(
            "POST", "/v1/work-plans", plan_body(end_year=end_year), status=422, rule="ToR 3.B.2(a)"
        )
    # Saying the second year explicitly is fine.
    explicit = body_of(
        client.post("/v1/work-plans", headers=sec, json=plan_body(end_year=2024)), 201
    )
    assert (explicit["start_year"], explicit["end_year"]) == (2023, 2024)
    assert explicit["co_lead_entity_ids"] == CO_CHAIRS
    # One sitting co-chair may lead the draft alone.
    alone = body_of(
        client.post("/v1/work-plans", headers=sec, json=plan_body(co_lead_entity_ids=[RECIPIENT])),
        201,
    )
    assert alone["co_lead_entity_ids"] == [RECIPIENT]
    # A member that does not chair this year (nor was elected for the next) co-leads nothing.
    for co_leads in ([CHAIR, "unhcr"], ["unodc"]):
        problem = registry.refuse(
            "POST",
            "/v1/work-plans",
            plan_body(co_lead_entity_ids=co_leads),
            status=422,
            rule="ToR 3.D.3(e)",
        )
        assert f"({CHAIR}, {RECIPIENT}); not: {co_leads[-1]}" in problem["detail"], problem

    # Field validation: no rule, errors named, nothing stored.
    for bad in (
        {**plan_body(), "start_year": "2023"},
        plan_body(start_year=1999),
        plan_body(start_year=2101),
        plan_body(co_lead_entity_ids=[]),
        plan_body(co_lead_entity_ids=[CHAIR, RECIPIENT, "unhcr"]),
        plan_body(co_lead_entity_ids=["no-such-entity"]),
        plan_body(title=""),
        plan_body(status="endorsed"),
        {**plan_body(), "title": "bad\x00title"},
    ):
        registry.refuse("POST", "/v1/work-plans", bad, status=422, rule=None)


def test_activities_stay_within_the_plan_and_are_led_by_the_working_group(
    client: TestClient, sec: Headers, registry: Registry
) -> None:
    co_chairs_this_year(client, sec)
    plan = create_plan(client, sec)
    path = f"/v1/work-plans/{plan['id']}/activities"
    # Outside the plan's two years (ToR 3.B.2(a)).
    for outside in (
        activity_body(starts_on="2022-12-31"),
        activity_body(ends_on="2025-01-01"),
        activity_body(milestones=[{"title": "Late", "due_on": "2025-03-01"}]),
    ):
        registry.refuse("POST", path, outside, status=422, rule="ToR 3.B.2(a)")
    # A partner, or a member outside the Working Group, cannot lead an activity.
    for lead in (PARTNER, NOT_ENROLLED):
        problem = registry.refuse(
            "POST", path, activity_body(lead_entity_id=lead), status=422, rule="ToR 3.E.2"
        )
        assert lead in problem["detail"]
    # Field validation.
    for bad in (
        activity_body(priority_area="fundraising"),
        activity_body(priority_area="Evidence_Base"),
        activity_body(lead_entity_id="no-such-entity"),
        activity_body(contributor_entity_ids=["no-such-entity"]),
        activity_body(starts_on="2024-02-01", ends_on="2024-01-31"),
        activity_body(starts_on="2023-02-30"),
        activity_body(status="completed"),
        activity_body(milestones=[{"title": "No day"}]),
    ):
        registry.refuse("POST", path, bad, status=422, rule=None)
    registry.refuse(
        "POST", "/v1/work-plans/999999/activities", activity_body(), status=404, rule=None
    )
    assert body_of(client.get(f"/v1/work-plans/{plan['id']}"), 200)["activities"] == []

    # Progress reports get the same checks.
    activity = body_of(add_activity(client, sec, plan["id"]), 201)
    one = f"{path}/{activity['id']}"
    registry.refuse("PATCH", one, {"ends_on": "2025-01-31"}, status=422, rule="ToR 3.B.2(a)")
    for bad in (
        {"status": "done"},
        {"progress": ""},
        {"priority_area": "partnerships"},
        {"ends_on": "31/12/2024"},
    ):
        registry.refuse("PATCH", one, bad, status=422, rule=None)
    registry.refuse("PATCH", f"{path}/999999", {"status": "ongoing"}, status=404, rule=None)


def test_an_activity_cannot_end_before_it_starts(
    client: TestClient, sec: Headers, registry: Registry
) -> None:
    # ActivityCreate refuses ends_on before starts_on; a progress report must not get around it.
    co_chairs_this_year(client, sec)
    plan = create_plan(client, sec)
    activity = body_of(add_activity(client, sec, plan["id"], starts_on="2023-06-01"), 201)
    path = f"/v1/work-plans/{plan['id']}/activities/{activity['id']}"
    registry.refuse("PATCH", path, {"ends_on": "2023-05-31"}, status=422, rule=None)
    shown = body_of(client.get(f"/v1/work-plans/{plan['id']}"), 200)["activities"][0]
    assert (shown["starts_on"], shown["ends_on"]) == ("2023-06-01", "2024-06-30")


def test_one_endorsed_work_plan_per_period(
    client: TestClient, sec: Headers, meeting_id: int, registry: Registry
) -> None:
    first, second = create_plan(client, sec), create_plan(client, sec)
    # A blocked endorsement leaves the plan a draft; nothing follows from it.
    blocked = decide(
        client, sec, meeting_id, "work_plan_endorsement", objected=True, work_plan_id=first["id"]
    )
    assert blocked["work_plan_id"] == first["id"]
    assert blocked["effects"] == []
    assert body_of(client.get(f"/v1/work-plans/{first['id']}"), 200)["status"] == "draft"
    assert "endorse" not in [e["action"] for e in events(client, sec, "work_plan", first["id"])]

    endorse(client, sec, meeting_id, second["id"])
    # Another draft for the same period overlaps the endorsed plan; the endorsed plan is no
    # longer a draft (ToR 3.B.2(a)).
    for plan_id, detail in (
        (first["id"], "The work plan 2023-2024 is endorsed"),
        (second["id"], "already endorsed"),
    ):
        problem = registry.refuse(
            "POST",
            "/v1/decisions",
            decision_body(meeting_id, "work_plan_endorsement", work_plan_id=plan_id),
            status=409,
            rule="ToR 3.B.2(a)",
        )
        assert detail in problem["detail"], problem
    statuses = {p["id"]: p["status"] for p in all_items(client, "/v1/work-plans", year=2023)}
    assert statuses == {first["id"]: "draft", second["id"]: "endorsed"}

    # Plans starting the year before or after share a year with it: they overlap it.
    for start_year in (2022, 2024):
        overlapping = create_plan(client, sec, start_year=start_year)
        problem = registry.refuse(
            "POST",
            "/v1/decisions",
            decision_body(meeting_id, "work_plan_endorsement", work_plan_id=overlapping["id"]),
            status=409,
            rule="ToR 3.B.2(a)",
        )
        assert f"{start_year}-{start_year + 1} would overlap" in problem["detail"], problem
        shown = body_of(client.get(f"/v1/work-plans/{overlapping['id']}"), 200)
        assert (shown["status"], shown["endorsement_decision_id"]) == ("draft", None)

    # The next period is another matter.
    later = create_plan(client, sec, start_year=2025)
    endorse(client, sec, meeting_id, later["id"])
    assert body_of(client.get(f"/v1/work-plans/{later['id']}"), 200)["status"] == "endorsed"
    registry.refuse(
        "POST",
        "/v1/decisions",
        decision_body(meeting_id, "work_plan_endorsement", work_plan_id=999999),
        status=422,
        rule=None,
    )


def test_budget_allocations_are_valid_money(
    client: TestClient, sec: Headers, meeting_id: int, registry: Registry
) -> None:
    plan = create_plan(client, sec)
    activity = body_of(add_activity(client, sec, plan["id"]), 201)

    def allocation(amount: Any, currency: Any) -> Json:
        return decision_body(
            meeting_id,
            "budget_allocation",
            activity_id=activity["id"],
            amount=amount,
            currency=currency,
        )

    for amount, currency in (
        ("-5.00", "USD"),
        ("0", "USD"),
        ("1000000000000.01", "USD"),
        ("10.001", "USD"),
        ("1.5", "JPY"),
        ("100", "XYZ"),
        ("100", "usd"),
        ("NaN", "USD"),
    ):
        registry.refuse(
            "POST", "/v1/decisions", allocation(amount, currency), status=422, rule=None
        )
    registry.refuse(
        "POST",
        "/v1/decisions",
        decision_body(meeting_id, "budget_allocation", activity_id=activity["id"]),
        status=422,
        rule=None,
    )
    registry.refuse(
        "POST",
        "/v1/decisions",
        decision_body(
            meeting_id, "budget_allocation", activity_id=999999, amount="5", currency="USD"
        ),
        status=422,
        rule=None,
    )
    # A field of another kind's body is unknown to an allocation's.
    for field, value in (("recipient_entity_id", RECIPIENT), ("work_plan_id", plan["id"])):
        problem = registry.refuse(
            "POST",
            "/v1/decisions",
            {**allocation("5.00", "USD"), field: value},
            status=422,
            rule=None,
        )
        assert [e["loc"] for e in problem["errors"]] == [["body", "budget_allocation", field]]
    assert (
        body_of(client.get(f"/v1/work-plans/{plan['id']}"), 200)["activities"][0]["allocations"]
        == []
    )


# --- 2. extra-budgetary funds (ToR 3.B.5) ------------------------------------------------------


def test_funds_are_received_with_the_working_groups_prior_approval(
    client: TestClient, sec: Headers, db: Session, keys: Keys, meeting_id: int, registry: Registry
) -> None:
    plan = create_plan(client, sec)
    activity = body_of(add_activity(client, sec, plan["id"]), 201)
    sibling = body_of(add_activity(client, sec, plan["id"], title="Partnership forum"), 201)
    # Funds are approved in relation to the endorsed work plan: not for a draft's activity.
    problem = registry.refuse(
        "POST",
        "/v1/decisions",
        decision_body(
            meeting_id,
            "funding_approval",
            recipient_entity_id=RECIPIENT,
            activity_id=activity["id"],
        ),
        status=422,
        rule="ToR 3.B.5",
    )
    assert f"Activity {activity['id']} belongs to a draft work plan" in problem["detail"]
    endorse(client, sec, meeting_id, plan["id"])
    approval = approve(client, sec, meeting_id, activity["id"])
    iom = key_of(db, RECIPIENT)

    # The recipient files its own funds, received the day of the approval.
    body = funding_body(
        approval,
        received_on=MEETING_DAY,
        activity_id=activity["id"],
        milestones=[{"title": "Interim report", "due_on": "2023-09-30"}],
        note="Earmarked for the issue brief.",
    )
    received = body_of(client.post("/v1/funding", headers=iom, json=body), 201)
    assert (received["donor"], received["recipient_entity_id"]) == ("Sweden", RECIPIENT)
    assert (received["amount"], received["currency"]) == ("250000.00", "USD")
    assert (received["received_on"], received["approval_decision_id"]) == (MEETING_DAY, approval)
    assert received["activity_id"] == activity["id"]
    assert [(m["title"], m["due_on"], m["reported_on"]) for m in received["milestones"]] == [
        ("Interim report", "2023-09-30", None)
    ]
    # The secretariat may file for the recipient; the funds are for the approval's activity.
    by_sec = body_of(client.post("/v1/funding", headers=sec, json=funding_body(approval)), 201)
    assert (by_sec["approval_decision_id"], by_sec["activity_id"]) == (approval, activity["id"])

    # Funds received before the approval.
    problem = registry.refuse(
        "POST",
        "/v1/funding",
        funding_body(approval, received_on="2023-03-14"),
        status=422,
        rule="ToR 3.B.5",
    )
    assert "2023-03-14" in problem["detail"]
    # Funds are recorded once received: never dated after today (ToR 3.C.2).
    problem = registry.refuse(
        "POST",
        "/v1/funding",
        funding_body(approval, received_on=tomorrow()),
        status=422,
        rule="ToR 3.C.2",
    )
    assert tomorrow() in problem["detail"]
    # An approval for another recipient.
    ilo_approval = approve(client, sec, meeting_id, activity["id"], recipient=CHAIR)
    registry.refuse("POST", "/v1/funding", funding_body(ilo_approval), status=422, rule="ToR 3.B.5")
    # An approval that was not adopted: nothing follows from it.
    blocked = decide(
        client,
        sec,
        meeting_id,
        "funding_approval",
        objected=True,
        recipient_entity_id=RECIPIENT,
        activity_id=activity["id"],
    )
    assert blocked["effects"] == []
    registry.refuse(
        "POST", "/v1/funding", funding_body(blocked["id"]), status=422, rule="ToR 3.B.5"
    )
    # A decision of another kind, or none at all.
    general = decide(client, sec, meeting_id, "general")
    for not_an_approval in (general["id"], 999999):
        registry.refuse(
            "POST", "/v1/funding", funding_body(not_an_approval), status=422, rule="ToR 3.B.5"
        )
    no_approval = {k: v for k, v in funding_body(approval).items() if k != "approval_decision_id"}
    registry.refuse("POST", "/v1/funding", no_approval, status=422, rule="ToR 3.B.5")
    # Funds for another activity than the one approved.
    problem = registry.refuse(
        "POST",
        "/v1/funding",
        funding_body(approval, activity_id=sibling["id"]),
        status=422,
        rule="ToR 3.B.5",
    )
    assert f"activity {activity['id']}, not activity {sibling['id']}" in problem["detail"]
    # A partner, or a member outside the Working Group, cannot receive funds on ICAT's behalf.
    for outsider in (PARTNER, NOT_ENROLLED):
        registry.refuse(
            "POST",
            "/v1/funding",
            funding_body(approval, recipient_entity_id=outsider),
            status=422,
            rule="ToR 3.B.5",
        )
        # Nor can the Working Group approve it.
        registry.refuse(
            "POST",
            "/v1/decisions",
            decision_body(
                meeting_id,
                "funding_approval",
                recipient_entity_id=outsider,
                activity_id=activity["id"],
            ),
            status=422,
            rule="ToR 3.B.5",
        )
    # An unknown activity: not the one approved.
    registry.refuse(
        "POST",
        "/v1/funding",
        funding_body(approval, activity_id=999999),
        status=422,
        rule="ToR 3.B.5",
    )
    # An approval names an activity, a known one; a field of another kind's body is unknown.
    for bad_approval, loc in (
        (
            decision_body(meeting_id, "funding_approval", recipient_entity_id=RECIPIENT),
            ["body", "funding_approval", "activity_id"],
        ),
        (
            decision_body(
                meeting_id, "funding_approval", recipient_entity_id=RECIPIENT, activity_id=999999
            ),
            ["body", "activity_id"],
        ),
        (
            decision_body(
                meeting_id,
                "funding_approval",
                recipient_entity_id=RECIPIENT,
                activity_id=activity["id"],
                work_plan_id=plan["id"],
            ),
            ["body", "funding_approval", "work_plan_id"],
        ),
    ):
        problem = registry.refuse("POST", "/v1/decisions", bad_approval, status=422, rule=None)
        assert [e["loc"] for e in problem["errors"]] == [loc], problem

    # Another agency's key may not file the recipient's funds; no key is 401.
    for other in (Keys.header(keys.member), Keys.header(keys.partner)):
        registry.refuse(
            "POST", "/v1/funding", funding_body(approval), status=403, rule=None, headers=other
        )
    registry.refuse(
        "POST", "/v1/funding", funding_body(approval), status=401, rule=None, headers={}
    )
    registry.refuse(
        "POST",
        "/v1/funding",
        funding_body(approval),
        status=401,
        rule=None,
        headers=Keys.header(keys.revoked),
    )

    # Members read the funds; the public does not.
    listed = all_items(client, "/v1/funding", headers=Keys.header(keys.member), year=2023)
    assert [f["id"] for f in listed] == [received["id"], by_sec["id"]]
    registry.refuse("GET", "/v1/funding", None, status=401, rule=None, headers={})
    registry.refuse("GET", "/v1/funding/overdue-reports", None, status=401, rule=None, headers={})


def test_amounts_are_decimal_strings_in_the_currencys_minor_units(
    client: TestClient, sec: Headers, meeting_id: int, registry: Registry
) -> None:
    approval = approve(client, sec, meeting_id, endorsed_activity(client, sec, meeting_id))
    for amount, currency in (
        ("-1.00", "USD"),
        ("0", "USD"),
        ("0.00", "EUR"),
        ("1000000000000.01", "USD"),
        ("1e13", "USD"),
        ("99999999999999999999", "USD"),
        ("NaN", "USD"),
        ("Infinity", "USD"),
        ("ten", "USD"),
        ("", "USD"),
        ("10.001", "USD"),
        ("1.5", "JPY"),
        ("1.2345", "KWD"),
        ("100.00", "XYZ"),
        ("100.00", "usd"),
        ("100.00", "US"),
        ("100.00", "USDD"),
        ("100.00", ""),
        ("100.00", None),
        (None, "USD"),
    ):
        registry.refuse(
            "POST",
            "/v1/funding",
            funding_body(approval, amount=amount, currency=currency),
            status=422,
            rule=None,
        )
    for bad in (
        funding_body(approval, donor=""),
        funding_body(approval, received_on="2023-02-29"),
        funding_body(approval, received_on="2101-01-01"),
        funding_body(approval, approval_decision_id=0),
        funding_body(approval, milestones=[{"title": "No day"}]),
        funding_body(approval, recipient_entity_id="IOM"),
        funding_body(approval, unexpected="field"),
    ):
        registry.refuse("POST", "/v1/funding", bad, status=422, rule=None)
    # Optional in the body, the approval is required by ToR 3.B.5: refused naming the clause.
    registry.refuse(
        "POST",
        "/v1/funding",
        funding_body(approval, approval_decision_id=None),
        status=422,
        rule="ToR 3.B.5",
    )

    # Whole yen, fils to three places, a trillion dollars at most: stored as sent.
    for amount, currency in (
        ("5", "JPY"),
        ("1.234", "KWD"),
        ("1000000000000.00", "USD"),
        ("10.50", "EUR"),
    ):
        taken = body_of(
            client.post(
                "/v1/funding",
                headers=sec,
                json=funding_body(approval, amount=amount, currency=currency),
            ),
            201,
        )
        assert (taken["amount"], taken["currency"]) == (amount, currency)


def test_amounts_read_back_as_sent(client: TestClient, sec: Headers, meeting_id: int) -> None:
    # An amount is shown the same way when it is read back as when it was recorded: in the
    # currency's minor units (2 for USD, none for JPY, 3 for KWD), in the funds, their totals
    # and the allocations on an activity.
    plan = create_plan(client, sec)
    activity = body_of(add_activity(client, sec, plan["id"]), 201)
    endorse(client, sec, meeting_id, plan["id"])
    approval = approve(client, sec, meeting_id, activity["id"])
    sent = (("100.50", "USD"), ("7000", "JPY"), ("1.234", "KWD"))
    answered = [
        body_of(
            client.post(
                "/v1/funding",
                headers=sec,
                json=funding_body(approval, amount=amount, currency=currency),
            ),
            201,
        )
        for amount, currency in sent
    ]
    assert [(f["amount"], f["currency"]) for f in answered] == list(sent)
    page = body_of(client.get("/v1/funding", headers=sec, params={"year": 2023}), 200)
    assert [(f["amount"], f["currency"]) for f in page["items"]] == list(sent)
    assert page["items"] == answered
    assert sorted((t["amount"], t["currency"]) for t in page["totals"]) == sorted(sent)

    for amount, currency in (("15000.00", "USD"), ("500", "JPY")):
        taken = decide(
            client,
            sec,
            meeting_id,
            "budget_allocation",
            activity_id=activity["id"],
            amount=amount,
            currency=currency,
        )
        assert (taken["amount"], taken["currency"]) == (amount, currency)
        again = body_of(client.get(f"/v1/decisions/{taken['id']}"), 200)
        assert (again["amount"], again["currency"]) == (amount, currency)
    shown = body_of(client.get(f"/v1/work-plans/{plan['id']}"), 200)["activities"][0]
    assert [(a["amount"], a["currency"]) for a in shown["allocations"]] == [
        ("15000.00", "USD"),
        ("500", "JPY"),
    ]


def test_milestone_reports_and_overdue_reports(
    client: TestClient, sec: Headers, db: Session, keys: Keys, meeting_id: int, registry: Registry
) -> None:
    approval = approve(client, sec, meeting_id, endorsed_activity(client, sec, meeting_id))
    iom = key_of(db, RECIPIENT)
    milestones = [
        {"title": "Interim report", "due_on": "2023-06-30"},
        {"title": "Final report", "due_on": "2023-12-31"},
    ]
    funds = body_of(
        client.post("/v1/funding", headers=iom, json=funding_body(approval, milestones=milestones)),
        201,
    )
    other = body_of(
        client.post(
            "/v1/funding",
            headers=iom,
            json=funding_body(
                approval, donor="Norway", milestones=[{"title": "Workshop", "due_on": "2023-05-01"}]
            ),
        ),
        201,
    )
    interim, final = (m["id"] for m in funds["milestones"])
    workshop = other["milestones"][0]["id"]
    path = f"/v1/funding/{funds['id']}/milestone-reports"
    ours = {funds["id"], other["id"]}

    def overdue(on: str) -> list[int]:
        items = all_items(
            client, "/v1/funding/overdue-reports", headers=Keys.header(keys.member), on=on
        )
        return [i["milestone_id"] for i in items if i["funding_id"] in ours]

    assert overdue("2023-04-30") == []
    assert overdue("2023-06-30") == [workshop]  # due that day: not past due yet
    assert overdue("2023-07-01") == [workshop, interim]
    row = next(
        i
        for i in all_items(client, "/v1/funding/overdue-reports", headers=sec, on="2023-07-01")
        if i["milestone_id"] == interim
    )
    assert row == {
        "funding_id": funds["id"],
        "milestone_id": interim,
        "title": "Interim report",
        "due_on": "2023-06-30",
        "recipient_entity_id": RECIPIENT,
        "donor": "Sweden",
    }

    report = {
        "milestone_id": interim,
        "reported_on": "2023-07-10",
        "narrative": "Two workshops held.",
    }
    # Another agency may not report on the recipient's milestones.
    for headers in (Keys.header(keys.member), Keys.header(keys.partner)):
        registry.refuse("POST", path, report, status=403, rule=None, headers=headers)
    registry.refuse("POST", path, report, status=401, rule=None, headers={})
    # Bad reports.
    for bad in (
        {**report, "milestone_id": workshop},  # a milestone of other funds
        {**report, "milestone_id": 999999},
        {**report, "reported_on": "2023-03-31"},  # before the funds were received
        {**report, "narrative": ""},
        {**report, "narrative": "nul\x00byte"},
        {**report, "reported_on": "yesterday"},
        {key: value for key, value in report.items() if key != "narrative"},
    ):
        registry.refuse("POST", path, bad, status=422, rule=None, headers=iom)
    # A report is recorded once made: never dated after today (ToR 3.C.2).
    problem = registry.refuse(
        "POST",
        path,
        {**report, "reported_on": tomorrow()},
        status=422,
        rule="ToR 3.C.2",
        headers=iom,
    )
    assert tomorrow() in problem["detail"]
    registry.refuse(
        "POST", "/v1/funding/999999/milestone-reports", report, status=404, rule=None, headers=iom
    )
    assert overdue("2023-07-11") == [workshop, interim]

    # The recipient reports: the milestone is no longer overdue; once only.
    filed = body_of(client.post(path, headers=iom, json=report), 201)
    assert (filed["milestone_id"], filed["reported_on"], filed["narrative"]) == (
        interim,
        "2023-07-10",
        "Two workshops held.",
    )
    registry.refuse(
        "POST", path, {**report, "narrative": "Again."}, status=409, rule=None, headers=iom
    )
    assert overdue("2023-07-11") == [workshop]
    assert overdue("2024-01-01") == [workshop, final]
    shown = next(
        f
        for f in all_items(client, "/v1/funding", headers=sec, year=2023)
        if f["id"] == funds["id"]
    )
    assert [(m["id"], m["reported_on"]) for m in shown["milestones"]] == [
        (interim, "2023-07-10"),
        (final, None),
    ]
    # The secretariat may report for the recipient.
    body_of(
        client.post(
            f"/v1/funding/{other['id']}/milestone-reports",
            headers=sec,
            json={
                "milestone_id": workshop,
                "reported_on": "2023-05-02",
                "narrative": "Held in Vienna.",
            },
        ),
        201,
    )
    assert overdue("2024-01-01") == [final]
    registry.refuse("GET", "/v1/funding/overdue-reports?on=2023-02-30", None, status=422, rule=None)


def test_funds_of_a_year_with_totals_per_currency_and_donor(
    client: TestClient, sec: Headers, db: Session, keys: Keys, meeting_id: int, registry: Registry
) -> None:
    approval = approve(client, sec, meeting_id, endorsed_activity(client, sec, meeting_id))
    for donor, amount, currency, received_on in (
        ("Sweden", "100.50", "USD", "2023-04-01"),
        ("Sweden", "200.25", "USD", "2023-12-31"),
        ("Sweden", "1000", "SEK", "2023-05-01"),
        ("Norway", "50", "USD", "2023-06-01"),
        ("Norway", "7000", "JPY", "2023-06-02"),
        ("Sweden", "999.99", "USD", "2024-01-01"),
    ):
        body = funding_body(
            approval, donor=donor, amount=amount, currency=currency, received_on=received_on
        )
        body_of(client.post("/v1/funding", headers=sec, json=body), 201)

    page = body_of(
        client.get("/v1/funding", headers=Keys.header(keys.member), params={"year": 2023}), 200
    )
    assert [(f["donor"], f["received_on"]) for f in page["items"]] == [
        ("Sweden", "2023-04-01"),
        ("Sweden", "2023-05-01"),
        ("Norway", "2023-06-01"),
        ("Norway", "2023-06-02"),
        ("Sweden", "2023-12-31"),
    ]
    totals = {(t["currency"], t["donor"]): Decimal(t["amount"]) for t in page["totals"]}
    assert totals == {
        ("USD", "Sweden"): Decimal("300.75"),
        ("SEK", "Sweden"): Decimal("1000"),
        ("USD", "Norway"): Decimal("50"),
        ("JPY", "Norway"): Decimal("7000"),
    }
    assert all(isinstance(t["amount"], str) for t in page["totals"])
    following = body_of(client.get("/v1/funding", headers=sec, params={"year": 2024}), 200)
    assert [(t["currency"], t["donor"], Decimal(t["amount"])) for t in following["totals"]] == [
        ("USD", "Sweden", Decimal("999.99"))
    ]
    # Paging does not change the totals.
    first = body_of(client.get("/v1/funding", headers=sec, params={"year": 2023, "limit": 2}), 200)
    assert len(first["items"]) == 2 and first["next_cursor"] is not None
    assert first["totals"] == page["totals"]
    for bad in ("1999", "2101", "twenty"):
        registry.refuse("GET", f"/v1/funding?year={bad}", None, status=422, rule=None)


# --- 3. products (ToR 3.B.5) -------------------------------------------------------------------


def test_a_product_is_signed_off_before_it_is_published(
    client: TestClient, sec: Headers, keys: Keys, meeting_id: int, registry: Registry
) -> None:
    draft = publication(client, sec)
    path = f"/v1/publications/{draft['id']}"
    publish = {"published_on": "2023-09-01", "url": ADDRESS}

    # Drafts are hidden from the public; keys see them.
    assert draft["id"] not in [p["id"] for p in all_items(client, "/v1/publications")]
    registry.refuse("GET", path, None, status=404, rule=None, headers={})
    assert body_of(client.get(path, headers=Keys.header(keys.member)), 200)["status"] == "draft"

    # Unsigned: refused.
    registry.refuse("POST", f"{path}/publish", publish, status=422, rule="ToR 3.B.5")
    # A blocked sign-off signs nothing off.
    blocked = decide(
        client, sec, meeting_id, "product_sign_off", objected=True, publication_id=draft["id"]
    )
    assert blocked["effects"] == []
    assert body_of(client.get(path, headers=sec), 200)["status"] == "draft"
    registry.refuse("POST", f"{path}/publish", publish, status=422, rule="ToR 3.B.5")
    assert [e["action"] for e in events(client, sec, "publication", draft["id"])] == ["create"]

    signed = decide(client, sec, meeting_id, "product_sign_off", publication_id=draft["id"])
    assert signed["effects"] == [f"publication {draft['id']}: signed off"]
    shown = body_of(client.get(path, headers=sec), 200)
    assert (shown["status"], shown["sign_off_decision_id"]) == ("signed_off", signed["id"])
    # The sign-off is on the product's record, carrying the decision's id (ToR 3.C.2).
    trail = events(client, sec, "publication", draft["id"])
    assert [(e["action"], e["decision_id"]) for e in trail] == [
        ("create", None),
        ("sign_off", signed["id"]),
    ]
    assert (trail[1]["before"]["status"], trail[1]["after"]["status"]) == ("draft", "signed_off")
    assert trail[1]["after"]["sign_off_decision_id"] == signed["id"]
    registry.refuse("GET", path, None, status=404, rule=None, headers={})  # not published yet
    # Signed off once.
    registry.refuse(
        "POST",
        "/v1/decisions",
        decision_body(meeting_id, "product_sign_off", publication_id=draft["id"]),
        status=409,
        rule="ToR 3.B.5",
    )
    for bad in (
        {"url": ADDRESS},
        {**publish, "url": "javascript:alert(1)"},
        {**publish, "published_on": "2023-13-01"},
    ):
        registry.refuse("POST", f"{path}/publish", bad, status=422, rule=None)

    published = body_of(client.post(f"{path}/publish", headers=sec, json=publish), 200)
    assert (published["status"], published["published_on"], published["url"]) == (
        "published",
        "2023-09-01",
        ADDRESS,
    )
    assert body_of(client.get(path), 200) == published
    assert draft["id"] in [p["id"] for p in all_items(client, "/v1/publications")]
    # Published once (ToR 3.B.5).
    problem = registry.refuse("POST", f"{path}/publish", publish, status=409, rule="ToR 3.B.5")
    assert "already published" in problem["detail"]
    registry.refuse("POST", "/v1/publications/999999/publish", publish, status=404, rule=None)

    # Bad products.
    for bad in (
        {"title": "", "kind": "issue_brief"},
        {"title": "A brief", "kind": "blog_post"},
        {"title": "A brief", "kind": "issue_brief", "lead_entity_id": "no-such-entity"},
        {"title": "A brief", "kind": "issue_brief", "status": "published"},
        {"title": "A\x00brief", "kind": "issue_brief"},
    ):
        registry.refuse("POST", "/v1/publications", bad, status=422, rule=None)


def test_a_product_is_not_published_before_its_sign_off(
    client: TestClient, sec: Headers, meeting_id: int, registry: Registry
) -> None:
    # Signed off at the meeting of 15 March 2023: a publication dated earlier would have been
    # published before it was signed off (ToR 3.B.5).
    draft = publication(client, sec)
    decide(client, sec, meeting_id, "product_sign_off", publication_id=draft["id"])
    registry.refuse(
        "POST",
        f"/v1/publications/{draft['id']}/publish",
        {"published_on": "2023-03-01"},
        status=422,
        rule="ToR 3.B.5",
    )
    assert (
        body_of(client.get(f"/v1/publications/{draft['id']}", headers=sec), 200)["status"]
        == "signed_off"
    )


# --- 4. powers ---------------------------------------------------------------------------------


def test_the_sitting_chair_and_the_secretariat_manage_plans_and_products(
    client: TestClient, sec: Headers, db: Session, keys: Keys, registry: Registry
) -> None:
    chair_term(client, sec, today().year, RECIPIENT)
    chair = key_of(db, RECIPIENT)
    # The sitting Chair co-leads the drafts (ToR 3.D.3(e)); ILO, a past chair, does not.
    mine = plan_body(co_lead_entity_ids=[RECIPIENT])
    for headers in (chair, sec):
        problem = registry.refuse(
            "POST", "/v1/work-plans", plan_body(), status=422, rule="ToR 3.D.3(e)", headers=headers
        )
        assert f"({RECIPIENT}); not: {CHAIR}" in problem["detail"], problem
    r = client.post("/v1/work-plans", headers=chair, json=mine)
    plan = body_of(r, 201)
    assert r.headers["location"] == f"/v1/work-plans/{plan['id']}"
    assert (plan["co_lead_entity_ids"], plan["status"]) == ([RECIPIENT], "draft")
    activity = body_of(add_activity(client, chair, plan["id"]), 201)
    path = f"/v1/work-plans/{plan['id']}/activities/{activity['id']}"
    assert (
        body_of(client.patch(path, headers=chair, json={"status": "ongoing"}), 200)["status"]
        == "ongoing"
    )
    product = publication(client, chair)
    registry.refuse(
        "POST",
        f"/v1/publications/{product['id']}/publish",
        {"published_on": "2023-09-01"},
        status=422,
        rule="ToR 3.B.5",
        headers=chair,
    )
    secretariat = Keys.header(keys.secretariat)
    body_of(client.post("/v1/work-plans", headers=secretariat, json=mine), 201)
    publication(client, secretariat, title="By the secretariat")

    # Another member, a partner, a past chair: 403; no key or a revoked one: 401.
    ilo = key_of(db, CHAIR)  # chaired 2013
    writes: list[tuple[str, str, Json]] = [
        ("POST", "/v1/work-plans", mine),
        ("POST", f"/v1/work-plans/{plan['id']}/activities", activity_body()),
        ("PATCH", path, {"status": "completed"}),
        ("POST", "/v1/publications", {"title": "Not mine", "kind": "other"}),
        ("POST", f"/v1/publications/{product['id']}/publish", {"published_on": "2023-09-01"}),
    ]
    for method, url, body in writes:
        for headers in (ilo, Keys.header(keys.member), Keys.header(keys.partner)):
            registry.refuse(method, url, body, status=403, rule=None, headers=headers)
        for headers in ({}, Keys.header(keys.revoked), {"Authorization": "Bearer not-a-key"}):
            registry.refuse(method, url, body, status=401, rule=None, headers=headers)

    # The public reads work plans.
    assert plan["id"] in [p["id"] for p in all_items(client, "/v1/work-plans")]
    assert (
        body_of(client.get(f"/v1/work-plans/{plan['id']}"), 200)["activities"][0]["status"]
        == "ongoing"
    )
    registry.refuse("GET", "/v1/work-plans/999999", None, status=404, rule=None, headers={})


# --- 5. the annual records (ToR 3.C.2) ---------------------------------------------------------


def test_a_years_records_as_json_and_as_a_zip_of_csv(
    client: TestClient, sec: Headers, db: Session, keys: Keys, meeting_id: int, registry: Registry
) -> None:
    plan = create_plan(client, sec)
    activity = body_of(add_activity(client, sec, plan["id"]), 201)
    endorsement = endorse(client, sec, meeting_id, plan["id"])
    approval = approve(client, sec, meeting_id, activity["id"])
    milestones = [{"title": "Interim report", "due_on": "2023-09-30"}]
    body = funding_body(
        approval, amount="1234.56", activity_id=activity["id"], milestones=milestones
    )
    funds = body_of(client.post("/v1/funding", headers=sec, json=body), 201)
    milestone = funds["milestones"][0]["id"]
    report = {
        "milestone_id": milestone,
        "reported_on": "2023-10-01",
        "narrative": 'Done; a=1,b="2".',
    }
    filed = body_of(
        client.post(f"/v1/funding/{funds['id']}/milestone-reports", headers=sec, json=report), 201
    )
    later = approve(client, sec, meeting_id, activity["id"])
    next_year = body_of(
        client.post("/v1/funding", headers=sec, json=funding_body(later, received_on="2024-02-01")),
        201,
    )

    r = client.get("/v1/records/2023", headers=sec)
    records = body_of(r, 200)
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["etag"]
    assert {
        "work_plans",
        "activities",
        "decisions",
        "meetings",
        "attendance",
        "funding",
        "funding_milestones",
        "milestone_reports",
        "publications",
        "audit_events",
    } <= set(records)
    assert all(isinstance(rows, list) for rows in records.values())

    def ids_of(table: str) -> set[Any]:
        return {row["id"] for row in records[table]}

    assert plan["id"] in ids_of("work_plans") and activity["id"] in ids_of("activities")
    assert {endorsement["id"], approval, later} <= ids_of("decisions")
    assert meeting_id in ids_of("meetings")
    assert funds["id"] in ids_of("funding") and next_year["id"] not in ids_of("funding")
    assert milestone in ids_of("funding_milestones")
    assert filed["id"] in ids_of("milestone_reports")
    row = next(f for f in records["funding"] if f["id"] == funds["id"])
    assert (row["recipient_entity_id"], row["currency"], row["received_on"]) == (
        RECIPIENT,
        "USD",
        "2023-04-01",
    )
    # Money is a decimal string (DESIGN §4), never a float.
    assert isinstance(row["amount"], str), row
    assert Decimal(row["amount"]) == Decimal("1234.56")
    assert next_year["id"] in {
        f["id"] for f in body_of(client.get("/v1/records/2024", headers=sec), 200)["funding"]
    }
    # The records of the year the endorsement was recorded carry its audit event, with the
    # decision that made the change (ToR 3.C.2).
    [endorsed] = [
        e for e in events(client, sec, "work_plan", plan["id"]) if e["action"] == "endorse"
    ]
    assert endorsed["decision_id"] == endorsement["id"]
    recorded_in = body_of(
        client.get(f"/v1/records/{endorsed['occurred_at'][:4]}", headers=sec), 200
    )
    row = next(e for e in recorded_in["audit_events"] if e["id"] == endorsed["id"])
    assert (row["action"], row["resource_type"], row["resource_id"], row["decision_id"]) == (
        "endorse",
        "work_plan",
        str(plan["id"]),
        endorsement["id"],
    )

    # One CSV per table in a zip.
    z = client.get("/v1/records/2023", headers={**sec, "Accept": "application/zip"})
    assert z.status_code == 200, z.text
    assert z.headers["content-type"] == "application/zip"
    assert "icat-records-2023.zip" in z.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(z.content)) as archive:
        names = set(archive.namelist())
        assert names == {f"{table}.csv" for table in records}
        tables = {
            name.removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")))
            )
            for name in names
        }
    assert {table: len(rows) for table, rows in tables.items()} == {
        table: len(rows) for table, rows in records.items()
    }
    funding_csv = next(f for f in tables["funding"] if f["id"] == str(funds["id"]))
    assert (funding_csv["currency"], funding_csv["received_on"]) == ("USD", "2023-04-01")
    assert Decimal(funding_csv["amount"]) == Decimal("1234.56")
    reports_csv = next(f for f in tables["milestone_reports"] if f["id"] == str(filed["id"]))
    assert reports_csv["narrative"] == report["narrative"]
    plan_csv = next(p for p in tables["work_plans"] if p["id"] == str(plan["id"]))
    assert (plan_csv["status"], plan_csv["start_year"]) == ("endorsed", "2023")

    # Secretariat only.
    for headers in (Keys.header(keys.member), Keys.header(keys.partner), key_of(db, RECIPIENT)):
        registry.refuse("GET", "/v1/records/2023", None, status=403, rule=None, headers=headers)
    registry.refuse("GET", "/v1/records/2023", None, status=401, rule=None, headers={})
    for bad in ("1999", "2101", "last"):
        registry.refuse("GET", f"/v1/records/{bad}", None, status=422, rule=None)
    body_of(client.get("/v1/records/2023", headers=Keys.header(keys.secretariat)), 200)


def test_funds_recorded_out_of_date_order_page_once_each_in_date_order(
    client: TestClient, sec: Headers, meeting_id: int
) -> None:
    approval = approve(client, sec, meeting_id, endorsed_activity(client, sec, meeting_id))
    days = ["2023-06-01", "2023-04-01", "2023-05-01", "2023-04-01"]  # recorded in this order
    made = [
        body_of(
            client.post("/v1/funding", headers=sec, json=funding_body(approval, received_on=d)),
            201,
        )["id"]
        for d in days
    ]
    seen = all_items(client, "/v1/funding", sec, year=2023, limit=1)
    assert sorted(f["id"] for f in seen) == sorted(made)  # none skipped, none repeated
    assert [f["received_on"] for f in seen] == sorted(days)


def test_work_plans_recorded_out_of_period_order_page_once_each(
    client: TestClient, sec: Headers
) -> None:
    co_chairs_this_year(client, sec)
    made = [create_plan(client, sec, year)["id"] for year in (2025, 2021, 2023)]
    seen = all_items(client, "/v1/work-plans", sec, limit=1)
    mine = [p for p in seen if p["id"] in made]
    assert len(seen) == len({p["id"] for p in seen})
    assert [p["start_year"] for p in mine] == [2021, 2023, 2025]


def test_overdue_milestones_recorded_out_of_date_order_page_once_each(
    client: TestClient, sec: Headers, meeting_id: int
) -> None:
    approval = approve(client, sec, meeting_id, endorsed_activity(client, sec, meeting_id))
    dues = ["2023-09-30", "2023-05-31", "2023-07-31"]  # recorded in this order
    body = funding_body(approval, milestones=[{"title": f"Report {d}", "due_on": d} for d in dues])
    body_of(client.post("/v1/funding", headers=sec, json=body), 201)
    seen = all_items(client, "/v1/funding/overdue-reports", sec, on="2023-12-31", limit=1)
    assert [m["due_on"] for m in seen] == sorted(dues)
