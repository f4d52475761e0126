"""The ToR rules on chair terms that a recorded term must respect."""

from collections.abc import Iterable, Sequence

from icat_api.chair_terms.schemas import TASKS
from icat_api.problems import RuleViolation


def check_seats(entity_ids: Sequence[str], roles: dict[str, list[str]] | None) -> None:
    """ToR 3.D.2: at most two members co-chair, and a joint term delineates roles: each of the
    Chair's tasks a-m (ToR 3.D.3) goes to one or both co-chairs, none left out."""
    if len(entity_ids) > 2:
        raise RuleViolation("ToR 3.D.2", "At most two Working Group members may co-chair ICAT")
    if roles is None:
        return
    if set(roles) != set(entity_ids):
        raise RuleViolation("ToR 3.D.2", "roles must name each chair of the term, and only them")
    if len(entity_ids) == 1:
        return
    covered = {t for tasks in roles.values() for t in tasks}
    missing = [t for t in TASKS if t not in covered]
    if missing:
        raise RuleViolation(
            "ToR 3.D.2",
            "Co-chairs must delineate every task of ToR 3.D.3; unassigned: " + ", ".join(missing),
        )


def check_years_free(new: tuple[int, int], existing: Iterable[tuple[int, int]]) -> None:
    """ToR 3.D.1: the Working Group elects one Chair (or co-chairs) per calendar-year term, so
    two terms never share a year."""
    start, end = new
    for other_start, other_end in existing:
        if start <= other_end and other_start <= end:
            raise RuleViolation(
                "ToR 3.D.1",
                f"A chair term already covers {max(start, other_start)}; one term per year",
                status=409,
            )


def check_chairs_are_members(not_members: Sequence[str], year: int) -> None:
    """ToR 3.D.1, 3.E.3: the Chair is a member of the Working Group; partners never chair."""
    if not_members:
        raise RuleViolation(
            "ToR 3.E.3",
            f"Only ICAT members may chair; not a member on 1 January {year}: "
            + ", ".join(not_members),
        )


def check_term_is_history(start_year: int, current_year: int) -> None:
    """ToR 3.D.1: the Working Group elects the Chair of a coming year; a term after the current
    year comes only from an adopted chair_election, so the secretariat records past and current
    terms only."""
    if start_year > current_year:
        raise RuleViolation(
            "ToR 3.D.1",
            f"A chair term for {start_year} comes from the Working Group's election (a "
            f"chair_election decision), not from the record of history: only terms starting in "
            f"{current_year} or earlier are recorded",
        )
