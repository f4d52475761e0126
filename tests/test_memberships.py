"""Memberships: the role history, and the eligibility rules of ToR 3.A.4, 3.A.5, 3.E/3.F."""

from typing import Any

import pytest
from fastapi.testclient import TestClient


def make_entity(client: TestClient, sec: dict[str, str], **fields: Any) -> str:
    body: dict[str, Any] = {
        "id": "gcc",
        "name": "Gulf Cooperation Council",
        "kind": "intergovernmental",
        "scope": "regional",
        "mandate_covers_tip": True,
        **fields,
    }
    r = client.post("/v1/entities", headers=sec, json=body)
    assert r.status_code == 201, r.text
    return str(body["id"])


def test_history_is_listed_oldest_first(client: TestClient) -> None:
    r = client.get("/v1/entities/osce/memberships")
    assert r.status_code == 200
    spans = [(m["role"], m["starts_on"], m["ends_on"]) for m in r.json()["items"]]
    assert spans == [("partner", "2015-07-22", "2017-01-01"), ("member", "2017-01-01", None)]


def test_history_of_unknown_entity_is_404(client: TestClient) -> None:
    assert client.get("/v1/entities/nobody/memberships").status_code == 404


def test_recording_a_membership_makes_a_member(client: TestClient, sec: dict[str, str]) -> None:
    eid = make_entity(client, sec)
    before = client.get(f"/v1/entities/{eid}").json()
    r = client.post(
        f"/v1/entities/{eid}/memberships",
        headers=sec,
        json={"role": "member", "starts_on": "2020-03-01", "note": "Admitted."},
    )
    assert r.status_code == 201, r.text
    assert r.headers["location"] == f"/v1/entities/{eid}/memberships/{r.json()['id']}"
    entity = client.get(f"/v1/entities/{eid}").json()
    assert entity["status"] == "member"
    assert entity["updated_at"] > before["updated_at"]
    assert (
        client.get(f"/v1/entities/{eid}", params={"on": "2020-02-29"}).json()["status"]
        == "stakeholder"
    )
    assert client.get(r.headers["location"]).json()["role"] == "member"


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"kind": "non_governmental"}, "ToR 3.A.5"),
        ({"kind": "other"}, "ToR 3.A.4(a)"),
        ({"mandate_covers_tip": False}, "ToR 3.A.4(b)"),
    ],
)
@pytest.mark.parametrize("role", ["member", "partner"])
def test_ineligible_organizations_cannot_hold_a_role(
    client: TestClient, sec: dict[str, str], fields: dict[str, Any], rule: str, role: str
) -> None:
    eid = make_entity(client, sec, **fields)
    r = client.post(
        f"/v1/entities/{eid}/memberships",
        headers=sec,
        json={"role": role, "starts_on": "2020-01-01"},
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["rule"] == rule
    assert rule in body["detail"]
    assert client.get(f"/v1/entities/{eid}/memberships").json()["items"] == []


def test_one_role_at_a_time(client: TestClient, sec: dict[str, str]) -> None:
    r = client.post(
        "/v1/entities/council-of-europe/memberships",
        headers=sec,
        json={"role": "member", "starts_on": "2021-01-01"},
    )
    assert r.status_code == 422
    assert r.json()["rule"] == "ToR 3.E/3.F"
    r = client.post(
        "/v1/entities/ilo/memberships",
        headers=sec,
        json={"role": "member", "starts_on": "2021-01-01"},
    )
    assert r.status_code == 422 and r.json()["rule"] == "ToR 3.E/3.F"
    # A closed span that overlaps an older one is refused as well.
    r = client.post(
        "/v1/entities/osce/memberships",
        headers=sec,
        json={"role": "partner", "starts_on": "2014-01-01", "ends_on": "2015-08-01"},
    )
    assert r.status_code == 422 and r.json()["rule"] == "ToR 3.E/3.F"


def test_a_partner_becomes_a_member_the_day_its_partnership_ends(
    client: TestClient, sec: dict[str, str]
) -> None:
    spans = client.get("/v1/entities/council-of-europe/memberships").json()["items"]
    end = client.post(
        f"/v1/entities/council-of-europe/memberships/{spans[0]['id']}/end",
        headers=sec,
        json={"ends_on": "2022-01-01"},
    )
    assert end.status_code == 200 and end.json()["ends_on"] == "2022-01-01"
    join = client.post(
        "/v1/entities/council-of-europe/memberships",
        headers=sec,
        json={"role": "member", "starts_on": "2022-01-01"},
    )
    assert join.status_code == 201, join.text

    def on(day: str) -> str:
        return str(
            client.get("/v1/entities/council-of-europe", params={"on": day}).json()["status"]
        )

    assert on("2021-12-31") == "partner"
    assert on("2022-01-01") == "member"


def test_ending_a_membership_makes_a_former_member(client: TestClient, sec: dict[str, str]) -> None:
    spans = client.get("/v1/entities/unaids/memberships").json()["items"]
    r = client.post(
        f"/v1/entities/unaids/memberships/{spans[-1]['id']}/end",
        headers=sec,
        json={"ends_on": "2021-06-30", "note": "Withdrew by letter."},
    )
    assert r.status_code == 200
    assert "Withdrew by letter." in r.json()["note"]
    assert client.get("/v1/entities/unaids").json()["status"] == "former_member"
    assert (
        client.get("/v1/entities/unaids", params={"on": "2021-06-29"}).json()["status"] == "member"
    )


def test_an_ended_membership_is_not_rewritten(client: TestClient, sec: dict[str, str]) -> None:
    spans = client.get("/v1/entities/osce/memberships").json()["items"]
    r = client.post(
        f"/v1/entities/osce/memberships/{spans[0]['id']}/end",
        headers=sec,
        json={"ends_on": "2016-01-01"},
    )
    assert r.status_code == 409
    assert client.get("/v1/entities/osce/memberships").json()["items"][0]["ends_on"] == "2017-01-01"


def test_ending_before_the_start_is_refused(client: TestClient, sec: dict[str, str]) -> None:
    spans = client.get("/v1/entities/ilo/memberships").json()["items"]
    r = client.post(
        f"/v1/entities/ilo/memberships/{spans[0]['id']}/end",
        headers=sec,
        json={"ends_on": "2007-01-01"},
    )
    assert r.status_code == 422
    assert client.get("/v1/entities/ilo").json()["status"] == "member"


def test_a_membership_of_another_entity_is_not_found(
    client: TestClient, sec: dict[str, str]
) -> None:
    ilo = client.get("/v1/entities/ilo/memberships").json()["items"][0]["id"]
    assert client.get(f"/v1/entities/iom/memberships/{ilo}").status_code == 404
    r = client.post(
        f"/v1/entities/iom/memberships/{ilo}/end", headers=sec, json={"ends_on": "2030-01-01"}
    )
    assert r.status_code == 404
    assert client.get("/v1/entities/ilo").json()["status"] == "member"


def test_spans_must_end_after_they_start(client: TestClient, sec: dict[str, str]) -> None:
    eid = make_entity(client, sec)
    r = client.post(
        f"/v1/entities/{eid}/memberships",
        headers=sec,
        json={"role": "member", "starts_on": "2020-01-01", "ends_on": "2020-01-01"},
    )
    assert r.status_code == 422
    assert r.json()["errors"]


def test_history_pages(client: TestClient, sec: dict[str, str]) -> None:
    eid = make_entity(client, sec)
    for year in range(2010, 2016):
        r = client.post(
            f"/v1/entities/{eid}/memberships",
            headers=sec,
            json={"role": "partner", "starts_on": f"{year}-01-01", "ends_on": f"{year}-06-01"},
        )
        assert r.status_code == 201
    page1 = client.get(f"/v1/entities/{eid}/memberships", params={"limit": 4}).json()
    page2 = client.get(
        f"/v1/entities/{eid}/memberships", params={"limit": 4, "cursor": page1["next_cursor"]}
    ).json()
    starts = [m["starts_on"][:4] for m in page1["items"] + page2["items"]]
    assert starts == [str(y) for y in range(2010, 2016)]
    assert page2["next_cursor"] is None
