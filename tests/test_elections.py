"""Chair eligibility, expressions of interest, elections and the annual report, through HTTP.

ToR 3.D.1: a Working Group member may chair after one year of active and regular
participation; interest is expressed in Q1 of the year before the term and the Working Group
decides by consensus by 30 June of that year. ToR 3.D.2: at most two co-chairs, whose joint
expression of interest delineates the Chair's tasks a-m of ToR 3.D.3. ToR 3.E.3: only members
chair. ToR 3.D.3(j): the Chair's annual report.

The real 2015 data (seeded) shows eligibility and the report; for elections each test builds an
election year of its own (no chair is seeded after 2019): UNHCR chairs the election year T-1 (a
term recorded here) and confirms its decisions; Working Group meetings in T-2 and T-1 give the
candidates their participation.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Keys
from tests.helpers import (
    PROBLEM,
    Headers,
    Json,
    all_items,
    body_of,
    candidacy,
    express,
    interest,
    key_of,
)

TASKS = list("abcdefghijklm")
JOINT_ROLES: list[Json] = [
    {"entity_id": "ilo", "tasks": list("abcdefg")},
    {"entity_id": "iom", "tasks": list("ghijklm")},
]
CORE_SIX = {"ilo", "iom", "ohchr", "unhcr", "unicef", "unodc"}
# Voting in the Working Group in 2022 (an election year built below): the core six, UNFPA and
# UNDP; an electronic decision consults them all (ToR 3.B.3).
VOTING_2022 = ["ilo", "iom", "ohchr", "undp", "unfpa", "unhcr", "unicef", "unodc"]


# --- helpers -----------------------------------------------------------------------------------


def chair_term(client: TestClient, sec: Headers, year: int, *entity_ids: str) -> Json:
    body = {"start_year": year, "entity_ids": list(entity_ids)}
    return body_of(client.post("/v1/chair-terms", headers=sec, json=body), 201)


def meeting(client: TestClient, headers: Headers, day: date, kind: str = "working_group") -> int:
    body: Json = {"kind": kind, "title": f"{kind} of {day}", "starts_on": day.isoformat()}
    return int(body_of(client.post("/v1/meetings", headers=headers, json=body), 201)["id"])


def attend(client: TestClient, headers: Headers, meeting_id: int, *entity_ids: str) -> None:
    items = [{"entity_id": e, "representatives": [f"Delegate of {e}"]} for e in entity_ids]
    r = client.put(f"/v1/meetings/{meeting_id}/attendance", headers=headers, json={"items": items})
    assert {a["entity_id"] for a in body_of(r, 200)["items"]} == set(entity_ids)


def enrol(client: TestClient, sec: Headers, entity_id: str, confirmed_on: date) -> None:
    body = {
        "entity_id": entity_id,
        "confirmed_on": confirmed_on.isoformat(),
        "confirmation_reference": f"{entity_id.upper()}/WG/{confirmed_on}",
    }
    body_of(client.post("/v1/working-group/enrolments", headers=sec, json=body), 201)


def still_open(client: TestClient, candidacy_id: int) -> None:
    """An open candidacy for a term whose deadline (30 June of the year before) has passed: it
    reads `not_elected`, though nothing closed it (ToR 3.D.1): no decision, no closing day."""
    read = candidacy(client, candidacy_id)
    assert (read["status"], read["election_decision_id"], read["closed_on"]) == (
        "not_elected",
        None,
        None,
    ), read


def voting_on(client: TestClient, day: str) -> list[str]:
    """Every entity with voting rights on ``day``, as the Working Group roster lists them: an
    electronic decision consults them all (ToR 3.B.3)."""
    roster = body_of(client.get("/v1/working-group", params={"on": day}), 200)
    return sorted(m["entity_id"] for m in roster["members"] if m["has_voting_rights"])


def audit_of(client: TestClient, sec: Headers, resource_type: str, resource_id: int) -> list[Json]:
    items: list[Json] = all_items(
        client,
        "/v1/audit-events",
        headers=sec,
        resource_type=resource_type,
        resource_id=str(resource_id),
    )
    return items


def election(
    candidacy_id: int, *, meeting_id: int | None = None, confirmed_by: str = "unhcr", **fields: Any
) -> Json:
    """A chair_election decision body: at ``meeting_id``, or electronic with ``fields``."""
    body: Json = {
        "procedure": "meeting" if meeting_id is not None else "electronic",
        "kind": "chair_election",
        "candidacy_id": candidacy_id,
        "record": f"The Working Group elects the candidates of expression {candidacy_id}.",
        "confirmed_by": confirmed_by,
        "objections": [],
    }
    if meeting_id is not None:
        body["meeting_id"] = meeting_id
    body.update(fields)
    return body


def decide(client: TestClient, headers: Headers, body: Json) -> Json:
    return body_of(client.post("/v1/decisions", headers=headers, json=body), 201)


def chairs_on(client: TestClient, day: str) -> list[Json]:
    items: list[Json] = body_of(client.get("/v1/chairs", params={"on": day}), 200)["items"]
    return items


def listed_chairs(client: TestClient, day: str) -> list[str]:
    listed = body_of(client.get("/v1/member-list", params={"on": day}), 200)
    return [c["id"] for c in listed["chairs"]]


def eligibility(client: TestClient, entity_id: str, on: str) -> Json:
    return body_of(
        client.get(f"/v1/entities/{entity_id}/chair-eligibility", params={"on": on}), 200
    )


def stored(client: TestClient, sec: Headers, since: str) -> Json:
    """What a refused expression of interest or election could have half-written."""
    return {
        "candidacies": all_items(client, "/v1/chair-candidacies"),
        "chairs": all_items(client, "/v1/chairs"),
        "decisions": all_items(client, "/v1/decisions"),
        "audit": all_items(client, "/v1/audit-events", headers=sec, since=since),
    }


@dataclass
class Registry:
    """Sends requests that must be refused, and checks that nothing was stored by them."""

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
        path: str,
        body: Json,
        *,
        status: int,
        rule: str | None,
        headers: Headers | None = None,
    ) -> Json:
        """POST a body that must be refused with ``status`` and ``rule``; nothing stored."""
        with self.unchanged():
            r = self.client.post(path, headers=self.sec if headers is None else headers, json=body)
            problem = body_of(r, status)
            assert r.headers["content-type"].startswith(PROBLEM), r.headers["content-type"]
            assert problem["status"] == status
            assert problem.get("rule") == rule, problem
        return problem


@pytest.fixture
def registry(client: TestClient, sec: Headers) -> Registry:
    return Registry(client, sec, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


@dataclass(frozen=True)
class Election:
    """An election year ``term - 1`` for the term ``term``, with its Working Group meetings."""

    term: int
    first: int  # T-2-03-10: ILO, IOM, UNHCR, OHCHR, UNFPA (UNFPA's first)
    second: int  # T-2-09-15: ILO, IOM, UNHCR, UNDP (UNDP's first)
    third: int  # T-1-03-16: ILO, IOM, UNHCR, UNDP
    fourth: int  # T-1-05-18: ILO, IOM, UNHCR, UNDP, OHCHR — the election meeting
    briefing: int  # T-1-05-20: a briefing, ILO and UNHCR
    late: int  # T-1-07-06: ILO, IOM, UNHCR — after 30 June
    solo: int  # ILO alone, submitted T-1-02-15
    joint: int  # ILO and IOM, submitted T-1-02-15, tasks a-g and g-m


def build_election(client: TestClient, sec: Headers, term: int) -> Election:
    """UNHCR chairs T-1. UNFPA confirms its interest in the Working Group on T-2-03-01 and UNDP
    on T-2-08-01 (both members since 2019); ILO, IOM and OHCHR first took part in 2015. At the
    election meeting (T-1-05-18) the twelve months before hold two Working Group meetings:
    ILO, IOM and UNDP attended both (UNDP for less than a year), OHCHR and UNFPA neither."""
    prev, before = term - 1, term - 2
    chair_term(client, sec, prev, "unhcr")
    enrol(client, sec, "unfpa", date(before, 3, 1))
    enrol(client, sec, "undp", date(before, 8, 1))
    plan = [
        (date(before, 3, 10), "working_group", ("ilo", "iom", "unhcr", "ohchr", "unfpa")),
        (date(before, 9, 15), "working_group", ("ilo", "iom", "unhcr", "undp")),
        (date(prev, 3, 16), "working_group", ("ilo", "iom", "unhcr", "undp")),
        (date(prev, 5, 18), "working_group", ("ilo", "iom", "unhcr", "undp", "ohchr")),
        (date(prev, 5, 20), "briefing", ("ilo", "unhcr")),
        (date(prev, 7, 6), "working_group", ("ilo", "iom", "unhcr")),
    ]
    made = []
    for day, kind, attendees in plan:
        mid = meeting(client, sec, day, kind)
        attend(client, sec, mid, *attendees)
        made.append(mid)
    solo = express(client, sec, interest(term, date(prev, 2, 15), "ilo"))
    joint = express(client, sec, interest(term, date(prev, 2, 15), "ilo", "iom", roles=JOINT_ROLES))
    first, second, third, fourth, briefing, late = made
    return Election(
        term, first, second, third, fourth, briefing, late, solo=solo["id"], joint=joint["id"]
    )


@pytest.fixture
def y2023(client: TestClient, sec: Headers) -> Election:
    """The election of 2022 for the term 2023."""
    return build_election(client, sec, 2023)


# --- 1. eligibility on the real 2015 data ------------------------------------------------------


def test_ilo_is_eligible_in_2016_on_the_2015_record(client: TestClient) -> None:
    # Twelve months before 2016-03-01: the Working Group meetings of 22 July and 7 December 2015.
    got = eligibility(client, "ilo", "2016-03-01")
    assert got["eligible"] is True, got
    assert (got["entity_id"], got["on"]) == ("ilo", "2016-03-01")
    assert got["first_participation_on"] == "2015-01-19"
    assert got["attendance"] == {"attended": 2, "held": 2, "ratio": 1.0}
    assert got["min_attendance_ratio"] == 0.5
    assert got["reasons"] and all("ToR 3." in reason for reason in got["reasons"])


def test_a_year_after_the_first_2015_meeting_and_not_a_day_before(client: TestClient) -> None:
    # The core six first took part on 2015-01-19 (New York), the first meeting on the records.
    before = eligibility(client, "iom", "2016-01-18")
    assert before["eligible"] is False
    assert before["first_participation_on"] == "2015-01-19"
    assert any("less than one year" in r and "ToR 3.D.1" in r for r in before["reasons"]), before
    # The day of: one year exactly, and the meeting of 2015-01-19 opens the window.
    day_of = eligibility(client, "iom", "2016-01-19")
    assert day_of["eligible"] is True, day_of
    assert day_of["attendance"] == {"attended": 3, "held": 3, "ratio": 1.0}


def test_no_one_is_eligible_before_any_participation(client: TestClient) -> None:
    got = eligibility(client, "unhcr", "2015-01-19")
    assert got["eligible"] is False
    assert got["first_participation_on"] == "2015-01-19"
    assert got["attendance"] == {"attended": 0, "held": 0, "ratio": None}
    assert any("No Working Group meeting was held" in r for r in got["reasons"]), got


@pytest.mark.parametrize("on", ["2015-07-22", "2015-12-08", "2016-03-01", "2016-12-31"])
def test_osce_a_partner_is_never_eligible(client: TestClient, on: str) -> None:
    got = eligibility(client, "osce", on)
    assert got["eligible"] is False
    assert any("partner" in r and "ToR 3.E.3" in r for r in got["reasons"]), got
    assert got["first_participation_on"] is None


def test_a_partner_of_today_is_never_eligible(client: TestClient) -> None:
    got = eligibility(client, "council-of-europe", "2022-05-18")
    assert got["eligible"] is False
    assert any("partner" in r and "ToR 3.E.3" in r for r in got["reasons"]), got


def test_eligibility_of_an_unknown_entity_is_404(client: TestClient) -> None:
    r = client.get("/v1/entities/nobody/chair-eligibility", params={"on": "2016-03-01"})
    assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM)


# --- 2. eligibility on data of our own ---------------------------------------------------------


def test_one_year_since_first_participation_the_day_before_and_the_day_of(
    client: TestClient, y2023: Election
) -> None:
    # UNFPA first took part on 2021-03-10 and attended one of the two meetings since.
    before = eligibility(client, "unfpa", "2022-03-09")
    assert before["eligible"] is False
    assert before["first_participation_on"] == "2021-03-10"
    assert before["attendance"] == {"attended": 1, "held": 2, "ratio": 0.5}
    assert [r for r in before["reasons"] if "ToR 3.D.1" in r] == [
        "First participated on 2021-03-10: less than one year of participation before "
        "2022-03-09 (ToR 3.D.1)."
    ], before
    day_of = eligibility(client, "unfpa", "2022-03-10")
    assert day_of["eligible"] is True, day_of
    assert day_of["first_participation_on"] == "2021-03-10"


def test_a_meeting_exactly_twelve_months_before_opens_the_window(
    client: TestClient, y2023: Election
) -> None:
    # On 2022-03-10 the window is [2021-03-10, 2022-03-10): the meeting of 2021-03-10 is in it.
    at_start = eligibility(client, "unfpa", "2022-03-10")
    assert at_start["attendance"] == {"attended": 1, "held": 2, "ratio": 0.5}
    assert at_start["eligible"] is True
    # A day later it has left the window: UNFPA attended none of the one meeting left.
    after = eligibility(client, "unfpa", "2022-03-11")
    assert after["attendance"] == {"attended": 0, "held": 1, "ratio": 0.0}
    assert after["eligible"] is False
    assert any("not regular participation" in r for r in after["reasons"]), after


def test_a_meeting_on_the_day_itself_is_not_in_the_window(
    client: TestClient, y2023: Election
) -> None:
    on_the_day = eligibility(client, "ilo", "2022-03-16")
    assert on_the_day["attendance"] == {"attended": 1, "held": 1, "ratio": 1.0}
    next_day = eligibility(client, "ilo", "2022-03-17")
    assert next_day["attendance"] == {"attended": 2, "held": 2, "ratio": 1.0}


def test_a_ratio_at_the_threshold_and_just_under_it(client: TestClient, sec: Headers) -> None:
    # Five Working Group meetings in 2024; ILO attends the first and third, IOM all five.
    days = [date(2024, month, 10) for month in range(1, 6)]
    for i, day in enumerate(days):
        mid = meeting(client, sec, day)
        attend(client, sec, mid, *(["ilo"] if i in (0, 2) else []), "iom", "unhcr")
    # 2 of 4 (the fifth is held on the day itself): exactly 0.5, eligible.
    at = eligibility(client, "ilo", "2024-05-10")
    assert at["attendance"] == {"attended": 2, "held": 4, "ratio": 0.5}
    assert at["eligible"] is True, at
    # 2 of 5 once the fifth is held: under 0.5, not regular.
    under = eligibility(client, "ilo", "2024-05-11")
    assert under["attendance"] == {"attended": 2, "held": 5, "ratio": 0.4}
    assert under["eligible"] is False
    assert under["reasons"] == [
        "Attended 2 of the 5 Working Group meetings of the twelve months before, less than 50%: "
        "not regular participation (ToR 3.D.1)."
    ]
    assert eligibility(client, "iom", "2024-05-11")["eligible"] is True


def test_a_member_not_in_the_working_group_is_not_eligible(
    client: TestClient, y2023: Election
) -> None:
    got = eligibility(client, "unicri", "2022-05-18")
    assert got["eligible"] is False
    assert got["first_participation_on"] is None
    assert any("No voting rights" in r for r in got["reasons"]), got
    assert any("Has not participated" in r for r in got["reasons"]), got


# --- 3. expressions of interest ----------------------------------------------------------------


def test_expressions_of_interest_are_recorded_and_listed_by_year(
    client: TestClient, sec: Headers, keys: Keys, db: Session, registry: Registry
) -> None:
    # ILO's own key expresses ILO's interest on the first day of Q1.
    solo_r = client.post(
        "/v1/chair-candidacies",
        headers=Keys.header(keys.member),
        json=interest(2023, "2022-01-01", "ilo"),
    )
    solo = body_of(solo_r, 201)
    assert solo_r.headers["location"] == f"/v1/chair-candidacies/{solo['id']}"
    assert (solo["term_year"], solo["entity_ids"], solo["submitted_on"]) == (
        2023,
        ["ilo"],
        "2022-01-01",
    )
    # Open, but 30 June 2022 has passed (today is later): it reads not_elected (ToR 3.D.1).
    assert (solo["status"], solo["roles"], solo["election_decision_id"]) == (
        "not_elected",
        None,
        None,
    )
    assert (solo["confirmed_entity_ids"], solo["closed_on"]) == (["ilo"], None)
    # A joint one on the last day of Q1, by ILO's key too (a candidate's own key): it awaits
    # IOM's own expression of interest (ToR 3.D.2).
    joint = express(
        client,
        Keys.header(keys.member),
        interest(2023, "2022-03-31", "ilo", "iom", roles=JOINT_ROLES),
    )
    assert joint["entity_ids"] == ["ilo", "iom"]
    assert joint["roles"] == JOINT_ROLES
    assert (joint["status"], joint["confirmed_entity_ids"], joint["closed_on"]) == (
        "awaiting_confirmation",
        ["ilo"],
        None,
    )
    assert candidacy(client, joint["id"]) == joint
    # IOM confirms in Q1 of the year before the term, not after it (ToR 3.D.1).
    iom = key_of(db, "iom")
    path = f"/v1/chair-candidacies/{joint['id']}/confirm"
    late = registry.refuse(
        path, {"confirmed_on": "2022-04-01"}, status=422, rule="ToR 3.D.1", headers=iom
    )
    assert "not on 2022-04-01" in late["detail"], late
    confirmed = body_of(client.post(path, headers=iom, json={"confirmed_on": "2022-03-31"}), 200)
    assert confirmed["confirmed_entity_ids"] == ["ilo", "iom"]
    # Open now, past its deadline like the solo one.
    assert (confirmed["status"], confirmed["closed_on"]) == ("not_elected", None)
    assert {k: v for k, v in confirmed.items() if k not in ("status", "confirmed_entity_ids")} == {
        k: v for k, v in joint.items() if k not in ("status", "confirmed_entity_ids")
    }
    # A task both co-chairs share is fine: every task has someone. Filed by the secretariat,
    # a joint candidacy needs no confirmation.
    shared = [{"entity_id": "unhcr", "tasks": TASKS}, {"entity_id": "ohchr", "tasks": ["a"]}]
    both = express(client, sec, interest(2023, "2022-02-01", "unhcr", "ohchr", roles=shared))
    assert both["roles"] == shared
    assert (both["status"], both["confirmed_entity_ids"]) == ("not_elected", ["unhcr", "ohchr"])
    later = express(client, sec, interest(2024, "2023-02-01", "iom"))
    assert (later["status"], later["confirmed_entity_ids"]) == ("not_elected", ["iom"])

    listed = all_items(client, "/v1/chair-candidacies", term_year=2023)
    assert [c["id"] for c in listed] == [solo["id"], joint["id"], both["id"]]
    assert [c["id"] for c in all_items(client, "/v1/chair-candidacies", term_year=2024)] == [
        later["id"]
    ]
    assert candidacy(client, joint["id"]) == confirmed


def refusal_cases() -> list[Any]:
    """Expressions of interest for 2023 the ToR refuses: (body, status, rule)."""
    no_m = [
        {"entity_id": "ilo", "tasks": list("abcdef")},
        {"entity_id": "iom", "tasks": list("ghijkl")},
    ]
    others = [{"entity_id": "ilo", "tasks": TASKS}, {"entity_id": "unhcr", "tasks": TASKS}]
    three = [{"entity_id": e, "tasks": TASKS} for e in ("ilo", "iom", "unhcr")]
    return [
        pytest.param(interest(2023, "2022-04-01", "ilo"), 422, "ToR 3.D.1", id="in-april"),
        pytest.param(interest(2023, "2022-06-30", "ilo"), 422, "ToR 3.D.1", id="in-june"),
        pytest.param(interest(2023, "2021-12-31", "ilo"), 422, "ToR 3.D.1", id="two-years-before"),
        pytest.param(interest(2023, "2023-02-15", "ilo"), 422, "ToR 3.D.1", id="q1-of-the-term"),
        pytest.param(
            interest(2023, "2022-02-15", "ilo", "iom", "unhcr", roles=three),
            422,
            "ToR 3.D.2",
            id="three-co-chairs",
        ),
        pytest.param(
            interest(2023, "2022-02-15", "ilo", "iom", roles=no_m),
            422,
            "ToR 3.D.2",
            id="a-task-left-out",
        ),
        pytest.param(
            interest(2023, "2022-02-15", "ilo", "iom"), 422, "ToR 3.D.2", id="joint-without-roles"
        ),
        pytest.param(
            interest(2023, "2022-02-15", "ilo", "iom", roles=others),
            422,
            "ToR 3.D.2",
            id="roles-of-someone-else",
        ),
        pytest.param(
            interest(2023, "2022-02-15", "council-of-europe"), 422, "ToR 3.E.3", id="a-partner"
        ),
        pytest.param(
            interest(
                2023,
                "2022-02-15",
                "ilo",
                "council-of-europe",
                roles=[
                    {"entity_id": "ilo", "tasks": TASKS},
                    {"entity_id": "council-of-europe", "tasks": ["j"]},
                ],
            ),
            422,
            "ToR 3.E.3",
            id="a-member-with-a-partner",
        ),
        # OSCE was a partner in 2016, when it could have expressed interest for 2017.
        pytest.param(interest(2017, "2016-02-15", "osce"), 422, "ToR 3.E.3", id="osce-in-2016"),
    ]


@pytest.mark.parametrize(("body", "status", "rule"), refusal_cases())
def test_an_expression_of_interest_the_tor_refuses_names_its_clause_and_stores_nothing(
    registry: Registry, body: Json, status: int, rule: str
) -> None:
    problem = registry.refuse("/v1/chair-candidacies", body, status=status, rule=rule)
    assert f"({rule})" in problem["detail"]


def test_a_left_out_task_is_named(registry: Registry) -> None:
    roles = [
        {"entity_id": "ilo", "tasks": list("abcdef")},
        {"entity_id": "iom", "tasks": list("hijkl")},
    ]
    body = interest(2023, "2022-02-15", "ilo", "iom", roles=roles)
    problem = registry.refuse("/v1/chair-candidacies", body, status=422, rule="ToR 3.D.2")
    assert "unassigned: g, m" in problem["detail"]


@pytest.mark.parametrize("task", ["n", "z", "A", "", "ab"])
def test_a_task_that_does_not_exist_is_refused_and_nothing_stored(
    registry: Registry, task: str
) -> None:
    roles = [
        {"entity_id": "ilo", "tasks": [*"abcdefg", task]},
        {"entity_id": "iom", "tasks": list("ghijklm")},
    ]
    body = interest(2023, "2022-02-15", "ilo", "iom", roles=roles)
    problem = registry.refuse("/v1/chair-candidacies", body, status=422, rule=None)
    assert problem["errors"][0]["loc"] == ["body", "roles", 0, "tasks", 7], problem


def test_other_bad_expressions_of_interest_are_refused_and_nothing_stored(
    registry: Registry, keys: Keys
) -> None:
    unknown = registry.refuse(
        "/v1/chair-candidacies", interest(2023, "2022-02-15", "nobody"), status=422, rule=None
    )
    assert unknown["errors"][0]["loc"] == ["body", "entity_ids"]
    registry.refuse(
        "/v1/chair-candidacies",
        interest(2023, "2022-02-15", "ilo", "ilo"),
        status=422,
        rule=None,
    )
    # ILO's key may express ILO's interest, not IOM's; the partner's key not ILO's.
    registry.refuse(
        "/v1/chair-candidacies",
        interest(2023, "2022-02-15", "iom"),
        status=403,
        rule=None,
        headers=Keys.header(keys.member),
    )
    registry.refuse(
        "/v1/chair-candidacies",
        interest(2023, "2022-02-15", "ilo"),
        status=403,
        rule=None,
        headers=Keys.header(keys.partner),
    )
    registry.refuse(
        "/v1/chair-candidacies",
        interest(2023, "2022-02-15", "ilo"),
        status=401,
        rule=None,
        headers={},
    )


# --- 4. elections ------------------------------------------------------------------------------


def test_co_chairs_elected_at_a_meeting(client: TestClient, sec: Headers, y2023: Election) -> None:
    taken = decide(client, sec, election(y2023.joint, meeting_id=y2023.fourth))
    assert (taken["kind"], taken["outcome"], taken["decided_on"]) == (
        "chair_election",
        "adopted",
        "2022-05-18",
    )
    assert (taken["procedure"], taken["meeting_id"], taken["confirmed_by"]) == (
        "meeting",
        y2023.fourth,
        "unhcr",
    )
    assert taken["candidacy_id"] == y2023.joint, taken
    assert any("chair term 2023" in e for e in taken["effects"]), taken
    assert f"candidacy {y2023.joint}: elected" in taken["effects"]

    # The term of 2023 exists, with the co-chairs' roles, made by the decision.
    terms = chairs_on(client, "2023-03-01")
    assert len(terms) == 1
    term = terms[0]
    assert (term["start_year"], term["end_year"], term["entity_ids"]) == (
        2023,
        2023,
        ["ilo", "iom"],
    )
    assert term["election_decision_id"] == taken["id"]
    assert [(c["entity_id"], c["tasks"]) for c in term["chairs"]] == [
        ("ilo", list("abcdefg")),
        ("iom", list("ghijklm")),
    ]
    assert chairs_on(client, "2023-12-31") == terms
    # The member list shows them from 1 January 2023; UNHCR still chairs 2022.
    assert listed_chairs(client, "2023-03-01") == ["ilo", "iom"]
    assert listed_chairs(client, "2023-01-01") == ["ilo", "iom"]
    assert listed_chairs(client, "2022-12-31") == ["unhcr"]
    assert listed_chairs(client, "2024-01-01") == []

    elected = candidacy(client, y2023.joint)
    assert (elected["status"], elected["election_decision_id"]) == ("elected", taken["id"])
    assert elected["closed_on"] == "2022-05-18"
    # The other candidacy for 2023 is untouched: still open, it reads not_elected now that 2023
    # has its Chair.
    still_open(client, y2023.solo)
    assert body_of(client.get(f"/v1/decisions/{taken['id']}"), 200) == taken
    listed = all_items(client, "/v1/decisions", kind="chair_election")
    assert [d["id"] for d in listed] == [taken["id"]]
    # The audit trail ties both writes of the election to the decision.
    elect = [
        (e["action"], e["decision_id"], (e["after"] or {}).get("status"))
        for e in audit_of(client, sec, "chair_candidacy", y2023.joint)
    ]
    # (A record shows a candidacy as read that day: 30 June 2022 had passed when it was filed.)
    assert elect == [("create", None, "not_elected"), ("elect", taken["id"], "elected")]
    made = [
        (e["action"], e["decision_id"]) for e in audit_of(client, sec, "chair_term", term["id"])
    ]
    assert made == [("create", taken["id"])]


def test_an_electronic_election_on_30_june(
    client: TestClient, sec: Headers, registry: Registry, y2023: Election
) -> None:
    record = "No meeting could be held: the Working Group elects ILO by silence procedure."
    # Consulting only the entities of the election meeting leaves four voters out (ToR 3.B.3).
    partial = election(
        y2023.solo,
        deadline_on="2022-06-30",
        consulted_entity_ids=["ilo", "iom", "unhcr", "ohchr"],
        record=record,
    )
    problem = registry.refuse("/v1/decisions", partial, status=422, rule="ToR 3.B.3")
    assert problem["detail"].endswith("left out: undp, unfpa, unicef, unodc (ToR 3.B.3)"), problem
    # The whole Working Group is consulted.
    assert voting_on(client, "2022-06-30") == VOTING_2022
    body = {**partial, "consulted_entity_ids": VOTING_2022}
    taken = decide(client, sec, body)
    assert (taken["procedure"], taken["decided_on"], taken["outcome"]) == (
        "electronic",
        "2022-06-30",
        "adopted",
    )
    assert taken["meeting_id"] is None
    assert taken["candidacy_id"] == y2023.solo, taken
    assert (taken["deadline_on"], taken["consulted_entity_ids"]) == ("2022-06-30", VOTING_2022)
    terms = chairs_on(client, "2023-07-01")
    assert [(t["entity_ids"], t["election_decision_id"]) for t in terms] == [(["ilo"], taken["id"])]
    assert terms[0]["chairs"][0]["tasks"] is None
    assert listed_chairs(client, "2023-07-01") == ["ilo"]
    elected = candidacy(client, y2023.solo)
    assert (elected["status"], elected["closed_on"]) == ("elected", "2022-06-30")
    still_open(client, y2023.joint)


def test_a_withdrawn_objection_does_not_block_an_election(
    client: TestClient, sec: Headers, y2023: Election
) -> None:
    objection = {"entity_id": "ohchr", "reason": "Workload.", "withdrawn": True}
    taken = decide(
        client, sec, election(y2023.solo, meeting_id=y2023.fourth, objections=[objection])
    )
    assert taken["outcome"] == "adopted"
    assert taken["objections"] == [objection]
    assert [t["entity_ids"] for t in chairs_on(client, "2023-03-01")] == [["ilo"]]


def test_a_maintained_objection_elects_no_one(
    client: TestClient, sec: Headers, y2023: Election
) -> None:
    objection = {"entity_id": "iom", "reason": "IOM prefers to co-chair.", "withdrawn": False}
    taken = decide(
        client, sec, election(y2023.solo, meeting_id=y2023.fourth, objections=[objection])
    )
    assert taken["outcome"] == "not_adopted"
    # Without consensus nothing follows (ToR 3.B.3): no effect, the candidacy is not closed.
    assert taken["effects"] == []
    # No term: nobody chairs 2023.
    assert chairs_on(client, "2023-03-01") == []
    assert listed_chairs(client, "2023-03-01") == []
    assert [t["start_year"] for t in all_items(client, "/v1/chairs")][-1] == 2022
    still_open(client, y2023.solo)
    # The only write of the decision is the decision itself.
    assert [
        (e["action"], e["decision_id"])
        for e in audit_of(client, sec, "chair_candidacy", y2023.solo)
    ] == [("create", None)]
    assert [
        (e["resource_type"], e["decision_id"])
        for e in all_items(client, "/v1/audit-events", headers=sec)
        if e["decision_id"] == taken["id"]
    ] == [("decision", taken["id"])]
    # The Working Group may then elect the joint candidacy, by 30 June.
    assert voting_on(client, "2022-06-01") == VOTING_2022
    again = decide(
        client,
        sec,
        election(y2023.joint, deadline_on="2022-06-01", consulted_entity_ids=VOTING_2022),
    )
    assert again["outcome"] == "adopted"
    assert [t["entity_ids"] for t in chairs_on(client, "2023-03-01")] == [["ilo", "iom"]]
    # The objected candidacy was never closed; now that 2023 has its Chair it reads not_elected.
    still_open(client, y2023.solo)


def test_a_candidacy_without_consensus_may_be_elected_again_by_30_june(
    client: TestClient, sec: Headers, y2023: Election
) -> None:
    # A maintained objection in March blocks the solo candidacy, which stays open ...
    objection = {"entity_id": "iom", "reason": "Not yet.", "withdrawn": False}
    blocked = decide(
        client, sec, election(y2023.solo, meeting_id=y2023.third, objections=[objection])
    )
    assert (blocked["outcome"], blocked["effects"]) == ("not_adopted", [])
    still_open(client, y2023.solo)
    # ... so the Working Group elects it at its May meeting (ToR 3.D.1).
    taken = decide(client, sec, election(y2023.solo, meeting_id=y2023.fourth))
    assert taken["outcome"] == "adopted", taken
    [term] = chairs_on(client, "2023-03-01")
    assert (term["entity_ids"], term["election_decision_id"]) == (["ilo"], taken["id"])
    assert taken["effects"] == [
        f"chair term 2023: ilo (term {term['id']})",
        f"candidacy {y2023.solo}: elected",
    ]
    elected = candidacy(client, y2023.solo)
    assert (elected["status"], elected["election_decision_id"], elected["closed_on"]) == (
        "elected",
        taken["id"],
        "2022-05-18",
    )


def test_an_election_after_30_june_is_refused_and_nothing_stored(
    registry: Registry, y2023: Election
) -> None:
    at_meeting = registry.refuse(
        "/v1/decisions", election(y2023.solo, meeting_id=y2023.late), status=422, rule="ToR 3.D.1"
    )
    assert "30 June 2022" in at_meeting["detail"]
    # The whole Working Group consulted (ToR 3.B.3), and still too late.
    assert voting_on(registry.client, "2022-07-01") == VOTING_2022
    electronic = election(y2023.solo, deadline_on="2022-07-01", consulted_entity_ids=VOTING_2022)
    late = registry.refuse("/v1/decisions", electronic, status=422, rule="ToR 3.D.1")
    assert "30 June 2022" in late["detail"]
    assert registry.client.get("/v1/chairs", params={"on": "2023-03-01"}).json()["items"] == []
    still_open(registry.client, y2023.solo)


def test_an_election_before_the_year_before_the_term_is_refused(
    client: TestClient, sec: Headers, registry: Registry, y2023: Election
) -> None:
    # Interest in 2024 expressed in Q1 2023, but the decision is dated 2022-05-18.
    later = express(client, sec, interest(2024, "2023-02-01", "iom"))
    registry.refuse(
        "/v1/decisions",
        election(later["id"], meeting_id=y2023.fourth),
        status=422,
        rule="ToR 3.D.1",
    )
    still_open(client, later["id"])


def test_an_election_before_the_interest_was_expressed_is_refused(
    client: TestClient, sec: Headers, registry: Registry, y2023: Election
) -> None:
    # A Working Group meeting on 2022-02-01; ILO expresses its interest on 2022-03-01.
    early = meeting(client, sec, date(2022, 2, 1))
    attend(client, sec, early, "ilo", "iom", "unhcr")
    late_interest = express(client, sec, interest(2023, "2022-03-01", "ilo"))
    registry.refuse(
        "/v1/decisions",
        election(late_interest["id"], meeting_id=early),
        status=422,
        rule="ToR 3.D.1",
    )
    still_open(client, late_interest["id"])


def test_an_election_for_a_year_that_already_has_a_chair_is_refused(
    client: TestClient, sec: Headers, registry: Registry, y2023: Election
) -> None:
    first = decide(client, sec, election(y2023.solo, meeting_id=y2023.fourth))
    assert first["outcome"] == "adopted"
    problem = registry.refuse(
        "/v1/decisions",
        election(y2023.joint, meeting_id=y2023.fourth),
        status=409,
        rule="ToR 3.D.1",
    )
    assert problem["detail"] == "A chair term already covers 2023; one term per year (ToR 3.D.1)"
    still_open(client, y2023.joint)
    # The elected candidacy is not elected twice either.
    twice = registry.refuse(
        "/v1/decisions", election(y2023.solo, meeting_id=y2023.fourth), status=409, rule="ToR 3.D.1"
    )
    assert "already elected" in twice["detail"], twice
    assert [t["entity_ids"] for t in chairs_on(client, "2023-03-01")] == [["ilo"]]


def test_an_election_for_a_year_with_a_recorded_chair_is_refused(
    client: TestClient, sec: Headers, registry: Registry, y2023: Election
) -> None:
    recorded = chair_term(client, sec, 2023, "unicef")
    assert recorded["election_decision_id"] is None
    problem = registry.refuse(
        "/v1/decisions",
        election(y2023.joint, meeting_id=y2023.fourth),
        status=409,
        rule="ToR 3.D.1",
    )
    assert problem["detail"] == "A chair term already covers 2023; one term per year (ToR 3.D.1)"
    assert chairs_on(client, "2023-03-01") == [recorded]
    still_open(client, y2023.joint)


@pytest.mark.parametrize(
    ("entity_ids", "reason"),
    [
        pytest.param(("unicri",), "No voting rights", id="not-enrolled"),
        pytest.param(("icmpd",), "Has not participated", id="enrolled-never-attended"),
        pytest.param(("undp",), "less than one year", id="enrolled-less-than-a-year"),
        pytest.param(("ohchr",), "not regular participation", id="irregular"),
        pytest.param(("ilo", "ohchr"), "not regular participation", id="one-co-chair-irregular"),
    ],
)
def test_an_ineligible_candidate_is_not_elected_and_nothing_stored(
    client: TestClient,
    sec: Headers,
    registry: Registry,
    y2023: Election,
    entity_ids: tuple[str, ...],
    reason: str,
) -> None:
    roles = None
    if len(entity_ids) == 2:
        roles = [{"entity_id": e, "tasks": TASKS} for e in entity_ids]
    filed = express(client, sec, interest(2023, "2022-02-15", *entity_ids, roles=roles))
    problem = registry.refuse(
        "/v1/decisions",
        election(filed["id"], meeting_id=y2023.fourth),
        status=422,
        rule="ToR 3.D.1",
    )
    ineligible = entity_ids[-1]
    assert f"{ineligible} is not eligible to chair on 2022-05-18" in problem["detail"], problem
    assert reason in problem["detail"]
    assert eligibility(client, ineligible, "2022-05-18")["eligible"] is False
    still_open(client, filed["id"])
    assert chairs_on(client, "2023-03-01") == []


def test_undp_becomes_eligible_a_year_after_its_first_meeting(
    client: TestClient, sec: Headers, y2023: Election
) -> None:
    # The counterpart of the refusal above: on 2022-09-15, UNDP has its year.
    assert eligibility(client, "undp", "2022-09-14")["eligible"] is False
    assert eligibility(client, "undp", "2022-09-15")["eligible"] is True


def test_other_bad_elections_are_refused_and_nothing_stored(
    client: TestClient, sec: Headers, registry: Registry, y2023: Election
) -> None:
    # The Working Group elects: not a briefing.
    briefing = registry.refuse(
        "/v1/decisions",
        election(y2023.solo, meeting_id=y2023.briefing),
        status=422,
        rule="ToR 3.D.1",
    )
    assert "not at a briefing meeting" in briefing["detail"], briefing
    # The Chair sitting on the day (UNHCR) confirms, not a candidate.
    registry.refuse(
        "/v1/decisions",
        election(y2023.solo, meeting_id=y2023.fourth, confirmed_by="ilo"),
        status=422,
        rule="ToR 3.B.3",
    )
    # A partner cannot object (ToR 3.B.7).
    objection = {"entity_id": "council-of-europe", "reason": "No.", "withdrawn": False}
    registry.refuse(
        "/v1/decisions",
        election(y2023.solo, meeting_id=y2023.fourth, objections=[objection]),
        status=422,
        rule="ToR 3.B.7",
    )
    unknown = registry.refuse(
        "/v1/decisions", election(2_000_000, meeting_id=y2023.fourth), status=422, rule=None
    )
    assert unknown["errors"][0]["loc"] == ["body", "candidacy_id"]
    # candidacy_id belongs to chair elections, and a chair election needs one.
    general = {**election(y2023.solo, meeting_id=y2023.fourth), "kind": "general"}
    registry.refuse("/v1/decisions", general, status=422, rule=None)
    missing = election(y2023.solo, meeting_id=y2023.fourth)
    del missing["candidacy_id"]
    registry.refuse("/v1/decisions", missing, status=422, rule=None)
    # The register records facts (ToR 3.C.2): no election dated after today, whether
    # electronic or at a meeting still to come, whose attendance cannot be recorded either.
    tomorrow = date.today() + timedelta(days=1)
    ahead = election(y2023.solo, deadline_on=tomorrow.isoformat(), consulted_entity_ids=VOTING_2022)
    future = registry.refuse("/v1/decisions", ahead, status=422, rule="ToR 3.C.2")
    assert f"deadline_on {tomorrow} is after today" in future["detail"], future
    coming = meeting(client, sec, tomorrow)
    items = [{"entity_id": e, "representatives": [f"Delegate of {e}"]} for e in ("ilo", "unhcr")]
    with registry.unchanged():
        r = client.put(f"/v1/meetings/{coming}/attendance", headers=sec, json={"items": items})
        assert body_of(r, 422)["rule"] == "ToR 3.C.2"
    at_coming = registry.refuse(
        "/v1/decisions", election(y2023.solo, meeting_id=coming), status=422, rule="ToR 3.C.2"
    )
    assert f"decided_on {tomorrow} is after today" in at_coming["detail"], at_coming
    still_open(client, y2023.solo)


# --- 5. the sitting chair's powers -------------------------------------------------------------


def test_a_recorded_chair_holds_the_powers_only_in_its_year(
    client: TestClient, sec: Headers, db: Session, registry: Registry
) -> None:
    this_year = date.today().year
    chair_term(client, sec, this_year, "iom")
    # Next year's chair is elected by the Working Group, not recorded (ToR 3.D.1).
    ahead = {"start_year": this_year + 1, "entity_ids": ["ohchr"]}
    problem = registry.refuse("/v1/chair-terms", ahead, status=422, rule="ToR 3.D.1")
    assert f"only terms starting in {this_year} or earlier are recorded" in problem["detail"]
    assert chairs_on(client, f"{this_year + 1}-01-01") == []
    body = {
        "kind": "working_group",
        "title": "Called by the Chair",
        "starts_on": f"{this_year}-12-01",
    }
    created = body_of(client.post("/v1/meetings", headers=key_of(db, "iom"), json=body), 201)
    assert created["title"] == "Called by the Chair"
    # OHCHR, refused as next year's chair, and 2015's chair hold no powers today (an elected
    # chair of next year neither: see the next test).
    for entity_id in ("ohchr", "unhcr"):
        registry.refuse("/v1/meetings", body, status=403, rule=None, headers=key_of(db, entity_id))


def test_an_elected_chair_holds_the_powers_from_1_january_of_its_term(
    client: TestClient, sec: Headers, db: Session, registry: Registry
) -> None:
    # ILO elected in the year before this one for this year; IOM elected this year for the next.
    this_year = date.today().year
    el = build_election(client, sec, this_year)
    ilo_elected = decide(client, sec, election(el.solo, meeting_id=el.fourth))
    assert ilo_elected["outcome"] == "adopted"
    # Neither the interest nor the meeting's attendance is recorded ahead of today (ToR 3.C.2):
    # early in the year, both are today's.
    today = date.today()
    submitted = min(today, date(this_year, 2, 10))
    iom_interest = express(client, sec, interest(this_year + 1, submitted, "iom"))
    mid = meeting(client, sec, min(today, date(this_year, 3, 20)))
    attend(client, sec, mid, "ilo", "iom", "unhcr")
    iom_elected = decide(
        client, sec, election(iom_interest["id"], meeting_id=mid, confirmed_by="ilo")
    )
    assert iom_elected["outcome"] == "adopted", iom_elected
    assert [t["entity_ids"] for t in chairs_on(client, f"{this_year + 1}-01-01")] == [["iom"]]

    body = {
        "kind": "working_group",
        "title": "Called by the Chair",
        "starts_on": f"{this_year}-12-01",
    }
    ilo = key_of(db, "ilo")
    assert (
        body_of(client.post("/v1/meetings", headers=ilo, json=body), 201)["kind"] == "working_group"
    )
    # IOM's term starts on 1 January next year; UNHCR's ended last year.
    for entity_id in ("iom", "unhcr"):
        registry.refuse("/v1/meetings", body, status=403, rule=None, headers=key_of(db, entity_id))


# --- 6. the annual report ----------------------------------------------------------------------


def test_the_2015_report(client: TestClient) -> None:
    r = client.get("/v1/chair-terms/2015/report")
    report = body_of(r, 200)
    assert r.headers["content-type"].startswith("application/json")
    assert report["year"] == 2015
    assert report["chairs"] == ["unhcr"]
    wg = [m for m in report["meetings"] if m["meeting"]["kind"] == "working_group"]
    assert [m["meeting"]["starts_on"] for m in wg] == ["2015-01-19", "2015-07-22", "2015-12-07"]
    for m in wg:
        assert {a["entity_id"] for a in m["attendance"]} == CORE_SIX
        assert {a["capacity"] for a in m["attendance"]} == {"voting_member"}
        assert all(a["representatives"] is None for a in m["attendance"])
    assert all(m["meeting"]["starts_on"].startswith("2015-") for m in report["meetings"])
    [osce] = report["admissions"]
    assert (osce["entity_id"], osce["role"], osce["outcome"], osce["closed_on"]) == (
        "osce",
        "partner",
        "accepted",
        "2015-07-22",
    )
    admitted = [d for d in report["decisions_adopted"] if d["kind"] == "admission"]
    assert [(d["decided_on"], d["confirmed_by"]) for d in admitted] == [("2015-07-22", "unhcr")]
    assert report["decisions_not_adopted"] == []
    assert [(s["entity_id"], s["role"], s["on"]) for s in report["roles_started"]] == [
        ("osce", "partner", "2015-07-22")
    ]
    assert isinstance(report["focal_point_gaps"], list)


def test_the_2015_report_in_markdown(client: TestClient) -> None:
    r = client.get("/v1/chair-terms/2015/report", headers={"Accept": "text/markdown"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/markdown")
    text = r.text
    assert text.startswith("# ICAT Chair's report - 2015 (")
    assert "High Commissioner for Refugees" in text.splitlines()[0]
    for title in (
        "First Working Group meeting of 2015",
        "Second Working Group meeting of 2015",
        "Third Working Group meeting of 2015",
    ):
        assert title in text
    admissions = text.split("## Admissions", 1)[1].split("##", 1)[0]
    assert "Organization for Security and Co-operation in Europe" in admissions
    assert "accepted on 2015-07-22" in admissions


@pytest.mark.parametrize("year", [2006, 2020, 2024])
def test_no_report_for_a_year_without_a_chair(client: TestClient, year: int) -> None:
    for accept in ("application/json", "text/markdown"):
        r = client.get(f"/v1/chair-terms/{year}/report", headers={"Accept": accept})
        assert r.status_code == 404, r.text
        assert r.headers["content-type"].startswith(PROBLEM)


def test_the_report_of_an_election_year_and_of_the_elected_term(
    client: TestClient, sec: Headers, y2023: Election
) -> None:
    blocked = decide(
        client,
        sec,
        election(
            y2023.solo,
            meeting_id=y2023.third,
            objections=[{"entity_id": "iom", "reason": "Later.", "withdrawn": False}],
        ),
    )
    elected = decide(client, sec, election(y2023.joint, meeting_id=y2023.fourth))
    assert client.get("/v1/chair-terms/2023/report").status_code == 200
    of_2022 = body_of(client.get("/v1/chair-terms/2022/report"), 200)
    assert of_2022["chairs"] == ["unhcr"]
    assert [d["id"] for d in of_2022["decisions_adopted"]] == [elected["id"]]
    assert [d["id"] for d in of_2022["decisions_not_adopted"]] == [blocked["id"]]
    assert [m["meeting"]["id"] for m in of_2022["meetings"]] == [
        y2023.third,
        y2023.fourth,
        y2023.briefing,
        y2023.late,
    ]
    of_2023 = body_of(client.get("/v1/chair-terms/2023/report"), 200)
    assert (of_2023["chairs"], of_2023["meetings"]) == (["ilo", "iom"], [])
