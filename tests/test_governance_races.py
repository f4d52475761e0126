"""Concurrency against a real server (DESIGN §7): decisions racing on one application admit
it once, and writers racing with the same If-Match lose no update. SQLite or PostgreSQL, as
ICAT_TEST_DATABASE_URL says."""

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.dbutil import fresh_database, is_postgres
from tests.livesrv import cli, live_server

ADMISSIONS = 8
PATCHES = 10
TIMEOUT = 30.0
MEETING_DAY = "2023-05-10"
ATTENDING = ("ilo", "iom", "ohchr", "unhcr", "unicef", "unodc")


@dataclass(frozen=True)
class Server:
    base: str
    key: str  # the Coordinator's: the secretariat's powers
    log: Path

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers=self.headers, timeout=TIMEOUT)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    url = fresh_database("races")
    env = {**os.environ, "ICAT_DATABASE_URL": url}
    log = tmp_path_factory.mktemp("races") / "server.log"
    # `serve` upgrades the empty database and seeds the real data before it answers.
    with live_server(url, log) as base:
        key = cli("keys", "create", "--entity", "unodc", env=env).strip().splitlines()[-1]
        yield Server(base, key, log)


def ok(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code in (200, 201), f"{r.request.method} {r.request.url}: {r.text}"
    body: dict[str, Any] = r.json()
    return body


def race(
    server: Server, n: int, send: Callable[[httpx.Client, int], httpx.Response]
) -> list[httpx.Response]:
    """``send(client, i)`` from ``n`` threads at once, each with its own connection, opened
    beforehand; the answers in the order of ``i``."""
    clients = [server.client() for _ in range(n)]
    for c in clients:
        assert c.get("/healthz").status_code == 200  # connect before the start
    barrier = threading.Barrier(n)
    answers: list[httpx.Response | BaseException | None] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=TIMEOUT)
            answers[i] = send(clients[i], i)
        except BaseException as exc:  # reported below, in the test's thread
            answers[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=2 * TIMEOUT)
    for c in clients:
        c.close()
    out: list[httpx.Response] = []
    for a in answers:
        assert isinstance(a, httpx.Response), repr(a)
        out.append(a)
    return out


def assert_problem(r: httpx.Response, statuses: tuple[int, ...]) -> None:
    assert r.status_code in statuses, f"{r.status_code}: {r.text[:500]}"
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body = r.json()
    assert body["status"] == r.status_code
    for key in ("type", "title", "detail"):
        assert isinstance(body[key], str) and body[key], body
    assert "Traceback" not in r.text
    if r.status_code == 503:
        assert r.headers.get("retry-after"), r.headers


def assert_clean_log(server: Server) -> None:
    text = server.log.read_text()
    assert "Traceback" not in text, text[-3000:]
    assert "unhandled_error" not in text, text[-3000:]


def test_admission_decisions_racing_on_one_application_admit_it_once(server: Server) -> None:
    with server.client() as c:
        ok(c.post("/v1/chair-terms", json={"start_year": 2023, "entity_ids": ["ilo"]}))
        meeting = ok(
            c.post(
                "/v1/meetings",
                json={
                    "kind": "working_group",
                    "title": "Working Group meeting, May 2023",
                    "starts_on": MEETING_DAY,
                    "mode": "hybrid",
                },
            )
        )
        attendance = ok(
            c.put(
                f"/v1/meetings/{meeting['id']}/attendance",
                json={"items": [{"entity_id": e} for e in ATTENDING]},
            )
        )
        assert {a["capacity"] for a in attendance["items"]} == {"voting_member"}
        ok(
            c.post(
                "/v1/entities",
                json={
                    "id": "sarc-tip",
                    "name": "South Asian anti-trafficking commission",
                    "kind": "intergovernmental",
                    "scope": "regional",
                    "mandate_covers_tip": True,
                },
            )
        )
        application = ok(
            c.post(
                "/v1/applications",
                json={
                    "entity_id": "sarc-tip",
                    "role": "partner",
                    "submitted_on": "2023-02-01",
                    "addressed_to": "chair",
                    "letter_reference": "SARC/2023/01",
                },
            )
        )
        assert application["introduced_at_meeting_id"] == meeting["id"]

    decision = {
        "procedure": "meeting",
        "meeting_id": meeting["id"],
        "kind": "admission",
        "application_id": application["id"],
        "record": "The Working Group accepts the commission as an ICAT partner.",
        "confirmed_by": "ilo",
    }
    answers = race(server, ADMISSIONS, lambda c, _: c.post("/v1/decisions", json=decision))

    created = [r for r in answers if r.status_code == 201]
    assert len(created) == 1, [(r.status_code, r.text[:200]) for r in answers]
    winner = created[0].json()
    assert winner["outcome"] == "adopted"
    assert winner["application_id"] == application["id"]
    for r in answers:
        if r.status_code != 201:
            assert_problem(r, (409, 503))

    with server.client() as c:
        memberships = ok(c.get("/v1/entities/sarc-tip/memberships"))["items"]
        assert len(memberships) == 1, memberships
        assert memberships[0]["role"] == "partner"
        assert memberships[0]["starts_on"] == MEETING_DAY
        assert memberships[0]["admission_decision_id"] == winner["id"]
        admissions = ok(c.get("/v1/decisions", params={"kind": "admission", "limit": 200}))
        mine = [d for d in admissions["items"] if d["application_id"] == application["id"]]
        assert [d["id"] for d in mine] == [winner["id"]]
        stored = ok(c.get(f"/v1/applications/{application['id']}"))
        assert stored["status"] == "accepted"
        assert stored["decision_id"] == winner["id"]
        assert ok(c.get("/v1/entities/sarc-tip"))["status"] == "partner"
    assert_clean_log(server)


def test_patches_racing_with_the_same_if_match_lose_no_update(server: Server) -> None:
    entity_id = "race-igo"
    with server.client() as c:
        ok(
            c.post(
                "/v1/entities",
                json={
                    "id": entity_id,
                    "name": "An organization raced over",
                    "kind": "intergovernmental",
                    "scope": "global",
                    "mandate_covers_tip": True,
                },
            )
        )
        first = c.get(f"/v1/entities/{entity_id}")
        etag = first.headers["etag"]

    references = [f"Statute, article {100 + i}" for i in range(PATCHES)]
    answers = race(
        server,
        PATCHES,
        lambda c, i: c.patch(
            f"/v1/entities/{entity_id}",
            json={"mandate_reference": references[i]},
            headers={"If-Match": etag},
        ),
    )

    allowed = (412, 503) if not is_postgres() else (412,)
    for r in answers:
        if r.status_code != 200:
            assert_problem(r, allowed)
    won = [i for i, r in enumerate(answers) if r.status_code == 200]
    # The same If-Match names one version: after the first write, it is stale for every other.
    assert len(won) == 1, [(r.status_code, r.text[:200]) for r in answers]
    winner = answers[won[0]]
    written = references[won[0]]
    assert winner.json()["mandate_reference"] == written

    with server.client() as c:
        final = ok(c.get(f"/v1/entities/{entity_id}"))
        assert final["mandate_reference"] == written
        events = ok(
            c.get(
                "/v1/audit-events",
                params={
                    "resource_type": "entity",
                    "resource_id": entity_id,
                    "action": "update",
                    "limit": 200,
                },
            )
        )["items"]
        assert len(events) == len(won)
        assert events[0]["after"]["mandate_reference"] == written
        # A write with the new ETag goes through: nothing is left locked or half-done.
        r = c.patch(
            f"/v1/entities/{entity_id}",
            json={"mandate_reference": "Statute, article 1"},
            headers={"If-Match": winner.headers["etag"]},
        )
        assert r.status_code == 200, r.text
    assert_clean_log(server)
