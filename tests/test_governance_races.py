"""Concurrency against a real server (DESIGN §7): decisions racing on one application admit
it once, and writers racing with the same If-Match lose no update. SQLite or PostgreSQL, as
ICAT_TEST_DATABASE_URL says."""

from collections.abc import Iterator

import pytest

from tests.raceutil import Server, assert_clean_log, assert_problem, ok, race, seeded_server

ADMISSIONS = 8
PATCHES = 10
MEETING_DAY = "2023-05-10"
ATTENDING = ("ilo", "iom", "ohchr", "unhcr", "unicef", "unodc")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with seeded_server("races", tmp_path_factory.mktemp("races")) as server:
        yield server


def test_admission_decisions_racing_on_one_application_admit_it_once(server: Server) -> None:
    with server.client() as c:
        ok(c.post("/v1/chair-terms", json={"start_year": 2023, "entity_ids": ["ilo"]}))
        meeting = ok(
            c.post(
                "/v1/meetings",
                json={
                    "kind": "working_group",
                    "title": "Working Group meeting, May 2023",
                    "starts_on": MEETING_DAY,
                    "mode": "hybrid",
                },
            )
        )
        attendance = ok(
            c.put(
                f"/v1/meetings/{meeting['id']}/attendance",
                json={"items": [{"entity_id": e} for e in ATTENDING]},
            )
        )
        assert {a["capacity"] for a in attendance["items"]} == {"voting_member"}
        ok(
            c.post(
                "/v1/entities",
                json={
                    "id": "sarc-tip",
                    "name": "South Asian anti-trafficking commission",
                    "kind": "intergovernmental",
                    "scope": "regional",
                    "mandate_covers_tip": True,
                },
            )
        )
        application = ok(
            c.post(
                "/v1/applications",
                json={
                    "entity_id": "sarc-tip",
                    "role": "partner",
                    "submitted_on": "2023-02-01",
                    "addressed_to": "chair",
                    "letter_reference": "SARC/2023/01",
                },
            )
        )
        assert application["introduced_at_meeting_id"] == meeting["id"]

    decision = {
        "procedure": "meeting",
        "meeting_id": meeting["id"],
        "kind": "admission",
        "application_id": application["id"],
        "record": "The Working Group accepts the commission as an ICAT partner.",
        "confirmed_by": "ilo",
    }
    answers = race(server, ADMISSIONS, lambda c, _: c.post("/v1/decisions", json=decision))

    created = [r for r in answers if r.status_code == 201]
    assert len(created) == 1, [(r.status_code, r.text[:200]) for r in answers]
    winner = created[0].json()
    assert winner["outcome"] == "adopted"
    assert winner["application_id"] == application["id"]
    for r in answers:
        if r.status_code != 201:
            assert_problem(r, (409,))

    with server.client() as c:
        memberships = ok(c.get("/v1/entities/sarc-tip/memberships"))["items"]
        assert len(memberships) == 1, memberships
        assert memberships[0]["role"] == "partner"
        assert memberships[0]["starts_on"] == MEETING_DAY
        assert memberships[0]["admission_decision_id"] == winner["id"]
        admissions = ok(c.get("/v1/decisions", params={"kind": "admission", "limit": 200}))
        mine = [d for d in admissions["items"] if d["application_id"] == application["id"]]
        assert [d["id"] for d in mine] == [winner["id"]]
        stored = ok(c.get(f"/v1/applications/{application['id']}"))
        assert stored["status"] == "accepted"
        assert stored["decision_id"] == winner["id"]
        assert ok(c.get("/v1/entities/sarc-tip"))["status"] == "partner"
    assert_clean_log(server)


def test_patches_racing_with_the_same_if_match_lose_no_update(server: Server) -> None:
    entity_id = "race-igo"
    with server.client() as c:
        ok(
            c.post(
                "/v1/entities",
                json={
                    "id": entity_id,
                    "name": "An organization raced over",
                    "kind": "intergovernmental",
                    "scope": "global",
                    "mandate_covers_tip": True,
                },
            )
        )
        first = c.get(f"/v1/entities/{entity_id}")
        etag = first.headers["etag"]

    references = [f"Statute, article {100 + i}" for i in range(PATCHES)]
    answers = race(
        server,
        PATCHES,
        lambda c, i: c.patch(
            f"/v1/entities/{entity_id}",
            json={"mandate_reference": references[i]},
            headers={"If-Match": etag},
        ),
    )

    for r in answers:
        if r.status_code != 200:
            assert_problem(r, (412,))
    won = [i for i, r in enumerate(answers) if r.status_code == 200]
    # The same If-Match names one version: after the first write, it is stale for every other.
    assert len(won) == 1, [(r.status_code, r.text[:200]) for r in answers]
    winner = answers[won[0]]
    written = references[won[0]]
    assert winner.json()["mandate_reference"] == written

    with server.client() as c:
        final = ok(c.get(f"/v1/entities/{entity_id}"))
        assert final["mandate_reference"] == written
        events = ok(
            c.get(
                "/v1/audit-events",
                params={
                    "resource_type": "entity",
                    "resource_id": entity_id,
                    "action": "update",
                    "limit": 200,
                },
            )
        )["items"]
        assert len(events) == len(won)
        assert events[0]["after"]["mandate_reference"] == written
        # A write with the new ETag goes through: nothing is left locked or half-done.
        r = c.patch(
            f"/v1/entities/{entity_id}",
            json={"mandate_reference": "Statute, article 1"},
            headers={"If-Match": winner.headers["etag"]},
        )
        assert r.status_code == 200, r.text
    assert_clean_log(server)
