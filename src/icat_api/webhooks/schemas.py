"""Webhook subscriptions and deliveries as callers write and read them."""

from datetime import date, datetime
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic.config import JsonDict

from icat_api.changes.schemas import ChangeAction, ChangeRead, ChangeType
from icat_api.schemas import Schema

OVERDUE = "milestone_report.overdue"
ALL = "*"
EVENTS = (
    *(f"{t}.{a}" for t in get_args(ChangeType) for a in get_args(ChangeAction)),
    OVERDUE,
)
"""Every event name: ``TYPE.ACTION`` of the change feed, and overdue milestone reports."""
_KNOWN = frozenset(EVENTS)


def _known_event(name: str) -> str:
    if name != ALL and name not in _KNOWN:
        raise ValueError(
            "unknown event: TYPE.ACTION of the change feed (e.g. decision.created, "
            f"membership.updated), {OVERDUE}, or * for every event"
        )
    return name


def _unique(names: list[str]) -> list[str]:
    if len(set(names)) != len(names):
        raise ValueError("an event is named twice")
    return names


EventName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=60),
    AfterValidator(_known_event),
    Field(examples=["decision.created"]),
]


class WebhookCreate(Schema):
    """A subscription: where to POST which events."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "url": "https://hr.example.org/icat/webhooks",
                    "events": ["membership.created", "membership.updated", "decision.created"],
                    "description": "Our mirror of ICAT memberships",
                }
            ]
        }
    )

    url: Annotated[
        str,
        StringConstraints(min_length=1, max_length=2048),
        Field(description="An https URL resolving to a public address."),
    ]
    events: Annotated[
        list[EventName],
        Field(
            min_length=1,
            max_length=len(EVENTS) + 1,
            description=(
                "Event names: `TYPE.ACTION` of the change feed (`decision.created`, "
                f"`membership.updated`, `focal_point.deleted`, ...), `{OVERDUE}` (a milestone "
                "report became overdue), or `*` for all. Only what the key may read is sent."
            ),
        ),
        AfterValidator(_unique),
    ]
    description: Annotated[str | None, StringConstraints(max_length=500)] = None


_READ_EXAMPLE: JsonDict = {
    "id": 3,
    "url": "https://hr.example.org/icat/webhooks",
    "events": ["membership.created", "decision.created"],
    "description": "Our mirror of ICAT memberships",
    "status": "active",
    "disabled_reason": None,
    "failing_since": None,
    "created_at": "2026-11-28T10:15:00Z",
}


class WebhookRead(BaseModel):
    """A subscription, without its secret."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [_READ_EXAMPLE]},
    )

    id: int
    url: str
    events: list[str]
    description: str | None
    status: Literal["active", "disabled"] = Field(
        description="`disabled` after a 410 Gone or three days of failures: nothing is sent."
    )
    disabled_reason: str | None
    failing_since: datetime | None = Field(
        description="The first failed attempt since the last success, if failing."
    )
    created_at: datetime


Secret = Annotated[
    str,
    Field(
        description="The signing secret (`whsec_` and base64), shown only now: verify "
        "`webhook-signature` with it (Standard Webhooks).",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    ),
]


class WebhookCreated(WebhookRead):
    """A new subscription, with its signing secret: shown once."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_READ_EXAMPLE,
                    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                }
            ]
        }
    )

    secret: Secret


class SecretRead(BaseModel):
    """A rotated secret. The old one keeps signing too (a second signature) for 24 hours."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                    "previous_secret_until": "2026-11-29T10:15:00Z",
                }
            ]
        }
    )

    secret: Secret
    previous_secret_until: datetime = Field(
        description="Until then deliveries carry a signature with the old secret too."
    )


class DeliveryRead(BaseModel):
    """One event sent (or to be sent) to the subscription."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 17,
                    "message_id": "msg_42",
                    "event": "decision.created",
                    "status": "delivered",
                    "attempts": 1,
                    "created_at": "2026-11-28T10:15:00Z",
                    "last_attempt_at": "2026-11-28T10:15:01Z",
                    "last_response_code": 204,
                    "last_error": None,
                    "next_attempt_at": None,
                }
            ]
        },
    )

    id: int
    message_id: str = Field(description="The `webhook-id` header: the same on every attempt.")
    event: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None
    last_response_code: int | None = Field(description="The receiver's last HTTP status.")
    last_error: str | None = Field(description="Why the last attempt got no answer, if it didn't.")
    next_attempt_at: datetime | None = Field(description="When a pending delivery is tried next.")


class OverdueItem(BaseModel):
    """A milestone report that became overdue: its milestone, and the funds it reports on."""

    type: Literal["milestone_report"] = "milestone_report"
    id: str = Field(description="The milestone's id (no report exists yet).")
    action: Literal["overdue"] = "overdue"
    url: str = Field(description="Where overdue reports are listed.")
    funding_id: int
    milestone_id: int
    title: str
    due_on: date
    recipient_entity_id: str
    donor: str


class WebhookEvent(BaseModel):
    """The body of every delivery (Standard Webhooks): the event's name, when it happened, and
    the change feed's item (for `milestone_report.overdue`, the overdue milestone)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "decision.created",
                    "timestamp": "2026-11-28T10:15:00Z",
                    "data": {
                        "seq": 42,
                        "occurred_at": "2026-11-28T10:15:00Z",
                        "type": "decision",
                        "id": "17",
                        "action": "created",
                        "url": "/v1/decisions/17",
                    },
                }
            ]
        }
    )

    type: str = Field(description="`TYPE.ACTION`, or `milestone_report.overdue`.")
    timestamp: datetime
    data: ChangeRead | OverdueItem
