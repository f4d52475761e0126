"""GET /v1/changes: every change in commit order, resumable with after=seq; focal points only
for keys that read personal data; bad `after` refused."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Keys

NEW = {
    "id": "feed-agency",
    "name": "Feed Agency against Trafficking",
    "kind": "intergovernmental",
    "scope": "regional",
    "mandate_covers_tip": True,
}
CONTACT = {"external_id": "F1", "name": "Feed Person", "email": "f1@ilo.org", "is_primary": True}


def feed(
    client: TestClient, headers: dict[str, str] | None = None, after: int = 0, limit: int = 200
) -> list[dict[str, Any]]:
    """Every change after ``after``, all pages followed."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"after": after, "limit": limit}
    while True:
        r = client.get("/v1/changes", params=params, headers=headers or {})
        assert r.status_code == 200, r.text
        assert "Authorization" in r.headers["vary"]
        body = r.json()
        items += body["items"]
        if body["next_cursor"] is None:
            return items
        params = {"cursor": body["next_cursor"], "limit": limit}


def last_seq(client: TestClient, sec: dict[str, str]) -> int:
    items = feed(client, sec)
    return items[-1]["seq"] if items else 0


def writes(client: TestClient, sec: dict[str, str], ilo: dict[str, str]) -> None:
    """An entity created and updated; a focal point of ILO created and deleted."""
    assert client.post("/v1/entities", headers=sec, json=NEW).status_code == 201
    etag = client.get("/v1/entities/feed-agency").headers["etag"]
    r = client.patch(
        "/v1/entities/feed-agency", headers={**sec, "If-Match": etag}, json={"acronym": "FA"}
    )
    assert r.status_code == 200, r.text
    r = client.post("/v1/entities/ilo/focal-points", headers=ilo, json=CONTACT)
    assert r.status_code == 201, r.text
    fp_id = r.json()["id"]
    assert client.delete(f"/v1/entities/ilo/focal-points/{fp_id}", headers=ilo).status_code == 204


def shape(items: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(i["type"], i["action"], i["url"]) for i in items]


def test_writes_show_in_order_with_type_action_and_url(
    client: TestClient, keys: Keys, sec: dict[str, str]
) -> None:
    ilo = Keys.header(keys.member)
    start = last_seq(client, sec)
    writes(client, sec, ilo)
    items = feed(client, sec, after=start)
    fp_id = items[2]["id"]
    # A focal point's change is its entity's too (its updated_at and ETag move): listed after it.
    assert shape(items) == [
        ("entity", "created", "/v1/entities/feed-agency"),
        ("entity", "updated", "/v1/entities/feed-agency"),
        ("focal_point", "created", f"/v1/entities/ilo/focal-points/{fp_id}"),
        ("entity", "updated", "/v1/entities/ilo"),
        ("focal_point", "deleted", f"/v1/entities/ilo/focal-points/{fp_id}"),
        ("entity", "updated", "/v1/entities/ilo"),
    ]
    assert [i["id"] for i in items[:2]] == ["feed-agency", "feed-agency"]
    assert items[4]["id"] == fp_id and items[3]["id"] == items[5]["id"] == "ilo"
    seqs = [i["seq"] for i in items]
    assert seqs == sorted(set(seqs))
    assert all(i["occurred_at"].endswith("Z") or "+00:00" in i["occurred_at"] for i in items)
    assert set(items[0]) == {"seq", "occurred_at", "type", "id", "action", "url"}


def test_resuming_after_the_last_seq_gives_only_newer_changes(
    client: TestClient, keys: Keys, sec: dict[str, str]
) -> None:
    start = last_seq(client, sec)
    assert client.post("/v1/entities", headers=sec, json=NEW).status_code == 201
    first = feed(client, sec, after=start)
    assert [i["type"] for i in first] == ["entity"]
    saved = first[-1]["seq"]
    assert feed(client, sec, after=saved) == []
    etag = client.get("/v1/entities/feed-agency").headers["etag"]
    r = client.patch(
        "/v1/entities/feed-agency", headers={**sec, "If-Match": etag}, json={"acronym": "FA"}
    )
    assert r.status_code == 200
    newer = feed(client, sec, after=saved)
    assert [(i["type"], i["action"]) for i in newer] == [("entity", "updated")]
    assert newer[0]["seq"] > saved


def test_pages_follow_next_cursor(client: TestClient, keys: Keys, sec: dict[str, str]) -> None:
    start = last_seq(client, sec)
    writes(client, sec, Keys.header(keys.member))
    whole = feed(client, sec, after=start)
    paged = feed(client, sec, after=start, limit=1)
    assert paged == whole and len(whole) == 6
    r = client.get("/v1/changes", params={"after": start, "limit": 3}, headers=sec)
    assert len(r.json()["items"]) == 3 and r.json()["next_cursor"]


def test_focal_point_changes_only_for_members_partners_and_the_secretariat(
    client: TestClient, keys: Keys, sec: dict[str, str]
) -> None:
    start = last_seq(client, sec)
    writes(client, sec, Keys.header(keys.member))
    kinds = {
        "anonymous": None,
        "revoked": Keys.header(keys.revoked),
        "member": Keys.header(keys.member),
        "partner": Keys.header(keys.partner),
        "coordinator": sec,
        "secretariat": Keys.header(keys.secretariat),
    }
    seen = {name: [i["type"] for i in feed(client, h, after=start)] for name, h in kinds.items()}
    everything = ["entity", "entity", "focal_point", "entity", "focal_point", "entity"]
    public = ["entity"] * 4  # the entity's own changes, and those its focal points made to it
    assert seen == {
        "anonymous": public,
        "revoked": public,
        "member": everything,
        "partner": everything,
        "coordinator": everything,
        "secretariat": everything,
    }


@pytest.mark.parametrize("after", ["-1", "abc", "1.5", "", "99999999999999999999"])
def test_bad_after_is_422(client: TestClient, after: str) -> None:
    r = client.get(f"/v1/changes?after={after}")
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_after_beyond_the_last_change_is_422(client: TestClient, sec: dict[str, str]) -> None:
    last = last_seq(client, sec)
    assert client.get(f"/v1/changes?after={last}").status_code == 200
    r = client.get(f"/v1/changes?after={last + 1}")
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "beyond the last change" in r.json()["detail"]


def test_a_cursor_followed_with_after_kept_continues_the_same_listing(
    client: TestClient, keys: Keys, sec: dict[str, str]
) -> None:
    """Clients that follow `next_cursor` keeping their query (generic crawlers, generated
    clients) get the next page: the cursor and `after` both bound it."""
    start = last_seq(client, sec)
    writes(client, sec, Keys.header(keys.member))
    first = client.get("/v1/changes", params={"after": start, "limit": 2}, headers=sec).json()
    assert first["next_cursor"]
    params = {"after": start, "limit": 2, "cursor": first["next_cursor"]}
    second = client.get("/v1/changes", params=params, headers=sec).json()
    whole = feed(client, sec, after=start)
    assert first["items"] + second["items"] == whole[:4]
    forged = client.get("/v1/changes", params={"cursor": "WyJlbnRpdGllcyIsMV0"})
    assert forged.status_code == 422


def test_seed_is_not_in_the_feed_and_a_rolled_back_write_leaves_no_change(
    client: TestClient, sec: dict[str, str]
) -> None:
    start = last_seq(client, sec)
    assert all(i["type"] != "entity" or i["id"] != "unodc" for i in feed(client, sec))
    bad = {**NEW, "id": "unodc"}  # refused: taken
    assert client.post("/v1/entities", headers=sec, json=bad).status_code in (409, 422)
    assert feed(client, sec, after=start) == []


def test_an_unpublished_product_changes_only_for_keys_that_read_drafts(
    client: TestClient, keys: Keys, sec: dict[str, str]
) -> None:
    """A draft is not public (DESIGN section 5): the public feed does not name it."""
    start = last_seq(client, sec)
    body = {"title": "A brief in preparation", "kind": "issue_brief", "lead_entity_id": "iom"}
    created = client.post("/v1/publications", headers=sec, json=body)
    assert created.status_code == 201, created.text
    draft = ("publication", str(created.json()["id"]), "created")
    seen = [(i["type"], i["id"], i["action"]) for i in feed(client, sec, after=start)]
    assert draft in seen
    member = Keys.header(keys.member)
    assert draft in [(i["type"], i["id"], i["action"]) for i in feed(client, member, after=start)]
    public = [(i["type"], i["id"], i["action"]) for i in feed(client, None, after=start)]
    assert draft not in public
