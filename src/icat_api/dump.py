"""`icat-api db dump` and `db restore`: the whole registry as versioned JSON lines, streamed both
ways in flat memory, so a registry moves from SQLite to PostgreSQL (or is backed up).

Format version 1: ASCII JSON Lines, gzip-compressed when the file name ends ``.gz`` (restore
knows gzip by its first bytes). A header line; then per table, in foreign-key order
(``metadata.sorted_tables``), a table line and its rows by primary key; then an end line, so a
truncated dump is refused::

    {"format": "icat-registry-dump", "version": 1, "schema_revision": "0009",
     "created_at": "2026-11-28T03:46:07.120511Z", "source": "sqlite", "tables": 23}
    {"table": "entities", "columns": ["id", "name", ...], "rows": 25, "id_high_water": null}
    ["unodc", "United Nations Office on Drugs and Crime", ...]
    {"end": true, "rows": 4711}

Every table travels: the audit trail, API keys (stored as SHA-256 hashes, so the keys keep
working), idempotency records (a POST retried across the move gets its stored answer, not a
second write), ``data_version``. ``alembic_version`` does not: the header names the schema
revision, and only that revision's code restores the dump, into a database migrated to it.

Values: strings, integers, booleans as such; dates ``YYYY-MM-DD``; timestamps RFC 3339 in UTC
to the microsecond; money (``Numeric``) as decimal strings; JSON columns as the JSON value;
bytes as base64; SQL NULL as ``null`` (a JSON column's SQL NULL and JSON ``null`` both read as
None in the models, and come back as the JSON ``null`` the models write). ``id_high_water`` is
the highest id the source's sequence gave (PostgreSQL's sequence, SQLite's AUTOINCREMENT
counter): restored sequences start past it and past every id restored, so no id is handed out
twice (a deleted focal point's id lives on in its tombstone).

A dump reads one snapshot (a SQLite read transaction; PostgreSQL REPEATABLE READ, read only)
through server-side cursors. A restore is one transaction into an empty, migrated database (a
fresh migration's ``data_version`` row aside), in batched INSERTs.
"""

import base64
import gzip
import json
import os
import sys
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import Connection, Date, DateTime, LargeBinary, Numeric, Table, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.types import TypeDecorator, TypeEngine

import icat_api.models  # noqa: F401  (every table in the metadata)
from icat_api import migrate
from icat_api.db import WRITE, Base, make_engine
from icat_api.sequences import high_water, restart_ids

FORMAT = "icat-registry-dump"
VERSION = 1
BATCH = 1000  # rows a server-side cursor fetches, and rows an INSERT sends, at a time
COUNTER = "data_version"


class DumpError(Exception):
    """A dump or restore refused or failed; its message is one line for the operator."""


@dataclass(frozen=True)
class Summary:
    """What was dumped or restored: rows per table."""

    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


# --- values, progress, the database ------------------------------------------------------------

Codec = Callable[[Any], Any]
_CODECS: dict[type[TypeEngine[Any]], tuple[Codec, Codec]] = {  # (to the dump, from the dump)
    DateTime: (
        lambda v: v.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        datetime.fromisoformat,
    ),
    Date: (date.isoformat, date.fromisoformat),
    Numeric: (lambda v: format(v, "f") if isinstance(v, Decimal) else repr(v), Decimal),
    LargeBinary: (
        lambda v: base64.b64encode(v).decode("ascii"),
        lambda v: base64.b64decode(v, validate=True),
    ),
}


def _plain(value: Any) -> Any:
    return value


def _codecs(table: Table, way: int) -> list[Codec]:
    """Per column, how a value goes into the dump (``way`` 0) or comes out of it (1)."""
    found = []
    for column in table.columns:
        type_ = column.type
        if isinstance(type_, TypeDecorator):
            type_ = type_.impl_instance
        kind = next((k for k in _CODECS if isinstance(type_, k)), None)
        found.append(_CODECS[kind][way] if kind else _plain)
    return found


def _progress(verb: str, enabled: bool) -> Progress:
    """Rows counted per table, on standard error; nothing unless ``enabled``."""
    return Progress(
        TextColumn(verb + " {task.description:<26}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        disable=not enabled,
    )


@contextmanager
def _connection(url: str, **options: Any) -> Iterator[Connection]:
    """A connection with ``options``; database errors become one line."""
    parsed = make_url(url)
    path = parsed.database or ""
    local = parsed.get_backend_name() == "sqlite" and not path.startswith("file:")
    if local and path not in ("", ":memory:") and not Path(path).is_file():
        raise DumpError(f"no database at {path}")  # SQLite would create an empty file
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execution_options(**options)
            yield conn
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise DumpError(f"database error: {reason}") from exc
    finally:
        engine.dispose()


def _require_head(conn: Connection, url: str) -> str:
    """The code's schema revision, which the database must be at."""
    [head] = migrate.head_revisions(url)
    current = migrate.current_revisions(conn)
    if current != {head}:
        raise DumpError(
            f"the database is at schema revision {', '.join(sorted(current)) or '(none)'}, not "
            f"{head} (this icat-api's): run `icat-api db upgrade` first"
        )
    return head


def _text_file(path: Path, mode: str, *, gzipped: bool) -> IO[str]:
    if gzipped:
        return gzip.open(path, "wt" if mode == "w" else "rt", encoding="utf-8")
    return path.open(mode, encoding="utf-8")


# --- dump --------------------------------------------------------------------------------------


def _line(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), allow_nan=False) + "\n"


def write_dump(url: str, out: IO[str], *, progress: bool = False) -> Summary:
    """Write the registry at ``url`` to ``out``, streamed from one snapshot."""
    tables = Base.metadata.sorted_tables
    counts: dict[str, int] = {}
    snapshot = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    pg = make_url(url).get_backend_name() == "postgresql"
    with _connection(url, **(snapshot if pg else {})) as conn, conn.begin():
        revision = _require_head(conn, url)
        sizes = {t.name: conn.scalar(select(func.count()).select_from(t)) or 0 for t in tables}
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        header = {"format": FORMAT, "version": VERSION, "schema_revision": revision}
        out.write(
            _line({**header, "created_at": now, "source": conn.dialect.name, "tables": len(tables)})
        )
        with _progress("dump", progress) as bars:
            for table in tables:
                head: dict[str, Any] = {
                    "table": table.name,
                    "columns": [c.name for c in table.columns],
                }
                head |= {"rows": sizes[table.name], "id_high_water": high_water(conn, table)}
                out.write(_line(head))
                task = bars.add_task(table.name, total=sizes[table.name])
                counts[table.name] = _write_rows(conn, table, out, partial(bars.advance, task))
    out.write(_line({"end": True, "rows": sum(counts.values())}))
    return Summary(counts)


def _write_rows(
    conn: Connection, table: Table, out: IO[str], advance: Callable[[int], None]
) -> int:
    encode = _codecs(table, 0)
    query = select(table).order_by(*table.primary_key.columns)
    result = conn.execute(query, execution_options={"stream_results": True, "yield_per": BATCH})
    done = 0
    for rows in result.partitions():
        out.writelines(
            _line([None if v is None else f(v) for f, v in zip(encode, row, strict=True)])
            for row in rows
        )
        done += len(rows)
        advance(len(rows))
    return done


def dump_to(url: str, output: str, *, force: bool = False, progress: bool = False) -> Summary:
    """Dump to the file ``output`` (``-``: standard output): written whole, or not at all."""
    if output == "-":
        try:
            return write_dump(url, sys.stdout, progress=progress)
        except BrokenPipeError as exc:  # the reader went away (`| head`): quiet at exit too
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise DumpError("standard output closed before the dump's end") from exc
    path = Path(output)
    if path.is_dir():
        raise DumpError(f"{output} is a directory")
    if path.exists() and not force:
        raise DumpError(f"{output} exists: give --force to overwrite it")
    if not path.parent.is_dir():
        raise DumpError(f"no directory {path.parent}")
    unfinished = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with _text_file(unfinished, "w", gzipped=path.suffix == ".gz") as out:
            summary = write_dump(url, out, progress=progress)
        os.replace(unfinished, path)
    except OSError as exc:
        raise DumpError(f"{output}: {exc.strerror or exc}") from exc
    finally:
        unfinished.unlink(missing_ok=True)
    return summary


# --- restore -----------------------------------------------------------------------------------


class _Lines:
    """A dump's lines, parsed one at a time, with its name and the line number."""

    def __init__(self, name: str, stream: IO[str]) -> None:
        self.name, self.number, self._stream = name, 0, stream

    def next(self) -> Any:
        raw = self._stream.readline()
        self.number += 1
        if not raw:
            raise DumpError(f"{self.name} ends early, at line {self.number}: nothing restored")
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise self.fail(f"not JSON ({exc})") from exc

    def fail(self, what: str) -> DumpError:
        return DumpError(f"{self.name} line {self.number}: {what}; nothing restored")


def _check_header(lines: _Lines) -> dict[str, Any]:
    try:
        header = lines.next()
    except DumpError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise DumpError(f"{lines.name} is not an icat-api registry dump")
    if header.get("version") != VERSION:
        raise DumpError(
            f"{lines.name} is a dump of format version {header.get('version')!r}; this icat-api "
            f"reads version {VERSION}"
        )
    return header


def _check_target(conn: Connection, url: str, header: dict[str, Any], name: str) -> None:
    head = _require_head(conn, url)
    if header.get("schema_revision") != head:
        raise DumpError(
            f"{name} is of schema revision {header.get('schema_revision')!r}, this icat-api's "
            f"is {head}: restore it with the icat-api that made it, then upgrade"
        )
    full = [
        t.name
        for t in Base.metadata.sorted_tables
        if t.name != COUNTER and conn.scalar(select(1).select_from(t).limit(1)) is not None
    ]
    if full:
        raise DumpError(
            f"the database is not empty ({', '.join(full)} hold rows): restore only into an "
            "empty, migrated database"
        )


def read_dump(url: str, name: str, stream: IO[str], *, progress: bool = False) -> Summary:
    """Load the dump in ``stream`` (called ``name``) into the empty, migrated database at
    ``url``, in one transaction."""
    lines = _Lines(name, stream)
    header = _check_header(lines)
    tables = Base.metadata.tables
    counts: dict[str, int] = {}
    # WRITE: on SQLite, the write lock from the first statement (BEGIN IMMEDIATE).
    with _connection(url, **{WRITE: True}) as conn, conn.begin():
        _check_target(conn, url, header, name)
        with _progress("restore", progress) as bars:
            while True:
                head = lines.next()
                if not isinstance(head, dict):
                    raise lines.fail("a table line or the end expected")
                if head.get("end") is True:
                    break
                table = tables.get(str(head.get("table")))
                if table is None or table.name in counts:
                    raise lines.fail(f"unknown or repeated table {head.get('table')!r}")
                if head.get("columns") != [c.name for c in table.columns]:
                    raise lines.fail(f"the columns of {table.name} are not this schema's")
                rows = head.get("rows")
                if not isinstance(rows, int) or rows < 0:
                    raise lines.fail(f"no row count for {table.name}")
                task = bars.add_task(table.name, total=rows)
                counts[table.name] = _insert_rows(
                    conn, table, lines, rows, partial(bars.advance, task)
                )
                restart_ids(conn, table, head.get("id_high_water"))
        missing = sorted(set(tables) - set(counts))
        if missing or head.get("rows") != sum(counts.values()):
            raise lines.fail(f"the dump is incomplete (missing: {', '.join(missing) or '-'})")
    return Summary(counts)


def _insert_rows(
    conn: Connection, table: Table, lines: _Lines, rows: int, advance: Callable[[int], None]
) -> int:
    decode, keys = _codecs(table, 1), [c.key for c in table.columns]
    batch: list[dict[str, Any]] = []
    for done in range(1, rows + 1):
        row = lines.next()
        if not isinstance(row, list) or len(row) != len(keys):
            raise lines.fail(f"a row of {len(keys)} values of {table.name} expected")
        try:
            values = [None if v is None else f(v) for f, v in zip(decode, row, strict=True)]
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise lines.fail(f"a bad value in {table.name} ({exc})") from exc
        batch.append(dict(zip(keys, values, strict=True)))
        if len(batch) == BATCH or done == rows:
            if table.name == COUNTER:
                _replace_counter(conn, table, batch)
            else:
                conn.execute(insert(table), batch)
            advance(len(batch))
            batch = []
    return rows


def _replace_counter(conn: Connection, table: Table, batch: list[dict[str, Any]]) -> None:
    """The dumped data version replaces a fresh migration's row, one higher than both: servers
    already running on the target drop the answers they cached."""
    here = conn.scalar(select(func.max(table.c.version))) or 0
    conn.execute(table.delete())
    top = max([here, *(int(r["version"] or 0) for r in batch)])
    conn.execute(insert(table), [{**r, "version": top + 1} for r in batch])


def restore_from(url: str, source: str, *, progress: bool = False) -> Summary:
    """Restore the dump in the file ``source`` (``-``: standard input)."""
    if source == "-":
        return read_dump(url, "standard input", sys.stdin, progress=progress)
    try:
        with Path(source).open("rb") as probe:
            gzipped = probe.read(2) == b"\x1f\x8b"
        with _text_file(Path(source), "r", gzipped=gzipped) as stream:
            return read_dump(url, source, stream, progress=progress)
    except OSError as exc:
        raise DumpError(f"{source}: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, EOFError, zlib.error) as exc:
        raise DumpError(f"{source} is not a whole icat-api registry dump ({exc})") from exc
