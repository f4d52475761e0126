"""What the delivery loop does after each attempt: pure functions of the attempt's outcome.

The schedule follows the Standard Webhooks recommendations (and Svix's): after a failure, retry
in 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, about a day and a quarter in all; then the
delivery has failed. A subscription whose receiver answers ``410 Gone`` is disabled at once; one
that has failed without a single success for three days is disabled too.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

RETRY_DELAYS = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)
DISABLE_AFTER = timedelta(days=3)


@dataclass(frozen=True)
class Outcome:
    """What became of one attempt: the receiver's status code, or why there was none."""

    status_code: int | None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == 410


@dataclass(frozen=True)
class Next:
    """The delivery's state after an attempt, and the subscription's."""

    status: str  # pending, delivered, failed
    next_attempt_at: datetime | None
    failing_since: datetime | None
    disable_reason: str | None


def after_attempt(
    outcome: Outcome,
    *,
    attempts: int,
    now: datetime,
    failing_since: datetime | None,
    delays: Sequence[float] = RETRY_DELAYS,
    disable_after: timedelta = DISABLE_AFTER,
) -> Next:
    """The state after attempt number ``attempts`` (1 for the first) ended in ``outcome``."""
    if outcome.delivered:
        return Next("delivered", None, None, None)
    if outcome.gone:
        return Next("failed", None, failing_since or now, "the receiver answered 410 Gone")
    failing_since = failing_since or now
    if now - failing_since >= disable_after:
        days = disable_after.total_seconds() / 86400
        return Next("failed", None, failing_since, f"failing for {days:g} days without a success")
    if attempts > len(delays):
        return Next("failed", None, failing_since, None)
    return Next("pending", now + timedelta(seconds=delays[attempts - 1]), failing_since, None)
