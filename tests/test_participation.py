"""Participation in the Working Group (issue 16, ToR 3.B.4, 3.E.2): each enrolled member's
meetings held and attended in a window, with the ratio chair eligibility uses."""

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from icat_api.governance.rules import participation
from tests.builders_tor import attend, meeting
from tests.helpers import PROBLEM, body_of

D = date


def test_the_window_includes_both_ends_and_counts_meetings_held_in_it() -> None:
    held = [D(2015, 1, 19), D(2015, 6, 1), D(2015, 12, 31), D(2016, 1, 1)]
    counted = participation(held, [D(2015, 1, 19), D(2016, 1, 1)], D(2015, 1, 19), D(2015, 12, 31))
    assert (counted.attended, counted.held) == (1, 3)
    assert counted.ratio == pytest.approx(1 / 3)
    none = participation(held, [], D(2014, 1, 1), D(2014, 12, 31))
    assert (none.attended, none.held, none.ratio) == (0, 0, None)
    # An attendance at a meeting outside the window does not count, nor twice the same day.
    twice = participation(
        held, [D(2015, 6, 1), D(2015, 6, 1), D(2014, 5, 5)], D(2015, 1, 1), D(2015, 12, 31)
    )
    assert (twice.attended, twice.held) == (1, 3)


def get(client: TestClient, **params: str) -> Any:
    return body_of(client.get("/v1/working-group/participation", params=params), 200)


def test_each_enrolled_member_with_the_ratio_chair_eligibility_uses(client: TestClient) -> None:
    report = get(client, **{"from": "2015-01-01", "to": "2015-12-31"})
    assert report["starts_on"] == "2015-01-01" and report["ends_on"] == "2015-12-31"
    roster = body_of(client.get("/v1/working-group", params={"on": "2015-12-31"}), 200)
    assert [m["entity_id"] for m in report["members"]] == [
        m["entity_id"] for m in roster["members"]
    ]
    assert report["members"], "the 2015 Working Group has members"
    for m in report["members"]:
        assert m["held"] == report["held"]
        # The same count as chair eligibility's twelve months before 1 January 2016.
        verdict = body_of(
            client.get(
                f"/v1/entities/{m['entity_id']}/chair-eligibility", params={"on": "2016-01-01"}
            ),
            200,
        )
        assert (m["attended"], m["held"]) == (
            verdict["attendance"]["attended"],
            verdict["attendance"]["held"],
        ), m["entity_id"]
        assert m["ratio"] == verdict["attendance"]["ratio"]
        assert m["meets_min_ratio"] == (m["ratio"] is not None and m["ratio"] >= 0.5)
    assert report["min_attendance_ratio"] == 0.5


def test_a_meeting_attended_moves_the_counts(client: TestClient, sec: dict[str, str]) -> None:
    day = date.today() - timedelta(days=2)
    window = {"from": (day - timedelta(days=30)).isoformat(), "to": day.isoformat()}
    before = {m["entity_id"]: m for m in get(client, **window)["members"]}
    assert before, "today's Working Group has members"
    who = sorted(before)[0]
    mid = meeting(client, sec, "working_group", day)
    attend(client, sec, mid, who)
    after = get(client, **window)
    assert after["held"] == before[who]["held"] + 1
    moved = {m["entity_id"]: m for m in after["members"]}
    assert moved[who]["attended"] == before[who]["attended"] + 1
    others = [e for e in moved if e != who]
    assert all(moved[e]["attended"] == before[e]["attended"] for e in others)


def test_the_default_window_is_the_year_to_today(client: TestClient) -> None:
    report = get(client)
    assert report["ends_on"] == date.today().isoformat()
    end = date.today()
    try:
        start = end.replace(year=end.year - 1)
    except ValueError:
        start = end.replace(year=end.year - 1, day=28)
    assert report["starts_on"] == start.isoformat()


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2016-01-01", "to": "2015-12-31"},  # from after to
        {"from": "2015-13-01"},
        {"to": "yesterday"},
        {"from": "1900-01-01"},
        {"to": "2015-1-1"},
    ],
)
def test_bad_windows_are_422(client: TestClient, params: dict[str, str]) -> None:
    r = client.get("/v1/working-group/participation", params=params)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)


def test_a_meeting_called_off_is_no_meeting_held(client: TestClient, sec: dict[str, str]) -> None:
    day = date.today() - timedelta(days=3)
    window = {"from": (day - timedelta(days=30)).isoformat(), "to": day.isoformat()}
    before = get(client, **window)["held"]
    mid = meeting(client, sec, "working_group", day)
    assert get(client, **window)["held"] == before + 1
    r = client.post(
        f"/v1/meetings/{mid}/cancel", json={"reason": "No quorum expected"}, headers=sec
    )
    assert r.status_code == 200, r.text
    assert get(client, **window)["held"] == before
