"""A meeting as held, without HTTP: the status read from the days, the rules on what may be
recorded at a meeting cancelled, postponed or still ahead, and the field rules of its times,
agenda and documents."""

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from icat_api.governance import rules
from icat_api.governance.meeting_schemas import (
    LocalTimes,
    MeetingCancel,
    MeetingDocument,
    MeetingPostpone,
    times_error,
)
from icat_api.governance.schemas import MeetingCreate, MeetingUpdate
from icat_api.problems import Conflict, RuleViolation

DAY = date(2024, 3, 5)
BEFORE, AFTER = date(2024, 3, 4), date(2024, 3, 6)
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


# -- the status ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "today", "read"),
    [
        ("scheduled", BEFORE, "scheduled"),
        ("scheduled", DAY, "held"),  # from its first day
        ("scheduled", AFTER, "held"),
        ("postponed", AFTER, "postponed"),  # never held
        ("cancelled", AFTER, "cancelled"),
        ("cancelled", BEFORE, "cancelled"),
    ],
)
def test_a_meeting_is_held_from_its_first_day_unless_called_off(
    stored: str, today: date, read: str
) -> None:
    assert rules.meeting_status(stored, DAY, today) == read


# -- attendance and decisions -------------------------------------------------------------------


def test_attendance_is_recorded_from_the_first_day_of_a_meeting_not_called_off() -> None:
    rules.check_may_record_attendance(stored="scheduled", starts_on=DAY, today=DAY)
    rules.check_may_record_attendance(stored="scheduled", starts_on=DAY, today=AFTER)


def test_no_attendance_at_a_meeting_ahead() -> None:
    with pytest.raises(RuleViolation) as refused:
        rules.check_may_record_attendance(stored="scheduled", starts_on=DAY, today=BEFORE)
    assert (refused.value.rule, refused.value.status) == ("ToR 3.C.2", 422)
    assert "2024-03-05 is after today (2024-03-04)" in refused.value.detail


@pytest.mark.parametrize("stored", ["cancelled", "postponed"])
@pytest.mark.parametrize("today", [BEFORE, AFTER])
def test_no_attendance_at_a_meeting_called_off(stored: str, today: date) -> None:
    with pytest.raises(RuleViolation) as refused:
        rules.check_may_record_attendance(stored=stored, starts_on=DAY, today=today)
    assert (refused.value.rule, refused.value.status) == ("ToR 3.C.2", 409)
    assert f"This meeting is {stored}" in refused.value.detail


def test_decisions_are_taken_at_meetings_not_called_off() -> None:
    rules.check_may_decide_at("scheduled")
    for stored in ("cancelled", "postponed"):
        with pytest.raises(RuleViolation) as refused:
            rules.check_may_decide_at(stored)
        assert (refused.value.rule, refused.value.status) == ("ToR 3.B.3", 409)
        assert "or electronically" in refused.value.detail


# -- calling a meeting off ----------------------------------------------------------------------


@pytest.mark.parametrize("action", ["cancel", "postpone"])
def test_a_meeting_not_held_may_be_called_off(action: str) -> None:
    for stored in ("scheduled", "postponed"):
        rules.check_may_call_off(action, stored=stored, decisions=0, attended=0)


@pytest.mark.parametrize(("action", "done"), [("cancel", "cancelled"), ("postpone", "postponed")])
def test_a_meeting_held_is_not_called_off(action: str, done: str) -> None:
    with pytest.raises(RuleViolation) as decided:
        rules.check_may_call_off(action, stored="scheduled", decisions=2, attended=5)
    assert (decided.value.rule, decided.value.status) == ("ToR 3.B.3", 409)
    assert decided.value.detail.endswith(f"cannot be {done} (ToR 3.B.3)")
    with pytest.raises(RuleViolation) as attended:
        rules.check_may_call_off(action, stored="scheduled", decisions=0, attended=1)
    assert (attended.value.rule, attended.value.status) == ("ToR 3.C.2", 409)
    assert "Attendance is recorded" in attended.value.detail


@pytest.mark.parametrize("action", ["cancel", "postpone"])
def test_a_cancelled_meeting_stays_cancelled(action: str) -> None:
    with pytest.raises(Conflict) as refused:
        rules.check_may_call_off(action, stored="cancelled", decisions=0, attended=0)
    assert refused.value.rule is None and refused.value.status == 409
    assert "already cancelled" in refused.value.detail


def test_a_reason_is_required() -> None:
    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": None}):
        with pytest.raises(ValidationError):
            MeetingCancel.model_validate(body)
        with pytest.raises(ValidationError):
            MeetingPostpone.model_validate(body)
    assert MeetingCancel.model_validate({"reason": " Venue closed "}).reason == "Venue closed"


def test_postponed_days_are_in_order() -> None:
    with pytest.raises(ValidationError, match="ends_on needs starts_on"):
        MeetingPostpone.model_validate({"reason": "r", "ends_on": "2024-04-02"})
    with pytest.raises(ValidationError, match="before starts_on"):
        MeetingPostpone.model_validate(
            {"reason": "r", "starts_on": "2024-04-02", "ends_on": "2024-04-01"}
        )


# -- local times --------------------------------------------------------------------------------


def times(**fields: str) -> dict[str, str]:
    return {"time_zone": "Europe/Vienna", "start_time": "10:00", "end_time": "17:30", **fields}


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus_Mons", "Europe/Vienn", "europe/vienna", "CEST", "+01:00", ""]
)
def test_a_time_zone_that_does_not_exist_is_refused(zone: str) -> None:
    with pytest.raises(ValidationError):
        LocalTimes.model_validate(times(time_zone=zone))


@pytest.mark.parametrize("zone", ["Europe/Vienna", "America/New_York", "Asia/Kolkata", "UTC"])
def test_iana_time_zones_are_taken(zone: str) -> None:
    assert LocalTimes.model_validate(times(time_zone=zone)).time_zone == zone


@pytest.mark.parametrize("bad", ["24:00", "9:00", "10:60", "10:00:00", "10h", "-1:00"])
def test_times_are_hh_mm(bad: str) -> None:
    with pytest.raises(ValidationError):
        LocalTimes.model_validate(times(start_time=bad))


def test_times_without_a_zone_are_refused() -> None:
    with pytest.raises(ValidationError, match="time_zone"):
        LocalTimes.model_validate({"start_time": "10:00", "end_time": "12:00"})
    meeting = {"kind": "briefing", "title": "A briefing", "starts_on": "2024-03-05"}
    for loose in ({"start_time": "10:00"}, {"starts_at_local": "10:00"}):
        with pytest.raises(ValidationError):
            MeetingCreate.model_validate({**meeting, **loose})


def test_a_one_day_meeting_ends_after_it_starts() -> None:
    early = LocalTimes.model_validate(times(start_time="14:00", end_time="09:00"))
    assert times_error(DAY, DAY, early) is not None
    assert times_error(DAY, AFTER, early) is None  # ends at 9:00 on its last day
    assert times_error(DAY, DAY, None) is None
    meeting = {"kind": "briefing", "title": "A briefing", "starts_on": "2024-03-05"}
    with pytest.raises(ValidationError, match="end_time must be after"):
        MeetingCreate.model_validate({**meeting, "local_times": times(end_time="10:00")})


# -- agenda -------------------------------------------------------------------------------------


def agenda_meeting(*items: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "working_group",
        "title": "A meeting",
        "starts_on": "2024-03-05",
        "agenda": items,
    }


def test_agenda_numbers_are_not_repeated() -> None:
    item = {"number": "2", "title": "Admissions"}
    with pytest.raises(ValidationError, match="agenda number is used twice"):
        MeetingCreate.model_validate(agenda_meeting(item, {**item, "title": "Other"}))
    with pytest.raises(ValidationError, match="agenda number is used twice"):
        MeetingUpdate.model_validate({"agenda": [item, item]})
    made = MeetingCreate.model_validate(agenda_meeting(item, {**item, "number": "2.1"}))
    assert [i.number for i in made.agenda] == ["2", "2.1"]


def test_a_decision_is_under_one_agenda_item() -> None:
    with pytest.raises(ValidationError, match="two agenda items"):
        MeetingCreate.model_validate(
            agenda_meeting(
                {"number": "1", "title": "A", "decision_ids": [4]},
                {"number": "2", "title": "B", "decision_ids": [4]},
            )
        )
    with pytest.raises(ValidationError):
        MeetingCreate.model_validate(
            agenda_meeting({"number": "1", "title": "A", "decision_ids": [4, 4]})
        )


@pytest.mark.parametrize("number", ["", " ", "1 2", "#3", "(a)", "x" * 17])
def test_agenda_numbers_are_short_labels(number: str) -> None:
    with pytest.raises(ValidationError):
        MeetingCreate.model_validate(agenda_meeting({"number": number, "title": "A"}))


# -- documents ----------------------------------------------------------------------------------


def document(**fields: Any) -> dict[str, Any]:
    return {"kind": "minutes", "title": "Minutes", "url": "https://icat.example/m.pdf", **fields}


@pytest.mark.parametrize(
    "url",
    [
        "ftp://icat.example/m.pdf",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<b>x</b>",
        "//icat.example/m.pdf",
        "icat.example/m.pdf",
        "https://icat.example/a b.pdf",
    ],
)
def test_a_document_url_is_http_or_https(url: str) -> None:
    with pytest.raises(ValidationError):
        MeetingDocument.model_validate(document(url=url))


@pytest.mark.parametrize("sha", ["0" * 63, "0" * 65, "g" * 64, SHA[:-1] + " ", ""])
def test_a_sha256_is_64_hex_digits(sha: str) -> None:
    with pytest.raises(ValidationError):
        MeetingDocument.model_validate(document(sha256=sha))


def test_a_sha256_is_kept_in_lower_case() -> None:
    assert MeetingDocument.model_validate(document(sha256=SHA.upper())).sha256 == SHA


@pytest.mark.parametrize(
    ("tag", "stored"),
    [
        ("en", "en"),
        ("AR", "ar"),
        ("zh-Hans", "zh-Hans"),
        ("zh-hans", "zh-Hans"),
        ("es-419", "es-419"),
    ],
)
def test_language_tags_are_validated_and_written_canonically(tag: str, stored: str) -> None:
    assert MeetingDocument.model_validate(document(language=tag)).language == stored


@pytest.mark.parametrize("tag", ["xx", "english", "en_GB", "und", "de-CH-1996", "x-foo", "e"])
def test_unknown_language_tags_are_refused(tag: str) -> None:
    with pytest.raises(ValidationError, match="language"):
        MeetingDocument.model_validate(document(language=tag))


@pytest.mark.parametrize(
    "kind", ["invitation", "agenda", "minutes", "presentation", "report", "other"]
)
def test_the_kinds_of_documents(kind: str) -> None:
    assert MeetingDocument.model_validate(document(kind=kind)).kind == kind


def test_a_document_of_no_kind_or_an_odd_media_type_is_refused() -> None:
    for bad in (document(kind="video"), document(media_type="pdf"), document(media_type="a/b c")):
        with pytest.raises(ValidationError):
            MeetingDocument.model_validate(bad)
    assert MeetingDocument.model_validate(document(media_type="Application/PDF")).media_type == (
        "application/pdf"
    )
