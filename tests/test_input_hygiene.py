"""Input hygiene (issue 12): a JSON object naming a key twice is 400; control characters and
bidirectional overrides are refused in names, titles and short text; nothing is stored."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import Headers, all_items

ENTITY: dict[str, Any] = {
    "id": "hygiene-org",
    "name": "Organization of Hygiene",
    "kind": "intergovernmental",
    "scope": "regional",
    "mandate_covers_tip": True,
}


def entities(client: TestClient) -> list[Any]:
    return [e["id"] for e in all_items(client, "/v1/entities")]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"id": "hygiene-org", "id": "other-org", "name": "X", "kind": "intergovernmental",'
        b' "scope": "regional", "mandate_covers_tip": true}',
        b'{"id": "hygiene-org", "name": "X", "kind": "intergovernmental", "scope": "regional",'
        b' "mandate_covers_tip": true, "mandate_covers_tip": false}',
    ],
    ids=["top-level", "last-would-win"],
)
def test_a_key_named_twice_is_a_400_and_nothing_stored(
    client: TestClient, sec: Headers, raw: bytes
) -> None:
    before = entities(client)
    r = client.post(
        "/v1/entities", headers={**sec, "Content-Type": "application/json"}, content=raw
    )
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "twice" in r.json()["detail"]
    assert entities(client) == before


def test_a_key_named_twice_in_a_nested_object_is_a_400(client: TestClient, sec: Headers) -> None:
    raw = (
        b'{"items": [{"external_id": "a", "name": "A", "name": "B", "email": "a@ilo.org",'
        b' "is_primary": true}]}'
    )
    r = client.put(
        "/v1/entities/ilo/focal-points",
        headers={**sec, "Content-Type": "application/json"},
        content=raw,
    )
    assert r.status_code == 400, r.text


def test_the_same_key_in_two_objects_is_fine(client: TestClient, sec: Headers) -> None:
    r = client.post("/v1/entities", headers=sec, json=ENTITY)
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    "char",
    ["\u202e", "\u202a", "\u202d", "\u2066", "\u2067", "\u2069", "\x01", "\x1b", "\r", "\x0b"],
    ids=["RLO", "LRE", "LRO", "LRI", "RLI", "PDI", "SOH", "ESC", "CR", "VT"],
)
@pytest.mark.parametrize("field", ["name", "acronym", "mandate_reference"])
def test_control_and_bidi_override_characters_are_refused(
    client: TestClient, sec: Headers, char: str, field: str
) -> None:
    before = entities(client)
    r = client.post("/v1/entities", headers=sec, json={**ENTITY, field: f"ICAT{char}gpj.exe"})
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["errors"][0]["loc"] == ["body", field]
    assert f"U+{ord(char):04X}" in problem["errors"][0]["msg"]
    assert entities(client) == before


def test_a_meeting_title_with_an_override_is_refused(client: TestClient, sec: Headers) -> None:
    body = {"kind": "briefing", "title": "Briefing \u202eevil", "starts_on": "2024-02-01"}
    r = client.post("/v1/meetings", headers=sec, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"] == ["body", "title"]


@pytest.mark.parametrize(
    "name",
    [
        "Organisation arabe \u0645\u0646\u0638\u0645\u0629",
        "Tab\there",
        "Line\nbreak",
        "\u7ec4\u7ec7",
    ],
)
def test_tab_newline_and_right_to_left_scripts_are_accepted(
    client: TestClient, sec: Headers, name: str
) -> None:
    r = client.post("/v1/entities", headers=sec, json={**ENTITY, "name": name})
    assert r.status_code == 201, r.text
    assert r.json()["name"] == name


@pytest.mark.parametrize(
    "path",
    [
        "/v1/entities?updated_since={at}",
        "/v1/focal-points?updated_since={at}",
        "/v1/audit-events?since={at}",
        "/v1/audit-events?until={at}",
    ],
)
@pytest.mark.parametrize(
    "at", ["0001-01-01T00:00:00%2B00:01", "9999-12-31T23:59:59-01:00", "2026-01-01T00:00:00"]
)
def test_a_timestamp_with_no_utc_time_is_a_422(
    client: TestClient, sec: Headers, path: str, at: str
) -> None:
    """Aware but out of range once in UTC (as the database keeps it), or naive: never a 500."""
    r = client.get(path.format(at=at), headers=sec)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
