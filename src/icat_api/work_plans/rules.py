"""ToR 3.B.2: the Working Group develops and implements a biannual work plan."""

from collections.abc import Iterable, Sequence
from datetime import date

from icat_api.problems import RuleViolation


def check_biannual(start_year: int, end_year: int | None) -> None:
    """ToR 3.B.2(a): a work plan covers two calendar years, `start_year` and the next."""
    if end_year is not None and end_year != start_year + 1:
        raise RuleViolation(
            "ToR 3.B.2(a)",
            f"A work plan is biannual: {start_year}-{start_year + 1}, not {start_year}-{end_year}",
        )


def check_within_period(start_year: int, days: list[date | None]) -> None:
    """An activity runs within its plan's two years."""
    first, last = date(start_year, 1, 1), date(start_year + 1, 12, 31)
    for day in days:
        if day is not None and not first <= day <= last:
            raise RuleViolation(
                "ToR 3.B.2(a)",
                f"{day} is outside the work plan's period {start_year}-{start_year + 1}",
            )


def check_lead(lead: str, in_working_group: bool) -> None:
    """ToR 3.B.4, 3.E.2: Working Group members implement the work plan; an activity is led by
    one of them."""
    if not in_working_group:
        raise RuleViolation(
            "ToR 3.E.2", f"{lead} is not a member of the Working Group: it cannot lead an activity"
        )


def check_one_endorsed(already_endorsed: bool, start_year: int) -> None:
    """ToR 3.B.2(a): one endorsed work plan per period."""
    if already_endorsed:
        raise RuleViolation(
            "ToR 3.B.2(a)",
            f"A work plan for {start_year}-{start_year + 1} is already endorsed",
            status=409,
        )


def check_no_overlap(start_year: int, endorsed_start_years: Iterable[int]) -> None:
    """ToR 3.B.2(a): the Working Group implements one biannual work plan at a time: endorsed
    plans' periods never overlap."""
    for other in endorsed_start_years:
        if abs(other - start_year) <= 1:
            raise RuleViolation(
                "ToR 3.B.2(a)",
                f"The work plan {other}-{other + 1} is endorsed: a plan for "
                f"{start_year}-{start_year + 1} would overlap it",
                status=409,
            )


def check_draft(status: str) -> None:
    """ToR 3.B.2(a): the Working Group endorses a draft plan, once."""
    if status != "draft":
        raise RuleViolation("ToR 3.B.2(a)", f"This work plan is already {status}", status=409)


def check_co_leads(
    co_leads: Sequence[str], sitting: Sequence[str], successive: Sequence[str]
) -> None:
    """ToR 3.D.3(e): the Chair leads the drafting of the work plan together with the successive
    Chair: the co-leads are the Chair(s) sitting the day the draft is created and, once one is
    elected, the successive Chair(s) — no one else."""
    allowed = set(sitting) | set(successive)
    others = [e for e in co_leads if e not in allowed]
    if others:
        who = ", ".join(sorted(allowed)) if allowed else "no Chair is recorded for this year"
        raise RuleViolation(
            "ToR 3.D.3(e)",
            "The work plan is co-led by the sitting Chair and the successive Chair "
            f"({who}); not: " + ", ".join(others),
        )
