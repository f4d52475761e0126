"""Meetings as the minutes keep them, through HTTP: scheduled, held, postponed or cancelled
(POST /v1/meetings/{id}/cancel and …/postpone, with a reason); attendance and decisions only at
a meeting held; local times in an IANA zone; the agenda with the decisions taken under each
item; documents as links. The calendar shows a cancelled meeting as cancelled.

The meetings are of 2015, UNHCR's year in the chair (seeded), unless the test needs one ahead.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar, Event

from icat_api import clock
from tests.builders_tor import Registry, new_registry
from tests.helpers import Headers, Json, all_items, body_of

CORE = ("ilo", "iom", "ohchr", "unhcr", "unicef", "unodc")  # voting in 2015 (seed)
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


@pytest.fixture
def registry(client: TestClient, sec: Headers) -> Registry:
    return new_registry(client, sec)


LETTER = {
    "entity_id": "arco",
    "role": "member",
    "submitted_on": "2015-09-01",
    "addressed_to": "chair",
    "letter_reference": "ARCO/SG/2015/1",
}


def make_igo(client: TestClient, sec: Headers) -> None:
    body = {
        "id": "arco",
        "name": "Regional Anti-Trafficking Cooperation Organization",
        "kind": "intergovernmental",
        "scope": "regional",
        "mandate_covers_tip": True,
    }
    body_of(client.post("/v1/entities", headers=sec, json=body), 201)


def new_meeting(
    client: TestClient, sec: Headers, starts_on: str = "2015-10-05", **fields: Any
) -> Json:
    body = {"kind": "working_group", "title": f"Meeting of {starts_on}", "starts_on": starts_on}
    return body_of(client.post("/v1/meetings", headers=sec, json={**body, **fields}), 201)


def ahead(days: int = 30) -> str:
    return str(clock.today() + timedelta(days=days))


def attend(client: TestClient, sec: Headers, meeting_id: int, *entity_ids: str) -> Any:
    body = {"items": [{"entity_id": e} for e in entity_ids]}
    return client.put(f"/v1/meetings/{meeting_id}/attendance", headers=sec, json=body)


def decision(meeting_id: int, **fields: Any) -> Json:
    return {
        "procedure": "meeting",
        "meeting_id": meeting_id,
        "kind": "general",
        "record": "The Working Group agrees its next meetings.",
        "confirmed_by": "unhcr",
        **fields,
    }


def decide(client: TestClient, sec: Headers, body: Json) -> Json:
    return body_of(client.post("/v1/decisions", headers=sec, json=body), 201)


def cancel(client: TestClient, sec: Headers, meeting_id: int, reason: str = "Venue closed.") -> Any:
    return client.post(f"/v1/meetings/{meeting_id}/cancel", headers=sec, json={"reason": reason})


def postpone(client: TestClient, sec: Headers, meeting_id: int, **body: Any) -> Any:
    body.setdefault("reason", "Too few members can travel.")
    return client.post(f"/v1/meetings/{meeting_id}/postpone", headers=sec, json=body)


def read(client: TestClient, meeting_id: int) -> Json:
    return body_of(client.get(f"/v1/meetings/{meeting_id}"), 200)


def event(client: TestClient, meeting_id: int) -> Event:
    r = client.get("/v1/calendar.ics")
    assert r.status_code == 200, r.text
    found = {str(e["uid"]): e for e in Calendar.from_ical(r.content).events}
    return found[f"meeting-{meeting_id}@icat.network"]


def changes(client: TestClient, after: int) -> list[Json]:
    items: list[Json] = body_of(client.get("/v1/changes", params={"after": after}), 200)["items"]
    return items


def last_seq(client: TestClient, sec: Headers) -> int:
    items = all_items(client, "/v1/changes", sec)
    return int(items[-1]["seq"]) if items else 0


# -- the status ---------------------------------------------------------------------------------


def test_a_meeting_is_scheduled_until_its_first_day_then_held(
    client: TestClient, sec: Headers
) -> None:
    later = new_meeting(client, sec, ahead(10))
    assert (later["status"], later["status_reason"], later["postponed_from"]) == (
        "scheduled",
        None,
        None,
    )
    assert new_meeting(client, sec)["status"] == "held"
    with clock.fixed(clock.today() + timedelta(days=10)):
        assert read(client, later["id"])["status"] == "held"
    seeded = all_items(client, "/v1/meetings", year=2015)
    assert {m["status"] for m in seeded} == {"held"}
    assert all(m["agenda"] == [] and m["documents"] == [] for m in seeded)


# -- cancelling ---------------------------------------------------------------------------------


def test_a_cancelled_meeting_refuses_attendance_and_is_cancelled_in_the_calendar(
    client: TestClient, sec: Headers, registry: Registry
) -> None:
    meeting = new_meeting(client, sec)
    seq = last_seq(client, sec)
    cancelled = body_of(cancel(client, sec, meeting["id"], "The venue is closed."), 200)
    assert (cancelled["status"], cancelled["status_reason"]) == (
        "cancelled",
        "The venue is closed.",
    )
    assert read(client, meeting["id"]) == cancelled
    assert [(c["type"], c["id"], c["action"]) for c in changes(client, seq)] == [
        ("meeting", str(meeting["id"]), "updated")
    ]
    [audited] = all_items(
        client, "/v1/audit-events", sec, resource_type="meeting", resource_id=str(meeting["id"])
    )[-1:]
    assert (audited["action"], audited["before"]["status"], audited["after"]["status"]) == (
        "update",
        "held",
        "cancelled",
    )

    problem = registry.refuse(
        "PUT",
        f"/v1/meetings/{meeting['id']}/attendance",
        {"items": [{"entity_id": "ilo"}]},
        headers=sec,
        status=409,
        rule="ToR 3.C.2",
    )
    assert "This meeting is cancelled" in problem["detail"]

    cancelled_event = event(client, meeting["id"])
    assert str(cancelled_event["status"]) == "CANCELLED"
    assert str(cancelled_event["summary"]) == meeting["title"]
    assert "Cancelled: The venue is closed." in str(cancelled_event["description"])
    other = event(client, new_meeting(client, sec, "2015-10-06")["id"])
    assert "STATUS" not in other


def test_attendance_at_a_meeting_ahead_is_refused(
    client: TestClient, sec: Headers, registry: Registry
) -> None:
    later = new_meeting(client, sec, ahead())
    problem = registry.refuse(
        "PUT",
        f"/v1/meetings/{later['id']}/attendance",
        {"items": [{"entity_id": "ilo"}]},
        headers=sec,
        status=422,
        rule="ToR 3.C.2",
    )
    assert "is after today" in problem["detail"]


def test_a_decision_at_a_cancelled_or_postponed_meeting_is_refused(
    client: TestClient, sec: Headers, registry: Registry
) -> None:
    for call_off in (cancel, postpone):
        meeting = new_meeting(client, sec)
        body_of(call_off(client, sec, meeting["id"]), 200)
        problem = registry.refuse(
            "POST",
            "/v1/decisions",
            decision(meeting["id"]),
            headers=sec,
            status=409,
            rule="ToR 3.B.3",
        )
        assert "or electronically" in problem["detail"]


def test_a_decision_at_a_meeting_ahead_is_refused(
    client: TestClient, sec: Headers, registry: Registry
) -> None:
    later = new_meeting(client, sec, ahead())
    problem = registry.refuse(
        "POST", "/v1/decisions", decision(later["id"]), headers=sec, status=422, rule="ToR 3.C.2"
    )
    assert "decided_on" in problem["detail"]


def test_a_meeting_held_is_neither_cancelled_nor_postponed(
    client: TestClient, sec: Headers, registry: Registry
) -> None:
    attended = new_meeting(client, sec)
    body_of(attend(client, sec, attended["id"], *CORE), 200)
    decided = new_meeting(client, sec, "2015-10-06")
    body_of(attend(client, sec, decided["id"], *CORE), 200)
    decide(client, sec, decision(decided["id"]))
    for action in ("cancel", "postpone"):
        path = f"/v1/meetings/{{}}/{action}"
        body = {"reason": "Called off."}
        problem = registry.refuse(
            "POST", path.format(attended["id"]), body, headers=sec, status=409, rule="ToR 3.C.2"
        )
        assert "Attendance is recorded for this meeting" in problem["detail"]
        problem = registry.refuse(
            "POST", path.format(decided["id"]), body, headers=sec, status=409, rule="ToR 3.B.3"
        )
        assert "Decisions were taken at this meeting" in problem["detail"]
    assert read(client, attended["id"])["status"] == read(client, decided["id"])["status"] == "held"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "  "}, {"reason": None}, None])
def test_cancelling_needs_a_reason(
    client: TestClient, sec: Headers, registry: Registry, body: Json | None
) -> None:
    meeting = new_meeting(client, sec)
    for action in ("cancel", "postpone"):
        registry.refuse(
            "POST",
            f"/v1/meetings/{meeting['id']}/{action}",
            body,
            headers=sec,
            status=422,
            rule=None,
        )
    assert read(client, meeting["id"])["status"] == "held"


def test_a_meeting_is_cancelled_once(client: TestClient, sec: Headers, registry: Registry) -> None:
    meeting = new_meeting(client, sec, ahead())
    body_of(cancel(client, sec, meeting["id"], "First reason."), 200)
    for action in ("cancel", "postpone"):
        problem = registry.refuse(
            "POST",
            f"/v1/meetings/{meeting['id']}/{action}",
            {
                "reason": "Second reason.",
                **({"starts_on": ahead(60)} if action == "postpone" else {}),
            },
            headers=sec,
            status=409,
            rule=None,
        )
        assert "already cancelled" in problem["detail"]
    # Its days stay too; what was planned, and why it was called off, stays on the record.
    problem = registry.refuse(
        "PATCH",
        f"/v1/meetings/{meeting['id']}",
        {"starts_on": ahead(40)},
        headers=sec,
        status=409,
        rule=None,
    )
    assert "cancelled" in problem["detail"]
    assert read(client, meeting["id"])["status_reason"] == "First reason."
    note = {"note": "Cancelled by circular letter of the Chair."}
    patched = body_of(client.patch(f"/v1/meetings/{meeting['id']}", headers=sec, json=note), 200)
    assert (patched["status"], patched["note"]) == ("cancelled", note["note"])


# -- postponing ---------------------------------------------------------------------------------


def test_a_meeting_postponed_without_days_waits_for_them(
    client: TestClient, sec: Headers, registry: Registry
) -> None:
    meeting = new_meeting(client, sec, ahead(), ends_on=ahead(31))
    put_off = body_of(postpone(client, sec, meeting["id"], reason="No quorum expected."), 200)
    assert (put_off["status"], put_off["status_reason"], put_off["postponed_from"]) == (
        "postponed",
        "No quorum expected.",
        meeting["starts_on"],
    )
    assert (put_off["starts_on"], put_off["ends_on"]) == (meeting["starts_on"], meeting["ends_on"])
    shown = event(client, meeting["id"])
    assert str(shown["status"]) == "CANCELLED"  # not on these days
    assert str(shown["summary"]) == f"Postponed: {meeting['title']}"
    assert "No quorum expected." in str(shown["description"])
    with clock.fixed(date.fromisoformat(meeting["starts_on"])):
        assert read(client, meeting["id"])["status"] == "postponed"  # never held

    problem = registry.refuse(
        "POST",
        f"/v1/meetings/{meeting['id']}/postpone",
        {"reason": "Again."},
        headers=sec,
        status=409,
        rule=None,
    )
    assert "already postponed" in problem["detail"]

    new_days = {"starts_on": ahead(50), "ends_on": ahead(51)}
    path = f"/v1/meetings/{meeting['id']}"
    rescheduled = body_of(client.patch(path, headers=sec, json=new_days), 200)
    assert (rescheduled["status"], rescheduled["postponed_from"]) == (
        "scheduled",
        meeting["starts_on"],
    )
    assert "STATUS" not in event(client, meeting["id"])
    assert f"Postponed from {meeting['starts_on']}" in str(
        event(client, meeting["id"])["description"]
    )


def test_a_meeting_postponed_to_new_days_keeps_its_length(
    client: TestClient, sec: Headers, registry: Registry
) -> None:
    meeting = new_meeting(client, sec, "2015-10-05", ends_on="2015-10-07")
    moved = body_of(postpone(client, sec, meeting["id"], starts_on="2015-11-02"), 200)
    assert (moved["starts_on"], moved["ends_on"], moved["status"], moved["postponed_from"]) == (
        "2015-11-02",
        "2015-11-04",
        "held",  # on its new days, which have come
        "2015-10-05",
    )
    again = body_of(
        postpone(client, sec, moved["id"], starts_on="2015-11-16", ends_on="2015-11-16"), 200
    )
    assert (again["starts_on"], again["ends_on"], again["postponed_from"]) == (
        "2015-11-16",
        "2015-11-16",
        "2015-10-05",  # the first day it was planned for
    )
    for earlier in ("2015-11-16", "2015-11-01"):
        registry.refuse(
            "POST",
            f"/v1/meetings/{meeting['id']}/postpone",
            {"reason": "Sooner.", "starts_on": earlier},
            headers=sec,
            status=422,
            rule=None,
        )
    long = new_meeting(client, sec, "2015-10-05", ends_on="2015-10-07")
    registry.refuse(
        "POST",
        f"/v1/meetings/{long['id']}/postpone",
        {"reason": "Much later.", "starts_on": "2100-12-30"},  # three days: into 2101
        headers=sec,
        status=422,
        rule=None,
    )


def test_a_postponed_meeting_is_no_meeting_of_the_working_group_held(
    client: TestClient, sec: Headers
) -> None:
    """Not the meeting an application is introduced at (ToR 3.A.3), nor one of the meetings
    held that chair eligibility counts (ToR 3.D.1)."""
    make_igo(client, sec)
    filed = body_of(client.post("/v1/applications", headers=sec, json=LETTER), 201)
    seeded_next = filed["introduced_at_meeting_id"]  # the Working Group of 7 December
    october = new_meeting(client, sec)

    def introduced_at() -> Any:
        return body_of(client.get(f"/v1/applications/{filed['id']}"), 200)[
            "introduced_at_meeting_id"
        ]

    def held() -> int:
        r = client.get("/v1/entities/ilo/chair-eligibility", params={"on": "2016-01-10"})
        return int(body_of(r, 200)["attendance"]["held"])

    assert (introduced_at(), held()) == (october["id"], 4)
    body_of(postpone(client, sec, october["id"]), 200)
    assert (introduced_at(), held()) == (seeded_next, 3)
    introduced = all_items(client, "/v1/applications", status="introduced")
    assert filed["id"] in [a["id"] for a in introduced]  # at the December meeting
    body_of(cancel(client, sec, october["id"]), 200)
    assert (introduced_at(), held()) == (seeded_next, 3)


def test_an_application_is_not_introduced_at_a_meeting_called_off(
    client: TestClient, sec: Headers
) -> None:
    """The list's `status` filter reads introductions as the application does (ToR 3.A.3)."""
    make_igo(client, sec)
    letter = {**LETTER, "submitted_on": "2015-12-08"}  # after the last Working Group of 2015
    filed = body_of(client.post("/v1/applications", headers=sec, json=letter), 201)
    assert filed["introduced_at_meeting_id"] is None
    january = new_meeting(client, sec, "2016-01-12")

    def listed(status: str) -> bool:
        return filed["id"] in [
            a["id"] for a in all_items(client, "/v1/applications", status=status)
        ]

    shown = body_of(client.get(f"/v1/applications/{filed['id']}"), 200)
    assert (shown["status"], listed("introduced"), listed("submitted")) == (
        "introduced",
        True,
        False,
    )
    body_of(cancel(client, sec, january["id"]), 200)
    shown = body_of(client.get(f"/v1/applications/{filed['id']}"), 200)
    assert (shown["status"], shown["introduced_at_meeting_id"]) == ("submitted", None)
    assert (listed("introduced"), listed("submitted")) == (False, True)


# -- local times --------------------------------------------------------------------------------


def test_local_times_make_a_timed_event_in_utc(client: TestClient, sec: Headers) -> None:
    times = {"time_zone": "Europe/Vienna", "start_time": "10:00", "end_time": "17:30"}
    winter = new_meeting(client, sec, "2015-12-01", ends_on="2015-12-02", local_times=times)
    assert winter["local_times"] == times
    shown = event(client, winter["id"])
    assert shown.decoded("dtstart") == datetime(2015, 12, 1, 9, 0, tzinfo=UTC)
    assert shown.decoded("dtend") == datetime(2015, 12, 2, 16, 30, tzinfo=UTC)
    assert "10:00-17:30 Europe/Vienna" in str(shown["description"])
    summer = new_meeting(client, sec, "2015-07-01", local_times=times)
    assert event(client, summer["id"]).decoded("dtstart") == datetime(2015, 7, 1, 8, 0, tzinfo=UTC)

    path = f"/v1/meetings/{winter['id']}"
    removed = body_of(client.patch(path, headers=sec, json={"local_times": None}), 200)
    assert removed["local_times"] is None
    assert event(client, winter["id"]).decoded("dtstart") == date(2015, 12, 1)


@pytest.mark.parametrize(
    ("times", "loc"),
    [
        (
            {"time_zone": "Mars/Olympus_Mons", "start_time": "10:00", "end_time": "12:00"},
            ["body", "local_times", "time_zone"],
        ),
        (
            {"time_zone": "Europe/Atlantis", "start_time": "10:00", "end_time": "12:00"},
            ["body", "local_times", "time_zone"],
        ),
        ({"start_time": "10:00", "end_time": "12:00"}, ["body", "local_times", "time_zone"]),
        (
            {"time_zone": "Europe/Vienna", "start_time": "10:00"},
            ["body", "local_times", "end_time"],
        ),
        (
            {"time_zone": "Europe/Vienna", "start_time": "25:00", "end_time": "26:00"},
            ["body", "local_times", "start_time"],
        ),
        # Across fields: the days and the times together.
        ({"time_zone": "Europe/Vienna", "start_time": "12:00", "end_time": "10:00"}, ["body"]),
    ],
)
def test_bad_local_times_are_refused(
    client: TestClient, sec: Headers, registry: Registry, times: Json, loc: list[str]
) -> None:
    body = {"kind": "briefing", "title": "A briefing", "starts_on": "2015-10-05"}
    problem = registry.refuse(
        "POST", "/v1/meetings", {**body, "local_times": times}, headers=sec, status=422, rule=None
    )
    assert problem["errors"][0]["loc"] == loc
    meeting = new_meeting(client, sec)
    registry.refuse(
        "PATCH",
        f"/v1/meetings/{meeting['id']}",
        {"local_times": times},
        headers=sec,
        status=422,
        rule=None,
    )


def test_days_and_times_are_checked_together_on_a_patch(
    client: TestClient, sec: Headers, registry: Registry
) -> None:
    times = {"time_zone": "Asia/Bangkok", "start_time": "14:00", "end_time": "12:00"}
    meeting = new_meeting(client, sec, ends_on="2015-10-06", local_times=times)  # ends day two
    problem = registry.refuse(
        "PATCH",
        f"/v1/meetings/{meeting['id']}",
        {"ends_on": "2015-10-05"},
        headers=sec,
        status=422,
        rule=None,
    )
    assert "end_time must be after" in problem["detail"]


# -- agenda -------------------------------------------------------------------------------------


def test_a_decision_is_taken_under_an_agenda_item(
    client: TestClient, sec: Headers, registry: Registry
) -> None:
    agenda = [{"number": "1", "title": "Opening"}, {"number": "2", "title": "Next meetings"}]
    meeting = new_meeting(client, sec, agenda=agenda)
    assert meeting["agenda"] == [{**i, "decision_ids": []} for i in agenda]
    body_of(attend(client, sec, meeting["id"], *CORE), 200)
    seq = last_seq(client, sec)
    first = decide(client, sec, decision(meeting["id"], agenda_item="2"))
    second = decide(client, sec, decision(meeting["id"], agenda_item="2"))
    unfiled = decide(client, sec, decision(meeting["id"]))
    items = read(client, meeting["id"])["agenda"]
    assert [i["decision_ids"] for i in items] == [[], [first["id"], second["id"]]]
    assert [(c["type"], c["action"]) for c in changes(client, seq)] == [
        ("decision", "created"),
        ("meeting", "updated"),
        ("decision", "created"),
        ("meeting", "updated"),
        ("decision", "created"),
    ]
    filing = all_items(
        client, "/v1/audit-events", sec, resource_type="meeting", resource_id=str(meeting["id"])
    )[-1]
    assert filing["decision_id"] == second["id"]

    registry.refuse(
        "POST",
        "/v1/decisions",
        decision(meeting["id"], agenda_item="3"),
        headers=sec,
        status=422,
        rule=None,
    )
    electronic = {
        "procedure": "electronic",
        "deadline_on": "2015-10-30",
        "consulted_entity_ids": list(CORE),
        "kind": "general",
        "record": "Agreed by silence.",
        "confirmed_by": "unhcr",
        "agenda_item": "2",
    }
    registry.refuse("POST", "/v1/decisions", electronic, headers=sec, status=422, rule=None)

    # The agenda as the minutes have it: the unfiled decision under item 1.
    path = f"/v1/meetings/{meeting['id']}"
    corrected = [{**agenda[0], "decision_ids": [unfiled["id"]]}, items[1]]
    patched = body_of(client.patch(path, headers=sec, json={"agenda": corrected}), 200)
    assert patched["agenda"] == corrected


def test_an_agenda_item_names_only_decisions_of_its_meeting(
    client: TestClient, sec: Headers, registry: Registry
) -> None:
    other = new_meeting(client, sec, "2015-10-06")
    body_of(attend(client, sec, other["id"], *CORE), 200)
    elsewhere = decide(client, sec, decision(other["id"]))
    meeting = new_meeting(client, sec)
    item = {"number": "1", "title": "Next meetings", "decision_ids": [elsewhere["id"]]}
    problem = registry.refuse(
        "PATCH",
        f"/v1/meetings/{meeting['id']}",
        {"agenda": [item]},
        headers=sec,
        status=422,
        rule=None,
    )
    assert problem["errors"] == [
        {"loc": ["body", "agenda", 0, "decision_ids", 0], "msg": "not a decision of this meeting"}
    ]
    body = {"kind": "briefing", "title": "A briefing", "starts_on": "2015-10-05", "agenda": [item]}
    registry.refuse("POST", "/v1/meetings", body, headers=sec, status=422, rule=None)
    missing = {**item, "decision_ids": [2**31 - 1]}
    registry.refuse(
        "PATCH",
        f"/v1/meetings/{meeting['id']}",
        {"agenda": [missing]},
        headers=sec,
        status=422,
        rule=None,
    )


def test_agenda_numbers_repeated_are_refused(
    client: TestClient, sec: Headers, registry: Registry
) -> None:
    meeting = new_meeting(client, sec)
    twice = [{"number": "1", "title": "Opening"}, {"number": "1", "title": "Closing"}]
    problem = registry.refuse(
        "PATCH",
        f"/v1/meetings/{meeting['id']}",
        {"agenda": twice},
        headers=sec,
        status=422,
        rule=None,
    )
    assert "agenda number is used twice" in problem["detail"]


# -- documents ----------------------------------------------------------------------------------


def minutes(**fields: Any) -> Json:
    return {
        "kind": "minutes",
        "title": "Minutes",
        "url": "https://icat.example/minutes.pdf",
        "media_type": "application/pdf",
        "language": "en",
        "sha256": SHA,
        **fields,
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"url": "ftp://icat.example/minutes.pdf"},
        {"url": "javascript:alert(document.cookie)"},
        {"sha256": SHA[:63]},
        {"sha256": "z" * 64},
        {"language": "klingon"},
        {"kind": "transcript"},
    ],
)
def test_bad_documents_are_refused(
    client: TestClient, sec: Headers, registry: Registry, bad: Json
) -> None:
    meeting = new_meeting(client, sec)
    problem = registry.refuse(
        "PATCH",
        f"/v1/meetings/{meeting['id']}",
        {"documents": [minutes(**bad)]},
        headers=sec,
        status=422,
        rule=None,
    )
    assert problem["errors"][0]["loc"][:4] == ["body", "documents", 0, next(iter(bad))]


def test_documents_are_links_kept_as_sent(client: TestClient, sec: Headers) -> None:
    documents = [
        minutes(sha256=SHA.upper()),
        minutes(language="fr", url="https://icat.example/proces-verbal.pdf", sha256=None),
        {"kind": "invitation", "title": "Invitation", "url": "http://icat.example/invitation"},
    ]
    meeting = new_meeting(client, sec, documents=documents)
    assert meeting["documents"] == [
        minutes(),
        minutes(language="fr", url="https://icat.example/proces-verbal.pdf", sha256=None),
        {**documents[2], "media_type": None, "language": None, "sha256": None},
    ]
    assert read(client, meeting["id"])["documents"] == meeting["documents"]


# -- the Chair's report -------------------------------------------------------------------------


def test_the_report_lists_each_meetings_status_agenda_and_minutes(
    client: TestClient, sec: Headers
) -> None:
    agenda = [{"number": "1", "title": "Next meetings"}]
    meeting = new_meeting(
        client,
        sec,
        agenda=agenda,
        documents=[
            minutes(),
            minutes(language="fr", url="https://icat.example/pv.pdf"),
            {"kind": "presentation", "title": "Slides", "url": "https://icat.example/slides.pdf"},
        ],
    )
    body_of(attend(client, sec, meeting["id"], *CORE), 200)
    taken = decide(client, sec, decision(meeting["id"], agenda_item="1"))
    called_off = new_meeting(client, sec, "2015-11-09", title="Cancelled meeting")
    body_of(cancel(client, sec, called_off["id"], "No quorum."), 200)

    report = body_of(client.get("/v1/chair-terms/2015/report"), 200)
    listed = {m["meeting"]["id"]: m for m in report["meetings"]}
    ours = listed[meeting["id"]]
    assert ours["meeting"]["status"] == "held"
    assert ours["meeting"]["agenda"] == [{**agenda[0], "decision_ids": [taken["id"]]}]
    assert [d["url"] for d in ours["minutes"]] == [
        "https://icat.example/minutes.pdf",
        "https://icat.example/pv.pdf",
    ]
    off = listed[called_off["id"]]
    assert (off["meeting"]["status"], off["meeting"]["status_reason"], off["minutes"]) == (
        "cancelled",
        "No quorum.",
        [],
    )

    text = client.get("/v1/chair-terms/2015/report", headers={"Accept": "text/markdown"}).text
    block = text[text.index(f"**{meeting['title']}**") :].split("\n- ")[0]
    assert block.splitlines()[0].endswith(": held")
    assert f"    - Item 1: Next meetings (decision {taken['id']})" in block
    assert "  - Minutes (en): <https://icat.example/minutes.pdf>" in block
    assert "  - Minutes (fr): <https://icat.example/pv.pdf>" in block
    assert "slides.pdf" not in block  # minutes only
    assert "**Cancelled meeting** (working group), location not recorded, 2015-11-09: " in text
    assert "2015-11-09: cancelled (No quorum.)" in text


def test_the_report_reads_a_meeting_as_held_from_its_first_day(
    client: TestClient, sec: Headers
) -> None:
    """Answered from memory until the data changes, and until the day does."""
    year = clock.today().year
    with clock.fixed(date(year, 6, 1)):
        term = {"start_year": year, "entity_ids": ["unhcr"]}
        body_of(client.post("/v1/chair-terms", headers=sec, json=term), 201)
        meeting = new_meeting(client, sec, f"{year}-06-02")
        path = f"/v1/chair-terms/{year}/report"

        def status() -> str:
            listed = body_of(client.get(path), 200)["meetings"]
            return str(
                next(m for m in listed if m["meeting"]["id"] == meeting["id"])["meeting"]["status"]
            )

        assert status() == status() == "scheduled"
    with clock.fixed(date(year, 6, 2)):
        assert status() == "held"


def test_a_minutes_link_cannot_inject_markdown_or_html(client: TestClient, sec: Headers) -> None:
    url = 'https://icat.example/m.pdf?a=<img src=x onerror="alert(1)">&b=`x`'
    url = url.replace(" ", "%20")
    new_meeting(client, sec, documents=[minutes(url=url)])
    text = client.get("/v1/chair-terms/2015/report", headers={"Accept": "text/markdown"}).text
    [line] = [ln for ln in text.splitlines() if "Minutes (en): <https://icat.example/m.pdf" in ln]
    link = line.split(": ", 1)[1]
    assert link.startswith("<") and link.endswith(">")
    inside = link[1:-1]
    assert not set(inside) & set('<>"` ')
    assert "%3Cimg%20src=x%20onerror=%22alert(1)%22%3E" in inside
