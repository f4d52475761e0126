"""`icat-api db dump` and `db restore` (issue 13, item 3): from SQLite to PostgreSQL in two commands.

A SQLite registry holding the seed and a year of history played through the API (2023: meetings
and attendance, a meeting's times, agenda and documents, one cancelled and one postponed,
decisions with an admission, an objection and a chair election, focal points synced and one
removed, a work plan endorsed and funded with a milestone report, a product signed off and
published, an idempotent POST, a revoked key) is dumped once, then restored into
a fresh SQLite database and into a fresh PostgreSQL one (in every run: it is the point). Every
GET of the OpenAPI document, with every id of the data, then answers the same status, headers
and bytes from the target as from the source. ETags included: each is the SHA-256 of the bytes
answered and embeds no timestamp of its own (the created_at and updated_at in the bodies are
data, restored to the microsecond), so no ETag is left out. The audit trail is identical, and
keys created before the dump work after the restore (their hashes came along).
"""

import gzip
import json
import os
import re
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest
from bench.scale import Plan, build
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from icat_api import dump, migrate
from icat_api.app import create_app
from icat_api.audit.models import AuditEvent
from icat_api.cli import app as cli_app
from icat_api.db import Base, make_engine
from icat_api.keys.service import create_key, revoke_key
from icat_api.settings import Settings, get_settings
from tests.dbutil import BASE_URL, HEAD, is_postgres, seeded
from tests.helpers import Headers, Json, all_items, body_of
from tests.test_governance import (
    IGO,
    IGO_2,
    admission,
    apply,
    build_2023,
    decide,
    decision,
    voters,
)

runner = CliRunner()
TABLES = [t.name for t in Base.metadata.sorted_tables]


# --- databases and the command line ------------------------------------------------------------


@contextmanager
def postgres_database(purpose: str) -> Iterator[str]:
    """A new, empty PostgreSQL database (on ICAT_TEST_DATABASE_URL's server when it names one,
    else the project's 127.0.0.1:5432), dropped afterwards."""
    base = make_url(
        BASE_URL if BASE_URL and is_postgres() else "postgresql+psycopg://postgres@127.0.0.1/icat"
    )
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"{base.database}_dump_{purpose}_{worker}".lower()
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    try:
        drop()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        drop()
        admin.dispose()


@contextmanager
def target_database(kind: str, folder: Path, purpose: str) -> Iterator[str]:
    """A fresh database of ``kind`` (sqlite or postgresql), migrated to head."""
    if kind == "postgresql":
        with postgres_database(purpose) as url:
            migrate.upgrade(url)
            yield url
        return
    url = f"sqlite:///{folder / f'{purpose}.db'}"
    migrate.upgrade(url)
    yield url


def icat(url: str, *args: str) -> Result:
    """`icat-api ARGS` with ICAT_DATABASE_URL=url."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ICAT_DATABASE_URL", url)
        get_settings.cache_clear()
        try:
            return runner.invoke(cli_app, list(args), prog_name="icat-api")
        finally:
            get_settings.cache_clear()


def succeeds(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result


def refused(result: Result, *fragments: str) -> str:
    """A refusal: exit status 1 and one line on stderr naming ``fragments``, no traceback."""
    assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in line, result.stderr
    assert line.startswith("icat-api: "), line
    for fragment in fragments:
        assert fragment in line, line
    return line


def rows_of(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, by primary key, as the models read them."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
                for t in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


@contextmanager
def client_of(url: str) -> Iterator[TestClient]:
    application = create_app(Settings(database_url=url, rate_limit_enabled=False, log_json=True))
    try:
        with TestClient(application, raise_server_exceptions=False) as client:
            yield client
    finally:
        application.state.engine.dispose()


def bearer(key: str) -> Headers:
    return {"Authorization": f"Bearer {key}"}


# --- the source: the seed and a year of history ------------------------------------------------


def play_2023(client: TestClient, sec: Headers, iom: Headers) -> None:
    """2023 through the API: test_governance's year (ILO chairs; a briefing and two Working
    Group meetings with their attendance; UNFPA enrols), then its decisions, an election,
    focal points, a work plan with its money, a product, and the small edits of a year."""
    y = build_2023(client, sec)
    agreed = decide(client, sec, decision(y.march))
    first = body_of(apply(client, sec, IGO, "2023-04-10"), 201)
    decide(client, sec, admission(y.june, first["id"]))
    second = body_of(apply(client, sec, IGO_2, "2023-04-11"), 201)
    objected = [{"entity_id": "ilo", "reason": "Not yet discussed.", "withdrawn": False}]
    blocked = decide(client, sec, admission(y.june, second["id"], objections=objected))
    assert blocked["outcome"] == "not_adopted"
    withdraw = {"withdrawn_on": "2023-07-01"}
    path = f"/v1/applications/{second['id']}/withdraw"
    body_of(client.post(path, headers=sec, json=withdraw), 200)
    decide(
        client,
        sec,
        decision(
            procedure="electronic",
            consulted_entity_ids=voters(client, "2023-09-30"),
            deadline_on="2023-09-30",
            record="The Working Group endorses the joint statement on 30 July.",
        ),
    )
    # ILO's interest in chairing 2024, elected at the June meeting (ToR 3.D.1).
    interest = {"term_year": 2024, "entity_ids": ["ilo"], "submitted_on": "2023-02-01"}
    candidacy = body_of(client.post("/v1/chair-candidacies", headers=sec, json=interest), 201)
    decide(client, sec, decision(y.june, kind="chair_election", candidacy_id=candidacy["id"]))

    # Focal points: three synced, then one removed (its id lives on in a tombstone).
    def contacts(*ext: str) -> Json:
        return {
            "items": [
                {"external_id": e, "name": f"Person {e}", "email": f"{e.lower()}@ilo.org"}
                | {"is_primary": e == "A1", "phone": "+41 22 799 61 11"}
                for e in ext
            ]
        }

    fp = "/v1/entities/ilo/focal-points"
    body_of(client.put(fp, headers=sec, json=contacts("A1", "A2", "A3")), 200)
    body_of(client.put(fp, headers=sec, json=contacts("A1", "A2")), 200)

    # A work plan drafted under today's Chair, endorsed, allocated and funded; a product.
    assert date.today().year > 2024, "today's chair term must not clash with 2023-2024"
    term = {"start_year": date.today().year, "entity_ids": ["ilo"]}
    body_of(client.post("/v1/chair-terms", headers=sec, json=term), 201)
    plan_body = {"start_year": 2023, "title": "Work plan 2023-2024", "co_lead_entity_ids": ["ilo"]}
    plan = body_of(client.post("/v1/work-plans", headers=sec, json=plan_body), 201)
    activity_body = {
        "title": "Issue brief on trafficking and technology",
        "priority_area": "evidence_base",
        "lead_entity_id": "iom",
        "contributor_entity_ids": ["ilo"],
        "starts_on": "2023-02-01",
        "ends_on": "2024-06-30",
        "milestones": [{"title": "First draft", "due_on": "2023-09-30"}],
    }
    activities = f"/v1/work-plans/{plan['id']}/activities"
    activity = body_of(client.post(activities, headers=sec, json=activity_body), 201)
    progress = {"status": "ongoing", "progress": "Draft shared with the Working Group."}
    body_of(client.patch(f"{activities}/{activity['id']}", headers=sec, json=progress), 200)
    decide(client, sec, decision(y.march, kind="work_plan_endorsement", work_plan_id=plan["id"]))
    money = {"activity_id": activity["id"], "amount": "15000.50", "currency": "USD"}
    decide(client, sec, decision(y.march, kind="budget_allocation", **money))
    approval = decide(
        client,
        sec,
        decision(
            y.march,
            kind="funding_approval",
            recipient_entity_id="iom",
            activity_id=activity["id"],
        ),
    )
    funds = {
        "donor": "Kuwait",
        "recipient_entity_id": "iom",
        "amount": "250000.125",
        "currency": "KWD",  # three decimal places
        "received_on": "2023-04-01",
        "approval_decision_id": approval["id"],
        "milestones": [
            {"title": "Interim report", "due_on": "2023-06-30"},
            {"title": "Final report", "due_on": "2023-12-31"},
        ],
    }
    funding = body_of(client.post("/v1/funding", headers=iom, json=funds), 201)
    report = {
        "milestone_id": funding["milestones"][0]["id"],
        "reported_on": "2023-07-10",
        "narrative": "Two workshops held; the brief's outline agreed. Ünïcödé ✓.",
    }
    path = f"/v1/funding/{funding['id']}/milestone-reports"
    body_of(client.post(path, headers=iom, json=report), 201)
    brief = {"title": "Trafficking and technology", "kind": "issue_brief", "lead_entity_id": "iom"}
    product = body_of(client.post("/v1/publications", headers=sec, json=brief), 201)
    decide(client, sec, decision(y.march, kind="product_sign_off", publication_id=product["id"]))
    published = {"published_on": "2023-09-01", "url": "https://icat.un.org/publications/brief"}
    path = f"/v1/publications/{product['id']}/publish"
    body_of(client.post(path, headers=sec, json=published), 200)
    draft = {"title": "A draft toolkit", "kind": "toolkit", "lead_entity_id": "ilo"}
    body_of(client.post("/v1/publications", headers=sec, json=draft), 201)

    # The small edits of a year: an entity, a meeting as its minutes keep it (times, agenda,
    # documents), a meeting cancelled and one postponed, a partnership that ends.
    website = {"website": "https://arco.example.org"}
    body_of(client.patch(f"/v1/entities/{IGO}", headers=sec, json=website), 200)
    minutes = {
        "note": "Minutes circulated on 20 March.",
        "local_times": {"time_zone": "Europe/Vienna", "start_time": "09:30", "end_time": "17:00"},
        "agenda": [
            {"number": "1", "title": "Adoption of the agenda"},
            {"number": "2", "title": "Next meetings", "decision_ids": [agreed["id"]]},
        ],
        "documents": [
            {
                "kind": "minutes",
                "title": "Minutes of the March meeting",
                "url": "https://icat.un.org/meetings/2023-03/minutes.pdf",
                "media_type": "application/pdf",
                "language": "en",
                "sha256": "ab" * 32,
            },
            {"kind": "presentation", "title": "Présentation", "url": "https://icat.un.org/p"},
        ],
    }
    body_of(client.patch(f"/v1/meetings/{y.march}", headers=sec, json=minutes), 200)
    for action, call_off in (
        ("cancel", {"reason": "The venue is closed."}),
        ("postpone", {"reason": "Too few can travel.", "starts_on": "2023-12-12"}),
    ):
        planned = {"kind": "working_group", "title": f"To {action}", "starts_on": "2023-10-10"}
        meeting = body_of(client.post("/v1/meetings", headers=sec, json=planned), 201)
        path = f"/v1/meetings/{meeting['id']}/{action}"
        body_of(client.post(path, headers=sec, json=call_off), 200)
    span = client.get("/v1/entities/sr-tip/memberships").json()["items"][0]
    path = f"/v1/entities/sr-tip/memberships/{span['id']}/end"
    body_of(client.post(path, headers=sec, json={"ends_on": "2023-11-30"}), 200)
    # An idempotent POST, sent twice: one meeting, and the answer kept.
    once = {**sec, "Idempotency-Key": "consultation-2023-11"}
    consultation = {"kind": "consultation", "title": "Civil society", "starts_on": "2023-11-02"}
    made = body_of(client.post("/v1/meetings", headers=once, json=consultation), 201)
    assert body_of(client.post("/v1/meetings", headers=once, json=consultation), 201) == made


@dataclass(frozen=True)
class Source:
    url: str
    dump: Path
    secretariat: str  # a secretariat key, created before the dump: reads everything
    coordinator: str  # UNODC's key: writes
    revoked: str  # OHCHR's key, revoked before the dump


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Source:
    """The source registry (SQLite in every run), and its dump by `icat-api db dump`."""
    folder = tmp_path_factory.mktemp("dump")
    url = seeded(f"sqlite:///{folder / 'source.db'}")
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        made = {
            name: create_key(session=session, entity_id=entity, secretariat=entity is None)
            for name, entity in [
                ("secretariat", None),
                ("coordinator", "unodc"),
                ("iom", "iom"),
                ("revoked", "ohchr"),
            ]
        }
        revoke_key(session=session, key_id=made["revoked"][0].id)
    engine.dispose()
    keys = {name: key for name, (_, key) in made.items()}
    with client_of(url) as client:
        # A webhook subscription of the key that reads the registry back: it receives the year
        # (its deliveries queued, none sent).
        hook = {"url": "https://hooks.example.org/icat", "events": ["*"], "description": "Mirror"}
        body_of(client.post("/v1/webhooks", headers=bearer(keys["secretariat"]), json=hook), 201)
        play_2023(client, bearer(keys["coordinator"]), bearer(keys["iom"]))
    empty = [name for name, rows in rows_of(url).items() if not rows]
    assert empty == [], "the year leaves these tables empty: cover them"
    path = folder / "registry.jsonl"
    succeeds(icat(url, "db", "dump", "--output", str(path)))
    return Source(url, path, keys["secretariat"], keys["coordinator"], keys["revoked"])


# --- every GET ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Get:
    path: str
    params: tuple[tuple[str, str], ...]
    accept: str


Answer = tuple[int, dict[str, str], bytes]


BY_ID = {
    "meeting_id": "meetings",
    "decision_id": "decisions",
    "application_id": "applications",
    "candidacy_id": "chair_candidacies",
    "work_plan_id": "work_plans",
    "publication_id": "publications",
    "webhook_id": "webhook_subscriptions",
}


def path_values(url: str) -> dict[frozenset[str], list[dict[str, str]]]:
    """Values of the path parameters: every id of the data, and one that does not exist."""
    tables = Base.metadata.tables
    engine = make_engine(url)
    try:
        with engine.connect() as conn:

            def ids(table: str) -> list[str]:
                column = tables[table].c.id
                return [str(i) for i in conn.scalars(select(column).order_by(column))]

            def owned(name: str, *names: str) -> list[dict[str, str]]:
                rows = [
                    (entity, str(i))
                    for table in names
                    for entity, i in conn.execute(
                        select(tables[table].c.entity_id, tables[table].c.id)
                    )
                ]
                return [{"entity_id": e, name: i} for e, i in [*rows, ("ilo", "999999")]]

            values = {
                frozenset({p}): [{p: i} for i in [*ids(t), "999999"]] for p, t in BY_ID.items()
            }
            entities = [*ids("entities"), "no-such-entity"]
            return values | {
                frozenset(): [{}],
                frozenset({"entity_id"}): [{"entity_id": e} for e in entities],
                frozenset({"entity_id", "membership_id"}): owned("membership_id", "memberships"),
                frozenset({"entity_id", "fp_id"}): owned(
                    "fp_id", "focal_points", "focal_point_tombstones"
                ),
                frozenset({"year"}): [{"year": str(y)} for y in range(2006, date.today().year + 2)],
            }
    finally:
        engine.dispose()


SAMPLES = {  # a value of each query parameter that is neither an enum nor a boolean
    "on": "2023-06-14",
    "year": "2023",
    "term_year": "2024",
    "meeting_id": "9",  # the June 2023 meeting: two admissions and an election
    "entity_id": "arco",
    "q": "nations",
    "resource_type": "decision",
    "resource_id": "5",
    "actor_entity_id": "iom",
    "action": "create",
    "after": "3",  # the change feed after its third change
    "from": "2023-01-01",  # the Working Group's participation in 2023
    "to": "2023-12-31",
    "limit": "7",  # small pages: every cursor is followed
}
MOMENTS = ("updated_since", "since", "until")  # the middle of the audit trail


def enum_of(schema: Json, document: Json) -> list[Any]:
    """The values of an enum schema (inline, behind a $ref, or in an anyOf with null)."""
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "enum" in schema:
        return list(schema["enum"])
    return [v for option in schema.get("anyOf", []) for v in enum_of(option, document)]


def query_variants(operation: Json, document: Json, moment: str) -> list[dict[str, str]]:
    """The default query, then each query parameter alone: every value of an enum, both
    booleans, a sample value otherwise."""
    variants: list[dict[str, str]] = [{}]
    for parameter in operation.get("parameters", []):
        name = parameter["name"]
        if parameter["in"] != "query" or name == "cursor":
            continue
        values = [str(v) for v in enum_of(parameter["schema"], document)]
        if not values and {"type": "boolean"} in parameter["schema"].get("anyOf", []):
            values = ["true", "false"]
        if not values:
            assert name in SAMPLES or name in MOMENTS, f"a sample value of the query's {name}"
            values = [moment if name in MOMENTS else SAMPLES[name]]
        variants += [{name: v} for v in values]
    return variants


def middle_of_the_trail(url: str) -> str:
    """The moment of the audit trail's middle event, as RFC 3339."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            moments = session.scalars(select(AuditEvent.occurred_at).order_by(AuditEvent.id)).all()
    finally:
        engine.dispose()
    return moments[len(moments) // 2].isoformat().replace("+00:00", "Z")


def every_get(document: Json, url: str) -> list[Get]:
    """Every GET of the app's OpenAPI document, with every path value and every media type of
    its 200 answer."""
    values, moment = path_values(url), middle_of_the_trail(url)
    gets = []
    for template, operations in document["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        names = frozenset(p["name"] for p in operation.get("parameters", []) if p["in"] == "path")
        assert names in values, f"GET {template}: fill the path parameters {sorted(names)}"
        accepts = list(operation["responses"]["200"]["content"])
        for filled in values[names]:
            path = template.format(**filled)
            for params in query_variants(operation, document, moment):
                gets += [Get(path, tuple(params.items()), a) for a in accepts]
    return gets


def answer(client: TestClient, get: Get, key: str, number: int) -> Answer:
    headers = {**bearer(key), "Accept": get.accept, "X-Request-ID": f"compare-{number}"}
    r = client.get(get.path, params=dict(get.params), headers=headers)
    return r.status_code, dict(r.headers), r.content


def crawl(client: TestClient, gets: list[Get], key: str) -> dict[Get, Answer]:
    """The answers to ``gets``, following every next_cursor."""
    answers: dict[Get, Answer] = {}
    queue = list(gets)
    while queue:
        get = queue.pop(0)
        answers[get] = got = answer(client, get, key, len(answers))
        if got[0] == 200 and got[1]["content-type"] == "application/json":
            cursor = json.loads(got[2]).get("next_cursor")
            if cursor:
                params = (*[p for p in get.params if p[0] != "cursor"], ("cursor", cursor))
                queue.insert(0, Get(get.path, params, get.accept))
    return answers


def replay(client: TestClient, gets: list[Get], key: str) -> dict[Get, Answer]:
    return {get: answer(client, get, key, number) for number, get in enumerate(gets)}


@pytest.fixture(scope="module")
def source_answers(source: Source) -> dict[Get, Answer]:
    with client_of(source.url) as client:
        document = cast(FastAPI, client.app).openapi()
        answers = crawl(client, every_get(document, source.url), source.secretariat)
    statuses = {a[0] for a in answers.values()}
    assert statuses == {200, 404}, statuses
    return answers


# --- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_restored_registry_answers_every_get_with_the_same_bytes(
    kind: str, source: Source, source_answers: dict[Get, Answer], tmp_path: Path
) -> None:
    with target_database(kind, tmp_path, "round_trip") as url:
        restored = succeeds(icat(url, "db", "restore", str(source.dump)))
        total = sum(len(rows) for rows in rows_of(source.url).values())
        assert restored.stdout.strip() == (
            f"Restored {total} rows of {len(TABLES)} tables from {source.dump}."
        )
        # Row for row, as the models read them; the data version moves past both.
        before, after = rows_of(source.url), rows_of(url)
        assert before.pop("data_version")[0][1] < after.pop("data_version")[0][1]
        assert after == before
        # Dumped again from the target (on PostgreSQL: its snapshot, cursors and sequences), the
        # same rows, and the same high water of focal point ids (past the tombstones').
        again = tmp_path / "again.jsonl"
        succeeds(icat(url, "db", "dump", "--output", str(again)))
        assert comparable(again) == comparable(source.dump)
        assert high_water(again, "focal_points") == high_water(source.dump, "focal_points") == 3
        with client_of(url) as client:
            gets = list(source_answers)
            answers = replay(client, gets, source.secretariat)
            for get in gets:
                assert answers[get] == source_answers[get], get
            # The audit trail, every page, as the secretariat reads it.
            trail = all_items(client, "/v1/audit-events", bearer(source.secretariat))
            with client_of(source.url) as original:
                assert trail == all_items(original, "/v1/audit-events", bearer(source.secretariat))
            assert len(trail) > 100
            # Keys made before the dump: they work (their hashes came), the revoked one does not.
            assert client.get("/v1/audit-events", headers=bearer(source.revoked)).status_code == 401
            sec = bearer(source.coordinator)
            # New rows get new ids: the sequences moved past the ids restored, and past the
            # focal point ids that live on in tombstones.
            consultation = {
                "kind": "consultation",
                "title": "After the move",
                "starts_on": "2024-02-01",
            }
            made = body_of(client.post("/v1/meetings", headers=sec, json=consultation), 201)
            assert made["id"] == max(r[0] for r in before["meetings"]) + 1
            contact = {
                "external_id": "B1",
                "name": "New",
                "email": "b1@ilo.org",
                "is_primary": False,
            }
            created = body_of(
                client.post("/v1/entities/ilo/focal-points", headers=sec, json=contact), 201
            )
            gone = max(r[0] for r in before["focal_point_tombstones"])
            assert gone > max(r[0] for r in before["focal_points"])
            assert created["id"] == gone + 1


def test_a_dump_restores_from_gzip_and_standard_output(source: Source, tmp_path: Path) -> None:
    packed = tmp_path / "registry.jsonl.gz"
    succeeds(icat(source.url, "db", "dump", "--output", str(packed)))
    with gzip.open(packed, "rt") as unpacked:
        lines = unpacked.read().splitlines()
    streamed = succeeds(icat(source.url, "db", "dump", "--output", "-")).stdout.splitlines()
    header, again = json.loads(lines[0]), json.loads(streamed[0])
    assert header.pop("created_at") <= again.pop("created_at")
    assert (
        header
        == again
        == {
            "format": "icat-registry-dump",
            "version": 1,
            "schema_revision": next(iter(migrate.head_revisions(source.url))),
            "source": "sqlite",
            "tables": len(TABLES),
        }
    )
    assert lines[1:] == streamed[1:]
    assert json.loads(lines[-1]) == {
        "end": True,
        "rows": sum(map(len, rows_of(source.url).values())),
    }
    with target_database("sqlite", tmp_path, "from_gzip") as url:
        succeeds(icat(url, "db", "restore", str(packed)))
        before, after = rows_of(source.url), rows_of(url)
        before.pop("data_version"), after.pop("data_version")
        assert after == before


# --- refusals ----------------------------------------------------------------------------------


def comparable(path: Path) -> list[Any]:
    """A dump's lines, but for what depends on where and when it was made: the header's time
    and source, each table's id high water, the data version."""
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    lines[0] = {k: v for k, v in lines[0].items() if k not in ("created_at", "source")}
    out, table = [], None
    for line in lines:
        if isinstance(line, dict) and "table" in line:
            table = line["table"]
            line = {k: v for k, v in line.items() if k != "id_high_water"}
        elif table == "data_version":
            continue
        out.append(line)
    return out


def high_water(path: Path, table: str) -> Any:
    for line in path.read_text().splitlines():
        head = json.loads(line)
        if isinstance(head, dict) and head.get("table") == table:
            return head["id_high_water"]
    raise AssertionError(f"no table {table} in {path}")


def migrated_but_empty(url: str) -> bool:
    rows = rows_of(url)
    return rows.pop("data_version") == [(1, 0)] and not any(rows.values())


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_restore_refuses_a_database_that_is_not_empty(
    kind: str, source: Source, tmp_path: Path
) -> None:
    with target_database(kind, tmp_path, "not_empty") as url:
        succeeds(icat(url, "seed"))  # what `serve` does to an empty database
        before = rows_of(url)
        refused(
            icat(url, "db", "restore", str(source.dump)),
            "the database is not empty (",
            "entities",
            "restore only into an empty, migrated database",
        )
        assert rows_of(url) == before


Edit = Callable[[list[str]], bytes]


def text_of(lines: list[str]) -> bytes:
    return "".join(f"{line}\n" for line in lines).encode()


def edit(number: int, change: Callable[[Any], Any]) -> Edit:
    """The dump with line ``number`` (0: the header, -1: the end) changed by ``change``."""

    def apply(lines: list[str]) -> bytes:
        out = list(lines)
        out[number] = json.dumps(change(json.loads(out[number])))
        return text_of(out)

    return apply


def cut(keep: Callable[[int], int], *, packed: bool = False) -> Edit:
    """The dump's first ``keep(number of lines)`` lines, gzip-compressed when ``packed``."""

    def apply(lines: list[str]) -> bytes:
        data = text_of(lines[: keep(len(lines))])
        return gzip.compress(data)[:-20] if packed else data

    return apply


# Files that are not a whole dump this code restores, and what the refusal says. Line 2 is the
# first table's (audit_events), line 3 its first row.
BAD_DUMPS: dict[str, tuple[Edit, str]] = {
    "not-a-dump": (lambda _: b"hello\n", "is not an icat-api registry dump"),
    "empty": (lambda _: b"", "is not an icat-api registry dump"),
    "binary": (lambda _: bytes(range(256)), "is not a whole icat-api registry dump"),
    "another-format": (
        edit(0, lambda h: {**h, "format": "pg_dump"}),
        "is not an icat-api registry dump",
    ),
    "format-version-2": (
        edit(0, lambda h: {**h, "version": 2}),
        "is a dump of format version 2; this icat-api reads version 1",
    ),
    "another-schema-revision": (
        edit(0, lambda h: {**h, "schema_revision": "0008"}),
        "is of schema revision '0008', this icat-api's is",
    ),
    "no-end": (cut(lambda n: n - 1), "ends early"),
    "cut-in-half": (cut(lambda n: n // 2), "ends early"),
    "cut-gzip": (cut(lambda n: n, packed=True), "is not a whole icat-api registry dump"),
    "wrong-total": (
        edit(-1, lambda e: {**e, "rows": e["rows"] + 1}),
        "the dump is incomplete",
    ),
    "short-row": (
        edit(2, lambda r: r[:-1]),
        "line 3: a row of 11 values of audit_events expected",
    ),
    "bad-timestamp": (
        edit(2, lambda r: [r[0], "2023-13-01T00:00:00Z", *r[2:]]),
        "line 3: a bad value in audit_events",
    ),
    "unknown-table": (
        edit(1, lambda t: {**t, "table": "alembic_version"}),
        "line 2: unknown or repeated table 'alembic_version'",
    ),
    "other-columns": (
        edit(1, lambda t: {**t, "columns": t["columns"][::-1]}),
        "line 2: the columns of audit_events are not this schema's",
    ),
    "not-json": (
        lambda lines: text_of([*lines[:2], "[1, 2", *lines[3:]]),
        "line 3: not JSON",
    ),
}


@pytest.mark.parametrize("case", list(BAD_DUMPS))
def test_restore_refuses_what_is_not_a_whole_dump_of_this_schema(
    case: str, source: Source, tmp_path: Path
) -> None:
    make, says = BAD_DUMPS[case]
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(make(source.dump.read_text().splitlines()))
    with target_database("sqlite", tmp_path, "target") as url:
        refused(icat(url, "db", "restore", str(bad)), says)
        assert migrated_but_empty(url)


def test_restore_refuses_a_missing_file_and_a_database_not_at_head(
    source: Source, tmp_path: Path
) -> None:
    with target_database("sqlite", tmp_path, "target") as url:
        missing = tmp_path / "nowhere.jsonl"
        refused(icat(url, "db", "restore", str(missing)), f"{missing}: No such file or directory")
        migrate.downgrade(url, "0008")
        refused(
            icat(url, "db", "restore", str(source.dump)),
            f"is not migrated (at revision 0008, head is {HEAD}): run `icat-api db upgrade`",
        )
        # The module checks for itself, the command line aside.
        with pytest.raises(dump.DumpError, match=rf"at schema revision 0008, not {HEAD} \("):
            dump.restore_from(url, str(source.dump))
        engine = make_engine(url)
        with engine.connect() as conn:  # nothing stored
            assert conn.scalar(text("SELECT count(*) FROM entities")) == 0
        engine.dispose()
    never = tmp_path / "never.db"
    refused(icat(f"sqlite:///{never}", "db", "restore", str(source.dump)), "does not exist")
    with pytest.raises(dump.DumpError, match=f"^no database at {re.escape(str(never))}$"):
        dump.restore_from(f"sqlite:///{never}", str(source.dump))
    assert not never.exists()  # not created by the attempts


# --- dump's own refusals, and progress ---------------------------------------------------------


def test_dump_refuses_to_overwrite_a_file_unless_forced(source: Source, tmp_path: Path) -> None:
    out = tmp_path / "registry.jsonl"
    out.write_text("precious\n")
    refused(
        icat(source.url, "db", "dump", "--output", str(out)),
        f"{out} exists: give --force to overwrite it",
    )
    assert out.read_text() == "precious\n"
    succeeds(icat(source.url, "db", "dump", "--output", str(out), "--force"))
    assert out.read_text().splitlines()[1:] == source.dump.read_text().splitlines()[1:]
    refused(
        icat(source.url, "db", "dump", "--output", str(tmp_path / "no" / "such.jsonl")),
        f"no directory {tmp_path / 'no'}",
    )
    refused(icat(source.url, "db", "dump", "--output", str(tmp_path)), "is a directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["registry.jsonl"]  # nothing partial


def test_dump_refuses_a_database_that_is_missing_or_not_at_head(tmp_path: Path) -> None:
    out = tmp_path / "registry.jsonl"
    never = tmp_path / "never.db"
    refused(icat(f"sqlite:///{never}", "db", "dump", "-o", str(out)), "does not exist")
    with pytest.raises(dump.DumpError, match=r"^no database at "):
        dump.dump_to(f"sqlite:///{never}", str(out))
    with target_database("sqlite", tmp_path, "old") as url:
        migrate.downgrade(url, "0007")
        refused(icat(url, "db", "dump", "-o", str(out)), f"(at revision 0007, head is {HEAD})")
        with pytest.raises(dump.DumpError, match=f"at schema revision 0007, not {HEAD}"):
            dump.dump_to(url, str(out))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.db"]  # no dump, partial or not


def test_progress_is_shown_per_table_on_a_terminal_only(
    source: Source, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    total = sum(map(len, rows_of(source.url).values()))
    # CliRunner's stderr is no terminal: the summary line alone.
    quiet = succeeds(icat(source.url, "db", "dump", "-o", str(tmp_path / "quiet.jsonl")))
    assert (
        quiet.stderr
        == f"Dumped {total} rows of {len(TABLES)} tables to {tmp_path / 'quiet.jsonl'}.\n"
    )
    with target_database("sqlite", tmp_path, "target") as url:
        restored = succeeds(icat(url, "db", "restore", str(source.dump)))
        assert restored.stderr == ""
        capsys.readouterr()
        # What a terminal gets: rows counted per table, on stderr.
        dump.dump_to(source.url, str(tmp_path / "loud.jsonl"), progress=True)
        shown = capsys.readouterr()
        assert shown.out == ""
        counts = {name: len(rows) for name, rows in rows_of(source.url).items()}
        for name, rows in counts.items():
            assert re.search(rf"dump {name}\s.*\b{rows}/{rows}\b", shown.err), (name, shown.err)


# --- large dumps -------------------------------------------------------------------------------


def traced(work: Callable[[], Any]) -> int:
    """The peak of Python's allocations while ``work`` runs, in bytes."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_large_dump_streams_both_ways_in_flat_memory(tmp_path: Path) -> None:
    """5x the real data (bench.scale) with 2,000 and then 40,000 audit events: the dump grows
    eightfold, the peak of Python's memory while dumping and while restoring into PostgreSQL
    does not (a batch of rows: about 3 MB here), and stays well below the dump's size."""
    peaks: list[tuple[int, int, int]] = []
    for events in (2_000, 40_000):
        url = f"sqlite:///{tmp_path / f'scale-{events}.db'}"
        counts = build(url, Plan.scaled(5, events), log=lambda _: None)
        path = tmp_path / f"scale-{events}.jsonl"
        dumped = traced(lambda: dump.dump_to(url, str(path)))  # noqa: B023
        with postgres_database(f"large_{events}") as target:
            migrate.upgrade(target)
            migrate.head_revisions(target)  # read once per process: not the restore's memory
            restored = traced(lambda: dump.restore_from(target, str(path)))  # noqa: B023
            after = rows_of(target)
        assert {name: len(rows) for name, rows in after.items()} == counts
        peaks.append((path.stat().st_size, dumped, restored))
    (small, small_dump, small_restore), (large, large_dump, large_restore) = peaks
    assert large > 6 * small, peaks
    assert large_dump < 1.25 * small_dump and large_restore < 1.25 * small_restore, peaks
    assert max(large_dump, large_restore) < large / 2, peaks
