"""GET /v1/member-list: the website's one call."""

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from icat_api.data_version import Cached, VersionedCache, stored_version
from tests.conftest import Keys

LISTED_FIELDS = {"id", "name", "acronym", "website"}


def ids(items: list[dict[str, str]]) -> set[str]:
    return {e["id"] for e in items}


def test_today_lists_the_fact_sheet_members_partners_and_working_group(client: TestClient) -> None:
    body = client.get("/v1/member-list").json()
    assert body["coordinator"]["id"] == "unodc"
    assert len(body["members"]) == 23
    assert ids(body["partners"]) == {"council-of-europe", "sr-tip"}
    assert ids(body["working_group"]) == {
        "icmpd",
        "ilo",
        "iom",
        "ohchr",
        "osce",
        "unhcr",
        "unicef",
        "unodc",
        "un-women",
    }
    assert ids(body["working_group"]) <= ids(body["members"])
    assert not ids(body["members"]) & ids(body["partners"])


def test_every_listed_entity_has_exactly_the_public_fields(client: TestClient) -> None:
    body = client.get("/v1/member-list").json()
    assert set(body) == {"as_of", "coordinator", "chairs", "members", "working_group", "partners"}
    for group in ("chairs", "members", "working_group", "partners"):
        for entity in body[group]:
            assert set(entity) == LISTED_FIELDS
    assert set(body["coordinator"]) == LISTED_FIELDS


def test_on_2019_shows_the_co_chairs(client: TestClient) -> None:
    body = client.get("/v1/member-list", params={"on": "2019-06-30"}).json()
    assert body["as_of"] == "2019-06-30"
    assert [c["id"] for c in body["chairs"]] == ["un-women", "osce"]


def test_on_2015_shows_the_group_as_it_stood(client: TestClient) -> None:
    body = client.get("/v1/member-list", params={"on": "2015-08-01"}).json()
    assert ids(body["members"]) == {"ilo", "iom", "ohchr", "unhcr", "unicef", "unodc"}
    assert ids(body["partners"]) == {"osce"}
    assert [c["id"] for c in body["chairs"]] == ["unhcr"]


def test_the_day_before_osce_became_a_member_it_was_a_partner(client: TestClient) -> None:
    before = client.get("/v1/member-list", params={"on": "2016-12-31"}).json()
    after = client.get("/v1/member-list", params={"on": "2017-01-01"}).json()
    assert "osce" in ids(before["partners"]) and "osce" not in ids(before["members"])
    assert "osce" in ids(after["members"]) and "osce" not in ids(after["partners"])


def test_before_icat_existed_the_list_is_empty_but_the_coordinator(client: TestClient) -> None:
    body = client.get("/v1/member-list", params={"on": "2000-01-01"}).json()
    assert body["members"] == [] and body["partners"] == [] and body["chairs"] == []
    assert body["coordinator"]["id"] == "unodc"


def test_csv_has_one_row_per_entity_and_group(client: TestClient) -> None:
    r = client.get("/v1/member-list", headers={"Accept": "text/csv"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    # UTF-8 with a byte-order mark (DESIGN §4): decoded as utf-8-sig, the mark goes.
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert set(rows[0]) == {"group", "id", "name", "acronym", "website"}
    groups: dict[str, int] = {}
    for row in rows:
        groups[row["group"]] = groups.get(row["group"], 0) + 1
    assert groups == {"coordinator": 1, "member": 23, "working_group": 9, "partner": 2}


def test_etag_and_if_none_match_answer_304(client: TestClient) -> None:
    first = client.get("/v1/member-list")
    etag = first.headers["etag"]
    again = client.get("/v1/member-list", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    stale = client.get("/v1/member-list", headers={"If-None-Match": '"nope"'})
    assert stale.status_code == 200


def test_csv_and_json_have_different_etags(client: TestClient) -> None:
    as_json = client.get("/v1/member-list").headers["etag"]
    as_csv = client.get("/v1/member-list", headers={"Accept": "text/csv"}).headers["etag"]
    assert as_json != as_csv


def test_a_change_moves_the_etag(client: TestClient, sec: dict[str, str]) -> None:
    before = client.get("/v1/member-list").headers["etag"]
    history = client.get("/v1/entities/undp/memberships").json()["items"]
    r = client.post(
        f"/v1/entities/undp/memberships/{history[0]['id']}/end",
        headers=sec,
        json={"ends_on": "2020-01-01"},
    )
    assert r.status_code == 200, r.text
    after = client.get("/v1/member-list")
    assert after.headers["etag"] != before
    assert "undp" not in ids(after.json()["members"])


def test_no_personal_data_even_with_a_key(client: TestClient, keys: Keys) -> None:
    r = client.get("/v1/member-list", headers=Keys.header(keys.coordinator))
    text = r.text.lower()
    assert "@" not in text and "email" not in text and "phone" not in text


def test_a_bad_day_is_a_problem(client: TestClient) -> None:
    r = client.get("/v1/member-list", params={"on": "2019-13-01"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")


def test_a_repeated_read_is_served_from_memory(client: TestClient, engine: Engine) -> None:
    first = client.get("/v1/member-list", params={"on": "2019-06-30"})
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        again = client.get("/v1/member-list", params={"on": "2019-06-30"})
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert statements == []


def test_every_write_moves_the_stored_data_version(
    client: TestClient, sec: dict[str, str], db: Session
) -> None:
    before = stored_version(db)
    r = client.patch("/v1/entities/undp", headers=sec, json={"acronym": "UNDP*"})
    assert r.status_code == 200, r.text
    assert stored_version(db) == before + 1
    client.get("/v1/entities/undp")  # a read moves nothing
    assert stored_version(db) == before + 1


def test_the_cache_serves_an_entry_only_under_its_own_token_and_keeps_the_latest() -> None:
    cache = VersionedCache(lambda: 7, check_seconds=60, size=2)
    assert cache.stale_check_due()
    cache.refresh()
    assert not cache.stale_check_due()
    token = cache.token()
    assert token[1] == 7
    cache.put("a", token, Cached(b"a", '"a"'))
    cache.put("b", token, Cached(b"b", '"b"'))
    assert cache.get("a", token) == Cached(b"a", '"a"')  # now the most recent
    cache.put("c", token, Cached(b"c", '"c"'))
    assert cache.get("b", token) is None  # the least recently used went
    assert cache.get("a", token) is not None and cache.get("c", token) is not None
    assert cache.get("a", (token[0] + 1, token[1])) is None
    assert cache.get("a", (token[0], 8)) is None


REQUESTS: list[tuple[dict[str, str], dict[str, str]]] = [
    ({}, {}),
    ({"on": "2019-06-30"}, {}),
    ({"on": "2019-06-30"}, {"Accept": "text/csv"}),
    ({"on": "2015-08-01", "ignored": "x"}, {"Accept": "application/json, text/csv"}),
    ({"on": "2019-06-30"}, {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}),
]


def test_the_response_cache_answers_exactly_what_the_route_answers(client: TestClient) -> None:
    """The first request is a miss (the route answers and fills the cache); the second is a hit
    answered before routing. Status, headers but the request id, and bytes are the same, for
    200 and for 304."""
    for params, headers in REQUESTS:
        miss = client.get("/v1/member-list", params=params, headers=headers)
        hit = client.get("/v1/member-list", params=params, headers=headers)
        etag = miss.headers["etag"]
        miss_304 = client.get(
            "/v1/member-list", params=params, headers={**headers, "If-None-Match": etag}
        )
        client.app.state.read_cache.clear()  # type: ignore[attr-defined]
        route_304 = client.get(
            "/v1/member-list", params=params, headers={**headers, "If-None-Match": etag}
        )
        for route, fast in ((miss, hit), (route_304, miss_304)):
            assert fast.status_code == route.status_code
            assert fast.content == route.content
            same = {k: v for k, v in route.headers.items() if k != "x-request-id"}
            assert {k: v for k, v in fast.headers.items() if k != "x-request-id"} == same
        assert miss.status_code == 200 and miss_304.status_code == 304


def test_the_response_cache_leaves_what_it_cannot_read_to_the_route(client: TestClient) -> None:
    client.get("/v1/member-list")  # fills the cache for today
    for query in ("on=2019-13-01", "on=", "on=0", "on=%ZZ", "on=1900-01-01"):
        r = client.get(f"/v1/member-list?{query}")
        assert r.status_code == 422, (query, r.status_code)
        assert r.headers["content-type"].startswith("application/problem+json")
    # A repeated `on` is the route's to read (it takes one), never the response cache's.
    twice = client.get("/v1/member-list?on=2019-06-30&on=2015-08-01")
    assert twice.status_code == 200 and twice.json()["as_of"] in ("2019-06-30", "2015-08-01")


def test_the_cache_keeps_no_more_bytes_than_its_budget() -> None:
    cache = VersionedCache(lambda: 0, check_seconds=60, size=100, max_bytes=10)
    token = cache.token()
    cache.put("a", token, Cached(b"x" * 6, '"a"'))
    cache.put("b", token, Cached(b"y" * 6, '"b"'))  # 12 bytes: "a" goes
    assert cache.get("a", token) is None and cache.get("b", token) is not None
    cache.put("big", token, Cached(b"z" * 11, '"z"'))  # over the whole budget: not kept
    assert cache.get("big", token) is None and cache.get("b", token) is not None
    cache.put("b", token, Cached(b"w" * 4, '"w"'))  # replaced, counted once
    cache.put("c", token, Cached(b"v" * 6, '"c"'))
    assert cache.get("b", token) is not None and cache.get("c", token) is not None


def test_one_request_claims_the_stored_version_check_the_others_answer_from_memory() -> None:
    reads: list[int] = []

    def read() -> int:
        reads.append(1)
        return 3

    cache = VersionedCache(read, check_seconds=60)
    assert cache.claim_check()
    assert not cache.claim_check()  # while the first reads it, nobody else does
    assert not cache.stale_check_due()
    cache.refresh()
    assert reads == [1] and cache.token()[1] == 3
