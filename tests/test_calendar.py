"""GET /v1/calendar.ics: meetings and electronic-procedure deadlines as all-day events, read back
with the icalendar library as a calendar application would."""

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar, Event

from icat_api.calendar.service import meeting_event
from icat_api.governance.models import Meeting
from tests.helpers import PROBLEM, Headers, Json, all_items, body_of, decide_electronically

PATH = "/v1/calendar.ics"


def calendar(client: TestClient, **headers: str) -> Calendar:
    r = client.get(PATH, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    parsed: Calendar = Calendar.from_ical(r.content)
    return parsed


def events(cal: Calendar) -> dict[str, Event]:
    """The calendar's events by UID (each UID once)."""
    found = cal.events
    by_uid = {str(e["uid"]): e for e in found}
    assert len(by_uid) == len(found), "a UID used twice"
    return by_uid


def day(event: Event, name: str) -> date:
    value: Any = event.decoded(name)
    assert type(value) is date, f"{name} is not an all-day date: {value!r}"  # not a datetime
    assert event[name].params.get("VALUE") == "DATE" or "VALUE" not in event[name].params
    return value


def moment(text: str) -> datetime:
    """A JSON timestamp to the second, as iCalendar keeps it."""
    return datetime.fromisoformat(text).replace(microsecond=0)


def test_every_meeting_is_an_all_day_event(client: TestClient) -> None:
    meetings = all_items(client, "/v1/meetings")
    assert len(meetings) >= 5  # the seeded meetings of 2015
    found = events(calendar(client))
    for m in meetings:
        event = found[f"meeting-{m['id']}@icat.network"]
        assert day(event, "dtstart") == date.fromisoformat(m["starts_on"])
        # DTEND is exclusive: the day after the last day.
        assert day(event, "dtend") == date.fromisoformat(m["ends_on"]) + timedelta(days=1)
        assert str(event["summary"]) == m["title"]
        assert event.get("location") == m["location"]
        assert event.decoded("dtstamp") == moment(m["updated_at"])
        assert event.decoded("last-modified") == moment(m["updated_at"])
        description = str(event["description"])
        assert f"/v1/meetings/{m['id']}" in description
        assert m["mode"].replace("_", " ") in description
        assert "STATUS" not in event  # none is cancelled or postponed
    multi_day = [m for m in meetings if m["ends_on"] != m["starts_on"]]
    assert multi_day, "the seed has a meeting of several days"


def test_the_calendar_reads_as_icat(client: TestClient) -> None:
    cal = calendar(client)
    assert str(cal["version"]) == "2.0"
    assert str(cal["prodid"]) == "-//ICAT//ICAT registry API//EN"
    assert str(cal["x-wr-calname"]) == "ICAT meetings and deadlines"
    described = {str(e["summary"]): str(e["description"]) for e in cal.events}
    about = described["Second Working Group meeting of 2015"]
    assert about.startswith("Working Group meeting, in person.\n\n")
    expert = described["Expert group meeting on Evaluation of Anti-trafficking Responses"]
    assert expert.startswith("Expert group meeting, ")


def test_uids_stay_the_same_across_requests_and_edits(client: TestClient, sec: Headers) -> None:
    first = client.get(PATH)
    again = client.get(PATH)
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    before = events(Calendar.from_ical(first.content))

    meeting = all_items(client, "/v1/meetings")[0]
    uid = f"meeting-{meeting['id']}@icat.network"
    edited = body_of(
        client.patch(
            f"/v1/meetings/{meeting['id']}",
            headers=sec,
            json={"title": "Renamed meeting", "location": "Vienna"},
        ),
        200,
    )
    added = body_of(
        client.post(
            "/v1/meetings",
            headers=sec,
            json={
                "kind": "briefing",
                "title": "Briefing of Member States",
                "starts_on": "2016-03-01",
                "ends_on": "2016-03-02",
                "mode": "virtual",
            },
        ),
        201,
    )

    after_edit = client.get(PATH)
    assert after_edit.headers["etag"] != first.headers["etag"]
    after = events(Calendar.from_ical(after_edit.content))
    new_uid = f"meeting-{added['id']}@icat.network"
    assert set(after) == set(before) | {new_uid}
    assert str(before[uid]["summary"]) == meeting["title"]
    assert str(after[uid]["summary"]) == "Renamed meeting"
    assert str(after[uid]["location"]) == "Vienna"
    assert after[uid].decoded("dtstamp") == moment(edited["updated_at"])
    assert (day(after[new_uid], "dtstart"), day(after[new_uid], "dtend")) == (
        date(2016, 3, 1),
        date(2016, 3, 3),
    )
    assert "location" not in after[new_uid]
    for other in set(before) - {uid}:
        assert after[other].to_ical() == before[other].to_ical()


def test_an_electronic_procedure_deadline_is_an_event(client: TestClient, sec: Headers) -> None:
    before = events(calendar(client))
    decided: Json = decide_electronically(client, sec, "2015-10-01")
    found = events(calendar(client))
    uid = f"decision-{decided['id']}-deadline@icat.network"
    assert set(found) == set(before) | {uid}  # decisions at a meeting have no event of their own
    event = found[uid]
    assert day(event, "dtstart") == date(2015, 10, 1)
    assert day(event, "dtend") == date(2015, 10, 2)
    assert str(event["summary"]) == "Deadline: general by electronic procedure"
    description = str(event["description"])
    assert decided["record"] in description
    assert f"/v1/decisions/{decided['id']}" in description
    assert f"{len(decided['consulted_entity_ids'])} entities consulted" in description
    assert event.decoded("dtstamp") == moment(decided["created_at"])
    assert not any(u.startswith("decision-") for u in before)


def test_a_current_etag_answers_304(client: TestClient) -> None:
    first = client.get(PATH)
    etag = first.headers["etag"]
    r = client.get(PATH, headers={"If-None-Match": etag})
    assert r.status_code == 304
    assert r.content == b"" and r.headers["etag"] == etag
    stale = client.get(PATH, headers={"If-None-Match": '"0123"'})
    assert stale.status_code == 200 and stale.content == first.content


def test_an_accept_without_calendars_is_406(client: TestClient) -> None:
    r = client.get(PATH, headers={"Accept": "application/json"})
    assert r.status_code == 406
    assert r.headers["content-type"].startswith(PROBLEM)
    assert "text/calendar" in r.json()["detail"]
    for accept in ("text/calendar", "text/*", "*/*", "application/json, text/calendar;q=0.1"):
        assert client.get(PATH, headers={"Accept": accept}).status_code == 200, accept


@pytest.mark.parametrize(
    ("status", "cancelled", "summary"),
    [
        ("scheduled", False, "Consultation with civil society"),
        ("cancelled", True, "Consultation with civil society"),
        # Postponed until new days are known: not on these days.
        ("postponed", True, "Postponed: Consultation with civil society"),
    ],
)
def test_a_meeting_called_off_is_status_cancelled(
    status: str, cancelled: bool, summary: str
) -> None:
    stamp = datetime.fromisoformat("2026-01-01T00:00:00+00:00")
    meeting = Meeting(
        id=9,
        kind="consultation",
        title="Consultation with civil society",
        starts_on=date(2027, 5, 4),
        ends_on=date(2027, 5, 4),
        location=None,
        mode="hybrid",
        note=None,
        status=status,
        status_reason=None if status == "scheduled" else "No venue.",
        created_at=stamp,
        updated_at=stamp,
    )
    event = meeting_event(meeting)
    assert (str(event["status"]) == "CANCELLED") if cancelled else ("STATUS" not in event)
    assert str(event["summary"]) == summary
    assert ("No venue." in str(event["description"])) is cancelled
    assert str(event["uid"]) == "meeting-9@icat.network"


def test_no_personal_data(client: TestClient, sec: Headers) -> None:
    """Representatives' names are personal data (DESIGN §5): the public calendar has none."""
    meeting = all_items(client, "/v1/meetings")[0]
    attendance = {"items": [{"entity_id": "ilo", "representatives": ["Jane Calendar-Doe"]}]}
    r = client.put(f"/v1/meetings/{meeting['id']}/attendance", headers=sec, json=attendance)
    body_of(r, 200)
    text = client.get(PATH).content.decode()
    assert "BEGIN:VEVENT" in text and "Calendar-Doe" not in text
