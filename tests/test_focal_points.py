"""Focal points (ToR 3.A.2): the nightly sync, one-by-one edits, the feed, the gaps."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Keys

URL = "/v1/entities/ilo/focal-points"


def contact(ext: str, primary: bool = False, **fields: Any) -> dict[str, Any]:
    return {
        "external_id": ext,
        "name": f"Person {ext}",
        "email": f"{ext.lower()}@ilo.org",
        "is_primary": primary,
        **fields,
    }


def sync(
    client: TestClient,
    headers: dict[str, str],
    items: list[dict[str, Any]],
    url: str = URL,
    **extra: str,
) -> Any:
    return client.put(url, headers={**headers, **extra}, json={"items": items})


@pytest.fixture
def ilo(keys: Keys) -> dict[str, str]:
    return Keys.header(keys.member)


def test_first_sync_creates_everything(client: TestClient, ilo: dict[str, str]) -> None:
    r = sync(client, ilo, [contact("A1", True), contact("A2"), contact("A3")])
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["created"], body["updated"], body["removed"], body["unchanged"]) == (3, 0, 0, 0)
    assert [c["external_id"] for c in body["items"]] == ["A1", "A2", "A3"]
    listed = client.get(URL, headers=ilo)
    assert listed.json()["items"] == body["items"]
    assert listed.headers["etag"] == r.headers["etag"]


def test_same_sync_twice_changes_nothing(
    client: TestClient, ilo: dict[str, str], sec: dict[str, str]
) -> None:
    items = [contact("A1", True), contact("A2", phone="+41 22 917 1234")]
    first = sync(client, ilo, items)
    events_before = len(
        client.get(
            "/v1/audit-events", headers=sec, params={"limit": 200, "resource_type": "focal_point"}
        ).json()["items"]
    )
    entity_before = client.get("/v1/entities/ilo").json()["updated_at"]
    second = sync(client, ilo, items)
    assert second.status_code == 200
    body = second.json()
    assert (body["created"], body["updated"], body["removed"], body["unchanged"]) == (0, 0, 0, 2)
    assert second.headers["etag"] == first.headers["etag"]
    events_after = len(
        client.get(
            "/v1/audit-events", headers=sec, params={"limit": 200, "resource_type": "focal_point"}
        ).json()["items"]
    )
    assert events_after == events_before
    assert client.get("/v1/entities/ilo").json()["updated_at"] == entity_before


def test_sync_updates_removes_and_matches_on_external_id_not_email(
    client: TestClient, ilo: dict[str, str]
) -> None:
    first = sync(client, ilo, [contact("A1", True), contact("A2"), contact("A3")]).json()
    ids = {c["external_id"]: c["id"] for c in first["items"]}
    r = sync(
        client,
        ilo,
        [contact("A1", True), contact("A2", email="new.address@ilo.org"), contact("A4")],
    )
    body = r.json()
    assert (body["created"], body["updated"], body["removed"], body["unchanged"]) == (1, 1, 1, 1)
    after = {c["external_id"]: c for c in body["items"]}
    assert after["A2"]["id"] == ids["A2"]  # updated in place, not removed and re-created
    assert after["A2"]["email"] == "new.address@ilo.org"
    assert "A3" not in after


def test_moving_the_primary_role_in_one_sync(client: TestClient, ilo: dict[str, str]) -> None:
    sync(client, ilo, [contact("A1", True), contact("A2")])
    r = sync(client, ilo, [contact("A1"), contact("A2", True)])
    assert r.status_code == 200, r.text
    primary = [c["external_id"] for c in r.json()["items"] if c["is_primary"]]
    assert primary == ["A2"]


@pytest.mark.parametrize("primaries", [0, 2])
def test_a_sync_without_exactly_one_primary_is_refused_and_nothing_changes(
    client: TestClient, ilo: dict[str, str], primaries: int
) -> None:
    good = sync(client, ilo, [contact("A1", True), contact("A2")])
    items = [contact("B1", primaries >= 1), contact("B2", primaries >= 2)]
    r = sync(client, ilo, items)
    assert r.status_code == 422
    assert r.json()["rule"] == "ToR 3.A.2"
    now = client.get(URL, headers=ilo)
    assert now.json()["items"] == good.json()["items"]
    assert now.headers["etag"] == good.headers["etag"]


def test_an_empty_sync_removes_every_contact(
    client: TestClient, ilo: dict[str, str], sec: dict[str, str]
) -> None:
    sync(client, ilo, [contact("A1", True)])
    r = sync(client, ilo, [])
    assert r.status_code == 200 and r.json()["removed"] == 1
    gaps = client.get("/v1/focal-points/gaps", headers=sec, params={"limit": 200}).json()
    assert "ilo" in [g["id"] for g in gaps["items"]]


def test_if_match_protects_against_lost_updates(client: TestClient, ilo: dict[str, str]) -> None:
    etag = sync(client, ilo, [contact("A1", True)]).headers["etag"]
    ok = sync(client, ilo, [contact("A1", True), contact("A2")], **{"If-Match": etag})
    assert ok.status_code == 200
    stale = sync(client, ilo, [contact("A1", True), contact("A3")], **{"If-Match": etag})
    assert stale.status_code == 412
    assert [c["external_id"] for c in client.get(URL, headers=ilo).json()["items"]] == ["A1", "A2"]


def test_a_change_moves_the_entity_etag(client: TestClient, ilo: dict[str, str]) -> None:
    before = client.get("/v1/entities/ilo")
    sync(client, ilo, [contact("A1", True)])
    after = client.get("/v1/entities/ilo")
    assert after.headers["etag"] != before.headers["etag"]
    assert after.json()["updated_at"] > before.json()["updated_at"]


def test_stakeholders_do_not_designate_focal_points(
    client: TestClient, sec: dict[str, str]
) -> None:
    ngo = {"id": "walk-free", "name": "Walk Free", "kind": "non_governmental"}
    assert client.post("/v1/entities", headers=sec, json=ngo).status_code == 201
    r = sync(client, sec, [contact("X", True)], url="/v1/entities/walk-free/focal-points")
    assert r.status_code == 422 and r.json()["rule"] == "ToR 3.A.2"


def test_one_by_one(client: TestClient, ilo: dict[str, str]) -> None:
    first = client.post(URL, headers=ilo, json=contact("A1", False))
    assert first.status_code == 422 and first.json()["rule"] == "ToR 3.A.2"  # none primary
    created = client.post(URL, headers=ilo, json=contact("A1", True))
    assert created.status_code == 201
    location = created.headers["location"]
    second = client.post(URL, headers=ilo, json=contact("A2", True))
    assert second.status_code == 422 and second.json()["rule"] == "ToR 3.A.2"
    assert client.post(URL, headers=ilo, json=contact("A1", True)).status_code == 409
    a2 = client.post(URL, headers=ilo, json=contact("A2")).json()
    got = client.get(location, headers=ilo)
    patched = client.patch(
        location,
        headers={**ilo, "If-Match": got.headers["etag"]},
        json={"title": "Senior Specialist"},
    )
    assert patched.status_code == 200 and patched.json()["title"] == "Senior Specialist"
    stale = client.patch(
        location, headers={**ilo, "If-Match": got.headers["etag"]}, json={"title": "Other"}
    )
    assert stale.status_code == 412
    demote = client.patch(location, headers=ilo, json={"is_primary": False})
    assert demote.status_code == 422 and demote.json()["rule"] == "ToR 3.A.2"
    drop_primary = client.delete(location, headers=ilo)
    assert drop_primary.status_code == 422
    assert client.delete(f"{URL}/{a2['id']}", headers=ilo).status_code == 204
    assert client.delete(location, headers=ilo).status_code == 204
    assert client.get(URL, headers=ilo).json()["items"] == []
    assert client.get(location, headers=ilo).status_code == 404


def test_who_may_read_and_write(client: TestClient, keys: Keys, sec: dict[str, str]) -> None:
    ilo, partner = Keys.header(keys.member), Keys.header(keys.partner)
    assert sync(client, ilo, [contact("A1", True)]).status_code == 200
    assert client.get(URL, headers=partner).status_code == 200
    assert client.get(URL).status_code == 401
    assert sync(client, partner, [contact("Z", True)]).status_code == 403
    assert (
        sync(client, ilo, [contact("Z", True)], url="/v1/entities/iom/focal-points").status_code
        == 403
    )
    assert (
        sync(client, sec, [contact("S", True)], url="/v1/entities/iom/focal-points").status_code
        == 200
    )
    assert client.get("/v1/focal-points", headers=ilo).status_code == 403
    assert client.get("/v1/focal-points/gaps", headers=ilo).status_code == 403


def test_contacts_are_never_public(client: TestClient, ilo: dict[str, str]) -> None:
    sync(client, ilo, [contact("A1", True, email="secret.person@ilo.org")])
    for path in ("/v1/member-list", "/v1/entities", "/v1/entities/ilo"):
        assert "secret.person" not in client.get(path).text


def test_change_feed_lists_changes_and_tombstones(
    client: TestClient, ilo: dict[str, str], sec: dict[str, str]
) -> None:
    created = sync(client, ilo, [contact("A1", True), contact("A2")]).json()["items"]
    since = created[0]["updated_at"]
    sync(client, ilo, [contact("A1", True, title="Head")])
    feed = client.get("/v1/focal-points", headers=sec, params={"updated_since": since}).json()
    by_ext = {c["external_id"]: c for c in feed["items"]}
    assert by_ext["A2"]["deleted"] is True and by_ext["A2"]["email"] is None
    assert by_ext["A1"]["deleted"] is False and by_ext["A1"]["title"] == "Head"
    stamps = [(c["updated_at"], c["id"]) for c in feed["items"]]
    assert stamps == sorted(stamps)


def test_change_feed_pages_in_a_stable_order(
    client: TestClient, ilo: dict[str, str], sec: dict[str, str]
) -> None:
    sync(client, ilo, [contact(f"P{i:02}", i == 0) for i in range(12)])
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/focal-points", headers=sec, params=params).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) >= 12


def test_gaps_list_members_and_partners_without_contacts(
    client: TestClient, ilo: dict[str, str], sec: dict[str, str]
) -> None:
    before = {
        g["id"]
        for g in client.get("/v1/focal-points/gaps", headers=sec, params={"limit": 200}).json()[
            "items"
        ]
    }
    assert len(before) == 25 and "council-of-europe" in before
    sync(client, ilo, [contact("A1", True)])
    after = {
        g["id"]
        for g in client.get("/v1/focal-points/gaps", headers=sec, params={"limit": 200}).json()[
            "items"
        ]
    }
    assert after == before - {"ilo"}


def test_unicode_names_round_trip_exactly(client: TestClient, ilo: dict[str, str]) -> None:
    names = ["ليلى حداد", "王小明", "Ольга Петрова", "Zoë Ñúñez", "Ngũgĩ wa Thiong'o"]
    items = [contact(f"U{i}", i == 0, name=n) for i, n in enumerate(names)]
    sync(client, ilo, items)
    got = [c["name"] for c in client.get(URL, headers=ilo).json()["items"]]
    assert got == names


def test_phone_numbers_are_kept_in_e164(client: TestClient, ilo: dict[str, str]) -> None:
    r = sync(client, ilo, [contact("A1", True, phone="+41 (22) 917-1234")])
    assert r.json()["items"][0]["phone"] == "+41229171234"
    again = sync(client, ilo, [contact("A1", True, phone="+41229171234")])
    assert again.json()["unchanged"] == 1
