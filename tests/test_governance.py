"""Governance through HTTP: a year of the Working Group, its refusals, and who may record it.

The scripts filing meeting outcomes (DESIGN §1) record a meeting, its attendance and its
decisions the day after it is held. These tests play a whole year, 2023 (a year with no seeded
meetings, chaired by ILO through a term recorded here), and then every way such a filing can be
refused: each refusal answers problem+json naming the ToR clause, and stores nothing.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Keys
from tests.helpers import PROBLEM, Headers, Json, all_items, body_of, key_of

NGO = "tip-watch"  # civil society: a stakeholder, a guest of briefings (ToR 3.A.5)
IGO = "arco"  # a new intergovernmental organization applying for membership
IGO_2 = "saptip"  # another one, whose admission meets an objection


# --- helpers -----------------------------------------------------------------------------------


def ids(items: list[Json]) -> list[Any]:
    return [i["id"] for i in items]


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


def chair_term(client: TestClient, sec: Headers, year: int, *entity_ids: str) -> None:
    body = {"start_year": year, "entity_ids": list(entity_ids)}
    body_of(client.post("/v1/chair-terms", headers=sec, json=body), 201)


def meeting(
    client: TestClient, headers: Headers, kind: str, starts_on: str, ends_on: str | None = None
) -> int:
    body: Json = {"kind": kind, "title": f"{kind} of {starts_on}", "starts_on": starts_on}
    if ends_on is not None:
        body["ends_on"] = ends_on
    created = body_of(client.post("/v1/meetings", headers=headers, json=body), 201)
    assert created["ends_on"] == (ends_on or starts_on)
    return int(created["id"])


def attend(client: TestClient, headers: Headers, meeting_id: int, *entity_ids: str) -> Any:
    items = [{"entity_id": e, "representatives": [f"Delegate of {e}"]} for e in entity_ids]
    return client.put(
        f"/v1/meetings/{meeting_id}/attendance", headers=headers, json={"items": items}
    )


def capacities(client: TestClient, meeting_id: int) -> dict[str, str]:
    answer = body_of(client.get(f"/v1/meetings/{meeting_id}/attendance"), 200)
    return {a["entity_id"]: a["capacity"] for a in answer["items"]}


def apply(
    client: TestClient,
    headers: Headers,
    entity_id: str,
    submitted_on: str,
    role: str = "member",
) -> httpx.Response:
    body = {
        "entity_id": entity_id,
        "role": role,
        "submitted_on": submitted_on,
        "addressed_to": "chair",
        "letter_reference": f"{entity_id.upper()}/SG/{submitted_on}",
    }
    r: httpx.Response = client.post("/v1/applications", headers=headers, json=body)
    return r


def decision(meeting_id: int | None = None, **fields: Any) -> Json:
    """A decision body: at ``meeting_id``, general, confirmed by ILO (the 2023 Chair)."""
    body: Json = {
        "procedure": "meeting",
        "meeting_id": meeting_id,
        "kind": "general",
        "record": "The Working Group agrees on its calendar for the year.",
        "confirmed_by": "ilo",
        "objections": [],
    }
    body.update(fields)
    if body["procedure"] == "electronic":
        body.pop("meeting_id")
    return body


def admission(meeting_id: int, application_id: int, **fields: Any) -> Json:
    return decision(
        meeting_id,
        kind="admission",
        application_id=application_id,
        record=f"The Working Group decides on application {application_id}.",
        **fields,
    )


def decide(client: TestClient, sec: Headers, body: Json) -> Json:
    return body_of(client.post("/v1/decisions", headers=sec, json=body), 201)


def voting(client: TestClient, entity_id: str, on: str) -> Json:
    return body_of(client.get(f"/v1/entities/{entity_id}/voting-rights", params={"on": on}), 200)


def status_on(client: TestClient, entity_id: str, on: str) -> str:
    return str(body_of(client.get(f"/v1/entities/{entity_id}", params={"on": on}), 200)["status"])


def memberships(client: TestClient, entity_id: str) -> list[Json]:
    items: list[Json] = all_items(client, f"/v1/entities/{entity_id}/memberships")
    return items


def roster(client: TestClient, on: str) -> Json:
    return body_of(client.get("/v1/working-group", params={"on": on}), 200)


def voters(client: TestClient, on: str) -> list[str]:
    """Every entity with voting rights on ``on``: whom an electronic procedure consults."""
    return sorted(m["entity_id"] for m in roster(client, on)["members"] if m["has_voting_rights"])


def application(client: TestClient, application_id: int) -> Json:
    return body_of(client.get(f"/v1/applications/{application_id}"), 200)


def stored(client: TestClient, sec: Headers, since: str, watched: tuple[str, ...]) -> Json:
    """What the registry holds that a refused request could have half-written."""
    return {
        "decisions": all_items(client, "/v1/decisions"),
        "applications": all_items(client, "/v1/applications"),
        "meetings": all_items(client, "/v1/meetings"),
        "memberships": {e: memberships(client, e) for e in watched},
        "roster": roster(client, "2023-12-31"),
        "audit": all_items(client, "/v1/audit-events", headers=sec, since=since),
    }


WATCHED = ("unfpa", "undp", "council-of-europe", "ilo")


@dataclass
class Registry:
    """Sends requests that must be refused, and checks that nothing was stored by them."""

    client: TestClient
    sec: Headers
    since: str

    @contextmanager
    def unchanged(self, *entity_ids: str) -> Iterator[None]:
        watched = tuple(dict.fromkeys((*WATCHED, *entity_ids)))
        before = stored(self.client, self.sec, self.since, watched)
        yield
        assert stored(self.client, self.sec, self.since, watched) == before

    def refuse(
        self,
        method: str,
        path: str,
        body: Json,
        *,
        status: int,
        rule: str | None,
        headers: Headers | None = None,
        watch: tuple[str, ...] = (),
    ) -> Json:
        """Send a request that must be refused with ``status`` and ``rule``; nothing stored."""
        with self.unchanged(*watch):
            r = self.client.request(
                method, path, headers=self.sec if headers is None else headers, json=body
            )
            problem = body_of(r, status)
            assert r.headers["content-type"].startswith(PROBLEM), r.headers["content-type"]
            assert problem["status"] == status
            assert problem.get("rule") == rule, problem
        return problem


@pytest.fixture
def registry(client: TestClient, sec: Headers) -> Registry:
    since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return Registry(client, sec, since)


@dataclass(frozen=True)
class Year2023:
    briefing: int  # 2023-01-20, before UNFPA confirms
    march: int  # Working Group, 2023-03-15..16: UNFPA's first after confirming
    june: int  # Working Group, 2023-06-14..15


def build_2023(client: TestClient, sec: Headers) -> Year2023:
    """ILO chairs 2023; UNFPA confirms its interest on 1 February; a briefing in January, Working
    Group meetings in March and June; civil society and a new organization are recorded."""
    chair_term(client, sec, 2023, "ilo")
    make_entity(client, sec, NGO, name="TIP Watch Network", kind="non_governmental", scope=None)
    make_entity(client, sec, IGO, name="Regional Anti-Trafficking Cooperation Organization")
    make_entity(client, sec, IGO_2, name="South Atlantic Pact against Trafficking")
    enrolment = {
        "entity_id": "unfpa",
        "confirmed_on": "2023-02-01",
        "confirmation_reference": "UNFPA/ED/2023/004",
    }
    created = body_of(client.post("/v1/working-group/enrolments", headers=sec, json=enrolment), 201)
    assert (created["entity_id"], created["confirmed_on"]) == ("unfpa", "2023-02-01")
    year = Year2023(
        briefing=meeting(client, sec, "briefing", "2023-01-20"),
        march=meeting(client, sec, "working_group", "2023-03-15", "2023-03-16"),
        june=meeting(client, sec, "working_group", "2023-06-14", "2023-06-15"),
    )
    body_of(attend(client, sec, year.briefing, "unfpa", "council-of-europe", NGO), 200)
    body_of(attend(client, sec, year.march, "ilo", "unfpa", "undp", "council-of-europe"), 200)
    body_of(attend(client, sec, year.june, "ilo", "unfpa", "council-of-europe"), 200)
    return year


@pytest.fixture
def year(client: TestClient, sec: Headers) -> Year2023:
    return build_2023(client, sec)


# --- 1. a whole year of the Working Group ------------------------------------------------------


def test_a_whole_year_of_the_working_group(
    client: TestClient, sec: Headers, registry: Registry
) -> None:
    assert status_on(client, "unfpa", "2023-01-01") == "member"
    before = roster(client, "2023-01-31")
    assert "unfpa" not in [m["entity_id"] for m in before["members"]]

    y = build_2023(client, sec)

    # Meetings, oldest first: ours come after the seeded ones.
    listed = ids(all_items(client, "/v1/meetings"))
    assert listed[-3:] == [y.briefing, y.march, y.june]
    assert ids(all_items(client, "/v1/meetings", kind="working_group"))[-2:] == [y.march, y.june]
    assert y.briefing not in ids(all_items(client, "/v1/meetings", kind="working_group"))
    assert body_of(client.get(f"/v1/meetings/{y.march}"), 200)["ends_on"] == "2023-03-16"

    # Capacities: UNFPA is a member without voting rights at the January briefing (it has not
    # confirmed yet); at the March meeting, its first Working Group meeting after confirming,
    # it votes already. A member that never enrolled (UNDP) attends as a member; the Council of
    # Europe, a partner, observes; civil society is a guest of the briefing.
    assert capacities(client, y.briefing) == {
        "unfpa": "member",
        "council-of-europe": "observer",
        NGO: "guest",
    }
    assert capacities(client, y.march) == {
        "ilo": "voting_member",
        "unfpa": "voting_member",
        "undp": "member",
        "council-of-europe": "observer",
    }
    # The answer to the PUT itself carries the capacities too.
    again = body_of(attend(client, sec, y.june, "ilo", "unfpa", "council-of-europe"), 200)
    assert again["on"] == "2023-06-14"
    assert {a["entity_id"]: a["capacity"] for a in again["items"]} == {
        "ilo": "voting_member",
        "unfpa": "voting_member",
        "council-of-europe": "observer",
    }

    # Civil society is not a guest of a Working Group meeting (ToR 3.A.5).
    registry.refuse(
        "PUT",
        f"/v1/meetings/{y.march}/attendance",
        {"items": [{"entity_id": "ilo"}, {"entity_id": NGO}]},
        status=422,
        rule="ToR 3.A.5",
    )
    assert NGO not in capacities(client, y.march)

    # Voting rights over the boundary days (ToR 3.B.7).
    day_before = voting(client, "unfpa", "2023-01-31")
    assert (day_before["has_voting_rights"], day_before["since"]) == (False, None)
    assert "ToR 3.B.7" in day_before["reason"]
    confirmed = voting(client, "unfpa", "2023-02-01")
    assert (confirmed["has_voting_rights"], confirmed["since"]) == (False, None)
    after_briefing = voting(client, "unfpa", "2023-03-14")
    assert after_briefing["has_voting_rights"] is False
    first = voting(client, "unfpa", "2023-03-15")
    assert (first["has_voting_rights"], first["since"]) == (True, "2023-03-15")
    second_day = voting(client, "unfpa", "2023-03-16")
    assert (second_day["has_voting_rights"], second_day["since"]) == (True, "2023-03-15")
    later = voting(client, "unfpa", "2023-12-31")
    assert (later["has_voting_rights"], later["since"]) == (True, "2023-03-15")
    assert voting(client, "undp", "2023-03-15")["has_voting_rights"] is False
    partner = voting(client, "council-of-europe", "2023-03-15")
    assert partner["has_voting_rights"] is False and "ToR 3.B.7" in partner["reason"]
    ngo = voting(client, NGO, "2023-03-15")
    assert ngo["has_voting_rights"] is False and "ToR 3.E.3" in ngo["reason"]

    # The roster on a day: enrolled members, whether each votes; partners as observers.
    def member_row(on: str) -> Json | None:
        rows = [m for m in roster(client, on)["members"] if m["entity_id"] == "unfpa"]
        return rows[0] if rows else None

    assert member_row("2023-01-31") is None
    assert member_row("2023-02-01") == {
        "entity_id": "unfpa",
        "name": "United Nations Population Fund",
        "acronym": "UNFPA",
        "confirmed_on": "2023-02-01",
        "first_participation_on": None,
        "has_voting_rights": False,
        "voting_since": None,
    }
    on_first = member_row("2023-03-15")
    assert on_first is not None
    assert (on_first["first_participation_on"], on_first["has_voting_rights"]) == (
        "2023-03-15",
        True,
    )
    assert on_first["voting_since"] == "2023-03-15"
    wg = roster(client, "2023-04-01")
    assert wg["as_of"] == "2023-04-01"
    members = {m["entity_id"] for m in wg["members"]}
    observers = {o["entity_id"] for o in wg["observers"]}
    assert {"ilo", "unfpa", "unodc"} <= members
    assert "undp" not in members and NGO not in members
    assert observers >= {"council-of-europe", "sr-tip"}
    assert not observers & members and NGO not in observers

    # A general decision at the March meeting.
    calendar = decide(client, sec, decision(y.march))
    assert (calendar["outcome"], calendar["decided_on"], calendar["effects"]) == (
        "adopted",
        "2023-03-15",
        [],
    )

    # An application, submitted between the two meetings, is introduced at the June one.
    assert status_on(client, IGO, "2023-04-09") == "stakeholder"
    filed = body_of(apply(client, sec, IGO, "2023-04-10"), 201)
    assert filed["status"] == "introduced"
    assert (filed["introduced_at_meeting_id"], filed["introduced_on"]) == (y.june, "2023-06-14")
    assert (filed["decision_id"], filed["closed_on"]) == (None, None)
    assert status_on(client, IGO, "2023-04-10") == "applicant"

    # No decision before it is introduced: not at the March meeting, not electronically in May.
    registry.refuse(
        "POST",
        "/v1/decisions",
        admission(y.march, filed["id"]),
        status=422,
        rule="ToR 3.A.3",
        watch=(IGO,),
    )
    registry.refuse(
        "POST",
        "/v1/decisions",
        decision(
            None,
            procedure="electronic",
            kind="admission",
            application_id=filed["id"],
            consulted_entity_ids=voters(client, "2023-05-15"),
            deadline_on="2023-05-15",
        ),
        status=422,
        rule="ToR 3.A.3",
        watch=(IGO,),
    )
    assert application(client, filed["id"])["status"] == "introduced"

    # The admission at the June meeting: a member from that day, in the same transaction.
    admitted = decide(client, sec, admission(y.june, filed["id"]))
    assert (admitted["outcome"], admitted["decided_on"]) == ("adopted", "2023-06-14")
    assert (admitted["kind"], admitted["application_id"]) == ("admission", filed["id"])
    assert f"{IGO}: member from 2023-06-14" in admitted["effects"]
    assert body_of(client.get(f"/v1/decisions/{admitted['id']}"), 200) == admitted
    assert status_on(client, IGO, "2023-06-13") == "applicant"
    assert status_on(client, IGO, "2023-06-14") == "member"
    spans = memberships(client, IGO)
    assert [(m["role"], m["starts_on"], m["ends_on"]) for m in spans] == [
        ("member", "2023-06-14", None)
    ]
    assert spans[0]["admission_decision_id"] == admitted["id"]
    accepted = application(client, filed["id"])
    assert (accepted["status"], accepted["decision_id"], accepted["closed_on"]) == (
        "accepted",
        admitted["id"],
        "2023-06-14",
    )
    # A new member has no voting rights until it enrols and takes part (ToR 3.B.7).
    assert voting(client, IGO, "2023-06-14")["has_voting_rights"] is False

    # The decisions, filtered by kind, meeting and outcome.
    def listed_ids(**params: Any) -> list[Any]:
        return ids(all_items(client, "/v1/decisions", **params))

    everything = listed_ids()
    assert everything[-2:] == [calendar["id"], admitted["id"]]
    admissions = listed_ids(kind="admission")
    assert admitted["id"] in admissions and calendar["id"] not in admissions
    generals = listed_ids(kind="general")
    assert calendar["id"] in generals and admitted["id"] not in generals
    assert listed_ids(meeting_id=y.march) == [calendar["id"]]
    assert listed_ids(meeting_id=y.june) == [admitted["id"]]
    assert listed_ids(meeting_id=y.briefing) == []
    adopted = listed_ids(outcome="adopted")
    assert adopted[-2:] == [calendar["id"], admitted["id"]]
    assert not {calendar["id"], admitted["id"]} & set(listed_ids(outcome="not_adopted"))


def test_decisions_and_meetings_of_a_year(client: TestClient, sec: Headers, year: Year2023) -> None:
    """The `year` filter of the lists: the scripts ask for one year's outcomes."""
    chair_term(client, sec, 2024, "ilo")
    calendar = decide(client, sec, decision(year.march))
    filed = body_of(apply(client, sec, IGO, "2023-04-10"), 201)
    admitted = decide(client, sec, admission(year.june, filed["id"]))
    electronic = decide(
        client,
        sec,
        decision(
            procedure="electronic",
            consulted_entity_ids=voters(client, "2024-01-15"),
            deadline_on="2024-01-15",
        ),
    )
    assert electronic["decided_on"] == "2024-01-15"

    def listed_ids(path: str, **params: Any) -> list[Any]:
        return ids(all_items(client, path, **params))

    assert listed_ids("/v1/meetings", year=2023) == [year.briefing, year.march, year.june]
    assert listed_ids("/v1/meetings", year=2023, kind="working_group") == [year.march, year.june]
    assert listed_ids("/v1/meetings", year=2024) == []
    assert listed_ids("/v1/decisions", year=2023) == [calendar["id"], admitted["id"]]
    assert listed_ids("/v1/decisions", year=2024) == [electronic["id"]]
    assert listed_ids("/v1/decisions", year=2023, kind="admission") == [admitted["id"]]
    assert listed_ids("/v1/decisions", year=2023, kind="general") == [calendar["id"]]
    assert listed_ids("/v1/decisions", year=2023, outcome="adopted") == [
        calendar["id"],
        admitted["id"],
    ]
    assert listed_ids("/v1/decisions", year=2023, outcome="not_adopted") == []
    assert listed_ids("/v1/decisions", year=2022) == []


def test_voting_rights_end_with_membership(
    client: TestClient, sec: Headers, year: Year2023
) -> None:
    """ToR 3.E.3: a member whose membership ended has no voting rights."""
    span = next(m for m in memberships(client, "unfpa") if m["ends_on"] is None)
    ended = client.post(
        f"/v1/entities/unfpa/memberships/{span['id']}/end",
        headers=sec,
        json={"ends_on": "2023-10-01"},
    )
    body_of(ended, 200)
    assert voting(client, "unfpa", "2023-09-30")["has_voting_rights"] is True
    gone = voting(client, "unfpa", "2023-10-01")
    assert (gone["has_voting_rights"], gone["since"]) == (False, None)
    assert "ToR 3.E.3" in gone["reason"]
    assert "unfpa" not in [m["entity_id"] for m in roster(client, "2023-10-01")["members"]]


# --- 2. refusals, each naming its clause, each storing nothing ---------------------------------


def test_objection_by_an_observer_is_refused(registry: Registry, year: Year2023) -> None:
    objection = {"entity_id": "council-of-europe", "reason": "Not consulted."}
    problem = registry.refuse(
        "POST",
        "/v1/decisions",
        decision(year.march, objections=[objection]),
        status=422,
        rule="ToR 3.B.7",
    )
    assert "council-of-europe" in problem["detail"]


def test_objection_by_an_absent_entity_is_refused(registry: Registry, year: Year2023) -> None:
    objection = {"entity_id": "unhcr", "reason": "Was not there."}
    problem = registry.refuse(
        "POST",
        "/v1/decisions",
        decision(year.march, objections=[objection]),
        status=422,
        rule="ToR 3.B.3",
    )
    assert "take part" in problem["detail"]


def test_objection_by_a_member_without_voting_rights_is_refused(
    registry: Registry, year: Year2023
) -> None:
    # UNDP attends the March meeting as a member that never confirmed its interest.
    objection = {"entity_id": "undp", "reason": "Too soon."}
    problem = registry.refuse(
        "POST",
        "/v1/decisions",
        decision(year.march, objections=[objection]),
        status=422,
        rule="ToR 3.B.3",
    )
    assert "voting rights" in problem["detail"]


@pytest.mark.parametrize("confirmed_by", ["iom", "unodc", "un-women"])
def test_confirmed_by_someone_other_than_the_sitting_chair_is_refused(
    registry: Registry, year: Year2023, confirmed_by: str
) -> None:
    problem = registry.refuse(
        "POST",
        "/v1/decisions",
        decision(year.march, confirmed_by=confirmed_by),
        status=422,
        rule="ToR 3.B.3",
    )
    assert "ilo" in problem["detail"]


def test_confirmed_by_an_unknown_entity_is_refused(registry: Registry, year: Year2023) -> None:
    registry.refuse(
        "POST",
        "/v1/decisions",
        decision(year.march, confirmed_by="nobody-at-all"),
        status=422,
        rule=None,
    )


@pytest.mark.parametrize("record", ["", "   ", " \n\t "])
def test_a_decision_must_be_noted_in_writing(
    registry: Registry, year: Year2023, record: str
) -> None:
    registry.refuse(
        "POST", "/v1/decisions", decision(year.march, record=record), status=422, rule="ToR 3.B.3"
    )


@pytest.mark.parametrize("decided_on", ["2023-03-14", "2023-03-17", "2023-06-14"])
def test_a_meeting_decision_is_dated_within_its_days(
    registry: Registry, year: Year2023, decided_on: str
) -> None:
    registry.refuse(
        "POST",
        "/v1/decisions",
        decision(year.march, decided_on=decided_on),
        status=422,
        rule="ToR 3.B.3",
    )


def test_a_meeting_decision_on_its_second_day(
    client: TestClient, sec: Headers, year: Year2023
) -> None:
    taken = decide(client, sec, decision(year.march, decided_on="2023-03-16"))
    assert (taken["decided_on"], taken["outcome"]) == ("2023-03-16", "adopted")


def test_no_decision_without_an_entity_with_voting_rights(
    client: TestClient, sec: Headers, registry: Registry, year: Year2023
) -> None:
    # The briefing: UNFPA had not confirmed yet, a partner and civil society.
    problem = registry.refuse(
        "POST", "/v1/decisions", decision(year.briefing), status=422, rule="ToR 3.B.3"
    )
    assert "voting rights" in problem["detail"]
    # A meeting attended only by a member without voting rights and a partner.
    empty = meeting(client, sec, "expert_group", "2023-09-05")
    body_of(attend(client, sec, empty, "undp", "council-of-europe"), 200)
    registry.refuse("POST", "/v1/decisions", decision(empty), status=422, rule="ToR 3.B.3")
    # A meeting nobody's attendance was recorded for.
    nobody = meeting(client, sec, "expert_group", "2023-09-06")
    registry.refuse("POST", "/v1/decisions", decision(nobody), status=422, rule="ToR 3.B.3")
    # Electronically, consulting none that votes.
    registry.refuse(
        "POST",
        "/v1/decisions",
        decision(
            procedure="electronic",
            consulted_entity_ids=["undp", "council-of-europe"],
            deadline_on="2023-09-30",
        ),
        status=422,
        rule="ToR 3.B.3",
    )


def test_a_decision_at_an_unknown_meeting_is_refused(registry: Registry, year: Year2023) -> None:
    registry.refuse("POST", "/v1/decisions", decision(2_000_000), status=422, rule=None)


@pytest.mark.parametrize(
    ("entity_id", "fields", "rule"),
    [
        ("ngo-applicant", {"kind": "non_governmental", "scope": None}, "ToR 3.A.5"),
        ("no-mandate", {"mandate_covers_tip": False}, "ToR 3.A.4(b)"),
        ("not-international", {"kind": "other"}, "ToR 3.A.4(a)"),
    ],
)
def test_applications_by_ineligible_organizations_are_refused(
    client: TestClient,
    sec: Headers,
    registry: Registry,
    entity_id: str,
    fields: Json,
    rule: str,
) -> None:
    make_entity(client, sec, entity_id, **fields)
    body = {
        "entity_id": entity_id,
        "role": "member",
        "submitted_on": "2023-04-10",
        "addressed_to": "coordinator",
        "letter_reference": "REF/1",
    }
    registry.refuse("POST", "/v1/applications", body, status=422, rule=rule, watch=(entity_id,))
    assert status_on(client, entity_id, "2023-04-10") == "stakeholder"


@pytest.mark.parametrize(
    ("entity_id", "role", "rule"),
    [
        ("iom", "member", "ToR 3.A.3"),
        ("council-of-europe", "partner", "ToR 3.A.3"),
        ("iom", "partner", "ToR 3.F.1"),
    ],
)
def test_applications_for_a_role_already_held_are_refused(
    registry: Registry, entity_id: str, role: str, rule: str
) -> None:
    body = {
        "entity_id": entity_id,
        "role": role,
        "submitted_on": "2023-04-10",
        "addressed_to": "chair",
        "letter_reference": "REF/2",
    }
    registry.refuse("POST", "/v1/applications", body, status=422, rule=rule, watch=(entity_id,))


def test_a_second_open_application_is_a_conflict(
    client: TestClient, sec: Headers, registry: Registry, year: Year2023
) -> None:
    first = body_of(apply(client, sec, IGO, "2023-04-10"), 201)
    body = {
        "entity_id": IGO,
        "role": "partner",
        "submitted_on": "2023-04-20",
        "addressed_to": "coordinator",
        "letter_reference": "REF/3",
    }
    registry.refuse("POST", "/v1/applications", body, status=409, rule="ToR 3.A.3", watch=(IGO,))
    # Once withdrawn, the entity may apply again.
    withdrawn = client.post(
        f"/v1/applications/{first['id']}/withdraw", headers=sec, json={"withdrawn_on": "2023-04-15"}
    )
    assert (body_of(withdrawn, 200)["status"], withdrawn.json()["closed_on"]) == (
        "withdrawn",
        "2023-04-15",
    )
    body_of(client.post("/v1/applications", headers=sec, json=body), 201)


def test_a_withdrawn_application_cannot_be_decided(
    client: TestClient, sec: Headers, registry: Registry, year: Year2023
) -> None:
    filed = body_of(apply(client, sec, IGO, "2023-04-10"), 201)
    withdraw = f"/v1/applications/{filed['id']}/withdraw"
    body_of(client.post(withdraw, headers=sec, json={"withdrawn_on": "2023-05-01"}), 200)
    registry.refuse(
        "POST",
        "/v1/decisions",
        admission(year.june, filed["id"]),
        status=409,
        rule="ToR 3.A.3",
        watch=(IGO,),
    )
    registry.refuse(
        "POST",
        withdraw,
        {"withdrawn_on": "2023-05-02"},
        status=409,
        rule="ToR 3.A.3",
        watch=(IGO,),
    )


def test_an_application_not_yet_introduced_cannot_be_decided(
    client: TestClient, sec: Headers, registry: Registry, year: Year2023
) -> None:
    # Submitted after the last Working Group meeting recorded: not introduced yet.
    filed = body_of(apply(client, sec, IGO, "2023-07-01"), 201)
    assert filed["status"] == "submitted"
    assert (filed["introduced_at_meeting_id"], filed["introduced_on"]) == (None, None)
    registry.refuse(
        "POST",
        "/v1/decisions",
        decision(
            procedure="electronic",
            kind="admission",
            application_id=filed["id"],
            consulted_entity_ids=voters(client, "2023-08-01"),
            deadline_on="2023-08-01",
        ),
        status=422,
        rule="ToR 3.A.3",
        watch=(IGO,),
    )
    # An admission is decided by the Working Group, not at a briefing.
    late_briefing = meeting(client, sec, "briefing", "2023-09-01")
    body_of(attend(client, sec, late_briefing, "ilo", "unfpa"), 200)
    registry.refuse(
        "POST",
        "/v1/decisions",
        admission(late_briefing, filed["id"]),
        status=422,
        rule="ToR 3.A.3",
        watch=(IGO,),
    )


def test_attendance_at_an_unknown_meeting_is_404(registry: Registry) -> None:
    registry.refuse(
        "PUT",
        "/v1/meetings/2000000/attendance",
        {"items": [{"entity_id": "ilo"}]},
        status=404,
        rule=None,
    )


def test_attendance_with_an_unknown_entity_is_refused(
    client: TestClient, registry: Registry, year: Year2023
) -> None:
    before = capacities(client, year.march)
    problem = registry.refuse(
        "PUT",
        f"/v1/meetings/{year.march}/attendance",
        {"items": [{"entity_id": "ilo"}, {"entity_id": "no-such-entity"}]},
        status=422,
        rule=None,
    )
    assert problem["errors"][0]["loc"] == ["body", "items", 1, "entity_id"]
    assert capacities(client, year.march) == before


def test_a_meeting_cannot_end_before_it_starts(
    client: TestClient, registry: Registry, year: Year2023
) -> None:
    body = {
        "kind": "working_group",
        "title": "Backwards",
        "starts_on": "2023-10-10",
        "ends_on": "2023-10-09",
    }
    registry.refuse("POST", "/v1/meetings", body, status=422, rule=None)
    registry.refuse(
        "PATCH", f"/v1/meetings/{year.march}", {"ends_on": "2023-03-14"}, status=422, rule=None
    )
    assert body_of(client.get(f"/v1/meetings/{year.march}"), 200)["ends_on"] == "2023-03-16"


@pytest.mark.parametrize("entity_id", ["council-of-europe", "sr-tip", NGO])
def test_only_members_enrol_in_the_working_group(
    client: TestClient, sec: Headers, registry: Registry, entity_id: str
) -> None:
    make_entity(client, sec, NGO, kind="non_governmental", scope=None)
    body = {
        "entity_id": entity_id,
        "confirmed_on": "2023-02-01",
        "confirmation_reference": "REF/4",
    }
    registry.refuse(
        "POST",
        "/v1/working-group/enrolments",
        body,
        status=422,
        rule="ToR 3.B.7",
        watch=(entity_id,),
    )
    entity = body_of(client.get(f"/v1/entities/{entity_id}", params={"on": "2023-06-01"}), 200)
    assert entity["working_group"] is False


def test_a_member_confirms_its_interest_once(
    registry: Registry, year: Year2023, client: TestClient
) -> None:
    body = {
        "entity_id": "unfpa",
        "confirmed_on": "2023-05-01",
        "confirmation_reference": "UNFPA/ED/2023/009",
    }
    registry.refuse("POST", "/v1/working-group/enrolments", body, status=409, rule=None)
    assert voting(client, "unfpa", "2023-05-01")["since"] == "2023-03-15"


# --- 2b. what decisions change -----------------------------------------------------------------


def test_a_maintained_objection_blocks_an_admission(
    client: TestClient, sec: Headers, year: Year2023
) -> None:
    filed = body_of(apply(client, sec, IGO_2, "2023-04-10"), 201)
    objection = {"entity_id": "unfpa", "reason": "Its mandate is not yet in force."}
    taken = decide(client, sec, admission(year.june, filed["id"], objections=[objection]))
    assert taken["outcome"] == "not_adopted"
    assert taken["objections"] == [{**objection, "withdrawn": False}]
    # ToR 3.A.3, 3.B.3: no consensus, nothing follows: no membership, and the application is
    # not turned down either: it stays open for the Working Group to decide at a later meeting.
    assert taken["effects"] == []
    assert memberships(client, IGO_2) == []
    assert status_on(client, IGO_2, "2023-06-14") == "applicant"
    after = application(client, filed["id"])
    assert (after["status"], after["decision_id"], after["closed_on"]) == ("introduced", None, None)
    assert taken["id"] in ids(all_items(client, "/v1/decisions", outcome="not_adopted"))
    assert taken["id"] not in ids(all_items(client, "/v1/decisions", outcome="adopted"))


def test_a_withdrawn_objection_stays_on_the_record_and_does_not_block(
    client: TestClient, sec: Headers, year: Year2023
) -> None:
    filed = body_of(apply(client, sec, IGO_2, "2023-04-10"), 201)
    objections = [
        {"entity_id": "unfpa", "reason": "Questions on its statute.", "withdrawn": True},
        {"entity_id": "ilo", "reason": "Questions on its budget.", "withdrawn": True},
    ]
    taken = decide(
        client,
        sec,
        admission(year.june, filed["id"], decided_on="2023-06-15", objections=objections),
    )
    assert (taken["outcome"], taken["decided_on"]) == ("adopted", "2023-06-15")
    assert sorted(taken["objections"], key=lambda o: str(o["entity_id"])) == sorted(
        objections, key=lambda o: str(o["entity_id"])
    )
    stored_decision = body_of(client.get(f"/v1/decisions/{taken['id']}"), 200)
    assert len(stored_decision["objections"]) == 2
    assert all(o["withdrawn"] for o in stored_decision["objections"])
    spans = memberships(client, IGO_2)
    assert [(m["role"], m["starts_on"], m["admission_decision_id"]) for m in spans] == [
        ("member", "2023-06-15", taken["id"])
    ]
    assert status_on(client, IGO_2, "2023-06-14") == "applicant"
    assert status_on(client, IGO_2, "2023-06-15") == "member"


@pytest.mark.parametrize("first_objection", [False, True])
def test_an_application_is_decided_once(
    client: TestClient,
    sec: Headers,
    registry: Registry,
    year: Year2023,
    first_objection: bool,
) -> None:
    filed = body_of(apply(client, sec, IGO, "2023-04-10"), 201)
    objections = [{"entity_id": "unfpa", "reason": "Not yet."}] if first_objection else []
    first = decide(client, sec, admission(year.june, filed["id"], objections=objections))
    assert first["outcome"] == ("not_adopted" if first_objection else "adopted")
    if first_objection:
        # No consensus closes nothing (ToR 3.A.3): the Working Group decides again, and adopts.
        assert application(client, filed["id"])["status"] == "introduced"
        first = decide(client, sec, admission(year.june, filed["id"], decided_on="2023-06-15"))
        assert first["outcome"] == "adopted"
    for day in ("2023-06-14", "2023-06-15"):
        registry.refuse(
            "POST",
            "/v1/decisions",
            admission(year.june, filed["id"], decided_on=day),
            status=409,
            rule="ToR 3.A.3",
            watch=(IGO,),
        )
    assert len(memberships(client, IGO)) == 1
    assert application(client, filed["id"])["decision_id"] == first["id"]


def test_an_admission_whose_effect_is_refused_leaves_nothing_behind(
    client: TestClient, sec: Headers, registry: Registry, year: Year2023
) -> None:
    """The decision row is written before its effect; when the effect is refused, both go."""
    filed = body_of(apply(client, sec, IGO, "2023-04-10"), 201)
    # Its statute changes before the Working Group decides (an applicant holds no role, so the
    # change is accepted); the admission can no longer take effect (ToR 3.A.4(b)).
    changed = client.patch(f"/v1/entities/{IGO}", headers=sec, json={"mandate_covers_tip": False})
    assert body_of(changed, 200)["mandate_covers_tip"] is False
    registry.refuse(
        "POST",
        "/v1/decisions",
        admission(year.june, filed["id"]),
        status=422,
        rule="ToR 3.A.4(b)",
        watch=(IGO,),
    )
    still = application(client, filed["id"])
    assert (still["status"], still["decision_id"], still["closed_on"]) == ("introduced", None, None)
    assert memberships(client, IGO) == []


def test_an_admitted_member_enrols_from_its_admission(
    client: TestClient, sec: Headers, registry: Registry, year: Year2023
) -> None:
    filed = body_of(apply(client, sec, IGO, "2023-04-10"), 201)
    decide(client, sec, admission(year.june, filed["id"]))
    early = {"entity_id": IGO, "confirmed_on": "2023-06-13", "confirmation_reference": "ARCO/1"}
    registry.refuse(
        "POST", "/v1/working-group/enrolments", early, status=422, rule="ToR 3.B.7", watch=(IGO,)
    )
    enrolment = {**early, "confirmed_on": "2023-06-14"}
    body_of(client.post("/v1/working-group/enrolments", headers=sec, json=enrolment), 201)
    # Confirmed on the first day of the June meeting it did not attend: it votes from its next
    # Working Group meeting, at that meeting already.
    assert voting(client, IGO, "2023-06-14")["has_voting_rights"] is False
    autumn = meeting(client, sec, "working_group", "2023-10-04", "2023-10-05")
    answer = body_of(attend(client, sec, autumn, "ilo", IGO), 200)
    assert {a["entity_id"]: a["capacity"] for a in answer["items"]}[IGO] == "voting_member"
    assert voting(client, IGO, "2023-10-03")["has_voting_rights"] is False
    rights = voting(client, IGO, "2023-10-04")
    assert (rights["has_voting_rights"], rights["since"]) == (True, "2023-10-04")
    row = next(m for m in roster(client, "2023-10-04")["members"] if m["entity_id"] == IGO)
    assert (row["confirmed_on"], row["first_participation_on"]) == ("2023-06-14", "2023-10-04")


def test_an_electronic_decision(
    client: TestClient, sec: Headers, registry: Registry, year: Year2023
) -> None:
    """ToR 3.B.3, 3.D.1: the entities with voting rights are consulted with a deadline; silence
    adopts."""
    body = decision(
        procedure="electronic",
        consulted_entity_ids=voters(client, "2023-09-30"),
        deadline_on="2023-09-30",
        record="The Working Group endorses the joint statement on 30 July.",
    )
    taken = decide(client, sec, body)
    assert (taken["procedure"], taken["meeting_id"], taken["outcome"]) == (
        "electronic",
        None,
        "adopted",
    )
    assert (taken["decided_on"], taken["deadline_on"]) == ("2023-09-30", "2023-09-30")
    assert taken["consulted_entity_ids"] == voters(client, "2023-09-30")
    assert {"ilo", "unfpa"} <= set(taken["consulted_entity_ids"])
    assert taken["confirmed_by"] == "ilo"
    # ToR 3.B.3: the whole Working Group is consulted; leaving one out is refused, naming it.
    partial = {**body, "consulted_entity_ids": ["ilo", "unfpa"]}
    problem = registry.refuse("POST", "/v1/decisions", partial, status=422, rule="ToR 3.B.3")
    assert "unhcr" in problem["detail"]
    # An entity not consulted cannot object: an entity without voting rights is not consulted.
    registry.refuse(
        "POST",
        "/v1/decisions",
        {**body, "objections": [{"entity_id": "undp", "reason": "Not asked."}]},
        status=422,
        rule="ToR 3.B.3",
    )
    # A consulted one that maintains its objection blocks it.
    blocked = decide(client, sec, {**body, "objections": [{"entity_id": "unfpa", "reason": "No."}]})
    assert blocked["outcome"] == "not_adopted"


def test_an_electronic_admission(client: TestClient, sec: Headers, year: Year2023) -> None:
    filed = body_of(apply(client, sec, IGO, "2023-04-10"), 201)
    body = decision(
        procedure="electronic",
        kind="admission",
        application_id=filed["id"],
        consulted_entity_ids=voters(client, "2023-07-10"),
        deadline_on="2023-07-10",
    )
    taken = decide(client, sec, body)
    assert taken["outcome"] == "adopted"
    spans = memberships(client, IGO)
    assert [(m["starts_on"], m["admission_decision_id"]) for m in spans] == [
        ("2023-07-10", taken["id"])
    ]


def test_a_partner_admitted_as_member_stops_being_a_partner_that_day(
    client: TestClient, sec: Headers, year: Year2023
) -> None:
    filed = body_of(apply(client, sec, "council-of-europe", "2023-04-10"), 201)
    assert filed["status"] == "introduced"
    assert status_on(client, "council-of-europe", "2023-05-01") == "partner"
    taken = decide(client, sec, admission(year.june, filed["id"]))
    assert taken["outcome"] == "adopted"
    assert "council-of-europe: partner until 2023-06-14" in taken["effects"]
    spans = memberships(client, "council-of-europe")
    assert [(m["role"], m["starts_on"], m["ends_on"]) for m in spans] == [
        ("partner", "2019-01-01", "2023-06-14"),
        ("member", "2023-06-14", None),
    ]
    assert spans[0]["admission_decision_id"] is None
    assert spans[1]["admission_decision_id"] == taken["id"]
    assert status_on(client, "council-of-europe", "2023-06-13") == "partner"
    assert status_on(client, "council-of-europe", "2023-06-14") == "member"
    observers = {o["entity_id"] for o in roster(client, "2023-06-13")["observers"]}
    assert "council-of-europe" in observers
    observers = {o["entity_id"] for o in roster(client, "2023-06-14")["observers"]}
    assert "council-of-europe" not in observers
    # A new member, not yet enrolled: no voting rights (ToR 3.B.7).
    assert voting(client, "council-of-europe", "2023-06-14")["has_voting_rights"] is False


# --- 3. powers ---------------------------------------------------------------------------------


def test_the_sitting_chair_may_record_a_meeting_and_its_outcome(
    client: TestClient, sec: Headers, db: Session, registry: Registry
) -> None:
    this_year = date.today().year
    chair_term(client, sec, this_year, "ilo")
    chair = key_of(db, "ilo")
    day = f"{this_year}-03-10"
    mid = meeting(client, chair, "working_group", day)
    answer = body_of(attend(client, chair, mid, "ilo", "unhcr"), 200)
    assert {a["entity_id"] for a in answer["items"]} == {"ilo", "unhcr"}
    # Representatives are personal data: shown to callers with a key only.
    shown = body_of(client.get(f"/v1/meetings/{mid}/attendance", headers=chair), 200)
    assert shown["items"][0]["representatives"] is not None
    public = body_of(client.get(f"/v1/meetings/{mid}/attendance"), 200)
    assert all(a["representatives"] is None for a in public["items"])
    changed = client.patch(f"/v1/meetings/{mid}", headers=chair, json={"location": "Vienna"})
    assert body_of(changed, 200)["location"] == "Vienna"
    taken = decide(
        client, chair, {**decision(mid), "record": "The Working Group thanks its Chair."}
    )
    assert (taken["outcome"], taken["confirmed_by"]) == ("adopted", "ilo")

    # Another member's key may not.
    other = key_of(db, "iom")
    body = {"kind": "working_group", "title": "Not mine", "starts_on": day}
    registry.refuse("POST", "/v1/meetings", body, status=403, rule=None, headers=other)
    registry.refuse(
        "PUT",
        f"/v1/meetings/{mid}/attendance",
        {"items": [{"entity_id": "iom"}]},
        status=403,
        rule=None,
        headers=other,
    )
    registry.refuse("POST", "/v1/decisions", decision(mid), status=403, rule=None, headers=other)


def test_a_past_chair_has_no_powers_today(
    client: TestClient, sec: Headers, keys: Keys, registry: Registry
) -> None:
    # ILO chaired 2023 and 2013, but nobody chairs today: only the secretariat records.
    chair_term(client, sec, 2023, "ilo")
    today = date.today().isoformat()
    assert body_of(client.get("/v1/chairs", params={"on": today}), 200)["items"] == []
    body = {"kind": "working_group", "title": "By a past chair", "starts_on": "2023-03-15"}
    for headers in (Keys.header(keys.member), Keys.header(keys.partner)):
        registry.refuse("POST", "/v1/meetings", body, status=403, rule=None, headers=headers)
    registry.refuse("POST", "/v1/meetings", body, status=401, rule=None, headers={})
    registry.refuse(
        "POST", "/v1/meetings", body, status=401, rule=None, headers=Keys.header(keys.revoked)
    )
    body_of(client.post("/v1/meetings", headers=Keys.header(keys.secretariat), json=body), 201)


def test_an_applicant_files_its_own_application(
    client: TestClient, sec: Headers, keys: Keys, db: Session, registry: Registry
) -> None:
    make_entity(client, sec, IGO)
    make_entity(client, sec, IGO_2)
    own = key_of(db, IGO)
    body = {
        "entity_id": IGO,
        "role": "member",
        "submitted_on": "2023-04-10",
        "addressed_to": "coordinator",
        "letter_reference": "ARCO/SG/2023/17",
    }
    # Another entity's key may not file it, nor may the applicant file for someone else.
    for headers in (Keys.header(keys.member), Keys.header(keys.partner)):
        registry.refuse(
            "POST", "/v1/applications", body, status=403, rule=None, headers=headers, watch=(IGO,)
        )
    registry.refuse(
        "POST",
        "/v1/applications",
        {**body, "entity_id": IGO_2},
        status=403,
        rule=None,
        headers=own,
        watch=(IGO_2,),
    )
    filed = body_of(client.post("/v1/applications", headers=own, json=body), 201)
    assert (filed["entity_id"], filed["status"]) == (IGO, "submitted")
    assert ids(all_items(client, "/v1/applications", entity_id=IGO)) == [filed["id"]]
    # Only the applicant (or the secretariat) withdraws it.
    withdraw = f"/v1/applications/{filed['id']}/withdraw"
    registry.refuse(
        "POST",
        withdraw,
        {"withdrawn_on": "2023-05-01"},
        status=403,
        rule=None,
        headers=Keys.header(keys.member),
        watch=(IGO,),
    )
    done = client.post(withdraw, headers=own, json={"withdrawn_on": "2023-05-01"})
    assert body_of(done, 200)["status"] == "withdrawn"


def test_the_roster_read_again_after_an_enrolment_shows_it(
    client: TestClient, sec: Headers
) -> None:
    """The roster is answered from memory until the data changes: an enrolment shows at once."""
    before = roster(client, "2023-03-01")
    assert "unfpa" not in {m["entity_id"] for m in before["members"]}
    enrolment = {
        "entity_id": "unfpa",
        "confirmed_on": "2023-02-01",
        "confirmation_reference": "UNFPA/ED/2023/004",
    }
    body_of(client.post("/v1/working-group/enrolments", headers=sec, json=enrolment), 201)
    after = roster(client, "2023-03-01")
    assert "unfpa" in {m["entity_id"] for m in after["members"]}
