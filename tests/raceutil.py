"""Concurrency against a real server (DESIGN §7): a seeded server per test module, and
``race()``, which sends requests from many threads at once, each on its own connection."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from tests.dbutil import fresh_database
from tests.livesrv import answered_statuses, create_keys, live_server

TIMEOUT = 30.0
COORDINATOR = "unodc"
T = TypeVar("T")


@dataclass(frozen=True)
class Server:
    base: str
    key: str  # the Coordinator's: the secretariat's powers
    log: Path
    keys: dict[str, str] = field(default_factory=dict)  # entity id -> that entity's own key

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def client(self, entity: str | None = None) -> httpx.Client:
        """A client with the Coordinator's key, or with ``entity``'s own key."""
        key = self.key if entity is None else self.keys[entity]
        return httpx.Client(
            base_url=self.base, headers={"Authorization": f"Bearer {key}"}, timeout=TIMEOUT
        )


@contextmanager
def seeded_server(purpose: str, log_dir: Path, entities: tuple[str, ...] = ()) -> Iterator[Server]:
    """A server on a new database with the real data seeded, the Coordinator's key, and a key of
    each of ``entities``."""
    url = fresh_database(purpose)
    log = log_dir / "server.log"
    # `serve` upgrades the empty database and seeds the real data before it answers.
    with live_server(url, log) as base:
        keys = create_keys(url, COORDINATOR, *entities)
        yield Server(base, keys.pop(COORDINATOR), log, keys)


def ok(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code in (200, 201), f"{r.request.method} {r.request.url}: {r.text}"
    body: dict[str, Any] = r.json()
    return body


def race(
    server: Server,
    n: int,
    send: Callable[[httpx.Client, int], T],
    entity: str | None = None,
) -> list[T]:
    """``send(client, i)`` from ``n`` threads at once, each with its own connection, opened
    beforehand (with ``entity``'s key, or the Coordinator's); the results in the order of
    ``i``. An exception in a thread fails the test here."""
    clients = [server.client(entity) for _ in range(n)]
    for c in clients:
        assert c.get("/healthz").status_code == 200  # connect before the start
    barrier = threading.Barrier(n)
    results: list[tuple[T] | BaseException | None] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=TIMEOUT)
            results[i] = (send(clients[i], i),)
        except BaseException as exc:  # reported below, in the test's thread
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=4 * TIMEOUT)
    for c in clients:
        c.close()
    out: list[T] = []
    for i, result in enumerate(results):
        if isinstance(result, BaseException):
            raise AssertionError(f"thread {i} failed: {result!r}") from result
        assert result is not None, f"thread {i} did not finish"
        out.append(result[0])
    return out


def assert_problem(r: httpx.Response, statuses: tuple[int, ...]) -> None:
    """``r`` is problem+json with one of ``statuses``, and no stack trace."""
    assert r.status_code in statuses, f"{r.status_code}: {r.text[:500]}"
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body = r.json()
    assert body["status"] == r.status_code
    for key in ("type", "title", "detail"):
        assert isinstance(body[key], str) and body[key], body
    assert "Traceback" not in r.text


def assert_clean_log(server: Server) -> None:
    text = server.log.read_text()
    assert "Traceback" not in text, text[-3000:]
    assert "unhandled_error" not in text, text[-3000:]
    statuses = answered_statuses(server.log)
    assert statuses, "the server logged no request"
    assert 500 not in statuses and 503 not in statuses, text[-3000:]
