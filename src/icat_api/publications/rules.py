"""ToR 3.B.5: every ICAT product is signed off by consensus before it is published."""

from datetime import date

from icat_api.problems import RuleViolation


def check_draft(status: str) -> None:
    """ToR 3.B.5: a product is signed off once, as a draft."""
    if status != "draft":
        raise RuleViolation("ToR 3.B.5", f"This product is already {status}", status=409)


def check_publishable(status: str, signed_off_on: date | None, published_on: date) -> None:
    """ToR 3.B.5: a product is published once, after its sign-off by consensus."""
    if status == "published":
        raise RuleViolation("ToR 3.B.5", "This product is already published", status=409)
    if status != "signed_off":
        raise RuleViolation(
            "ToR 3.B.5",
            "An ICAT product is signed off by consensus (a product_sign_off decision) "
            "before it is published",
        )
    if signed_off_on is not None and published_on < signed_off_on:
        raise RuleViolation(
            "ToR 3.B.5",
            f"The product was signed off on {signed_off_on}; it cannot be published "
            f"before, on {published_on}",
        )
