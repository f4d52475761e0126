"""The outbox: each event a subscription should receive becomes a delivery row, written in the
transaction of the change it reports (a rolled-back write sends nothing; a committed one is
never lost), and sent later by the delivery loop (sender.py), off every request's path.

A subscriber receives only what its key may read (DESIGN section 5), judged as each event is
written. Webhooks are the members', partners' and secretariat's (DESIGN section 4), keys that
read every event, personal data included (focal points, unpublished products, overdue
milestone reports). A subscription whose key is revoked, or whose entity is no longer a member
or partner, receives nothing more; none of the events it missed is queued for it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from icat_api.changes.schemas import ChangeRead
from icat_api.changes.service import Written, on_written
from icat_api.db import utcnow
from icat_api.entities.powers import participant_today
from icat_api.funding.models import Funding, Milestone, MilestoneReport
from icat_api.keys.models import ApiKey
from icat_api.webhooks.models import Delivery, Subscription
from icat_api.webhooks.schemas import ALL, OVERDUE, OverdueItem, WebhookEvent


@dataclass(frozen=True)
class Subscriber:
    id: int
    events: frozenset[str]
    entity_id: str | None
    secretariat: bool
    created_at: datetime

    def wants(self, event: str) -> bool:
        return ALL in self.events or event in self.events


def _subscribers(session: Session) -> list[Subscriber]:
    rows = session.execute(
        select(
            Subscription.id,
            Subscription.events,
            Subscription.entity_id,
            Subscription.secretariat,
            Subscription.created_at,
        )
        .join(ApiKey, ApiKey.id == Subscription.key_id)
        .where(Subscription.status == "active", ApiKey.revoked_at.is_(None))
        .order_by(Subscription.id)
    ).all()
    return [Subscriber(r[0], frozenset(r[1] or ()), r[2], r[3], r[4]) for r in rows]


class _Entitled:
    """Which subscribers' keys may have webhooks today: the secretariat's, and today's
    members' and partners' (asked once per entity per transaction)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._known: dict[str | None, bool] = {}

    def __call__(self, subscriber: Subscriber) -> bool:
        if subscriber.secretariat:
            return True
        if subscriber.entity_id not in self._known:
            self._known[subscriber.entity_id] = participant_today(
                self._session, subscriber.entity_id
            )
        return self._known[subscriber.entity_id]


def _row(
    subscriber: Subscriber, message_id: str, event: str, payload: str, now: datetime
) -> dict[str, object]:
    return {
        "subscription_id": subscriber.id,
        "message_id": message_id,
        "event": event,
        "payload": payload,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def payload(event: str, timestamp: datetime, data: ChangeRead | OverdueItem) -> str:
    """The body of a delivery: ``{"type", "timestamp", "data"}`` (Standard Webhooks)."""
    return WebhookEvent(type=event, timestamp=timestamp, data=data).model_dump_json()


@on_written
def enqueue_changes(session: Session, written: list[Written]) -> None:
    """A delivery per change per subscriber that wants it and may have it."""
    subscribers = _subscribers(session)
    if not subscribers:
        return
    entitled = _Entitled(session)
    now = utcnow()
    rows = []
    for w in written:
        event = f"{w.change.type}.{w.change.action}"
        body: str | None = None
        for s in subscribers:
            if not s.wants(event) or not entitled(s):
                continue
            body = body or payload(event, w.occurred_at, w.read())
            rows.append(_row(s, f"msg_{w.seq}", event, body, now))
    if rows:
        session.execute(insert(Delivery), rows)


def _overdue(session: Session, today: date, since: date) -> list[tuple[Milestone, Funding]]:
    reported = (
        select(MilestoneReport.id).where(MilestoneReport.milestone_id == Milestone.id).exists()
    )
    rows = session.execute(
        select(Milestone, Funding)
        .join(Funding, Funding.id == Milestone.funding_id)
        .where(Milestone.due_on < today, Milestone.due_on >= since, ~reported)
        .order_by(Milestone.due_on, Milestone.id)
    )
    return [(m, f) for m, f in rows]


def _sent(session: Session, subscriber_ids: Iterable[int]) -> set[tuple[int, str]]:
    rows = session.execute(
        select(Delivery.subscription_id, Delivery.message_id).where(
            Delivery.subscription_id.in_(list(subscriber_ids)), Delivery.event == OVERDUE
        )
    )
    return {(s, m) for s, m in rows}


def enqueue_overdue(session: Session, today: date) -> int:
    """A ``milestone_report.overdue`` delivery for each milestone that became overdue (its due
    day passed with no report, ToR 3.B.5) since the subscription was made, once per
    subscription; answers how many were queued. Run by the delivery loop."""
    subscribers = [s for s in _subscribers(session) if s.wants(OVERDUE)]
    if not subscribers:
        return 0
    entitled = _Entitled(session)
    subscribers = [s for s in subscribers if entitled(s)]
    if not subscribers:
        return 0
    # Overdue from the day after it was due: those due the day before a subscription or later.
    first = min(s.created_at.date() for s in subscribers) - timedelta(days=1)
    overdue = _overdue(session, today, first)
    if not overdue:
        return 0
    sent = _sent(session, (s.id for s in subscribers))
    now = utcnow()
    rows = []
    for milestone, funding in overdue:
        message_id = f"msg_overdue_{milestone.id}"
        data = OverdueItem(
            id=str(milestone.id),
            url="/v1/funding/overdue-reports",
            funding_id=funding.id,
            milestone_id=milestone.id,
            title=milestone.title,
            due_on=milestone.due_on,
            recipient_entity_id=funding.recipient_entity_id,
            donor=funding.donor,
        )
        for s in subscribers:
            if (s.id, message_id) in sent:
                continue
            if milestone.due_on < s.created_at.date() - timedelta(days=1):
                continue
            rows.append(_row(s, message_id, OVERDUE, payload(OVERDUE, now, data), now))
    if rows:
        session.execute(insert(Delivery), rows)
    return len(rows)
