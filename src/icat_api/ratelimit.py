"""Rate limits per client address and per API key: 429 problem+json with Retry-After.

The limiter is GCRA (the generic cell rate algorithm, a token bucket kept as one timestamp per
client): a client may make ``limit`` requests in any ``period``, in a burst or spread out. It
costs a dict lookup and some arithmetic per request, which matters on the hottest read (the
``limits`` library measured 8-13 µs a hit here, this under 1 µs). State lives in the process:
with several workers each enforces the limit on its own share of the traffic.
"""

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from icat_api.problems import problem_response

_PERIODS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}
RATE = re.compile(r"^([1-9][0-9]{0,8})/(second|minute|hour)$")
EXEMPT = frozenset({"/healthz", "/readyz"})  # probes are never limited


def parse_rate(text: str) -> tuple[int, float]:
    """``"600/minute"`` → (600, 60.0)."""
    m = RATE.fullmatch(text)
    if m is None:
        raise ValueError(f"a rate is N/second, N/minute or N/hour, not {text!r}")
    return int(m.group(1)), _PERIODS[m.group(2)]


@dataclass
class Gcra:
    """``limit`` requests per ``period`` seconds per client; at most ``max_clients`` tracked
    (clients whose allowance is whole again are forgotten first)."""

    limit: int
    period: float
    clock: Callable[[], float] = time.monotonic
    max_clients: int = 100_000

    def __post_init__(self) -> None:
        self._interval = self.period / self.limit
        self._tat: dict[object, float] = {}  # theoretical arrival time of the next request

    def take(self, client: object) -> float:
        """Counts a request of ``client``: 0 when allowed, else the seconds to wait."""
        now = self.clock()
        tat = max(self._tat.get(client, now), now) + self._interval
        wait = tat - self.period - now
        if wait > 0:
            return wait
        if len(self._tat) >= self.max_clients and client not in self._tat:
            self._forget_idle(now)
        self._tat[client] = tat
        return 0.0

    def _forget_idle(self, now: float) -> None:
        self._tat = {c: t for c, t in self._tat.items() if t > now}
        if len(self._tat) >= self.max_clients:  # all busy: a flood of new clients
            self._tat.clear()


def _bearer(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, rest = bytes(value).partition(b" ")
            token = rest.strip()
            return token if scheme.lower() == b"bearer" and token else None
    return None


class RateLimit:
    """Every request counts against its client address; a request with a bearer key also
    counts against that key (a key shared by many addresses is limited once; many keys behind
    one address are limited by the address)."""

    def __init__(self, app: ASGIApp, per_address: str, per_key: str) -> None:
        self.app = app
        self.per_address = Gcra(*parse_rate(per_address))
        self.per_key = Gcra(*parse_rate(per_key))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.per_address.take(client[0] if client else None)
        token = _bearer(scope)
        if not wait and token is not None:
            wait = self.per_key.take(hash(token))  # the key itself is not kept
        if wait:
            seconds = max(1, math.ceil(wait))
            response = problem_response(
                429,
                f"Too many requests; retry in {seconds} s.",
                request=Request(scope),
                headers={"Retry-After": str(seconds)},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
