"""The data version: a number that moves with every committed write, and the caches keyed by it.

Every transaction that wrote bumps ``data_version.version`` as it commits (one row, updated last,
so it is held for an instant). A process also counts its own commits, so it sees its own writes
at once; it reads the stored version at most every ``check_seconds`` to learn of writes by other
processes (other workers, the command-line tool). Cached answers are keyed by both, so the
hottest read (the member list) is bytes from memory until something changes.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, event, select, update
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, SessionTransaction, mapped_column
from starlette.concurrency import run_in_threadpool

from icat_api.db import Base

_WROTE = "icat_wrote"


class DataVersion(Base):
    """One row: how many writing transactions have committed."""

    __tablename__ = "data_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class _LocalCommits:
    """Writing commits made by this process (read without a lock: an int is read atomically)."""

    count = 0
    _lock = threading.Lock()

    @classmethod
    def bump(cls) -> None:
        with cls._lock:
            cls.count += 1


@event.listens_for(Session, "do_orm_execute")
def _note_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "before_commit")
def _bump_stored(session: Session) -> None:
    if session.in_nested_transaction():
        return
    if session.info.get(_WROTE) or session.new or session.dirty or session.deleted:
        session.execute(
            update(DataVersion).where(DataVersion.id == 1).values(version=DataVersion.version + 1)
        )


@event.listens_for(Session, "after_commit")
def _bump_local(session: Session) -> None:
    if not session.in_nested_transaction() and session.info.pop(_WROTE, False):
        _LocalCommits.bump()


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def stored_version(session: Session) -> int:
    """The version in the database (0 if the row is missing)."""
    return session.scalar(select(DataVersion.version).where(DataVersion.id == 1)) or 0


@dataclass(frozen=True)
class Cached:
    """An answer kept in memory: its bytes, their ETag, and the languages of its names
    (``Content-Language``) when it shows names; a whole HTTP answer (the response cache's) also
    keeps its headers as they were sent."""

    body: bytes
    etag: str
    language: str | None = None
    headers: tuple[tuple[bytes, bytes], ...] = ()


class VersionedCache:
    """Answers kept until the data changes: at most ``size`` of them and ``max_bytes`` in all,
    least recently used out (a caller asking for every day of a century fills no memory).

    ``token()`` names the data as this process knows it; an entry made under another token is
    never served. ``read_stored()`` is called (from a worker thread) at most every
    ``check_seconds`` to catch writes of other processes.
    """

    def __init__(
        self,
        read_stored: Callable[[], int],
        check_seconds: float,
        size: int = 256,
        max_bytes: int = 64 * 1024 * 1024,
    ):
        self._read_stored = read_stored
        self._check_seconds = check_seconds
        self._size = size
        self._max_bytes = max_bytes
        self._bytes = 0
        self._entries: OrderedDict[Hashable, tuple[tuple[int, int], Cached]] = OrderedDict()
        self._stored = -1
        self._checked_at = float("-inf")
        self._commits_checked = -1
        self.on_lookup: Callable[[bool], None] | None = None
        """Told of each lookup of a request's answer (the response cache's), hit (True) or miss
        (metrics, when enabled); not of the parts routes keep to build their answers."""

    def stale_check_due(self) -> bool:
        """Whether the stored version should be read before answering: every ``check_seconds``,
        and at once after a commit of this process (which moved it: read now, the answers made
        next are kept under the version they will keep, not replaced at the next check)."""
        return (
            _LocalCommits.count != self._commits_checked
            or time.monotonic() - self._checked_at >= self._check_seconds
        )

    def refresh(self) -> None:
        """Read the stored version now (blocking: call it from a worker thread)."""
        commits = _LocalCommits.count  # before reading: a commit meanwhile is read again
        self._stored = self._read_stored()
        self._checked_at = time.monotonic()
        self._commits_checked = commits

    def claim_check(self) -> bool:
        """Whether this caller should read the stored version: the first to find it due claims
        it, and the requests that arrive while it reads keep answering from memory (else every
        request of a busy second would read it at once)."""
        if not self.stale_check_due():
            return False
        self._checked_at = time.monotonic()
        self._commits_checked = _LocalCommits.count
        return True

    def token(self) -> tuple[int, int]:
        """The data as this process knows it: its own commits and the last stored version."""
        return (_LocalCommits.count, self._stored)

    def get(self, key: Hashable, token: tuple[int, int]) -> Cached | None:
        hit = self._entries.get(key)
        if hit is None or hit[0] != token:
            return None
        self._entries.move_to_end(key)
        return hit[1]

    def put(self, key: Hashable, token: tuple[int, int], value: Cached) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old[1].body)
        if len(value.body) > self._max_bytes:
            return  # larger than the whole cache: served, not kept
        self._entries[key] = (token, value)
        self._bytes += len(value.body)
        while len(self._entries) > self._size or self._bytes > self._max_bytes:
            _, (_, gone) = self._entries.popitem(last=False)
            self._bytes -= len(gone.body)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        """The bytes of the answers kept."""
        return self._bytes

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0
        self._checked_at = float("-inf")


async def cached(cache: VersionedCache, key: Hashable, build: Callable[[], Cached]) -> Cached:
    """The answer kept under ``key`` for the current data, else ``build()`` (in a worker
    thread) and kept. Reads the stored version first when it is due."""
    if cache.claim_check():
        await run_in_threadpool(cache.refresh)
    token = cache.token()  # taken before building: a write meanwhile makes the entry stale
    hit = cache.get(key, token)
    if hit is None:
        hit = await run_in_threadpool(build)
        cache.put(key, token, hit)
    return hit
