"""What careless scripts and hostile callers send, on every write endpoint and on the list and read
endpoints' parameters: each gets a clear problem+json answer (DESIGN §4), and nothing is stored.
"""

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from icat_api.db import Base
from icat_api.entities.models import Membership
from tests.conftest import Keys

MIB = 1024 * 1024
PROBLEM_KEYS = ("type", "title", "status", "detail")
STACK_TRACE_MARKERS = ("Traceback", 'File "', "sqlalchemy.", "site-packages")


# -- the endpoints and what a valid call to each looks like ------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # "{mid}" stands for an open membership of the Council of Europe
    valid: dict[str, Any]
    text_field: str  # a free-text field, for NUL bytes and 10,000-character strings


ENDPOINTS = (
    Endpoint(
        "create-entity",
        "POST",
        "/v1/entities",
        {
            "id": "new-agency",
            "name": "New Agency against Trafficking",
            "kind": "intergovernmental",
            "scope": "regional",
            "mandate_covers_tip": True,
        },
        "name",
    ),
    Endpoint(
        "patch-entity",
        "PATCH",
        "/v1/entities/unodc",
        {"website": "https://www.unodc.org/unodc/en/human-trafficking/"},
        "name",
    ),
    Endpoint(
        "add-membership",
        "POST",
        "/v1/entities/unodc/memberships",
        {"role": "partner", "starts_on": "2001-01-01", "ends_on": "2002-01-01", "note": "test"},
        "note",
    ),
    Endpoint(
        "end-membership",
        "POST",
        "/v1/entities/council-of-europe/memberships/{mid}/end",
        {"ends_on": "2024-01-01", "note": "test"},
        "note",
    ),
    Endpoint(
        "create-chair-term",
        "POST",
        "/v1/chair-terms",
        {"start_year": 2020, "entity_ids": ["unodc"], "note": "test"},
        "note",
    ),
)
BY_NAME = {e.name: e for e in ENDPOINTS}


@pytest.fixture
def open_mid(db: Session) -> int:
    """The id of the Council of Europe's open partnership (seeded)."""
    mid = db.scalar(
        select(Membership.id).where(
            Membership.entity_id == "council-of-europe", Membership.ends_on.is_(None)
        )
    )
    assert mid is not None
    return mid


def url(endpoint: Endpoint, mid: int) -> str:
    return endpoint.path.replace("{mid}", str(mid))


# -- what every refusal must look like, and proof that nothing was stored -----------------------


def snapshot(client: TestClient, db: Session, mid: int) -> dict[str, Any]:
    """Row counts of every table, and the resources the write endpoints touch, as served."""
    counts = {
        table.name: db.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }
    return {
        "counts": counts,
        "unodc": client.get("/v1/entities/unodc").json(),
        "membership": client.get(f"/v1/entities/council-of-europe/memberships/{mid}").json(),
        "unodc_memberships": client.get("/v1/entities/unodc/memberships?limit=200").json(),
        "chairs": client.get("/v1/chairs?limit=200").json(),
        "entities": len(client.get("/v1/entities?limit=200").json()["items"]),
    }


@pytest.fixture
def before(client: TestClient, db: Session, keys: Keys, open_mid: int) -> dict[str, Any]:
    """The state before the test's request (taken after the keys are made)."""
    return snapshot(client, db, open_mid)


def assert_problem(r: Response, status: int, *, field: str | None = None) -> dict[str, Any]:
    """``r`` is problem+json with ``status``; with ``field``, an error names that field."""
    assert r.status_code == status, r.text[:500]
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    for marker in STACK_TRACE_MARKERS:
        assert marker not in r.text
    body: dict[str, Any] = r.json()
    for key in PROBLEM_KEYS:
        assert key in body, body
    assert body["status"] == status
    for key in ("type", "title", "detail"):
        assert isinstance(body[key], str)
        assert body[key].strip()
    if status == 401:
        assert r.headers.get("www-authenticate", "").lower().startswith("bearer")
    if field is not None:
        errors = body.get("errors")
        assert isinstance(errors, list), body
        assert errors, body
        for error in errors:
            assert isinstance(error["loc"], list)
            assert isinstance(error["msg"], str)
            assert error["msg"]
        assert any(field in error["loc"] for error in errors), errors
    return body


def assert_nothing_stored(
    client: TestClient, db: Session, mid: int, before: dict[str, Any]
) -> None:
    assert snapshot(client, db, mid) == before


def send(
    client: TestClient,
    endpoint: Endpoint,
    mid: int,
    headers: dict[str, str],
    *,
    json_body: Any = None,
    content: bytes | str | Iterator[bytes] | None = None,
    content_type: str = "application/json",
) -> Response:
    """Sends ``json_body`` (serialized as is) or raw ``content`` to ``endpoint``."""
    if content is None:
        content = json.dumps(json_body)
    r: Response = client.request(
        endpoint.method,
        url(endpoint, mid),
        content=content,
        headers={**headers, "Content-Type": content_type},
    )
    return r


def with_(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**body, **changes}


# -- the control: each valid body is accepted, so each refusal below is the bad part's doing ----


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_the_valid_body_of_each_write_is_accepted_and_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    open_mid: int,
    before: dict[str, Any],
    endpoint: Endpoint,
) -> None:
    r = send(client, endpoint, open_mid, sec, json_body=endpoint.valid)
    assert r.status_code in (200, 201), r.text
    after = snapshot(client, db, open_mid)
    assert after["counts"]["audit_events"] == before["counts"]["audit_events"] + 1


# -- bodies that are not JSON objects ------------------------------------------------------------

MALFORMED_JSON = {
    "truncated": b'{"id": "new-agency",',
    "single-quotes": b"{'id': 'new-agency'}",
    "trailing-garbage": b'{"id": "new-agency"} xyz',
    "bare-word": b"hello",
    "invalid-utf8": b'{"name": "\xff\xfe"}',
    "too-deep-to-parse": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("raw", MALFORMED_JSON.values(), ids=list(MALFORMED_JSON))
def test_malformed_json_is_a_400_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    open_mid: int,
    before: dict[str, Any],
    endpoint: Endpoint,
    raw: bytes,
) -> None:
    r = send(client, endpoint, open_mid, sec, content=raw)
    assert_problem(r, 400)
    assert_nothing_stored(client, db, open_mid, before)


NOT_AN_OBJECT = {
    "array": b"[]",
    "array-of-the-object": None,  # filled per endpoint: [valid]
    "number": b"42",
    "string": b'"new-agency"',
    "true": b"true",
    "null": b"null",
    "empty-body": b"",
}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("case", list(NOT_AN_OBJECT))
def test_json_that_is_not_an_object_is_refused_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    open_mid: int,
    before: dict[str, Any],
    endpoint: Endpoint,
    case: str,
) -> None:
    raw = NOT_AN_OBJECT[case]
    if raw is None:
        raw = json.dumps([endpoint.valid]).encode()
    r = send(client, endpoint, open_mid, sec, content=raw)
    assert_problem(r, 422, field="body")
    assert_nothing_stored(client, db, open_mid, before)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize(
    ("content_type", "encode"),
    [
        ("text/plain", lambda b: json.dumps(b)),
        ("application/xml", lambda b: "<entity><id>new-agency</id></entity>"),
        ("application/x-www-form-urlencoded", lambda b: "id=new-agency&name=x"),
        ("multipart/form-data; boundary=xyz", lambda b: "--xyz\r\n\r\nx\r\n--xyz--\r\n"),
    ],
    ids=["text-plain", "xml", "form-urlencoded", "multipart"],
)
def test_a_body_that_is_not_declared_json_is_a_415_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    open_mid: int,
    before: dict[str, Any],
    endpoint: Endpoint,
    content_type: str,
    encode: Callable[[dict[str, Any]], str],
) -> None:
    """RFC 9110 §15.5.16: a body in a format the operation does not take is 415 (problems.py
    has its title); the API takes JSON only (DESIGN §4)."""
    r = send(
        client, endpoint, open_mid, sec, content=encode(endpoint.valid), content_type=content_type
    )
    assert_problem(r, 415)
    assert_nothing_stored(client, db, open_mid, before)


# -- unknown fields, wrong types, out-of-range values ------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("is_admin", True),
        ("secretariat", True),
        ("created_at", "2020-01-01T00:00:00Z"),
        ("__proto__", {"admin": True}),
        ("nested", json.loads("[" * 500 + "]" * 500)),
    ],
    ids=["is_admin", "secretariat", "created_at", "proto", "deeply-nested"],
)
def test_unknown_field_is_refused_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    open_mid: int,
    before: dict[str, Any],
    endpoint: Endpoint,
    field: str,
    value: Any,
) -> None:
    r = send(client, endpoint, open_mid, sec, json_body=with_(endpoint.valid, **{field: value}))
    assert_problem(r, 422, field=field)
    assert_nothing_stored(client, db, open_mid, before)


NOT_SLUGS = {
    "upper-case": "UNODC",
    "mixed-case": "Un-Women",
    "space": "un odc",
    "tab": "un\todc",
    "unicode": "ünodc",
    "cyrillic-lookalike": "unоdc",  # noqa: RUF001 - the "o" is Cyrillic on purpose
    "zero-width": "unodc\u200b",
    "emoji": "unodc-\U0001f600",
    "too-long": "a" * 65,
    "one-char": "a",
    "empty": "",
    "leading-hyphen": "-unodc",
    "trailing-hyphen": "unodc-",
    "double-hyphen": "un--odc",
    "underscore": "un_odc",
    "dot-dot": "..",
    "traversal": "../../etc/passwd",
    "slash": "un/odc",
    "backslash": "..\\..\\etc",
    "sql": "x'; DROP TABLE entities; --",
    "nul": "un\x00odc",
}

# (endpoint, body changes, the field the error must name)
FIELD_CASES: list[tuple[str, dict[str, Any], str]] = [
    *(("create-entity", {"id": v}, "id") for v in NOT_SLUGS.values()),
    ("create-entity", {"id": 12345}, "id"),
    ("create-entity", {"id": None}, "id"),
    ("create-entity", {"id": ["unodc"]}, "id"),
    ("create-entity", {"name": 123}, "name"),
    ("create-entity", {"name": ["x"]}, "name"),
    ("create-entity", {"name": ""}, "name"),
    ("create-entity", {"name": "   "}, "name"),
    ("create-entity", {"kind": "ngo"}, "kind"),
    ("create-entity", {"kind": 1}, "kind"),
    ("create-entity", {"scope": "planetary"}, "scope"),
    ("create-entity", {"un_system": "maybe"}, "un_system"),
    ("create-entity", {"un_system": [True]}, "un_system"),
    ("create-entity", {"mandate_covers_tip": {"yes": True}}, "mandate_covers_tip"),
    ("create-entity", {"website": "javascript:alert(1)"}, "website"),
    ("create-entity", {"website": "ftp://example.org"}, "website"),
    ("create-entity", {"website": "https://" + "a" * 10_000 + ".org"}, "website"),
    ("create-entity", {"acronym": "A" * 10_000}, "acronym"),
    ("create-entity", {"mandate_reference": "m" * 10_000}, "mandate_reference"),
    ("create-entity", {"kind": "non_governmental", "un_system": True}, "body"),
    ("create-entity", {"status": "member"}, "status"),
    ("patch-entity", {"id": "unodc-2"}, "id"),
    ("patch-entity", {"name": None}, "body"),
    ("patch-entity", {"kind": None}, "body"),
    ("patch-entity", {"un_system": None}, "body"),
    ("patch-entity", {"name": 1}, "name"),
    ("patch-entity", {"kind": "ngo"}, "kind"),
    ("patch-entity", {"website": "not a url"}, "website"),
    ("patch-entity", {"status": "former_member"}, "status"),
    ("patch-entity", {"updated_at": "2000-01-01T00:00:00Z"}, "updated_at"),
    ("add-membership", {"role": "chair"}, "role"),
    ("add-membership", {"role": "MEMBER"}, "role"),
    ("add-membership", {"role": 1}, "role"),
    ("add-membership", {"role": None}, "role"),
    ("add-membership", {"starts_on": "0001-01-01"}, "starts_on"),
    ("add-membership", {"starts_on": "9999-12-31", "ends_on": None}, "starts_on"),
    ("add-membership", {"starts_on": "2019-02-30"}, "starts_on"),
    ("add-membership", {"starts_on": "2019-13-01"}, "starts_on"),
    ("add-membership", {"starts_on": "2019/01/01"}, "starts_on"),
    ("add-membership", {"starts_on": "01-01-2001"}, "starts_on"),
    ("add-membership", {"starts_on": "yesterday"}, "starts_on"),
    ("add-membership", {"starts_on": ""}, "starts_on"),
    ("add-membership", {"starts_on": [2001, 1, 1]}, "starts_on"),
    ("add-membership", {"starts_on": None}, "starts_on"),
    ("add-membership", {"ends_on": "9999-12-31"}, "ends_on"),
    ("add-membership", {"ends_on": "2000-01-01"}, "body"),
    ("add-membership", {"ends_on": "2001-01-01"}, "body"),
    ("add-membership", {"entity_id": "ilo"}, "entity_id"),
    ("add-membership", {"admission_decision_id": 1}, "admission_decision_id"),
    ("add-membership", {"id": 1}, "id"),
    ("end-membership", {"ends_on": "0001-01-01"}, "ends_on"),
    ("end-membership", {"ends_on": "9999-12-31"}, "ends_on"),
    ("end-membership", {"ends_on": "2019-02-30"}, "ends_on"),
    ("end-membership", {"ends_on": "2023-02-29"}, "ends_on"),
    ("end-membership", {"ends_on": True}, "ends_on"),
    ("end-membership", {"ends_on": None}, "ends_on"),
    ("end-membership", {"ends_on": "2018-12-31"}, "ends_on"),  # before it started
    ("end-membership", {"role": "member"}, "role"),
    ("end-membership", {"starts_on": "2001-01-01"}, "starts_on"),
    ("create-chair-term", {"start_year": 1999}, "start_year"),
    ("create-chair-term", {"start_year": 2101}, "start_year"),
    ("create-chair-term", {"start_year": -1}, "start_year"),
    ("create-chair-term", {"start_year": 10**30}, "start_year"),
    ("create-chair-term", {"start_year": 2020.5}, "start_year"),
    ("create-chair-term", {"start_year": "twenty"}, "start_year"),
    ("create-chair-term", {"start_year": None}, "start_year"),
    ("create-chair-term", {"start_year": 2021, "end_year": 2020}, "body"),
    ("create-chair-term", {"end_year": 9999}, "end_year"),
    ("create-chair-term", {"entity_ids": "unodc"}, "entity_ids"),
    ("create-chair-term", {"entity_ids": []}, "entity_ids"),
    ("create-chair-term", {"entity_ids": ["UNODC"]}, "entity_ids"),
    ("create-chair-term", {"entity_ids": ["../../etc"]}, "entity_ids"),
    ("create-chair-term", {"entity_ids": ["a" * 65]}, "entity_ids"),
    ("create-chair-term", {"entity_ids": [1]}, "entity_ids"),
    ("create-chair-term", {"entity_ids": ["unodc", "unodc"]}, "body"),
    ("create-chair-term", {"entity_ids": ["ilo"] * 11}, "entity_ids"),
    ("create-chair-term", {"entity_ids": ["no-such-agency"]}, "entity_ids"),
    ("create-chair-term", {"roles": [{"entity_id": "unodc", "tasks": ["z"]}]}, "roles"),
    ("create-chair-term", {"roles": [{"entity_id": "unodc", "tasks": []}]}, "roles"),
    ("create-chair-term", {"roles": [{"entity_id": "unodc", "tasks": "abc"}]}, "roles"),
    ("create-chair-term", {"roles": [{"entity_id": "unodc", "tasks": ["a"], "x": 1}]}, "roles"),
    ("create-chair-term", {"roles": {"unodc": ["a"]}}, "roles"),
    ("create-chair-term", {"election_decision_id": 1}, "election_decision_id"),
]


@pytest.mark.parametrize(
    ("endpoint_name", "changes", "field"),
    FIELD_CASES,
    ids=[f"{e}-{i}-{f}" for i, (e, _, f) in enumerate(FIELD_CASES)],
)
def test_wrong_type_or_value_is_a_422_naming_the_field_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    open_mid: int,
    before: dict[str, Any],
    endpoint_name: str,
    changes: dict[str, Any],
    field: str,
) -> None:
    endpoint = BY_NAME[endpoint_name]
    r = send(client, endpoint, open_mid, sec, json_body=with_(endpoint.valid, **changes))
    assert_problem(r, 422, field=field)
    assert_nothing_stored(client, db, open_mid, before)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize(
    "value",
    [
        "UN\x00ODC",
        "\x00",
        "trailing NUL\x00",
        "x" * 10_000,
        "\U0001f600" * 10_000,
        "\ud800 lone surrogate",
    ],
    ids=["nul-inside", "nul-only", "nul-trailing", "10000-chars", "10000-emoji", "surrogate"],
)
def test_nul_bytes_huge_strings_and_lone_surrogates_are_refused_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    open_mid: int,
    before: dict[str, Any],
    endpoint: Endpoint,
    value: str,
) -> None:
    body = with_(endpoint.valid, **{endpoint.text_field: value})
    # json.dumps escapes NUL and lone surrogates (\u0000, \ud800): valid JSON text, bad strings.
    r = send(client, endpoint, open_mid, sec, json_body=body)
    assert_problem(r, 422, field=endpoint.text_field)
    assert_nothing_stored(client, db, open_mid, before)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_nul_inside_a_field_name_is_refused_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    open_mid: int,
    before: dict[str, Any],
    endpoint: Endpoint,
) -> None:
    r = send(client, endpoint, open_mid, sec, json_body=with_(endpoint.valid, **{"n\x00te": "x"}))
    assert_problem(r, 422, field="n\x00te")
    assert_nothing_stored(client, db, open_mid, before)


@pytest.mark.parametrize(
    "value",
    [
        "Organisation internationale de la Francophonie — Genève",
        "المنظمة الدولية للهجرة",
        "国际移民组织",
        "Ω \U0001f30d",
    ],
    ids=["french", "arabic", "chinese", "emoji"],
)
def test_unicode_names_are_stored_exactly(
    client: TestClient, sec: dict[str, str], value: str
) -> None:
    """Unicode in free text is not bad input: it is stored and answered byte for byte."""
    body = with_(BY_NAME["create-entity"].valid, name=value)
    r = client.post("/v1/entities", json=body, headers=sec)
    assert r.status_code == 201, r.text
    assert client.get("/v1/entities/new-agency").json()["name"] == value


# -- bodies over 1 MiB ---------------------------------------------------------------------------


def padded(body: dict[str, Any], size: int) -> bytes:
    """``body`` with its text padded so that the JSON is larger than ``size`` bytes."""
    return json.dumps(with_(body, padding="x" * size)).encode()


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_a_body_over_1_mib_with_content_length_is_a_413_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    open_mid: int,
    before: dict[str, Any],
    endpoint: Endpoint,
) -> None:
    raw = padded(endpoint.valid, MIB)
    r = send(client, endpoint, open_mid, sec, content=raw)
    assert_problem(r, 413)
    assert_nothing_stored(client, db, open_mid, before)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_a_body_over_1_mib_streamed_without_content_length_is_a_413_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    open_mid: int,
    before: dict[str, Any],
    endpoint: Endpoint,
) -> None:
    raw = padded(endpoint.valid, MIB)

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(raw), 64 * 1024):
            yield raw[i : i + 64 * 1024]

    r = send(client, endpoint, open_mid, sec, content=chunks())
    assert_problem(r, 413)
    assert_nothing_stored(client, db, open_mid, before)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_a_streamed_body_under_the_limit_is_not_refused_for_its_size(
    client: TestClient, sec: dict[str, str], open_mid: int, endpoint: Endpoint
) -> None:
    """The control for the streamed 413: a small chunked body is read and validated as usual."""
    raw = json.dumps(endpoint.valid).encode()

    def chunks() -> Iterator[bytes]:
        yield raw[:5]
        yield raw[5:]

    r = send(client, endpoint, open_mid, sec, content=chunks())
    assert r.status_code in (200, 201), r.text


# -- keys that do not open the door --------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("which", ["forged", "forged-long", "revoked"])
def test_a_forged_or_revoked_key_is_a_401_and_nothing_stored(
    client: TestClient,
    db: Session,
    keys: Keys,
    open_mid: int,
    before: dict[str, Any],
    endpoint: Endpoint,
    which: str,
) -> None:
    key = {
        "forged": "icat_" + "A" * 43,
        "forged-long": "icat_" + "B" * 10_000,
        "revoked": keys.revoked,
    }[which]
    r = send(client, endpoint, open_mid, Keys.header(key), json_body=endpoint.valid)
    assert_problem(r, 401)
    assert_nothing_stored(client, db, open_mid, before)


# -- ids in paths --------------------------------------------------------------------------------

PATH_ID_CASES = {
    "upper-case": "UNODC",
    "space": "un%20odc",
    "plus": "un+odc",
    "unicode": "%C3%BCnodc",
    "too-long": "a" * 65,
    "one-char": "a",
    "underscore": "un_odc",
    "leading-hyphen": "-unodc",
    "nul": "un%00odc",
    "dot-dot-encoded": "%2e%2e",
    "dot-dot-upper-encoded": "%2E%2E",
    "semicolon": "unodc;drop",
    "quote": "unodc%27--",
}

PATH_TEMPLATES = [
    ("GET", "/v1/entities/{id}", None),
    ("PATCH", "/v1/entities/{id}", "patch-entity"),
    ("GET", "/v1/entities/{id}/memberships", None),
    ("POST", "/v1/entities/{id}/memberships", "add-membership"),
    ("GET", "/v1/entities/{id}/memberships/{mid}", None),
    ("POST", "/v1/entities/{id}/memberships/{mid}/end", "end-membership"),
]


@pytest.mark.parametrize(
    ("method", "template", "endpoint_name"),
    PATH_TEMPLATES,
    ids=[f"{m}-{t}" for m, t, _ in PATH_TEMPLATES],
)
@pytest.mark.parametrize("entity_id", PATH_ID_CASES.values(), ids=list(PATH_ID_CASES))
def test_an_entity_id_in_the_path_that_is_not_a_slug_is_a_422_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    open_mid: int,
    before: dict[str, Any],
    method: str,
    template: str,
    endpoint_name: str | None,
    entity_id: str,
) -> None:
    path = template.replace("{id}", entity_id).replace("{mid}", str(open_mid))
    body = BY_NAME[endpoint_name].valid if endpoint_name else None
    r = client.request(method, path, json=body, headers=sec)
    assert_problem(r, 422, field="entity_id")
    assert_nothing_stored(client, db, open_mid, before)


TRAVERSALS = {
    "encoded-slashes": "..%2F..%2Fetc",
    "encoded-slashes-lower": "..%2f..%2fpasswd",
    "encoded-backslashes": "..%5C..%5Cetc",
    "dot-dot-then-id": "%2e%2e%2Funodc",
}


@pytest.mark.parametrize(
    ("method", "template", "endpoint_name"),
    PATH_TEMPLATES,
    ids=[f"{m}-{t}" for m, t, _ in PATH_TEMPLATES],
)
@pytest.mark.parametrize("entity_id", TRAVERSALS.values(), ids=list(TRAVERSALS))
def test_path_traversal_in_an_id_is_refused_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    open_mid: int,
    before: dict[str, Any],
    method: str,
    template: str,
    endpoint_name: str | None,
    entity_id: str,
) -> None:
    """An id that decodes to several path segments matches no route (404); one that stays a
    single segment fails the slug pattern (422). Either way a problem, never a file or a 500."""
    path = template.replace("{id}", entity_id).replace("{mid}", str(open_mid))
    body = BY_NAME[endpoint_name].valid if endpoint_name else None
    r = client.request(method, path, json=body, headers=sec)
    decoded_segments = entity_id.replace("%2F", "/").replace("%2f", "/").count("/") + 1
    if decoded_segments > 1:
        assert_problem(r, 404)
    else:
        assert_problem(r, 422, field="entity_id")
    assert_nothing_stored(client, db, open_mid, before)


@pytest.mark.parametrize(
    ("method", "template", "endpoint_name"),
    [
        ("GET", "/v1/entities/council-of-europe/memberships/{mid}", None),
        ("POST", "/v1/entities/council-of-europe/memberships/{mid}/end", "end-membership"),
    ],
    ids=["read", "end"],
)
@pytest.mark.parametrize(
    "mid", ["abc", "0", "-1", "1.5", "1e3", "2147483648", "9" * 40, "%2e%2e"], ids=str
)
def test_a_membership_id_that_is_not_a_positive_int_is_a_422_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    open_mid: int,
    before: dict[str, Any],
    method: str,
    template: str,
    endpoint_name: str | None,
    mid: str,
) -> None:
    body = BY_NAME[endpoint_name].valid if endpoint_name else None
    r = client.request(method, template.replace("{mid}", mid), json=body, headers=sec)
    assert_problem(r, 422, field="membership_id")
    assert_nothing_stored(client, db, open_mid, before)


# -- query parameters of the lists and reads ----------------------------------------------------


def b64(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


LISTS = [
    "/v1/entities",
    "/v1/entities/unodc/memberships",
    "/v1/chairs",
    "/v1/audit-events",
]

BAD_PAGING: dict[str, tuple[dict[str, str], str]] = {
    "limit-201": ({"limit": "201"}, "limit"),
    "limit-1000": ({"limit": "1000"}, "limit"),
    "limit-huge": ({"limit": "9" * 40}, "limit"),
    "limit-0": ({"limit": "0"}, "limit"),
    "limit-negative": ({"limit": "-1"}, "limit"),
    "limit-word": ({"limit": "ten"}, "limit"),
    "limit-float": ({"limit": "1.5"}, "limit"),
    "limit-empty": ({"limit": ""}, "limit"),
    "cursor-garbage": ({"cursor": "garbage!!"}, "cursor"),
    "cursor-not-base64-json": ({"cursor": "AAAA"}, "cursor"),
    "cursor-object": ({"cursor": b64({"id": "unodc"})}, "cursor"),
    "cursor-empty-list": ({"cursor": b64([])}, "cursor"),
    "cursor-null-key": ({"cursor": b64([None])}, "cursor"),
    "cursor-nested": ({"cursor": b64([[1]])}, "cursor"),
    "cursor-string": ({"cursor": b64("unodc")}, "cursor"),
    "cursor-binary": ({"cursor": b64(b"\xff\xfe\x00")}, "cursor"),
    "cursor-10000": ({"cursor": "x" * 10_000}, "cursor"),
    "cursor-nul": ({"cursor": "abc\x00"}, "cursor"),
}


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(("params", "field"), BAD_PAGING.values(), ids=list(BAD_PAGING))
def test_bad_limit_or_cursor_on_a_list_is_a_422(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    open_mid: int,
    before: dict[str, Any],
    path: str,
    params: dict[str, str],
    field: str,
) -> None:
    r = client.get(path, params=params, headers=sec)
    assert_problem(r, 422, field=field)
    assert_nothing_stored(client, db, open_mid, before)


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/v1/chairs", ["abc"]),
        ("/v1/chairs", [10**30]),
        ("/v1/audit-events", ["abc"]),
        ("/v1/entities/unodc/memberships", ["not-a-day", 1]),
        ("/v1/entities/unodc/memberships", ["2019-02-30", 1]),
        ("/v1/entities/unodc/memberships", ["2007-01-01", "x"]),
    ],
    ids=[
        "chairs-word",
        "chairs-huge",
        "audit-word",
        "memberships-day",
        "memberships-bad-day",
        "memberships-id",
    ],
)
def test_a_well_formed_cursor_with_keys_of_the_wrong_type_is_a_422(
    client: TestClient, sec: dict[str, str], path: str, key: list[Any]
) -> None:
    """A hostile caller can craft a cursor that decodes (base64 JSON list of str/int) but whose
    keys do not fit the list it is sent to: that is a bad cursor, not a server error."""
    r = client.get(path, params={"cursor": b64(key)}, headers=sec)
    assert_problem(r, 422, field="cursor")


@pytest.mark.parametrize("path", LISTS)
def test_limit_200_and_the_issued_cursor_are_accepted(
    client: TestClient, sec: dict[str, str], path: str
) -> None:
    """The control for the paging refusals: the maximum limit is fine, and so is a cursor the
    service issued."""
    r = client.get(path, params={"limit": "200"}, headers=sec)
    assert r.status_code == 200, r.text
    r = client.get(path, params={"limit": "1"}, headers=sec)
    assert r.status_code == 200, r.text
    cursor = r.json()["next_cursor"]
    if cursor is not None:
        assert client.get(path, params={"cursor": cursor}, headers=sec).status_code == 200


BAD_QUERIES: list[tuple[str, dict[str, str], str]] = [
    *(
        (path, {"on": day}, "on")
        for path in ("/v1/entities", "/v1/entities/unodc", "/v1/chairs", "/v1/member-list")
        for day in ("0001-01-01", "9999-12-31", "2019-02-30", "2019-13-01", "today", "")
    ),
    ("/v1/entities", {"status": "chair"}, "status"),
    ("/v1/entities", {"kind": "ngo"}, "kind"),
    ("/v1/entities", {"working_group": "maybe"}, "working_group"),
    ("/v1/entities", {"q": "x" * 10_000}, "q"),
    ("/v1/entities", {"q": "un\x00odc"}, "q"),
    ("/v1/entities", {"updated_since": "yesterday"}, "updated_since"),
    ("/v1/entities", {"updated_since": "2019-02-30T00:00:00Z"}, "updated_since"),
    ("/v1/entities", {"updated_since": "2019-01-01T00:00:00"}, "updated_since"),
    ("/v1/audit-events", {"since": "2019-01-01T00:00:00"}, "since"),
    ("/v1/audit-events", {"until": "not-a-time"}, "until"),
    ("/v1/audit-events", {"resource_type": "x" * 10_000}, "resource_type"),
    ("/v1/audit-events", {"resource_id": "x" * 10_000}, "resource_id"),
    ("/v1/audit-events", {"actor_entity_id": "x" * 10_000}, "actor_entity_id"),
    ("/v1/audit-events", {"action": "x\x00"}, "action"),
]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    BAD_QUERIES,
    ids=[f"{p}-{f}-{i}" for i, (p, _, f) in enumerate(BAD_QUERIES)],
)
def test_a_bad_query_parameter_is_a_422_naming_it(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    open_mid: int,
    before: dict[str, Any],
    path: str,
    params: dict[str, str],
    field: str,
) -> None:
    r = client.get(path, params=params, headers=sec)
    assert_problem(r, 422, field=field)
    assert_nothing_stored(client, db, open_mid, before)
