"""Chair eligibility and the calendar of elections as pure rules (ToR 3.D.1, 3.D.2, 3.E.3)."""

from datetime import date, timedelta

import pytest

from icat_api.chairs import rules
from icat_api.governance.rules import one_year_before
from icat_api.problems import RuleViolation

D = date
FIRST = D(2020, 5, 14)


def verdict(day: date, **kw: object) -> rules.Eligibility:
    args: dict[str, object] = {
        "status": "member",
        "has_voting_rights": True,
        "first_participation_on": FIRST,
        "meetings_held": [D(2020, 5, 14), D(2020, 10, 1), D(2021, 2, 1), D(2021, 5, 14)],
        "meetings_attended": [D(2020, 5, 14), D(2020, 10, 1), D(2021, 2, 1), D(2021, 5, 14)],
        "min_ratio": 0.5,
    }
    args.update(kw)
    return rules.chair_eligibility(day=day, **args)  # type: ignore[arg-type]


def test_one_year_of_participation_the_day_before_and_the_day_of() -> None:
    before = verdict(D(2021, 5, 13))
    assert not before.eligible
    assert any("less than one year" in r for r in before.reasons)
    assert verdict(D(2021, 5, 14)).eligible


def test_a_meeting_exactly_twelve_months_before_is_in_the_window() -> None:
    v = verdict(D(2021, 5, 14))
    assert v.held == 3  # 2020-05-14 included, 2021-05-14 (the day itself) excluded
    assert v.attended == 3


@pytest.mark.parametrize(("attended", "eligible"), [(1, False), (2, True)])
def test_ratio_just_under_and_at_the_threshold(attended: int, eligible: bool) -> None:
    held = [D(2021, 1, 10), D(2021, 3, 10), D(2021, 6, 10), D(2021, 9, 10)]
    v = verdict(D(2021, 12, 1), meetings_held=held, meetings_attended=held[:attended])
    assert v.eligible is eligible
    assert (v.attended, v.held) == (attended, 4)
    assert v.ratio == attended / 4


def test_partners_are_never_eligible() -> None:
    v = verdict(D(2021, 12, 1), status="partner", has_voting_rights=False)
    assert not v.eligible and "3.E.3" in " ".join(v.reasons)


def test_no_voting_rights_no_chair() -> None:
    v = verdict(D(2021, 12, 1), has_voting_rights=False)
    assert not v.eligible and any("voting rights" in r for r in v.reasons)


def test_never_participated() -> None:
    v = verdict(D(2021, 12, 1), first_participation_on=None, meetings_attended=[])
    assert not v.eligible and len(v.reasons) == 2


def test_no_meeting_held_means_no_regular_participation() -> None:
    v = verdict(D(2025, 1, 1), meetings_held=[], meetings_attended=[])
    assert not v.eligible and v.ratio is None


def test_leap_day() -> None:
    assert one_year_before(D(2024, 2, 29)) == D(2023, 2, 28)


@pytest.mark.parametrize(
    ("submitted", "ok"),
    [
        (D(2022, 1, 1), True),
        (D(2022, 3, 31), True),
        (D(2021, 12, 31), False),
        (D(2022, 4, 1), False),
        (D(2023, 2, 1), False),
    ],
)
def test_interest_is_expressed_in_q1_of_the_year_before(submitted: date, ok: bool) -> None:
    if ok:
        rules.check_candidacy_window(2023, submitted)
    else:
        with pytest.raises(RuleViolation) as caught:
            rules.check_candidacy_window(2023, submitted)
        assert caught.value.rule == "ToR 3.D.1"


@pytest.mark.parametrize(
    ("decided", "ok"),
    [
        (D(2022, 6, 30), True),
        (D(2022, 2, 1), True),
        (D(2022, 7, 1), False),
        (D(2023, 1, 5), False),
        (D(2021, 12, 31), False),
    ],
)
def test_elected_by_30_june_of_the_year_before(decided: date, ok: bool) -> None:
    if ok:
        rules.check_election_window(2023, decided)
    else:
        with pytest.raises(RuleViolation, match=r"3\.D\.1"):
            rules.check_election_window(2023, decided)


def test_every_candidate_must_be_eligible() -> None:
    good = verdict(D(2021, 12, 1))
    bad = verdict(D(2021, 12, 1), status="partner", has_voting_rights=False)
    rules.check_candidates_eligible({"a": good}, D(2021, 12, 1))
    with pytest.raises(RuleViolation, match="b is not eligible"):
        rules.check_candidates_eligible({"a": good, "b": bad}, D(2021, 12, 1))


def test_the_window_moves_with_the_day() -> None:
    for offset in range(0, 400, 37):
        day = D(2021, 1, 1) + timedelta(days=offset)
        v = verdict(day)
        start = one_year_before(day)
        expected = sum(
            1
            for m in [D(2020, 5, 14), D(2020, 10, 1), D(2021, 2, 1), D(2021, 5, 14)]
            if start <= m < day
        )
        assert v.held == expected
