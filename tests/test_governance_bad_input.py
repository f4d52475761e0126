"""Bad input on the Working Group's routes: meetings, attendance, enrolments, applications,
withdrawals, decisions, and the filters of their lists. Each refusal is a clear problem+json
answer naming what is wrong (DESIGN §4, §7), and nothing is stored.
"""

import base64
import copy
import json
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from icat_api.db import Base
from tests.conftest import Keys

MIB = 1024 * 1024
PROBLEM_KEYS = ("type", "title", "status", "detail")
STACK_TRACE_MARKERS = ("Traceback", 'File "', "sqlalchemy.", "site-packages", "psycopg")
MAX_ID = 2**31 - 1  # the largest id a path or body takes: surely not stored
DROP: Any = object()  # in a change set: remove the field from the valid body


# -- the world the bodies refer to ----------------------------------------------------------------


@dataclass(frozen=True)
class World:
    meeting_id: int  # a Working Group meeting, 2023-05-10..11, ILO chairing, six attending
    application_id: int  # asean-tip's application (partner), introduced at that meeting


MEETING_DAYS = ("2023-05-10", "2023-05-11")
ATTENDING = ("ilo", "iom", "ohchr", "unhcr", "unicef", "unodc")
APPLICANT = "asean-tip"  # an open application, submitted 2023-03-01
OTHER = "eac-tip"  # eligible, no application yet
IRRELEVANT = "customs-union"  # intergovernmental, but its mandate does not cover trafficking
NGO = "polaris"  # civil society: a stakeholder, never a member or partner


def _ok(r: Response) -> dict[str, Any]:
    assert r.status_code in (200, 201), r.text
    body: dict[str, Any] = r.json()
    return body


@pytest.fixture
def world(client: TestClient, sec: dict[str, str]) -> World:
    _ok(
        client.post(
            "/v1/chair-terms", json={"start_year": 2023, "entity_ids": ["ilo"]}, headers=sec
        )
    )
    meeting = _ok(
        client.post(
            "/v1/meetings",
            json={
                "kind": "working_group",
                "title": "First Working Group meeting of 2023",
                "starts_on": MEETING_DAYS[0],
                "ends_on": MEETING_DAYS[1],
                "location": "Vienna",
                "mode": "hybrid",
            },
            headers=sec,
        )
    )
    _ok(
        client.put(
            f"/v1/meetings/{meeting['id']}/attendance",
            json={"items": [{"entity_id": e} for e in ATTENDING]},
            headers=sec,
        )
    )
    for eid, name, kind, tip in (
        (APPLICANT, "ASEAN anti-trafficking", "intergovernmental", True),
        (OTHER, "EAC anti-trafficking", "intergovernmental", True),
        (IRRELEVANT, "A customs union", "intergovernmental", False),
        (NGO, "Polaris Project", "non_governmental", True),
    ):
        _ok(
            client.post(
                "/v1/entities",
                json={"id": eid, "name": name, "kind": kind, "mandate_covers_tip": tip},
                headers=sec,
            )
        )
    application = _ok(
        client.post(
            "/v1/applications",
            json={
                "entity_id": APPLICANT,
                "role": "partner",
                "submitted_on": "2023-03-01",
                "addressed_to": "chair",
                "letter_reference": "ASEAN/SG/2023/14",
            },
            headers=sec,
        )
    )
    assert application["introduced_at_meeting_id"] == meeting["id"]
    return World(meeting_id=meeting["id"], application_id=application["id"])


# -- the write endpoints and a valid call to each ------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # "{meeting}" and "{application}" stand for the world's
    valid: dict[str, Any]
    text_at: tuple[str | int, ...]  # where a free-text value goes, for NUL and long strings
    too_long: int  # a length over that field's limit


ADMISSION: dict[str, Any] = {
    "procedure": "meeting",
    "meeting_id": "{meeting}",
    "kind": "admission",
    "application_id": "{application}",
    "record": "The Working Group accepts ASEAN as an ICAT partner.",
    "confirmed_by": "ilo",
    "objections": [],
}
ELECTRONIC: dict[str, Any] = {
    "procedure": "electronic",
    "deadline_on": "2023-06-15",
    # ToR 3.B.3: every entity with voting rights on the deadline day is consulted.
    "consulted_entity_ids": ["ilo", "iom", "ohchr", "unhcr", "unicef", "unodc"],
    "kind": "general",
    "record": "The Working Group agrees the dates of its next meeting.",
    "confirmed_by": "ilo",
}

ENDPOINTS = (
    Endpoint(
        "create-meeting",
        "POST",
        "/v1/meetings",
        {
            "kind": "briefing",
            "title": "Briefing for civil society",
            "starts_on": "2023-06-01",
            "ends_on": "2023-06-02",
            "location": "Geneva",
            "mode": "virtual",
            "note": "Organized with the Chair.",
        },
        ("title",),
        10_000,
    ),
    Endpoint(
        "patch-meeting",
        "PATCH",
        "/v1/meetings/{meeting}",
        {"location": "Vienna International Centre"},
        ("location",),
        10_000,
    ),
    Endpoint(
        "set-attendance",
        "PUT",
        "/v1/meetings/{meeting}/attendance",
        {
            "items": [
                {"entity_id": "ilo", "representatives": ["Head, Fundamental Principles"]},
                {"entity_id": "iom"},
                {"entity_id": "unodc", "representatives": []},
                {"entity_id": "unfpa"},
            ]
        },
        ("items", 0, "representatives", 0),
        10_000,
    ),
    Endpoint(
        "enrol",
        "POST",
        "/v1/working-group/enrolments",
        {
            "entity_id": "unfpa",
            "confirmed_on": "2023-01-10",
            "confirmation_reference": "Letter UNFPA/TD/2023/07",
        },
        ("confirmation_reference",),
        10_000,
    ),
    Endpoint(
        "apply",
        "POST",
        "/v1/applications",
        {
            "entity_id": OTHER,
            "role": "member",
            "submitted_on": "2023-03-02",
            "addressed_to": "coordinator",
            "letter_reference": "EAC/SG/2023/3",
        },
        ("letter_reference",),
        10_000,
    ),
    Endpoint(
        "withdraw",
        "POST",
        "/v1/applications/{application}/withdraw",
        {"withdrawn_on": "2023-04-01"},
        ("withdrawn_on",),
        10_000,
    ),
    Endpoint(
        "decide",
        "POST",
        "/v1/decisions",
        ADMISSION,
        ("record",),
        20_001,  # a record may hold 20,000 characters
    ),
)
BY_NAME = {e.name: e for e in ENDPOINTS}


def fill(value: Any, world: World) -> Any:
    """``value`` with the world's ids in place of "{meeting}" and "{application}"."""
    if value == "{meeting}":
        return world.meeting_id
    if value == "{application}":
        return world.application_id
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, world) for v in value]
    return value


def url(endpoint: Endpoint, world: World) -> str:
    return endpoint.path.replace("{meeting}", str(world.meeting_id)).replace(
        "{application}", str(world.application_id)
    )


def changed(body: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = {**body, **changes}
    return {k: v for k, v in out.items() if v is not DROP}


def put_in(body: dict[str, Any], at: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(body)
    target: Any = out
    for step in at[:-1]:
        target = target[step]
    target[at[-1]] = value
    return out


def send(
    client: TestClient,
    endpoint: Endpoint,
    world: World,
    headers: dict[str, str],
    *,
    json_body: Any = None,
    content: bytes | None = None,
    content_type: str = "application/json",
) -> Response:
    if content is None:
        content = json.dumps(fill(json_body, world)).encode()
    r: Response = client.request(
        endpoint.method,
        url(endpoint, world),
        content=content,
        headers={**headers, "Content-Type": content_type},
    )
    return r


# -- what every refusal looks like, and proof that nothing was stored -----------------------------


def assert_problem(
    r: Response, status: int, *, field: str | int | None = None, rule: str | None = None
) -> dict[str, Any]:
    """``r`` is problem+json with ``status``; with ``field``, an error's loc names it; with
    ``rule``, the clause is named."""
    assert r.status_code == status, r.text[:800]
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
    if rule is not None:
        assert body.get("rule") == rule, body
    return body


def snapshot(client: TestClient, db: Session, world: World) -> dict[str, Any]:
    """Row counts of every table, and what the governance routes serve."""
    db.expire_all()
    counts = {
        table.name: db.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }
    reads = {
        path: client.get(path).json()
        for path in (
            "/v1/meetings?limit=200",
            "/v1/decisions?limit=200",
            "/v1/applications?limit=200",
            f"/v1/meetings/{world.meeting_id}",
            f"/v1/meetings/{world.meeting_id}/attendance",
            f"/v1/applications/{world.application_id}",
            "/v1/working-group?on=2023-12-31",
            "/v1/entities/unfpa/voting-rights?on=2023-12-31",
            f"/v1/entities/{APPLICANT}/memberships",
        )
    }
    return {"counts": counts, "reads": reads}


@pytest.fixture
def before(client: TestClient, db: Session, keys: Keys, world: World) -> dict[str, Any]:
    return snapshot(client, db, world)


def assert_nothing_stored(
    client: TestClient, db: Session, world: World, before: dict[str, Any]
) -> None:
    after = snapshot(client, db, world)
    assert after["counts"] == before["counts"]
    for path, served in before["reads"].items():
        assert after["reads"][path] == served, path


# -- the control: each valid body is accepted, so each refusal is the bad part's doing ------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_the_valid_body_of_each_write_is_accepted_and_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    world: World,
    before: dict[str, Any],
    endpoint: Endpoint,
) -> None:
    r = send(client, endpoint, world, sec, json_body=endpoint.valid)
    assert r.status_code in (200, 201), r.text
    after = snapshot(client, db, world)
    assert after["counts"]["audit_events"] > before["counts"]["audit_events"]


@pytest.mark.parametrize(
    "body",
    [
        changed(ADMISSION, {"record": "r" * 20_000}),
        ELECTRONIC,
        changed(
            ADMISSION,
            {"objections": [{"entity_id": "iom", "reason": "Not yet", "withdrawn": True}]},
        ),
    ],
    ids=["record-20000", "electronic", "withdrawn-objection"],
)
def test_the_edges_of_a_valid_decision_are_accepted(
    client: TestClient, sec: dict[str, str], world: World, body: dict[str, Any]
) -> None:
    r = client.post("/v1/decisions", json=fill(body, world), headers=sec)
    assert r.status_code == 201, r.text
    assert r.json()["outcome"] == "adopted"
    assert r.json()["record"] == body["record"]


# -- bodies that are not JSON, or not an object ---------------------------------------------------

MALFORMED_JSON = {
    "truncated": b'{"kind": "working_group",',
    "single-quotes": b"{'kind': 'working_group'}",
    "trailing-garbage": b'{"kind": "working_group"} xyz',
    "bare-word": b"hello",
    "trailing-comma": b'{"kind": "working_group",}',
    "invalid-utf8": b'{"title": "\xff\xfe"}',
}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("raw", MALFORMED_JSON.values(), ids=list(MALFORMED_JSON))
def test_malformed_json_is_a_400_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    world: World,
    before: dict[str, Any],
    endpoint: Endpoint,
    raw: bytes,
) -> None:
    r = send(client, endpoint, world, sec, content=raw)
    assert_problem(r, 400)
    assert_nothing_stored(client, db, world, before)


NOT_AN_OBJECT = {
    "array": b"[]",
    "number": b"42",
    "null": b"null",
    "empty-body": b"",
}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("raw", NOT_AN_OBJECT.values(), ids=list(NOT_AN_OBJECT))
def test_json_that_is_not_an_object_is_a_422_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    world: World,
    before: dict[str, Any],
    endpoint: Endpoint,
    raw: bytes,
) -> None:
    r = send(client, endpoint, world, sec, content=raw)
    assert_problem(r, 422, field="body")
    assert_nothing_stored(client, db, world, before)


@pytest.mark.parametrize("field", ["meeting_id", "application_id"])
@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_number_json_cannot_hold_is_refused_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    world: World,
    before: dict[str, Any],
    field: str,
    number: str,
) -> None:
    """Python's parser takes NaN and Infinity, which JSON does not have: either way a refusal
    (400 as not JSON, or 422 naming the field), never a stored decision or a 500."""
    raw = json.dumps(changed(fill(ADMISSION, world), {field: 0})).replace(
        f'"{field}": 0', f'"{field}": {number}'
    )
    assert number in raw
    r = send(client, BY_NAME["decide"], world, sec, content=raw.encode())
    if r.status_code == 400:
        assert_problem(r, 400)
    else:
        assert_problem(r, 422, field=field)
    assert_nothing_stored(client, db, world, before)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_the_valid_body_wrapped_in_an_array_is_a_422_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    world: World,
    before: dict[str, Any],
    endpoint: Endpoint,
) -> None:
    r = send(client, endpoint, world, sec, json_body=[endpoint.valid])
    assert_problem(r, 422, field="body")
    assert_nothing_stored(client, db, world, before)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_a_body_over_1_mib_is_a_413_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    world: World,
    before: dict[str, Any],
    endpoint: Endpoint,
) -> None:
    raw = json.dumps(changed(fill(endpoint.valid, world), {"padding": "x" * MIB})).encode()
    r = send(client, endpoint, world, sec, content=raw)
    assert_problem(r, 413)
    assert_nothing_stored(client, db, world, before)


# -- unknown fields ------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize(
    ("field", "value"),
    [("id", 1), ("is_admin", True), ("n\x00te", "x")],
    ids=["id", "is_admin", "nul-in-name"],
)
def test_an_unknown_field_is_a_422_naming_it_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    world: World,
    before: dict[str, Any],
    endpoint: Endpoint,
    field: str,
    value: Any,
) -> None:
    r = send(client, endpoint, world, sec, json_body=changed(endpoint.valid, {field: value}))
    assert_problem(r, 422, field=field)
    assert_nothing_stored(client, db, world, before)


# -- wrong types and values, field by field -------------------------------------------------------

NOT_SLUGS = {
    "upper-case": "UNFPA",
    "unicode": "ünfpa",
    "too-long": "a" * 65,
    "one-char": "a",
    "empty": "",
    "traversal": "../../etc/passwd",
    "sql": "x'; DROP TABLE meetings; --",
    "number": 42,
    "null": None,
}

SOME_NOT_SLUGS = ("ILO", "a" * 65, "", 42, None)

BAD_DAYS = {
    "impossible": "2019-02-30",
    "year-1": "0001-01-01",
    "before-the-charter": "1945-10-23",
    "year-9999": "9999-12-31",
    "slashes": "2023/05/10",
    "timestamp": "2023-05-10T00:00:00Z",
    "empty": "",
    "number": 20230510,
}

BAD_IDS: dict[str, Any] = {
    "zero": 0,
    "negative": -1,
    "2**31": 2**31,
    "word": "abc",
    "float": 1.5,
}

ENUMS: list[tuple[str, str, list[Any]]] = [
    ("create-meeting", "kind", ["plenary", "WORKING_GROUP", "working group", "", 1, None]),
    ("create-meeting", "mode", ["teleport", "IN_PERSON", "", 0, None]),
    ("patch-meeting", "mode", ["teleport", "Hybrid", 2]),
    ("apply", "role", ["chair", "observer", "stakeholder", "MEMBER", "", None]),
    ("apply", "addressed_to", ["secretary-general", "Chair", "both", "", None]),
    ("decide", "procedure", ["written", "silence", "MEETING", "", None]),
    ("decide", "kind", ["coronation", "Admission", "", None]),
]

# (endpoint, body changes, the field the error must name)
FIELD_CASES: list[tuple[str, dict[str, Any], str | int]] = [
    *((e, {f: v}, f) for e, f, values in ENUMS for v in values),
    # meetings
    *(("create-meeting", {"starts_on": d}, "starts_on") for d in BAD_DAYS.values()),
    *(("create-meeting", {"ends_on": d}, "ends_on") for d in BAD_DAYS.values()),
    ("create-meeting", {"starts_on": DROP}, "starts_on"),
    ("create-meeting", {"ends_on": "2023-05-31"}, "body"),  # before starts_on
    ("create-meeting", {"title": ""}, "title"),
    ("create-meeting", {"title": "   "}, "title"),
    ("create-meeting", {"title": None}, "title"),
    ("create-meeting", {"title": 42}, "title"),
    ("create-meeting", {"title": ["a"]}, "title"),
    ("create-meeting", {"location": "l" * 301}, "location"),
    ("create-meeting", {"note": "n" * 2001}, "note"),
    ("create-meeting", {"note": {"text": "x"}}, "note"),
    *(("patch-meeting", {"starts_on": d}, "starts_on") for d in BAD_DAYS.values()),
    *(("patch-meeting", {"ends_on": d}, "ends_on") for d in BAD_DAYS.values()),
    *(("patch-meeting", {f: None}, "body") for f in ("title", "starts_on", "ends_on", "mode")),
    ("patch-meeting", {"ends_on": "2023-05-01"}, "ends_on"),  # before the stored starts_on
    ("patch-meeting", {"starts_on": "2023-06-02", "ends_on": "2023-06-01"}, "body"),
    ("patch-meeting", {"kind": "briefing"}, "kind"),  # a meeting's kind is not patched
    ("patch-meeting", {"title": ""}, "title"),
    ("patch-meeting", {"title": 7}, "title"),
    ("patch-meeting", {"updated_at": "2030-01-01T00:00:00Z"}, "updated_at"),
    # attendance
    (
        "set-attendance",
        {"items": [{"entity_id": "ilo"}, {"entity_id": "iom"}, {"entity_id": "ilo"}]},
        "body",
    ),
    ("set-attendance", {"items": None}, "items"),
    ("set-attendance", {"items": DROP}, "items"),
    ("set-attendance", {"items": "ilo"}, "items"),
    ("set-attendance", {"items": {"ilo": {}}}, "items"),
    ("set-attendance", {"items": ["ilo"]}, 0),
    ("set-attendance", {"items": [{}]}, "entity_id"),
    *(("set-attendance", {"items": [{"entity_id": v}]}, "entity_id") for v in SOME_NOT_SLUGS),
    ("set-attendance", {"items": [{"entity_id": "no-such-agency"}]}, "entity_id"),
    (
        "set-attendance",
        {"items": [{"entity_id": "ilo", "representatives": "Head"}]},
        "representatives",
    ),
    (
        "set-attendance",
        {"items": [{"entity_id": "ilo", "representatives": [""]}]},
        "representatives",
    ),
    (
        "set-attendance",
        {"items": [{"entity_id": "ilo", "representatives": [7]}]},
        "representatives",
    ),
    (
        "set-attendance",
        {"items": [{"entity_id": "ilo", "representatives": ["r"] * 51}]},
        "representatives",
    ),
    ("set-attendance", {"items": [{"entity_id": "ilo", "capacity": "voting_member"}]}, "capacity"),
    ("set-attendance", {"items": [{"entity_id": f"e{i}"} for i in range(501)]}, "items"),
    ("set-attendance", {"meeting_id": 1}, "meeting_id"),
    # enrolments
    *(("enrol", {"entity_id": v}, "entity_id") for v in NOT_SLUGS.values()),
    *(("enrol", {"confirmed_on": d}, "confirmed_on") for d in BAD_DAYS.values()),
    ("enrol", {"confirmed_on": DROP}, "confirmed_on"),
    ("enrol", {"confirmation_reference": ""}, "confirmation_reference"),
    ("enrol", {"confirmation_reference": None}, "confirmation_reference"),
    ("enrol", {"confirmation_reference": 12}, "confirmation_reference"),
    ("enrol", {"confirmation_reference": "r" * 301}, "confirmation_reference"),
    ("enrol", {"has_voting_rights": True}, "has_voting_rights"),
    # applications
    *(("apply", {"entity_id": v}, "entity_id") for v in NOT_SLUGS.values()),
    *(("apply", {"submitted_on": d}, "submitted_on") for d in BAD_DAYS.values()),
    ("apply", {"letter_reference": ""}, "letter_reference"),
    ("apply", {"letter_reference": DROP}, "letter_reference"),
    ("apply", {"letter_reference": "r" * 301}, "letter_reference"),
    ("apply", {"status": "accepted"}, "status"),
    ("apply", {"decision_id": 1}, "decision_id"),
    ("apply", {"introduced_at_meeting_id": "{meeting}"}, "introduced_at_meeting_id"),
    # withdrawals
    *(("withdraw", {"withdrawn_on": d}, "withdrawn_on") for d in BAD_DAYS.values()),
    ("withdraw", {"withdrawn_on": "2023-02-28"}, "withdrawn_on"),  # before it was submitted
    ("withdraw", {"status": "withdrawn"}, "status"),
    ("withdraw", {"reason": "changed our mind"}, "reason"),
    # decisions: ids
    *(("decide", {"meeting_id": v}, "meeting_id") for v in BAD_IDS.values()),
    *(("decide", {"application_id": v}, "application_id") for v in BAD_IDS.values()),
    ("decide", {"meeting_id": MAX_ID}, "meeting_id"),  # unknown meeting
    ("decide", {"application_id": MAX_ID}, "application_id"),  # unknown application
    # decisions: their shape
    ("decide", {"meeting_id": DROP}, "body"),
    ("decide", {"meeting_id": None}, "body"),
    ("decide", {"application_id": DROP}, "body"),
    ("decide", {"application_id": None}, "body"),
    ("decide", {"kind": "general"}, "body"),  # application_id on a general decision
    ("decide", {"deadline_on": "2023-05-10"}, "body"),  # a deadline at a meeting
    ("decide", {"consulted_entity_ids": ["ilo"]}, "body"),
    ("decide", {"procedure": "electronic"}, "body"),  # no deadline, no consulted, a meeting
    ("decide", {"procedure": "electronic", "meeting_id": DROP}, "body"),
    (
        "decide",
        {"procedure": "electronic", "meeting_id": DROP, "deadline_on": "2023-06-15"},
        "body",
    ),
    (
        "decide",
        {"procedure": "electronic", "meeting_id": DROP, "consulted_entity_ids": ["ilo"]},
        "body",
    ),
    (
        "decide",
        {
            "procedure": "electronic",
            "meeting_id": DROP,
            "deadline_on": "2023-06-15",
            "consulted_entity_ids": [],
        },
        "body",
    ),
    (
        "decide",
        {
            "objections": [
                {"entity_id": "iom", "reason": "Too early"},
                {"entity_id": "iom", "reason": "Still too early", "withdrawn": True},
            ]
        },
        "body",
    ),
    # decisions: fields
    *(("decide", {"decided_on": d}, "decided_on") for d in BAD_DAYS.values()),
    *(("decide", {"confirmed_by": v}, "confirmed_by") for v in SOME_NOT_SLUGS),
    ("decide", {"confirmed_by": DROP}, "confirmed_by"),
    ("decide", {"confirmed_by": "no-such-agency"}, "confirmed_by"),
    ("decide", {"record": DROP}, "record"),
    ("decide", {"record": None}, "record"),
    ("decide", {"record": 42}, "record"),
    ("decide", {"record": ["a"]}, "record"),
    ("decide", {"objections": None}, "objections"),
    ("decide", {"objections": "iom"}, "objections"),
    ("decide", {"objections": [{"entity_id": "iom"}]}, "reason"),
    ("decide", {"objections": [{"entity_id": "iom", "reason": ""}]}, "reason"),
    ("decide", {"objections": [{"entity_id": "iom", "reason": "r" * 2001}]}, "reason"),
    (
        "decide",
        {"objections": [{"entity_id": "iom", "reason": "r", "withdrawn": "yes"}]},
        "withdrawn",
    ),
    ("decide", {"objections": [{"entity_id": "iom", "reason": "r", "withdrawn": 1}]}, "withdrawn"),
    ("decide", {"objections": [{"entity_id": "IOM", "reason": "r"}]}, "entity_id"),
    ("decide", {"objections": [{"entity_id": "no-such-agency", "reason": "r"}]}, "objections"),
    ("decide", {"objections": [{"entity_id": "iom", "reason": "r", "weight": 2}]}, "weight"),
    ("decide", {"outcome": "adopted"}, "outcome"),
    ("decide", {"effects": ["asean-tip: member"]}, "effects"),
]

ELECTRONIC_CASES: list[tuple[dict[str, Any], str]] = [
    *(({"deadline_on": d}, "deadline_on") for d in BAD_DAYS.values()),
    ({"decided_on": "2023-06-14"}, "body"),  # before the deadline
    ({"consulted_entity_ids": "ilo"}, "consulted_entity_ids"),
    ({"consulted_entity_ids": ["ILO"]}, "consulted_entity_ids"),
    ({"consulted_entity_ids": ["ilo", None]}, "consulted_entity_ids"),
    ({"consulted_entity_ids": ["ilo", "no-such-agency"]}, "consulted_entity_ids"),
    ({"consulted_entity_ids": [f"e{i}" for i in range(501)]}, "consulted_entity_ids"),
    ({"application_id": "{application}"}, "body"),  # application_id on a general decision
    ({"kind": "admission"}, "body"),  # an admission without application_id
    ({"meeting_id": "{meeting}"}, "body"),
]


@pytest.mark.parametrize(
    ("endpoint_name", "changes", "field"),
    FIELD_CASES,
    ids=[f"{e}-{i}-{f}" for i, (e, _, f) in enumerate(FIELD_CASES)],
)
def test_a_wrong_type_or_value_is_a_422_naming_the_field_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    world: World,
    before: dict[str, Any],
    endpoint_name: str,
    changes: dict[str, Any],
    field: str | int,
) -> None:
    endpoint = BY_NAME[endpoint_name]
    r = send(client, endpoint, world, sec, json_body=changed(endpoint.valid, changes))
    assert_problem(r, 422, field=field)
    assert_nothing_stored(client, db, world, before)


@pytest.mark.parametrize(
    ("changes", "field"),
    ELECTRONIC_CASES,
    ids=[f"{i}-{f}" for i, (_, f) in enumerate(ELECTRONIC_CASES)],
)
def test_a_bad_electronic_decision_is_a_422_naming_the_field_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    world: World,
    before: dict[str, Any],
    changes: dict[str, Any],
    field: str,
) -> None:
    r = send(client, BY_NAME["decide"], world, sec, json_body=changed(ELECTRONIC, changes))
    assert_problem(r, 422, field=field)
    assert_nothing_stored(client, db, world, before)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize(
    "kind",
    ["nul-inside", "too-long", "too-long-emoji", "lone-surrogate"],
)
def test_nul_bytes_overlong_strings_and_lone_surrogates_are_refused_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    world: World,
    before: dict[str, Any],
    endpoint: Endpoint,
    kind: str,
) -> None:
    value = {
        "nul-inside": "Letter\x00 2023",
        "too-long": "x" * endpoint.too_long,
        "too-long-emoji": "\U0001f600" * endpoint.too_long,
        "lone-surrogate": "\ud800 Letter",
    }[kind]
    # json.dumps escapes NUL and lone surrogates (\u0000, \ud800): valid JSON text, bad strings.
    body = put_in(endpoint.valid, endpoint.text_at, value)
    r = send(client, endpoint, world, sec, json_body=body)
    named = next(s for s in reversed(endpoint.text_at) if isinstance(s, str))
    assert_problem(r, 422, field=named)
    assert_nothing_stored(client, db, world, before)


@pytest.mark.parametrize(
    ("endpoint_name", "changes", "field"),
    [
        ("set-attendance", {"items": [{"entity_id": "il\x00o"}]}, "entity_id"),
        ("enrol", {"entity_id": "unfpa\x00"}, "entity_id"),
        ("apply", {"role": "member\x00"}, "role"),
        ("apply", {"addressed_to": "chair\x00"}, "addressed_to"),
        ("create-meeting", {"kind": "briefing\x00"}, "kind"),
        ("create-meeting", {"starts_on": "2023-06-01\x00"}, "starts_on"),
        ("decide", {"confirmed_by": "ilo\x00"}, "confirmed_by"),
        ("decide", {"objections": [{"entity_id": "iom", "reason": "r\x00"}]}, "reason"),
    ],
    ids=["attendee", "enrolment", "role", "addressed-to", "kind", "day", "confirmed-by", "reason"],
)
def test_nul_in_an_id_enum_or_day_is_refused_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    world: World,
    before: dict[str, Any],
    endpoint_name: str,
    changes: dict[str, Any],
    field: str,
) -> None:
    endpoint = BY_NAME[endpoint_name]
    r = send(client, endpoint, world, sec, json_body=changed(endpoint.valid, changes))
    assert_problem(r, 422, field=field)
    assert_nothing_stored(client, db, world, before)


@pytest.mark.parametrize(
    ("endpoint_name", "changes"),
    [("enrol", {"entity_id": "no-such-agency"}), ("apply", {"entity_id": "no-such-agency"})],
    ids=["enrol", "apply"],
)
def test_an_unknown_entity_in_a_body_is_a_422_naming_it_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    world: World,
    before: dict[str, Any],
    endpoint_name: str,
    changes: dict[str, Any],
) -> None:
    """As for an unknown meeting or application in a body, and an unknown attendee or
    `confirmed_by`: a reference in the body to nothing is invalid input (422 naming it); 404
    is for the resource the path names."""
    endpoint = BY_NAME[endpoint_name]
    r = send(client, endpoint, world, sec, json_body=changed(endpoint.valid, changes))
    assert_problem(r, 422, field="entity_id")
    assert_nothing_stored(client, db, world, before)


def test_unicode_in_free_text_is_stored_exactly(
    client: TestClient, sec: dict[str, str], world: World
) -> None:
    """The control for the refusals of strings: unicode is not bad input."""
    title = "Réunion du Groupe de travail — 国际移民组织 — المنظمة \U0001f30d"
    body = changed(BY_NAME["create-meeting"].valid, {"title": title})
    r = client.post("/v1/meetings", json=body, headers=sec)
    assert r.status_code == 201, r.text
    assert client.get(f"/v1/meetings/{r.json()['id']}").json()["title"] == title


# -- refusals by the ToR and by state -------------------------------------------------------------

RULE_CASES: list[tuple[str, dict[str, Any], int, str]] = [
    ("set-attendance", {"items": [{"entity_id": "ilo"}, {"entity_id": NGO}]}, 422, "ToR 3.A.5"),
    ("set-attendance", {"items": [{"entity_id": APPLICANT}]}, 422, "ToR 3.A.5"),
    ("enrol", {"entity_id": "council-of-europe"}, 422, "ToR 3.B.7"),
    ("apply", {"entity_id": APPLICANT}, 409, "ToR 3.A.3"),  # it has an open application
    ("apply", {"entity_id": "ilo"}, 422, "ToR 3.A.3"),  # a member already
    ("apply", {"entity_id": IRRELEVANT}, 422, "ToR 3.A.4(b)"),
    ("apply", {"entity_id": NGO}, 422, "ToR 3.A.5"),
    ("apply", {"entity_id": "council-of-europe", "role": "partner"}, 422, "ToR 3.A.3"),
    ("decide", {"record": "   "}, 422, "ToR 3.B.3"),
    ("decide", {"record": ""}, 422, "ToR 3.B.3"),
    ("decide", {"confirmed_by": "iom"}, 422, "ToR 3.B.3"),  # not the Chair of 2023
    ("decide", {"decided_on": "2023-05-12"}, 422, "ToR 3.B.3"),  # after the meeting
    ("decide", {"decided_on": "2023-05-09"}, 422, "ToR 3.B.3"),  # before it
    (
        "decide",
        {"objections": [{"entity_id": "council-of-europe", "reason": "r"}]},
        422,
        "ToR 3.B.7",
    ),
    ("decide", {"objections": [{"entity_id": "unfpa", "reason": "r"}]}, 422, "ToR 3.B.3"),
]


@pytest.mark.parametrize(
    ("endpoint_name", "changes", "status", "rule"),
    RULE_CASES,
    ids=[f"{e}-{i}" for i, (e, _, _, _) in enumerate(RULE_CASES)],
)
def test_a_body_the_tor_refuses_names_the_clause_and_nothing_is_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    world: World,
    before: dict[str, Any],
    endpoint_name: str,
    changes: dict[str, Any],
    status: int,
    rule: str,
) -> None:
    endpoint = BY_NAME[endpoint_name]
    r = send(client, endpoint, world, sec, json_body=changed(endpoint.valid, changes))
    assert_problem(r, status, rule=rule)
    assert_nothing_stored(client, db, world, before)


def test_deciding_an_application_twice_is_a_409_and_nothing_more_is_stored(
    client: TestClient, db: Session, sec: dict[str, str], world: World
) -> None:
    body = fill(ADMISSION, world)
    assert client.post("/v1/decisions", json=body, headers=sec).status_code == 201
    settled = snapshot(client, db, world)
    assert_problem(client.post("/v1/decisions", json=body, headers=sec), 409, rule="ToR 3.A.3")
    assert_nothing_stored(client, db, world, settled)
    memberships = client.get(f"/v1/entities/{APPLICANT}/memberships").json()["items"]
    assert len(memberships) == 1


def test_withdrawing_twice_is_a_409_and_nothing_more_is_stored(
    client: TestClient, db: Session, sec: dict[str, str], world: World
) -> None:
    path = f"/v1/applications/{world.application_id}/withdraw"
    assert client.post(path, json={"withdrawn_on": "2023-04-01"}, headers=sec).status_code == 200
    settled = snapshot(client, db, world)
    assert_problem(client.post(path, json={"withdrawn_on": "2023-04-02"}, headers=sec), 409)
    assert_nothing_stored(client, db, world, settled)
    assert (
        client.get(f"/v1/applications/{world.application_id}").json()["closed_on"] == "2023-04-01"
    )


def test_a_stale_if_match_on_a_meeting_is_a_412_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    world: World,
    before: dict[str, Any],
) -> None:
    r = client.patch(
        f"/v1/meetings/{world.meeting_id}",
        json={"location": "Geneva"},
        headers={**sec, "If-Match": '"0123456789abcdef0123456789abcdef"'},
    )
    assert_problem(r, 412)
    assert_nothing_stored(client, db, world, before)


# -- keys that do not open the door ---------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("which", ["none", "revoked"])
def test_without_a_valid_key_a_write_is_a_401_and_nothing_stored(
    client: TestClient,
    db: Session,
    keys: Keys,
    world: World,
    before: dict[str, Any],
    endpoint: Endpoint,
    which: str,
) -> None:
    headers = {
        "none": {},
        "revoked": Keys.header(keys.revoked),
    }[which]
    r = send(client, endpoint, world, headers, json_body=endpoint.valid)
    assert_problem(r, 401)
    assert_nothing_stored(client, db, world, before)


@pytest.mark.parametrize(
    ("endpoint_name", "who"),
    [
        ("create-meeting", "member"),  # ILO chairs 2023, not today
        ("patch-meeting", "member"),
        ("set-attendance", "partner"),
        ("decide", "member"),
        ("enrol", "member"),  # ILO's key enrolling UNFPA
        ("apply", "member"),  # ILO's key applying for another
        ("withdraw", "member"),  # ILO's key withdrawing ASEAN's application
        ("withdraw", "partner"),
    ],
    ids=lambda v: str(v),
)
def test_another_agencys_key_is_a_403_and_nothing_stored(
    client: TestClient,
    db: Session,
    keys: Keys,
    world: World,
    before: dict[str, Any],
    endpoint_name: str,
    who: str,
) -> None:
    key = keys.member if who == "member" else keys.partner
    endpoint = BY_NAME[endpoint_name]
    r = send(client, endpoint, world, Keys.header(key), json_body=endpoint.valid)
    assert_problem(r, 403)
    assert_nothing_stored(client, db, world, before)


# -- ids in paths ---------------------------------------------------------------------------------

BAD_PATH_IDS = {
    "zero": "0",
    "negative": "-1",
    "2**31": str(2**31),
    "word": "abc",
    "float": "1.5",
    "nul": "1%00",
}

PATH_ROUTES: list[tuple[str, str, str | None, str]] = [
    ("GET", "/v1/meetings/{id}", None, "meeting_id"),
    ("PATCH", "/v1/meetings/{id}", "patch-meeting", "meeting_id"),
    ("GET", "/v1/meetings/{id}/attendance", None, "meeting_id"),
    ("PUT", "/v1/meetings/{id}/attendance", "set-attendance", "meeting_id"),
    ("GET", "/v1/applications/{id}", None, "application_id"),
    ("POST", "/v1/applications/{id}/withdraw", "withdraw", "application_id"),
    ("GET", "/v1/decisions/{id}", None, "decision_id"),
]


@pytest.mark.parametrize(
    ("method", "template", "endpoint_name", "field"),
    PATH_ROUTES,
    ids=[f"{m}-{t}" for m, t, _, _ in PATH_ROUTES],
)
@pytest.mark.parametrize("bad", BAD_PATH_IDS.values(), ids=list(BAD_PATH_IDS))
def test_an_id_in_the_path_that_is_not_a_positive_int32_is_a_422_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    world: World,
    before: dict[str, Any],
    method: str,
    template: str,
    endpoint_name: str | None,
    field: str,
    bad: str,
) -> None:
    body = fill(BY_NAME[endpoint_name].valid, world) if endpoint_name else None
    r = client.request(method, template.replace("{id}", bad), json=body, headers=sec)
    assert_problem(r, 422, field=field)
    assert_nothing_stored(client, db, world, before)


@pytest.mark.parametrize(
    ("method", "template", "endpoint_name", "field"),
    PATH_ROUTES,
    ids=[f"{m}-{t}" for m, t, _, _ in PATH_ROUTES],
)
def test_an_unknown_id_in_the_path_is_a_404_and_nothing_stored(
    client: TestClient,
    db: Session,
    sec: dict[str, str],
    world: World,
    before: dict[str, Any],
    method: str,
    template: str,
    endpoint_name: str | None,
    field: str,
) -> None:
    body = fill(BY_NAME[endpoint_name].valid, world) if endpoint_name else None
    r = client.request(method, template.replace("{id}", str(MAX_ID)), json=body, headers=sec)
    assert_problem(r, 404)
    assert_nothing_stored(client, db, world, before)


VOTING_RIGHTS_PATHS = {
    "upper-case": "UNODC",
    "space": "un%20odc",
    "unicode": "%C3%BCnodc",
    "too-long": "a" * 65,
    "one-char": "a",
    "underscore": "un_odc",
    "leading-hyphen": "-unodc",
    "nul": "un%00odc",
    "dot-dot": "%2e%2e",
    "quote": "unodc%27--",
}


@pytest.mark.parametrize("entity_id", VOTING_RIGHTS_PATHS.values(), ids=list(VOTING_RIGHTS_PATHS))
def test_voting_rights_of_an_id_that_is_not_a_slug_is_a_422(
    client: TestClient, entity_id: str
) -> None:
    r = client.get(f"/v1/entities/{entity_id}/voting-rights")
    assert_problem(r, 422, field="entity_id")


def test_voting_rights_of_an_unknown_entity_is_a_404(client: TestClient) -> None:
    assert_problem(client.get("/v1/entities/no-such-agency/voting-rights"), 404)


# -- the filters and paging of the lists ----------------------------------------------------------


def b64(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


PAGED = ["/v1/meetings", "/v1/decisions", "/v1/applications"]

BAD_PAGING: dict[str, tuple[dict[str, str], str]] = {
    "limit-201": ({"limit": "201"}, "limit"),
    "limit-huge": ({"limit": "9" * 40}, "limit"),
    "limit-0": ({"limit": "0"}, "limit"),
    "limit-negative": ({"limit": "-1"}, "limit"),
    "limit-word": ({"limit": "ten"}, "limit"),
    "cursor-garbage": ({"cursor": "garbage!!"}, "cursor"),
    "cursor-object": ({"cursor": b64({"id": 1})}, "cursor"),
    "cursor-null-key": ({"cursor": b64([None])}, "cursor"),
    "cursor-10000": ({"cursor": "x" * 10_000}, "cursor"),
    "cursor-nul": ({"cursor": "abc\x00"}, "cursor"),
}


@pytest.mark.parametrize("path", PAGED)
@pytest.mark.parametrize(("params", "field"), BAD_PAGING.values(), ids=list(BAD_PAGING))
def test_a_bad_limit_or_cursor_is_a_422_naming_it(
    client: TestClient,
    db: Session,
    world: World,
    before: dict[str, Any],
    path: str,
    params: dict[str, str],
    field: str,
) -> None:
    assert_problem(client.get(path, params=params), 422, field=field)
    assert_nothing_stored(client, db, world, before)


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/v1/meetings", ["not-a-day", 1]),
        ("/v1/meetings", ["2019-02-30", 1]),
        ("/v1/meetings", ["2023-05-10", "x"]),
        ("/v1/meetings", [1]),
        ("/v1/decisions", ["2023-05-10"]),
        ("/v1/decisions", ["2023-05-10", 10**30]),
        ("/v1/applications", ["abc"]),
        ("/v1/applications", [1, 2]),
    ],
    ids=[
        "meetings-word",
        "meetings-bad-day",
        "meetings-id",
        "meetings-short",
        "decisions-short",
        "decisions-huge",
        "applications-word",
        "applications-long",
    ],
)
def test_a_well_formed_cursor_with_keys_of_the_wrong_shape_is_a_422(
    client: TestClient, path: str, key: list[Any]
) -> None:
    assert_problem(client.get(path, params={"cursor": b64(key)}), 422, field="cursor")


BAD_DAYS_IN_QUERY = ("0001-01-01", "9999-12-31", "2019-02-30", "2019-13-01", "today", "", "1e3")

BAD_QUERIES: list[tuple[str, dict[str, str], str]] = [
    ("/v1/meetings", {"kind": "plenary"}, "kind"),
    ("/v1/meetings", {"kind": "WORKING_GROUP"}, "kind"),
    ("/v1/meetings", {"kind": ""}, "kind"),
    ("/v1/meetings", {"kind": "briefing\x00"}, "kind"),
    *(("/v1/meetings", {"year": y}, "year") for y in ("1999", "2101", "-1", "abc", "2020.5", "")),
    ("/v1/decisions", {"kind": "coronation"}, "kind"),
    ("/v1/decisions", {"kind": "ADMISSION"}, "kind"),
    ("/v1/decisions", {"outcome": "maybe"}, "outcome"),
    ("/v1/decisions", {"outcome": "adopted\x00"}, "outcome"),
    *(("/v1/decisions", {"year": y}, "year") for y in ("1999", "2101", "abc")),
    *(
        ("/v1/decisions", {"meeting_id": v}, "meeting_id")
        for v in ("0", "-1", str(2**31), "9" * 40, "abc", "1.5", "")
    ),
    ("/v1/applications", {"status": "pending"}, "status"),
    ("/v1/applications", {"status": "WITHDRAWN"}, "status"),
    *(
        ("/v1/applications", {"entity_id": v}, "entity_id")
        for v in ("UNODC", "a", "a" * 65, "un odc", "un_odc", "un\x00odc", "-unodc", "")
    ),
    *(("/v1/working-group", {"on": d}, "on") for d in BAD_DAYS_IN_QUERY),
    *(("/v1/entities/unodc/voting-rights", {"on": d}, "on") for d in BAD_DAYS_IN_QUERY),
]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    BAD_QUERIES,
    ids=[f"{p}-{f}-{i}" for i, (p, _, f) in enumerate(BAD_QUERIES)],
)
def test_a_bad_filter_is_a_422_naming_it(
    client: TestClient,
    db: Session,
    world: World,
    before: dict[str, Any],
    path: str,
    params: dict[str, str],
    field: str,
) -> None:
    assert_problem(client.get(path, params=params), 422, field=field)
    assert_nothing_stored(client, db, world, before)


GOOD_QUERIES: list[tuple[str, dict[str, str], str, Any]] = [
    ("/v1/meetings", {"kind": "working_group", "limit": "200"}, "kind", "working_group"),
    ("/v1/decisions", {"kind": "admission", "limit": "200"}, "kind", "admission"),
    ("/v1/decisions", {"outcome": "adopted", "limit": "1"}, "outcome", "adopted"),
    ("/v1/decisions", {"meeting_id": "{meeting}"}, "meeting_id", "{meeting}"),
    ("/v1/applications", {"entity_id": APPLICANT, "limit": "200"}, "entity_id", APPLICANT),
    ("/v1/applications", {"status": "accepted"}, "status", "accepted"),
]


@pytest.mark.parametrize(
    ("path", "params", "key", "value"),
    GOOD_QUERIES,
    ids=[f"{p}-{i}" for i, (p, _, _, _) in enumerate(GOOD_QUERIES)],
)
def test_valid_filters_and_limit_200_are_accepted(
    client: TestClient,
    sec: dict[str, str],
    world: World,
    path: str,
    params: dict[str, str],
    key: str,
    value: Any,
) -> None:
    """The control for the filter refusals: each valid filter answers what it names."""
    general = changed(ELECTRONIC, {"procedure": "meeting", "meeting_id": "{meeting}"})
    general = changed(general, {"deadline_on": DROP, "consulted_entity_ids": DROP})
    for decision in (general, ADMISSION):
        _ok(client.post("/v1/decisions", json=fill(decision, world), headers=sec))
    r = client.get(path, params=fill(params, world))
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert items, r.text
    assert all(item[key] == fill(value, world) for item in items), items


@pytest.mark.parametrize(
    ("path", "params", "count"),
    [
        ("/v1/meetings", {"kind": "working_group", "year": "2023"}, 1),
        ("/v1/meetings", {"year": "2100"}, 0),
        ("/v1/decisions", {"kind": "admission", "year": "2023"}, 0),
        ("/v1/decisions", {"year": "2000"}, 0),
    ],
    ids=["meetings-2023", "meetings-2100", "decisions-2023", "decisions-2000"],
)
def test_the_year_filter_takes_a_year_written_in_the_query(
    client: TestClient, world: World, path: str, params: dict[str, str], count: int
) -> None:
    """`?year=2023` is how a year is written in a query string: a valid year between 2000 and
    2100 filters the list (the refusals above are for years out of range or not numbers)."""
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text
    assert len(r.json()["items"]) == count


def test_the_as_of_views_accept_a_valid_day(client: TestClient, world: World) -> None:
    roster = client.get("/v1/working-group", params={"on": MEETING_DAYS[0]})
    assert roster.status_code == 200, roster.text
    assert {"ilo", "unodc"} <= {m["entity_id"] for m in roster.json()["members"]}
    rights = client.get("/v1/entities/ilo/voting-rights", params={"on": MEETING_DAYS[0]})
    assert rights.status_code == 200, rights.text
    assert rights.json()["has_voting_rights"] is True


def test_the_cursor_a_list_issues_is_accepted(
    client: TestClient, sec: dict[str, str], world: World
) -> None:
    params = {"kind": "briefing", "limit": "200"}
    already = [m["id"] for m in client.get("/v1/meetings", params=params).json()["items"]]
    made = []
    for day in ("2023-08-01", "2023-07-01"):
        body = changed(BY_NAME["create-meeting"].valid, {"starts_on": day, "ends_on": day})
        made.append(_ok(client.post("/v1/meetings", json=body, headers=sec))["id"])
    seen: list[int] = []
    cursor: str | None = None
    while True:
        page = {"kind": "briefing", "limit": "1", **({"cursor": cursor} if cursor else {})}
        r = client.get("/v1/meetings", params=page)
        assert r.status_code == 200, r.text
        seen += [m["id"] for m in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    # Every briefing once, oldest first: the July one before the August one.
    assert seen == [*already, made[1], made[0]]
