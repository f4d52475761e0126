"""Today, in the registry's time zone (``ICAT_TIMEZONE``): the one clock of the service.

Every "today" (the default day of a view, the newest day a fact may carry, the powers of the
sitting Chair) is read here, so a request and a test see one day, and a test can move it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

_zone = ZoneInfo("UTC")
_fixed: date | None = None


def configure(timezone: str) -> None:
    """Use ``timezone`` (an IANA name, already validated by the settings) for "today"."""
    global _zone
    _zone = ZoneInfo(timezone)


def today() -> date:
    """The date now in the registry's time zone (or the day a test fixed)."""
    return _fixed if _fixed is not None else datetime.now(_zone).date()


@contextmanager
def fixed(day: date) -> Iterator[None]:
    """For tests: "today" is ``day`` inside the block."""
    global _fixed
    before, _fixed = _fixed, day
    try:
        yield
    finally:
        _fixed = before
