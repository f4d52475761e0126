"""Opaque cursors for keyset pagination: a page resumes after the last key it returned."""

import base64
import binascii
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request
from sqlalchemy import Select, tuple_

from icat_api.problems import InvalidInput
from icat_api.schemas import Cursor

S = TypeVar("S", bound=Select[*tuple[Any, ...]])
R = TypeVar("R")
Item = TypeVar("Item")


def encode_cursor(key: list[Any]) -> str:
    """The cursor that resumes after ``key`` (its first element names the list)."""
    raw = json.dumps(key, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> list[Any] | None:
    """The key a cursor resumes after, or a 422 for a cursor this service did not issue."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        key = None
    if not isinstance(key, list) or len(key) < 2 or not isinstance(key[0], str):
        raise _bad_cursor()
    return key


def _bad_cursor() -> InvalidInput:
    return InvalidInput(
        "cursor is not one this service issued for this list",
        errors=[{"loc": ["query", "cursor"], "msg": "invalid cursor"}],
    )


# What a key of each kind may be; anything else was not issued by this service (a forged
# cursor must never reach the database: an integer past the column, a NUL, a lone surrogate, a
# timestamp without a zone would each fail there, as a 500).
def _int32(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31
    return value if ok else None


def _int64(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
    return value if ok else None


def _text(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > 300 or "\x00" in value:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return None
    return value


def _day(value: Any) -> date | None:
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str) or not _ISO_INSTANT.fullmatch(value):
        return None
    try:
        at = datetime.fromisoformat(value)
        # Aware, and a moment in UTC (as the database keeps it): 0001-01-01T00:00+00:01 is not.
        return at.astimezone(UTC) if at.utcoffset() is not None else None
    except (ValueError, OverflowError):
        return None


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# As issued: datetime.isoformat() of an aware moment.
_ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?[+-]\d{2}:\d{2}")
Kind = Callable[[Any], Any]
INT32: Kind = _int32
INT64: Kind = _int64
TEXT: Kind = _text
DAY: Kind = _day
INSTANT: Kind = _instant


@dataclass(frozen=True)
class Keyset:
    """A list's order for keyset pagination: the list's name (a cursor belongs to one list and
    one order), the columns it is sorted by, and the kind of each column's value."""

    name: str
    columns: tuple[Any, ...]
    kinds: tuple[Kind, ...]
    # The attributes of a listed item that hold its key: the columns' names by default.
    fields: tuple[str, ...] = ()

    def key_of(self, item: Any) -> list[Any]:
        names = self.fields or tuple(c.key for c in self.columns)
        return [_plain(getattr(item, n)) for n in names]

    def query(self, query: S, page: "PageParams | None") -> S:
        """``query`` in this order, after the cursor's key, one row more than a page; every
        row when ``page`` is None."""
        query = query.order_by(*self.columns)
        if page is None:
            return query
        query = query.limit(page.limit + 1)
        key = page.key(self)
        if key is not None:
            query = query.where(tuple_(*self.columns) > tuple_(*key))
        return query


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def page_of(
    keyset: Keyset,
    page: "PageParams | None",
    rows: Sequence[R],
    read: Callable[[Sequence[R]], list[Item]],
) -> tuple[list[Item], str | None]:
    """The items of a page read from ``rows`` (a page and one more), and the next cursor; with
    no ``page``, every row and no cursor (a whole list: a CSV answer)."""
    if page is None:
        return read(rows), None
    items = read(rows[: page.limit])
    more = len(rows) > page.limit and items
    return items, encode_cursor([keyset.name, *keyset.key_of(items[-1])]) if more else None


class PageParams:
    """`limit` and `cursor`, validated: more than the maximum is a 422."""

    def __init__(self, limit: int, after: list[Any] | None) -> None:
        self.limit = limit
        self.after = after

    def key(self, keyset: Keyset) -> tuple[Any, ...] | None:
        """The cursor's key in ``keyset``'s order, or 422 when the cursor was not issued for
        this list and order: another list's, or forged."""
        if self.after is None:
            return None
        name, *key = self.after
        if name != keyset.name or len(key) != len(keyset.kinds):
            raise _bad_cursor()
        values = tuple(kind(v) for v, kind in zip(key, keyset.kinds, strict=True))
        if any(v is None for v in values):
            raise _bad_cursor()
        return values


# A coroutine, though nothing in it waits: FastAPI runs a plain function in its thread pool, a
# hop there and back on every list request.
async def page_params(
    request: Request,
    limit: Annotated[
        int | None,
        Query(ge=1, le=200, description="Items per page (default 50, at most 200)."),
    ] = None,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> PageParams:
    settings = request.app.state.settings
    if limit is not None and limit > settings.page_max:
        raise InvalidInput(
            f"limit: at most {settings.page_max}",
            errors=[{"loc": ["query", "limit"], "msg": f"at most {settings.page_max}"}],
        )
    return PageParams(limit or settings.page_default, decode_cursor(cursor))


PageDep = Annotated[PageParams, Depends(page_params)]
