"""Webhook subscriptions: made, read, rotated and deleted by the key that owns them."""

import base64
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api.caller import Caller
from icat_api.db import utcnow
from icat_api.pagination import INT32, Keyset, PageParams, page_of
from icat_api.problems import Forbidden, InvalidInput, NotFound
from icat_api.schemas import Page
from icat_api.webhooks import targets
from icat_api.webhooks.models import Delivery, Subscription
from icat_api.webhooks.schemas import (
    DeliveryRead,
    SecretRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
)

ROTATION_OVERLAP = timedelta(hours=24)


def new_secret() -> str:
    """``whsec_`` and 32 random bytes in base64, as Standard Webhooks writes secrets."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _check_url(url: str, allow_private: bool) -> None:
    problem = targets.url_problem(url, allow_private=allow_private) or targets.address_problem(
        url, allow_private=allow_private
    )
    if problem is not None:
        raise InvalidInput(f"url: {problem}", errors=[{"loc": ["body", "url"], "msg": problem}])


def create(
    *, session: Session, caller: Caller, data: WebhookCreate, allow_private: bool
) -> WebhookCreated:
    """A subscription of the caller's key (a member's, a partner's or the secretariat's: keys
    that read every event); its secret is answered once."""
    _check_url(data.url, allow_private)
    row = Subscription(
        key_id=caller.key_id,
        entity_id=caller.entity_id,
        secretariat=caller.is_secretariat,
        url=data.url,
        events=list(data.events),
        description=data.description,
        secret=new_secret(),
        status="active",
    )
    session.add(row)
    session.flush()
    return WebhookCreated.model_validate({**_read(row).model_dump(), "secret": row.secret})


def _read(row: Subscription) -> WebhookRead:
    return WebhookRead.model_validate(row)


def _own(session: Session, caller: Caller, webhook_id: int, *, lock: bool = False) -> Subscription:
    query = select(Subscription).where(Subscription.id == webhook_id)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"No webhook subscription {webhook_id}.")
    if row.key_id != caller.key_id:
        raise Forbidden("This subscription belongs to another key.")
    return row


SUBSCRIPTIONS = Keyset("webhooks", (Subscription.id,), (INT32,))
DELIVERIES = Keyset("webhook-deliveries", (Delivery.id,), (INT32,))


def list_own(*, session: Session, caller: Caller, page: PageParams) -> Page[WebhookRead]:
    """The caller's key's subscriptions."""
    query = select(Subscription).where(Subscription.key_id == caller.key_id)
    rows = list(session.scalars(SUBSCRIPTIONS.query(query, page)))
    items, cursor = page_of(SUBSCRIPTIONS, page, rows, lambda rs: [_read(r) for r in rs])
    return Page[WebhookRead](items=items, next_cursor=cursor)


def get(*, session: Session, caller: Caller, webhook_id: int) -> WebhookRead:
    return _read(_own(session, caller, webhook_id))


def delete(*, session: Session, caller: Caller, webhook_id: int) -> None:
    """The subscription and its deliveries, sent or not, are gone."""
    row = _own(session, caller, webhook_id, lock=True)
    session.delete(row)
    session.flush()


def rotate_secret(*, session: Session, caller: Caller, webhook_id: int) -> SecretRead:
    """A new secret; the old one signs too (a second signature) for 24 hours, so a receiver
    can switch without losing a delivery."""
    row = _own(session, caller, webhook_id, lock=True)
    until = utcnow() + ROTATION_OVERLAP
    row.previous_secret, row.previous_secret_until = row.secret, until
    row.secret = new_secret()
    session.flush()
    return SecretRead(secret=row.secret, previous_secret_until=until)


def _delivery(row: Delivery) -> DeliveryRead:
    return DeliveryRead(
        id=row.id,
        message_id=row.message_id,
        event=row.event,
        status=row.status,
        attempts=row.attempts,
        created_at=row.created_at,
        last_attempt_at=row.last_attempt_at,
        last_response_code=row.last_response_code,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
    )


def deliveries(
    *, session: Session, caller: Caller, webhook_id: int, page: PageParams
) -> Page[DeliveryRead]:
    """The subscription's deliveries, oldest first."""
    _own(session, caller, webhook_id)
    query = select(Delivery).where(Delivery.subscription_id == webhook_id)
    rows = list(session.scalars(DELIVERIES.query(query, page)))
    items, cursor = page_of(DELIVERIES, page, rows, lambda rs: [_delivery(r) for r in rs])
    return Page[DeliveryRead](items=items, next_cursor=cursor)
