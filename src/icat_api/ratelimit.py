"""Rate limits per client address and per API key: 429 problem+json with Retry-After.

The limiter is GCRA (the generic cell rate algorithm, a token bucket kept as one timestamp per
client): a client may make ``limit`` requests in any ``period``, in a burst or spread out. It
costs a dict lookup and some arithmetic per request, which matters on the hottest read (the
``limits`` library measured 8-13 µs a hit here, this under 1 µs). State lives in the process:
with several workers each enforces the limit on its own share of the traffic.

With ``ICAT_REDIS_URL`` the same GCRA runs in Redis instead (:class:`SharedGcra`): one script
call per request checks and counts both limits atomically, so every worker and replica shares
them. When Redis does not answer, requests are served unlimited (fail open) and a warning is
logged at most every 30 s; limiting resumes when Redis answers again.
"""

import asyncio
import contextlib
import hashlib
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from icat_api.problems import problem_response

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.commands.core import AsyncScript

log = structlog.get_logger("icat_api.ratelimit")

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
        if wait > 1e-6:  # a microsecond, as in Redis: (t + 3600) - 3600 - t is not always 0.0
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


# GCRA as Gcra.take does it, for the address (KEYS[1]) and, when the request has a bearer key,
# the key (KEYS[2]): the key is counted only when the address is allowed, a refusal records
# nothing. Times are microseconds of the Redis server's clock (TIME), so replicas whose clocks
# differ still agree; a record expires when its allowance is whole again. Redis 5 or later
# (scripts replicated by their effects, so TIME may precede writes). Answers the wait and the
# limit that decided (1: the address, 2: the key).
_GCRA_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local function take(key, interval, period)
  local tat = math.max(tonumber(redis.call('GET', key)) or now, now) + interval
  local wait = tat - period - now
  if wait > 0 then
    return wait
  end
  redis.call('SET', key, string.format('%.0f', tat),
             'PX', string.format('%.0f', math.max(1, math.ceil((tat - now) / 1000))))
  return 0
end
local wait = take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
local limit = 1
if wait == 0 and KEYS[2] then
  wait = take(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4]))
  limit = 2
end
return {math.ceil(wait), limit}
"""


class SharedGcra:
    """The two limits in Redis, shared by every process that points at the same database.

    Fails open: an error or a timeout (``timeout`` seconds, so a dead Redis does not hold
    requests up) lets the request through, and Redis is left alone for ``RETRY_SECONDS``
    (requests meanwhile go through without asking it); one warning is logged at most every
    ``WARN_EVERY`` seconds while it stays away, one line when it is back.
    """

    TIMEOUT = 0.25
    RETRY_SECONDS = 1.0
    WARN_EVERY = 30.0
    PREFIX = "icat:ratelimit:"

    def __init__(
        self,
        url: str,
        per_address: tuple[int, float],
        per_key: tuple[int, float],
        clock: Callable[[], float] = time.monotonic,
        timeout: float = TIMEOUT,
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.clock = clock
        (a_limit, a_period), (k_limit, k_period) = per_address, per_key
        self._args = [
            repr(a_period / a_limit * 1e6),
            repr(a_period * 1e6),
            repr(k_period / k_limit * 1e6),
            repr(k_period * 1e6),
        ]
        self._client: Redis | None = None  # made in the event loop that uses it
        self._script: AsyncScript | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._retry_at = 0.0
        self._warned_at = -math.inf
        self._failing = False

    def _script_for(self, loop: asyncio.AbstractEventLoop) -> "AsyncScript":
        if self._script is None or self._loop is not loop:
            from redis.asyncio import Redis
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff

            self._client = Redis.from_url(
                self.url,
                socket_timeout=self.timeout,
                socket_connect_timeout=self.timeout,
                retry=Retry(NoBackoff(), 0),  # no retries: the request does not wait for them
            )
            self._script = self._client.register_script(_GCRA_SCRIPT)
            self._loop = loop
        return self._script

    async def take(self, address: str | None, token: bytes | None) -> float:
        """Counts a request: 0 when allowed (or when Redis does not answer), else the seconds
        to wait."""
        return (await self.take_scoped(address, token))[0]

    async def take_scoped(self, address: str | None, token: bytes | None) -> tuple[float, str]:
        """:meth:`take`, and the limit that decided: ``address``, or ``key`` when the address
        was allowed and the request has a key."""
        now = self.clock()
        if now < self._retry_at:
            return 0.0, "address"
        keys = [f"{self.PREFIX}address:{address or '-'}"]
        if token is not None:  # the key itself is not kept, nor is a hash the database keeps
            digest = hashlib.blake2b(token, digest_size=16, person=b"icat-ratelimit")
            keys.append(f"{self.PREFIX}key:{digest.hexdigest()}")
        try:
            wait, limit = await self._script_for(asyncio.get_running_loop())(
                keys=keys, args=self._args
            )
        except Exception as exc:  # whatever went wrong, the request is served
            self._failed(now, exc)
            return 0.0, "address"
        if self._failing:
            self._failing = False
            log.info("rate_limit_store_back", detail="Redis answers again; limits apply.")
        return int(wait) / 1e6, "key" if int(limit) == 2 else "address"

    def _failed(self, now: float, exc: Exception) -> None:
        self._failing = True
        self._retry_at = now + self.RETRY_SECONDS
        if now - self._warned_at >= self.WARN_EVERY:
            self._warned_at = now
            log.warning(
                "rate_limit_store_unavailable",
                error=f"{type(exc).__name__}: {exc}",
                detail="Requests are served without rate limits until Redis answers.",
            )

    async def aclose(self) -> None:
        client, self._client, self._script, self._loop = self._client, None, None, None
        if client is not None:
            with contextlib.suppress(Exception):
                await client.aclose()

    def closing_at_shutdown(self, receive: Receive) -> Receive:
        """``receive`` of the lifespan, closing the connections when the server stops."""

        async def receive_then_close() -> Message:
            message = await receive()
            if message["type"] == "lifespan.shutdown":
                await self.aclose()
            return message

        return receive_then_close


class RateLimit:
    """Every request counts against its client address; a request with a bearer key also
    counts against that key (a key shared by many addresses is limited once; many keys behind
    one address are limited by the address). In the process, or in Redis with ``redis_url``.
    ``on_refusal`` is told of each 429 and the limit that refused it (``address``, ``key``)."""

    def __init__(
        self,
        app: ASGIApp,
        per_address: str,
        per_key: str,
        redis_url: str | None = None,
        on_refusal: Callable[[str], None] | None = None,
        redis_timeout: float = SharedGcra.TIMEOUT,
    ) -> None:
        self.app = app
        self.on_refusal = on_refusal
        self.per_address = Gcra(*parse_rate(per_address))
        self.per_key = Gcra(*parse_rate(per_key))
        self.shared = (
            SharedGcra(
                redis_url, parse_rate(per_address), parse_rate(per_key), timeout=redis_timeout
            )
            if redis_url
            else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            if scope["type"] == "lifespan" and self.shared is not None:
                receive = self.shared.closing_at_shutdown(receive)
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        if self.shared is None:
            limit = "address"
            wait = self.per_address.take(client[0] if client else None)
            token = _bearer(scope)
            if not wait and token is not None:
                limit = "key"
                wait = self.per_key.take(hash(token))  # the key itself is not kept
        else:
            wait, limit = await self.shared.take_scoped(
                client[0] if client else None, _bearer(scope)
            )
        if wait:
            if self.on_refusal is not None:
                self.on_refusal(limit)
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
