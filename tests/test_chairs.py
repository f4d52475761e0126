"""Chairs: ToR Annex 3 as data, terms recorded by the secretariat, and their rules."""

from typing import Any

from fastapi.testclient import TestClient


def chairs_on(client: TestClient, day: str) -> list[str]:
    items = client.get("/v1/chairs", params={"on": day}).json()["items"]
    return [e for term in items for e in term["entity_ids"]]


def test_annex_3_is_seeded(client: TestClient) -> None:
    items = client.get("/v1/chairs").json()["items"]
    assert [(t["start_year"], t["end_year"], t["entity_ids"]) for t in items] == [
        (2007, 2010, ["unodc"]),
        (2011, 2011, ["ohchr"]),
        (2012, 2012, ["unicef"]),
        (2013, 2013, ["ilo"]),
        (2014, 2014, ["iom"]),
        (2015, 2015, ["unhcr"]),
        (2016, 2016, ["unodc"]),
        (2017, 2017, ["ohchr"]),
        (2018, 2018, ["unicef"]),
        (2019, 2019, ["un-women", "osce"]),
    ]
    assert items[-1]["chairs"][1]["acronym"] == "OSCE"


def test_chairs_on_a_day(client: TestClient) -> None:
    assert chairs_on(client, "2009-05-01") == ["unodc"]
    assert chairs_on(client, "2019-12-31") == ["un-women", "osce"]
    assert chairs_on(client, "2006-12-31") == []


def record(client: TestClient, sec: dict[str, str], **body: Any) -> Any:
    return client.post("/v1/chair-terms", headers=sec, json=body)


def test_secretariat_records_a_term(client: TestClient, sec: dict[str, str]) -> None:
    r = record(client, sec, start_year=2020, entity_ids=["ilo"], note="From the minutes.")
    assert r.status_code == 201, r.text
    assert r.json()["end_year"] == 2020 and r.json()["election_decision_id"] is None
    assert chairs_on(client, "2020-07-01") == ["ilo"]
    listed = client.get("/v1/member-list", params={"on": "2020-07-01"}).json()
    assert [c["id"] for c in listed["chairs"]] == ["ilo"]


def test_co_chairs_with_every_task_delineated(client: TestClient, sec: dict[str, str]) -> None:
    roles = [
        {"entity_id": "ilo", "tasks": list("abcdefg")},
        {"entity_id": "iom", "tasks": list("ghijklm")},
    ]
    r = record(client, sec, start_year=2021, entity_ids=["ilo", "iom"], roles=roles)
    assert r.status_code == 201, r.text
    assert r.json()["chairs"][0]["tasks"] == list("abcdefg")


def test_three_co_chairs_are_refused(client: TestClient, sec: dict[str, str]) -> None:
    r = record(client, sec, start_year=2021, entity_ids=["ilo", "iom", "unhcr"])
    assert r.status_code == 422 and r.json()["rule"] == "ToR 3.D.2"


def test_co_chairs_must_not_leave_a_task_out(client: TestClient, sec: dict[str, str]) -> None:
    roles = [
        {"entity_id": "ilo", "tasks": list("abcdef")},
        {"entity_id": "iom", "tasks": list("ghijkl")},
    ]
    r = record(client, sec, start_year=2021, entity_ids=["ilo", "iom"], roles=roles)
    assert r.status_code == 422 and r.json()["rule"] == "ToR 3.D.2"
    assert "m" in r.json()["detail"]


def test_a_task_that_does_not_exist_is_refused(client: TestClient, sec: dict[str, str]) -> None:
    roles = [
        {"entity_id": "ilo", "tasks": ["a", "z"]},
        {"entity_id": "iom", "tasks": list("abcdefghijklm")},
    ]
    r = record(client, sec, start_year=2021, entity_ids=["ilo", "iom"], roles=roles)
    assert r.status_code == 422


def test_a_partner_never_chairs(client: TestClient, sec: dict[str, str]) -> None:
    r = record(client, sec, start_year=2021, entity_ids=["council-of-europe"])
    assert r.status_code == 422 and r.json()["rule"] == "ToR 3.E.3"


def test_one_term_per_year(client: TestClient, sec: dict[str, str]) -> None:
    r = record(client, sec, start_year=2019, entity_ids=["ilo"])
    assert r.status_code == 409 and r.json()["rule"] == "ToR 3.D.1"
    r = record(client, sec, start_year=2018, end_year=2020, entity_ids=["ilo"])
    assert r.status_code == 409
    assert chairs_on(client, "2020-01-01") == []


def test_unknown_chair_is_refused(client: TestClient, sec: dict[str, str]) -> None:
    r = record(client, sec, start_year=2021, entity_ids=["nobody"])
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "entity_ids"]


def test_the_same_chair_twice_is_refused(client: TestClient, sec: dict[str, str]) -> None:
    assert record(client, sec, start_year=2021, entity_ids=["ilo", "ilo"]).status_code == 422
