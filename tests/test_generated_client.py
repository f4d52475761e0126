"""A client generated from openapi/openapi.json by openapi-python-client works first time
against a real `icat-api serve`: the generator warns of nothing, and the client reads the
member list, syncs ILO's focal points with ILO's key and records a decision of the Working
Group with the Coordinator's.

Generating takes seconds and depends on no database: `clients` tests run once in CI
(`.ci/run`), not per database; `make test` leaves them out (tests/conftest.py).
"""

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.dbutil import fresh_database
from tests.livesrv import BIN, ROOT, create_keys, live_server

DOC = ROOT / "openapi" / "openapi.json"
PACKAGE = "icat_client"

pytestmark = [pytest.mark.clients, pytest.mark.live_servers]


def generate(out: Path) -> str:
    """Generate the client package into ``out``/icat_client; answers what the generator said."""
    config = out / "config.yaml"
    config.write_text(f"package_name_override: {PACKAGE}\n")
    done = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(DOC),
            "--meta",
            "none",  # the package alone, no pyproject of its own
            "--output-path",
            str(out / PACKAGE),
            "--config",
            str(config),
        ],
        cwd=out,
        # its post-hooks (ruff check --fix, ruff format) run the venv's ruff
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    return said


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, ModuleType]]:
    """What the generator said, and the generated package, imported."""
    out = tmp_path_factory.mktemp("client")
    said = generate(out)
    sys.path.insert(0, str(out))
    try:
        yield said, importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A real server on a fresh database, and keys of the Coordinator (UNODC) and of ILO."""
    url = fresh_database("generated_client")
    log = tmp_path_factory.mktemp("client_server") / "server.log"
    with live_server(url, log) as base:
        yield base, create_keys(url, "unodc", "ilo")


def module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_the_generator_warns_of_nothing(generated: tuple[str, ModuleType]) -> None:
    """No duplicate model, no operation or schema left out, nothing skipped."""
    said, _ = generated
    assert "Generating" in said
    for trouble in ("Warning", "Unable to", "duplicate", "removal", "Skipping", "Error"):
        assert trouble not in said, said


def test_functions_are_named_after_the_operation_ids(generated: tuple[str, ModuleType]) -> None:
    assert callable(module("api.member_list.get_member_list").sync)
    assert callable(module("api.focal_points.sync_focal_points").sync)
    assert callable(module("api.decisions.record_decision").sync)
    assert callable(module("api.work_plans.add_activity").sync)  # dropped before issue 15
    assert callable(module("api.work_plans.update_activity").sync)


def test_the_generated_client_reads_syncs_and_records(
    generated: tuple[str, ModuleType], server: tuple[str, dict[str, str]]
) -> None:
    _, client_package = generated
    base, keys = server
    models = module("models")
    with (
        client_package.Client(base_url=base, raise_on_unexpected_status=True) as public,
        client_package.AuthenticatedClient(base_url=base, token=keys["ilo"]) as as_ilo,
        client_package.AuthenticatedClient(base_url=base, token=keys["unodc"]) as as_coordinator,
    ):
        scenario(models, public, as_ilo, as_coordinator)


def scenario(models: Any, public: Any, as_ilo: Any, as_coordinator: Any) -> None:
    # The website's one call, public.
    listing = module("api.member_list.get_member_list").sync(client=public, on=date(2023, 6, 30))
    assert isinstance(listing, models.MemberList), listing
    assert listing.as_of == date(2023, 6, 30)
    assert listing.coordinator.id == "unodc"
    assert "ilo" in [m.id for m in listing.members]
    assert "council-of-europe" in [p.id for p in listing.partners]

    # ILO's own key replaces ILO's focal points; the same set again changes nothing.
    sync = module("api.focal_points.sync_focal_points")
    contacts = models.FocalPointSet(
        items=[
            models.FocalPointIn(
                external_id="ilo-hr-1",
                name="Jane Matrix",
                email="jane.matrix@ilo.example",
                is_primary=True,
            ),
            models.FocalPointIn(
                external_id="ilo-hr-2", name="Amadou Diallo", email="a.diallo@ilo.example"
            ),
        ]
    )
    first = sync.sync("ilo", client=as_ilo, body=contacts)
    assert isinstance(first, models.SyncResult), first
    assert (first.created, first.updated, first.removed) == (2, 0, 0)
    assert [c.external_id for c in first.items if c.is_primary] == ["ilo-hr-1"]
    again = sync.sync("ilo", client=as_ilo, body=contacts)
    assert (again.created, again.updated, again.removed, again.unchanged) == (0, 0, 0, 2)
    # Another member's key may not: the answer parses as the documented problem.
    refused = sync.sync_detailed("iom", client=as_ilo, body=contacts)  # ILO's key, IOM's contacts
    assert refused.status_code == 403
    assert isinstance(refused.parsed, models.Problem)
    assert refused.parsed.detail == "This key may not act for another entity."

    # The Coordinator records 2023: ILO chairs, the Working Group meets, and decides.
    term = module("api.chairs.create_chair_term").sync(
        client=as_coordinator, body=models.ChairTermCreate(start_year=2023, entity_ids=["ilo"])
    )
    assert isinstance(term, models.ChairTermRead), term
    meeting = module("api.meetings.create_meeting").sync(
        client=as_coordinator,
        body=models.MeetingCreate(
            kind=models.MeetingKind.WORKING_GROUP,
            title="Working Group, March 2023",
            starts_on=date(2023, 3, 15),
            ends_on=date(2023, 3, 16),
        ),
    )
    assert isinstance(meeting, models.MeetingRead), meeting
    attendance = module("api.meetings.set_attendance").sync(
        meeting.id,
        client=as_coordinator,
        body=models.AttendanceSet(
            items=[
                models.AttendeeIn(entity_id=e, representatives=[f"Delegate of {e}"])
                for e in ("ilo", "unodc", "council-of-europe")
            ]
        ),
    )
    assert isinstance(attendance, models.AttendanceRead), attendance
    record = module("api.decisions.record_decision")
    body = models.GeneralDecision(
        kind="general",
        procedure=models.Procedure.MEETING,
        meeting_id=meeting.id,
        decided_on=date(2023, 3, 16),
        record="The Working Group agrees on its calendar for the year.",
        confirmed_by="ilo",
        objections=[],
    )
    decided = record.sync(client=as_coordinator, body=body)
    assert isinstance(decided, models.DecisionRead), decided
    assert decided.outcome == models.DecisionReadOutcome.ADOPTED
    assert (decided.kind, decided.meeting_id, decided.confirmed_by) == (
        "general",
        meeting.id,
        "ilo",
    )
    read = module("api.decisions.get_decision").sync(decided.id, client=public)
    assert isinstance(read, models.DecisionRead)
    assert read.to_dict() == decided.to_dict()

    # A refusal by the ToR parses too, with its clause: a partner cannot object (ToR 3.B.7).
    body.objections = [models.ObjectionIn(entity_id="council-of-europe", reason="Not consulted.")]
    refusal = record.sync_detailed(client=as_coordinator, body=body)
    assert refusal.status_code == 422
    assert isinstance(refusal.parsed, models.Problem)
    assert refusal.parsed.rule == "ToR 3.B.7"
