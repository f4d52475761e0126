"""The Working Group's rules as pure functions over facts, each naming its clause.

Voting rights, capacities, consensus and admissions are derived from the facts every time
(memberships, written confirmations, attendance), never stored as flags that go stale.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from icat_api.entities.rules import Span
from icat_api.problems import RuleViolation

GUEST_MEETINGS = ("briefing", "consultation")


@dataclass(frozen=True)
class VotingRights:
    has_voting_rights: bool
    since: date | None
    reason: str
    confirmed_on: date | None = None
    first_participation_on: date | None = None


def voting_rights(
    *, day: date, spans: Iterable[Span], confirmations: Iterable[date], wg_meetings: Iterable[date]
) -> VotingRights:
    """ToR 3.B.7, 3.E.3: a member votes from its first participation in a Working Group meeting
    on or after its written confirmation of interest — at that meeting already; never before it
    confirmed, never as a partner, never once its membership has ended.

    ``wg_meetings`` are the first days of the Working Group meetings it attended.
    """
    held = next((s for s in spans if s.holds_on(day)), None)
    if held is None:
        return VotingRights(False, None, f"Not an ICAT member on {day} (ToR 3.E.3).")
    if held.role != "member":
        return VotingRights(
            False, None, "A partner attends the Working Group as a non-voting observer (ToR 3.B.7)."
        )
    confirmed = min((c for c in confirmations if held.starts_on <= c <= day), default=None)
    if confirmed is None:
        return VotingRights(
            False,
            None,
            "Has not confirmed in writing its interest in joining the Working Group (ToR 3.B.7).",
        )
    first = min((m for m in wg_meetings if confirmed <= m <= day), default=None)
    if first is None:
        return VotingRights(
            False,
            None,
            f"Confirmed its interest on {confirmed}; it votes from its first Working Group "
            "meeting after that (ToR 3.B.7).",
            confirmed_on=confirmed,
        )
    return VotingRights(
        True,
        first,
        f"Member of the Working Group, confirmed {confirmed}, voting since its first meeting "
        f"on {first} (ToR 3.B.7, 3.E.3).",
        confirmed_on=confirmed,
        first_participation_on=first,
    )


def capacity(status: str, votes: bool) -> str:
    """How an attendee takes part on the day: a member with voting rights, a member without
    them yet, a partner observing (ToR 3.B.7), or a civil-society guest (ToR 3.A.5)."""
    if status == "member":
        return "voting_member" if votes else "member"
    if status == "partner":
        return "observer"
    return "guest"


def check_guests_allowed(meeting_kind: str, guests: Sequence[str]) -> None:
    """ToR 3.A.5: stakeholders take part in dedicated briefings and consultations, not in the
    meetings of ICAT's members and partners."""
    if guests and meeting_kind not in GUEST_MEETINGS:
        raise RuleViolation(
            "ToR 3.A.5",
            f"Only members and partners attend a {meeting_kind} meeting; stakeholders are guests "
            f"of briefings and consultations only: {', '.join(guests)}",
        )


def check_record(record: str) -> None:
    """ToR 3.B.3: agreement has to be noted in writing."""
    if not record.strip():
        raise RuleViolation("ToR 3.B.3", "A decision must be noted in writing: `record` is empty")


def check_confirmed_by(confirmed_by: str, sitting: Sequence[str], day: date) -> None:
    """ToR 3.B.3: the Chair (or a co-chair) sitting on the decision's day confirms it."""
    if confirmed_by not in sitting:
        who = ", ".join(sitting) if sitting else "no chair is recorded for that year"
        raise RuleViolation(
            "ToR 3.B.3",
            f"The decision must be confirmed by the Chair sitting on {day} ({who}), "
            f"not {confirmed_by}",
        )


def check_objectors(
    objectors: Iterable[str], *, voting: set[str], observers: set[str], taking_part: set[str]
) -> None:
    """ToR 3.B.3, 3.B.7: only entities with voting rights that take part in the decision can
    object; partners are non-voting observers."""
    for entity in objectors:
        if entity in observers:
            raise RuleViolation(
                "ToR 3.B.7", f"{entity} is a partner, a non-voting observer: it cannot object"
            )
        if entity not in taking_part:
            raise RuleViolation(
                "ToR 3.B.3", f"{entity} did not take part in this decision: it cannot object"
            )
        if entity not in voting:
            raise RuleViolation(
                "ToR 3.B.3",
                f"{entity} has no voting rights on the decision's day: it cannot object",
            )


def check_quorum(voting_participants: set[str]) -> None:
    """ToR 3.B.3: a consensus needs at least one entity with voting rights taking part."""
    if not voting_participants:
        raise RuleViolation(
            "ToR 3.B.3",
            "No entity with voting rights takes part in this decision: no consensus can be found",
        )


def outcome(maintained_objections: int) -> str:
    """ToR 3.B.3: adopted by consensus unless an objection is maintained."""
    return "adopted" if maintained_objections == 0 else "not_adopted"


def check_application(*, role: str, held_role: str | None, open_application: bool) -> None:
    """ToR 3.A.3: one open application per entity, none for a role it already holds; ToR 3.F.1:
    partners are organizations that are not members."""
    if open_application:
        raise RuleViolation("ToR 3.A.3", "This entity already has an open application", status=409)
    if held_role == role:
        raise RuleViolation("ToR 3.A.3", f"This entity is already an ICAT {role}")
    if held_role == "member" and role == "partner":
        raise RuleViolation("ToR 3.F.1", "A member cannot apply to be a partner")


def check_admission_timing(
    *, submitted_on: date, introduced_on: date | None, decided_on: date
) -> None:
    """ToR 3.A.3: the Chair introduces an application at the next Working Group meeting after
    it is submitted; the decision is taken at that meeting or later, never before."""
    if introduced_on is None:
        raise RuleViolation(
            "ToR 3.A.3",
            f"The application of {submitted_on} has not been introduced at a Working Group "
            "meeting yet: no decision can be taken on it",
        )
    if decided_on < introduced_on:
        raise RuleViolation(
            "ToR 3.A.3",
            f"The application is introduced at the Working Group meeting of {introduced_on}; "
            f"a decision on {decided_on} would come before it",
        )
