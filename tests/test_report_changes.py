"""The year's changes counted by type (issue 14): in the Chair's report, as the public change feed
shows them, and in the records export, all of them; the year cut at midnight UTC."""

import csv
import io
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from typing import get_args

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from icat_api.audit.models import AuditEvent
from icat_api.chair_terms.service import insert_term
from icat_api.changes import service as changes_service
from icat_api.changes.models import Change
from icat_api.changes.schemas import ChangeCounts, ChangeType
from icat_api.changes.service import count_by_type
from tests.conftest import Keys
from tests.helpers import Headers, Json, body_of

EVERY_TYPE: list[str] = list(get_args(ChangeType))
PUBLIC_TYPES = [t for t in EVERY_TYPE if t != "focal_point"]

NEW = {
    "id": "count-agency",
    "name": "Count Agency against Trafficking",
    "kind": "intergovernmental",
    "scope": "regional",
    "mandate_covers_tip": True,
}
CONTACT = {"external_id": "C1", "name": "Count Person", "email": "c1@ilo.org", "is_primary": True}


def change(kind: str, at: datetime, *, personal: bool = False) -> Change:
    return Change(
        occurred_at=at, type=kind, resource_id="x", action="updated", url="/v1", personal=personal
    )


def report_changes(client: TestClient, year: int, headers: Headers | None = None) -> Json:
    counts: Json = body_of(
        client.get(f"/v1/chair-terms/{year}/report", headers=headers or {}), 200
    )["changes"]
    return counts


def records_changes(client: TestClient, sec: Headers, year: int) -> dict[str, int]:
    rows = body_of(client.get(f"/v1/records/{year}", headers=sec), 200)["changes_by_type"]
    assert [r["type"] for r in rows] == EVERY_TYPE
    return {r["type"]: r["count"] for r in rows}


@pytest.fixture
def commit_at(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Set the time the change feed stamps on what commits next (its ``occurred_at``)."""

    def at(moment: datetime) -> None:
        monkeypatch.setattr(changes_service, "utcnow", lambda: moment)

    return at


def test_the_year_is_cut_at_midnight_utc_and_every_type_is_listed(db: Session) -> None:
    db.add_all(
        [
            change("entity", datetime(2015, 1, 1, tzinfo=UTC)),
            change("entity", datetime(2015, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
            change("meeting", datetime(2014, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
            change("meeting", datetime(2016, 1, 1, tzinfo=UTC)),
            change("focal_point", datetime(2015, 6, 1, tzinfo=UTC), personal=True),
            change("publication", datetime(2015, 6, 1, tzinfo=UTC), personal=True),
            change("publication", datetime(2015, 7, 1, tzinfo=UTC)),
        ]
    )
    db.flush()

    every = count_by_type(session=db, year=2015, personal=True)
    assert list(every) == EVERY_TYPE
    assert {t: n for t, n in every.items() if n} == {
        "entity": 2,
        "focal_point": 1,
        "publication": 2,
    }

    public = count_by_type(session=db, year=2015, personal=False)
    # No key for what the public never sees: a 0 would say "none" when it means "hidden".
    assert list(public) == PUBLIC_TYPES
    assert {t: n for t, n in public.items() if n} == {"entity": 2, "publication": 1}

    assert {t: n for t, n in count_by_type(session=db, year=2016, personal=True).items() if n} == {
        "meeting": 1
    }
    assert {t: n for t, n in count_by_type(session=db, year=2014, personal=True).items() if n} == {
        "meeting": 1
    }


def test_the_example_validates_and_lists_the_public_types_in_order() -> None:
    extra = ChangeCounts.model_config.get("json_schema_extra")
    assert isinstance(extra, dict) and isinstance(extra["examples"], list)
    [example] = extra["examples"]
    counts = ChangeCounts.model_validate(example)
    assert list(counts.by_type) == PUBLIC_TYPES
    assert counts.total == sum(counts.by_type.values())


def test_a_fresh_registry_counts_no_changes(client: TestClient, db: Session, sec: Headers) -> None:
    # The seed's writes are audited (action "seed") in the year it ran, but are not changes:
    # the data a registry starts with is read from the lists.
    seeded_at = db.scalar(
        select(func.max(AuditEvent.occurred_at)).where(AuditEvent.action == "seed")
    )
    assert seeded_at is not None
    year = seeded_at.year
    insert_term(db, year, year, ["unodc"], None, note=None, election_decision_id=None)
    db.commit()

    assert report_changes(client, year) == {"total": 0, "by_type": dict.fromkeys(PUBLIC_TYPES, 0)}
    records = body_of(client.get(f"/v1/records/{year}", headers=sec), 200)
    assert any(e["action"] == "seed" for e in records["audit_events"])
    assert records_changes(client, sec, year) == dict.fromkeys(EVERY_TYPE, 0)


def test_a_write_counts_in_its_year_for_its_type_and_not_in_another(
    client: TestClient, keys: Keys, sec: Headers, commit_at: Callable[[datetime], None]
) -> None:
    ilo = Keys.header(keys.member)
    commit_at(datetime(2015, 12, 31, 23, 59, tzinfo=UTC))
    assert client.post("/v1/entities", headers=sec, json=NEW).status_code == 201
    commit_at(datetime(2016, 1, 1, 0, 1, tzinfo=UTC))
    etag = client.get(f"/v1/entities/{NEW['id']}").headers["etag"]
    r = client.patch(
        f"/v1/entities/{NEW['id']}", headers={**sec, "If-Match": etag}, json={"acronym": "CA"}
    )
    assert r.status_code == 200, r.text
    r = client.post("/v1/entities/ilo/focal-points", headers=ilo, json=CONTACT)
    assert r.status_code == 201, r.text

    of_2015 = report_changes(client, 2015)
    assert of_2015 == {"total": 1, "by_type": {**dict.fromkeys(PUBLIC_TYPES, 0), "entity": 1}}
    assert records_changes(client, sec, 2015) == {**dict.fromkeys(EVERY_TYPE, 0), "entity": 1}
    # 2016: the entity's update, and ILO's (its focal point moved it); the focal point itself
    # only in the records, never in the report.
    of_2016 = report_changes(client, 2016)
    assert of_2016 == {"total": 2, "by_type": {**dict.fromkeys(PUBLIC_TYPES, 0), "entity": 2}}
    assert records_changes(client, sec, 2016) == {
        **dict.fromkeys(EVERY_TYPE, 0),
        "entity": 2,
        "focal_point": 1,
    }


def test_personal_and_unpublished_changes_count_only_in_the_records(
    client: TestClient, keys: Keys, sec: Headers, commit_at: Callable[[datetime], None]
) -> None:
    commit_at(datetime(2015, 6, 1, tzinfo=UTC))
    ilo = Keys.header(keys.member)
    r = client.post("/v1/entities/ilo/focal-points", headers=ilo, json=CONTACT)
    assert r.status_code == 201, r.text
    draft = {"title": "Counting changes", "kind": "issue_brief", "lead_entity_id": "unodc"}
    r = client.post("/v1/publications", headers=sec, json=draft)
    assert r.status_code == 201, r.text

    # The report is public and the same for every reader: keys that read personal data (the
    # Coordinator's, a member's) get the public counts too, from the one cached answer: ILO
    # moved by its focal point, not the focal point itself nor the draft.
    for headers in ({}, sec, ilo):
        assert report_changes(client, 2015, headers) == {
            "total": 1,
            "by_type": {**dict.fromkeys(PUBLIC_TYPES, 0), "entity": 1},
        }
    assert records_changes(client, sec, 2015) == {
        **dict.fromkeys(EVERY_TYPE, 0),
        "entity": 1,
        "focal_point": 1,
        "publication": 1,
    }


def test_the_counts_in_the_markdown_report_and_the_records_zip(
    client: TestClient, sec: Headers, commit_at: Callable[[datetime], None]
) -> None:
    commit_at(datetime(2015, 3, 1, tzinfo=UTC))
    assert client.post("/v1/entities", headers=sec, json=NEW).status_code == 201

    r = client.get("/v1/chair-terms/2015/report", headers={"Accept": "text/markdown"})
    assert r.status_code == 200, r.text
    assert "1 change recorded in the public change feed: 1 entity." in r.text

    z = client.get("/v1/records/2015", headers={**sec, "Accept": "application/zip"})
    assert z.status_code == 200, z.text
    with zipfile.ZipFile(io.BytesIO(z.content)) as archive:
        text = archive.read("changes_by_type.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["type"] for r in rows] == EVERY_TYPE
    assert {r["type"]: r["count"] for r in rows if r["count"] != "0"} == {"entity": "1"}
