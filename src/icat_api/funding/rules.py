"""ToR 3.B.5: extra-budgetary funds on ICAT's behalf, with the Working Group's prior approval,
in relation to the work plan. Pure functions over facts."""

from datetime import date
from typing import Protocol

from icat_api.problems import RuleViolation

RULE = "ToR 3.B.5"


class Approval(Protocol):
    """What the rules read of a funding_approval decision."""

    kind: str
    outcome: str
    recipient_entity_id: str | None
    activity_id: int | None
    decided_on: date


def check_in_working_group(recipient: str, day: date, in_working_group: bool) -> None:
    """ToR 3.B.5: only Working Group members receive funds on ICAT's behalf."""
    if not in_working_group:
        raise RuleViolation(
            RULE,
            f"{recipient} is not a member of the Working Group on {day}: only its members "
            "receive funds on ICAT's behalf",
        )


def check_activity_of_endorsed_plan(activity_id: int, plan_status: str) -> None:
    """ToR 3.B.5: funds are received "in relation to the work plan": the approval names an
    activity of an endorsed work plan."""
    if plan_status != "endorsed":
        raise RuleViolation(
            RULE,
            f"Activity {activity_id} belongs to a {plan_status} work plan: funds are approved "
            "in relation to the endorsed work plan",
        )


def check_approval(decision: Approval | None, recipient: str, received_on: date) -> None:
    """ToR 3.B.5: a Working Group member receives extra-budgetary funds on ICAT's behalf only
    with the Working Group's prior approval: an adopted funding_approval decision for that
    recipient, taken on or before the funds are received."""
    if decision is None or decision.kind != "funding_approval":
        raise RuleViolation(
            RULE,
            "Funds are received on ICAT's behalf only with the Working Group's prior approval: "
            "approval_decision_id names an adopted funding_approval decision",
        )
    if decision.outcome != "adopted":
        raise RuleViolation(RULE, "The funding_approval decision was not adopted")
    if decision.recipient_entity_id != recipient:
        raise RuleViolation(
            RULE, f"The approval is for {decision.recipient_entity_id}, not {recipient}"
        )
    if decision.decided_on > received_on:
        raise RuleViolation(
            RULE,
            f"The approval of {decision.decided_on} comes after the funds were received "
            f"on {received_on}: approval must be prior",
        )


def check_same_activity(approved: int | None, named: int | None) -> None:
    """ToR 3.B.5: the funds are for the activity the Working Group approved them for."""
    if approved is None:
        raise RuleViolation(
            RULE,
            "The approval names no activity of the work plan: funds are approved in relation "
            "to the work plan",
        )
    if named != approved:
        raise RuleViolation(RULE, f"The approval is for activity {approved}, not activity {named}")
