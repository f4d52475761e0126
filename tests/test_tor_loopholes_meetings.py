"""Working Group decisions belong to its meetings, and keep them (ToR 3.A.3, 3.B.2, 3.B.3,
3.B.5, 3.D.1).

A decision of the Working Group (every kind but `general`) is taken at a `working_group`
meeting or electronically, never at a briefing, a consultation, a principals' or an expert
group meeting. Once a decision is taken at a meeting, the attendance it relied on (an objector,
a participant with voting rights) cannot be removed. Each refusal is tried with the sitting
Chair's key and with a secretariat key, answers problem+json naming the clause, and stores
nothing.
"""

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.builders_tor import (
    CANDIDATE,
    IGO,
    PARTNER,
    RECIPIENT,
    THIRD,
    VOTERS,
    Registry,
    World,
    add_activity,
    apply,
    attend,
    attendance_body,
    attendees,
    build_world,
    create_plan,
    decide,
    decision_body,
    make_entity,
    meeting,
    new_registry,
    objection,
    publication,
)
from tests.conftest import Keys
from tests.helpers import Headers, Json, express, interest

OTHER_KINDS = ("briefing", "consultation", "principals", "expert_group")
RULE_OF_KIND = {
    "admission": "ToR 3.A.3",
    "chair_election": "ToR 3.D.1",
    "work_plan_endorsement": "ToR 3.B.2(a)",
    "budget_allocation": "ToR 3.B.2(b)",
    "funding_approval": "ToR 3.B.5",
    "product_sign_off": "ToR 3.B.5",
}


@pytest.fixture
def world(client: TestClient, db: Session, sec: Headers, keys: Keys) -> World:
    return build_world(client, db, sec, Keys.header(keys.secretariat))


@pytest.fixture
def registry(client: TestClient, sec: Headers) -> Registry:
    return new_registry(client, sec)


@pytest.fixture(params=["chair", "secretariat"])
def writer(request: pytest.FixtureRequest, world: World) -> Headers:
    """The sitting Chair's key, or a secretariat key."""
    return world.chair if request.param == "chair" else world.secretariat


def subject_of(kind: str, client: TestClient, world: World) -> Json:
    """The fields naming a valid subject of ``kind``: one the Working Group could decide at its
    meeting of 18 May."""
    sec = world.sec
    if kind == "admission":
        make_entity(client, sec, IGO)
        filed = apply(client, sec, IGO, world.day(3, 1))  # introduced on 16 March
        return {"application_id": filed["id"]}
    if kind == "chair_election":
        filed = express(client, sec, interest(world.next_year, world.day(2, 15), CANDIDATE))
        return {"candidacy_id": filed["id"]}
    plan = create_plan(client, sec, world.year)
    if kind == "work_plan_endorsement":
        return {"work_plan_id": plan["id"]}
    activity = add_activity(client, sec, plan)
    if kind == "budget_allocation":
        return {"activity_id": activity["id"], "amount": "15000.00", "currency": "USD"}
    if kind == "funding_approval":
        endorsement = decision_body(world.march, "work_plan_endorsement", work_plan_id=plan["id"])
        decide(client, sec, endorsement)
        return {"recipient_entity_id": RECIPIENT, "activity_id": activity["id"]}
    assert kind == "product_sign_off"
    return {"publication_id": publication(client, sec)["id"]}


# --- 1. Working Group decisions at Working Group meetings --------------------------------------


@pytest.mark.parametrize("kind", list(RULE_OF_KIND))
def test_a_working_group_decision_is_refused_at_any_other_meeting(
    client: TestClient, world: World, registry: Registry, writer: Headers, kind: str
) -> None:
    subject = subject_of(kind, client, world)
    for meeting_kind in OTHER_KINDS:
        # 20 May: after the Working Group meeting of 18 May, before 30 June; voting members
        # attend, so only the kind of meeting is wrong.
        other = meeting(client, world.sec, meeting_kind, world.day(5, 20))
        attend(client, world.sec, other, *VOTERS)
        problem = registry.refuse(
            "POST",
            "/v1/decisions",
            decision_body(other, kind, **subject),
            headers=writer,
            status=422,
            rule=RULE_OF_KIND[kind],
        )
        assert problem["detail"]
    # The same decision at the Working Group's own meeting is taken.
    taken = decide(client, writer, decision_body(world.may, kind, **subject))
    assert (taken["kind"], taken["outcome"]) == (kind, "adopted")


def test_a_general_decision_at_a_briefing_is_taken(
    client: TestClient, world: World, writer: Headers
) -> None:
    briefing = meeting(client, world.sec, "briefing", world.day(5, 20))
    attend(client, world.sec, briefing, *VOTERS)
    taken = decide(client, writer, decision_body(briefing))
    assert (taken["kind"], taken["meeting_id"], taken["outcome"]) == (
        "general",
        briefing,
        "adopted",
    )


# --- 6. decisions keep their meeting -----------------------------------------------------------


@pytest.mark.parametrize("withdrawn", [False, True], ids=["maintained", "withdrawn"])
def test_an_objector_cannot_be_removed_from_the_attendance(
    client: TestClient, world: World, registry: Registry, writer: Headers, withdrawn: bool
) -> None:
    objected = decision_body(world.may, objections=[objection(THIRD, withdrawn=withdrawn)])
    taken = decide(client, writer, objected)
    assert taken["outcome"] == ("adopted" if withdrawn else "not_adopted")
    before = attendees(client, world.may)
    without = [e for e in (*VOTERS, PARTNER) if e != THIRD]
    problem = registry.refuse(
        "PUT",
        f"/v1/meetings/{world.may}/attendance",
        attendance_body(*without),
        headers=writer,
        status=409,
        rule="ToR 3.B.3",
    )
    assert THIRD in problem["detail"]
    assert attendees(client, world.may) == before


def test_a_voting_participant_cannot_be_removed_from_the_attendance(
    client: TestClient, world: World, registry: Registry, writer: Headers
) -> None:
    decide(client, writer, decision_body(world.may))
    before = attendees(client, world.may)
    without_ohchr = [e for e in (*VOTERS, PARTNER) if e != "ohchr"]
    for remaining in (without_ohchr, []):
        registry.refuse(
            "PUT",
            f"/v1/meetings/{world.may}/attendance",
            attendance_body(*remaining),
            headers=writer,
            status=409,
            rule="ToR 3.B.3",
        )
    assert attendees(client, world.may) == before


def test_an_observer_may_still_be_removed_after_a_decision(
    client: TestClient, world: World, writer: Headers
) -> None:
    """A partner observes without voting rights (ToR 3.B.7): no decision relied on it."""
    decide(client, writer, decision_body(world.may))
    answer = attend(client, writer, world.may, *VOTERS)
    assert {a["entity_id"] for a in answer["items"]} == set(VOTERS)


def test_attendance_of_a_meeting_without_decisions_may_still_change(
    client: TestClient, world: World, writer: Headers
) -> None:
    decide(client, writer, decision_body(world.may))
    without_ohchr = [e for e in VOTERS if e != "ohchr"]
    answer = attend(client, writer, world.june, *without_ohchr)
    assert {a["entity_id"] for a in answer["items"]} == set(without_ohchr)
    assert CANDIDATE in attendees(client, world.may)


def test_a_meeting_held_cannot_move_ahead_of_today(
    client: TestClient, world: World, registry: Registry, writer: Headers
) -> None:
    """ToR 3.C.2: attendance is recorded once a meeting has begun; the meeting cannot then be
    moved after today. Its days cannot move away from its decisions either (ToR 3.B.3)."""
    tomorrow = str(date.today() + timedelta(days=1))
    path = f"/v1/meetings/{world.may}"
    problem = registry.refuse(
        "PATCH",
        path,
        {"starts_on": tomorrow, "ends_on": tomorrow},
        headers=writer,
        status=422,
        rule="ToR 3.C.2",
    )
    assert "starts_on" in problem["detail"]
    decide(client, writer, decision_body(world.may))
    later = str(world.day(5, 19))
    registry.refuse(
        "PATCH",
        path,
        {"starts_on": later, "ends_on": later},
        headers=writer,
        status=409,
        rule="ToR 3.B.3",
    )
