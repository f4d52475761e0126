"""Money: a positive Decimal amount and an ISO 4217 currency, with the currency's minor units.

Amounts are never floats; they travel as decimal strings ("12500.00") and are summed per
currency, never across currencies.
"""

from decimal import Decimal
from typing import Annotated, overload

from babel.numbers import get_currency_precision, list_currencies
from pydantic import AfterValidator, Field, PlainSerializer

_CODES = frozenset(list_currencies())
MAX_AMOUNT = Decimal("1000000000000")  # a trillion: anything above is a typo


def _currency(value: str) -> str:
    if value not in _CODES:
        raise ValueError("not an ISO 4217 currency code (upper case, e.g. USD, EUR, SEK)")
    return value


def _amount(value: Decimal) -> Decimal:
    if not value.is_finite() or value <= 0:
        raise ValueError("amount must be a positive number")
    if value > MAX_AMOUNT:
        raise ValueError(f"amount must not exceed {MAX_AMOUNT}")
    return value


Currency = Annotated[
    str,
    Field(
        min_length=3,
        max_length=3,
        pattern=r"^[A-Z]{3}$",
        examples=["USD", "EUR", "SEK"],
        description="An ISO 4217 currency code.",
    ),
    AfterValidator(_currency),
]
Amount = Annotated[
    Decimal,
    Field(
        description="A positive amount, as a decimal string with at most the currency's "
        "minor units (2 for USD, 0 for JPY, 3 for KWD).",
        examples=["250000.00"],
    ),
    AfterValidator(_amount),
    PlainSerializer(lambda v: format(v, "f"), return_type=str, when_used="json"),
]


@overload
def in_minor_units(amount: Decimal, currency: str) -> Decimal: ...
@overload
def in_minor_units(amount: Decimal | None, currency: str | None) -> Decimal | None: ...
def in_minor_units(amount: Decimal | None, currency: str | None) -> Decimal | None:
    """The amount written with its currency's minor units, as it was sent ("100.50" USD,
    "7000" JPY), whatever the column's scale."""
    if amount is None or currency is None:
        return amount
    return amount.quantize(Decimal(1).scaleb(-get_currency_precision(currency)))


def check_minor_units(amount: Decimal, currency: str) -> None:
    """More decimals than the currency has (ToR 3.B.5 records are in real money)."""
    places = -amount.normalize().as_tuple().exponent  # type: ignore[operator]
    allowed = get_currency_precision(currency)
    if places > allowed:
        raise ValueError(f"{currency} has {allowed} decimal places; {amount} has {places}")
