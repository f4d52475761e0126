"""Who may do what (DESIGN §5), for every operation of the OpenAPI document: each one that needs
a key answers 401 with a Bearer challenge to no key, a made-up key and a revoked key, and 403 to
a key that may not do it — a stakeholder's, an applicant's and a former member's for everything,
another member's or a partner's for what is the secretariat's, the sitting Chair's or another
entity's own — and stores nothing when it refuses. Public reads answer without a key.

Each operation has a row in ``TABLE`` (keyed by operationId): what power it needs, the real ids
its path takes, and its body when the document's example does not do. An operation of the
document without a row fails the first test, so a new route gets its row.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Literal, get_args

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from icat_api.app import create_app
from icat_api.db import Base
from icat_api.settings import Settings
from icat_api.work_plans.models import Activity, WorkPlan
from tests.conftest import Keys
from tests.helpers import PROBLEM, Headers, Json, all_items, body_of, key_of

Power = Literal["public", "secretariat", "chair", "own", "participant"]
# public: no key; secretariat: the Coordinator's and secretariat keys; chair: the sitting
# Chair's or the secretariat; own: the entity's own key (`owners`) or the secretariat;
# participant: any ICAT member's or partner's key, or the secretariat (reading what ICAT shares).


@dataclass(frozen=True)
class Row:
    power: Power
    # path parameter -> the `World` attribute holding a real value for it
    params: Mapping[str, str] = field(default_factory=dict)
    body: Json | None = None  # None: the document's example, if the operation takes a body
    owners: tuple[str, ...] = ()  # for `own`: which of the callers' entities may
    # GETs (templates over the same parameters) whose answers a refusal leaves as they were
    watch: tuple[str, ...] = ()


ENTITY = {"entity_id": "ilo"}
ILO_FP = {"entity_id": "ilo", "fp_id": "focal_point"}
FOCAL_POINTS = ("/v1/entities/{entity_id}/focal-points",)
MEETING = {"meeting_id": "meeting"}
PLAN = {"work_plan_id": "work_plan"}
CANDIDACY = {"candidacy_id": "candidacy"}
WEBHOOK = {"webhook_id": "webhook"}

TABLE: dict[str, Row] = {
    # -- entities and their memberships
    "get_member_list": Row("public"),
    "list_entities": Row("public"),
    "create_entity": Row(
        "secretariat",
        body={
            "id": "matrix-agency",
            "name": "Matrix Agency against Trafficking",
            "kind": "intergovernmental",
            "scope": "regional",
            "mandate_covers_tip": True,
        },
        watch=("/v1/entities?limit=200",),
    ),
    "get_entity": Row("public", ENTITY),
    "update_entity": Row("secretariat", ENTITY, watch=("/v1/entities/{entity_id}",)),
    "list_memberships": Row("public", ENTITY),
    "add_membership": Row(
        "secretariat",
        ENTITY,
        body={"role": "partner", "starts_on": "2001-01-01", "ends_on": "2002-01-01"},
        watch=("/v1/entities/{entity_id}/memberships",),
    ),
    "get_membership": Row("public", {"entity_id": "coe", "membership_id": "coe_membership"}),
    "end_membership": Row(
        "secretariat",
        {"entity_id": "coe", "membership_id": "coe_membership"},
        body={"ends_on": "2024-01-01"},
        watch=("/v1/entities/{entity_id}/memberships/{membership_id}",),
    ),
    # -- focal points: ILO's own, read by ICAT's members and partners
    "list_focal_points": Row("participant", ENTITY),
    "sync_focal_points": Row("own", ENTITY, owners=("ilo",), watch=FOCAL_POINTS),
    "create_focal_point": Row("own", ENTITY, owners=("ilo",), watch=FOCAL_POINTS),
    "get_focal_point": Row("participant", ILO_FP),
    "update_focal_point": Row("own", ILO_FP, owners=("ilo",), watch=FOCAL_POINTS),
    "delete_focal_point": Row("own", ILO_FP, owners=("ilo",), watch=FOCAL_POINTS),
    "list_focal_point_changes": Row("secretariat"),
    "list_focal_point_gaps": Row("secretariat"),
    # -- the Working Group (the example enrols UNFPA)
    "get_working_group": Row("public"),
    "get_participation": Row("public"),
    "enrol_in_working_group": Row("own", owners=("unfpa",)),
    "get_voting_rights": Row("public", ENTITY),
    # -- meetings and decisions: the sitting Chair's
    "list_meetings": Row("public"),
    "create_meeting": Row("chair", watch=("/v1/meetings?limit=200",)),
    "get_meeting": Row("public", MEETING),
    "update_meeting": Row("chair", MEETING, watch=("/v1/meetings/{meeting_id}",)),
    "cancel_meeting": Row("chair", MEETING, watch=("/v1/meetings/{meeting_id}",)),
    "postpone_meeting": Row("chair", MEETING, watch=("/v1/meetings/{meeting_id}",)),
    "get_attendance": Row("public", MEETING),
    "get_calendar": Row("public"),
    "set_attendance": Row(
        "chair",
        MEETING,
        body={"items": [{"entity_id": "ilo", "representatives": ["Jane Matrix, ILO"]}]},
        watch=("/v1/meetings/{meeting_id}/attendance",),
    ),
    "list_decisions": Row("public"),
    "record_decision": Row("chair", watch=("/v1/decisions?limit=200",)),
    "get_decision": Row("public", {"decision_id": "decision"}),
    # -- applications (the example is ASEAN's)
    "list_applications": Row("public"),
    "create_application": Row("own", owners=("asean",), watch=("/v1/applications?limit=200",)),
    "get_application": Row("public", {"application_id": "application"}),
    "withdraw_application": Row(
        "own",
        {"application_id": "application"},
        watch=("/v1/applications/{application_id}",),
    ),
    # -- chairs
    "list_chairs": Row("public"),
    "create_chair_term": Row(
        "secretariat",
        body={"start_year": 2020, "entity_ids": ["unodc"]},
        watch=("/v1/chairs?limit=200",),
    ),
    "get_chair_report": Row("public", {"year": "year"}),
    "get_chair_eligibility": Row("public", ENTITY),
    "list_candidacies": Row("public"),
    "create_candidacy": Row(  # the example is UN Women's and OSCE's
        "own", owners=("un-women", "osce"), watch=("/v1/chair-candidacies?limit=200",)
    ),
    "get_candidacy": Row("public", CANDIDACY),
    "confirm_candidacy": Row("own", CANDIDACY, watch=("/v1/chair-candidacies/{candidacy_id}",)),
    "withdraw_candidacy": Row("own", CANDIDACY, watch=("/v1/chair-candidacies/{candidacy_id}",)),
    # -- work plans and publications: the sitting Chair's
    "list_work_plans": Row("public"),
    "create_work_plan": Row("chair", watch=("/v1/work-plans?limit=200",)),
    "get_work_plan": Row("public", PLAN),
    "add_activity": Row("chair", PLAN, watch=("/v1/work-plans/{work_plan_id}",)),
    "update_activity": Row(
        "chair",
        {"work_plan_id": "work_plan", "activity_id": "activity"},
        watch=("/v1/work-plans/{work_plan_id}",),
    ),
    "list_publications": Row("public"),
    "create_publication": Row("chair", watch=("/v1/publications?limit=200",)),
    "get_publication": Row("public", {"publication_id": "published"}),
    "publish_publication": Row(
        "chair", {"publication_id": "publication"}, watch=("/v1/publications/{publication_id}",)
    ),
    # -- funding: members' and partners' to read, the recipient's to report (the example's
    # recipient is UNODC)
    "list_funding": Row("participant"),
    "create_funding": Row("own", owners=("unodc",), watch=("/v1/funding?limit=200",)),
    "report_milestone": Row("own", {"funding_id": "funding"}, watch=("/v1/funding?limit=200",)),
    "list_overdue_reports": Row("participant"),
    # -- the record
    "list_audit_events": Row("secretariat"),
    "list_changes": Row("public"),
    # -- webhooks: members', partners' and the secretariat's keys, each its own (the world's
    # subscription is the secretariat key's: every other caller is refused it)
    "create_webhook": Row("participant"),
    "list_webhooks": Row("participant"),
    "get_webhook": Row("secretariat", WEBHOOK),
    "delete_webhook": Row("secretariat", WEBHOOK, watch=("/v1/webhooks/{webhook_id}",)),
    "rotate_webhook_secret": Row("secretariat", WEBHOOK, watch=("/v1/webhooks/{webhook_id}",)),
    "list_webhook_deliveries": Row("secretariat", WEBHOOK),
    "get_records": Row("secretariat", {"year": "year"}),
    "check_health": Row("public"),
    "check_readiness": Row("public"),
}

# -- the operations of the document -------------------------------------------------------------

METHODS = ("get", "put", "post", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    op_id: str
    method: str
    path: str
    keyed: bool  # the document names a security requirement
    path_params: tuple[str, ...]
    example: Json | None  # the request body's example
    takes_body: bool
    # status -> the details of the document's problem examples for it (401 and 403)
    documented: Mapping[int, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def operations(doc: Json) -> list[Operation]:
    found = []
    for path, item in doc["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            found.append(
                Operation(
                    op_id=op["operationId"],
                    method=method.upper(),
                    path=path,
                    keyed=op.get("security") == [{"bearer": []}],
                    path_params=tuple(
                        p["name"] for p in op.get("parameters", []) if p["in"] == "path"
                    ),
                    example=content.get("example"),
                    takes_body="requestBody" in op,
                    documented={
                        int(code): tuple(
                            e["value"]["detail"]
                            for e in answer["content"][PROBLEM]["examples"].values()
                        )
                        for code, answer in op["responses"].items()
                        if code in ("401", "403")
                    },
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


OPERATIONS = operations(_document())

# -- the callers ---------------------------------------------------------------------------------

Caller = Literal[
    "no key",
    "made-up key",
    "revoked key",
    "stakeholder",
    "applicant",
    "former member",
    "another member (UNHCR)",
    "member (ILO)",
    "partner (Council of Europe)",
]
CALLERS: tuple[Caller, ...] = get_args(Caller)
ENTITY_OF = {
    "another member (UNHCR)": "unhcr",
    "member (ILO)": "ilo",
    "partner (Council of Europe)": "council-of-europe",
}


def refusal(row: Row, caller: Caller) -> int | None:
    """The status ``caller`` is refused with, or None when it may."""
    if row.power == "public":
        return None
    if caller in ("no key", "made-up key", "revoked key"):
        return 401
    if caller in ("stakeholder", "applicant", "former member"):
        return 403  # never an ICAT member or partner today, never the owner of what is asked
    if row.power == "participant":
        return None
    if row.power == "own" and ENTITY_OF[caller] in row.owners:
        return None
    return 403


REFUSALS = [
    pytest.param(op, caller, status, id=f"{op}-{caller}")
    for op in OPERATIONS
    if op.op_id in TABLE
    for caller in CALLERS
    if (status := refusal(TABLE[op.op_id], caller)) is not None
]
KEYED = [pytest.param(op, id=str(op)) for op in OPERATIONS if op.op_id in TABLE and op.keyed]
PUBLIC = [pytest.param(op, id=str(op)) for op in OPERATIONS if op.op_id in TABLE and not op.keyed]

# -- the world the requests act on ---------------------------------------------------------------


class World:
    """Real ids for the paths, made or looked up when first needed, and the callers' keys."""

    ilo = "ilo"
    coe = "council-of-europe"
    year = 2015  # a year of the records, with a chair term

    def __init__(self, client: TestClient, db: Session, keys: Keys) -> None:
        self.client = client
        self.db = db
        self.keys = keys
        self.sec = Keys.header(keys.secretariat)

    def _items(self, path: str) -> list[Json]:
        items: list[Json] = all_items(self.client, path, self.sec)
        return items

    def _create(self, path: str, body: Json) -> Json:
        return body_of(self.client.post(path, json=body, headers=self.sec), 201)

    # -- path values

    @cached_property
    def coe_membership(self) -> int:
        items = self._items(f"/v1/entities/{self.coe}/memberships")
        [open_one] = [m["id"] for m in items if m["ends_on"] is None]
        return int(open_one)

    @cached_property
    def focal_point(self) -> int:
        contact = {
            "external_id": "MATRIX-1",
            "name": "Jane Matrix",
            "title": "Programme Officer",
            "email": "jane.matrix@ilo.org",
            "is_primary": True,
        }
        return int(self._create("/v1/entities/ilo/focal-points", contact)["id"])

    @cached_property
    def meeting(self) -> int:
        return int(self._items("/v1/meetings")[0]["id"])

    @cached_property
    def decision(self) -> int:
        return int(self._items("/v1/decisions")[0]["id"])

    @cached_property
    def application(self) -> int:
        """One filed by none of the callers' entities."""
        items = self._items("/v1/applications")
        return int(next(a["id"] for a in items if a["entity_id"] not in self.callers_entities))

    @cached_property
    def candidacy(self) -> int:
        """UNICEF's expression of interest in chairing next year, made in Q1 (ToR 3.D.1)."""
        today = date.today()
        body = {
            "entity_ids": ["unicef"],
            "roles": [{"entity_id": "unicef", "tasks": list("abcdefghijklm")}],
            "submitted_on": min(today, date(today.year, 3, 31)).isoformat(),
            "term_year": today.year + 1,
        }
        return int(self._create("/v1/chair-candidacies", body)["id"])

    @cached_property
    def work_plan(self) -> int:
        """A draft plan, stored directly: through the API only a sitting Chair co-leads one,
        and the seed has none sitting today."""
        plan = WorkPlan(start_year=2020, title="Matrix work plan", co_lead_entity_ids=["unodc"])
        self.db.add(plan)
        self.db.commit()
        return plan.id

    @cached_property
    def activity(self) -> int:
        activity = Activity(
            work_plan_id=self.work_plan,
            title="Matrix activity",
            priority_area="evidence_base",
            lead_entity_id="unodc",
            contributor_entity_ids=[],
            milestones=[],
        )
        self.db.add(activity)
        self.db.commit()
        return activity.id

    @cached_property
    def funding(self) -> int:
        """Funds received by none of the callers' entities."""
        items = self._items("/v1/funding")
        return int(
            next(f["id"] for f in items if f["recipient_entity_id"] not in self.callers_entities)
        )

    @cached_property
    def published(self) -> int:
        items = self._items("/v1/publications")
        return int(next(p["id"] for p in items if p["status"] == "published"))

    @cached_property
    def publication(self) -> int:
        """A draft product."""
        body = {"kind": "issue_brief", "title": "Matrix issue brief", "lead_entity_id": "unodc"}
        return int(self._create("/v1/publications", body)["id"])

    @cached_property
    def webhook(self) -> int:
        """A subscription of the secretariat key's."""
        body = {"url": "https://hooks.example.org/icat", "events": ["decision.created"]}
        return int(self._create("/v1/webhooks", body)["id"])

    # -- the callers

    callers_entities = (
        "ilo",
        "unhcr",
        "council-of-europe",
        "matrix-ngo",
        "matrix-applicant",
        "matrix-former",
    )

    def _agency(self, entity_id: str) -> None:
        agency = {
            "id": entity_id,
            "name": f"{entity_id.title()} Agency",
            "kind": "intergovernmental",
            "scope": "regional",
            "mandate_covers_tip": True,
        }
        self._create("/v1/entities", agency)

    def _status(self, entity_id: str) -> str:
        status: str = body_of(self.client.get(f"/v1/entities/{entity_id}"), 200)["status"]
        return status

    @cached_property
    def stakeholder(self) -> Headers:
        """A non-governmental organization: a stakeholder, never a member (ToR 3.A.5)."""
        self._create(
            "/v1/entities",
            {"id": "matrix-ngo", "name": "Matrix NGO", "kind": "non_governmental"},
        )
        assert self._status("matrix-ngo") == "stakeholder"
        return key_of(self.db, "matrix-ngo")

    @cached_property
    def applicant(self) -> Headers:
        self._agency("matrix-applicant")
        application = {
            "entity_id": "matrix-applicant",
            "role": "partner",
            "submitted_on": date.today().isoformat(),
            "addressed_to": "coordinator",
            "letter_reference": "MATRIX/1",
        }
        self._create("/v1/applications", application)
        assert self._status("matrix-applicant") == "applicant"
        return key_of(self.db, "matrix-applicant")

    @cached_property
    def former_member(self) -> Headers:
        self._agency("matrix-former")
        membership = {"role": "member", "starts_on": "2016-01-01", "ends_on": "2020-01-01"}
        self._create("/v1/entities/matrix-former/memberships", membership)
        assert self._status("matrix-former") == "former_member"
        return key_of(self.db, "matrix-former")

    @cached_property
    def unhcr(self) -> Headers:
        return key_of(self.db, "unhcr")

    def headers(self, caller: Caller) -> Headers:
        match caller:
            case "no key":
                return {}
            case "made-up key":
                return Keys.header("icat_" + secrets.token_urlsafe(32))
            case "revoked key":
                return Keys.header(self.keys.revoked)
            case "stakeholder":
                return self.stakeholder
            case "applicant":
                return self.applicant
            case "former member":
                return self.former_member
            case "another member (UNHCR)":
                return self.unhcr
            case "member (ILO)":
                return Keys.header(self.keys.member)
            case "partner (Council of Europe)":
                return Keys.header(self.keys.partner)

    def sitting_chairs(self) -> list[str]:
        terms = body_of(
            self.client.get("/v1/chairs", params={"on": date.today().isoformat()}), 200
        )["items"]
        return [e for term in terms for e in term["entity_ids"]]

    # -- requests

    def values(self, op: Operation) -> dict[str, str]:
        row = TABLE[op.op_id]
        return {name: str(getattr(self, attr)) for name, attr in row.params.items()}

    def send(self, op: Operation, headers: Headers) -> Response:
        path = op.path.format(**self.values(op))
        row = TABLE[op.op_id]
        body = row.body if row.body is not None else op.example
        r: Response = self.client.request(
            op.method, path, json=body if op.takes_body else None, headers=headers
        )
        return r

    def state(self, op: Operation) -> dict[str, Any]:
        """What a refused request must leave as it was: the audit trail, the rows of every
        table, and the answers of the row's watched GETs."""
        values = self.values(op)  # made first
        tables = {
            t.name: self.db.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables
        }
        watched = {
            path: body_of(self.client.get(path.format(**values), headers=self.sec), 200)
            for path in TABLE[op.op_id].watch
        }
        return {"audit": self._items("/v1/audit-events"), "tables": tables, "watched": watched}


@pytest.fixture
def world(client: TestClient, db: Session, keys: Keys) -> World:
    return World(client, db, keys)


def assert_refused(r: Response, status: int, what: str) -> None:
    assert r.status_code == status, f"{what}: {r.status_code} {r.text[:500]}"
    assert r.headers["content-type"].startswith(PROBLEM), (what, r.headers)
    assert "Traceback" not in r.text
    body = r.json()
    assert body["status"] == status, (what, body)
    assert body["detail"], (what, body)
    challenge = r.headers.get("www-authenticate", "")
    if status == 401:
        assert challenge.split(" ")[0].lower() == "bearer", (what, r.headers)
    else:
        assert not challenge, (what, r.headers)


# -- every operation has its row -----------------------------------------------------------------


def test_every_operation_of_the_document_has_a_row(app: FastAPI) -> None:
    served = operations(app.openapi())
    assert served == OPERATIONS
    missing = sorted(str(op) + " " + op.op_id for op in served if op.op_id not in TABLE)
    assert not missing, f"operations without a row in TABLE: {missing}"
    stale = sorted(set(TABLE) - {op.op_id for op in served})
    assert not stale, f"rows of no operation: {stale}"


@pytest.mark.parametrize("op", [pytest.param(op, id=str(op)) for op in OPERATIONS])
def test_each_row_fits_its_operation(op: Operation) -> None:
    row = TABLE.get(op.op_id)
    assert row is not None, f"{op} ({op.op_id}) has no row in TABLE"
    assert set(row.params) == set(op.path_params), (str(op), row.params)
    assert (row.power == "public") == (not op.keyed), f"{op}: security says keyed={op.keyed}"
    if op.takes_body:
        assert row.body is not None or op.example is not None, f"{op}: no body to send"
    else:
        assert row.body is None, f"{op} takes no body"
    assert row.power == "own" or not row.owners, str(op)


def test_no_chair_sits_today_in_the_seed(world: World) -> None:
    """So that the member's key (ILO) and the others hold no Chair's powers."""
    assert world.sitting_chairs() == []


# -- public reads ------------------------------------------------------------------------------


@pytest.mark.parametrize("op", PUBLIC)
def test_a_public_read_needs_no_key(world: World, op: Operation) -> None:
    assert op.method == "GET", f"{op}: public, yet not a read"
    r = world.send(op, {})
    assert r.status_code == 200, f"{op}: {r.status_code} {r.text[:300]}"
    assert "www-authenticate" not in r.headers


# -- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("op", "caller", "status"), REFUSALS)
def test_a_key_that_may_not_is_refused_and_nothing_is_stored(
    world: World, op: Operation, caller: Caller, status: int
) -> None:
    row = TABLE[op.op_id]
    headers = world.headers(caller)  # its entity, made before the state is taken
    if row.power == "chair" and caller in ENTITY_OF:
        assert ENTITY_OF[caller] not in world.sitting_chairs()
    before = world.state(op)
    r = world.send(op, headers)
    assert_refused(r, status, f"{op} with the key of: {caller}")
    # The document's example of the refusal is the service's answer (tests/test_openapi_examples)
    assert r.json()["detail"] in op.documented[status], f"{op}, {caller}: {r.json()['detail']}"
    after = world.state(op)
    assert after["audit"] == before["audit"], f"{op}, {caller}: audited"
    assert after["tables"] == before["tables"], f"{op}, {caller}: stored"
    assert after["watched"] == before["watched"], f"{op}, {caller}: changed"


@pytest.mark.parametrize("op", KEYED)
def test_the_secretariat_key_is_not_refused(world: World, op: Operation) -> None:
    """The requests are well-formed enough to pass the powers: the secretariat's key gets past
    them (to a success, or to a rule of the ToR)."""
    r = world.send(op, world.sec)
    assert r.status_code not in (401, 403), f"{op}: {r.status_code} {r.text[:300]}"
    assert r.status_code < 500, f"{op}: {r.status_code} {r.text[:300]}"


# -- the read side: personal data --------------------------------------------------------------

OUTSIDERS: tuple[Caller, ...] = ("stakeholder", "applicant", "former member", "revoked key")


@pytest.mark.parametrize("caller", OUTSIDERS)
@pytest.mark.parametrize(
    "op_id",
    [
        "list_focal_points",
        "get_focal_point",
    ],
    ids=["list", "one"],
)
def test_focal_points_are_refused_to_keys_of_entities_not_in_icat(
    world: World, op_id: str, caller: Caller
) -> None:
    """Personal data is read only by the secretariat and by keys of entities that are members
    or partners on the day of the request (DESIGN §5)."""
    [op] = [o for o in OPERATIONS if o.op_id == op_id]
    assert world.focal_point  # ILO's contact, Jane Matrix
    r = world.send(op, world.headers(caller))
    assert_refused(r, 401 if caller == "revoked key" else 403, f"{op}, {caller}")
    assert "Jane Matrix" not in r.text
    for reader in ("another member (UNHCR)", "partner (Council of Europe)"):
        seen = body_of(world.send(op, world.headers(reader)), 200)
        assert "Jane Matrix" in str(seen), reader


@pytest.mark.parametrize("caller", OUTSIDERS)
def test_representatives_names_are_hidden_from_keys_of_entities_not_in_icat(
    world: World, caller: Caller
) -> None:
    """A meeting's attendance shows each attendee, and its representatives' names only to the
    secretariat and to keys of members and partners (DESIGN §5): a stakeholder's, an
    applicant's, a former member's or a revoked key reads what no key reads."""
    meeting = world.meeting
    attendance = {"items": [{"entity_id": "ilo", "representatives": ["Jane Matrix, ILO"]}]}
    path = f"/v1/meetings/{meeting}/attendance"
    body_of(world.client.put(path, json=attendance, headers=world.sec), 200)
    for reader in ("member (ILO)", "partner (Council of Europe)"):
        seen = body_of(world.client.get(path, headers=world.headers(reader)), 200)
        assert seen["items"][0]["representatives"] == ["Jane Matrix, ILO"], reader
    public = body_of(world.client.get(path), 200)
    assert public["items"][0]["representatives"] is None

    r = world.client.get(path, headers=world.headers(caller))
    seen = body_of(r, 200)
    assert [a["representatives"] for a in seen["items"]] == [None], f"{caller}: {seen}"
    assert "Jane Matrix" not in r.text
    assert seen == public


@pytest.mark.parametrize("caller", OUTSIDERS)
def test_draft_products_are_not_shown_to_keys_of_entities_not_in_icat(
    world: World, caller: Caller
) -> None:
    """Draft and unpublished products are read by the secretariat, the sitting Chair(s), the
    product's lead entity and Working Group members only (DESIGN §5): neither listed nor read
    with a stakeholder's, an applicant's, a former member's or a revoked key."""
    draft = world.publication
    drafts = {p["id"] for p in world._items("/v1/publications") if p["status"] != "published"}
    assert draft in drafts
    wg_member = Keys.header(world.keys.member)  # ILO sits in the Working Group
    assert draft in {p["id"] for p in all_items(world.client, "/v1/publications", wg_member)}
    public = all_items(world.client, "/v1/publications")
    assert not drafts & {p["id"] for p in public}

    headers = world.headers(caller)
    listed = all_items(world.client, "/v1/publications", headers)
    assert not drafts & {p["id"] for p in listed}, f"{caller} sees drafts {drafts}"
    assert listed == public
    r = world.client.get(f"/v1/publications/{draft}", headers=headers)
    assert r.status_code == world.client.get(f"/v1/publications/{draft}").status_code == 404, (
        f"{caller}: {r.status_code} {r.text[:300]}"
    )


def test_a_former_member_reads_not_even_its_own_focal_points(world: World) -> None:
    """Once no member or partner, an entity's own key no longer reads personal data."""
    headers = world.former_member
    r = world.client.get("/v1/entities/matrix-former/focal-points", headers=headers)
    assert_refused(r, 403, "a former member's own focal points")
