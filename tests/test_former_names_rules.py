"""The rules of former names (ToR 3.C.2: the record of what an entity was called), as pure
functions: none after today, no two on the same last day, each a real renaming, and the name
used on a day."""

from datetime import date

import pytest

from icat_api.entities.rules import FormerName, check_former_names, former_name_on
from icat_api.problems import RuleViolation

TODAY = date(2026, 6, 30)
DPA = FormerName("Department of Political Affairs", "DPA", date(2018, 12, 31))
CURRENT = ("Department of Political and Peacebuilding Affairs", "DPPA")


def check(
    *former: FormerName, name: str = CURRENT[0], acronym: str | None = CURRENT[1]
) -> list[FormerName]:
    return check_former_names(list(former), name=name, acronym=acronym, today=TODAY)


def refusal(*former: FormerName, **current: str | None) -> str:
    with pytest.raises(RuleViolation) as refused:
        check(*former, **current)  # type: ignore[arg-type]
    assert refused.value.rule == "ToR 3.C.2"
    return refused.value.detail


def test_no_former_name_is_a_history_too() -> None:
    assert check() == []


def test_former_names_come_back_oldest_first() -> None:
    older = FormerName("Political Affairs Office", None, date(1992, 2, 28))
    assert check(DPA, older) == [older, DPA]


def test_a_former_name_may_end_today_not_after() -> None:
    assert check(FormerName("Old", "O", TODAY)) == [FormerName("Old", "O", TODAY)]
    detail = refusal(DPA, FormerName("Next", "N", date(2026, 7, 1)))
    assert "former_names[1].until 2026-07-01 is after today (2026-06-30)" in detail


def test_two_former_names_ending_the_same_day_overlap() -> None:
    other = FormerName("Department of Political Questions", "DPQ", DPA.until)
    detail = refusal(DPA, other)
    assert "Two former names end on 2018-12-31" in detail
    assert "may not overlap" in detail


def test_the_latest_former_name_must_differ_from_the_current_one() -> None:
    detail = refusal(FormerName(*CURRENT, date(2018, 12, 31)))
    assert "same name and acronym as the one that followed it" in detail
    # A new acronym alone is a renaming.
    assert check(FormerName(CURRENT[0], "DPPA-old", date(2018, 12, 31)))
    # So is a new name with the same acronym.
    assert check(FormerName("Department of Politics", "DPPA", date(2018, 12, 31)))


def test_two_successive_former_names_must_differ() -> None:
    again = FormerName(DPA.name, DPA.acronym, date(2010, 12, 31))
    assert "'Department of Political Affairs' (until 2010-12-31)" in refusal(again, DPA)
    # Not successive (another name between them): a name may come back.
    between = FormerName("Interim name", None, date(2014, 12, 31))
    assert check(again, between, DPA) == [again, between, DPA]


def test_the_name_used_on_a_day() -> None:
    older = FormerName("Political Affairs Office", None, date(1992, 2, 28))
    history = check(DPA, older)
    assert former_name_on(history, date(1990, 1, 1)) == older
    assert former_name_on(history, date(1992, 2, 28)) == older  # `until` is its last day
    assert former_name_on(history, date(1992, 2, 29)) == DPA
    assert former_name_on(history, date(2015, 6, 30)) == DPA
    assert former_name_on(history, date(2018, 12, 31)) == DPA
    assert former_name_on(history, date(2019, 1, 1)) is None  # the current name
    assert former_name_on([], date(2015, 6, 30)) is None
