"""The register records facts, not plans (ToR 3.C.2), and history, not the future (ToR 3.D.1).

Attendance, decisions, memberships starting, enrolment confirmations, applications and
candidacies submitted, funds received and milestone reports are never dated after today: today
is accepted, tomorrow refused with rule "ToR 3.C.2" and a detail naming the field. Meetings may
be scheduled ahead. The secretariat records chair terms up to the current year only; a later
term comes from an election. Each refusal answers problem+json and stores nothing.
"""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.builders_tor import (
    CANDIDATE,
    IGO,
    NEVER_CHAIRED,
    RECIPIENT,
    VOTERS,
    Registry,
    World,
    add_activity,
    application_body,
    apply,
    attend,
    attendance_body,
    build_world,
    create_plan,
    decide,
    decision_body,
    electronic_body,
    funding_body,
    make_entity,
    meeting,
    meeting_body,
    new_registry,
    skip_on_the_last_day_of_the_year,
    today,
    tomorrow,
    voting_ids,
)
from tests.conftest import Keys
from tests.helpers import Headers, Json, body_of, express, interest, key_of

FACT = "ToR 3.C.2"


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


# --- meetings, attendance, decisions -----------------------------------------------------------


def test_a_meeting_may_be_scheduled_ahead(
    client: TestClient, world: World, writer: Headers
) -> None:
    for day in (tomorrow(), today() + timedelta(days=90)):
        created = body_of(
            client.post("/v1/meetings", headers=writer, json=meeting_body("working_group", day)),
            201,
        )
        assert created["starts_on"] == str(day)


def test_attendance_is_recorded_from_the_day_a_meeting_starts(
    client: TestClient, world: World, registry: Registry, writer: Headers
) -> None:
    ahead = meeting(client, world.sec, "working_group", tomorrow())
    registry.refuse(
        "PUT",
        f"/v1/meetings/{ahead}/attendance",
        attendance_body(*VOTERS),
        headers=writer,
        status=422,
        rule=FACT,
    )
    assert body_of(client.get(f"/v1/meetings/{ahead}/attendance"), 200)["items"] == []
    on_the_day = meeting(client, world.sec, "working_group", today())
    answer = attend(client, writer, on_the_day, *VOTERS)
    assert {a["entity_id"] for a in answer["items"]} == set(VOTERS)


def test_no_decision_at_a_meeting_that_has_not_begun(
    client: TestClient, world: World, registry: Registry, writer: Headers
) -> None:
    skip_on_the_last_day_of_the_year()
    ahead = meeting(client, world.sec, "working_group", tomorrow())
    registry.refuse(
        "POST", "/v1/decisions", decision_body(ahead), headers=writer, status=422, rule=FACT
    )


def test_a_meeting_decision_is_dated_today_at_the_latest(
    client: TestClient, world: World, registry: Registry, writer: Headers
) -> None:
    skip_on_the_last_day_of_the_year()
    # A two-day meeting that began today: its second day has not come yet.
    running = meeting(client, world.sec, "working_group", today(), tomorrow())
    attend(client, world.sec, running, *VOTERS)
    problem = registry.refuse(
        "POST",
        "/v1/decisions",
        decision_body(running, decided_on=str(tomorrow())),
        headers=writer,
        status=422,
        rule=FACT,
    )
    assert "decided_on" in problem["detail"]
    taken = decide(client, writer, decision_body(running, decided_on=str(today())))
    assert taken["decided_on"] == str(today())


def test_an_electronic_decision_is_taken_once_its_deadline_has_passed(
    client: TestClient, world: World, registry: Registry, writer: Headers
) -> None:
    skip_on_the_last_day_of_the_year()
    ahead = electronic_body(tomorrow(), voting_ids(client, tomorrow()))
    problem = registry.refuse("POST", "/v1/decisions", ahead, headers=writer, status=422, rule=FACT)
    assert "deadline_on" in problem["detail"] or "decided_on" in problem["detail"]
    on_time = electronic_body(today(), voting_ids(client, today()))
    late = {**on_time, "decided_on": str(tomorrow())}
    problem = registry.refuse("POST", "/v1/decisions", late, headers=writer, status=422, rule=FACT)
    assert "decided_on" in problem["detail"]
    taken = decide(client, writer, on_time)
    assert (taken["deadline_on"], taken["decided_on"]) == (str(today()), str(today()))


# --- roles, the Working Group, applications, candidacies --------------------------------------


@pytest.fixture(params=["coordinator", "secretariat"])
def secretariat(request: pytest.FixtureRequest, sec: Headers, keys: Keys) -> Headers:
    """The Coordinator's key (UNODC, ToR 3.C.1), or a secretariat key tied to no entity."""
    return sec if request.param == "coordinator" else Keys.header(keys.secretariat)


def test_a_membership_starts_today_at_the_latest(
    client: TestClient, sec: Headers, registry: Registry, secretariat: Headers
) -> None:
    make_entity(client, sec, IGO)
    path = f"/v1/entities/{IGO}/memberships"
    problem = registry.refuse(
        "POST",
        path,
        {"role": "member", "starts_on": str(tomorrow())},
        headers=secretariat,
        status=422,
        rule=FACT,
    )
    assert "starts_on" in problem["detail"]
    started = client.post(
        path, headers=secretariat, json={"role": "member", "starts_on": str(today())}
    )
    assert body_of(started, 201)["starts_on"] == str(today())


Filer = Callable[[str], Headers]


@pytest.fixture(params=["own", "secretariat"])
def filer(request: pytest.FixtureRequest, db: Session, keys: Keys) -> Filer:
    """The key that files an entity's own paper: the entity's own, or a secretariat key."""

    def key(entity_id: str) -> Headers:
        return key_of(db, entity_id) if request.param == "own" else Keys.header(keys.secretariat)

    return key


def test_an_enrolment_is_confirmed_today_at_the_latest(
    client: TestClient, registry: Registry, filer: Filer
) -> None:
    headers = filer(NEVER_CHAIRED)

    def enrolment(day: date) -> Json:
        return {
            "entity_id": NEVER_CHAIRED,
            "confirmed_on": str(day),
            "confirmation_reference": f"UNFPA/ED/{day}",
        }

    problem = registry.refuse(
        "POST",
        "/v1/working-group/enrolments",
        enrolment(tomorrow()),
        headers=headers,
        status=422,
        rule=FACT,
    )
    assert "confirmed_on" in problem["detail"]
    created = client.post("/v1/working-group/enrolments", headers=headers, json=enrolment(today()))
    assert body_of(created, 201)["confirmed_on"] == str(today())


def test_an_application_is_submitted_today_at_the_latest(
    client: TestClient, sec: Headers, registry: Registry, filer: Filer
) -> None:
    make_entity(client, sec, IGO)
    headers = filer(IGO)
    problem = registry.refuse(
        "POST",
        "/v1/applications",
        application_body(IGO, tomorrow()),
        headers=headers,
        status=422,
        rule=FACT,
    )
    assert "submitted_on" in problem["detail"]
    assert apply(client, headers, IGO, today())["submitted_on"] == str(today())


def test_a_candidacy_is_submitted_today_at_the_latest(
    client: TestClient, registry: Registry, filer: Filer
) -> None:
    headers = filer(CANDIDATE)
    # Q1 of next year, for the term after: the right quarter, but not yet come.
    year = today().year
    ahead = interest(year + 2, date(year + 1, 1, 1), CANDIDATE)
    problem = registry.refuse(
        "POST", "/v1/chair-candidacies", ahead, headers=headers, status=422, rule=FACT
    )
    assert "submitted_on" in problem["detail"]
    # The latest day of this year's Q1 that has come: today, while in Q1.
    latest = min(today(), date(year, 3, 31))
    filed = express(client, headers, interest(year + 1, latest, CANDIDATE))
    assert filed["submitted_on"] == str(latest)


# --- funds and milestone reports ---------------------------------------------------------------


def approved_activity(client: TestClient, world: World) -> tuple[int, int]:
    """An activity of this year's endorsed work plan, and the approval to receive funds for it,
    both decided at the Working Group meeting of 16 March."""
    plan = create_plan(client, world.sec, world.year)
    activity = add_activity(client, world.sec, plan)
    decide(
        client,
        world.sec,
        decision_body(world.march, "work_plan_endorsement", work_plan_id=plan["id"]),
    )
    approval = decide(
        client,
        world.sec,
        decision_body(
            world.march,
            "funding_approval",
            recipient_entity_id=RECIPIENT,
            activity_id=activity["id"],
        ),
    )
    return int(activity["id"]), int(approval["id"])


def test_funds_are_received_today_at_the_latest(
    client: TestClient, world: World, registry: Registry, filer: Filer
) -> None:
    headers = filer(RECIPIENT)
    activity_id, approval_id = approved_activity(client, world)
    problem = registry.refuse(
        "POST",
        "/v1/funding",
        funding_body(approval_id, activity_id, tomorrow()),
        headers=headers,
        status=422,
        rule=FACT,
    )
    assert "received_on" in problem["detail"]
    funds = body_of(
        client.post(
            "/v1/funding", headers=headers, json=funding_body(approval_id, activity_id, today())
        ),
        201,
    )
    assert funds["received_on"] == str(today())


def test_a_milestone_is_reported_today_at_the_latest(
    client: TestClient, world: World, registry: Registry, filer: Filer
) -> None:
    headers = filer(RECIPIENT)
    activity_id, approval_id = approved_activity(client, world)
    received = world.day(4, 1)
    funds = body_of(
        client.post(
            "/v1/funding", headers=world.sec, json=funding_body(approval_id, activity_id, received)
        ),
        201,
    )
    path = f"/v1/funding/{funds['id']}/milestone-reports"

    def report(day: date) -> Json:
        milestone_id = funds["milestones"][0]["id"]
        return {"milestone_id": milestone_id, "reported_on": str(day), "narrative": "Delivered."}

    problem = registry.refuse(
        "POST", path, report(tomorrow()), headers=headers, status=422, rule=FACT
    )
    assert "reported_on" in problem["detail"]
    assert body_of(client.post(path, headers=headers, json=report(today())), 201)[
        "reported_on"
    ] == str(today())


# --- chair terms (ToR 3.D.1) -------------------------------------------------------------------


def test_the_secretariat_records_chair_terms_up_to_the_current_year(
    client: TestClient, sec: Headers, registry: Registry, secretariat: Headers
) -> None:
    year = today().year
    registry.refuse(
        "POST",
        "/v1/chair-terms",
        {"start_year": year + 1, "entity_ids": [CANDIDATE]},
        headers=secretariat,
        status=422,
        rule="ToR 3.D.1",
    )
    recorded = body_of(
        client.post(
            "/v1/chair-terms",
            headers=secretariat,
            json={"start_year": year, "entity_ids": [CANDIDATE]},
        ),
        201,
    )
    assert (recorded["start_year"], recorded["entity_ids"]) == (year, [CANDIDATE])
