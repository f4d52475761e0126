"""examples/mirror.py against a real server: what an integrator runs, run as they would run it."""

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.dbutil import fresh_database
from tests.livesrv import ROOT, cli, live_server

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
        assert not followed["full_copy"] and followed["changes"] == 6, followed
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
        assert mirror(base, member, ilo_key)["changes"] == 6 + 3
        same_as_a_fresh_copy(base, member, ilo_key)
        members = copy_of(member)
        assert members[kept] == api.get(kept, headers=bearer(ilo_key)).json()
        assert deleted not in members
        assert api.get(deleted, headers=bearer(ilo_key)).status_code == 404

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
@pytest.mark.xfail(
    reason="A focal point's change moves its entity's updated_at and ETag (DESIGN section 4), "
    "but the public feed lists only the focal point's change, hidden from the public: nothing "
    "tells a public mirror to read the entity again. The feed would need an entity item too.",
)
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
