"""The ToR rules on applications (ToR 3.A.3, 3.F.1), pure functions over facts."""

from datetime import date

from icat_api.problems import RuleViolation


def introduction(meetings: list[tuple[int, date]], submitted_on: date) -> tuple[int, date] | None:
    """ToR 3.A.3: the Working Group meeting at which the Chair introduces an application, the
    next one after it is submitted."""
    return next(((mid, d) for mid, d in meetings if d > submitted_on), None)


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


def check_open(status: str, action: str) -> None:
    """ToR 3.A.3: an application is decided once; a decided or withdrawn one stays closed (a
    decision that did not reach consensus leaves it open)."""
    if status != "submitted":
        raise RuleViolation(
            "ToR 3.A.3",
            f"This application is already {status}; only an open one can be {action}",
            status=409,
        )
