"""Rules of the record that hold in every domain, pure functions each citing its clause."""

from datetime import date

from icat_api.problems import RuleViolation

RECORDS = "ToR 3.C.2"


def check_not_after_today(field: str, day: date, today: date) -> None:
    """ToR 3.C.2: the Coordinator keeps the records of what happened. The register records
    facts, not plans: a meeting attended, a decision taken, funds received... is never dated
    after today (meetings alone may be scheduled ahead)."""
    if day > today:
        raise RuleViolation(
            RECORDS,
            f"{field} {day} is after today ({today}): the register records facts that have "
            "happened, not plans",
        )
