"""The response cache (issue 17): every anonymous public read answered from memory.

A registry with the seed and a year of history (test_dump's 2023) is read through two apps on
the same database: one with the response cache, one without (every read runs its route). Every
public GET of the OpenAPI document — each path with some of its ids and one that does not
exist, each query parameter alone, each media type of its 200 answer, with and without
`Accept-Language` — answers the same status, headers and bytes from both, the first time (a
miss) and the second (a hit), with `If-None-Match` too, and again after a write. Keyed reads
are never looked up nor kept: the public view never shows what a key sees.
"""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from icat_api import clock
from icat_api.app import create_app
from icat_api.data_version import VersionedCache
from icat_api.db import make_engine
from icat_api.keys.service import create_key
from icat_api.response_cache import media_types, query_key
from icat_api.settings import Settings
from tests.dbutil import seeded
from tests.helpers import Headers, Json, body_of
from tests.test_dump import (
    Get,
    bearer,
    middle_of_the_trail,
    path_values,
    play_2023,
    query_variants,
)

LANGUAGES = (None, "fr")
PUBLIC_SECURITY: tuple[Any, ...] = (
    [],
    [{}, {"bearer": []}],
)  # public, or public with more for a key
Answer = tuple[int, dict[str, str], bytes]


@dataclass(frozen=True)
class Registry:
    url: str
    secretariat: Headers
    coordinator: Headers


@contextmanager
def apps(url: str, **settings: Any) -> Iterator[tuple[TestClient, TestClient]]:
    """Two clients of the same database: through the response cache, and straight to the
    routes."""
    made = [
        create_app(
            Settings(
                database_url=url,
                rate_limit_enabled=False,
                log_json=True,
                response_cache_enabled=enabled,
                **settings,
            )
        )
        for enabled in (True, False)
    ]
    try:
        with (
            TestClient(made[0], raise_server_exceptions=False) as cached,
            TestClient(made[1], raise_server_exceptions=False) as routes,
        ):
            yield cached, routes
    finally:
        for application in made:
            application.state.engine.dispose()


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    url = seeded(f"sqlite:///{tmp_path_factory.mktemp('cache') / 'registry.db'}")
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        made = {
            name: create_key(session=session, entity_id=entity, secretariat=entity is None)[1]
            for name, entity in [("secretariat", None), ("coordinator", "unodc"), ("iom", "iom")]
        }
    engine.dispose()
    registry = Registry(url, bearer(made["secretariat"]), bearer(made["coordinator"]))
    with apps(url) as (cached, _):
        play_2023(cached, registry.coordinator, bearer(made["iom"]))
    return registry


def read_cache(client: TestClient) -> VersionedCache:
    cache: VersionedCache = client.app.state.read_cache  # type: ignore[attr-defined]
    return cache


def public_gets(document: Json, url: str) -> list[Get]:
    """Every public GET under /v1/: some ids of each path (the first two, the last, one that
    does not exist), the default query and each parameter alone, each media type of its 200."""
    values, moment = path_values(url), middle_of_the_trail(url)
    gets = []
    for template, item in document["paths"].items():
        operation = item.get("get")
        if not template.startswith("/v1/") or operation is None:
            continue
        if operation["security"] not in PUBLIC_SECURITY:
            continue
        names = frozenset(p["name"] for p in operation.get("parameters", []) if p["in"] == "path")
        filled = values[names]
        some = filled if len(filled) <= 4 else [*filled[:2], *filled[-2:]]
        accepts = list(operation["responses"]["200"]["content"])
        for path_values_ in some:
            path = template.format(**path_values_)
            for params in query_variants(operation, document, moment):
                gets += [Get(path, tuple(params.items()), a) for a in accepts]
    return gets


def ask(client: TestClient, get: Get, language: str | None, **headers: str) -> Answer:
    sent = {"Accept": get.accept, "X-Request-ID": "compare", **headers}
    if language is not None:
        sent["Accept-Language"] = language
    r = client.get(get.path, params=dict(get.params), headers=sent)
    answered = {k: v for k, v in r.headers.items() if k != "x-request-id"}
    return r.status_code, answered, r.content


def compare_every_public_get(cached: TestClient, routes: TestClient, url: str) -> Counter[int]:
    """Each public GET asked of both apps — the route's answer, then the cache's miss and hit,
    with and without the answer's ETag in If-None-Match (every other GET asks the cache with it
    first: a conditional miss), or another ETag — all the same. Answers the statuses seen."""
    document = routes.app.openapi()  # type: ignore[attr-defined]
    statuses: Counter[int] = Counter()
    lookups: list[bool] = []
    read_cache(cached).on_lookup = lookups.append
    for number, get in enumerate(public_gets(document, url)):
        for language in LANGUAGES:
            expected = ask(routes, get, language)
            statuses[expected[0]] += 1
            etag = expected[1].get("etag")
            known = {"If-None-Match": etag} if etag else {}
            conditional = ask(routes, get, language, **known)
            if etag:
                assert conditional[0] == (304 if expected[0] == 200 else expected[0]), get
            seen = len(lookups)
            if number % 2:
                assert ask(cached, get, language, **known) == conditional, (get, language)
                assert ask(cached, get, language) == expected, (get, language)
            else:
                assert ask(cached, get, language) == expected, (get, language)
                assert ask(cached, get, language, **known) == conditional, (get, language)
            assert lookups[seen:] == [False, expected[0] == 200], (get, language)
            other = {"If-None-Match": '"another", W/"one"'}
            assert ask(cached, get, language, **other) == ask(routes, get, language, **other)
    return statuses


def test_every_public_get_answers_from_the_cache_as_its_route_does_before_and_after_writes(
    registry: Registry,
) -> None:
    with apps(registry.url) as (cached, routes):
        statuses = compare_every_public_get(cached, routes, registry.url)
        assert statuses[200] > 300 and statuses[404] > 0, statuses

        # Writes through the cached app: a renaming (names in every answer), a new meeting
        # (lists, the calendar, the feed), a membership ended (statuses, the member list).
        sec = registry.coordinator
        ilo = Get("/v1/entities/ilo", (), "application/json")
        before = ask(cached, ilo, "fr")
        r = cached.patch(
            "/v1/entities/ilo",
            headers=sec,
            json={
                "names": {
                    "en": "International Labour Organization",
                    "fr": "Organisation internationale du Travail",
                }
            },
        )
        assert r.status_code == 200, r.text
        meeting = {"kind": "consultation", "title": "Cache check", "starts_on": "2024-03-05"}
        made = body_of(cached.post("/v1/meetings", headers=sec, json=meeting), 201)
        assert ask(cached, ilo, "fr")[2] != before[2]  # the write shows at once
        assert b"Cache check" in cached.get(f"/v1/meetings/{made['id']}").content
        after = compare_every_public_get(cached, routes, registry.url)
        assert after[200] >= statuses[200]


def test_a_keyed_read_is_never_looked_up_nor_kept(registry: Registry) -> None:
    with apps(registry.url) as (cached, routes):
        lookups: list[bool] = []
        read_cache(cached).on_lookup = lookups.append
        meetings = body_of(routes.get("/v1/meetings", params={"limit": 200}), 200)["items"]
        attended = [m["id"] for m in meetings if m["status"] == "held"]
        path = f"/v1/meetings/{attended[0]}/attendance"
        keyed = cached.get(path, headers=registry.secretariat)
        public = routes.get(path)
        assert keyed.status_code == public.status_code == 200
        assert keyed.content != public.content  # a key sees the representatives' names
        assert cached.get(path).content == public.content  # not the keyed answer
        again = cached.get(path, headers=registry.secretariat)
        assert again.content == keyed.content  # nor the public one for a key
        assert lookups == [False]  # the anonymous read only: a keyed one is never looked up


def test_the_query_is_keyed_as_the_routes_read_it(registry: Registry) -> None:
    assert query_key(b"b=2&a=1&a=0") == (("a", "1"), ("a", "0"), ("b", "2"))
    assert query_key(b"a=%41+b") == query_key(b"a=A%20b") == (("a", "A b"),)
    assert query_key(b"") == ()
    with apps(registry.url) as (cached, routes):
        lookups: list[bool] = []
        read_cache(cached).on_lookup = lookups.append
        first = cached.get("/v1/entities?status=member&limit=5")
        second = cached.get("/v1/entities?limit=5&status=member")
        third = cached.get("/v1/entities?limit=5&status=partner")
        assert lookups == [False, True, False]
        assert (
            first.content
            == second.content
            == routes.get("/v1/entities?limit=5&status=member").content
        )
        assert third.content == routes.get("/v1/entities?status=partner&limit=5").content
        assert third.content != first.content


def test_each_day_has_its_own_answers(registry: Registry) -> None:
    with apps(registry.url) as (cached, routes):
        answers = []
        for day in (date(2015, 6, 1), date(2024, 6, 1)):
            with clock.fixed(day):
                mine, theirs = (
                    cached.get("/v1/entities?status=member"),
                    routes.get("/v1/entities?status=member"),
                )
                assert mine.content == theirs.content
                answers.append(mine.content)
        assert answers[0] != answers[1]


def test_the_cache_is_bounded_in_entries_and_bytes(registry: Registry) -> None:
    with apps(registry.url, response_cache_entries=3) as (cached, _):
        for limit in range(1, 11):
            assert cached.get(f"/v1/entities?limit={limit}").status_code == 200
        assert len(read_cache(cached)) == 3
    with apps(registry.url, response_cache_bytes=4096) as (cached, _):
        for limit in range(1, 11):
            assert cached.get(f"/v1/entities?limit={limit}").status_code == 200
        assert 0 < read_cache(cached).bytes <= 4096


def test_switched_off_every_read_runs_its_route(registry: Registry) -> None:
    with apps(registry.url) as (_, routes):
        lookups: list[bool] = []
        read_cache(routes).on_lookup = lookups.append
        for _ in range(3):
            assert routes.get("/v1/entities").status_code == 200
        assert lookups == []  # no response cache in front of the routes


def test_the_media_types_keyed_are_every_one_a_read_answers(registry: Registry) -> None:
    """The routes declare every media type the OpenAPI document shows for a GET's success."""
    with apps(registry.url) as (cached, _):
        document = cached.app.openapi()  # type: ignore[attr-defined]
        documented = {
            media_type.split(";")[0]
            for item in document["paths"].values()
            for status, response in item.get("get", {}).get("responses", {}).items()
            if status.startswith("2")
            for media_type in response.get("content", {})
        }
        keyed = set(media_types(cached.app.routes))  # type: ignore[attr-defined]
        assert documented <= keyed
        assert {"application/json", "text/csv", "text/html", "text/calendar"} <= keyed


CARELESS_HEADERS: tuple[dict[str, str], ...] = (
    {},
    {"Accept": "*/*"},
    {"Accept": "text/*"},
    {"Accept": "TEXT/CSV"},
    {"Accept": "text/csv;q=0.5, application/json"},
    {"Accept": "application/json;q=0"},
    {"Accept": "application/xml"},
    {"Accept": "text/html"},
    {"Accept": "text/calendar"},
    {"Accept": "garbage;;q=x"},
    {"Accept": ""},
    {"Accept-Language": "fr-CA"},
    {"Accept-Language": "FR"},
    {"Accept-Language": "*"},
    {"Accept-Language": "fr;q=0"},
    {"Accept-Language": "*;q=0, en"},
    {"Accept-Language": "zz-garbage,,;q="},
    {"Accept-Language": "es", "Accept": "text/csv"},
    {"Authorization": ""},
    {"Cookie": "session=1"},
    {"Range": "bytes=0-10"},
    {"If-None-Match": "*"},
    {"If-None-Match": "garbage"},
    {"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"},
)
CARELESS_QUERIES = (
    "",
    "?limit=2&limit=3",
    "?limit=3&limit=2",
    "?unknown=1",
    "?limit=",
    "?limit=-1",
    "?limit=abc",
    "?limit=02",
    "?cursor=forged",
    "?cursor=",
    "?%6Cimit=2",
    "?limit=%FF",
    "?limit=2&",
    "?on=2024-13-01",
)


def test_careless_headers_and_queries_answer_as_the_route_does(registry: Registry) -> None:
    """What a careless script or a hostile caller sends, asked twice of the cache (a miss, then
    perhaps a hit), as GET and HEAD: the same as the route, every time."""
    paths = ["/v1/entities", "/v1/entities/iom", "/v1/meetings", "/v1/member-list"]
    paths += ["/v1/decisions", "/v1/calendar.ics", "/v1/entities/no-such"]
    french = {
        "en": "International Organization for Migration",
        "fr": "Organisation internationale pour les migrations",
    }

    def answer(client: TestClient, method: str, url: str, headers: dict[str, str]) -> Answer:
        r = client.request(method, url, headers={"X-Request-ID": "careless", **headers})
        return r.status_code, {k: v for k, v in r.headers.items() if k != "x-request-id"}, r.content

    asked: list[tuple[str, dict[str, str]]] = [(query, {}) for query in CARELESS_QUERIES]
    asked += [(query, headers) for query in ("", "?limit=2") for headers in CARELESS_HEADERS]
    statuses: Counter[int] = Counter()
    with apps(registry.url) as (cached, routes):
        # a name in French, so that the language asked for shows in the answers
        r = cached.patch("/v1/entities/iom", headers=registry.coordinator, json={"names": french})
        assert r.status_code == 200, r.text
        lookups: list[bool] = []
        read_cache(cached).on_lookup = lookups.append
        for path in paths:
            for query, headers in asked:
                for method in ("GET", "HEAD"):
                    expected = answer(routes, method, path + query, headers)
                    statuses[expected[0]] += 1
                    for _ in range(2):
                        got = answer(cached, method, path + query, headers)
                        assert got == expected, (method, path + query, headers)
    assert {200, 304, 404, 406, 422} <= set(statuses), statuses
    assert lookups.count(True) > 100  # answered from the cache, not only past it
