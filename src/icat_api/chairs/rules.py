"""The ToR rules on chair terms that a recorded term must respect."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from icat_api.governance.rules import one_year_before, participation
from icat_api.problems import RuleViolation


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
    counted = participation(meetings_held, meetings_attended, window_start, day - timedelta(1))
    held, attended = counted.held, counted.attended
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
    elif attended / held < min_ratio:
        reasons.append(
            f"Attended {attended} of the {held} Working Group meetings of the twelve "
            f"months before, less than {min_ratio:.0%}: not regular participation (ToR 3.D.1)."
        )
    if reasons:
        return Eligibility(False, reasons, first_participation_on, attended, held)
    met = [
        f"Member with voting rights on {day} (ToR 3.E.3).",
        f"Participating since {first_participation_on}, one year or more (ToR 3.D.1).",
        f"Attended {attended} of {held} Working Group meetings of the twelve months "
        f"before, at least {min_ratio:.0%} (ToR 3.D.1).",
    ]
    return Eligibility(True, met, first_participation_on, attended, held)


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


def check_joint_filing(entity_ids: Sequence[str], roles: dict[str, list[str]] | None) -> None:
    """ToR 3.D.2: a joint expression of interest delineates the co-chairs' roles."""
    if len(entity_ids) == 2 and roles is None:
        raise RuleViolation(
            "ToR 3.D.2", "A joint expression of interest delineates the co-chairs' roles: `roles`"
        )


def check_candidates_are_members(statuses: dict[str, str | None], day: date) -> None:
    """ToR 3.D.1, 3.E.3: only members chair; partners never."""
    for entity_id, status in statuses.items():
        if status != "member":
            raise RuleViolation(
                "ToR 3.E.3", f"Only ICAT members may chair; {entity_id} is {status} on {day}"
            )


def candidacy_status(stored: str, term_year: int, term_taken: bool, today: date) -> str:
    """ToR 3.D.1: a candidacy stays open until one is elected for its term or the Working
    Group's deadline, 30 June of the year before, passes; a decision without consensus closes
    nothing."""
    if stored == "candidate" and (term_taken or today > date(term_year - 1, 6, 30)):
        return "not_elected"
    return stored


def check_confirmer(candidates: Sequence[str], confirmed: Sequence[str], entity_id: str) -> None:
    """ToR 3.D.2: each named candidate expresses its own interest, once."""
    if entity_id not in candidates:
        raise RuleViolation("ToR 3.D.2", f"{entity_id} is not named in this joint candidacy")
    if entity_id in confirmed:
        raise RuleViolation(
            "ToR 3.D.2", f"{entity_id} has already expressed its interest", status=409
        )


def check_electable(status: str, unconfirmed: Sequence[str]) -> None:
    """ToR 3.D.1, 3.D.2: only an open candidacy whose every candidate has expressed its own
    interest can be elected."""
    if status == "awaiting_confirmation":
        raise RuleViolation(
            "ToR 3.D.2",
            "A joint candidacy is elected only once every candidate has expressed its own "
            "interest; awaiting: " + ", ".join(unconfirmed),
        )
    if status != "candidate":
        raise RuleViolation("ToR 3.D.1", f"This candidacy is already {status}", status=409)


def check_withdrawable(status: str) -> None:
    """ToR 3.D.1: an open candidacy may be withdrawn; an elected or withdrawn one stays."""
    if status not in ("awaiting_confirmation", "candidate"):
        raise RuleViolation(
            "ToR 3.D.1", f"This candidacy is {status}; only an open one is withdrawn", status=409
        )


def check_after_interest(submitted_on: date, decided_on: date) -> None:
    """ToR 3.D.1: the Working Group decides after the expression of interest."""
    if decided_on < submitted_on:
        raise RuleViolation(
            "ToR 3.D.1",
            f"The election on {decided_on} would come before the expression of interest of "
            f"{submitted_on}",
        )
