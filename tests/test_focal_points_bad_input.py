"""Bad input on focal points (ToR 3.A.2; DESIGN §4, §5): what careless sync scripts and other
agencies' keys send to an entity's contacts. Every refusal is problem+json with the field or the
clause named, and nothing is half-applied: the entity's set (its bytes and its ETag), the
entity's own record and the rows behind them stay exactly as they were.
"""

import json
import time
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from icat_api.db import Base
from icat_api.keys.service import create_key
from tests.conftest import Keys

RULE = "ToR 3.A.2"
MIB = 1024 * 1024
PROBLEM_JSON = "application/problem+json"
STACK_TRACE_MARKERS = ("Traceback", 'File "', "sqlalchemy.", "site-packages")
WATCHED_TABLES = ("focal_points", "focal_point_tombstones", "audit_events", "entities")
Loc = tuple[str | int, ...]


# -- requests and the shape of a refusal ---------------------------------------------------------


def fp_url(entity_id: str, fp_id: int | None = None) -> str:
    base = f"/v1/entities/{entity_id}/focal-points"
    return base if fp_id is None else f"{base}/{fp_id}"


def contact(n: int | str, *, primary: bool = False, **changes: Any) -> dict[str, Any]:
    """A valid contact as an agency's HR system would send it."""
    return {
        "external_id": f"HR-{n}",
        "name": f"Contact {n}",
        "title": "Programme Officer",
        "email": f"contact{n}@icat-test.org",
        "phone": "+41 22 917 9000",
        "is_primary": primary,
        **changes,
    }


def call(
    client: TestClient,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    *,
    body: Any = None,
    content: bytes | Iterator[bytes] | None = None,
) -> Response:
    """``body`` serialized as JSON (NUL and lone surrogates escaped), or raw ``content``."""
    all_headers = dict(headers or {})
    if body is not None or content is not None:
        all_headers["Content-Type"] = "application/json"
        if content is None:
            content = json.dumps(body).encode()
    r: Response = client.request(method, path, content=content, headers=all_headers)
    return r


def assert_problem(
    r: Response, status: int, *, loc: Loc | None = None, rule: str | None = None
) -> dict[str, Any]:
    """``r`` is problem+json with ``status``; with ``loc``, an error's loc starts with it; with
    ``rule``, the clause is named."""
    where = f"{r.request.method} {r.request.url.path}"
    assert r.status_code == status, f"{where} -> {r.status_code} {r.text[:600]}"
    assert r.headers["content-type"].startswith(PROBLEM_JSON), (where, r.headers)
    for marker in STACK_TRACE_MARKERS:
        assert marker not in r.text, r.text[:600]
    body: dict[str, Any] = r.json()
    assert body["status"] == status
    for key in ("type", "title", "detail"):
        assert isinstance(body[key], str), body
        assert body[key].strip(), body
    if status == 401:
        assert r.headers.get("www-authenticate", "").lower().startswith("bearer"), r.headers
    if rule is not None:
        assert body.get("rule") == rule, body
    if loc is not None:
        errors = body.get("errors")
        assert isinstance(errors, list), body
        assert errors, body
        for error in errors:
            assert isinstance(error["loc"], list), error
            assert isinstance(error["msg"], str), error
            assert error["msg"], error
        wanted = list(loc)
        assert any(e["loc"][: len(wanted)] == wanted for e in errors), (wanted, errors)
    return body


def put_set(
    client: TestClient, headers: dict[str, str], entity_id: str, items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    r = call(client, "PUT", fp_url(entity_id), headers, body={"items": items})
    assert r.status_code == 200, r.text[:600]
    stored: list[dict[str, Any]] = r.json()["items"]
    return stored


# -- proof that nothing changed -------------------------------------------------------------------


def snapshot(
    client: TestClient, db: Session, sec: dict[str, str], *entity_ids: str
) -> dict[str, Any]:
    """Each entity's set as the secretariat reads it (bytes and ETag), the entity's own record
    (a change to a contact moves its ETag), and the row counts behind them."""
    state: dict[str, Any] = {
        "counts": {
            name: db.scalar(select(func.count()).select_from(Base.metadata.tables[name]))
            for name in WATCHED_TABLES
        }
    }
    for entity_id in entity_ids:
        r = client.get(fp_url(entity_id), headers=sec)
        assert r.status_code == 200, r.text[:600]
        record = client.get(f"/v1/entities/{entity_id}")
        assert record.status_code == 200, record.text[:600]
        state[entity_id] = {
            "set": r.content,
            "etag": r.headers["etag"],
            "entity": record.content,
            "entity_etag": record.headers["etag"],
        }
    return state


# -- fixtures: populated sets, an NGO and a former member with keys of their own -----------------


@pytest.fixture
def ilo(client: TestClient, sec: dict[str, str]) -> list[dict[str, Any]]:
    """ILO's contacts: HR-1 (primary), HR-2, HR-3."""
    return put_set(client, sec, "ilo", [contact(1, primary=True), contact(2), contact(3)])


@pytest.fixture
def iom(client: TestClient, sec: dict[str, str]) -> list[dict[str, Any]]:
    """IOM's contacts: HR-1 (primary), HR-2, HR-3."""
    items = [contact(n, primary=n == 1, email=f"fp{n}@iom.int") for n in (1, 2, 3)]
    return put_set(client, sec, "iom", items)


NGO: dict[str, Any] = {
    "id": "ngo-against-trafficking",
    "name": "An NGO against Trafficking",
    "kind": "non_governmental",
    "scope": "global",
    "mandate_covers_tip": True,
}


@pytest.fixture
def ngo_key(client: TestClient, db: Session, sec: dict[str, str]) -> str:
    """The key of a non-governmental organization: a stakeholder (ToR 3.A.5), never a member."""
    r = client.post("/v1/entities", json=NGO, headers=sec)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "stakeholder"
    _, key = create_key(session=db, entity_id=NGO["id"], secretariat=False)
    db.commit()
    return key


@pytest.fixture
def former_member(client: TestClient, sec: dict[str, str]) -> str:
    """An intergovernmental organization whose membership ended in 2002."""
    r = client.post(
        "/v1/entities",
        json={
            "id": "old-agency",
            "name": "An Old Agency against Trafficking",
            "kind": "intergovernmental",
            "scope": "regional",
            "mandate_covers_tip": True,
        },
        headers=sec,
    )
    assert r.status_code == 201, r.text
    r = client.post(
        "/v1/entities/old-agency/memberships",
        json={"role": "member", "starts_on": "2001-01-01", "ends_on": "2002-01-01", "note": "t"},
        headers=sec,
    )
    assert r.status_code == 201, r.text
    assert client.get("/v1/entities/old-agency").json()["status"] == "former_member"
    return "old-agency"


# -- the controls: each operation accepts its valid body from the entity's own key ----------------


def test_the_entity_own_key_syncs_adds_edits_and_removes_its_contacts(
    client: TestClient, keys: Keys, sec: dict[str, str]
) -> None:
    """The control for the refusals below: ILO's own key does each write to ILO's contacts."""
    ilo_headers = Keys.header(keys.member)
    r = call(client, "PUT", fp_url("ilo"), ilo_headers, body={"items": [contact(1, primary=True)]})
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["removed"]) == (1, 0)
    r = call(client, "POST", fp_url("ilo"), ilo_headers, body=contact(2))
    assert r.status_code == 201, r.text
    fp_id = r.json()["id"]
    assert r.headers["location"] == fp_url("ilo", fp_id)
    r = call(client, "PATCH", fp_url("ilo", fp_id), ilo_headers, body={"title": "Chief"})
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "Chief"
    r = call(client, "DELETE", fp_url("ilo", fp_id), ilo_headers)
    assert r.status_code == 204, r.text
    listed = client.get(fp_url("ilo"), headers=sec).json()["items"]
    assert [(c["external_id"], c["is_primary"]) for c in listed] == [("HR-1", True)]


# -- who may: another agency's key, no key, a revoked key, a stakeholder's key -------------------

# (method, index of IOM's contact in the path or None, body)
IOM_WRITES: list[tuple[str, int | None, dict[str, Any] | None]] = [
    ("PUT", None, {"items": [contact(9, primary=True)]}),
    ("PUT", None, {"items": []}),
    ("POST", None, contact(9)),
    ("PATCH", 1, {"title": "Hijacked"}),
    ("PATCH", 0, {"email": "attacker@icat-test.org"}),
    ("DELETE", 1, None),
    ("DELETE", 0, None),
]


def iom_path(iom: list[dict[str, Any]], index: int | None) -> str:
    return fp_url("iom", None if index is None else iom[index]["id"])


@pytest.mark.parametrize(
    ("method", "index", "body"),
    IOM_WRITES,
    ids=["put", "put-empty", "post", "patch", "patch-primary", "delete", "delete-primary"],
)
@pytest.mark.parametrize("who", ["member", "partner"])
def test_another_agency_key_writing_iom_contacts_is_a_403_and_iom_set_is_unchanged(
    client: TestClient,
    db: Session,
    keys: Keys,
    sec: dict[str, str],
    iom: list[dict[str, Any]],
    method: str,
    index: int | None,
    body: dict[str, Any] | None,
    who: str,
) -> None:
    """An agency's key writes only its own entity's contacts: never a silent success."""
    before = snapshot(client, db, sec, "iom")
    r = call(client, method, iom_path(iom, index), Keys.header(getattr(keys, who)), body=body)
    assert_problem(r, 403)
    assert "www-authenticate" not in r.headers
    assert snapshot(client, db, sec, "iom") == before


@pytest.mark.parametrize(
    ("method", "index", "body"),
    IOM_WRITES,
    ids=["put", "put-empty", "post", "patch", "patch-primary", "delete", "delete-primary"],
)
def test_the_secretariat_key_tied_to_no_entity_writes_any_entity_contacts(
    client: TestClient,
    db: Session,
    keys: Keys,
    sec: dict[str, str],
    iom: list[dict[str, Any]],
    method: str,
    index: int | None,
    body: dict[str, Any] | None,
) -> None:
    """The control for the 403s: the same requests with a secretariat key succeed, except where
    ToR 3.A.2 itself refuses (demoting or removing the primary while others are listed)."""
    before = snapshot(client, db, sec, "iom")
    r = call(client, method, iom_path(iom, index), Keys.header(keys.secretariat), body=body)
    if method == "DELETE" and index == 0:
        assert_problem(r, 422, rule=RULE)
        assert snapshot(client, db, sec, "iom") == before
        return
    assert r.status_code in (200, 201, 204), r.text
    assert snapshot(client, db, sec, "iom")["iom"]["etag"] != before["iom"]["etag"]


@pytest.mark.parametrize(
    ("who", "entity_id"),
    [
        ("partner", "ilo"),  # the Council of Europe reads ILO's
        ("member", "iom"),  # ILO reads IOM's
        ("member", "council-of-europe"),
        ("secretariat", "ilo"),
    ],
)
def test_members_and_partners_keys_read_other_members_contacts(
    client: TestClient,
    keys: Keys,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    iom: list[dict[str, Any]],
    who: str,
    entity_id: str,
) -> None:
    """ToR 3.A.2: focal points are for communication through ICAT; members and partners read
    each other's."""
    put_set(client, sec, "council-of-europe", [contact("coe", primary=True)])
    expected = client.get(fp_url(entity_id), headers=sec)
    headers = Keys.header(getattr(keys, who))
    r = client.get(fp_url(entity_id), headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.content == expected.content
    assert r.headers["etag"] == expected.headers["etag"]
    first = r.json()["items"][0]
    one = client.get(fp_url(entity_id, first["id"]), headers=headers)
    assert one.status_code == 200, one.text
    assert one.json() == first


def test_a_stakeholder_key_may_not_read_members_contacts(
    client: TestClient, db: Session, sec: dict[str, str], ngo_key: str, ilo: list[dict[str, Any]]
) -> None:
    before = snapshot(client, db, sec, "ilo")
    headers = Keys.header(ngo_key)
    assert_problem(client.get(fp_url("ilo"), headers=headers), 403)
    assert_problem(client.get(fp_url("ilo", ilo[0]["id"]), headers=headers), 403)
    assert_problem(client.get("/v1/focal-points", headers=headers), 403)
    assert_problem(client.get("/v1/focal-points/gaps", headers=headers), 403)
    r = call(client, "PUT", fp_url("ilo"), headers, body={"items": [contact(7, primary=True)]})
    assert_problem(r, 403)
    assert snapshot(client, db, sec, "ilo") == before


# every operation on focal points: (method, path with {fp} for ILO's HR-2, body)
ALL_OPERATIONS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", fp_url("ilo"), None),
    ("GET", fp_url("ilo") + "/{fp}", None),
    ("PUT", fp_url("ilo"), {"items": [contact(1, primary=True)]}),
    ("POST", fp_url("ilo"), contact(8)),
    ("PATCH", fp_url("ilo") + "/{fp}", {"title": "Chief"}),
    ("DELETE", fp_url("ilo") + "/{fp}", None),
    ("GET", "/v1/focal-points", None),
    ("GET", "/v1/focal-points?updated_since=2020-01-01T00:00:00Z", None),
    ("GET", "/v1/focal-points/gaps", None),
]
OPERATION_IDS = ["list", "read", "sync", "add", "edit", "remove", "feed", "feed-since", "gaps"]


@pytest.mark.parametrize(("method", "path", "body"), ALL_OPERATIONS, ids=OPERATION_IDS)
@pytest.mark.parametrize(
    "authorization",
    [None, "revoked", "forged", "Basic dXNlcjpwYXNzd29yZA==", "Bearer", "Bearer "],
    ids=["no-key", "revoked", "forged", "basic", "scheme-only", "scheme-and-space"],
)
def test_no_valid_key_is_a_401_with_a_bearer_challenge_and_nothing_changed(
    client: TestClient,
    db: Session,
    keys: Keys,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    authorization: str | None,
) -> None:
    """Personal data is never public: every focal point operation needs a key."""
    before = snapshot(client, db, sec, "ilo")
    headers: dict[str, str] = {}
    if authorization == "revoked":
        headers = Keys.header(keys.revoked)
    elif authorization == "forged":
        headers = Keys.header("icat_" + "A" * 43)
    elif authorization is not None:
        headers = {"Authorization": authorization}
    r = call(client, method, path.replace("{fp}", str(ilo[1]["id"])), headers, body=body)
    body_out = assert_problem(r, 401)
    assert "Contact" not in r.text  # no personal data in the refusal
    assert "errors" not in body_out or body_out["errors"] is None
    assert snapshot(client, db, sec, "ilo") == before


@pytest.mark.parametrize("path", ["/v1/focal-points", "/v1/focal-points/gaps"])
@pytest.mark.parametrize("who", ["member", "partner"])
def test_the_feed_and_the_gaps_are_for_the_secretariat_only(
    client: TestClient,
    keys: Keys,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    path: str,
    who: str,
) -> None:
    assert_problem(client.get(path, headers=Keys.header(getattr(keys, who))), 403)
    for headers in (sec, Keys.header(keys.secretariat)):
        r = client.get(path, headers=headers)
        assert r.status_code == 200, r.text
        assert isinstance(r.json()["items"], list)


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2026-01-01",
        "2026-01-01T00:00:00",  # no time zone
        "2026-13-01T00:00:00Z",
        "1767225600",
        "2026-01-01T00:00:00Z\x00",
    ],
    ids=["word", "day-only", "naive", "month-13", "epoch", "nul"],
)
def test_a_bad_updated_since_is_a_422_naming_it(
    client: TestClient, sec: dict[str, str], value: str
) -> None:
    r = client.get("/v1/focal-points", params={"updated_since": value}, headers=sec)
    assert_problem(r, 422, loc=("query", "updated_since"))


# -- fields a caller may not set ------------------------------------------------------------------

SERVER_FIELDS: dict[str, Any] = {
    "id": 1,
    "entity_id": "iom",
    "created_at": "2020-01-01T00:00:00Z",
    "updated_at": "2020-01-01T00:00:00Z",
    "deleted": True,
}


@pytest.mark.parametrize(("field", "value"), SERVER_FIELDS.items(), ids=list(SERVER_FIELDS))
def test_server_fields_in_a_sync_item_are_refused_and_nothing_changed(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    field: str,
    value: Any,
) -> None:
    before = snapshot(client, db, sec, "ilo", "iom")
    items = [contact(1, primary=True), contact(2, **{field: value})]
    r = call(client, "PUT", fp_url("ilo"), sec, body={"items": items})
    assert_problem(r, 422, loc=("body", "items", 1, field))
    assert snapshot(client, db, sec, "ilo", "iom") == before


@pytest.mark.parametrize(("field", "value"), SERVER_FIELDS.items(), ids=list(SERVER_FIELDS))
def test_server_fields_beside_the_sync_items_are_refused_and_nothing_changed(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    field: str,
    value: Any,
) -> None:
    before = snapshot(client, db, sec, "ilo", "iom")
    body = {"items": [contact(1, primary=True)], field: value}
    r = call(client, "PUT", fp_url("ilo"), sec, body=body)
    assert_problem(r, 422, loc=("body", field))
    assert snapshot(client, db, sec, "ilo", "iom") == before


@pytest.mark.parametrize(("field", "value"), SERVER_FIELDS.items(), ids=list(SERVER_FIELDS))
def test_server_fields_in_an_added_contact_are_refused_and_nothing_changed(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    field: str,
    value: Any,
) -> None:
    before = snapshot(client, db, sec, "ilo", "iom")
    r = call(client, "POST", fp_url("ilo"), sec, body=contact(4, **{field: value}))
    assert_problem(r, 422, loc=("body", field))
    assert snapshot(client, db, sec, "ilo", "iom") == before


@pytest.mark.parametrize(
    ("field", "value"),
    [*SERVER_FIELDS.items(), ("external_id", "HR-99")],
    ids=[*SERVER_FIELDS, "external_id"],
)
def test_server_fields_and_the_external_id_in_an_edit_are_refused_and_nothing_changed(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    field: str,
    value: Any,
) -> None:
    """A contact's id, entity and external_id never change; its timestamps are the server's."""
    before = snapshot(client, db, sec, "ilo", "iom")
    r = call(client, "PATCH", fp_url("ilo", ilo[1]["id"]), sec, body={"title": "X", field: value})
    assert_problem(r, 422, loc=("body", field))
    assert snapshot(client, db, sec, "ilo", "iom") == before


# -- emails, phones, NUL bytes, wrong types --------------------------------------------------------

BAD_EMAILS = [
    "no-at-sign",
    "a@b",
    "a@@b.org",
    "a b@c.org",
    "@ilo.org",
    "amina@",
    "amina@ilo..org",
    "amina.@ilo.org",
    "amina@" + "d" * 250 + ".org",
    "",
    "   ",
    42,
    ["amina@ilo.org"],
]
BAD_EMAIL_IDS = [
    "no-at",
    "no-dot-in-domain",
    "double-at",
    "space",
    "no-local-part",
    "no-domain",
    "double-dot",
    "trailing-dot-local",
    "domain-too-long",
    "empty",
    "blank",
    "number",
    "list",
]
BAD_PHONES = [
    "12",
    "abc",
    "+999 1",
    "+1 (202) 555-01",
    "+",
    "0043 1 26060 0",  # no + and no region to read it in
    "+43 1 26060 0" + "0" * 30,
    "1" * 41,
    "",
    12025550123,
    ["+43 1 26060 0"],
]
BAD_PHONE_IDS = [
    "two-digits",
    "letters",
    "no-such-country",
    "us-too-short",
    "plus-only",
    "00-prefix",
    "too-many-digits",
    "41-chars",
    "empty",
    "number",
    "list",
]


def field_cases(field: str, values: list[Any], ids: list[str]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("value", values, ids=[f"{field}-{i}" for i in ids])


@field_cases("email", BAD_EMAILS, BAD_EMAIL_IDS)
def test_a_bad_email_in_a_sync_is_a_422_naming_it_and_nothing_changed(
    client: TestClient, db: Session, sec: dict[str, str], ilo: list[dict[str, Any]], value: Any
) -> None:
    before = snapshot(client, db, sec, "ilo")
    items = [contact(1, primary=True), contact(2), contact(4, email=value)]
    r = call(client, "PUT", fp_url("ilo"), sec, body={"items": items})
    assert_problem(r, 422, loc=("body", "items", 2, "email"))
    assert snapshot(client, db, sec, "ilo") == before


@field_cases("email", BAD_EMAILS, BAD_EMAIL_IDS)
def test_a_bad_email_in_an_added_contact_is_a_422_naming_it_and_nothing_changed(
    client: TestClient, db: Session, sec: dict[str, str], ilo: list[dict[str, Any]], value: Any
) -> None:
    before = snapshot(client, db, sec, "ilo")
    r = call(client, "POST", fp_url("ilo"), sec, body=contact(4, email=value))
    assert_problem(r, 422, loc=("body", "email"))
    assert snapshot(client, db, sec, "ilo") == before


@field_cases("email", [*BAD_EMAILS, None], [*BAD_EMAIL_IDS, "null"])
def test_a_bad_email_in_an_edit_is_a_422_naming_it_and_nothing_changed(
    client: TestClient, db: Session, sec: dict[str, str], ilo: list[dict[str, Any]], value: Any
) -> None:
    before = snapshot(client, db, sec, "ilo")
    r = call(client, "PATCH", fp_url("ilo", ilo[1]["id"]), sec, body={"email": value})
    body = assert_problem(r, 422)
    assert any("email" in e["loc"] or "email" in e["msg"] for e in body["errors"]), body
    assert snapshot(client, db, sec, "ilo") == before


@field_cases("phone", BAD_PHONES, BAD_PHONE_IDS)
def test_a_bad_phone_in_a_sync_is_a_422_naming_it_and_nothing_changed(
    client: TestClient, db: Session, sec: dict[str, str], ilo: list[dict[str, Any]], value: Any
) -> None:
    before = snapshot(client, db, sec, "ilo")
    items = [contact(1, primary=True), contact(2), contact(4, phone=value)]
    r = call(client, "PUT", fp_url("ilo"), sec, body={"items": items})
    assert_problem(r, 422, loc=("body", "items", 2, "phone"))
    assert snapshot(client, db, sec, "ilo") == before


@field_cases("phone", BAD_PHONES, BAD_PHONE_IDS)
def test_a_bad_phone_in_an_added_contact_is_a_422_naming_it_and_nothing_changed(
    client: TestClient, db: Session, sec: dict[str, str], ilo: list[dict[str, Any]], value: Any
) -> None:
    before = snapshot(client, db, sec, "ilo")
    r = call(client, "POST", fp_url("ilo"), sec, body=contact(4, phone=value))
    assert_problem(r, 422, loc=("body", "phone"))
    assert snapshot(client, db, sec, "ilo") == before


@field_cases("phone", BAD_PHONES, BAD_PHONE_IDS)
def test_a_bad_phone_in_an_edit_is_a_422_naming_it_and_nothing_changed(
    client: TestClient, db: Session, sec: dict[str, str], ilo: list[dict[str, Any]], value: Any
) -> None:
    before = snapshot(client, db, sec, "ilo")
    r = call(client, "PATCH", fp_url("ilo", ilo[1]["id"]), sec, body={"phone": value})
    assert_problem(r, 422, loc=("body", "phone"))
    assert snapshot(client, db, sec, "ilo") == before


PHONES_E164 = {
    "+43 1 26060 0": "+431260600",
    "+41 22 917 9000": "+41229179000",
    "+1 (202) 555-0123": "+12025550123",
    "+33-1-45-68-10-00": "+33145681000",
    "  +43 1 26060 0  ": "+431260600",
}


@pytest.mark.parametrize(("sent", "stored"), PHONES_E164.items(), ids=list(PHONES_E164))
def test_a_valid_phone_is_stored_as_e164_by_sync_add_and_edit(
    client: TestClient, sec: dict[str, str], sent: str, stored: str
) -> None:
    """The control for the phone refusals: international forms are taken and normalized."""
    [synced] = put_set(client, sec, "ilo", [contact(1, primary=True, phone=sent)])
    assert synced["phone"] == stored
    r = call(client, "POST", fp_url("ilo"), sec, body=contact(2, phone=sent))
    assert r.status_code == 201, r.text
    assert r.json()["phone"] == stored
    r = call(client, "PATCH", fp_url("ilo", synced["id"]), sec, body={"phone": "+41 22 917 1234"})
    assert r.status_code == 200, r.text
    r = call(client, "PATCH", fp_url("ilo", synced["id"]), sec, body={"phone": sent})
    assert r.status_code == 200, r.text
    assert r.json()["phone"] == stored
    listed = client.get(fp_url("ilo"), headers=sec).json()["items"]
    assert [c["phone"] for c in listed] == [stored, stored]


TEXT_FIELDS = ("external_id", "name", "title", "email", "phone")
NUL_VALUES: dict[str, Any] = {
    "external_id": "HR-\x004",
    "name": "Amina\x00Haddad",
    "title": "\x00",
    "email": "amina\x00@ilo.org",
    "phone": "+43 1 26060 0\x00",
}


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_a_nul_in_a_sync_item_is_a_422_naming_the_field_and_nothing_changed(
    client: TestClient, db: Session, sec: dict[str, str], ilo: list[dict[str, Any]], field: str
) -> None:
    before = snapshot(client, db, sec, "ilo")
    items = [contact(1, primary=True), contact(4, **{field: NUL_VALUES[field]})]
    r = call(client, "PUT", fp_url("ilo"), sec, body={"items": items})
    assert_problem(r, 422, loc=("body", "items", 1, field))
    assert snapshot(client, db, sec, "ilo") == before


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_a_nul_in_an_added_contact_is_a_422_naming_the_field_and_nothing_changed(
    client: TestClient, db: Session, sec: dict[str, str], ilo: list[dict[str, Any]], field: str
) -> None:
    before = snapshot(client, db, sec, "ilo")
    r = call(client, "POST", fp_url("ilo"), sec, body=contact(4, **{field: NUL_VALUES[field]}))
    assert_problem(r, 422, loc=("body", field))
    assert snapshot(client, db, sec, "ilo") == before


@pytest.mark.parametrize("field", [f for f in TEXT_FIELDS if f != "external_id"])
def test_a_nul_in_an_edit_is_a_422_naming_the_field_and_nothing_changed(
    client: TestClient, db: Session, sec: dict[str, str], ilo: list[dict[str, Any]], field: str
) -> None:
    before = snapshot(client, db, sec, "ilo")
    r = call(client, "PATCH", fp_url("ilo", ilo[1]["id"]), sec, body={field: NUL_VALUES[field]})
    assert_problem(r, 422, loc=("body", field))
    assert snapshot(client, db, sec, "ilo") == before


@pytest.mark.parametrize("method", ["PUT", "POST", "PATCH"])
def test_a_raw_nul_byte_in_the_json_text_is_a_400_and_nothing_changed(
    client: TestClient, db: Session, sec: dict[str, str], ilo: list[dict[str, Any]], method: str
) -> None:
    """An unescaped control character inside a JSON string is not JSON (RFC 8259 §7)."""
    before = snapshot(client, db, sec, "ilo")
    one = json.dumps(contact(4, name="AminaNULHaddad")).replace("NUL", "\x00")
    raw = {"PUT": '{"items": [' + one + "]}", "POST": one, "PATCH": '{"name": "A\x00B"}'}[method]
    path = fp_url("ilo", ilo[1]["id"]) if method == "PATCH" else fp_url("ilo")
    r = call(client, method, path, sec, content=raw.encode())
    assert_problem(r, 400)
    assert snapshot(client, db, sec, "ilo") == before


# (field, value, the loc's field) for one contact; each is refused in a sync and an add
BAD_VALUES: list[tuple[str, Any]] = [
    ("external_id", ""),
    ("external_id", "   "),
    ("external_id", "x" * 201),
    ("external_id", 731),
    ("external_id", None),
    ("name", ""),
    ("name", "  \t "),
    ("name", "n" * 201),
    ("name", None),
    ("name", {"first": "Amina"}),
    ("name", "\ud800 lone surrogate"),
    ("title", "t" * 201),
    ("title", ""),
    ("title", 7),
    ("is_primary", "true"),
    ("is_primary", 1),
    ("is_primary", None),
]
BAD_VALUE_IDS = [f"{f}-{i}" for i, (f, _) in enumerate(BAD_VALUES)]


@pytest.mark.parametrize(("field", "value"), BAD_VALUES, ids=BAD_VALUE_IDS)
def test_a_wrong_value_in_a_sync_item_is_a_422_naming_the_field_and_nothing_changed(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    field: str,
    value: Any,
) -> None:
    before = snapshot(client, db, sec, "ilo")
    items = [contact(1, primary=True), contact(4, **{field: value})]
    r = call(client, "PUT", fp_url("ilo"), sec, body={"items": items})
    assert_problem(r, 422, loc=("body", "items", 1, field))
    assert snapshot(client, db, sec, "ilo") == before


@pytest.mark.parametrize(("field", "value"), BAD_VALUES, ids=BAD_VALUE_IDS)
def test_a_wrong_value_in_an_added_contact_is_a_422_naming_the_field_and_nothing_changed(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    field: str,
    value: Any,
) -> None:
    before = snapshot(client, db, sec, "ilo")
    r = call(client, "POST", fp_url("ilo"), sec, body=contact(4, **{field: value}))
    assert_problem(r, 422, loc=("body", field))
    assert snapshot(client, db, sec, "ilo") == before


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"name": None}, ("body",)),
        ({"email": None}, ("body",)),
        ({"is_primary": None}, ("body",)),
        ({"name": ""}, ("body", "name")),
        ({"name": "n" * 201}, ("body", "name")),
        ({"title": 7}, ("body", "title")),
        ({"is_primary": "false"}, ("body", "is_primary")),
        ({"is_primary": 0}, ("body", "is_primary")),
    ],
    ids=[
        "name-null",
        "email-null",
        "primary-null",
        "name-empty",
        "name-201",
        "title-int",
        "primary-string",
        "primary-int",
    ],
)
def test_a_wrong_value_in_an_edit_is_a_422_and_nothing_changed(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    body: dict[str, Any],
    loc: Loc,
) -> None:
    before = snapshot(client, db, sec, "ilo")
    r = call(client, "PATCH", fp_url("ilo", ilo[1]["id"]), sec, body=body)
    problem = assert_problem(r, 422, loc=loc)
    [field] = body
    assert any(field in e["loc"] or field in e["msg"] for e in problem["errors"]), problem
    assert snapshot(client, db, sec, "ilo") == before


@pytest.mark.parametrize(
    ("content", "status", "loc"),
    [
        (b"[]", 422, ("body",)),
        (b'{"items": {}}', 422, ("body", "items")),
        (b'{"items": null}', 422, ("body", "items")),
        (b'{"items": "HR-1"}', 422, ("body", "items")),
        (b"{}", 422, ("body", "items")),
        (b'{"items": [null]}', 422, ("body", "items", 0)),
        (b'{"items": [[]]}', 422, ("body", "items", 0)),
        (b'{"items": [', 400, None),
        (b"", 422, ("body",)),
    ],
    ids=[
        "array",
        "items-object",
        "items-null",
        "items-string",
        "no-items",
        "null-item",
        "array-item",
        "truncated",
        "empty-body",
    ],
)
def test_a_sync_body_of_the_wrong_shape_is_refused_and_nothing_changed(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    content: bytes,
    status: int,
    loc: Loc | None,
) -> None:
    before = snapshot(client, db, sec, "ilo")
    assert_problem(call(client, "PUT", fp_url("ilo"), sec, content=content), status, loc=loc)
    assert snapshot(client, db, sec, "ilo") == before


# -- duplicates, limits and sizes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "items",
    [
        [contact(1, primary=True), contact(2), contact(2, name="Other")],
        [contact(1, primary=True), contact(2), contact(2)],
        [contact(1, primary=True), contact(2), contact(3, external_id="  HR-2 ")],
        [contact(1, primary=True), contact(1)],
    ],
    ids=["same-id-other-data", "identical-items", "same-id-after-trimming", "with-the-primary"],
)
def test_duplicate_external_ids_in_one_sync_are_a_422_naming_them_and_nothing_changed(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    items: list[dict[str, Any]],
) -> None:
    """Matching is on the agency's own external_id: two items with one id make the sync
    meaningless, so it is refused whole, never answered by a 409 or 500 from the database."""
    before = snapshot(client, db, sec, "ilo")
    r = call(client, "PUT", fp_url("ilo"), sec, body={"items": items})
    body = assert_problem(r, 422)
    errors = body.get("errors") or []
    assert any("external_id" in e["loc"] for e in errors), (
        "errors[].loc should name external_id",
        errors,
    )
    assert snapshot(client, db, sec, "ilo") == before


def test_an_added_contact_with_an_external_id_already_listed_is_a_409_and_nothing_changed(
    client: TestClient, db: Session, sec: dict[str, str], ilo: list[dict[str, Any]]
) -> None:
    before = snapshot(client, db, sec, "ilo")
    r = call(client, "POST", fp_url("ilo"), sec, body=contact(2, name="Someone Else"))
    assert_problem(r, 409)
    assert snapshot(client, db, sec, "ilo") == before


def many(n: int, *, primary: bool = True) -> list[dict[str, Any]]:
    """``n`` small valid contacts, the first the primary unless ``primary`` is false."""
    return [
        {
            "external_id": f"E{i}",
            "name": f"N {i}",
            "email": f"e{i}@ilo.org",
            "is_primary": primary and i == 0,
        }
        for i in range(n)
    ]


def test_a_sync_of_exactly_2000_contacts_is_accepted_and_a_2001st_added_one_is_refused(
    client: TestClient, db: Session, sec: dict[str, str]
) -> None:
    """The control for the limit: 2,000 is allowed, one more is not, by PUT or by POST."""
    stored = put_set(client, sec, "ilo", many(2000))
    assert len(stored) == 2000
    before = snapshot(client, db, sec, "ilo")
    r = call(client, "POST", fp_url("ilo"), sec, body=contact(2001))
    body = assert_problem(r, 422)
    assert "2000" in body["detail"], body
    assert snapshot(client, db, sec, "ilo") == before


def test_a_sync_of_2001_contacts_is_a_422_naming_items_and_nothing_changed(
    client: TestClient, db: Session, sec: dict[str, str], ilo: list[dict[str, Any]]
) -> None:
    before = snapshot(client, db, sec, "ilo")
    r = call(client, "PUT", fp_url("ilo"), sec, body={"items": many(2001)})
    body = assert_problem(r, 422, loc=("body", "items"))
    assert any("2000" in e["msg"] for e in body["errors"]), body
    assert snapshot(client, db, sec, "ilo") == before


def test_a_sync_of_10000_contacts_is_refused_promptly_and_nothing_changed(
    client: TestClient, db: Session, sec: dict[str, str], ilo: list[dict[str, Any]]
) -> None:
    """A clear limit, answered at once: not a timeout, not a 500, not a partial write."""
    before = snapshot(client, db, sec, "ilo")
    raw = json.dumps({"items": many(10_000)}, separators=(",", ":")).encode()
    assert len(raw) < MIB  # so the refusal is the item limit's, not the size limit's
    started = time.perf_counter()
    r = call(client, "PUT", fp_url("ilo"), sec, content=raw)
    elapsed = time.perf_counter() - started
    body = assert_problem(r, 422, loc=("body", "items"))
    assert len(r.content) < 10_000, "one error for the list, not one per item"
    assert any("at most" in e["msg"] for e in body["errors"]), body
    assert elapsed < 5, elapsed
    assert snapshot(client, db, sec, "ilo") == before


def huge_body(method: str) -> dict[str, Any]:
    """A body over 1 MiB for ``method``, its size in one free-text field."""
    if method == "PUT":
        return {"items": [contact(1, primary=True, title="t" * MIB)]}
    if method == "POST":
        return contact(4, title="t" * MIB)
    return {"title": "t" * MIB}


@pytest.mark.parametrize("method", ["PUT", "POST", "PATCH"])
@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_1_mib_is_a_413_and_nothing_changed(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    method: str,
    streamed: bool,
) -> None:
    before = snapshot(client, db, sec, "ilo")
    raw = json.dumps(huge_body(method)).encode()
    assert len(raw) > MIB

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(raw), 64 * 1024):
            yield raw[i : i + 64 * 1024]

    path = fp_url("ilo", ilo[1]["id"]) if method == "PATCH" else fp_url("ilo")
    r = call(client, method, path, sec, content=chunks() if streamed else raw)
    assert_problem(r, 413)
    assert snapshot(client, db, sec, "ilo") == before


def test_a_sync_of_12000_contacts_over_1_mib_is_a_413_and_nothing_changed(
    client: TestClient, db: Session, sec: dict[str, str], ilo: list[dict[str, Any]]
) -> None:
    before = snapshot(client, db, sec, "ilo")
    raw = json.dumps({"items": many(12_000)}).encode()
    assert len(raw) > MIB
    assert_problem(call(client, "PUT", fp_url("ilo"), sec, content=raw), 413)
    assert snapshot(client, db, sec, "ilo") == before


# -- unicode names round-trip exactly -------------------------------------------------------------

UNICODE_NAMES = {
    "arabic": "ليلى حداد",
    "chinese": "王小明",
    "cyrillic": "Ольга Петрова",
    "combining-nfd": "Zoe\u0308 Saldan\u0303a",
    "precomposed-nfc": "Zoë Saldaña",
    "yoruba-stacked-marks": "Adébáyọ̀ Ọlápẹ̀jú",
    "devanagari": "अनीता शर्मा",
    "hebrew": "דנה לוי",
    "astral-cjk": "𠮷田 花子",
    "emoji-zwj": "Sam \U0001f469\u200d\U0001f4bb",
    "flag-and-skin-tone": "Kofi \U0001f1ec\U0001f1ed \U0001f44b\U0001f3fe",
    "quotes-and-backslash": 'Seán "Jack" O\'Brien \\ Ó Briain',
}


def assert_round_trip(raw: bytes, stored: dict[str, Any], sent: dict[str, Any]) -> None:
    """Every text field comes back as sent: the same code points (no normalization), and the
    same UTF-8 bytes on the wire."""
    for field in ("external_id", "name", "title"):
        assert stored[field] == sent[field], (field, stored[field], sent[field])
        encoded = json.dumps(sent[field], ensure_ascii=False)[1:-1].encode()
        assert encoded in raw, (field, encoded)


def unicode_contact(n: int, name: str, *, primary: bool = False) -> dict[str, Any]:
    return contact(
        n,
        primary=primary,
        external_id=f"ИД-{n}-" + name.replace(" ", "_"),
        name=name,
        title=f"Responsable — {name}",
    )


def test_unicode_names_round_trip_exactly_through_a_sync(
    client: TestClient, sec: dict[str, str], keys: Keys
) -> None:
    sent = [
        unicode_contact(i, name, primary=i == 0) for i, name in enumerate(UNICODE_NAMES.values())
    ]
    r = call(client, "PUT", fp_url("ilo"), sec, body={"items": sent})
    assert r.status_code == 200, r.text
    for reader in (sec, Keys.header(keys.member), Keys.header(keys.partner)):
        got = client.get(fp_url("ilo"), headers=reader)
        assert got.status_code == 200, got.text
        items = got.json()["items"]
        assert len(items) == len(sent)
        by_external = {c["external_id"]: c for c in items}
        for one in sent:
            assert_round_trip(got.content, by_external[one["external_id"]], one)
    nfd, nfc = UNICODE_NAMES["combining-nfd"], UNICODE_NAMES["precomposed-nfc"]
    assert unicodedata.normalize("NFC", nfd) == nfc  # the same text, different code points
    names = [c["name"] for c in client.get(fp_url("ilo"), headers=sec).json()["items"]]
    assert nfd in names
    assert nfc in names
    again = call(client, "PUT", fp_url("ilo"), sec, body={"items": sent})
    assert again.status_code == 200, again.text
    assert again.json()["unchanged"] == len(sent), "a byte-exact repeat changes nothing"


@pytest.mark.parametrize("name", UNICODE_NAMES.values(), ids=list(UNICODE_NAMES))
def test_a_unicode_name_round_trips_exactly_through_add_edit_and_read(
    client: TestClient, sec: dict[str, str], name: str
) -> None:
    sent = unicode_contact(1, name, primary=True)
    r = call(client, "POST", fp_url("ilo"), sec, body=sent)
    assert r.status_code == 201, r.text
    assert_round_trip(r.content, r.json(), sent)
    fp_id = r.json()["id"]
    got = client.get(fp_url("ilo", fp_id), headers=sec)
    assert_round_trip(got.content, got.json(), sent)
    edited = {**sent, "name": name + " " + name, "title": name}
    r = call(
        client,
        "PATCH",
        fp_url("ilo", fp_id),
        sec,
        body={"name": edited["name"], "title": edited["title"]},
    )
    assert r.status_code == 200, r.text
    got = client.get(fp_url("ilo", fp_id), headers=sec)
    assert_round_trip(got.content, got.json(), edited)


# -- unknown entities and contacts of another entity ----------------------------------------------


@pytest.mark.parametrize(
    ("method", "with_fp", "body"),
    [
        ("GET", False, None),
        ("PUT", False, {"items": [contact(1, primary=True)]}),
        ("PUT", False, {"items": []}),
        ("POST", False, contact(1, primary=True)),
        ("GET", True, None),
        ("PATCH", True, {"title": "Chief"}),
        ("DELETE", True, None),
    ],
    ids=["list", "sync", "sync-empty", "add", "read", "edit", "remove"],
)
def test_an_unknown_entity_is_a_404_and_nothing_is_created(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    iom: list[dict[str, Any]],
    method: str,
    with_fp: bool,
    body: dict[str, Any] | None,
) -> None:
    """Even with one of IOM's contact ids in the path, an unknown entity is a 404."""
    before = snapshot(client, db, sec, "iom")
    path = fp_url("no-such-agency", iom[1]["id"] if with_fp else None)
    assert_problem(call(client, method, path, sec, body=body), 404)
    assert snapshot(client, db, sec, "iom") == before


@pytest.mark.parametrize(
    ("method", "body"),
    [("GET", None), ("PATCH", {"title": "Chief"}), ("DELETE", None)],
    ids=["read", "edit", "remove"],
)
@pytest.mark.parametrize("who", ["coordinator", "member"])
def test_a_contact_of_another_entity_under_this_entity_path_is_a_404_and_unchanged(
    client: TestClient,
    db: Session,
    keys: Keys,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    iom: list[dict[str, Any]],
    method: str,
    body: dict[str, Any] | None,
    who: str,
) -> None:
    """ILO's key (or the Coordinator's) naming IOM's contact under ILO's path does not reach it."""
    before = snapshot(client, db, sec, "ilo", "iom")
    path = fp_url("ilo", iom[1]["id"])
    r = call(client, method, path, Keys.header(getattr(keys, who)), body=body)
    assert_problem(r, 404)
    assert snapshot(client, db, sec, "ilo", "iom") == before


@pytest.mark.parametrize(
    "path",
    [
        fp_url("ILO"),
        fp_url("ilo") + "/0",
        fp_url("ilo") + "/-1",
        fp_url("ilo") + "/abc",
        fp_url("ilo") + "/99999999999999999999",
        fp_url("ilo") + "/" + str(2**31),
    ],
    ids=["upper-case-entity", "zero", "negative", "not-a-number", "huge", "over-int32"],
)
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_a_malformed_path_id_is_a_422_and_nothing_changed(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    path: str,
    method: str,
) -> None:
    before = snapshot(client, db, sec, "ilo")
    body = {"title": "Chief"} if method == "PATCH" else None
    r = call(client, method, path, sec, body=body)
    expected = "entity_id" if path == fp_url("ILO") else "fp_id"
    if expected == "entity_id" and method != "GET":
        # There is no PATCH or DELETE on the collection: 405 is the honest answer.
        assert_problem(r, 405)
    else:
        assert_problem(r, 422, loc=("path", expected))
    assert snapshot(client, db, sec, "ilo") == before


# -- ToR 3.A.2: only members and partners designate; exactly one primary ---------------------------


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("PUT", {"items": [contact(1, primary=True)]}),
        ("PUT", {"items": [contact(1, primary=True), contact(2)]}),
        ("POST", contact(1, primary=True)),
    ],
    ids=["sync-one", "sync-two", "add"],
)
@pytest.mark.parametrize("who", ["coordinator", "own-key"])
def test_a_stakeholder_designating_focal_points_is_refused_naming_the_clause(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    ngo_key: str,
    method: str,
    body: dict[str, Any],
    who: str,
) -> None:
    """ToR 3.A.2, 3.A.5: an NGO is a stakeholder; its contacts are not ICAT's to keep, even when
    the secretariat sends them."""
    entity_id = NGO["id"]
    before = snapshot(client, db, sec, entity_id)
    headers = sec if who == "coordinator" else Keys.header(ngo_key)
    r = call(client, method, fp_url(entity_id), headers, body=body)
    body_out = assert_problem(r, 422, rule=RULE)
    assert "stakeholder" in body_out["detail"], body_out
    assert snapshot(client, db, sec, entity_id) == before
    assert client.get(fp_url(entity_id), headers=sec).json()["items"] == []


@pytest.mark.parametrize(
    ("method", "body"),
    [("PUT", {"items": [contact(1, primary=True)]}), ("POST", contact(1, primary=True))],
    ids=["sync", "add"],
)
def test_a_former_member_designating_focal_points_is_refused_naming_the_clause(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    former_member: str,
    method: str,
    body: dict[str, Any],
) -> None:
    before = snapshot(client, db, sec, former_member)
    r = call(client, method, fp_url(former_member), sec, body=body)
    assert_problem(r, 422, rule=RULE)
    assert snapshot(client, db, sec, former_member) == before


@pytest.mark.parametrize(
    "items",
    [
        [contact(1), contact(2), contact(3)],
        [contact(1)],
        [contact(1, primary=True), contact(2, primary=True)],
        [contact(1, primary=True), contact(2, primary=True), contact(3, primary=True)],
        [contact(1), contact(2, primary=True), contact(4, primary=True)],
    ],
    ids=["none-of-three", "none-of-one", "two", "three", "two-one-new"],
)
def test_a_sync_leaving_no_primary_or_two_is_refused_naming_the_clause_and_nothing_changed(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    items: list[dict[str, Any]],
) -> None:
    before = snapshot(client, db, sec, "ilo")
    r = call(client, "PUT", fp_url("ilo"), sec, body={"items": items})
    assert_problem(r, 422, rule=RULE)
    assert snapshot(client, db, sec, "ilo") == before


def test_a_sync_moving_the_primary_or_emptying_the_set_is_accepted(
    client: TestClient, sec: dict[str, str], ilo: list[dict[str, Any]]
) -> None:
    """The control for the one-primary refusals: one primary, or no contact at all, is fine."""
    items = put_set(client, sec, "ilo", [contact(1), contact(2, primary=True), contact(3)])
    assert [c["is_primary"] for c in items] == [False, True, False]
    assert put_set(client, sec, "ilo", []) == []


@pytest.mark.parametrize(
    ("existing", "added"),
    [
        ([], contact(1)),
        ([contact(1, primary=True)], contact(2, primary=True)),
    ],
    ids=["first-not-primary", "second-primary"],
)
def test_an_add_leaving_no_primary_or_two_is_refused_naming_the_clause_and_nothing_changed(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    existing: list[dict[str, Any]],
    added: dict[str, Any],
) -> None:
    if existing:
        put_set(client, sec, "ilo", existing)
    before = snapshot(client, db, sec, "ilo")
    r = call(client, "POST", fp_url("ilo"), sec, body=added)
    assert_problem(r, 422, rule=RULE)
    assert snapshot(client, db, sec, "ilo") == before


@pytest.mark.parametrize(
    ("index", "body"),
    [
        (0, {"is_primary": False}),
        (1, {"is_primary": True}),
        (2, {"is_primary": True, "title": "X"}),
    ],
    ids=["demote-the-primary", "promote-a-second", "promote-with-another-change"],
)
def test_an_edit_leaving_no_primary_or_two_is_refused_naming_the_clause_and_nothing_changed(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    index: int,
    body: dict[str, Any],
) -> None:
    before = snapshot(client, db, sec, "ilo")
    r = call(client, "PATCH", fp_url("ilo", ilo[index]["id"]), sec, body=body)
    assert_problem(r, 422, rule=RULE)
    assert snapshot(client, db, sec, "ilo") == before


def test_removing_the_primary_while_others_are_listed_is_refused_naming_the_clause(
    client: TestClient, db: Session, sec: dict[str, str], ilo: list[dict[str, Any]]
) -> None:
    before = snapshot(client, db, sec, "ilo")
    assert_problem(call(client, "DELETE", fp_url("ilo", ilo[0]["id"]), sec), 422, rule=RULE)
    assert snapshot(client, db, sec, "ilo") == before
    # The control: once it is the last one, the primary may go.
    for other in ilo[1:]:
        assert call(client, "DELETE", fp_url("ilo", other["id"]), sec).status_code == 204
    assert call(client, "DELETE", fp_url("ilo", ilo[0]["id"]), sec).status_code == 204
    assert client.get(fp_url("ilo"), headers=sec).json()["items"] == []


# -- If-Match from another resource ---------------------------------------------------------------


def etag(client: TestClient, sec: dict[str, str], path: str) -> str:
    r = client.get(path, headers=sec)
    assert r.status_code == 200, r.text
    value: str = r.headers["etag"]
    return value


@pytest.mark.parametrize(
    "source",
    ["iom-set", "ilo-contact", "iom-contact", "ilo-entity-record", "old-ilo-set", "made-up"],
)
def test_a_sync_with_if_match_of_another_resource_is_a_412_and_nothing_changed(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    iom: list[dict[str, Any]],
    source: str,
) -> None:
    if source == "old-ilo-set":
        stale = etag(client, sec, fp_url("ilo"))
        r = call(client, "PATCH", fp_url("ilo", ilo[1]["id"]), sec, body={"title": "Chief"})
        assert r.status_code == 200, r.text
    else:
        sources: dict[str, Callable[[], str]] = {
            "iom-set": lambda: etag(client, sec, fp_url("iom")),
            "ilo-contact": lambda: etag(client, sec, fp_url("ilo", ilo[0]["id"])),
            "iom-contact": lambda: etag(client, sec, fp_url("iom", iom[0]["id"])),
            "ilo-entity-record": lambda: etag(client, sec, "/v1/entities/ilo"),
            "made-up": lambda: '"0123456789abcdef0123456789abcdef"',
        }
        stale = sources[source]()
    before = snapshot(client, db, sec, "ilo", "iom")
    assert stale != before["ilo"]["etag"]
    headers = {**sec, "If-Match": stale}
    r = call(client, "PUT", fp_url("ilo"), headers, body={"items": [contact(1, primary=True)]})
    assert_problem(r, 412)
    assert snapshot(client, db, sec, "ilo", "iom") == before


def test_if_match_of_another_entity_empty_set_on_an_empty_set_is_a_412(
    client: TestClient, db: Session, sec: dict[str, str]
) -> None:
    """Nobody has focal points at the start: IOM's empty set and ILO's are different resources,
    so an ETag read from IOM's must not pass as a precondition on ILO's."""
    stale = etag(client, sec, fp_url("iom"))
    before = snapshot(client, db, sec, "ilo", "iom")
    headers = {**sec, "If-Match": stale}
    r = call(client, "PUT", fp_url("ilo"), headers, body={"items": [contact(1, primary=True)]})
    assert_problem(r, 412)
    assert snapshot(client, db, sec, "ilo", "iom") == before


def test_a_sync_with_the_current_if_match_is_accepted(
    client: TestClient, sec: dict[str, str], ilo: list[dict[str, Any]]
) -> None:
    """The control for the 412s."""
    headers = {**sec, "If-Match": etag(client, sec, fp_url("ilo"))}
    r = call(client, "PUT", fp_url("ilo"), headers, body={"items": [contact(1, primary=True)]})
    assert r.status_code == 200, r.text
    assert r.json()["removed"] == 2
    assert r.headers["etag"] == etag(client, sec, fp_url("ilo"))


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
@pytest.mark.parametrize("source", ["ilo-set", "other-ilo-contact", "iom-contact", "stale"])
def test_an_edit_or_removal_with_if_match_of_another_resource_is_a_412_and_nothing_changed(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    iom: list[dict[str, Any]],
    method: str,
    source: str,
) -> None:
    target = fp_url("ilo", ilo[1]["id"])
    if source == "stale":
        stale = etag(client, sec, target)
        r = call(client, "PATCH", target, sec, body={"title": "Chief"})
        assert r.status_code == 200, r.text
    else:
        sources: dict[str, Callable[[], str]] = {
            "ilo-set": lambda: etag(client, sec, fp_url("ilo")),
            "other-ilo-contact": lambda: etag(client, sec, fp_url("ilo", ilo[2]["id"])),
            "iom-contact": lambda: etag(client, sec, fp_url("iom", iom[1]["id"])),
        }
        stale = sources[source]()
    before = snapshot(client, db, sec, "ilo", "iom")
    body = {"title": "Director"} if method == "PATCH" else None
    r = call(client, method, target, {**sec, "If-Match": stale}, body=body)
    assert_problem(r, 412)
    assert snapshot(client, db, sec, "ilo", "iom") == before
    # The control: with the contact's own current ETag the same request goes through.
    current = etag(client, sec, target)
    r = call(client, method, target, {**sec, "If-Match": current}, body=body)
    assert r.status_code in (200, 204), r.text


# -- Idempotency-Key on POST ----------------------------------------------------------------------


def test_a_repeated_post_with_the_same_idempotency_key_replays_and_creates_one_contact(
    client: TestClient, db: Session, sec: dict[str, str]
) -> None:
    before = snapshot(client, db, sec, "ilo")
    headers = {**sec, "Idempotency-Key": "sync-2026-01-31-HR-1"}
    first = call(client, "POST", fp_url("ilo"), headers, body=contact(1, primary=True))
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    after_first = snapshot(client, db, sec, "ilo")
    for _ in range(2):
        again = call(client, "POST", fp_url("ilo"), headers, body=contact(1, primary=True))
        assert again.status_code == 201, again.text
        assert again.content == first.content
        assert again.headers["idempotent-replayed"] == "true"
        assert again.headers["content-type"] == first.headers["content-type"]
        assert again.headers["location"] == first.headers["location"]
        assert again.headers["etag"] == first.headers["etag"]
    assert snapshot(client, db, sec, "ilo") == after_first
    listed = client.get(fp_url("ilo"), headers=sec).json()["items"]
    assert [c["id"] for c in listed] == [first.json()["id"]]
    assert after_first["counts"]["focal_points"] == before["counts"]["focal_points"] + 1
    assert after_first["counts"]["audit_events"] == before["counts"]["audit_events"] + 1


def test_a_refused_post_is_replayed_as_refused_under_its_idempotency_key(
    client: TestClient, db: Session, sec: dict[str, str], ilo: list[dict[str, Any]]
) -> None:
    before = snapshot(client, db, sec, "ilo")
    headers = {**sec, "Idempotency-Key": "second-primary"}
    first = call(client, "POST", fp_url("ilo"), headers, body=contact(4, primary=True))
    assert_problem(first, 422, rule=RULE)
    again = call(client, "POST", fp_url("ilo"), headers, body=contact(4, primary=True))
    assert_problem(again, 422, rule=RULE)
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert snapshot(client, db, sec, "ilo") == before


@pytest.mark.parametrize(
    "second",
    [
        contact(1, primary=True, name="Someone Else"),
        contact(2, primary=True),
        {**contact(1, primary=True), "title": None},
    ],
    ids=["other-name", "other-external-id", "other-title"],
)
def test_the_same_idempotency_key_with_another_body_is_a_422_and_nothing_changed(
    client: TestClient, db: Session, sec: dict[str, str], second: dict[str, Any]
) -> None:
    headers = {**sec, "Idempotency-Key": "k-1"}
    first = call(client, "POST", fp_url("ilo"), headers, body=contact(1, primary=True))
    assert first.status_code == 201, first.text
    before = snapshot(client, db, sec, "ilo")
    r = call(client, "POST", fp_url("ilo"), headers, body=second)
    assert_problem(r, 422, loc=("header", "Idempotency-Key"))
    assert "idempotent-replayed" not in r.headers
    assert snapshot(client, db, sec, "ilo") == before


def test_the_same_idempotency_key_on_another_entity_path_is_a_422_and_nothing_changed(
    client: TestClient, db: Session, sec: dict[str, str]
) -> None:
    """The key names one request: the same body to another entity's contacts is another one."""
    headers = {**sec, "Idempotency-Key": "k-2"}
    first = call(client, "POST", fp_url("ilo"), headers, body=contact(1, primary=True))
    assert first.status_code == 201, first.text
    before = snapshot(client, db, sec, "ilo", "iom")
    r = call(client, "POST", fp_url("iom"), headers, body=contact(1, primary=True))
    assert_problem(r, 422, loc=("header", "Idempotency-Key"))
    assert snapshot(client, db, sec, "ilo", "iom") == before


@pytest.mark.parametrize(
    "key",
    [b"k" * 300, b"k" * 256, b"has space", b"", b"cl\xc3\xa9", b"tab\there"],
    ids=["300-chars", "256-chars", "space", "empty", "non-ascii", "tab"],
)
def test_an_invalid_idempotency_key_is_a_422_naming_the_header_and_nothing_changed(
    client: TestClient, db: Session, sec: dict[str, str], key: bytes
) -> None:
    before = snapshot(client, db, sec, "ilo")
    r = client.post(
        fp_url("ilo"),
        content=json.dumps(contact(1, primary=True)).encode(),
        headers=[
            (b"Authorization", sec["Authorization"].encode()),
            (b"Content-Type", b"application/json"),
            (b"Idempotency-Key", key),
        ],
    )
    assert_problem(r, 422, loc=("header", "Idempotency-Key"))
    assert snapshot(client, db, sec, "ilo") == before


def test_an_idempotency_key_of_255_visible_characters_is_accepted(
    client: TestClient, sec: dict[str, str]
) -> None:
    """The control for the invalid keys."""
    key = "".join(chr(33 + i % 94) for i in range(255))
    r = call(
        client,
        "POST",
        fp_url("ilo"),
        {**sec, "Idempotency-Key": key},
        body=contact(1, primary=True),
    )
    assert r.status_code == 201, r.text


# -- nothing half-applied --------------------------------------------------------------------------


def changing_sync() -> list[dict[str, Any]]:
    """Against the ``ilo`` fixture: renames HR-1, moves the primary to HR-2, removes HR-3 and
    adds HR-4 — a sync that would create, update and remove at once."""
    return [contact(1, name="Renamed"), contact(2, primary=True), contact(4)]


def test_the_changing_sync_alone_is_accepted(
    client: TestClient, sec: dict[str, str], ilo: list[dict[str, Any]]
) -> None:
    """The control for the half-applied cases below: without its poison the sync goes through."""
    r = call(client, "PUT", fp_url("ilo"), sec, body={"items": changing_sync()})
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["created"], got["updated"], got["removed"], got["unchanged"]) == (1, 2, 1, 0)


POISONS: dict[str, list[dict[str, Any]]] = {
    "bad-email-last": [contact(5, email="no-at-sign")],
    "bad-phone-last": [contact(5, phone="+999 1")],
    "nul-last": [contact(5, name="x\x00y")],
    "server-field-last": [contact(5, id=1)],
    "duplicate-last": [contact(4, name="Again")],
    "second-primary-last": [contact(5, primary=True)],
    "10000-items": many(9_997, primary=False),
}


@pytest.mark.parametrize("poison", POISONS.values(), ids=list(POISONS))
def test_a_sync_that_fails_leaves_the_previous_set_exactly_as_it_was(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    ilo: list[dict[str, Any]],
    poison: list[dict[str, Any]],
) -> None:
    before = snapshot(client, db, sec, "ilo")
    r = call(client, "PUT", fp_url("ilo"), sec, body={"items": changing_sync() + poison})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    assert snapshot(client, db, sec, "ilo") == before
    feed = client.get("/v1/focal-points", headers=sec).json()["items"]
    assert not any(c["deleted"] for c in feed), "no tombstone for a removal that did not happen"


def test_a_stale_sync_leaves_the_previous_set_exactly_as_it_was(
    client: TestClient, db: Session, sec: dict[str, str], ilo: list[dict[str, Any]]
) -> None:
    stale = etag(client, sec, fp_url("ilo"))
    r = call(client, "PATCH", fp_url("ilo", ilo[2]["id"]), sec, body={"title": "Chief"})
    assert r.status_code == 200, r.text
    before = snapshot(client, db, sec, "ilo")
    headers = {**sec, "If-Match": stale}
    r = call(client, "PUT", fp_url("ilo"), headers, body={"items": changing_sync()})
    assert_problem(r, 412)
    assert snapshot(client, db, sec, "ilo") == before
    assert client.get(fp_url("ilo", ilo[2]["id"]), headers=sec).json()["title"] == "Chief"
