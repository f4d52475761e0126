"""The delivery loop (issue 14): due deliveries sent to a real receiver on 127.0.0.1, signed as
Standard Webhooks says and verified with its library; retried with backoff after a 500, a
timeout or a closed connection; a 410 or three failing days disable the subscription; claims
keep two senders from sending the same delivery; overdue milestone reports are queued once."""

import asyncio
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from icat_api.db import make_engine, utcnow
from icat_api.funding.models import Funding, Milestone
from icat_api.keys.service import create_key
from icat_api.settings import Settings
from icat_api.webhooks.models import Delivery, Subscription
from icat_api.webhooks.policy import Outcome
from icat_api.webhooks.sender import Sender, _engine_transaction
from tests.conftest import Keys
from tests.dbutil import fresh_database, seeded
from tests.helpers import body_of
from tests.receiver import CLOSE, Receiver, receiver

NEW = {
    "id": "sent-agency",
    "name": "Sent Agency against Trafficking",
    "kind": "intergovernmental",
    "scope": "regional",
    "mandate_covers_tip": True,
}


def sender_settings(**changes: Any) -> Settings:
    base: dict[str, Any] = {
        "database_url": "sqlite://",
        "webhook_allow_private_targets": True,
        "webhook_timeout_seconds": 10.0,
        "webhook_retry_delays": (0.0, 0.0, 0.0),
    }
    return Settings(**{**base, **changes})


def sender_on(connection: Connection, **changes: Any) -> Sender:
    """A sender whose transactions are savepoints of the test's connection."""

    @contextmanager
    def transaction() -> Iterator[Connection]:
        with connection.begin_nested():
            yield connection

    return Sender(transaction, sender_settings(**changes))


def rounds(sender: Sender, n: int = 1) -> list[int]:
    """``n`` rounds of the loop: claim, send, record."""

    async def go() -> list[int]:
        async with httpx.AsyncClient(timeout=5, trust_env=False) as client:
            return [await sender.run_once(client) for _ in range(n)]

    return asyncio.run(go())


@pytest.fixture
def private(app: FastAPI) -> Iterator[None]:
    """The app allows private targets (the receiver is on 127.0.0.1), as the tests' env does."""
    original = app.state.settings
    app.state.settings = original.model_copy(update={"webhook_allow_private_targets": True})
    try:
        yield
    finally:
        app.state.settings = original


@pytest.fixture
def hook(private: None) -> Iterator[Receiver]:
    with receiver() as r:
        yield r


def subscribe(client: TestClient, headers: dict[str, str], url: str, events: list[str]) -> Any:
    body = {"url": url, "events": events}
    return body_of(client.post("/v1/webhooks", json=body, headers=headers), 201)


def deliveries_of(client: TestClient, headers: dict[str, str], webhook_id: int) -> list[Any]:
    path = f"/v1/webhooks/{webhook_id}/deliveries"
    return body_of(client.get(path, headers=headers), 200)["items"]  # type: ignore[no-any-return]


def subscription(db: Session, webhook_id: int) -> Subscription:
    db.expire_all()
    row = db.get(Subscription, webhook_id)
    assert row is not None
    return row


def test_a_change_is_delivered_signed_and_verifiable(
    client: TestClient, connection: Connection, keys: Keys, sec: dict[str, str], hook: Receiver
) -> None:
    member = Keys.header(keys.member)
    created = subscribe(client, member, hook.url, ["entity.created"])
    body_of(client.post("/v1/entities", json=NEW, headers=sec), 201)
    change = client.get("/v1/changes", params={"limit": 200}).json()["items"][-1]

    assert rounds(sender_on(connection)) == [1]

    (got,) = hook.requests
    assert got.headers["content-type"] == "application/json"
    assert got.headers["webhook-id"] == f"msg_{change['seq']}"
    event = Webhook(created["secret"]).verify(got.body, got.headers)
    assert event == {"type": "entity.created", "timestamp": change["occurred_at"], "data": change}
    with pytest.raises(WebhookVerificationError):  # another secret does not verify it
        Webhook("whsec_" + "QUJD" * 8).verify(got.body, got.headers)
    with pytest.raises(WebhookVerificationError):  # nor does a changed body
        Webhook(created["secret"]).verify(got.body.replace("sent-agency", "evil"), got.headers)
    (d,) = deliveries_of(client, member, created["id"])
    assert (d["status"], d["attempts"], d["last_response_code"]) == ("delivered", 1, 204)
    assert d["next_attempt_at"] is None and d["last_error"] is None
    assert rounds(sender_on(connection)) == [0]  # delivered once, not again
    assert len(hook.requests) == 1


@pytest.mark.parametrize(
    ("failure", "error"),
    [(500, None), (CLOSE, "RemoteProtocolError"), (("sleep", 2.0, 204), "no answer within")],
    ids=["500", "closed", "timeout"],
)
def test_a_failed_attempt_is_retried_with_the_same_webhook_id(
    client: TestClient,
    connection: Connection,
    db: Session,
    keys: Keys,
    sec: dict[str, str],
    hook: Receiver,
    failure: Any,
    error: str | None,
) -> None:
    member = Keys.header(keys.member)
    created = subscribe(client, member, hook.url, ["*"])
    body_of(client.post("/v1/entities", json=NEW, headers=sec), 201)
    hook.script = [failure]
    # a receiver that answers in 2 s to a sender that waits 0.5 s; elsewhere the sender waits
    # 10 s, so that a receiver thread paused on a loaded machine is not taken for a timeout
    waits = 0.5 if error == "no answer within" else 10.0
    assert rounds(sender_on(connection, webhook_timeout_seconds=waits)) == [1]
    (d,) = deliveries_of(client, member, created["id"])
    assert (d["status"], d["attempts"]) == ("pending", 1)
    assert d["last_response_code"] == (500 if failure == 500 else None)
    if error:
        assert error in d["last_error"]
    assert subscription(db, created["id"]).failing_since is not None

    assert rounds(sender_on(connection)) == [1]  # the retry (delay 0 here)
    (d,) = deliveries_of(client, member, created["id"])
    assert (d["status"], d["attempts"], d["last_response_code"]) == ("delivered", 2, 204)
    assert subscription(db, created["id"]).failing_since is None  # a success resets it
    first, second = hook.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    Webhook(created["secret"]).verify(second.body, second.headers)


def test_retries_end_and_the_delivery_fails(
    client: TestClient, connection: Connection, keys: Keys, sec: dict[str, str], hook: Receiver
) -> None:
    member = Keys.header(keys.member)
    created = subscribe(client, member, hook.url, ["*"])
    body_of(client.post("/v1/entities", json=NEW, headers=sec), 201)
    hook.script = [503, 503, 503]
    sender = sender_on(connection, webhook_retry_delays=(0.0, 0.0))
    assert rounds(sender, 4) == [1, 1, 1, 0]
    (d,) = deliveries_of(client, member, created["id"])
    assert (d["status"], d["attempts"], d["last_response_code"]) == ("failed", 3, 503)
    assert len(hook.requests) == 3


def test_a_later_retry_waits_for_its_time(
    client: TestClient, connection: Connection, keys: Keys, sec: dict[str, str], hook: Receiver
) -> None:
    member = Keys.header(keys.member)
    created = subscribe(client, member, hook.url, ["*"])
    body_of(client.post("/v1/entities", json=NEW, headers=sec), 201)
    hook.script = [500]
    sender = sender_on(connection, webhook_retry_delays=(3600.0,))
    assert rounds(sender, 2) == [1, 0]  # the retry is an hour away
    (d,) = deliveries_of(client, member, created["id"])
    assert d["status"] == "pending" and d["next_attempt_at"] > d["last_attempt_at"]


def test_410_gone_disables_the_subscription(
    client: TestClient,
    connection: Connection,
    db: Session,
    keys: Keys,
    sec: dict[str, str],
    hook: Receiver,
) -> None:
    member = Keys.header(keys.member)
    created = subscribe(client, member, hook.url, ["*"])
    body_of(client.post("/v1/entities", json=NEW, headers=sec), 201)
    hook.script = [410]
    assert rounds(sender_on(connection)) == [1]
    read = body_of(client.get(f"/v1/webhooks/{created['id']}", headers=member), 200)
    assert read["status"] == "disabled" and "410" in read["disabled_reason"]
    (d,) = deliveries_of(client, member, created["id"])
    assert d["status"] == "failed"
    body_of(client.patch("/v1/entities/sent-agency", json={"name": "Renamed"}, headers=sec), 200)
    assert len(deliveries_of(client, member, created["id"])) == 1  # nothing more is queued
    assert rounds(sender_on(connection)) == [0]


def test_three_days_of_failures_disable_the_subscription(
    client: TestClient,
    connection: Connection,
    db: Session,
    keys: Keys,
    sec: dict[str, str],
    hook: Receiver,
) -> None:
    member = Keys.header(keys.member)
    created = subscribe(client, member, hook.url, ["*"])
    row = subscription(db, created["id"])
    row.failing_since = utcnow() - timedelta(hours=71)
    db.commit()
    body_of(client.post("/v1/entities", json=NEW, headers=sec), 201)
    hook.script = [500]
    assert rounds(sender_on(connection)) == [1]
    assert subscription(db, created["id"]).status == "active"  # 71 hours: not yet
    row = subscription(db, created["id"])
    row.failing_since = utcnow() - timedelta(hours=73)
    db.commit()
    hook.script = [500]
    assert rounds(sender_on(connection)) == [1]
    row = subscription(db, created["id"])
    assert row.status == "disabled" and "3 days" in (row.disabled_reason or "")


def test_after_a_rotation_both_secrets_verify_for_a_day(
    client: TestClient, connection: Connection, keys: Keys, sec: dict[str, str], hook: Receiver
) -> None:
    member = Keys.header(keys.member)
    created = subscribe(client, member, hook.url, ["*"])
    rotated = body_of(
        client.post(f"/v1/webhooks/{created['id']}/rotate-secret", headers=member), 200
    )
    body_of(client.post("/v1/entities", json=NEW, headers=sec), 201)
    assert rounds(sender_on(connection)) == [1]
    (got,) = hook.requests
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    Webhook(created["secret"]).verify(got.body, got.headers)
    Webhook(rotated["secret"]).verify(got.body, got.headers)


def test_a_name_pointed_at_a_private_address_is_not_called(
    client: TestClient,
    connection: Connection,
    db: Session,
    keys: Keys,
    sec: dict[str, str],
    hook: Receiver,
) -> None:
    member = Keys.header(keys.member)
    created = subscribe(client, member, hook.url.replace("127.0.0.1", "localhost"), ["*"])
    body_of(client.post("/v1/entities", json=NEW, headers=sec), 201)
    # Private targets were allowed when it was made; no longer: "localhost" is 127.0.0.1.
    assert rounds(sender_on(connection, webhook_allow_private_targets=False)) == [1]
    assert hook.requests == []
    (d,) = deliveries_of(client, member, created["id"])
    assert d["status"] == "pending" and "not a public address" in d["last_error"]


def _fund_due(db: Session, due_on: date) -> int:
    fund = Funding(donor="Webhook donor", recipient_entity_id="unodc", received_on=date(2020, 1, 1))
    db.add(fund)
    db.flush()
    milestone = Milestone(funding_id=fund.id, title="Report on webhooks", due_on=due_on)
    db.add(milestone)
    db.commit()
    return milestone.id


def test_a_milestone_report_that_becomes_overdue_is_queued_once(
    client: TestClient,
    connection: Connection,
    db: Session,
    keys: Keys,
    sec: dict[str, str],
    hook: Receiver,
) -> None:
    member = Keys.header(keys.member)
    wants = subscribe(client, member, hook.url, ["milestone_report.overdue"])
    other = subscribe(client, member, hook.url, ["decision.created"])
    today = date.today()
    overdue = _fund_due(db, today - timedelta(days=1))
    _fund_due(db, today - timedelta(days=400))  # overdue long before the subscription
    _fund_due(db, today + timedelta(days=5))  # not due yet
    sender = sender_on(connection)
    assert sender.queue_overdue() == 1
    assert sender.queue_overdue() == 0  # once
    assert rounds(sender) == [1]
    (got,) = hook.requests
    event = Webhook(wants["secret"]).verify(got.body, got.headers)
    assert event["type"] == "milestone_report.overdue"
    assert event["data"]["milestone_id"] == overdue
    assert event["data"]["due_on"] == (today - timedelta(days=1)).isoformat()
    assert got.headers["webhook-id"] == f"msg_overdue_{overdue}"
    assert deliveries_of(client, member, other["id"]) == []


# -- claims across senders (a database of its own: real commits, two connections) ---------------


@pytest.fixture
def own_database() -> str:
    return seeded(fresh_database("webhook_claims"))


def queue(engine: Engine, n: int) -> None:
    """``n`` due deliveries of a secretariat key's subscription, committed."""
    with Session(engine) as session, session.begin():
        info, _ = create_key(session=session, entity_id=None, secretariat=True)
        hook = Subscription(
            key_id=info.id,
            secretariat=True,
            url="http://127.0.0.1:9/hook",
            events=["*"],
            secret="whsec_" + "QUJD" * 8,
            status="active",
        )
        session.add(hook)
        session.flush()
        session.add_all(
            Delivery(
                subscription_id=hook.id,
                message_id=f"msg_{i}",
                event="entity.updated",
                payload="{}",
                status="pending",
                attempts=0,
                next_attempt_at=utcnow(),
            )
            for i in range(n)
        )


def test_two_senders_never_claim_the_same_delivery(own_database: str) -> None:
    engine = make_engine(own_database)
    try:
        queue(engine, 60)
        settings = sender_settings(database_url=own_database)
        senders = [Sender(lambda: _engine_transaction(engine, None), settings) for _ in range(4)]
        with ThreadPoolExecutor(4) as pool:
            batches = list(pool.map(lambda s: s.claim(limit=10), senders * 2))
        claimed = [c.delivery_id for batch in batches for c in batch]
        assert len(claimed) == len(set(claimed)) == 60, claimed  # each once, all of them
        # Claimed: a lease, not taken again until it ends.
        assert senders[0].claim(limit=10) == []
        with Session(engine) as session:
            assert session.scalar(select(Delivery.id).where(Delivery.claim.is_(None))) is None
    finally:
        engine.dispose()


def test_a_claim_taken_over_after_its_lease_is_not_recorded_twice(own_database: str) -> None:
    engine = make_engine(own_database)
    try:
        queue(engine, 1)
        settings = sender_settings(database_url=own_database)
        later = utcnow() + timedelta(hours=1)
        first = Sender(lambda: _engine_transaction(engine, None), settings)
        second = Sender(lambda: _engine_transaction(engine, None), settings, now=lambda: later)
        (mine,) = first.claim()
        (theirs,) = second.claim()  # the first's lease has ended by then
        first.record(mine, Outcome(204))  # too late: not recorded
        second.record(theirs, Outcome(204))
        with Session(engine) as session:
            d = session.scalars(select(Delivery)).one()
            assert (d.status, d.attempts) == ("delivered", 1)
    finally:
        engine.dispose()


def test_the_payload_is_the_feed_item(
    client: TestClient, db: Session, keys: Keys, sec: dict[str, str], private: None
) -> None:
    created = subscribe(client, sec, "http://127.0.0.1:9/hook", ["*"])
    body_of(client.post("/v1/entities", json=NEW, headers=sec), 201)
    db.expire_all()
    d = db.scalars(select(Delivery).where(Delivery.subscription_id == created["id"])).one()
    item = client.get("/v1/changes", params={"limit": 200}).json()["items"][-1]
    assert json.loads(d.payload)["data"] == item
