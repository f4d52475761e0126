"""The ToR rules on chair terms that a recorded term must respect."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from icat_api.chairs.schemas import TASKS
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


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: list[str]
    first_participation_on: date | None
    attended: int
    held: int

    @property
    def ratio(self) -> float | None:
        return None if self.held == 0 else self.attended / self.held


def one_year_before(day: date) -> date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def chair_eligibility(
    *,
    day: date,
    status: str,
    has_voting_rights: bool,
    first_participation_on: date | None,
    meetings_held: Iterable[date],
    meetings_attended: Iterable[date],
    min_ratio: float,
) -> Eligibility:
    """ToR 3.D.1, 3.E.3: a member of the Working Group may become Chair after one year of
    active and regular participation. The project's reading: on the day, it is a member with
    voting rights; its first Working Group participation is at least one year earlier; and it
    attended at least ``min_ratio`` of the Working Group meetings held in the twelve months
    before the day (from the same day a year earlier, included, to the day, excluded). Partners
    are never eligible."""
    window_start = one_year_before(day)
    held = sorted({d for d in meetings_held if window_start <= d < day})
    attended = sorted({d for d in meetings_attended if window_start <= d < day})
    reasons: list[str] = []
    if status == "partner":
        reasons.append("A partner is never eligible to chair; only members (ToR 3.E.3).")
    elif status != "member":
        reasons.append(f"Not an ICAT member on {day} (ToR 3.E.3).")
    elif not has_voting_rights:
        reasons.append(f"No voting rights in the Working Group on {day} (ToR 3.B.7, 3.E.3).")
    if first_participation_on is None:
        reasons.append(
            "Has not participated in a Working Group meeting since confirming its "
            "interest (ToR 3.D.1)."
        )
    elif first_participation_on > window_start:
        reasons.append(
            f"First participated on {first_participation_on}: less than one year of "
            f"participation before {day} (ToR 3.D.1)."
        )
    if not held:
        reasons.append(
            "No Working Group meeting was held in the twelve months before: "
            "regular participation cannot be shown (ToR 3.D.1)."
        )
    elif len(attended) / len(held) < min_ratio:
        reasons.append(
            f"Attended {len(attended)} of the {len(held)} Working Group meetings of the twelve "
            f"months before, less than {min_ratio:.0%}: not regular participation (ToR 3.D.1)."
        )
    if reasons:
        return Eligibility(False, reasons, first_participation_on, len(attended), len(held))
    met = [
        f"Member with voting rights on {day} (ToR 3.E.3).",
        f"Participating since {first_participation_on}, one year or more (ToR 3.D.1).",
        f"Attended {len(attended)} of {len(held)} Working Group meetings of the twelve months "
        f"before, at least {min_ratio:.0%} (ToR 3.D.1).",
    ]
    return Eligibility(True, met, first_participation_on, len(attended), len(held))


def check_candidacy_window(term_year: int, submitted_on: date) -> None:
    """ToR 3.D.1: interest in chairing is expressed in Q1 (1 January - 31 March) of the year
    before the term."""
    if not date(term_year - 1, 1, 1) <= submitted_on <= date(term_year - 1, 3, 31):
        raise RuleViolation(
            "ToR 3.D.1",
            f"Interest in chairing in {term_year} is expressed between 1 January and 31 March "
            f"{term_year - 1}, not on {submitted_on}",
        )


def check_election_window(term_year: int, decided_on: date) -> None:
    """ToR 3.D.1: the Working Group decides by the end of Q2 (30 June) of the year before the
    term, after the expressions of interest of Q1."""
    if not date(term_year - 1, 1, 1) <= decided_on <= date(term_year - 1, 6, 30):
        raise RuleViolation(
            "ToR 3.D.1",
            f"The Chair for {term_year} is elected by 30 June {term_year - 1}, not on {decided_on}",
        )


def check_candidates_eligible(verdicts: dict[str, Eligibility], day: date) -> None:
    """ToR 3.D.1, 3.E.3: every candidate is eligible on the day of the election."""
    for entity_id, verdict in verdicts.items():
        if not verdict.eligible:
            raise RuleViolation(
                "ToR 3.D.1",
                f"{entity_id} is not eligible to chair on {day}: " + " ".join(verdict.reasons),
            )
