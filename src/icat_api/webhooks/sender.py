"""The delivery loop: sends the outbox's due deliveries, signed, and records what became of them.

It runs in every worker of ``icat-api serve`` (``ICAT_WEBHOOK_DELIVERY_ENABLED``), as a task
of the event loop: requests never wait for it, and a slow or dead receiver costs only the
loop's own time. Each round *claims* due deliveries in one short transaction, with row locks
(PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so replicas take different rows; SQLite: one writer at
a time) and a lease (``claimed_until``); sends them concurrently; then records each outcome
with the claim's token, so an attempt whose lease ran out and was taken over is not recorded
twice. A delivery is sent at least once: a worker that dies between the POST and the record
leaves it to be sent again when its lease ends, with the same ``webhook-id`` (receivers
deduplicate on it).

The loop's own writes go through Core connections, not ORM sessions: they are bookkeeping, not
registry data, and do not move the data version that caches are keyed by.
"""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import (
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
    nullcontext,
    suppress,
)
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from fastapi import FastAPI
from sqlalchemy import Connection, Engine, or_, select, update
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook

from icat_api import __version__, clock
from icat_api.db import WRITE, Writers, utcnow
from icat_api.problems import Busy
from icat_api.settings import Settings
from icat_api.webhooks import policy, targets
from icat_api.webhooks.models import Delivery, Subscription
from icat_api.webhooks.outbox import enqueue_overdue

log = structlog.get_logger("icat_api.webhooks")

BATCH = 20
OVERDUE_EVERY = 60.0  # seconds between two looks for milestone reports that became overdue

Transactions = Callable[[], AbstractContextManager[Connection]]


@contextmanager
def _engine_transaction(engine: Engine, writers: Writers | None) -> Iterator[Connection]:
    with writers.turn() if writers else nullcontext(), engine.connect() as conn:
        conn.execution_options(**{WRITE: True})  # SQLite: BEGIN IMMEDIATE, as writers do
        with conn.begin():
            yield conn


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    message_id: str
    payload: str
    url: str
    secrets: tuple[str, ...]  # the current secret, and the previous one while it still signs
    claim: str


def signature(secrets: tuple[str, ...], message_id: str, at: datetime, payload: str) -> str:
    """``webhook-signature``: one ``v1,…`` per secret, space-separated (Standard Webhooks)."""
    return " ".join(Webhook(s).sign(message_id, at, payload) for s in secrets)


class Sender:
    """Claims, sends and records deliveries; ``transaction()`` opens one write transaction."""

    def __init__(
        self,
        transaction: Transactions,
        settings: Settings,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._transaction = transaction
        self._settings = settings
        self._now = now
        self._timeout = settings.webhook_timeout_seconds
        self._lease = timedelta(seconds=self._timeout + 60)

    # -- the database's part (threads) ---------------------------------------------------------

    def claim(self, limit: int = BATCH) -> list[Claimed]:
        """Due deliveries of active subscriptions, now this sender's for a lease."""
        now = self._now()
        token = uuid.uuid4().hex
        with self._transaction() as conn:
            rows = conn.execute(
                select(
                    Delivery.id,
                    Delivery.message_id,
                    Delivery.payload,
                    Subscription.url,
                    Subscription.secret,
                    Subscription.previous_secret,
                    Subscription.previous_secret_until,
                )
                .join(Subscription, Subscription.id == Delivery.subscription_id)
                .where(
                    Delivery.status == "pending",
                    Delivery.next_attempt_at <= now,
                    or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
                    Subscription.status == "active",
                )
                .order_by(Delivery.next_attempt_at, Delivery.id)
                .limit(limit)
                .with_for_update(skip_locked=True, of=Delivery)
            ).all()
            if not rows:
                return []
            conn.execute(
                update(Delivery)
                .where(Delivery.id.in_([r.id for r in rows]))
                .values(claimed_until=now + self._lease, claim=token)
            )
        return [
            Claimed(
                r.id,
                r.message_id,
                r.payload,
                r.url,
                (r.secret,)
                + (
                    (r.previous_secret,)
                    if r.previous_secret
                    and r.previous_secret_until
                    and r.previous_secret_until > now
                    else ()
                ),
                token,
            )
            for r in rows
        ]

    def record(self, claimed: Claimed, outcome: policy.Outcome) -> None:
        """What became of the attempt; the subscription disabled if it must be."""
        now = self._now()
        with self._transaction() as conn:
            delivery = conn.execute(
                select(Delivery.attempts, Delivery.subscription_id)
                .where(Delivery.id == claimed.delivery_id, Delivery.claim == claimed.claim)
                .with_for_update()
            ).first()
            if delivery is None:  # deleted with its subscription, or taken over
                return
            failing_since = conn.scalar(
                select(Subscription.failing_since)
                .where(Subscription.id == delivery.subscription_id)
                .with_for_update()
            )
            attempts = delivery.attempts + 1
            after = policy.after_attempt(
                outcome,
                attempts=attempts,
                now=now,
                failing_since=failing_since,
                delays=self._settings.webhook_retry_delays,
                disable_after=timedelta(hours=self._settings.webhook_disable_after_hours),
            )
            conn.execute(
                update(Delivery)
                .where(Delivery.id == claimed.delivery_id)
                .values(
                    attempts=attempts,
                    status=after.status,
                    last_attempt_at=now,
                    last_response_code=outcome.status_code,
                    last_error=outcome.error,
                    claim=None,
                    claimed_until=None,
                    **({"next_attempt_at": after.next_attempt_at} if after.next_attempt_at else {}),
                )
            )
            changes: dict[str, Any] = {"failing_since": after.failing_since}
            if after.disable_reason:
                changes |= {"status": "disabled", "disabled_reason": after.disable_reason}
                log.warning(
                    "webhook_disabled",
                    subscription_id=delivery.subscription_id,
                    reason=after.disable_reason,
                )
            conn.execute(
                update(Subscription)
                .where(Subscription.id == delivery.subscription_id)
                .values(**changes)
            )

    def queue_overdue(self) -> int:
        """Deliveries for milestone reports that became overdue (see outbox.py)."""
        with self._transaction() as conn, Session(bind=conn) as session:
            queued = enqueue_overdue(session, clock.today())
            session.commit()  # the session's part; the transaction commits as it ends
            return queued

    # -- the network's part (the event loop) -------------------------------------------------

    async def attempt(self, client: httpx.AsyncClient, claimed: Claimed) -> policy.Outcome:
        """One POST, signed now; never raises."""
        allow = self._settings.webhook_allow_private_targets
        refused = await asyncio.to_thread(targets.address_problem, claimed.url, allow_private=allow)
        if refused:
            return policy.Outcome(None, refused[:300])
        at = self._now()
        headers = {
            "content-type": "application/json",
            "user-agent": f"icat-api/{__version__} (webhooks)",
            "webhook-id": claimed.message_id,
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": signature(
                claimed.secrets, claimed.message_id, at, claimed.payload
            ),
        }
        try:
            async with asyncio.timeout(self._timeout):
                async with client.stream(
                    "POST", claimed.url, content=claimed.payload.encode(), headers=headers
                ) as response:
                    return policy.Outcome(response.status_code)  # the body is not read
        except TimeoutError:
            return policy.Outcome(None, f"no answer within {self._timeout:g} s")
        except httpx.HTTPError as exc:
            return policy.Outcome(None, f"{type(exc).__name__}: {exc}"[:300])

    async def run_once(self, client: httpx.AsyncClient) -> int:
        """Claim a batch, send it, record it; answers how many were attempted."""
        try:
            claimed = await asyncio.to_thread(self.claim)
        except Busy:
            return 0
        outcomes = await asyncio.gather(*(self.attempt(client, c) for c in claimed))
        for c, outcome in zip(claimed, outcomes, strict=True):
            await asyncio.to_thread(self.record, c, outcome)
        return len(claimed)

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop``: due deliveries as they come, overdue reports every minute. A failing
        database or receiver is logged and waited out, never fatal."""
        next_overdue = 0.0
        async with httpx.AsyncClient(
            timeout=self._timeout, follow_redirects=False, trust_env=False
        ) as client:
            while not stop.is_set():
                sent = 0
                try:
                    if time.monotonic() >= next_overdue:
                        next_overdue = time.monotonic() + OVERDUE_EVERY
                        await asyncio.to_thread(self.queue_overdue)
                    sent = await self.run_once(client)
                except Exception as exc:
                    log.warning("webhook_round_failed", error=f"{type(exc).__name__}: {exc}")
                if sent < BATCH:
                    with suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self._settings.webhook_poll_seconds)


def delivering(app: FastAPI) -> None:
    """Run the delivery loop for as long as ``app`` is served (wraps its lifespan)."""
    inner = app.router.lifespan_context
    sender = Sender(
        lambda: _engine_transaction(app.state.engine, app.state.writers), app.state.settings
    )

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[Any]:
        stop = asyncio.Event()
        task = asyncio.create_task(sender.run(stop), name="webhook-deliveries")
        try:
            async with inner(application) as state:
                yield state
        finally:
            stop.set()
            try:
                await asyncio.wait_for(task, timeout=5)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()

    app.router.lifespan_context = lifespan
