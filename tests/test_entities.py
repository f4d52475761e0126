"""Entities: public reads with filters and pages; secretariat writes with If-Match."""

from typing import Any

from fastapi.testclient import TestClient

NEW_IGO: dict[str, Any] = {
    "id": "asean",
    "name": "Association of Southeast Asian Nations",
    "acronym": "ASEAN",
    "kind": "intergovernmental",
    "scope": "regional",
    "un_system": False,
    "mandate_covers_tip": True,
    "mandate_reference": "ASEAN Convention Against Trafficking in Persons (2015)",
    "website": "https://asean.org",
}


def all_items(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        body = client.get(path, params=query).json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def test_list_pages_through_every_entity_in_id_order(client: TestClient) -> None:
    items = all_items(client, "/v1/entities", limit=7)
    assert len(items) == 25
    assert [e["id"] for e in items] == sorted(e["id"] for e in items)
    assert len({e["id"] for e in items}) == 25


def test_filters_by_derived_status_today(client: TestClient) -> None:
    members = all_items(client, "/v1/entities", status="member", limit=200)
    partners = all_items(client, "/v1/entities", status="partner")
    assert len(members) == 23
    assert {e["id"] for e in partners} == {"council-of-europe", "sr-tip"}
    assert all(e["status"] == "partner" for e in partners)


def test_status_on_a_past_day(client: TestClient) -> None:
    osce_2016 = client.get("/v1/entities/osce", params={"on": "2016-06-01"}).json()
    osce_2014 = client.get("/v1/entities/osce", params={"on": "2014-06-01"}).json()
    assert osce_2016["status"] == "partner"
    assert osce_2014["status"] == "stakeholder"
    partners_2016 = all_items(client, "/v1/entities", status="partner", on="2016-06-01")
    assert [e["id"] for e in partners_2016] == ["osce"]


def test_filters_by_kind_working_group_and_text(client: TestClient) -> None:
    igos = all_items(client, "/v1/entities", kind="intergovernmental")
    assert {e["id"] for e in igos} == {"icmpd", "interpol", "osce", "council-of-europe"}
    wg = all_items(client, "/v1/entities", working_group="true")
    assert len(wg) == 9 and all(e["working_group"] for e in wg)
    not_wg = all_items(client, "/v1/entities", working_group="false")
    assert len(not_wg) == 16
    found = all_items(client, "/v1/entities", q="REFUGEES")
    assert [e["id"] for e in found] == ["unhcr"]
    assert all_items(client, "/v1/entities", q="100%_") == []


def test_updated_since_lists_only_what_changed(client: TestClient, sec: dict[str, str]) -> None:
    marker = client.get("/v1/entities/unodc").json()["updated_at"]
    r = client.patch("/v1/entities/ilo", headers=sec, json={"acronym": "ILO/OIT"})
    assert r.status_code == 200
    changed = all_items(client, "/v1/entities", updated_since=r.json()["updated_at"])
    assert [e["id"] for e in changed] == ["ilo"]
    assert len(all_items(client, "/v1/entities", updated_since=marker)) >= 1


def test_read_one_with_etag_and_304(client: TestClient) -> None:
    r = client.get("/v1/entities/unhcr")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "member" and body["kind"] == "un_entity" and body["working_group"]
    again = client.get("/v1/entities/unhcr", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def test_unknown_entity_is_404_problem(client: TestClient) -> None:
    r = client.get("/v1/entities/no-such-body")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


def test_secretariat_creates_an_entity_as_stakeholder(
    client: TestClient, sec: dict[str, str]
) -> None:
    r = client.post("/v1/entities", headers=sec, json=NEW_IGO)
    assert r.status_code == 201, r.text
    assert r.headers["location"] == "/v1/entities/asean"
    body = r.json()
    assert body["status"] == "stakeholder" and body["working_group"] is False
    assert client.get("/v1/entities/asean").json()["name"] == NEW_IGO["name"]


def test_ids_are_never_reused_and_names_are_unique(client: TestClient, sec: dict[str, str]) -> None:
    assert (
        client.post("/v1/entities", headers=sec, json={**NEW_IGO, "id": "unodc"}).status_code == 409
    )
    clash = {**NEW_IGO, "name": "United Nations Office on Drugs and Crime"}
    assert client.post("/v1/entities", headers=sec, json=clash).status_code == 409


def test_patch_applies_only_fields_sent(client: TestClient, sec: dict[str, str]) -> None:
    before = client.get("/v1/entities/itu").json()
    r = client.patch("/v1/entities/itu", headers=sec, json={"website": "https://www.itu.int/en/"})
    assert r.status_code == 200
    after = r.json()
    assert after["website"] == "https://www.itu.int/en/"
    assert after["name"] == before["name"] and after["acronym"] == before["acronym"]
    assert after["updated_at"] > before["updated_at"]


def test_patch_with_a_stale_if_match_is_412_and_changes_nothing(
    client: TestClient, sec: dict[str, str]
) -> None:
    etag = client.get("/v1/entities/itu").headers["etag"]
    first = client.patch(
        "/v1/entities/itu", headers={**sec, "If-Match": etag}, json={"acronym": "UIT"}
    )
    assert first.status_code == 200
    second = client.patch(
        "/v1/entities/itu", headers={**sec, "If-Match": etag}, json={"acronym": "X"}
    )
    assert second.status_code == 412
    assert second.headers["content-type"].startswith("application/problem+json")
    assert client.get("/v1/entities/itu").json()["acronym"] == "UIT"


def test_patch_with_the_current_etag_succeeds_and_answers_the_new_one(
    client: TestClient, sec: dict[str, str]
) -> None:
    etag = client.get("/v1/entities/itu").headers["etag"]
    r = client.patch("/v1/entities/itu", headers={**sec, "If-Match": etag}, json={"acronym": "UIT"})
    assert r.status_code == 200
    assert r.headers["etag"] != etag
    assert client.get("/v1/entities/itu").headers["etag"] == r.headers["etag"]


def test_patch_that_changes_nothing_keeps_the_etag(client: TestClient, sec: dict[str, str]) -> None:
    r0 = client.get("/v1/entities/itu")
    r = client.patch("/v1/entities/itu", headers=sec, json={"acronym": r0.json()["acronym"]})
    assert r.status_code == 200 and r.headers["etag"] == r0.headers["etag"]


def test_a_member_cannot_be_made_ineligible(client: TestClient, sec: dict[str, str]) -> None:
    r = client.patch("/v1/entities/ilo", headers=sec, json={"mandate_covers_tip": False})
    assert r.status_code == 422
    assert r.json()["rule"] == "ToR 3.A.4(b)"
    r = client.patch(
        "/v1/entities/ilo", headers=sec, json={"kind": "non_governmental", "un_system": False}
    )
    assert r.status_code == 422 and r.json()["rule"] == "ToR 3.A.5"
    r = client.patch("/v1/entities/ilo", headers=sec, json={"kind": "other"})
    assert r.status_code == 422 and r.json()["rule"] == "ToR 3.A.4(a)"
    assert client.get("/v1/entities/ilo").json()["mandate_covers_tip"] is True


def test_a_stakeholder_may_be_anything(client: TestClient, sec: dict[str, str]) -> None:
    ngo = {"id": "la-strada", "name": "La Strada International", "kind": "non_governmental"}
    assert client.post("/v1/entities", headers=sec, json=ngo).status_code == 201
    r = client.patch("/v1/entities/la-strada", headers=sec, json={"mandate_covers_tip": True})
    assert r.status_code == 200 and r.json()["status"] == "stakeholder"


def test_required_fields_cannot_be_nulled(client: TestClient, sec: dict[str, str]) -> None:
    r = client.patch("/v1/entities/ilo", headers=sec, json={"name": None})
    assert r.status_code == 422
    assert client.get("/v1/entities/ilo").json()["name"] == "International Labour Organization"
