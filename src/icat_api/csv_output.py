"""The one CSV writer of the service (DESIGN §4): every CSV it answers is written here.

Rows of cells in, bytes out, safe to open in a spreadsheet:

* UTF-8 with a byte-order mark, once at the start of each file, so spreadsheets show accents;
* every cell quoted, rows ended with CRLF (RFC 4180);
* a text cell a spreadsheet would run as a formula is prefixed with ``'`` (CSV injection):
  one whose first visible character — after leading whitespace and invisible format characters
  such as the zero-width space or the byte-order mark — is ``= + - @ ; | %`` or its full-width
  form, or that has a tab or a carriage return before its first visible character;
* numbers and dates are written plainly (a number is never a formula; a text ``"-1"`` is text
  and is prefixed like any other).
"""

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from icat_api.conditional import JSON, conditional_response
from icat_api.negotiation import negotiate

MEDIA_TYPE = "text/csv; charset=utf-8"
CSV = "text/csv"
# A list that people open in spreadsheets offers both; JSON stays the default (DESIGN §4).
LIST_OFFERED = (JSON, CSV)
VARY = {"Vary": "Accept"}
BOM = "\ufeff".encode()

# What a spreadsheet reads as the start of a formula (or a field break, for tab and CR), in
# ASCII and in full width (U+FF1D = U+FF0B + U+FF0D - U+FF20 @ U+FF1B ; U+FF5C | U+FF05 %).
DANGEROUS = frozenset("=+-@;|%\t\r\uff1d\uff0b\uff0d\uff20\uff1b\uff5c\uff05")
# Invisible characters skipped before the first visible one: the zero-width space, non-joiner
# and joiner, the word joiner and the byte-order mark, and any other format character (Cf:
# direction marks, soft hyphen...), which a spreadsheet does not show either.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")

_FILENAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,150}")

Cell = str | int | float | Decimal | date | datetime | None | list[Any] | dict[str, Any]


def _invisible(char: str) -> bool:
    return char.isspace() or char in ZERO_WIDTH or unicodedata.category(char) == "Cf"


def neutralize(text: str) -> str:
    """``text``, prefixed with ``'`` when a spreadsheet would read it as a formula."""
    for char in text:
        if char in DANGEROUS:
            return "'" + text
        if not _invisible(char):
            return text
    return text


def cell(value: Cell) -> str:
    """One cell's text: nothing for null, numbers and dates plainly, text made safe."""
    if value is None:
        return ""
    if isinstance(value, int | float):  # bool too: True, False
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    if isinstance(value, list | dict):
        return neutralize(json.dumps(value, ensure_ascii=False, default=str))
    return neutralize(str(value))


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A whole CSV file: the byte-order mark, the header row, then one row per item."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([cell(name) for name in header])
    writer.writerows([cell(value) for value in row] for row in rows)
    return BOM + out.getvalue().encode("utf-8")


def attachment(filename: str) -> dict[str, str]:
    """The ``Content-Disposition`` header that saves the answer as ``filename``: say what it is
    and which day or year, e.g. ``icat-member-list-2019-06-30.csv``."""
    if not _FILENAME.fullmatch(filename):
        raise ValueError(f"not a plain file name: {filename!r}")
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def csv_response(
    request: Request, body: bytes, filename: str, headers: dict[str, str] | None = None
) -> Response:
    """A CSV answer (from :func:`to_csv`) with its ETag and file name; 304 when
    ``If-None-Match`` already has it."""
    return conditional_response(
        request, body, MEDIA_TYPE, headers={**attachment(filename), **(headers or {})}
    )


def wants_csv(request: Request) -> bool:
    """Whether a list's answer is CSV: ``Accept`` weighed with q-values, JSON by default; 406
    when it accepts neither."""
    return negotiate(request, LIST_OFFERED) == CSV


def joined(values: Iterable[object]) -> str:
    """A list of ids or codes in one cell: ``unhcr; osce``."""
    return "; ".join(str(v) for v in values)


def lines(values: Iterable[str]) -> str:
    """A list of free texts in one cell, one a line (a text may hold ``;`` itself)."""
    return "\n".join(values)


def dated_filename(what: str, day: date) -> str:
    """A CSV's file name: what it holds and the day, e.g. ``icat-entities-2026-11-28.csv``."""
    return f"icat-{what}-{day.isoformat()}.csv"


def openapi_200(
    filename: str, day: str, example: str, headers: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The OpenAPI ``200`` of a list that answers CSV too: its ``text/csv`` content with an
    example, and the file name (``filename``, dated ``day``); ``headers`` adds or replaces
    response headers (a list that names entities varies with Accept-Language too)."""
    return {
        "description": "JSON, or CSV with `Accept: text/csv` (weighed by q-values; JSON by "
        "default): every item matching the filters, in one file. UTF-8 with a byte-order mark, "
        "every cell quoted, a cell a spreadsheet would read as a formula prefixed with `'`.",
        "headers": {
            "Content-Disposition": {
                "description": f'With CSV: `attachment; filename="{filename}"`, {day}.',
                "schema": {"type": "string"},
            },
            "Vary": {"description": "`Accept`.", "schema": {"type": "string"}},
            **(headers or {}),
        },
        "content": {"text/csv": {"schema": {"type": "string"}, "example": example}},
    }
