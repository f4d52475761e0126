"""Cursors are opaque (DESIGN §4): on every paged list of the OpenAPI document, a cursor the
service did not issue for that list and order is a 422 problem+json naming the cursor, never a
500; one it did issue resumes the list.

The lists are read from the document the app serves (every GET whose 200 answer has `items` and
`next_cursor`); path parameters are filled with real ids of the seeded data, and keyed lists are
read with a secretariat key. What a list's cursor may hold is known from the `Keyset`s declared
in `icat_api` (a list's name, then one key per column: an int32, an int64, a text, a day or an
instant); which `Keyset` is a list's own is found by asking the list. A forged cursor whose key
has the right name and well-typed values cannot be told from an issued one: it may answer 200.
Anything else must be a 422.

``ICAT_CURSOR_EXAMPLES`` (default 200) is the number of forged cursors per list.
"""

import base64
import binascii
import functools
import importlib
import json
import os
import pkgutil
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import icat_api
from icat_api import pagination
from icat_api.app import create_app
from icat_api.pagination import Keyset
from icat_api.settings import Settings
from tests.conftest import Keys
from tests.helpers import PROBLEM, Headers, Json, body_of

EXAMPLES = int(os.environ.get("ICAT_CURSOR_EXAMPLES", "200"))

# -- the lists of the document ------------------------------------------------------------------


@dataclass(frozen=True)
class ListOp:
    op_id: str
    path: str  # the document's template
    keyed: bool  # the document names a security requirement
    paged: bool  # takes `cursor`
    path_params: tuple[str, ...]


def _resolve(doc: Json, schema: Json) -> Json:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def list_operations(doc: Json) -> list[ListOp]:
    """Every GET whose 200 answer is a page: an object with `items` and `next_cursor`."""
    found = []
    for path, item in doc["paths"].items():
        op = item.get("get")
        if op is None:
            continue
        content = op["responses"].get("200", {}).get("content", {})
        schema = _resolve(doc, content.get("application/json", {}).get("schema", {}))
        if not {"items", "next_cursor"} <= set(schema.get("properties", {})):
            continue
        params = op.get("parameters", [])
        found.append(
            ListOp(
                op_id=op["operationId"],
                path=path,
                keyed=op.get("security") == [{"bearer": []}],
                paged=any(p["in"] == "query" and p["name"] == "cursor" for p in params),
                path_params=tuple(p["name"] for p in params if p["in"] == "path"),
            )
        )
    return found


def _document() -> Json:
    """The document, at collection time, to parametrize on (the `app` fixture serves the same:
    see the first test)."""
    app = create_app(Settings(database_url="sqlite://"))
    try:
        doc: Json = app.openapi()
    finally:
        app.state.engine.dispose()
    return doc


LISTS = list_operations(_document())
PAGED = [op for op in LISTS if op.paged]
WHOLE = [op for op in LISTS if not op.paged]


def _keysets() -> list[Keyset]:
    """Every list order the service declares."""
    found: list[Keyset] = []
    for module in pkgutil.walk_packages(icat_api.__path__, "icat_api."):
        for value in vars(importlib.import_module(module.name)).values():
            if isinstance(value, Keyset) and value not in found:
                found.append(value)
    return found


KEYSETS = _keysets()
KINDS = (pagination.INT32, pagination.INT64, pagination.TEXT, pagination.DAY, pagination.INSTANT)
PROBE = {  # a well-typed value of each kind
    pagination.INT32: 1,
    pagination.INT64: 1,
    pagination.TEXT: "a",
    pagination.DAY: "2000-01-01",
    pagination.INSTANT: "2000-01-01T00:00:00+00:00",
}

# Where a path parameter of a list takes its values from (a list of the same document).
SOURCES = {"entity_id": "/v1/entities", "webhook_id": "/v1/webhooks"}

# -- what a cursor may hold ---------------------------------------------------------------------

UNDECODABLE = object()
_ISSUED_INSTANT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?[+-][0-9]{2}:[0-9]{2}"
)
_ASCII_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def encode(payload: Any, *, ascii_only: bool = True) -> str:
    """What the service's cursors look like: base64url, unpadded, of a JSON array."""
    text = json.dumps(payload, ensure_ascii=ascii_only)
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode().rstrip("=")


def payload_of(cursor: str) -> Any:
    """What ``cursor`` decodes to, read as leniently as a base64url decoder does."""
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, RecursionError):
        return UNDECODABLE


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def well_typed(kind: Any, value: Any) -> bool:
    """Whether ``value`` is one the service could have put in a cursor for a column of
    ``kind`` (independent of the service's own checks)."""
    if kind is pagination.INT32:
        return type(value) is int and -(2**31) <= value < 2**31
    if kind is pagination.INT64:
        return type(value) is int and -(2**63) <= value < 2**63
    if kind is pagination.TEXT:
        return isinstance(value, str) and "\x00" not in value and _utf8(value)
    if kind is pagination.DAY:
        if not isinstance(value, str) or not _ASCII_DAY.fullmatch(value):
            return False
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
    if kind is pagination.INSTANT:
        # Issued as datetime.isoformat() of an aware moment: nothing else (no NUL, no space).
        if not isinstance(value, str) or not _ISSUED_INSTANT.fullmatch(value):
            return False
        try:
            at = datetime.fromisoformat(value)
            # Issued from a stored UTC timestamp: one that is not a UTC instant of years
            # 1-9999 was never issued.
            return at.utcoffset() is not None and at.astimezone(UTC).year > 0
        except (ValueError, OverflowError):
            return False
    raise AssertionError(f"a kind of cursor key this test does not know: {kind!r}")


def may_be_issued(payload: Any, own: list[Keyset]) -> bool:
    """Whether a cursor decoding to ``payload`` is one the service could have issued for a
    list whose own order is among ``own``."""
    if not isinstance(payload, list) or not payload or not isinstance(payload[0], str):
        return False
    name, *key = payload
    return any(
        name == ks.name
        and len(key) == len(ks.kinds)
        and all(well_typed(kind, v) for kind, v in zip(ks.kinds, key, strict=True))
        for ks in own
    )


# -- the answers --------------------------------------------------------------------------------


def assert_invalid_cursor(r: Response, what: str) -> None:
    """A 422 problem+json naming the cursor."""
    assert r.status_code == 422, f"{what}: {r.status_code} {r.text[:500]}"
    assert r.headers["content-type"].startswith(PROBLEM), (what, r.headers)
    assert "Traceback" not in r.text
    body = r.json()
    assert body["status"] == 422, (what, body)
    assert ["query", "cursor"] in [e["loc"] for e in body.get("errors", [])], (what, body)


def assert_a_page(r: Response, what: str) -> Json:
    assert r.status_code == 200, f"{what}: {r.status_code} {r.text[:500]}"
    assert r.headers["content-type"].startswith("application/json"), (what, r.headers)
    page: Json = r.json()
    assert isinstance(page["items"], list), what
    assert page["next_cursor"] is None or isinstance(page["next_cursor"], str), what
    return page


# -- the lists, read through the API ------------------------------------------------------------


@dataclass
class Lists:
    client: TestClient
    secretariat: Headers
    _paths: dict[str, str] = field(default_factory=dict)
    _issued: dict[str, str | None] = field(default_factory=dict)
    _own: dict[str, list[Keyset]] = field(default_factory=dict)

    def get(self, op: ListOp, **params: Any) -> Response:
        headers = self.secretariat if op.keyed else {}
        r: Response = self.client.get(self.path(op), params=params, headers=headers)
        return r

    def path(self, op: ListOp) -> str:
        """The op's path with real ids: the first value whose list issues a cursor at
        `limit=1`, else the one with the most items."""
        if op.op_id not in self._paths:
            assert len(op.path_params) <= 1, f"{op.path}: fill one parameter after the other"
            path = op.path
            for name in op.path_params:
                assert name in SOURCES, f"{op.path}: no source of real values for {{{name}}}"
                values = [item["id"] for item in self._all(SOURCES[name])]
                assert values, f"no value for {{{name}}} in {SOURCES[name]}"
                counts: dict[Any, int] = {}
                for value in values:
                    filled = path.replace(f"{{{name}}}", str(value))
                    if op.paged and self._page(op, filled, limit=1)["next_cursor"] is not None:
                        path = filled
                        break
                    counts[value] = len(self._page(op, filled, **self._everything(op))["items"])
                else:
                    path = path.replace(f"{{{name}}}", str(max(values, key=counts.__getitem__)))
            self._paths[op.op_id] = path
        return self._paths[op.op_id]

    @staticmethod
    def _everything(op: ListOp) -> dict[str, Any]:
        return {"limit": 200} if op.paged else {}

    def _page(self, op: ListOp, path: str, **params: Any) -> Json:
        headers = self.secretariat if op.keyed else {}
        return body_of(self.client.get(path, params=params, headers=headers), 200)

    def _all(self, path: str) -> list[Json]:
        items: list[Json] = []
        params: dict[str, Any] = {"limit": 200}
        while True:
            page = body_of(self.client.get(path, params=params, headers=self.secretariat), 200)
            items.extend(page["items"])
            if page["next_cursor"] is None:
                return items
            params["cursor"] = page["next_cursor"]

    def issued(self, op: ListOp) -> str | None:
        """The cursor the service issues after the list's first item."""
        if op.op_id not in self._issued:
            page = assert_a_page(self.get(op, limit=1), op.path)
            self._issued[op.op_id] = page["next_cursor"]
        return self._issued[op.op_id]

    def own(self, op: ListOp) -> list[Keyset]:
        """The orders whose well-typed keys the list accepts: its own (at most one, or a cursor
        of one list would resume another)."""
        if op.op_id not in self._own:
            accepted = []
            for ks in KEYSETS:
                r = self.get(op, limit=1, cursor=encode([ks.name, *(PROBE[k] for k in ks.kinds)]))
                if r.status_code == 200:
                    accepted.append(ks)
                else:
                    assert_invalid_cursor(r, f"{op.path}, a well-typed key of {ks.name}")
            assert len(accepted) <= 1, (op.path, [ks.name for ks in accepted])
            self._own[op.op_id] = accepted
        return self._own[op.op_id]


@pytest.fixture
def lists(client: TestClient, keys: Keys) -> Lists:
    """The lists, with more data than the seed where it is cheap to add, so that more of them
    issue a cursor at `limit=1`: two webhook subscriptions (whose deliveries the writes below
    queue), two focal points of ILO (the change feed), an application, two expressions of
    interest in chairing next year."""
    sec = Keys.header(keys.secretariat)
    for n in (1, 2):
        hook = {"url": f"https://hooks{n}.example.org/icat", "events": ["*"]}
        body_of(client.post("/v1/webhooks", json=hook, headers=sec), 201)
    for n, primary in ((1, True), (2, False)):
        contact = {
            "external_id": f"CURSOR-{n}",
            "name": f"Contact {n}",
            "email": f"contact{n}@ilo.org",
            "is_primary": primary,
        }
        body_of(client.post("/v1/entities/ilo/focal-points", json=contact, headers=sec), 201)
    agency = {
        "id": "cursor-agency",
        "name": "Cursor Agency against Trafficking",
        "kind": "intergovernmental",
        "scope": "regional",
        "mandate_covers_tip": True,
    }
    body_of(client.post("/v1/entities", json=agency, headers=sec), 201)
    today = date.today()
    application = {
        "entity_id": "cursor-agency",
        "role": "partner",
        "submitted_on": today.isoformat(),
        "addressed_to": "coordinator",
        "letter_reference": "CURSOR/1",
    }
    body_of(client.post("/v1/applications", json=application, headers=sec), 201)
    for entity in ("unicef", "unhcr"):  # in Q1 of the year before the term (ToR 3.D.1)
        candidacy = {
            "entity_ids": [entity],
            "roles": [{"entity_id": entity, "tasks": list("abcdefghijklm")}],
            "submitted_on": min(today, date(today.year, 3, 31)).isoformat(),
            "term_year": today.year + 1,
        }
        body_of(client.post("/v1/chair-candidacies", json=candidacy, headers=sec), 201)
    return Lists(client, sec)


def _id(op: ListOp) -> str:
    return op.path


# -- the lists are found --------------------------------------------------------------------


def test_the_lists_are_those_of_the_document_the_app_serves(app: FastAPI) -> None:
    assert list_operations(app.openapi()) == LISTS
    assert PAGED, "no paged list found in the document"
    assert len({ks.name for ks in KEYSETS}) == len(KEYSETS), "two orders share a list name"
    for ks in KEYSETS:
        assert ks.kinds, ks.name
        assert all(any(kind is k for k in KINDS) for kind in ks.kinds), ks.name


@pytest.mark.parametrize("op", PAGED, ids=_id)
def test_a_well_typed_key_of_another_lists_order_is_a_422(lists: Lists, op: ListOp) -> None:
    """Every list's name with well-typed keys: refused by every list but (at most) its own."""
    assert len(lists.own(op)) <= 1


@pytest.mark.parametrize("op", WHOLE, ids=_id)
def test_a_list_without_a_cursor_parameter_answers_in_one_page(lists: Lists, op: ListOp) -> None:
    page = assert_a_page(lists.get(op), op.path)
    assert page["next_cursor"] is None, (op.path, page)


# -- the cursors the service issued -------------------------------------------------------------


@pytest.mark.parametrize("op", PAGED, ids=_id)
def test_a_cursor_the_service_issued_resumes_its_list(lists: Lists, op: ListOp) -> None:
    first = assert_a_page(lists.get(op, limit=1), op.path)
    everything = assert_a_page(lists.get(op, limit=200), op.path)["items"]
    cursor = lists.issued(op)
    if cursor is None:  # nothing more than one item to page through
        assert len(everything) <= 1, (op.path, len(everything))
        return
    second = assert_a_page(lists.get(op, limit=1, cursor=cursor), op.path)
    assert second["items"], op.path
    assert first["items"] + second["items"] == everything[:2], op.path


@pytest.mark.parametrize("op", PAGED, ids=_id)
def test_a_cursor_issued_for_another_list_is_a_422(lists: Lists, op: ListOp) -> None:
    others = [(other, lists.issued(other)) for other in PAGED if other != op]
    issued = [(other, cursor) for other, cursor in others if cursor is not None]
    assert issued, "no other list issued a cursor"
    for other, cursor in issued:
        assert_invalid_cursor(
            lists.get(op, cursor=cursor), f"{op.path} with a cursor of {lists.path(other)}"
        )


# -- wrong-typed keys of the list's own order, one by one ---------------------------------------

NOT_TEXT: list[Any] = [None, True, False, 0, 1, -1, 1.5, 1.0, [], ["a"], {}, {"a": 1}]
INVALID: dict[Any, list[Any]] = {
    pagination.INT32: [
        2**31,
        -(2**31) - 1,
        2**63,
        -(2**63) - 1,
        10**30,
        1.0,
        0.5,
        -0.0,
        True,
        False,
        None,
        "1",
        "",
        [1],
        {"id": 1},
    ],
    pagination.INT64: [2**63, -(2**63) - 1, 2**64, 10**30, 1.0, True, None, "1", [1], {"id": 1}],
    pagination.TEXT: [*NOT_TEXT, "\x00", "ilo\x00", "\ud800", "ilo\udfff", "\udc00\ud800"],
    pagination.DAY: [
        *NOT_TEXT,
        20200102,
        "",
        "2020-01-02T00:00:00",
        "2020-01-02T00:00:00+00:00",
        "2020-01-02 ",
        " 2020-01-02",
        "2020-1-2",
        "20200102",
        "2020/01/02",
        "02/01/2020",
        "01/02/2020",
        "02.01.2020",
        "2 January 2020",
        "2020-13-01",
        "2020-02-30",
        "0000-01-01",
        "10000-01-01",
        "2020-W01-4",
        "2020-002",
        "\u0662\u0660\u0662\u0660-\u0660\u0661-\u0660\u0662"  # Arabic-Indic digits,
        "\uff12\uff10\uff12\uff10-\uff10\uff11-\uff10\uff12"  # full-width digits,
        "2020-01-02\x00",
        "2020-01-0\ud800",
    ],
    pagination.INSTANT: [
        *NOT_TEXT,
        1577934245,
        "",
        "2020-01-02",
        "2020-01-02T03:04:05",
        "2020-01-02 03:04:05",
        "2020-01-02T03:04:05.123456",
        "0001-01-01T00:00:00",
        "9999-12-31T23:59:59.999999",
        "0001-01-01T00:00:00+00:01",
        "0001-01-01T00:00:00+01:00",
        "0001-01-01T00:00:00+23:59",
        "9999-12-31T23:59:59-00:01",
        "9999-12-31T23:59:59-01:00",
        "9999-12-31T23:59:59.999999-23:59",
        "2020-01-02T03:04:05+24:00",
        "2020-01-02T03:04:05+99:99",
        "2020-01-02T25:00:00+00:00",
        "Thu, 02 Jan 2020 03:04:05 GMT",
        "02/01/2020 03:04:05",
        "2020-01-02T03:04:05+00:00\x00",
        "2020-01-02T03:04:05\ud800",
        "\u0662\u0660\u0662\u0660-\u0660\u0661-\u0660\u0662T03:04:05+00:00",
    ],
}


def _wrong_keys(ks: Keyset) -> Iterator[tuple[str, list[Any]]]:
    probe = [PROBE[k] for k in ks.kinds]
    yield "no key", [ks.name]
    yield "a key too many", [ks.name, *probe, probe[-1]]
    yield "the key without the name", probe if len(probe) > 1 else [probe[0], probe[0]]
    yield "the name in another case", [ks.name.upper(), *probe]
    for i, kind in enumerate(ks.kinds):
        for bad in INVALID[kind]:
            yield f"key {i} = {bad!r}", [ks.name, *probe[:i], bad, *probe[i + 1 :]]


@pytest.mark.parametrize("op", PAGED, ids=_id)
def test_the_list_name_with_wrong_typed_keys_is_a_422(lists: Lists, op: ListOp) -> None:
    own = lists.own(op)
    for ks in own or KEYSETS:
        for what, payload in _wrong_keys(ks):
            assert not may_be_issued(payload, own), (what, payload)
            for ascii_only in (True, False):
                cursor = encode(payload, ascii_only=ascii_only)
                assert_invalid_cursor(lists.get(op, limit=1, cursor=cursor), f"{op.path}, {what}")


# -- forged cursors, generated ------------------------------------------------------------------

BOUNDS = [2**31, 2**31 + 1, -(2**31) - 1, 2**63, 2**63 + 1, -(2**63) - 1, 2**64, 10**40, -(10**40)]
OFFSETS = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
MOMENTS = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59))
EDGES = st.sampled_from(
    [
        datetime(1, 1, 1),
        datetime(1, 1, 1, 23, 59, 59),
        datetime(9999, 12, 31, 0, 0, 1),
        datetime(9999, 12, 31, 23, 59, 59, 999999),
    ]
)
NAIVE = st.one_of(MOMENTS, EDGES).map(lambda d: d.isoformat(sep=" " if d.second % 2 else "T"))
AWARE = st.builds(
    lambda d, tz: d.replace(tzinfo=tz).isoformat(), st.one_of(MOMENTS, EDGES), OFFSETS
)
OTHER_FORMATS = st.sampled_from(
    [v for v in INVALID[pagination.DAY] + INVALID[pagination.INSTANT] if isinstance(v, str)]
)
NASTY = st.one_of(
    st.sampled_from(
        ["\x00", "\ud800", "\udfff", "\ud83d\x00", "'; DROP TABLE entities; --", "%00"]
    ),
    st.builds(
        lambda a, b, c: a + b + c,
        st.text(max_size=8),
        st.sampled_from(["\x00", "\ud800"]),
        st.text(max_size=8),
    ),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(BOUNDS),
    st.floats(),
    st.text(max_size=20),
    NASTY,
    NAIVE,
    AWARE,
    st.dates().map(date.isoformat),
    OTHER_FORMATS,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
VALID: dict[Any, st.SearchStrategy[Any]] = {
    pagination.INT32: st.integers(-(2**31), 2**31 - 1),
    pagination.INT64: st.integers(-(2**63), 2**63 - 1),
    pagination.TEXT: st.text(max_size=30),
    pagination.DAY: st.dates().map(date.isoformat),
    pagination.INSTANT: AWARE,
}
NOT_TEXT_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.lists(SCALARS, max_size=2)
)
WRONG: dict[Any, st.SearchStrategy[Any]] = {
    pagination.INT32: st.one_of(
        st.integers(min_value=2**31),
        st.integers(max_value=-(2**31) - 1),
        st.sampled_from(BOUNDS),
        st.floats(),
        st.integers().map(float),
        st.integers().map(str),
        st.booleans(),
        st.none(),
        VALUES,
    ),
    pagination.INT64: st.one_of(
        st.integers(min_value=2**63),
        st.integers(max_value=-(2**63) - 1),
        st.floats(),
        st.integers().map(str),
        st.booleans(),
        VALUES,
    ),
    pagination.TEXT: st.one_of(NOT_TEXT_VALUES, NASTY),
    pagination.DAY: st.one_of(NOT_TEXT_VALUES, NAIVE, AWARE, OTHER_FORMATS, NASTY),
    pagination.INSTANT: st.one_of(NOT_TEXT_VALUES, NAIVE, AWARE, OTHER_FORMATS, NASTY),
}


@st.composite
def _wrong_typed(draw: st.DrawFn, keysets: Sequence[Keyset]) -> list[Any]:
    """A list's name with keys of which at least one is of a wrong type."""
    ks = draw(st.sampled_from(keysets))
    key = [draw(VALID[kind]) for kind in ks.kinds]
    i = draw(st.integers(0, len(key) - 1))
    key[i] = draw(WRONG[ks.kinds[i]])
    if draw(st.booleans()):
        key = draw(st.permutations(key))
    return [ks.name, *key]


@st.composite
def _right_types(draw: st.DrawFn, keysets: Sequence[Keyset]) -> list[Any]:
    """A list's name with keys of the right types, some of which no column holds (instants
    that are no UTC instant of years 1-9999)."""
    ks = draw(st.sampled_from(keysets))
    return [ks.name, *(draw(VALID[kind]) for kind in ks.kinds)]


@st.composite
def _wrong_length(draw: st.DrawFn, keysets: Sequence[Keyset]) -> list[Any]:
    ks = draw(st.sampled_from(keysets))
    n = draw(st.integers(0, 4).filter(lambda n: n != len(ks.kinds)))
    return [ks.name, *(draw(VALID[ks.kinds[i % len(ks.kinds)]]) for i in range(n))]


def _payloads(keysets: Sequence[Keyset]) -> st.SearchStrategy[Any]:
    return st.one_of(_wrong_typed(keysets), _right_types(keysets), _wrong_length(keysets))


NAMES = st.sampled_from(sorted({ks.name for ks in KEYSETS}))
ANY_PAYLOAD = st.one_of(
    st.lists(VALUES, max_size=5),  # anything, the name included
    st.builds(lambda name, key: [name, *key], NAMES, st.lists(VALUES, max_size=4)),
    _payloads(KEYSETS),
    VALUES,  # not a list
)


@st.composite
def _encoded(draw: st.DrawFn, payloads: st.SearchStrategy[Any]) -> str:
    payload = draw(payloads)
    text = json.dumps(payload)  # ASCII: lone surrogates as \ud800 escapes
    raw = draw(
        st.sampled_from(
            [
                text.encode(),
                json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass"),
                text.encode("utf-16"),
                text.encode("utf-32-le"),
            ]
        )
    )
    encoded = base64.urlsafe_b64encode(raw).decode()
    how = draw(st.sampled_from(["unpadded", "unpadded", "padded", "standard", "truncated", "raw"]))
    if how == "unpadded":
        return encoded.rstrip("=")
    if how == "standard":
        return base64.b64encode(raw).decode()
    if how == "truncated":
        return encoded.rstrip("=")[: draw(st.integers(0, max(0, len(encoded) - 2)))]
    if how == "raw":
        return text
    return encoded


ANY_CURSOR = st.one_of(
    st.text(max_size=600),  # anything at all, longer than the 500 allowed too
    st.from_regex(r"[A-Za-z0-9_=-]{0,120}", fullmatch=True),  # base64url's alphabet
    st.binary(max_size=300).map(lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")),
    _encoded(ANY_PAYLOAD),
)


@functools.cache
def cursors_for(names: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Forged cursors for a list whose own orders are named ``names``: half of them anything,
    half of them its own name with wrong keys (the unpadded encoding the service uses)."""
    own = [ks for ks in KEYSETS if ks.name in names] or KEYSETS
    return st.one_of(ANY_CURSOR, _encoded(_payloads(own)))


def forged_cursors_are_refused(lists: Lists, op: ListOp, cursor: str) -> None:
    r = lists.get(op, limit=1, cursor=cursor)
    what = f"{op.path}, cursor {cursor!r} = {payload_of(cursor)!r}"
    if may_be_issued(payload_of(cursor), lists.own(op)):
        # indistinguishable from one the service issued: a page, or a 422
        if r.status_code == 200:
            assert_a_page(r, what)
        else:
            assert_invalid_cursor(r, what)
    else:
        assert_invalid_cursor(r, what)


@pytest.mark.parametrize("op", PAGED, ids=_id)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_cursor_the_service_did_not_issue_is_a_422(
    lists: Lists, op: ListOp, data: st.DataObject
) -> None:
    """Random strings; base64 of random JSON (ints past ±2^31 and ±2^63, floats, booleans,
    null, nested arrays and objects, strings with NUL or a lone surrogate, naive and aware
    timestamps, days in other formats) in UTF-8, CESU-8, UTF-16 and UTF-32, padded, unpadded,
    truncated; every list's name with keys of wrong types, of the right types but out of any
    column's range, too few or too many. The list's own name is drawn half of the time."""
    own = tuple(ks.name for ks in lists.own(op))
    cursor = data.draw(cursors_for(own), label="cursor")
    forged_cursors_are_refused(lists, op, cursor)
