"""Applications for membership or partnership (ToR 3.A.3, 3.A.4): filed, read, withdrawn."""

from collections.abc import Sequence
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from icat_api import clock
from icat_api import rules as record_rules
from icat_api.applications import rules
from icat_api.applications.models import Application
from icat_api.applications.schemas import ApplicationCreate, ApplicationRead, ApplicationWithdraw
from icat_api.audit.service import record
from icat_api.caller import Caller, ensure_acts_for
from icat_api.db import utcnow
from icat_api.entities import rules as entity_rules
from icat_api.entities.service import lock_entity, require_entity, status_on
from icat_api.governance import facts
from icat_api.governance.models import Meeting
from icat_api.pagination import INT32, Keyset, PageParams, page_of
from icat_api.problems import InvalidInput, NotFound
from icat_api.schemas import Page


def _meetings_after(session: Session, rows: Sequence[Application]) -> list[tuple[int, date]]:
    """The Working Group meetings that may introduce ``rows`` (see :func:`read`)."""
    return facts.working_group_meetings_after(session, (row.submitted_on for row in rows))


def read(row: Application, meetings: list[tuple[int, date]], today: date) -> ApplicationRead:
    """An application with its derived introduction (the next Working Group meeting)."""
    intro = rules.introduction(meetings, row.submitted_on)
    status = row.status
    if status == "submitted" and intro is not None and intro[1] <= today:
        status = "introduced"
    return ApplicationRead(
        id=row.id,
        entity_id=row.entity_id,
        role=row.role,
        submitted_on=row.submitted_on,
        addressed_to=row.addressed_to,
        letter_reference=row.letter_reference,
        status=status,
        introduced_at_meeting_id=intro[0] if intro else None,
        introduced_on=intro[1] if intro else None,
        decision_id=row.decision_id,
        closed_on=row.closed_on,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def create(*, session: Session, caller: Caller, data: ApplicationCreate) -> ApplicationRead:
    """File an application: eligibility is checked at once (ToR 3.A.4, 3.A.5), one open
    application per entity, none for a role it holds (ToR 3.A.3)."""
    ensure_acts_for(caller, data.entity_id)
    record_rules.check_not_after_today("submitted_on", data.submitted_on, clock.today())
    require_entity(session, data.entity_id, "entity_id")
    entity = lock_entity(session, data.entity_id)
    entity_rules.check_may_hold_role(kind=entity.kind, mandate_covers_tip=entity.mandate_covers_tip)
    open_one = session.scalar(
        select(Application.id).where(
            Application.entity_id == data.entity_id, Application.status == "submitted"
        )
    )
    held = status_on(session, data.entity_id, data.submitted_on)
    rules.check_application(
        role=data.role.value,
        held_role=held if held in ("member", "partner") else None,
        open_application=open_one is not None,
    )
    now = utcnow()
    row = Application(
        entity_id=data.entity_id,
        role=data.role.value,
        submitted_on=data.submitted_on,
        addressed_to=data.addressed_to,
        letter_reference=data.letter_reference,
        status="submitted",
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    created = read(row, _meetings_after(session, [row]), clock.today())
    record(session, caller, "create", ("application", row.id), after=created)
    return created


def get(*, session: Session, application_id: int) -> ApplicationRead:
    row = session.get(Application, application_id)
    if row is None:
        raise NotFound(f"No application {application_id}.")
    return read(row, _meetings_after(session, [row]), clock.today())


APPLICATIONS = Keyset("applications", (Application.id,), (INT32,))


def list_applications(
    *, session: Session, page: PageParams, entity_id: str | None, status: str | None
) -> Page[ApplicationRead]:
    """Applications by id; `status` filters on the status as shown (introduced included)."""
    today = clock.today()
    query = select(Application)
    if entity_id is not None:
        query = query.where(Application.entity_id == entity_id)
    if status in ("accepted", "not_accepted", "withdrawn"):
        query = query.where(Application.status == status)
    elif status in ("submitted", "introduced"):
        # Shown as introduced once the next Working Group meeting after its submission (the
        # one the Chair introduces it at, `read`) has begun: there is such a meeting by today.
        introduced = exists().where(
            Meeting.kind == "working_group",
            Meeting.status == "scheduled",  # as facts.working_group_meetings: not called off
            Meeting.starts_on > Application.submitted_on,
            Meeting.starts_on <= today,
        )
        query = query.where(
            Application.status == "submitted", introduced if status == "introduced" else ~introduced
        )
    rows = list(session.scalars(APPLICATIONS.query(query, page)))
    meetings = _meetings_after(session, rows)
    items, cursor = page_of(
        APPLICATIONS,
        page,
        rows,
        lambda page_rows: [read(row, meetings, today) for row in page_rows],
    )
    return Page[ApplicationRead](items=items, next_cursor=cursor)


def withdraw(
    *, session: Session, caller: Caller, application_id: int, data: ApplicationWithdraw
) -> ApplicationRead:
    """End an open application at the applicant's request."""
    row = session.scalar(
        select(Application).where(Application.id == application_id).with_for_update()
    )
    if row is None:
        raise NotFound(f"No application {application_id}.")
    ensure_acts_for(caller, row.entity_id)
    meetings = _meetings_after(session, [row])
    before = read(row, meetings, clock.today())
    rules.check_open(row.status, "withdrawn")
    day = data.withdrawn_on or clock.today()
    record_rules.check_not_after_today("withdrawn_on", day, clock.today())
    if day < row.submitted_on:
        raise InvalidInput(
            "withdrawn_on is before the application was submitted.",
            errors=[{"loc": ["body", "withdrawn_on"], "msg": "before submitted_on"}],
        )
    row.status, row.closed_on, row.updated_at = "withdrawn", day, utcnow()
    session.flush()
    after = read(row, meetings, clock.today())
    record(session, caller, "withdraw", ("application", row.id), before=before, after=after)
    return after
