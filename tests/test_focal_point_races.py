"""Concurrency on focal points against a real server (DESIGN §7): writers racing on one contact
with the same If-Match, writers that re-read and retry until they are applied, and full-set
syncs racing on one entity. On SQLite and on PostgreSQL alike, every answer is a success or
412: writers queue, none is refused for being concurrent (no 503) and no update is lost."""

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import httpx
import pytest

from tests.raceutil import Server, assert_clean_log, assert_problem, ok, race, seeded_server

WRITERS = 20
SYNCERS = 4
ROUNDS = 4
MAX_ATTEMPTS = 3 * WRITERS  # a writer retries at most this often in the retry race
# One entity per test, each acting with its own key (an agency syncing its contacts).
SAME_ETAG, RETRYING, SYNCING = "ilo", "iom", "unhcr"
FIELDS = ("external_id", "name", "title", "email", "phone", "is_primary")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with seeded_server(
        "fp_races", tmp_path_factory.mktemp("fp_races"), (SAME_ETAG, RETRYING, SYNCING)
    ) as server:
        yield server


def url(entity: str, fp_id: int | None = None) -> str:
    base = f"/v1/entities/{entity}/focal-points"
    return base if fp_id is None else f"{base}/{fp_id}"


def contact(entity: str, ext: str, primary: bool = False, **fields: Any) -> dict[str, Any]:
    return {
        "external_id": ext,
        "name": f"Person {ext}",
        "email": f"{ext.lower()}@{entity}.org",
        "is_primary": primary,
        **fields,
    }


def one_contact(server: Server, entity: str) -> tuple[dict[str, Any], str]:
    """The entity's contacts made a primary and a second one; answers the second and its ETag."""
    with server.client(entity) as c:
        items = [contact(entity, "P1", True), contact(entity, "R1", title="Officer")]
        synced = ok(c.put(url(entity), json={"items": items}))["items"]
        target = next(fp for fp in synced if fp["external_id"] == "R1")
        r = c.get(url(entity, target["id"]))
        assert r.status_code == 200, r.text
        return r.json(), r.headers["etag"]


def updates_of(server: Server, fp_id: int) -> list[dict[str, Any]]:
    """The audit trail's update events of one contact, oldest first."""
    with server.client() as c:
        page = ok(
            c.get(
                "/v1/audit-events",
                params={
                    "resource_type": "focal_point",
                    "resource_id": str(fp_id),
                    "action": "update",
                    "limit": 200,
                },
            )
        )
    assert page["next_cursor"] is None
    events: list[dict[str, Any]] = page["items"]
    return events


def test_patches_racing_with_the_same_if_match_apply_one(server: Server) -> None:
    entity = SAME_ETAG
    before, etag = one_contact(server, entity)
    titles = [f"Officer, writer {i}" for i in range(WRITERS)]
    answers = race(
        server,
        WRITERS,
        lambda c, i: c.patch(
            url(entity, before["id"]), json={"title": titles[i]}, headers={"If-Match": etag}
        ),
        entity=entity,
    )

    won = [i for i, r in enumerate(answers) if r.status_code == 200]
    # The same If-Match names one version: after the first write, it is stale for every other.
    assert len(won) == 1, [(r.status_code, r.text[:200]) for r in answers]
    for i, r in enumerate(answers):
        if i != won[0]:
            assert_problem(r, (412,))
    winner = answers[won[0]]
    written = titles[won[0]]
    assert winner.json()["title"] == written

    with server.client(entity) as c:
        stored = c.get(url(entity, before["id"]))
        assert stored.status_code == 200
        assert stored.json() == winner.json()
        assert stored.headers["etag"] == winner.headers["etag"]
    events = updates_of(server, before["id"])
    assert len(events) == 1, events
    assert events[0]["before"] == before
    assert events[0]["after"] == winner.json()
    assert events[0]["actor_entity_id"] == entity

    # Nothing is left locked or half-done: a write with the new ETag goes through.
    with server.client(entity) as c:
        r = c.patch(
            url(entity, before["id"]),
            json={"title": "Officer"},
            headers={"If-Match": winner.headers["etag"]},
        )
        assert r.status_code == 200, r.text
    assert_clean_log(server)


def test_writers_that_reread_and_retry_all_apply_and_lose_nothing(server: Server) -> None:
    entity = RETRYING
    before, _ = one_contact(server, entity)
    fp_url = url(entity, before["id"])
    titles = [f"Officer, writer {i}" for i in range(WRITERS)]
    refused: list[int] = [0] * WRITERS

    def write_until_applied(c: httpx.Client, i: int) -> httpx.Response:
        for _ in range(MAX_ATTEMPTS):
            read = c.get(fp_url)
            assert read.status_code == 200, read.text
            r = c.patch(
                fp_url, json={"title": titles[i]}, headers={"If-Match": read.headers["etag"]}
            )
            if r.status_code != 412:
                return r
            assert_problem(r, (412,))
            refused[i] += 1
        raise AssertionError(f"writer {i} was refused {MAX_ATTEMPTS} times")

    answers = race(server, WRITERS, write_until_applied, entity=entity)

    for r in answers:
        assert r.status_code == 200, r.text
    assert sum(refused) > 0, "the writers never overlapped: nothing was raced"
    events = updates_of(server, before["id"])
    # Every writer's update is in the trail, once, and each one started from the state the
    # previous one left: none overwrote a version it had not read.
    assert len(events) == WRITERS, [e["after"]["title"] for e in events]
    assert sorted(e["after"]["title"] for e in events) == sorted(titles)
    assert events[0]["before"] == before
    for previous, event in pairwise(events):
        assert event["before"] == previous["after"], (previous, event)
    by_title = {e["after"]["title"]: e["after"] for e in events}
    for i, r in enumerate(answers):
        assert r.json() == by_title[titles[i]]
    with server.client(entity) as c:
        assert ok(c.get(fp_url)) == events[-1]["after"]
    assert_clean_log(server)


def contact_set(entity: str, round_: int, syncer: int) -> list[dict[str, Any]]:
    """Syncer ``syncer``'s set in round ``round_``: two contacts every set shares (with its own
    names), three of its own; the primary is a shared one for even syncers, an own one for odd
    ones, so that syncs move the primary role both ways."""
    tag = f"r{round_}s{syncer}"
    shared = [
        contact(entity, f"C{k}", name=f"Shared {k} as {tag}", title=f"Title {tag}") for k in (1, 2)
    ]
    own = [contact(entity, f"{tag.upper()}-{k}", title=f"Own {k}") for k in range(3)]
    items = shared + own
    items[0 if syncer % 2 == 0 else 2]["is_primary"] = True
    return items


def comparable(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """A set of contacts as the fields a sync sends, in a stable order."""
    return sorted(tuple(item.get(f) for f in FIELDS) for item in items)


def race_syncs(
    server: Server, entity: str, sets: list[list[dict[str, Any]]]
) -> list[httpx.Response]:
    """Each set PUT at once by its own writer, without If-Match."""
    return race(
        server, len(sets), lambda c, j: c.put(url(entity), json={"items": sets[j]}), entity=entity
    )


def test_full_set_syncs_racing_leave_exactly_one_set(server: Server) -> None:
    entity = SYNCING
    for round_ in range(ROUNDS):
        sets = [contact_set(entity, round_, j) for j in range(SYNCERS)]
        answers = race_syncs(server, entity, sets)
        for r in answers:
            assert r.status_code == 200, r.text
        with server.client(entity) as c:
            listed = c.get(url(entity))
        assert listed.status_code == 200
        final = listed.json()["items"]
        submitted = [comparable(s) for s in sets]
        # Never a mix: the set is one syncer's, whole, and it is what that syncer was answered.
        assert comparable(final) in submitted, (round_, final)
        last = submitted.index(comparable(final))
        assert answers[last].json()["items"] == final
        assert answers[last].headers["etag"] == listed.headers["etag"]
        assert sum(1 for fp in final if fp["is_primary"]) == 1
        # Each sync was applied whole, on top of the one before: its answer is its own set.
        for j, r in enumerate(answers):
            assert comparable(r.json()["items"]) == submitted[j], (round_, j)
    assert_clean_log(server)
