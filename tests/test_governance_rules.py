"""The Working Group's rules as pure functions, over every boundary day."""

from datetime import date, timedelta

import pytest

from icat_api.applications import rules as application_rules
from icat_api.entities.rules import Span
from icat_api.governance import rules
from icat_api.problems import RuleViolation

D = date
MEMBER = [Span("member", D(2017, 1, 1), D(2022, 1, 1))]
CONFIRMED = [D(2018, 3, 1)]
MEETINGS = [D(2018, 2, 20), D(2018, 5, 14), D(2018, 9, 3)]


def votes(day: date, **kw: object) -> rules.VotingRights:
    args: dict[str, object] = {"spans": MEMBER, "confirmations": CONFIRMED, "wg_meetings": MEETINGS}
    args.update(kw)
    return rules.voting_rights(day=day, **args)  # type: ignore[arg-type]


def test_never_before_confirming_in_writing() -> None:
    assert not votes(D(2018, 2, 28)).has_voting_rights
    assert "confirmed" in votes(D(2018, 2, 28)).reason.lower()
    # A meeting attended before the confirmation does not count.
    assert not votes(D(2018, 3, 1)).has_voting_rights


def test_from_the_first_meeting_after_confirming_at_that_meeting_already() -> None:
    assert not votes(D(2018, 5, 13)).has_voting_rights
    first = votes(D(2018, 5, 14))
    assert first.has_voting_rights and first.since == D(2018, 5, 14)
    assert first.first_participation_on == D(2018, 5, 14)
    later = votes(D(2019, 1, 1))
    assert later.has_voting_rights and later.since == D(2018, 5, 14)


def test_a_meeting_on_the_confirmation_day_counts() -> None:
    r = votes(D(2018, 3, 1), wg_meetings=[D(2018, 3, 1)])
    assert r.has_voting_rights and r.since == D(2018, 3, 1)


def test_never_after_the_membership_ended() -> None:
    assert votes(D(2021, 12, 31)).has_voting_rights
    ended = votes(D(2022, 1, 1))
    assert not ended.has_voting_rights and "3.E.3" in ended.reason


def test_never_as_a_partner() -> None:
    r = votes(D(2019, 1, 1), spans=[Span("partner", D(2015, 1, 1), None)])
    assert not r.has_voting_rights and "observer" in r.reason


def test_a_rejoining_member_confirms_again() -> None:
    spans = [Span("member", D(2010, 1, 1), D(2012, 1, 1)), Span("member", D(2015, 1, 1), None)]
    r = votes(
        D(2016, 1, 1),
        spans=spans,
        confirmations=[D(2010, 2, 1)],
        wg_meetings=[D(2010, 3, 1), D(2015, 6, 1)],
    )
    assert not r.has_voting_rights
    again = votes(
        D(2016, 1, 1),
        spans=spans,
        confirmations=[D(2010, 2, 1), D(2015, 2, 1)],
        wg_meetings=[D(2010, 3, 1), D(2015, 6, 1)],
    )
    assert again.has_voting_rights and again.since == D(2015, 6, 1)


@pytest.mark.parametrize("offset", range(-2, 3))
def test_every_day_around_the_first_meeting(offset: int) -> None:
    day = D(2018, 5, 14) + timedelta(days=offset)
    assert votes(day).has_voting_rights is (offset >= 0)


@pytest.mark.parametrize(
    ("status", "voting", "expected"),
    [
        ("member", True, "voting_member"),
        ("member", False, "member"),
        ("partner", False, "observer"),
        ("stakeholder", False, "guest"),
        ("applicant", False, "guest"),
        ("former_member", False, "guest"),
    ],
)
def test_capacity(status: str, voting: bool, expected: str) -> None:
    assert rules.capacity(status, voting) == expected


@pytest.mark.parametrize("kind", ["working_group", "principals", "expert_group"])
def test_guests_only_at_briefings_and_consultations(kind: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        rules.check_guests_allowed(kind, ["an-ngo"])
    assert caught.value.rule == "ToR 3.A.5"
    rules.check_guests_allowed("briefing", ["an-ngo"])
    rules.check_guests_allowed("consultation", ["an-ngo"])
    rules.check_guests_allowed(kind, [])


def test_consensus() -> None:
    assert rules.outcome(0) == "adopted"
    assert rules.outcome(1) == "not_adopted"
    with pytest.raises(RuleViolation, match=r"3\.B\.3"):
        rules.check_quorum(set())
    with pytest.raises(RuleViolation, match=r"3\.B\.3"):
        rules.check_record("   ")
    with pytest.raises(RuleViolation, match=r"3\.B\.3"):
        rules.check_confirmed_by("ilo", ["unhcr"], D(2015, 7, 22))
    rules.check_confirmed_by("osce", ["un-women", "osce"], D(2019, 5, 1))


@pytest.mark.parametrize(
    ("objector", "rule"),
    [("partner", "ToR 3.B.7"), ("absent", "ToR 3.B.3"), ("new-member", "ToR 3.B.3")],
)
def test_who_may_object(objector: str, rule: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        rules.check_objectors(
            [objector],
            voting={"ilo"},
            observers={"partner"},
            taking_part={"ilo", "new-member", "partner"},
        )
    assert caught.value.rule == rule
    rules.check_objectors(["ilo"], voting={"ilo"}, observers=set(), taking_part={"ilo"})


def test_applications() -> None:
    application_rules.check_application(role="partner", held_role=None, open_application=False)
    application_rules.check_application(role="member", held_role="partner", open_application=False)
    with pytest.raises(RuleViolation) as open_one:
        application_rules.check_application(role="member", held_role=None, open_application=True)
    assert open_one.value.status == 409 and open_one.value.rule == "ToR 3.A.3"
    with pytest.raises(RuleViolation, match=r"3\.A\.3"):
        application_rules.check_application(
            role="member", held_role="member", open_application=False
        )
    with pytest.raises(RuleViolation, match=r"3\.F\.1"):
        application_rules.check_application(
            role="partner", held_role="member", open_application=False
        )


def test_admission_timing() -> None:
    submitted, introduced = D(2015, 1, 5), D(2015, 1, 19)
    application_rules.check_admission_timing(
        submitted_on=submitted, introduced_on=introduced, decided_on=introduced
    )
    with pytest.raises(RuleViolation, match=r"3\.A\.3"):
        application_rules.check_admission_timing(
            submitted_on=submitted,
            introduced_on=introduced,
            decided_on=introduced - timedelta(days=1),
        )
    with pytest.raises(RuleViolation, match="not been introduced"):
        application_rules.check_admission_timing(
            submitted_on=submitted, introduced_on=None, decided_on=introduced
        )
