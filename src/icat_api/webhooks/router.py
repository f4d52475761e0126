"""HTTP for webhook subscriptions: each key its own."""

from fastapi import APIRouter, Request, Response

from icat_api.conditional import created_response, json_response
from icat_api.db import SessionDep, read_handler
from icat_api.entities.powers import ParticipantOrSecretariat
from icat_api.pagination import PageDep
from icat_api.params import IdPath
from icat_api.problems import responses
from icat_api.schemas import Page
from icat_api.webhooks import service
from icat_api.webhooks.schemas import (
    DeliveryRead,
    SecretRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
)

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


@router.post(
    "",
    summary="Subscribe to events",
    status_code=201,
    response_model=WebhookCreated,
    responses=responses(400, 401, 403, 413, 422),
)
def create_webhook(
    request: Request, session: SessionDep, caller: ParticipantOrSecretariat, body: WebhookCreate
) -> Response:
    """Members', partners' and the secretariat's keys. Each event is a POST of
    `{"type", "timestamp", "data"}` (`data`: the change feed's item) to `url`, signed as the
    Standard Webhooks specification says (`webhook-id`, `webhook-timestamp`,
    `webhook-signature`) with the `secret` answered here, once. A key receives only what it may
    read. Failed deliveries are retried for about a day; a receiver answering `410 Gone`, or
    failing for three days, disables the subscription. The URL must be https and resolve to a
    public address."""
    created = service.create(
        session=session,
        caller=caller,
        data=body,
        allow_private=request.app.state.settings.webhook_allow_private_targets,
    )
    return created_response(request, created, f"/v1/webhooks/{created.id}")


@router.get(
    "",
    summary="Your webhook subscriptions",
    response_model=Page[WebhookRead],
    responses=responses(304, 401, 403, 422),
)
@read_handler
def list_webhooks(
    request: Request, session: SessionDep, caller: ParticipantOrSecretariat, page: PageDep
) -> Response:
    """The subscriptions of the calling key: members', partners' and the secretariat's keys
    each see their own."""
    return json_response(request, service.list_own(session=session, caller=caller, page=page))


@router.get(
    "/{webhook_id}",
    summary="Read a webhook subscription",
    response_model=WebhookRead,
    responses=responses(304, 401, 403, 404, 422),
)
@read_handler
def get_webhook(
    request: Request, session: SessionDep, caller: ParticipantOrSecretariat, webhook_id: IdPath
) -> Response:
    """One of the calling key's subscriptions (403 for another key's)."""
    return json_response(
        request, service.get(session=session, caller=caller, webhook_id=webhook_id)
    )


@router.delete(
    "/{webhook_id}",
    summary="Delete a webhook subscription",
    status_code=204,
    responses=responses(401, 403, 404, 422),
)
def delete_webhook(
    session: SessionDep, caller: ParticipantOrSecretariat, webhook_id: IdPath
) -> Response:
    """Nothing more is sent; its pending deliveries are dropped."""
    service.delete(session=session, caller=caller, webhook_id=webhook_id)
    return Response(status_code=204)


@router.post(
    "/{webhook_id}/rotate-secret",
    summary="Rotate a subscription's signing secret",
    response_model=SecretRead,
    responses=responses(401, 403, 404, 422),
)
def rotate_webhook_secret(
    request: Request, session: SessionDep, caller: ParticipantOrSecretariat, webhook_id: IdPath
) -> Response:
    """A new secret, shown once. For 24 hours deliveries carry two signatures, one with each
    secret, so the receiver can switch without missing one."""
    rotated = service.rotate_secret(session=session, caller=caller, webhook_id=webhook_id)
    return json_response(request, rotated)


@router.get(
    "/{webhook_id}/deliveries",
    summary="A subscription's deliveries",
    response_model=Page[DeliveryRead],
    responses=responses(304, 401, 403, 404, 422),
)
@read_handler
def list_webhook_deliveries(
    request: Request,
    session: SessionDep,
    caller: ParticipantOrSecretariat,
    webhook_id: IdPath,
    page: PageDep,
) -> Response:
    """What was sent, or will be: status, attempts, the receiver's last answer."""
    return json_response(
        request,
        service.deliveries(session=session, caller=caller, webhook_id=webhook_id, page=page),
    )
