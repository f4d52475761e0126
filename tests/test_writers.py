"""SQLite's writers take turns in the process (db.Writers) before SQLite's own lock, so a steady
stream of writes cannot starve one of them; one that waits longer than the lock wait gets 503."""

import threading
import time

import pytest
from sqlalchemy import create_engine

from icat_api import db
from icat_api.db import Writers, writers_for
from icat_api.problems import Busy


def test_a_writer_waits_for_its_turn_then_goes(monkeypatch: pytest.MonkeyPatch) -> None:
    writers = Writers()
    order: list[str] = []

    def second() -> None:
        with writers.turn():
            order.append("second")

    with writers.turn():
        t = threading.Thread(target=second)
        t.start()
        time.sleep(0.2)
        order.append("first")
    t.join(timeout=5)
    assert order == ["first", "second"]


def test_a_writer_that_cannot_get_its_turn_in_time_is_told_busy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(db, "LOCK_WAIT_MS", 100)
    writers = Writers()
    with writers.turn():
        started = time.monotonic()
        with pytest.raises(Busy) as refused, writers.turn():
            pass
        assert 0.09 <= time.monotonic() - started < 2
    assert refused.value.status == 503
    assert refused.value.headers["Retry-After"] == "1"
    with writers.turn():  # the turn was given back
        pass


def test_only_sqlite_has_a_queue() -> None:
    assert isinstance(writers_for(create_engine("sqlite://")), Writers)
    assert writers_for(create_engine("postgresql+psycopg://u@127.0.0.1/x")) is None
