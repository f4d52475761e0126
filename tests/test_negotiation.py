"""Accept with q-values (RFC 9110, 12.5.1): the table of what each header gets."""

import pytest
from fastapi.testclient import TestClient

from icat_api.negotiation import parse_accept, preferred
from tests.conftest import Keys
from tests.helpers import PROBLEM

JSON, CSV, HTML = "application/json", "text/csv", "text/html"
LIST = (JSON, CSV)  # a list: JSON by default, CSV on request
MEMBERS = (JSON, CSV, HTML)


@pytest.mark.parametrize(
    ("accept", "offered", "chosen"),
    [
        (None, LIST, JSON),  # no header: the default
        ("", LIST, JSON),
        ("*/*", LIST, JSON),
        ("application/json", LIST, JSON),
        ("text/csv", LIST, CSV),
        ("TEXT/CSV", LIST, CSV),  # media types are case-insensitive
        ("text/csv; charset=utf-8", LIST, CSV),
        ("application/json;q=0.5, text/csv", LIST, CSV),  # the first case
        ("text/*", LIST, CSV),  # the second case
        ("text/*;q=0.3, application/json;q=0.2", LIST, CSV),
        ("text/*, application/*", LIST, JSON),  # equal weights: the route's order
        ("text/csv;q=0.9, */*;q=0.1", LIST, CSV),
        ("*/*;q=0.1, text/csv;q=0", LIST, JSON),  # csv refused outright
        ("text/*;q=0.9, text/csv;q=0", LIST, None),  # the specific range wins over text/*
        ("application/json;q=0, text/csv;q=0", LIST, None),
        ("application/xml", LIST, None),
        ("image/png, text/plain", LIST, None),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", MEMBERS, HTML),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", LIST, JSON),
        ("text/html;q=0.1, application/json", MEMBERS, JSON),
        ("text/csv;q=0.5, text/html;q=0.5", MEMBERS, CSV),  # a tie: the route's order
        # Unreadable parts are skipped; nothing readable at all is no header.
        ("nonsense", LIST, JSON),
        ("text/csv;q=abc, application/json", LIST, JSON),
        ("text/csv;q=2, text/html", MEMBERS, HTML),  # q above 1 is not a weight
        (";;;,,,", LIST, JSON),
        ("*/csv", LIST, JSON),  # not a range
    ],
)
def test_the_preferred_representation(
    accept: str | None, offered: tuple[str, ...], chosen: str | None
) -> None:
    assert preferred(accept, offered) == chosen


def test_a_huge_header_is_read_in_bounded_time() -> None:
    assert len(parse_accept(", ".join(["text/csv;q=0.1"] * 10_000))) == 64


# -- through the API ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/json;q=0.5, text/csv", "text/csv"),
        ("text/*", "text/csv"),
        ("text/csv;q=0.2, application/json", "application/json"),
        ("*/*", "application/json"),
        ("text/html;q=0.9, application/json;q=0.8", "text/html"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ],
)
def test_the_member_list_weighs_q_values(client: TestClient, accept: str, media: str) -> None:
    r = client.get("/v1/member-list", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media)
    assert "Accept" in r.headers["vary"]


@pytest.mark.parametrize(
    "path",
    ["/v1/member-list", "/v1/entities", "/v1/entities/ilo", "/v1/chair-terms/2015/report"],
)
def test_nothing_acceptable_is_406_problem_json(client: TestClient, path: str) -> None:
    for _ in range(2):  # the second from the member list's cache: the same answer
        r = client.get(path, headers={"Accept": "application/xml"})
        assert r.status_code == 406, (path, r.text)
        assert r.headers["content-type"].startswith(PROBLEM)
        assert "application/json" in r.json()["detail"]


def test_records_negotiate_the_zip(client: TestClient, keys: Keys) -> None:
    sec = Keys.header(keys.coordinator)
    r = client.get(
        "/v1/records/2015", headers={**sec, "Accept": "application/zip;q=0.9, */*;q=0.1"}
    )
    assert r.headers["content-type"] == "application/zip"
    r = client.get("/v1/records/2015", headers={**sec, "Accept": "text/plain"})
    assert r.status_code == 406
