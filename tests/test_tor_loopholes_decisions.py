"""Consensus among all who vote, candidates who speak for themselves, and failed consensus that
closes nothing (ToR 3.A.3, 3.B.3, 3.D.1, 3.D.2).

Electronically, every entity with voting rights on the deadline day is consulted. A joint
expression of interest filed by one candidate awaits the other's confirmation and cannot be
elected before. A decision that is not adopted records that consensus was not reached: the
application or candidacy stays open and may be decided again; an admission adopted with
`accept: false` turns the application down. Refusals answer problem+json, store nothing, and are
tried with the sitting Chair's key and with a secretariat key.
"""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.builders_tor import (
    CANDIDATE,
    CO_CANDIDATE,
    IGO,
    JOINT_ROLES,
    THIRD,
    Registry,
    World,
    application,
    apply,
    build_world,
    decide,
    decision_body,
    election_body,
    electronic_body,
    make_entity,
    memberships,
    new_registry,
    objection,
    open_status,
    voting_ids,
)
from tests.conftest import Keys
from tests.helpers import Headers, Json, all_items, body_of, candidacy, express, interest, key_of


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


def chairs_of(client: TestClient, year: int) -> list[list[str]]:
    terms = body_of(client.get("/v1/chairs", params={"on": f"{year}-03-01"}), 200)["items"]
    return [t["entity_ids"] for t in terms]


# --- 4. electronically, everyone who votes is consulted ----------------------------------------


def test_an_electronic_decision_consults_everyone_with_voting_rights(
    client: TestClient, world: World, registry: Registry, writer: Headers
) -> None:
    deadline = world.day(4, 20)
    voters = voting_ids(client, deadline)
    assert len(voters) >= 3, voters
    left_out = voters[-2:]
    consulted = voters[:-2]
    problem = registry.refuse(
        "POST",
        "/v1/decisions",
        electronic_body(deadline, consulted),
        headers=writer,
        status=422,
        rule="ToR 3.B.3",
    )
    for entity_id in left_out:
        assert entity_id in problem["detail"], problem
    taken = decide(client, writer, electronic_body(deadline, voters))
    assert (taken["outcome"], taken["decided_on"]) == ("adopted", str(deadline))
    assert sorted(taken["consulted_entity_ids"]) == voters


# --- 5. a joint candidacy: each candidate speaks for itself ------------------------------------


def joint(world: World) -> Json:
    return interest(world.next_year, world.day(2, 15), CANDIDATE, CO_CANDIDATE, roles=JOINT_ROLES)


def filed_by_the_first_candidate(client: TestClient, db: Session, world: World) -> Json:
    return express(client, key_of(db, CANDIDATE), joint(world))


def test_a_joint_candidacy_filed_by_one_candidate_awaits_the_other(
    client: TestClient, db: Session, world: World
) -> None:
    filed = filed_by_the_first_candidate(client, db, world)
    assert (filed["entity_ids"], filed["status"]) == (
        [CANDIDATE, CO_CANDIDATE],
        "awaiting_confirmation",
    )
    assert candidacy(client, filed["id"])["status"] == "awaiting_confirmation"


def test_an_unconfirmed_joint_candidacy_cannot_be_elected(
    client: TestClient, db: Session, world: World, registry: Registry, writer: Headers
) -> None:
    filed = filed_by_the_first_candidate(client, db, world)
    registry.refuse(
        "POST",
        "/v1/decisions",
        election_body(world.may, filed["id"]),
        headers=writer,
        status=422,
        rule="ToR 3.D.2",
    )
    assert candidacy(client, filed["id"])["status"] == "awaiting_confirmation"
    assert chairs_of(client, world.next_year) == []
    # The same joint candidacy filed by the secretariat is elected at that meeting.
    by_secretariat = express(client, world.secretariat, joint(world))
    elected = decide(client, writer, election_body(world.may, by_secretariat["id"]))
    assert elected["outcome"] == "adopted"
    assert chairs_of(client, world.next_year) == [[CANDIDATE, CO_CANDIDATE]]


def test_the_co_candidate_confirms_a_joint_candidacy(
    client: TestClient, db: Session, world: World, writer: Headers
) -> None:
    filed = filed_by_the_first_candidate(client, db, world)
    path = f"/v1/chair-candidacies/{filed['id']}/confirm"
    # Its own expression of interest, in Q1 too (ToR 3.D.1).
    body = {"confirmed_on": str(world.day(2, 20))}
    confirmed = body_of(client.post(path, headers=key_of(db, CO_CANDIDATE), json=body), 200)
    assert (confirmed["id"], confirmed["status"]) == (filed["id"], open_status(world.next_year))
    assert candidacy(client, filed["id"])["status"] == open_status(world.next_year)
    # Now both have spoken: the Working Group elects them.
    elected = decide(client, writer, election_body(world.may, filed["id"]))
    assert elected["outcome"] == "adopted"
    assert chairs_of(client, world.next_year) == [[CANDIDATE, CO_CANDIDATE]]


def test_no_one_else_confirms_for_the_co_candidate(
    client: TestClient, db: Session, world: World, registry: Registry
) -> None:
    filed = filed_by_the_first_candidate(client, db, world)
    registry.refuse(
        "POST",
        f"/v1/chair-candidacies/{filed['id']}/confirm",
        {},
        headers=key_of(db, THIRD),
        status=403,
        rule=None,
    )
    assert candidacy(client, filed["id"])["status"] == "awaiting_confirmation"


@pytest.mark.parametrize("who", [CANDIDATE, CO_CANDIDATE, "secretariat"])
def test_either_candidate_or_the_secretariat_withdraws_a_joint_candidacy(
    client: TestClient, db: Session, world: World, who: str
) -> None:
    filed = filed_by_the_first_candidate(client, db, world)
    headers = world.secretariat if who == "secretariat" else key_of(db, who)
    path = f"/v1/chair-candidacies/{filed['id']}/withdraw"
    withdrawn = body_of(client.post(path, headers=headers, json={}), 200)
    assert withdrawn["status"] == "withdrawn"
    assert candidacy(client, filed["id"])["status"] == "withdrawn"


def test_no_one_else_withdraws_a_joint_candidacy(
    client: TestClient, db: Session, world: World, registry: Registry
) -> None:
    filed = filed_by_the_first_candidate(client, db, world)
    registry.refuse(
        "POST",
        f"/v1/chair-candidacies/{filed['id']}/withdraw",
        {},
        headers=key_of(db, THIRD),
        status=403,
        rule=None,
    )
    assert candidacy(client, filed["id"])["status"] == "awaiting_confirmation"


def test_a_joint_candidacy_filed_by_the_secretariat_is_a_candidacy_at_once(
    client: TestClient, world: World, writer: Headers
) -> None:
    filed = express(client, world.secretariat, joint(world))
    assert filed["status"] == open_status(world.next_year)
    elected = decide(client, writer, election_body(world.may, filed["id"]))
    assert elected["outcome"] == "adopted"
    assert candidacy(client, filed["id"])["status"] == "elected"


# --- 7. failed consensus closes nothing --------------------------------------------------------


def test_a_blocked_admission_leaves_the_application_open(
    client: TestClient, world: World, writer: Headers
) -> None:
    make_entity(client, world.sec, IGO)
    filed = apply(client, world.sec, IGO, world.day(3, 1))  # introduced on 16 March
    blocked = decide(
        client,
        writer,
        decision_body(
            world.march, "admission", application_id=filed["id"], objections=[objection(THIRD)]
        ),
    )
    assert blocked["outcome"] == "not_adopted"
    still = application(client, filed["id"])
    assert (still["status"], still["closed_on"]) == ("introduced", None)
    assert memberships(client, IGO) == []
    # Consensus is found at the next Working Group meeting.
    admitted = decide(
        client, writer, decision_body(world.may, "admission", application_id=filed["id"])
    )
    assert admitted["outcome"] == "adopted"
    accepted = application(client, filed["id"])
    assert (accepted["status"], accepted["decision_id"], accepted["closed_on"]) == (
        "accepted",
        admitted["id"],
        str(world.day(5, 18)),
    )
    spans = memberships(client, IGO)
    assert [(m["role"], m["starts_on"], m["admission_decision_id"]) for m in spans] == [
        ("member", str(world.day(5, 18)), admitted["id"])
    ]


def test_an_admission_adopted_not_to_accept_turns_the_application_down(
    client: TestClient, world: World, writer: Headers
) -> None:
    make_entity(client, world.sec, IGO)
    filed = apply(client, world.sec, IGO, world.day(3, 1))
    refused = decide(
        client,
        writer,
        decision_body(world.march, "admission", application_id=filed["id"], accept=False),
    )
    assert refused["outcome"] == "adopted"
    closed = application(client, filed["id"])
    assert (closed["status"], closed["decision_id"], closed["closed_on"]) == (
        "not_accepted",
        refused["id"],
        str(world.day(3, 16)),
    )
    assert memberships(client, IGO) == []
    entity = body_of(client.get(f"/v1/entities/{IGO}", params={"on": str(world.day(3, 16))}), 200)
    assert entity["status"] == "stakeholder"


def test_a_blocked_election_leaves_the_candidacy_open(
    client: TestClient, world: World, writer: Headers
) -> None:
    filed = express(client, world.sec, interest(world.next_year, world.day(2, 15), CANDIDATE))
    assert filed["status"] == open_status(world.next_year)
    blocked = decide(
        client, writer, election_body(world.may, filed["id"], objections=[objection(THIRD)])
    )
    assert blocked["outcome"] == "not_adopted"
    assert candidacy(client, filed["id"])["status"] == open_status(world.next_year)
    assert chairs_of(client, world.next_year) == []
    # Elected at the Working Group meeting of 20 June, before 30 June.
    elected = decide(client, writer, election_body(world.june, filed["id"]))
    assert elected["outcome"] == "adopted"
    assert candidacy(client, filed["id"])["status"] == "elected"
    assert chairs_of(client, world.next_year) == [[CANDIDATE]]
    elections = all_items(client, "/v1/decisions", kind="chair_election")
    assert [d["id"] for d in elections][-2:] == [blocked["id"], elected["id"]]
