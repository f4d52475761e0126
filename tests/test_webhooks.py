"""Webhook subscriptions (issue 14): made by members', partners' and the secretariat's keys, each
its own; targets that are https and public; the outbox written with the change it reports, for
the subscriptions that want it and may have it."""

import json
import socket
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api.webhooks import targets
from icat_api.webhooks.models import Delivery, Subscription
from icat_api.webhooks.schemas import EVENTS
from tests.conftest import Keys
from tests.helpers import PROBLEM, body_of, key_of

HOOK = "https://hooks.example.org/icat"
NEW = {
    "id": "hook-agency",
    "name": "Hook Agency against Trafficking",
    "kind": "intergovernmental",
    "scope": "regional",
    "mandate_covers_tip": True,
}
CONTACT = {"external_id": "H1", "name": "Hook Person", "email": "h1@ilo.org", "is_primary": True}


def subscribe(
    client: TestClient, headers: dict[str, str], events: list[str], url: str = HOOK
) -> dict[str, Any]:
    body = {"url": url, "events": events, "description": "test"}
    return body_of(client.post("/v1/webhooks", json=body, headers=headers), 201)


def deliveries(db: Session, webhook_id: int) -> list[Delivery]:
    db.expire_all()
    return list(
        db.scalars(
            select(Delivery).where(Delivery.subscription_id == webhook_id).order_by(Delivery.id)
        )
    )


# -- subscribing --------------------------------------------------------------------------------


def test_a_subscription_answers_its_secret_once(client: TestClient, keys: Keys) -> None:
    member = Keys.header(keys.member)
    r = client.post(
        "/v1/webhooks", json={"url": HOOK, "events": ["decision.created"]}, headers=member
    )
    created = body_of(r, 201)
    assert r.headers["location"] == f"/v1/webhooks/{created['id']}"
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert created["status"] == "active" and created["events"] == ["decision.created"]
    read = body_of(client.get(f"/v1/webhooks/{created['id']}", headers=member), 200)
    assert "secret" not in read
    listed = body_of(client.get("/v1/webhooks", headers=member), 200)["items"]
    assert [w["id"] for w in listed] == [created["id"]]
    assert all("secret" not in w for w in listed)


def test_each_key_sees_only_its_own(client: TestClient, keys: Keys) -> None:
    mine = subscribe(client, Keys.header(keys.member), ["*"])
    other = Keys.header(keys.partner)
    assert body_of(client.get("/v1/webhooks", headers=other), 200)["items"] == []
    for method, path in (
        ("GET", f"/v1/webhooks/{mine['id']}"),
        ("DELETE", f"/v1/webhooks/{mine['id']}"),
        ("POST", f"/v1/webhooks/{mine['id']}/rotate-secret"),
        ("GET", f"/v1/webhooks/{mine['id']}/deliveries"),
    ):
        r = client.request(method, path, headers=other)
        assert r.status_code == 403, (method, path, r.text)
        assert r.headers["content-type"].startswith(PROBLEM)
        # The secretariat runs the service, but a subscription is its owner's.
        assert (
            client.request(method, path, headers=Keys.header(keys.coordinator)).status_code == 403
        )
    assert (
        client.get(f"/v1/webhooks/{mine['id']}", headers=Keys.header(keys.member)).status_code
        == 200
    )
    assert client.get("/v1/webhooks/999999", headers=other).status_code == 404


def test_keys_that_are_not_members_partners_or_secretariat_may_not_subscribe(
    client: TestClient, db: Session, keys: Keys
) -> None:
    ngo = {"id": "hook-ngo", "name": "Hook NGO", "kind": "non_governmental"}
    body_of(client.post("/v1/entities", json=ngo, headers=Keys.header(keys.coordinator)), 201)
    stakeholder = key_of(db, "hook-ngo")  # never a member nor a partner (ToR 3.A.5)
    r = client.post("/v1/webhooks", json={"url": HOOK, "events": ["*"]}, headers=stakeholder)
    assert r.status_code == 403, r.text
    r = client.post(
        "/v1/webhooks", json={"url": HOOK, "events": ["*"]}, headers=Keys.header(keys.revoked)
    )
    assert r.status_code == 401
    assert client.post("/v1/webhooks", json={"url": HOOK, "events": ["*"]}).status_code == 401
    assert db.scalar(select(Subscription.id)) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.org/icat",  # not https
        "ftp://hooks.example.org/icat",
        "https://",  # no host
        "hooks.example.org/icat",
        "https://user:pass@hooks.example.org/icat",  # credentials in the URL
        "https://hooks.example.org/icat#frag",
        "https://127.0.0.1/icat",  # loopback
        "https://localhost/icat",
        "https://[::1]/icat",
        "https://10.1.2.3/icat",  # private
        "https://192.168.0.10/icat",
        "https://172.16.5.4/icat",
        "https://169.254.169.254/latest/meta-data",  # link-local: cloud metadata
        "https://100.64.0.1/icat",  # shared address space
        "https://0.0.0.0/icat",
        "https://[::ffff:10.0.0.1]/icat",  # IPv4-mapped private
        "https://[fe80::1]/icat",
        "https://hooks.example.org:99999/icat",  # no such port
        "https://hooks.example.org/" + "a" * 2100,  # huge
        "",
    ],
)
def test_targets_that_are_not_public_https_are_refused(
    client: TestClient, db: Session, keys: Keys, url: str
) -> None:
    r = client.post(
        "/v1/webhooks", json={"url": url, "events": ["*"]}, headers=Keys.header(keys.member)
    )
    assert r.status_code == 422, (url, r.text)
    assert r.headers["content-type"].startswith(PROBLEM)
    assert ["body", "url"] in [e["loc"] for e in r.json()["errors"]]
    assert db.scalar(select(Subscription.id)) is None


def test_a_name_that_resolves_to_a_private_address_is_refused(
    client: TestClient, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    def resolve(host: str, *_: Any, **__: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 0))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    r = client.post(
        "/v1/webhooks",
        json={"url": "https://internal.example.org/hook", "events": ["*"]},
        headers=Keys.header(keys.member),
    )
    assert r.status_code == 422, r.text
    assert "10.0.0.7" in r.json()["detail"]


@pytest.mark.parametrize(
    "events",
    [
        [],
        ["decision.made"],
        ["decisions.created"],
        ["DECISION.CREATED"],
        ["decision.created", "decision.created"],
        ["milestone_report.late"],
        ["entity.*"],
        "decision.created",
        [1],
        [None],
    ],
)
def test_unknown_or_repeated_events_are_refused(
    client: TestClient, keys: Keys, events: Any
) -> None:
    r = client.post(
        "/v1/webhooks", json={"url": HOOK, "events": events}, headers=Keys.header(keys.member)
    )
    assert r.status_code == 422, (events, r.text)
    assert any(e["loc"][:2] == ["body", "events"] for e in r.json()["errors"]), r.json()


def test_every_event_name_is_accepted(client: TestClient, keys: Keys) -> None:
    created = subscribe(client, Keys.header(keys.member), list(EVENTS))
    assert len(created["events"]) == len(EVENTS)
    assert "milestone_report.overdue" in EVENTS and "decision.created" in EVENTS
    assert "focal_point.deleted" in EVENTS


def test_private_targets_are_allowed_only_when_configured(settings: Any) -> None:
    assert targets.url_problem("http://127.0.0.1:9000/h", allow_private=True) is None
    assert targets.url_problem("https://10.0.0.1/h", allow_private=True) is None
    # Plain http only to loopback, even then.
    assert targets.url_problem("http://hooks.example.org/h", allow_private=True) is not None
    assert targets.url_problem("http://127.0.0.1:9000/h", allow_private=False) is not None
    assert not settings.webhook_allow_private_targets  # the default


def test_rotating_the_secret_answers_a_new_one(client: TestClient, db: Session, keys: Keys) -> None:
    member = Keys.header(keys.member)
    created = subscribe(client, member, ["*"])
    rotated = body_of(
        client.post(f"/v1/webhooks/{created['id']}/rotate-secret", headers=member), 200
    )
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    db.expire_all()
    row = db.get(Subscription, created["id"])
    assert row is not None
    assert row.secret == rotated["secret"] and row.previous_secret == created["secret"]


def test_deleting_drops_the_subscription_and_its_deliveries(
    client: TestClient, db: Session, keys: Keys, sec: dict[str, str]
) -> None:
    member = Keys.header(keys.member)
    created = subscribe(client, member, ["*"])
    body_of(client.post("/v1/entities", json=NEW, headers=sec), 201)
    assert deliveries(db, created["id"])
    assert client.delete(f"/v1/webhooks/{created['id']}", headers=member).status_code == 204
    assert client.get(f"/v1/webhooks/{created['id']}", headers=member).status_code == 404
    assert deliveries(db, created["id"]) == []
    assert client.delete(f"/v1/webhooks/{created['id']}", headers=member).status_code == 404


# -- the outbox ---------------------------------------------------------------------------------


def test_a_write_queues_a_delivery_per_wanting_subscription(
    client: TestClient, db: Session, keys: Keys, sec: dict[str, str]
) -> None:
    wants = subscribe(client, Keys.header(keys.member), ["entity.created"])
    other = subscribe(client, Keys.header(keys.partner), ["decision.created"])
    everything = subscribe(client, sec, ["*"])
    body_of(client.post("/v1/entities", json=NEW, headers=sec), 201)
    change = client.get("/v1/changes", params={"limit": 200}, headers=sec).json()["items"][-1]
    assert change["type"] == "entity" and change["id"] == "hook-agency"
    for hook in (wants, everything):
        (d,) = deliveries(db, hook["id"])
        assert d.event == "entity.created" and d.status == "pending" and d.attempts == 0
        assert d.message_id == f"msg_{change['seq']}"
        body = json.loads(d.payload)
        assert body["type"] == "entity.created"
        assert body["data"] == change
        assert body["timestamp"] == change["occurred_at"]
    assert deliveries(db, other["id"]) == []
    listed = body_of(
        client.get(f"/v1/webhooks/{wants['id']}/deliveries", headers=Keys.header(keys.member)),
        200,
    )["items"]
    assert [(d["event"], d["status"], d["attempts"]) for d in listed] == [
        ("entity.created", "pending", 0)
    ]
    assert listed[0]["message_id"] == f"msg_{change['seq']}"


def test_a_refused_write_queues_nothing(
    client: TestClient, db: Session, keys: Keys, sec: dict[str, str]
) -> None:
    hook = subscribe(client, sec, ["*"])
    r = client.post("/v1/entities", json={**NEW, "kind": "nonsense"}, headers=sec)
    assert r.status_code == 422
    r = client.post("/v1/entities", json={**NEW, "id": "unodc"}, headers=sec)  # exists
    assert r.status_code == 409
    assert deliveries(db, hook["id"]) == []


def test_personal_data_goes_to_participants_and_the_secretariat(
    client: TestClient, db: Session, keys: Keys, sec: dict[str, str]
) -> None:
    member = subscribe(client, Keys.header(keys.member), ["focal_point.created"])
    body_of(client.post("/v1/entities/ilo/focal-points", json=CONTACT, headers=sec), 201)
    (d,) = deliveries(db, member["id"])
    assert d.event == "focal_point.created"


def test_a_revoked_keys_subscription_receives_nothing(
    client: TestClient, db: Session, sec: dict[str, str]
) -> None:
    from icat_api.keys.service import create_key, revoke_key

    info, key = create_key(session=db, entity_id="ilo")
    db.commit()
    hook = subscribe(client, Keys.header(key), ["*"])
    revoke_key(session=db, key_id=info.id)
    db.commit()
    body_of(client.post("/v1/entities", json=NEW, headers=sec), 201)
    assert deliveries(db, hook["id"]) == []


def test_a_former_members_subscription_receives_nothing(
    client: TestClient, db: Session, keys: Keys, sec: dict[str, str]
) -> None:
    ngo = {"id": "hook-ngo", "name": "Hook NGO", "kind": "non_governmental"}
    body_of(client.post("/v1/entities", json=ngo, headers=sec), 201)
    hook = subscribe(client, Keys.header(keys.member), ["*"])
    row = db.get(Subscription, hook["id"])
    assert row is not None
    row.entity_id = "hook-ngo"  # as if the key's standing had lapsed: a non-participant's key
    db.commit()
    body_of(client.post("/v1/entities", json=NEW, headers=sec), 201)
    assert deliveries(db, hook["id"]) == []
