"""Answers read in bulk give what the rules give one at a time.

The Chair's report reads the attendance of all the year's meetings in one statement and the
voting rights of all their attendees in three: each attendee's capacity must still be the one
the rules give on that meeting's own first day (ToR 3.A.5, 3.B.7). The list of applications
filters on the status as shown in SQL: `introduced` is derived from the next Working Group
meeting after the submission (ToR 3.A.3), and the filtered pages must hold exactly the
applications the unfiltered list shows with that status.
"""

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from icat_api.applications.rules import introduction
from icat_api.entities.service import status_on
from icat_api.governance import facts, rules
from tests.helpers import all_items, body_of
from tests.test_governance import (
    apply,
    attend,
    chair_term,
    make_entity,
    meeting,
)

Headers = dict[str, str]
Json = dict[str, Any]

STATUSES = ("submitted", "introduced", "accepted", "not_accepted", "withdrawn")


def _one_by_one(db: Session, report: Json) -> None:
    """Every attendee of every meeting of ``report`` as the rules give it on that day alone."""
    for m in report["meetings"]:
        day = date.fromisoformat(m["meeting"]["starts_on"])
        names = [a["name"] for a in m["attendance"]]
        assert names == sorted(names)
        for a in m["attendance"]:
            eid = a["entity_id"]
            status = status_on(db, eid, day)
            assert status is not None
            votes = facts.voting_rights(db, [eid], day)[eid].has_voting_rights
            assert a["capacity"] == rules.capacity(status, votes), (m["meeting"]["id"], eid)
            assert a["representatives"] is None


def test_report_capacities_are_those_of_each_meetings_day(
    client: TestClient, sec: Headers, db: Session
) -> None:
    # UNDP, a member, attends a meeting before it confirms its interest in the Working Group
    # and one after: a member without voting rights, then a voting member (ToR 3.B.7).
    chair_term(client, sec, 2023, "ilo")
    make_entity(client, sec, "bulk-ngo", kind="non_governmental", scope=None)
    first = meeting(client, sec, "working_group", "2023-03-15", "2023-03-16")
    body_of(attend(client, sec, first, "ilo", "iom", "undp", "council-of-europe"), 200)
    enrolment = {
        "entity_id": "undp",
        "confirmed_on": "2023-04-01",
        "confirmation_reference": "UNDP/ICAT/2023-04-01",
    }
    body_of(client.post("/v1/working-group/enrolments", headers=sec, json=enrolment), 201)
    second = meeting(client, sec, "working_group", "2023-06-01")
    body_of(attend(client, sec, second, "ilo", "undp", "council-of-europe"), 200)
    briefing = meeting(client, sec, "briefing", "2023-09-01")
    body_of(attend(client, sec, briefing, "undp", "bulk-ngo"), 200)
    empty = meeting(client, sec, "working_group", "2023-11-01")

    report = body_of(client.get("/v1/chair-terms/2023/report"), 200)
    capacity = {
        m["meeting"]["id"]: {a["entity_id"]: a["capacity"] for a in m["attendance"]}
        for m in report["meetings"]
    }
    assert [m["meeting"]["id"] for m in report["meetings"]] == [first, second, briefing, empty]
    assert capacity == {
        first: {
            "ilo": "voting_member",
            "iom": "voting_member",
            "undp": "member",
            "council-of-europe": "observer",
        },
        second: {"ilo": "voting_member", "undp": "voting_member", "council-of-europe": "observer"},
        briefing: {"undp": "voting_member", "bulk-ngo": "guest"},
        empty: {},
    }
    for m in report["meetings"]:  # the same as the meeting's own attendance, people aside
        own = body_of(client.get(f"/v1/meetings/{m['meeting']['id']}/attendance"), 200)
        assert [{**a, "representatives": None} for a in own["items"]] == m["attendance"]
    _one_by_one(db, report)


def test_seeded_report_capacities_are_those_of_each_meetings_day(
    client: TestClient, db: Session
) -> None:
    report = body_of(client.get("/v1/chair-terms/2015/report"), 200)
    assert sum(len(m["attendance"]) for m in report["meetings"]) > 10
    _one_by_one(db, report)


def _pages(client: TestClient, limit: int, **params: Any) -> list[Json]:
    items: list[Json] = []
    query: dict[str, Any] = {"limit": limit, **params}
    while True:
        page = body_of(client.get("/v1/applications", params=query), 200)
        assert len(page["items"]) <= limit
        items.extend(page["items"])
        if page["next_cursor"] is None:
            return items
        assert len(page["items"]) == limit
        query["cursor"] = page["next_cursor"]


def test_application_status_filters_keep_the_status_shown(client: TestClient, sec: Headers) -> None:
    today = date.today()
    past, future = today - timedelta(100), today + timedelta(30)
    for day in (past, today, future):
        meeting(client, sec, "working_group", day.isoformat())
    filed: dict[str, int] = {}
    for eid, submitted in (
        ("bulk-early", today - timedelta(200)),  # introduced at a past meeting
        ("bulk-on-day", past),  # the next meeting after it is today's: introduced today
        ("bulk-today", today),  # the next one is to come: submitted
        ("bulk-gone", today - timedelta(50)),  # withdrawn
    ):
        make_entity(client, sec, eid)
        filed[eid] = int(body_of(apply(client, sec, eid, submitted.isoformat()), 201)["id"])
    withdraw = {"withdrawn_on": today.isoformat()}
    url = f"/v1/applications/{filed['bulk-gone']}/withdraw"
    body_of(client.post(url, headers=sec, json=withdraw), 200)

    everything = all_items(client, "/v1/applications")
    shown = {a["id"]: a for a in everything}
    assert {e: shown[i]["status"] for e, i in filed.items()} == {
        "bulk-early": "introduced",
        "bulk-on-day": "introduced",
        "bulk-today": "submitted",
        "bulk-gone": "withdrawn",
    }
    assert shown[filed["bulk-on-day"]]["introduced_on"] == today.isoformat()
    assert shown[filed["bulk-today"]]["introduced_on"] == future.isoformat()
    assert [a["id"] for a in everything] == sorted(shown)
    for status in STATUSES:
        wanted = [a for a in everything if a["status"] == status]
        for limit in (1, 2, 200):
            assert _pages(client, limit, status=status) == wanted, (status, limit)
    for eid, aid in filed.items():
        status = shown[aid]["status"]
        assert _pages(client, 1, entity_id=eid, status=status) == [shown[aid]]
        others = [s for s in STATUSES if s != status]
        assert all(_pages(client, 1, entity_id=eid, status=s) == [] for s in others)


def test_introductions_read_with_only_the_meetings_they_need(
    client: TestClient, sec: Headers, db: Session
) -> None:
    """Applications are read with the Working Group meetings from their first submission to the
    one after their last (facts.working_group_meetings_after), not every meeting: each one's
    introduction is still the next Working Group meeting after its submission among all of them
    (ToR 3.A.3), in pages of any size and read alone."""
    today = date.today()
    held = [today - timedelta(d) for d in (300, 200, 120, 120, 60, 10)]  # two on one day
    for day in held:
        meeting(client, sec, "working_group", day.isoformat())
    meeting(client, sec, "principals", (today - timedelta(100)).isoformat())  # not one of them
    for n, ago in enumerate((400, 300, 250, 121, 120, 30, 5)):
        make_entity(client, sec, f"intro-{n}")
        body_of(apply(client, sec, f"intro-{n}", (today - timedelta(ago)).isoformat()), 201)

    everything = all_items(client, "/v1/applications")
    every_meeting = facts.working_group_meetings(db)
    for a in everything:
        intro = introduction(every_meeting, date.fromisoformat(a["submitted_on"]))
        assert (a["introduced_at_meeting_id"], a["introduced_on"]) == (
            (intro[0], intro[1].isoformat()) if intro else (None, None)
        )
        assert body_of(client.get(f"/v1/applications/{a['id']}"), 200) == a
    mine = [a for a in everything if a["entity_id"].startswith("intro-")]
    assert len({a["introduced_at_meeting_id"] for a in mine} - {None}) >= 5  # not all alike
    for limit in (1, 2, 3):
        assert _pages(client, limit) == everything
