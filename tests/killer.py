"""A process to be killed mid-write (run by tests/test_faults.py with sys.executable).

    python tests/killer.py DATABASE_URL API_KEY DECISION_JSON

It builds the real app on DATABASE_URL and sends it one ``POST /v1/decisions`` with the body
DECISION_JSON (an admission). When that request's transaction is about to commit — the
decision, the membership, the application's new status and the audit events all flushed, none
committed — it prints one line ``READY <json>`` with what its own transaction sees, then sleeps
until the test sends SIGKILL. If the request ever answers instead, it prints ``ANSWERED <status>
<body>`` and exits 3.
"""

import json
import sys
import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, UOWTransaction

from icat_api.app import create_app
from icat_api.applications.models import Application
from icat_api.audit.models import AuditEvent
from icat_api.entities.models import Membership
from icat_api.governance.models import Decision
from icat_api.settings import Settings

_FLUSHED_DECISION = "killer_flushed_decision"


def _note_decision(session: Session, _flush: UOWTransaction) -> None:
    # After a flush, ``session.new`` still lists what that flush inserted (ids now set).
    for obj in session.new:
        if isinstance(obj, Decision):
            session.info[_FLUSHED_DECISION] = obj.id


def _hold_before_commit(session: Session) -> None:
    decision_id = session.info.get(_FLUSHED_DECISION)
    if decision_id is None:
        return
    session.flush()  # whatever is still pending: everything is now written, uncommitted
    decision = session.get(Decision, decision_id)
    assert decision is not None
    application = session.get(Application, decision.application_id)
    assert application is not None
    seen: dict[str, Any] = {
        "decision_id": decision.id,
        "decisions_for_application": session.scalar(
            select(func.count())
            .select_from(Decision)
            .where(Decision.application_id == application.id)
        ),
        "memberships": session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.entity_id == application.entity_id)
        ),
        "application_status": application.status,
        "audit_events": session.scalar(select(func.count()).select_from(AuditEvent)),
    }
    print("READY " + json.dumps(seen), flush=True)
    while True:  # until SIGKILL
        time.sleep(3600)


def main(argv: list[str]) -> int:
    database_url, key, decision = argv[1], argv[2], json.loads(argv[3])
    event.listen(Session, "after_flush", _note_decision)
    event.listen(Session, "before_commit", _hold_before_commit)
    app = create_app(Settings(database_url=database_url, log_json=True))
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.post(
            "/v1/decisions", json=decision, headers={"Authorization": f"Bearer {key}"}
        )
    print(f"ANSWERED {answer.status_code} {answer.text}", flush=True)
    return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv))
