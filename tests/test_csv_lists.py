"""The lists people open in spreadsheets — entities, meetings, decisions, funding — answer CSV with
`Accept: text/csv`: every row matching the filters, the columns of the JSON items, read back
with Python's csv module as a spreadsheet would."""

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from icat_api import clock
from icat_api.funding.models import Funding, Milestone, MilestoneReport
from tests.conftest import Keys
from tests.helpers import PROBLEM, Headers, Json, all_items, body_of, decide_electronically

CSV = {"Accept": "text/csv"}
BOM = b"\xef\xbb\xbf"
ENTITY_COLUMNS = [
    "id",
    "name",
    "acronym",
    "names",
    "acronyms",
    "former_names",
    "kind",
    "scope",
    "un_system",
    "mandate_covers_tip",
    "mandate_reference",
    "website",
    "note",
    "status",
    "working_group",
    "created_at",
    "updated_at",
]


def read_csv(r: httpx.Response, filename: str) -> list[dict[str, str]]:
    """The rows of a CSV answer (UTF-8 with a byte-order mark), checked as a file download."""
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == f'attachment; filename="{filename}"'
    assert "Accept" in r.headers["vary"]
    assert r.content.startswith(BOM) and not r.content.startswith(BOM * 2)
    text = r.content.decode("utf-8-sig")
    assert all(line.startswith('"') for line in text.split("\r\n") if line), "a cell unquoted"
    return list(csv.DictReader(io.StringIO(text, newline="")))


def header(r: httpx.Response) -> list[str]:
    return next(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))


def cell(column: str, value: Any) -> str:
    """What the CSV holds for a JSON value: nothing for null, lists in one cell, timestamps as
    ISO 8601 with their offset, a text a spreadsheet would run as a formula after a `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if column == "consulted_entity_ids":
        return "; ".join(value)
    if column == "objections":
        return "\n".join(
            f"{o['entity_id']}{' (withdrawn)' if o['withdrawn'] else ''}: {o['reason']}"
            for o in value
        )
    if column == "effects":
        return "\n".join(value)
    if column == "milestones":
        return "\n".join(
            f"{m['due_on']} {m['title']} "
            + (f"(reported {m['reported_on']})" if m["reported_on"] else "(not reported)")
            for m in value
        )
    if column == "local_times":
        return f"{value['start_time']}-{value['end_time']} {value['time_zone']}"
    if column == "agenda":
        return "\n".join(
            f"{i['number']}. {i['title']}"
            + (
                f" [decisions {'; '.join(map(str, i['decision_ids']))}]"
                if i["decision_ids"]
                else ""
            )
            for i in value
        )
    if column == "documents":
        return "\n".join(
            f"{d['kind']}{' (' + d['language'] + ')' if d['language'] else ''}: {d['url']}"
            for d in value
        )
    if column in ("names", "acronyms", "former_names"):  # JSON in one cell, as written
        return json.dumps(value, ensure_ascii=False)
    if column.endswith("_at"):
        return datetime.fromisoformat(value).isoformat()
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text  # what a spreadsheet runs


def as_rows(items: list[Json]) -> list[dict[str, str]]:
    return [{column: cell(column, v) for column, v in item.items()} for item in items]


def today() -> str:
    return clock.today().isoformat()


# -- entities ---------------------------------------------------------------------------------


def test_entities_csv_has_every_entity_as_the_json_has_it(client: TestClient) -> None:
    r = client.get("/v1/entities", headers=CSV)
    rows = read_csv(r, f"icat-entities-{today()}.csv")
    assert header(r) == ENTITY_COLUMNS
    items = all_items(client, "/v1/entities")
    assert len(items) > 20
    assert rows == as_rows(items)
    # Every row, whatever the page asked: `limit` and `cursor` are the JSON's.
    page = body_of(client.get("/v1/entities", params={"limit": 2}), 200)
    assert len(page["items"]) == 2 and page["next_cursor"]
    for params in ({"limit": 2}, {"limit": 2, "cursor": page["next_cursor"]}):
        answer = client.get("/v1/entities", params=params, headers=CSV)
        assert read_csv(answer, f"icat-entities-{today()}.csv") == rows


def test_entities_csv_applies_the_filters_and_ignores_the_page(client: TestClient) -> None:
    filters = {"status": "member", "on": "2019-06-30", "limit": "2"}
    r = client.get("/v1/entities", params=filters, headers=CSV)
    rows = read_csv(r, "icat-entities-2019-06-30.csv")  # the day the statuses are for
    members = all_items(client, "/v1/entities", status="member", on="2019-06-30")
    assert rows == as_rows(members)
    assert len(rows) > 2 and {row["status"] for row in rows} == {"member"}
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"kind": "un_entity"}, {"unodc", "ilo", "unhcr"}),
        ({"q": "women"}, {"un-women"}),
        ({"working_group": "true", "on": "2015-08-01"}, {"ilo", "iom", "ohchr", "unhcr"}),
    ]
    for params, ids in cases:
        listed = read_csv(
            client.get("/v1/entities", params=params, headers=CSV),
            f"icat-entities-{params.get('on', today())}.csv",
        )
        expected = {e["id"] for e in all_items(client, "/v1/entities", **params)}
        assert {row["id"] for row in listed} == expected
        assert ids <= expected


def test_a_name_a_spreadsheet_would_run_is_neutralised(client: TestClient, sec: Headers) -> None:
    name = '=HYPERLINK("http://evil")'
    body = {
        "id": "evil-org",
        "name": name,
        "kind": "intergovernmental",
        "scope": "regional",
        "mandate_covers_tip": True,
    }
    body_of(client.post("/v1/entities", headers=sec, json=body), 201)
    assert body_of(client.get("/v1/entities/evil-org"), 200)["name"] == name  # JSON as stored
    rows = read_csv(
        client.get("/v1/entities", params={"q": "evil"}, headers=CSV),
        f"icat-entities-{today()}.csv",
    )
    assert [(row["id"], row["name"]) for row in rows] == [("evil-org", "'" + name)]


# -- negotiation and conditional requests -------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/json;q=0.5, text/csv", "text/csv"),
        ("text/*", "text/csv"),
        ("text/csv", "text/csv"),
        ("text/csv;q=0.2, application/json", "application/json"),
        ("*/*", "application/json"),
        (None, "application/json"),
    ],
)
@pytest.mark.parametrize("path", ["/v1/entities", "/v1/meetings", "/v1/decisions", "/v1/funding"])
def test_lists_weigh_q_values(
    client: TestClient, keys: Keys, path: str, accept: str | None, media: str
) -> None:
    headers = Keys.header(keys.member)
    if accept is not None:
        headers["Accept"] = accept
    r = client.get(path, headers=headers)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].split(";")[0] == media
    assert "Accept" in [v.strip() for v in r.headers["vary"].split(",")]
    if media == "text/csv":
        assert r.content.startswith(BOM)
    else:
        assert "items" in r.json()


@pytest.mark.parametrize("path", ["/v1/entities", "/v1/meetings", "/v1/decisions"])
def test_an_accept_of_neither_is_406(client: TestClient, path: str) -> None:
    r = client.get(path, headers={"Accept": "application/xml, text/csv;q=0"})
    assert r.status_code == 406
    assert r.headers["content-type"].startswith(PROBLEM)
    assert "text/csv" in r.json()["detail"]


def test_csv_has_its_own_etag_and_answers_304(client: TestClient) -> None:
    as_csv = client.get("/v1/meetings", headers=CSV)
    as_json = client.get("/v1/meetings")
    etag = as_csv.headers["etag"]
    assert etag != as_json.headers["etag"]
    r = client.get("/v1/meetings", headers={**CSV, "If-None-Match": etag})
    assert r.status_code == 304 and r.content == b""
    assert client.get("/v1/meetings", headers={"If-None-Match": etag}).status_code == 200


# -- meetings and decisions ---------------------------------------------------------------------


def test_meetings_csv_is_the_json_items_filtered(client: TestClient, sec: Headers) -> None:
    held = {
        "kind": "briefing",
        "title": "Briefing with times, agenda and documents",
        "starts_on": "2016-02-03",
        "local_times": {
            "time_zone": "America/New_York",
            "start_time": "09:30",
            "end_time": "11:00",
        },
        "agenda": [
            {"number": "1", "title": "Opening"},
            {"number": "2", "title": "=SUM(A1) is not a formula here"},
        ],
        "documents": [
            {
                "kind": "minutes",
                "title": "Minutes",
                "url": "https://icat.example/m.pdf",
                "language": "fr",
            },
            {"kind": "presentation", "title": "Slides", "url": "https://icat.example/s.pptx"},
        ],
    }
    made = body_of(client.post("/v1/meetings", headers=sec, json=held), 201)
    r = client.get("/v1/meetings", headers=CSV)
    assert header(r) == [
        "id",
        "kind",
        "title",
        "starts_on",
        "ends_on",
        "location",
        "mode",
        "note",
        "status",
        "status_reason",
        "postponed_from",
        "local_times",
        "agenda",
        "documents",
        "created_at",
        "updated_at",
    ]
    filename = f"icat-meetings-{today()}.csv"
    assert read_csv(r, filename) == as_rows(all_items(client, "/v1/meetings"))
    row = next(row for row in read_csv(r, filename) if row["id"] == str(made["id"]))
    assert row["local_times"] == "09:30-11:00 America/New_York"
    assert row["agenda"] == "1. Opening\n2. =SUM(A1) is not a formula here"
    assert row["documents"] == (
        "minutes (fr): https://icat.example/m.pdf\npresentation: https://icat.example/s.pptx"
    )
    assert row["status"] == "held"
    params = {"year": "2015", "kind": "working_group", "limit": "1"}
    rows = read_csv(client.get("/v1/meetings", params=params, headers=CSV), filename)
    assert len(rows) == 3 and {row["kind"] for row in rows} == {"working_group"}
    assert rows == as_rows(all_items(client, "/v1/meetings", year=2015, kind="working_group"))
    empty = client.get("/v1/meetings", params={"year": "2030"}, headers=CSV)
    assert read_csv(empty, filename) == [] and header(empty)[0] == "id"


def test_decisions_csv_flattens_lists_into_cells(client: TestClient, sec: Headers) -> None:
    objection = {"entity_id": "ilo", "reason": "Later; not now.", "withdrawn": True}
    electronic = decide_electronically(client, sec, "2015-10-01", objections=[objection])
    assert electronic["outcome"] == "adopted" and len(electronic["consulted_entity_ids"]) > 1
    r = client.get("/v1/decisions", headers=CSV)
    rows = read_csv(r, f"icat-decisions-{today()}.csv")
    assert header(r) == list(electronic)
    assert rows == as_rows(all_items(client, "/v1/decisions"))
    row = next(row for row in rows if row["id"] == str(electronic["id"]))
    assert row["consulted_entity_ids"] == "; ".join(electronic["consulted_entity_ids"])
    assert row["objections"] == "ilo (withdrawn): Later; not now."
    assert (row["procedure"], row["meeting_id"], row["deadline_on"]) == (
        "electronic",
        "",
        "2015-10-01",
    )
    admission = rows[0]
    assert admission["kind"] == "admission" and "\n" in admission["effects"]
    params: dict[str, Any] = {"kind": "general", "year": 2015, "outcome": "adopted", "limit": 1}
    general = read_csv(
        client.get("/v1/decisions", params=params, headers=CSV), f"icat-decisions-{today()}.csv"
    )
    assert str(electronic["id"]) in {row["id"] for row in general}
    del params["limit"]
    assert general == as_rows(all_items(client, "/v1/decisions", **params))
    assert {(row["kind"], row["decided_on"][:4]) for row in general} == {("general", "2015")}


# -- funding: members', partners' and the secretariat's ------------------------------------------


@pytest.fixture
def funds(db: Session) -> list[int]:
    """Two funds of 2023 with milestones, one reported on (written as the service would)."""
    first = Funding(
        donor="Norway",
        recipient_entity_id="iom",
        amount=Decimal("1200.50"),
        currency="USD",
        received_on=date(2023, 4, 1),
    )
    second = Funding(
        donor="=1+2", recipient_entity_id="ilo", received_on=date(2023, 9, 1), note="In kind."
    )
    db.add_all([first, second])
    db.flush()
    interim = Milestone(funding_id=first.id, title="Interim report", due_on=date(2023, 6, 30))
    final = Milestone(funding_id=first.id, title="Final report", due_on=date(2023, 12, 31))
    db.add_all([interim, final])
    db.flush()
    db.add(MilestoneReport(milestone_id=interim.id, reported_on=date(2023, 6, 20), narrative="."))
    db.commit()
    return [first.id, second.id]


def test_funding_csv_is_for_keys_that_read_funding(
    client: TestClient, keys: Keys, funds: list[int]
) -> None:
    assert client.get("/v1/funding", headers=CSV).status_code == 401
    member = {**Keys.header(keys.member), **CSV}
    filename = f"icat-funding-{today()}.csv"
    r = client.get("/v1/funding", headers=member)
    rows = read_csv(r, filename)
    items = all_items(client, "/v1/funding", headers=Keys.header(keys.member))
    assert rows == as_rows(items)
    assert header(r) == [
        "id",
        "donor",
        "recipient_entity_id",
        "amount",
        "currency",
        "received_on",
        "approval_decision_id",
        "activity_id",
        "note",
        "milestones",
        "created_at",
    ]
    of_2023 = read_csv(client.get("/v1/funding", params={"year": 2023}, headers=member), filename)
    assert [row["id"] for row in of_2023] == [str(i) for i in funds]
    norway, other = of_2023
    assert (norway["amount"], norway["currency"]) == ("1200.50", "USD")
    assert norway["milestones"] == (
        "2023-06-30 Interim report (reported 2023-06-20)\n2023-12-31 Final report (not reported)"
    )
    assert (other["donor"], other["amount"], other["milestones"]) == ("'=1+2", "", "")
