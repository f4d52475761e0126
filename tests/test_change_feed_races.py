"""The change feed under concurrent writers, against a real server (SQLite and PostgreSQL): a
reader polling with after=<last seq seen> sees every change exactly once, in increasing seq
order; no seq ever appears below one it has already passed (a gap filled in later)."""

import threading
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import httpx
import pytest

from tests.raceutil import Server, assert_clean_log, ok, race, seeded_server

WRITERS = 8
ROUNDS = 6
ENTITIES = ("ilo", "iom", "unhcr")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with seeded_server("feed_races", tmp_path_factory.mktemp("feed_races"), ENTITIES) as server:
        yield server


def everything(c: httpx.Client, after: int = 0) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"after": after, "limit": 200}
    while True:
        body = ok(c.get("/v1/changes", params=params))
        items += body["items"]
        if body["next_cursor"] is None:
            return items
        params = {"cursor": body["next_cursor"], "limit": 200}


def test_a_polling_reader_sees_every_change_once_in_order(server: Server) -> None:
    with server.client() as c:
        start = everything(c)
    last = start[-1]["seq"] if start else 0
    seen: list[int] = []
    done = threading.Event()
    failures: list[BaseException] = []

    def poll() -> None:
        nonlocal last
        try:
            with server.client() as c:
                while True:
                    finished = done.is_set()  # read before polling: one more poll after the end
                    body = ok(c.get("/v1/changes", params={"after": last, "limit": 7}))
                    for item in body["items"]:
                        seen.append(item["seq"])
                        last = item["seq"]
                    if finished and not body["items"]:
                        return
        except BaseException as exc:
            failures.append(exc)

    reader = threading.Thread(target=poll)
    reader.start()

    def write(c: httpx.Client, i: int) -> int:
        """Entities created and patched by the Coordinator; focal points synced by agencies."""
        for r in range(ROUNDS):
            if i % 2 == 0:
                eid = f"race-{i}-{r}"
                body = {
                    "id": eid,
                    "name": f"Race Agency {i} {r}",
                    "kind": "intergovernmental",
                    "scope": "regional",
                    "mandate_covers_tip": True,
                }
                ok(c.post("/v1/entities", json=body))
                ok(c.patch(f"/v1/entities/{eid}", json={"acronym": f"R{i}{r}"}))
            else:
                entity = ENTITIES[i % len(ENTITIES)]
                with server.client(entity) as own:
                    items = [
                        {
                            "external_id": f"W{i}-{r}-{k}",
                            "name": f"Person {i} {r} {k}",
                            "email": f"w{i}{r}{k}@{entity}.org",
                            "is_primary": k == 0,
                        }
                        for k in range(2)
                    ]
                    r_ = own.put(f"/v1/entities/{entity}/focal-points", json={"items": items})
                    assert r_.status_code == 200, r_.text
        return i

    try:
        race(server, WRITERS, write)
    finally:
        done.set()
        reader.join(timeout=120)
    assert not failures, failures
    assert not reader.is_alive()

    with server.client() as c:
        final = [i["seq"] for i in everything(c, after=start[-1]["seq"] if start else 0)]
    assert len(final) >= WRITERS * ROUNDS  # every write made at least one change
    assert seen == final  # every seq exactly once, in the order of the final feed
    assert all(a < b for a, b in pairwise(seen))
    assert_clean_log(server)
