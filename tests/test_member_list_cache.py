"""The response cache against a real server: a write made by another process (another worker,
the command-line tool) shows within `ICAT_CACHE_CHECK_SECONDS` (1 s by default), in the member
list and in every other public read."""

import time
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import select

from icat_api.db import make_engine, make_sessionmaker
from icat_api.entities.models import Membership
from tests.dbutil import fresh_database
from tests.livesrv import live_server

ON = "2024-06-30"


def status(base: str) -> str:
    r = httpx.get(f"{base}/v1/entities/undp", params={"on": ON}, timeout=10)
    assert r.status_code == 200, r.text
    value: str = r.json()["status"]
    return value


def members(base: str) -> tuple[set[str], str]:
    r = httpx.get(f"{base}/v1/member-list", params={"on": ON}, timeout=10)
    assert r.status_code == 200, r.text
    return {e["id"] for e in r.json()["members"]}, r.headers["etag"]


def test_a_write_by_another_process_shows_within_a_second_or_two(tmp_path: Path) -> None:
    url = fresh_database("cache")
    with live_server(url, tmp_path / "server.log") as base:
        listed, etag = members(base)
        assert "undp" in listed
        assert members(base) == (listed, etag)  # cached, the same bytes
        assert status(base) == status(base) == "member"

        engine = make_engine(url)
        with make_sessionmaker(engine)() as session, session.begin():
            span = session.scalars(
                select(Membership).where(
                    Membership.entity_id == "undp", Membership.ends_on.is_(None)
                )
            ).one()
            span.ends_on = date(2024, 1, 1)
        engine.dispose()

        # checked every second, then rebuilt: 10 s is for a loaded machine (a cold read took 1.1 s)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            now_listed, now_etag = members(base)
            if "undp" not in now_listed:
                break
            time.sleep(0.1)
        assert now_listed == listed - {"undp"}
        assert now_etag != etag
        assert status(base) != "member"
