"""Opaque cursors for keyset pagination: a page resumes after the last key it returned."""

import base64
import binascii
import json
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from icat_api.problems import InvalidInput
from icat_api.schemas import Cursor


def encode_cursor(key: list[Any]) -> str:
    """The cursor that resumes after ``key``."""
    raw = json.dumps(key, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> list[Any] | None:
    """The key a cursor resumes after, or a 422 for a cursor this service did not issue."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        key = None
    if not isinstance(key, list) or not key or not all(isinstance(k, str | int) for k in key):
        raise _bad_cursor()
    return key


def _bad_cursor() -> InvalidInput:
    return InvalidInput(
        "cursor is not one this service issued",
        errors=[{"loc": ["query", "cursor"], "msg": "invalid cursor"}],
    )


def _convert(value: Any, kind: type) -> Any:
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int) or not -(2**63) <= value < 2**63:
            raise _bad_cursor()
        return value
    if kind is date:
        try:
            return date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None
    return value if isinstance(value, str) else None


class PageParams:
    """`limit` and `cursor`, validated: more than the maximum is a 422."""

    def __init__(self, limit: int, after: list[Any] | None) -> None:
        self.limit = limit
        self.after = after

    def key(self, *kinds: type) -> tuple[Any, ...] | None:
        """The cursor's key as ``kinds`` (int, str, date), or 422 when it is not of that shape:
        a cursor from another list, or forged."""
        if self.after is None:
            return None
        if len(self.after) != len(kinds):
            raise _bad_cursor()
        values = tuple(_convert(v, k) for v, k in zip(self.after, kinds, strict=True))
        if any(v is None for v in values):
            raise _bad_cursor()
        return values


def page_params(
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
