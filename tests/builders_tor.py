"""Builders for the ToR loophole tests (tests/test_tor_loopholes_*.py).

They play the first half of the current year, every step through HTTP: UNHCR chairs the year
(a term the secretariat records), the Working Group meets on 16 March, 18 May and 20 June,
attended by the six members voting since 2015 and a partner observing; an election for next
year is possible until 30 June (ToR 3.D.1). The scenario needs those days behind us: before
July it is skipped, with the reason given.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.helpers import (
    PROBLEM,
    Headers,
    Json,
    all_items,
    body_of,
    key_of,
)

CHAIR = "unhcr"  # sits this year (a term recorded by each test)
CANDIDATE = "ilo"  # expresses interest in chairing next year
CO_CANDIDATE = "iom"  # ILO's co-candidate; also the recipient of funds
THIRD = "unicef"  # a voting member that is neither
RECIPIENT = "iom"
PARTNER = "council-of-europe"  # a non-voting observer (ToR 3.B.7)
NEVER_CHAIRED = "unfpa"  # a member since 2019 that never chaired (ToR Annex 3)
VOTERS = ("ilo", "iom", "ohchr", "unhcr", "unicef", "unodc")  # voting since 2015 (seed)
IGO = "arco"  # an intergovernmental organization each test may make and admit
NGO = "tip-watch"  # civil society: a stakeholder (ToR 3.A.5)
TASKS = list("abcdefghijklm")
JOINT_ROLES: list[Json] = [
    {"entity_id": CANDIDATE, "tasks": list("abcdefg")},
    {"entity_id": CO_CANDIDATE, "tasks": list("ghijklm")},
]


def today() -> date:
    return date.today()


def tomorrow() -> date:
    return today() + timedelta(days=1)


def skip_on_the_last_day_of_the_year() -> None:
    """A decision dated tomorrow is confirmed by tomorrow's Chair: the same one only while
    tomorrow is in this year."""
    if tomorrow().year != today().year:
        pytest.skip("tomorrow is in another year, with no Chair recorded")


# --- requests ----------------------------------------------------------------------------------


def make_entity(client: TestClient, sec: Headers, entity_id: str, **fields: Any) -> None:
    body: Json = {
        "id": entity_id,
        "name": f"Organization {entity_id.upper()}",
        "kind": "intergovernmental",
        "scope": "regional",
        "mandate_covers_tip": True,
        **fields,
    }
    body_of(client.post("/v1/entities", headers=sec, json=body), 201)


def make_ngo(client: TestClient, sec: Headers) -> None:
    make_entity(client, sec, NGO, name="TIP Watch Network", kind="non_governmental", scope=None)


def chair_term(client: TestClient, sec: Headers, year: int, *entity_ids: str) -> Json:
    body = {"start_year": year, "entity_ids": list(entity_ids)}
    return body_of(client.post("/v1/chair-terms", headers=sec, json=body), 201)


def meeting_body(kind: str, starts_on: date, ends_on: date | None = None) -> Json:
    body: Json = {"kind": kind, "title": f"{kind} of {starts_on}", "starts_on": str(starts_on)}
    if ends_on is not None:
        body["ends_on"] = str(ends_on)
    return body


def meeting(
    client: TestClient, headers: Headers, kind: str, starts_on: date, ends_on: date | None = None
) -> int:
    body = meeting_body(kind, starts_on, ends_on)
    return int(body_of(client.post("/v1/meetings", headers=headers, json=body), 201)["id"])


def attendance_body(*entity_ids: str) -> Json:
    return {
        "items": [{"entity_id": e, "representatives": [f"Delegate of {e}"]} for e in entity_ids]
    }


def attend(client: TestClient, headers: Headers, meeting_id: int, *entity_ids: str) -> Json:
    r = client.put(
        f"/v1/meetings/{meeting_id}/attendance", headers=headers, json=attendance_body(*entity_ids)
    )
    return body_of(r, 200)


def attendees(client: TestClient, meeting_id: int) -> dict[str, str]:
    """Who attended, with the capacity of each."""
    answer = body_of(client.get(f"/v1/meetings/{meeting_id}/attendance"), 200)
    return {a["entity_id"]: a["capacity"] for a in answer["items"]}


def decision_body(meeting_id: int, kind: str = "general", **fields: Any) -> Json:
    """A decision at ``meeting_id``, confirmed by the sitting Chair, with no objection."""
    body: Json = {
        "procedure": "meeting",
        "meeting_id": meeting_id,
        "kind": kind,
        "record": f"The Working Group decides ({kind}).",
        "confirmed_by": CHAIR,
        "objections": [],
        **fields,
    }
    return body


def electronic_body(
    deadline_on: date, consulted: list[str], kind: str = "general", **fields: Any
) -> Json:
    """A decision by silence procedure, consulting ``consulted`` until ``deadline_on``."""
    body: Json = {
        "procedure": "electronic",
        "deadline_on": str(deadline_on),
        "consulted_entity_ids": consulted,
        "kind": kind,
        "record": f"The Working Group decides ({kind}) by silence procedure.",
        "confirmed_by": CHAIR,
        "objections": [],
        **fields,
    }
    return body


def objection(entity_id: str, *, withdrawn: bool = False) -> Json:
    return {"entity_id": entity_id, "reason": "Not ready to agree.", "withdrawn": withdrawn}


def decide(client: TestClient, headers: Headers, body: Json) -> Json:
    return body_of(client.post("/v1/decisions", headers=headers, json=body), 201)


def application_body(entity_id: str, submitted_on: date, role: str = "member") -> Json:
    return {
        "entity_id": entity_id,
        "role": role,
        "submitted_on": str(submitted_on),
        "addressed_to": "chair",
        "letter_reference": f"{entity_id.upper()}/SG/{submitted_on}",
    }


def apply(client: TestClient, headers: Headers, entity_id: str, submitted_on: date) -> Json:
    body = application_body(entity_id, submitted_on)
    return body_of(client.post("/v1/applications", headers=headers, json=body), 201)


def application(client: TestClient, application_id: int) -> Json:
    return body_of(client.get(f"/v1/applications/{application_id}"), 200)


def memberships(client: TestClient, entity_id: str) -> list[Json]:
    items: list[Json] = all_items(client, f"/v1/entities/{entity_id}/memberships")
    return items


def voting_ids(client: TestClient, day: date) -> list[str]:
    """The entities with voting rights on ``day``, as the Working Group roster lists them."""
    roster = body_of(client.get("/v1/working-group", params={"on": str(day)}), 200)
    return sorted(m["entity_id"] for m in roster["members"] if m["has_voting_rights"])


def open_status(term_year: int) -> str:
    """How an open candidacy (no one elected, none withdrawn) reads today: `candidate` until
    the Working Group's deadline, 30 June of the year before its term, then `not_elected`
    (ToR 3.D.1; DESIGN §2: it stays open until one is elected or that day passes)."""
    return "candidate" if today() <= date(term_year - 1, 6, 30) else "not_elected"


def election_body(meeting_id: int, candidacy_id: int, **fields: Any) -> Json:
    return decision_body(meeting_id, "chair_election", candidacy_id=candidacy_id, **fields)


def plan_body(start_year: int, *co_leads: str) -> Json:
    return {
        "start_year": start_year,
        "title": f"ICAT work plan {start_year}-{start_year + 1}",
        "co_lead_entity_ids": list(co_leads or (CHAIR,)),
    }


def create_plan(client: TestClient, headers: Headers, start_year: int, *co_leads: str) -> Json:
    body = plan_body(start_year, *co_leads)
    return body_of(client.post("/v1/work-plans", headers=headers, json=body), 201)


def add_activity(client: TestClient, headers: Headers, plan: Json) -> Json:
    year = int(plan["start_year"])
    body = {
        "title": "Issue brief on trafficking and technology",
        "priority_area": "evidence_base",
        "lead_entity_id": RECIPIENT,
        "contributor_entity_ids": [CHAIR],
        "starts_on": str(date(year, 2, 1)),
        "ends_on": str(date(year + 1, 6, 30)),
    }
    r = client.post(f"/v1/work-plans/{plan['id']}/activities", headers=headers, json=body)
    return body_of(r, 201)


def publication(client: TestClient, headers: Headers) -> Json:
    body = {
        "title": "Trafficking and technology",
        "kind": "issue_brief",
        "lead_entity_id": RECIPIENT,
    }
    return body_of(client.post("/v1/publications", headers=headers, json=body), 201)


def funding_body(approval_id: int | None, activity_id: int | None, received_on: date) -> Json:
    body: Json = {
        "donor": "Sweden",
        "recipient_entity_id": RECIPIENT,
        "amount": "250000.00",
        "currency": "USD",
        "received_on": str(received_on),
        "milestones": [{"title": "Interim report", "due_on": str(received_on)}],
    }
    if approval_id is not None:
        body["approval_decision_id"] = approval_id
    if activity_id is not None:
        body["activity_id"] = activity_id
    return body


def audit_events(client: TestClient, sec: Headers, **params: Any) -> list[Json]:
    items: list[Json] = all_items(client, "/v1/audit-events", headers=sec, **params)
    return items


# --- the year ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """This year's first half, with the keys that may write."""

    year: int
    sec: Headers  # the Coordinator's key (UNODC)
    secretariat: Headers  # a secretariat key tied to no entity
    chair: Headers  # the sitting Chair's key (UNHCR)
    march: int  # Working Group, 16 March
    may: int  # Working Group, 18 May
    june: int  # Working Group, 20 June

    @property
    def next_year(self) -> int:
        return self.year + 1

    def day(self, month: int, day: int) -> date:
        return date(self.year, month, day)


def build_world(client: TestClient, db: Session, sec: Headers, secretariat: Headers) -> World:
    year = today().year
    if today() < date(year, 7, 1):
        pytest.skip("the scenario plays 1 January - 30 June of this year: run it after June")
    chair_term(client, sec, year, CHAIR)
    made = []
    for month, day in ((3, 16), (5, 18), (6, 20)):
        mid = meeting(client, sec, "working_group", date(year, month, day))
        capacities = {
            a["entity_id"]: a["capacity"]
            for a in attend(client, sec, mid, *VOTERS, PARTNER)["items"]
        }
        assert capacities == {**dict.fromkeys(VOTERS, "voting_member"), PARTNER: "observer"}
        made.append(mid)
    march, may, june = made
    return World(year, sec, secretariat, key_of(db, CHAIR), march, may, june)


# --- refusals ----------------------------------------------------------------------------------


def stored(client: TestClient, sec: Headers, since: str) -> Json:
    """What the registry holds that a refused request could have written."""
    return {
        "audit": audit_events(client, sec, since=since),
        "decisions": all_items(client, "/v1/decisions"),
        "applications": all_items(client, "/v1/applications"),
        "meetings": all_items(client, "/v1/meetings"),
        "chairs": all_items(client, "/v1/chairs"),
        "candidacies": all_items(client, "/v1/chair-candidacies"),
        "work_plans": all_items(client, "/v1/work-plans"),
        "publications": all_items(client, "/v1/publications", headers=sec),
        "funding": all_items(client, "/v1/funding", headers=sec),
    }


@dataclass
class Registry:
    """Sends requests that must be refused and checks that they stored nothing: the audit trail
    since the test began, and every list a refused write could have added to."""

    client: TestClient
    sec: Headers
    since: str

    @contextmanager
    def unchanged(self) -> Iterator[None]:
        before = stored(self.client, self.sec, self.since)
        yield
        assert stored(self.client, self.sec, self.since) == before

    def refuse(
        self,
        method: str,
        path: str,
        body: Json | None,
        *,
        headers: Headers,
        status: int,
        rule: str | None,
    ) -> Json:
        """Send a request that must answer ``status`` as problem+json naming ``rule``; nothing
        is stored."""
        with self.unchanged():
            r: httpx.Response = self.client.request(method, path, headers=headers, json=body)
            assert r.status_code == status, f"{method} {path}: {r.status_code} {r.text}"
            assert r.headers["content-type"].startswith(PROBLEM), r.headers["content-type"]
            problem: Json = r.json()
            assert problem["status"] == status
            assert problem.get("rule") == rule, problem
        return problem


def new_registry(client: TestClient, sec: Headers) -> Registry:
    return Registry(client, sec, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
