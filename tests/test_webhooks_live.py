"""Webhooks end to end (issue 14): a real `icat-api serve` delivers every change of the feed to
examples/webhook_receiver.py, which verifies each with the standardwebhooks library; a receiver
that does not answer never holds up a request; a failed delivery is retried by the server."""

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from icat_api.db import make_engine
from icat_api.keys.service import create_key
from tests.dbutil import fresh_database, seeded
from tests.livesrv import free_port, live_server, webhook_receiver
from tests.receiver import receiver

pytestmark = pytest.mark.live_servers

FAST = {
    "ICAT_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",  # the receivers are on 127.0.0.1
    "ICAT_WEBHOOK_POLL_SECONDS": "0.1",
    "ICAT_WEBHOOK_RETRY_DELAYS": "0.2,0.2,0.2",
}


def until(check: Callable[[], Any], what: str, seconds: float = 30) -> Any:
    """``check()`` once it is truthy; fails after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"never: {what}")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A real server on a fresh, seeded database, and the headers of a secretariat key."""
    url = seeded(fresh_database("webhooks_live"))
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        _, key = create_key(session=session, entity_id=None, secretariat=True)
    engine.dispose()
    log = tmp_path_factory.mktemp("webhooks") / "server.log"
    with live_server(url, log, FAST) as base:
        yield base, {"Authorization": f"Bearer {key}"}


def feed_after(api: httpx.Client, headers: dict[str, str], after: int) -> list[Any]:
    items: list[Any] = []
    params: dict[str, Any] = {"after": after, "limit": 200}
    while True:
        page = api.get("/v1/changes", params=params, headers=headers).json()
        items += page["items"]
        if not page["next_cursor"]:
            return items
        params = {"cursor": page["next_cursor"], "limit": 200}


def last_seq(api: httpx.Client, headers: dict[str, str]) -> int:
    items = feed_after(api, headers, 0)
    return int(items[-1]["seq"]) if items else 0


def test_every_change_reaches_the_example_receiver_verified_and_once(
    served: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    base, sec = served
    port = free_port()
    with httpx.Client(base_url=base, timeout=10) as api:
        hook = api.post(
            "/v1/webhooks",
            json={"url": f"http://127.0.0.1:{port}/hook", "events": ["*"]},
            headers=sec,
        )
        assert hook.status_code == 201, hook.text
        start = last_seq(api, sec)
        with webhook_receiver(tmp_path, hook.json()["secret"], port) as (_, out):
            agency = {
                "id": "pushed-agency",
                "name": "Pushed Agency",
                "kind": "intergovernmental",
                "mandate_covers_tip": True,
            }
            assert api.post("/v1/entities", json=agency, headers=sec).status_code == 201
            r = api.patch("/v1/entities/pushed-agency", json={"acronym": "PA"}, headers=sec)
            assert r.status_code == 200
            span = {"role": "partner", "starts_on": "2020-01-01"}
            r = api.post("/v1/entities/pushed-agency/memberships", json=span, headers=sec)
            assert r.status_code == 201, r.text
            contact = {
                "external_id": "P1",
                "name": "Pushed Person",
                "email": "p1@ilo.org",
                "is_primary": True,
            }
            r = api.post("/v1/entities/ilo/focal-points", json=contact, headers=sec)
            assert r.status_code == 201, r.text
            expected = feed_after(api, sec, start)
            assert len(expected) == 6  # created, updated, membership (+entity), contact (+ILO)

            def kept() -> list[Any]:
                lines = out.read_text().splitlines() if out.exists() else []
                events = [json.loads(line) for line in lines]
                return events if len(events) >= len(expected) else []

            events = until(kept, "every change delivered")
        # Every change once (the order of deliveries is not promised: `seq` gives it).
        assert sorted(e["data"]["seq"] for e in events) == [i["seq"] for i in expected]
        by_seq = {e["data"]["seq"]: e for e in events}
        for item in expected:
            event = by_seq[item["seq"]]
            assert event["data"] == item
            assert event["type"] == f"{item['type']}.{item['action']}"
            assert event["webhook_id"] == f"msg_{item['seq']}"
        path = f"/v1/webhooks/{hook.json()['id']}/deliveries"

        def recorded() -> list[Any]:
            # The sender records an outcome once the receiver has answered, which is after the
            # receiver kept the event: the last one may still show pending for a moment.
            items: list[Any] = api.get(path, headers=sec).json()["items"]
            return items if all(d["status"] != "pending" for d in items) else []

        deliveries = until(recorded, "every delivery's outcome recorded")
        assert {d["status"] for d in deliveries} == {"delivered"}
        assert len(deliveries) == len(expected)


def test_a_receiver_that_never_answers_holds_up_no_request(
    served: tuple[str, dict[str, str]],
) -> None:
    base, sec = served
    with receiver() as slow, httpx.Client(base_url=base, timeout=10) as api:
        slow.hold()  # requests to it wait, unanswered, until released
        hook = api.post("/v1/webhooks", json={"url": slow.url, "events": ["*"]}, headers=sec)
        assert hook.status_code == 201, hook.text
        meeting = {"kind": "working_group", "title": "Held meeting", "starts_on": "2025-03-01"}
        first = api.post("/v1/meetings", json=meeting, headers=sec)
        assert first.status_code == 201
        assert slow.arrived.wait(30), "the delivery never reached the receiver"
        # The receiver holds the delivery open: the service answers the next requests anyway.
        mid = first.json()["id"]
        r = api.patch(f"/v1/meetings/{mid}", json={"location": "Geneva"}, headers=sec)
        assert r.status_code == 200
        assert api.get("/v1/member-list").status_code == 200
        assert not slow.gate.is_set()  # still held while those were answered
        slow.release()
        until(
            lambda: len(slow.requests) >= 2,
            "the second change delivered after the release",
        )


def test_a_failed_delivery_is_retried_by_the_server(served: tuple[str, dict[str, str]]) -> None:
    base, sec = served
    with receiver() as flaky, httpx.Client(base_url=base, timeout=10) as api:
        flaky.script = [500, 502]
        hook = api.post(
            "/v1/webhooks", json={"url": flaky.url, "events": ["meeting.created"]}, headers=sec
        )
        assert hook.status_code == 201, hook.text
        meeting = {"kind": "working_group", "title": "Retried meeting", "starts_on": "2025-04-01"}
        assert api.post("/v1/meetings", json=meeting, headers=sec).status_code == 201
        path = f"/v1/webhooks/{hook.json()['id']}/deliveries"

        def delivered() -> Any:
            items = api.get(path, headers=sec).json()["items"]
            return items if items and items[0]["status"] == "delivered" else None

        (d,) = until(delivered, "delivered after two failures")
        assert (d["attempts"], d["last_response_code"]) == (3, 204)
        ids = {r.headers["webhook-id"] for r in flaky.requests}
        assert len(flaky.requests) == 3 and len(ids) == 1
