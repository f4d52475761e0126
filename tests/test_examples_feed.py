"""examples/mirror.py against a real server, and examples/webhook_receiver.py as a process that
signed deliveries are posted to: what an integrator runs, run as they would run it."""

import base64
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from tests.dbutil import fresh_database
from tests.livesrv import RECEIVER, ROOT, cli, live_server, webhook_receiver

MIRROR = ROOT / "examples" / "mirror.py"
Json = dict[str, Any]


# --- the mirror ---------------------------------------------------------------------------


def mirror(base: str, db: Path, key: str | None = None, *args: str) -> Json:
    """One run of the mirror; answers its summary line."""
    env = {k: v for k, v in os.environ.items() if k != "ICAT_API_KEY"}
    if key is not None:
        env["ICAT_API_KEY"] = key
    done = subprocess.run(
        [sys.executable, str(MIRROR), base, "--db", str(db), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    summary: Json = json.loads(done.stdout)
    return summary


def copy_of(db: Path) -> dict[str, Json]:
    """The mirror's documents by path."""
    with sqlite3.connect(db) as conn:
        return {
            url: json.loads(body) for url, body in conn.execute("SELECT url, body FROM documents")
        }


def ok(answer: httpx.Response, status: int) -> Json:
    assert answer.status_code == status, f"{answer.request.url}: {answer.status_code} {answer.text}"
    return answer.json() if answer.content else {}


def public_writes(api: httpx.Client, sec: dict[str, str]) -> int:
    """An entity created, changed and given a membership; a meeting recorded, moved and its
    attendance recorded. Answers the meeting's id."""
    agency = {
        "id": "mirror-agency",
        "name": "Mirror Agency",
        "kind": "intergovernmental",
        "mandate_covers_tip": True,
    }
    ok(api.post("/v1/entities", headers=sec, json=agency), 201)
    ok(api.patch("/v1/entities/mirror-agency", headers=sec, json={"acronym": "MA"}), 200)
    span = {"role": "partner", "starts_on": "2020-01-01"}
    ok(api.post("/v1/entities/mirror-agency/memberships", headers=sec, json=span), 201)
    meeting = {"kind": "working_group", "title": "Mirrored meeting", "starts_on": "2025-06-10"}
    mid: int = ok(api.post("/v1/meetings", headers=sec, json=meeting), 201)["id"]
    ok(api.patch(f"/v1/meetings/{mid}", headers=sec, json={"location": "Vienna"}), 200)
    attendance = {"items": [{"entity_id": "ilo", "representatives": ["Delegate of ILO"]}]}
    ok(api.put(f"/v1/meetings/{mid}/attendance", headers=sec, json=attendance), 200)
    return mid


def focal_points(api: httpx.Client, headers: dict[str, str], entity: str) -> tuple[str, str]:
    """Two focal points of ``entity`` created and the second deleted: answers both paths."""
    paths = []
    for n, primary in ((1, True), (2, False)):
        contact = {"external_id": f"M{n}", "name": f"Person {n}", "email": f"m{n}@example.org"}
        created = api.post(
            f"/v1/entities/{entity}/focal-points",
            headers=headers,
            json={**contact, "is_primary": primary},
        )
        paths.append(f"/v1/entities/{entity}/focal-points/{ok(created, 201)['id']}")
    ok(api.delete(paths[1], headers=headers), 204)
    return paths[0], paths[1]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    """A real server on a fresh, seeded database: its URL, a secretariat key and ILO's key."""
    url = fresh_database("mirror")
    env = {**os.environ, "ICAT_DATABASE_URL": url}
    cli("db", "upgrade", env=env)
    cli("seed", env=env)
    sec_key = cli("keys", "create", "--secretariat", env=env).strip().splitlines()[-1]
    ilo_key = cli("keys", "create", "--entity", "ilo", env=env).strip().splitlines()[-1]
    with live_server(url, tmp_path_factory.mktemp("mirror") / "server.log") as base:
        yield base, sec_key, ilo_key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def same_as_a_fresh_copy(base: str, db: Path, key: str | None = None) -> None:
    """What the API says now: the copy equals a full copy made now."""
    fresh = db.with_name(f"fresh-{db.name}")
    fresh.unlink(missing_ok=True)
    assert mirror(base, fresh, key)["full_copy"]
    assert copy_of(db) == copy_of(fresh)


@pytest.mark.live_servers
def test_the_mirror_copies_then_follows_the_feed_to_what_the_api_says(
    registry: tuple[str, str, str], tmp_path: Path
) -> None:
    base, sec_key, ilo_key = registry
    public, member = tmp_path / "public.db", tmp_path / "member.db"
    first = mirror(base, public)
    assert first["full_copy"] and first["documents"] > 50, first
    assert "/v1/entities/ilo" in copy_of(public)
    assert mirror(base, member, ilo_key)["full_copy"]

    with httpx.Client(base_url=base) as api:
        mid = public_writes(api, bearer(sec_key))
        followed = mirror(base, public)
        # Six writes; a membership's is its entity's too, attendance's its meeting's.
        assert not followed["full_copy"] and followed["changes"] == 6 + 2, followed
        same_as_a_fresh_copy(base, public)
        copy = copy_of(public)
        for path in ("/v1/entities/mirror-agency", f"/v1/meetings/{mid}/attendance"):
            assert copy[path] == api.get(path).json()
        assert copy["/v1/entities/mirror-agency"]["acronym"] == "MA"
        # Read again with its membership, which the feed lists alone.
        assert copy["/v1/entities/mirror-agency"]["status"] == "partner"
        assert copy[f"/v1/meetings/{mid}"]["location"] == "Vienna"
        assert not [p for p in copy if "/focal-points/" in p]  # personal data: keys only

        # A member's key: focal points too, a deletion applied as a tombstone.
        kept, deleted = focal_points(api, bearer(ilo_key), "ilo")
        # Three focal-point changes, each one ILO's too.
        assert mirror(base, member, ilo_key)["changes"] == 8 + 3 * 2
        same_as_a_fresh_copy(base, member, ilo_key)
        members = copy_of(member)
        assert members[kept] == api.get(kept, headers=bearer(ilo_key)).json()
        assert deleted not in members
        assert api.get(deleted, headers=bearer(ilo_key)).status_code == 404
        # The public copy learns of ILO's three moves, not of the focal points themselves.
        public_run = mirror(base, public)
        assert public_run["changes"] == 3, public_run
        assert copy_of(public)["/v1/entities/ilo"] == api.get("/v1/entities/ilo").json()

    # Nothing changed: nothing to do, and the copy stays as it is.
    for db, key in ((member, ilo_key), (public, None)):
        before = copy_of(db)
        again = mirror(base, db, key)
        assert not again["full_copy"] and again["changes"] == 0, again
        assert copy_of(db) == before

    # A saved seq beyond the feed's end (a registry restored from a dump): copied again.
    with sqlite3.connect(public) as conn:
        conn.execute("UPDATE feed SET last_seq = last_seq + 1000")
    assert mirror(base, public) == {**again, "full_copy": True}
    same_as_a_fresh_copy(base, public)


@pytest.mark.live_servers
def test_a_public_copy_sees_its_entity_move_when_a_focal_point_changes(
    registry: tuple[str, str, str], tmp_path: Path
) -> None:
    base, sec_key, _ = registry
    public = tmp_path / "public.db"
    mirror(base, public)
    with httpx.Client(base_url=base) as api:
        focal_points(api, bearer(sec_key), "iom")
        mirror(base, public)
        assert copy_of(public)["/v1/entities/iom"] == api.get("/v1/entities/iom").json()


# --- the webhook receiver -----------------------------------------------------------------

SECRET = "whsec_" + base64.b64encode(b"the receiver's secret, 32 bytes").decode()
OLD_SECRET = "whsec_" + base64.b64encode(b"the secret before its rotation!!").decode()


def event(seq: int) -> Json:
    item = {
        "seq": seq,
        "occurred_at": "2026-11-28T10:15:00Z",
        "type": "decision",
        "id": str(seq),
        "action": "created",
        "url": f"/v1/decisions/{seq}",
    }
    return {"type": "decision.created", "timestamp": "2026-11-28T10:15:00Z", "data": item}


def signed(body: str, webhook_id: str, *secrets: str, at: datetime | None = None) -> dict[str, str]:
    """The headers of a delivery of ``body`` signed with each of ``secrets``, as sent at ``at``."""
    at = at or datetime.now(UTC)
    return {
        "content-type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(Webhook(s).sign(webhook_id, at, body) for s in secrets),
    }


def kept(out: Path) -> list[Json]:
    return [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []


def test_the_receiver_keeps_a_verified_delivery_and_refuses_the_rest(tmp_path: Path) -> None:
    body = json.dumps(event(1))
    with webhook_receiver(tmp_path, SECRET) as (url, out):
        good = httpx.post(url, content=body, headers=signed(body, "msg_1", SECRET))
        assert good.status_code == 204, good.text
        assert kept(out) == [{"webhook_id": "msg_1", **event(1)}]

        tampered = body.replace('"seq": 1', '"seq": 2')
        stale = datetime.now(UTC) - timedelta(minutes=10)
        future = datetime.now(UTC) + timedelta(minutes=10)
        unsigned = {"content-type": "application/json", "webhook-id": "msg_9"}
        refused = [
            (tampered, signed(body, "msg_2", SECRET)),
            (body, signed(body, "msg_3", OLD_SECRET)),  # another secret
            (body, signed(body, "msg_4", SECRET, at=stale)),
            (body, signed(body, "msg_5", SECRET, at=future)),
            (body, {**signed(body, "msg_6", SECRET), "webhook-id": "msg_7"}),  # another id
            (body, unsigned),
            (body, {**signed(body, "msg_8", SECRET), "webhook-signature": "v1"}),  # malformed
            (body, {**signed(body, "msg_8", SECRET), "webhook-timestamp": "soon"}),
        ]
        for content, headers in refused:
            answer = httpx.post(url, content=content, headers=headers)
            assert answer.status_code == 401, (headers, answer.status_code, answer.text)
        not_utf8 = b"\xff" + body.encode()
        answer = httpx.post(url, content=not_utf8, headers=signed(body, "msg_10", SECRET))
        assert answer.status_code == 401
        # Signed by the registry but not an event: refused, not kept.
        for odd in ("[1, 2]", "not json", json.dumps({"type": "decision.created"})):
            answer = httpx.post(url, content=odd, headers=signed(odd, "msg_11", SECRET))
            assert answer.status_code == 400, answer.text
        assert [e["webhook_id"] for e in kept(out)] == ["msg_1"]


def test_a_retried_delivery_is_kept_once_and_a_rotation_is_accepted(tmp_path: Path) -> None:
    first, second = json.dumps(event(1)), json.dumps(event(2))
    with webhook_receiver(tmp_path, SECRET) as (url, out):
        for _ in range(2):  # a retry: the same id, signed again
            answer = httpx.post(url, content=first, headers=signed(first, "msg_1", SECRET))
            assert answer.status_code == 204
        # During a rotation the registry signs with the old and the new secret.
        both = signed(second, "msg_2", OLD_SECRET, SECRET)
        assert len(both["webhook-signature"].split(" ")) == 2
        assert httpx.post(url, content=second, headers=both).status_code == 204
        assert kept(out) == [
            {"webhook_id": "msg_1", **event(1)},
            {"webhook_id": "msg_2", **event(2)},
        ]

    with webhook_receiver(tmp_path, SECRET) as (url, out):  # restarted: the ids kept are remembered
        answer = httpx.post(url, content=first, headers=signed(first, "msg_1", SECRET))
        assert answer.status_code == 204
        assert [e["webhook_id"] for e in kept(out)] == ["msg_1", "msg_2"]


def test_the_receiver_will_not_start_without_a_secret(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ICAT_WEBHOOK_SECRET"}
    done = subprocess.run(
        [sys.executable, str(RECEIVER), "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "ICAT_WEBHOOK_SECRET" in done.stderr
