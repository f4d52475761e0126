"""ToR 3.A.2: each member and partner designates a focal point."""

from icat_api.problems import RuleViolation

FOCAL_POINT_RULE = "ToR 3.A.2"


def check_may_designate(status: str) -> None:
    """Only members and partners designate focal points (ToR 3.A.2); an applicant's or a
    stakeholder's contacts are not ICAT's to keep."""
    if status not in ("member", "partner"):
        raise RuleViolation(
            FOCAL_POINT_RULE,
            f"Only ICAT members and partners designate focal points; this entity is {status}",
        )


def check_one_primary(primaries: int, total: int) -> None:
    """While an entity lists contacts, exactly one is its primary focal point (ToR 3.A.2)."""
    if total and primaries != 1:
        found = "none" if primaries == 0 else f"{primaries}"
        raise RuleViolation(
            FOCAL_POINT_RULE,
            f"Exactly one contact must be the primary focal point while any are listed; "
            f"this change leaves {found}",
        )
