"""Focal-point sync cost: SQL statements (in process) and wall time (against a real server).

    .venv/bin/python -m bench.sync_bench

Prints, for syncs of 200 and 2,000 contacts: the statements of a first sync (all created), of
the same sync again (all unchanged) and of a sync with one contact changed; then the median
wall time of each over a real `icat-api serve`, and the 2,000/200 ratios. The targets (issue 3):
statements do not grow with unchanged contacts beyond a constant plus one bulk read; 2,000
contacts cost at most ~10x 200.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session
from tests.livesrv import live_server

from icat_api import migrate
from icat_api.app import create_app
from icat_api.db import make_engine
from icat_api.keys.service import create_key
from icat_api.seed.loader import seed
from icat_api.settings import Settings

SIZES = (200, 2000)
RUNS = 5


def contacts(n: int, changed: int | None = None) -> dict[str, Any]:
    return {
        "items": [
            {
                "external_id": f"E{i:05}",
                "name": f"Person {i}",
                "email": f"person{i}{'.new' if i == changed else ''}@example.org",
                "title": "Officer",
                "is_primary": i == 0,
            }
            for i in range(n)
        ]
    }


def prepare(url: str) -> str:
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        seed(session)
        for entity in ("ilo", "iom", "unhcr", "unicef", "ohchr", "unodc"):
            create_key(session=session, entity_id=entity)
        _, key = create_key(session=session, entity_id=None, secretariat=True)
    engine.dispose()
    return key


def count_statements(url: str, key: str) -> dict[tuple[int, str], int]:
    app = create_app(Settings(database_url=url, log_level="WARNING"))
    counts: dict[tuple[int, str], int] = {}
    seen = [0]

    def on_execute(*_: Any) -> None:
        seen[0] += 1

    event.listen(app.state.engine, "before_cursor_execute", on_execute)
    headers = {"Authorization": f"Bearer {key}"}
    with TestClient(app) as client:
        for n, entity in zip(SIZES, ("ilo", "iom"), strict=True):
            path = f"/v1/entities/{entity}/focal-points"
            for label, body in (
                ("create", contacts(n)),
                ("unchanged", contacts(n)),
                ("one changed", contacts(n, changed=n // 2)),
            ):
                seen[0] = 0
                r = client.put(path, json=body, headers=headers)
                assert r.status_code == 200, r.text
                counts[(n, label)] = seen[0]
    app.state.engine.dispose()
    return counts


def time_syncs(url: str, key: str) -> dict[tuple[int, str], float]:
    times: dict[tuple[int, str], float] = {}
    headers = {"Authorization": f"Bearer {key}"}
    with (
        tempfile.TemporaryDirectory() as tmp,
        live_server(url, Path(tmp) / "server.log") as base,
        httpx.Client(base_url=base, headers=headers, timeout=120) as client,
    ):
        for n, entities in zip(SIZES, (("unhcr", "unicef"), ("ohchr", "unodc")), strict=True):
            for label in ("create", "unchanged"):
                samples = []
                for run in range(RUNS):
                    entity = entities[run % 2]
                    path = f"/v1/entities/{entity}/focal-points"
                    if label == "create":
                        client.put(path, json={"items": []}).raise_for_status()
                    else:
                        client.put(path, json=contacts(n)).raise_for_status()
                    started = time.perf_counter()
                    client.put(path, json=contacts(n)).raise_for_status()
                    samples.append(time.perf_counter() - started)
                times[(n, label)] = statistics.median(samples)
    return times


def main() -> int:
    url = os.environ.get("ICAT_BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{tmp}/bench.db"
        key = prepare(url)
        counts = count_statements(url, key)
        times = time_syncs(url, key)
    small, large = SIZES
    print(f"database: {url.split(':')[0]}")
    print(
        f"{'sync':<14}{'statements ' + str(small):>16}{'statements ' + str(large):>18}"
        f"{'ms ' + str(small):>10}{'ms ' + str(large):>10}{'time ratio':>12}"
    )
    for label in ("create", "unchanged", "one changed"):
        t_small, t_large = times.get((small, label)), times.get((large, label))
        ms = (
            f"{t_small * 1000:>10.1f}{t_large * 1000:>10.1f}{t_large / t_small:>12.1f}"
            if t_small and t_large
            else f"{'':>10}{'':>10}{'':>12}"
        )
        print(f"{label:<14}{counts[(small, label)]:>16}{counts[(large, label)]:>18}{ms}")
    flat = counts[(small, "unchanged")] == counts[(large, "unchanged")]
    print(f"unchanged statements flat in the number of contacts: {'yes' if flat else 'NO'}")
    return 0 if flat else 1


if __name__ == "__main__":
    sys.exit(main())
