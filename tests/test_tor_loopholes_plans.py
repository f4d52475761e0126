"""Work plans, funds and the records of what decisions changed (ToR 3.B.2(a), 3.B.5, 3.C.2,
3.D.3(e)).

Endorsed work plans never cover the same year twice. The Chair sitting when a draft is created
and, once elected, the successive Chair co-lead it: no one else. Funds are received on ICAT's
behalf only for an activity of an endorsed plan, with the Working Group's approval for that very
activity. Every row an adopted decision changes has its own audit event carrying the decision's
id. Refusals answer problem+json, store nothing, and are tried with the sitting Chair's key (or
the recipient's, for funds) and with a secretariat key.
"""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.builders_tor import (
    CANDIDATE,
    CHAIR,
    IGO,
    NEVER_CHAIRED,
    NGO,
    PARTNER,
    RECIPIENT,
    Registry,
    World,
    add_activity,
    apply,
    audit_events,
    build_world,
    create_plan,
    decide,
    decision_body,
    election_body,
    funding_body,
    make_entity,
    make_ngo,
    memberships,
    new_registry,
    plan_body,
    publication,
)
from tests.conftest import Keys
from tests.helpers import Headers, Json, body_of, express, interest, key_of

PLAN_RULE = "ToR 3.B.2(a)"
CO_LEAD_RULE = "ToR 3.D.3(e)"
FUNDS_RULE = "ToR 3.B.5"


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


def endorse(client: TestClient, headers: Headers, meeting_id: int, plan: Json) -> Json:
    body = decision_body(meeting_id, "work_plan_endorsement", work_plan_id=plan["id"])
    taken = decide(client, headers, body)
    assert taken["outcome"] == "adopted"
    return taken


def plan_status(client: TestClient, plan: Json) -> str:
    return str(body_of(client.get(f"/v1/work-plans/{plan['id']}"), 200)["status"])


# --- 8. work plans -----------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [-1, 1], ids=["the-year-before", "the-year-after"])
def test_endorsed_work_plans_never_overlap(
    client: TestClient, world: World, registry: Registry, writer: Headers, offset: int
) -> None:
    endorse(client, world.sec, world.march, create_plan(client, world.sec, world.year))
    overlapping = create_plan(client, world.sec, world.year + offset)
    body = decision_body(world.may, "work_plan_endorsement", work_plan_id=overlapping["id"])
    registry.refuse("POST", "/v1/decisions", body, headers=writer, status=409, rule=PLAN_RULE)
    assert plan_status(client, overlapping) == "draft"
    # The next period is free.
    following = create_plan(client, world.sec, world.year + 2)
    endorse(client, writer, world.may, following)
    assert plan_status(client, following) == "endorsed"


@pytest.mark.parametrize(
    "outsider",
    [NGO, PARTNER, NEVER_CHAIRED, CANDIDATE],
    ids=["civil-society", "a-partner", "a-member-that-never-chaired", "a-past-chair"],
)
def test_only_the_chairs_co_lead_a_work_plan(
    client: TestClient, world: World, registry: Registry, writer: Headers, outsider: str
) -> None:
    make_ngo(client, world.sec)
    for co_leads in ((CHAIR, outsider), (outsider,)):
        problem = registry.refuse(
            "POST",
            "/v1/work-plans",
            plan_body(world.year, *co_leads),
            headers=writer,
            status=422,
            rule=CO_LEAD_RULE,
        )
        assert outsider in problem["detail"]


def test_the_sitting_chair_and_the_successive_chair_co_lead_a_work_plan(
    client: TestClient, world: World, writer: Headers
) -> None:
    alone = create_plan(client, writer, world.next_year, CHAIR)
    assert alone["co_lead_entity_ids"] == [CHAIR]
    filed = express(client, world.sec, interest(world.next_year, world.day(2, 15), CANDIDATE))
    decide(client, world.sec, election_body(world.may, filed["id"]))
    together = create_plan(client, writer, world.next_year, CHAIR, CANDIDATE)
    assert together["co_lead_entity_ids"] == [CHAIR, CANDIDATE]


# --- 9. funds for the work plan ----------------------------------------------------------------


def approval_body(world: World, activity_id: int | None) -> Json:
    fields: Json = {"recipient_entity_id": RECIPIENT}
    if activity_id is not None:
        fields["activity_id"] = activity_id
    return decision_body(world.march, "funding_approval", **fields)


def test_a_funding_approval_names_an_activity_of_an_endorsed_plan(
    client: TestClient, world: World, registry: Registry, writer: Headers
) -> None:
    endorsed = create_plan(client, world.sec, world.year)
    endorsed_activity = add_activity(client, world.sec, endorsed)
    endorse(client, world.sec, world.march, endorsed)
    draft_activity = add_activity(client, world.sec, create_plan(client, world.sec, world.year))
    registry.refuse(
        "POST",
        "/v1/decisions",
        approval_body(world, None),
        headers=writer,
        status=422,
        rule=None,  # a field the funding_approval body requires: activity_id
    )
    registry.refuse(
        "POST",
        "/v1/decisions",
        approval_body(world, draft_activity["id"]),
        headers=writer,
        status=422,
        rule=FUNDS_RULE,
    )
    approved = decide(client, writer, approval_body(world, endorsed_activity["id"]))
    assert (approved["outcome"], approved["activity_id"]) == ("adopted", endorsed_activity["id"])


@pytest.mark.parametrize("filer", ["recipient", "secretariat"])
def test_funds_are_received_for_the_approved_activity(
    client: TestClient, db: Session, world: World, registry: Registry, filer: str
) -> None:
    headers = key_of(db, RECIPIENT) if filer == "recipient" else world.secretariat
    plan = create_plan(client, world.sec, world.year)
    approved_activity = add_activity(client, world.sec, plan)
    other_activity = add_activity(client, world.sec, plan)
    endorse(client, world.sec, world.march, plan)
    approval = decide(client, world.sec, approval_body(world, approved_activity["id"]))
    received = world.day(4, 1)
    unapproved = registry.refuse(
        "POST",
        "/v1/funding",
        funding_body(None, approved_activity["id"], received),
        headers=headers,
        status=422,
        rule=FUNDS_RULE,
    )
    assert unapproved["detail"]
    registry.refuse(
        "POST",
        "/v1/funding",
        funding_body(approval["id"], other_activity["id"], received),
        headers=headers,
        status=422,
        rule=FUNDS_RULE,
    )
    funds = body_of(
        client.post(
            "/v1/funding",
            headers=headers,
            json=funding_body(approval["id"], approved_activity["id"], received),
        ),
        201,
    )
    assert (funds["approval_decision_id"], funds["activity_id"]) == (
        approval["id"],
        approved_activity["id"],
    )


# --- 10. every effect of a decision is on the record -------------------------------------------


def events_of(
    client: TestClient, world: World, resource_type: str, resource_id: object
) -> list[Json]:
    return audit_events(
        client, world.sec, resource_type=resource_type, resource_id=str(resource_id)
    )


def assert_audited(
    client: TestClient, world: World, resource_type: str, resource_id: object, decision_id: int
) -> None:
    """The resource has an event of the decision's effect, carrying the decision's id."""
    events = events_of(client, world, resource_type, resource_id)
    carried = [e.get("decision_id") for e in events]
    assert decision_id in carried, (resource_type, resource_id, events)


def test_an_admission_is_recorded_on_the_membership_and_the_application(
    client: TestClient, world: World, writer: Headers
) -> None:
    make_entity(client, world.sec, IGO)
    filed = apply(client, world.sec, IGO, world.day(3, 1))
    admitted = decide(
        client, writer, decision_body(world.march, "admission", application_id=filed["id"])
    )
    [span] = memberships(client, IGO)
    assert_audited(client, world, "membership", span["id"], admitted["id"])
    assert_audited(client, world, "application", filed["id"], admitted["id"])


def test_a_partner_admitted_as_member_has_both_spans_recorded(
    client: TestClient, world: World, writer: Headers
) -> None:
    filed = apply(client, world.sec, PARTNER, world.day(3, 1))
    admitted = decide(
        client, writer, decision_body(world.march, "admission", application_id=filed["id"])
    )
    spans = memberships(client, PARTNER)
    assert [s["role"] for s in spans] == ["partner", "member"]
    for span in spans:
        assert_audited(client, world, "membership", span["id"], admitted["id"])


def test_an_election_is_recorded_on_the_term_and_the_candidacy(
    client: TestClient, world: World, writer: Headers
) -> None:
    filed = express(client, world.sec, interest(world.next_year, world.day(2, 15), CANDIDATE))
    elected = decide(client, writer, election_body(world.may, filed["id"]))
    [term] = body_of(client.get("/v1/chairs", params={"on": f"{world.next_year}-01-01"}), 200)[
        "items"
    ]
    assert term["election_decision_id"] == elected["id"]
    assert_audited(client, world, "chair_term", term["id"], elected["id"])
    assert_audited(client, world, "chair_candidacy", filed["id"], elected["id"])


def test_an_endorsement_is_recorded_on_the_work_plan(
    client: TestClient, world: World, writer: Headers
) -> None:
    plan = create_plan(client, world.sec, world.year)
    endorsement = endorse(client, writer, world.march, plan)
    assert_audited(client, world, "work_plan", plan["id"], endorsement["id"])


def test_a_sign_off_is_recorded_on_the_publication(
    client: TestClient, world: World, writer: Headers
) -> None:
    product = publication(client, world.sec)
    body = decision_body(world.march, "product_sign_off", publication_id=product["id"])
    signed = decide(client, writer, body)
    assert signed["outcome"] == "adopted"
    assert_audited(client, world, "publication", product["id"], signed["id"])
