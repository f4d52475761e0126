"""The Working Group's rules as pure functions over facts, each naming its clause.

Voting rights, capacities, consensus and admissions are derived from the facts every time
(memberships, written confirmations, attendance), never stored as flags that go stale.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from icat_api.entities.rules import Span
from icat_api.problems import Conflict, RuleViolation
from icat_api.rules import RECORDS, check_not_after_today

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


# The clause under which the Working Group takes each kind of decision (all but `general`).
WORKING_GROUP_DECISIONS = {
    "admission": "ToR 3.A.3",
    "chair_election": "ToR 3.D.1",
    "work_plan_endorsement": "ToR 3.B.2(a)",
    "budget_allocation": "ToR 3.B.2(b)",
    "funding_approval": "ToR 3.B.5",
    "product_sign_off": "ToR 3.B.5",
}


def check_taken_where(kind: str, meeting_kind: str | None) -> None:
    """ToR 3.A.3, 3.B.2, 3.B.3, 3.B.5, 3.D.1: the Working Group's decisions (every kind but
    `general`) are taken at a Working Group meeting or electronically (``meeting_kind`` None),
    never at a briefing, a consultation, a meeting of principals or an expert group."""
    clause = WORKING_GROUP_DECISIONS.get(kind)
    if clause is not None and meeting_kind not in (None, "working_group"):
        raise RuleViolation(
            clause,
            f"A {kind} decision is the Working Group's: taken at a working_group meeting or "
            f"electronically, not at a {meeting_kind} meeting",
        )


def check_day_in_meeting(day: date, starts_on: date, ends_on: date) -> None:
    """ToR 3.B.3: a decision taken at a meeting is dated within the meeting's days."""
    if not starts_on <= day <= ends_on:
        raise RuleViolation(
            "ToR 3.B.3",
            f"A decision taken at a meeting is dated within its days ({starts_on}..{ends_on}), "
            f"not {day}",
        )


def check_everyone_consulted(consulted: set[str], entitled: set[str], deadline: date) -> None:
    """ToR 3.B.3: electronically, the Working Group is consulted as a whole: every entity with
    voting rights on the deadline day."""
    left_out = sorted(entitled - consulted)
    if left_out:
        raise RuleViolation(
            "ToR 3.B.3",
            f"An electronic decision consults every entity with voting rights on {deadline}; "
            "left out: " + ", ".join(left_out),
        )


def check_attendance_keeps_decisions(removed: set[str], relied_on: set[str]) -> None:
    """ToR 3.B.3: a decision taken at a meeting rests on who took part: an entity that objected,
    or took part with voting rights, cannot be removed from the attendance afterwards."""
    dropped = sorted(removed & relied_on)
    if dropped:
        raise RuleViolation(
            "ToR 3.B.3",
            "A decision taken at this meeting relied on the participation of "
            + ", ".join(dropped)
            + ": its attendance cannot be removed",
            status=409,
        )


def check_may_enrol(status: str | None, day: date) -> None:
    """ToR 3.B.7: members confirm their interest in joining the Working Group; partners attend
    as non-voting observers and do not enrol."""
    if status != "member":
        raise RuleViolation(
            "ToR 3.B.7",
            f"Only ICAT members join the Working Group; on {day} this entity is {status}"
            + (" (partners attend as non-voting observers)" if status == "partner" else ""),
        )


def check_days_keep_decisions(decisions_outside: int) -> None:
    """ToR 3.B.3: a decision taken at a meeting is dated within its days, so the meeting's days
    cannot move away from the decisions taken at it."""
    if decisions_outside:
        raise RuleViolation(
            "ToR 3.B.3",
            "Decisions were taken on days this change would leave outside the meeting",
            status=409,
        )


def one_year_before(day: date) -> date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Participation:
    """Working Group meetings held in a window, and how many of them an entity attended."""

    attended: int
    held: int

    @property
    def ratio(self) -> float | None:
        return None if self.held == 0 else self.attended / self.held


def participation(
    meetings_held: Iterable[date], meetings_attended: Iterable[date], first: date, last: date
) -> Participation:
    """ToR 3.B.4, 3.D.1, 3.E.2: members "actively and regularly participate". The measure:
    of the Working Group meetings held from ``first`` to ``last`` (both included, by their first
    day), how many the entity attended. Chair eligibility (ToR 3.D.1) applies it to the twelve
    months before the election; the Working Group's participation report to any window."""
    held = {d for d in meetings_held if first <= d <= last}
    attended = {d for d in meetings_attended if d in held}
    return Participation(len(attended), len(held))


# -- meetings as held ---------------------------------------------------------------------------

SCHEDULED, HELD, POSTPONED, CANCELLED = "scheduled", "held", "postponed", "cancelled"


def meeting_status(stored: str, starts_on: date, today: date) -> str:
    """ToR 3.C.2: the records say what happened. A scheduled meeting is `held` once its first
    day has come; a cancelled or postponed one never is. `held` is read from the days, not
    stored: it cannot go stale, nor be claimed for a meeting that has not begun."""
    if stored == SCHEDULED and starts_on <= today:
        return HELD
    return stored


def check_may_record_attendance(*, stored: str, starts_on: date, today: date) -> None:
    """ToR 3.C.2: attendance is a fact of a meeting held: recorded once its first day has come,
    never for a meeting cancelled or postponed (no one attended it)."""
    if stored in (CANCELLED, POSTPONED):
        raise RuleViolation(
            RECORDS,
            f"This meeting is {stored}: it was not held, so no attendance is recorded for it",
            status=409,
        )
    check_not_after_today("the meeting's starts_on", starts_on, today)


def check_may_decide_at(stored: str) -> None:
    """ToR 3.B.3, 3.D.1: a decision is taken at a meeting that is held, or electronically when
    no meeting can be held — never at a meeting cancelled or postponed. (That the meeting has
    begun follows from `check_day_in_meeting` and the decision's day not being after today.)"""
    if stored in (CANCELLED, POSTPONED):
        raise RuleViolation(
            "ToR 3.B.3",
            f"This meeting is {stored}: no decision is taken at it; take it at a meeting held, "
            "or electronically",
            status=409,
        )


def check_may_call_off(action: str, *, stored: str, decisions: int, attended: int) -> None:
    """Cancel or postpone (``action``) a meeting that has not been held: never one with
    decisions taken at it (ToR 3.B.3: they rest on the meeting) or attendance recorded (ToR
    3.C.2: the records say it was held). A cancelled meeting stays cancelled: a new one is
    recorded instead (a conflict with its state, not a clause of the ToR)."""
    done = "cancelled" if action == "cancel" else "postponed"
    if stored == CANCELLED:
        raise Conflict(f"This meeting is already cancelled; it cannot be {done}.")
    if decisions:
        raise RuleViolation(
            "ToR 3.B.3",
            f"Decisions were taken at this meeting: it was held and cannot be {done}",
            status=409,
        )
    if attended:
        raise RuleViolation(
            RECORDS,
            f"Attendance is recorded for this meeting: it was held and cannot be {done}",
            status=409,
        )
