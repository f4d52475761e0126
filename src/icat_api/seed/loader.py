"""Load the real data. Each record is keyed by what identifies it, so a second run adds nothing."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import icat_api.models  # noqa: F401  (every table, for foreign keys across packages)
from icat_api.applications.models import Application
from icat_api.audit.service import record
from icat_api.chair_terms.models import ChairSeat, ChairTerm
from icat_api.db import utcnow
from icat_api.entities.models import Entity, Membership
from icat_api.funding.models import Funding
from icat_api.governance.models import Attendance, Decision, Enrolment, Meeting
from icat_api.publications.models import Publication
from icat_api.seed import data
from icat_api.seed import governance_2015 as y2015
from icat_api.seed import products_funds as pf


@dataclass
class SeedReport:
    entities: int = 0
    memberships: int = 0
    enrolments: int = 0
    chair_terms: int = 0
    meetings: int = 0
    decisions: int = 0
    products: int = 0
    funding: int = 0
    renamed: int = 0

    @property
    def total(self) -> int:
        return (
            self.entities
            + self.memberships
            + self.enrolments
            + self.chair_terms
            + self.meetings
            + self.decisions
        )


def is_empty(session: Session) -> bool:
    """No entity recorded yet."""
    return session.scalar(select(Entity.id).limit(1)) is None


def seed(session: Session) -> SeedReport:
    """Add whatever of the real data is missing; flushes, the caller commits."""
    report = SeedReport()
    known = set(session.scalars(select(Entity.id)))
    for e in data.ENTITIES:
        if e.id in known:
            continue
        session.add(
            Entity(
                id=e.id,
                name=e.name,
                acronym=e.acronym,
                kind=e.kind,
                scope=e.scope,
                un_system=e.un_system,
                mandate_covers_tip=e.mandate_covers_tip,
                mandate_reference=e.mandate_reference,
                website=e.website,
                names={"en": e.name},
                acronyms={"en": e.acronym} if e.acronym else {},
                former_names=_former_names(e),
                note=e.note,
            )
        )
        record(session, None, "seed", ("entity", e.id), after={"id": e.id, "name": e.name})
        report.entities += 1
    session.flush()
    _rename(session, known, report)

    spans = set(
        session.execute(select(Membership.entity_id, Membership.role, Membership.starts_on))
    )
    for m in data.MEMBERSHIPS:
        if (m.entity_id, m.role, m.starts_on) in spans:
            continue
        session.add(
            Membership(
                entity_id=m.entity_id,
                role=m.role,
                starts_on=m.starts_on,
                ends_on=m.ends_on,
                note=m.note,
            )
        )
        record(
            session,
            None,
            "seed",
            ("membership", f"{m.entity_id}:{m.role}:{m.starts_on}"),
            after={
                "entity_id": m.entity_id,
                "role": m.role,
                "starts_on": m.starts_on,
                "ends_on": m.ends_on,
            },
        )
        report.memberships += 1

    enrolled = set(session.execute(select(Enrolment.entity_id, Enrolment.confirmed_on)))
    for en in data.ENROLMENTS:
        if (en.entity_id, en.confirmed_on) in enrolled:
            continue
        session.add(
            Enrolment(
                entity_id=en.entity_id,
                confirmed_on=en.confirmed_on,
                confirmation_reference=en.confirmation_reference,
            )
        )
        report.enrolments += 1

    years = set(session.scalars(select(ChairTerm.start_year)))
    for t in data.CHAIR_TERMS:
        if t.start_year in years:
            continue
        session.add(
            ChairTerm(
                start_year=t.start_year,
                end_year=t.end_year,
                note=t.note,
                seats=[
                    ChairSeat(entity_id=e, position=i, tasks=None)
                    for i, e in enumerate(t.entity_ids)
                ],
            )
        )
        record(
            session,
            None,
            "seed",
            ("chair_term", t.start_year),
            after={"years": [t.start_year, t.end_year], "entity_ids": list(t.entity_ids)},
        )
        report.chair_terms += 1
    session.flush()
    _seed_2015(session, report)
    _seed_products_and_funds(session, report)
    return report


def _former_names(e: data.SeedEntity) -> list[dict[str, Any]]:
    return [
        {"name": f.name, "acronym": f.acronym, "until": f.until.isoformat()} for f in e.former_names
    ]


def _rename(session: Session, known: set[str], report: SeedReport) -> None:
    """Renamings (assumption A8) for a registry seeded before they were: an entity still bearing
    its former name, with no former name recorded, takes the current one. An entity the
    Coordinator has renamed or given a history is left as it is."""
    for e in data.ENTITIES:
        if not e.former_names or e.id not in known:
            continue
        entity = session.get(Entity, e.id)
        latest = e.former_names[-1]
        if entity is None or entity.former_names or entity.name != latest.name:
            continue
        before = {"name": entity.name, "acronym": entity.acronym}
        entity.name, entity.acronym = e.name, e.acronym
        entity.names = {**entity.names, "en": e.name}
        entity.acronyms = {**entity.acronyms, "en": e.acronym} if e.acronym else {}
        entity.former_names = _former_names(e)
        entity.note = entity.note or e.note
        entity.updated_at = utcnow()
        record(
            session,
            None,
            "seed",
            ("entity", e.id),
            before=before,
            after={"name": e.name, "acronym": e.acronym, "former_names": entity.former_names},
        )
        report.renamed += 1
    session.flush()


def _seed_products_and_funds(session: Session, report: SeedReport) -> None:
    """ICAT's known products, and Sweden's funding 2012-2015."""
    titles = set(session.scalars(select(Publication.title)))
    for p in pf.PRODUCTS:
        if p.title in titles:
            continue
        session.add(
            Publication(
                title=p.title,
                kind=p.kind,
                lead_entity_id=p.lead_entity_id,
                status=p.status,
                published_on=p.published_on,
                note=p.note,
            )
        )
        report.products += 1
    sweden = session.scalar(
        select(Funding.id).where(
            Funding.donor == "Sweden", Funding.received_on == pf.SWEDEN_FUNDING_ON
        )
    )
    if sweden is None:
        session.add(
            Funding(
                donor="Sweden",
                recipient_entity_id="unodc",
                amount=None,
                currency=None,
                received_on=pf.SWEDEN_FUNDING_ON,
                approval_decision_id=None,
                note=pf.SWEDEN_NOTE,
            )
        )
        report.funding += 1
    session.flush()


def _seed_2015(session: Session, report: SeedReport) -> None:
    """The meetings of 2015 with their attendance, and OSCE's admission as a partner."""
    meeting_ids: dict[str, int] = {}
    for m in y2015.MEETINGS:
        row = session.scalar(
            select(Meeting).where(
                Meeting.kind == m.kind, Meeting.starts_on == m.starts_on, Meeting.title == m.title
            )
        )
        if row is None:
            row = Meeting(
                kind=m.kind,
                title=m.title,
                starts_on=m.starts_on,
                ends_on=m.ends_on,
                location=m.location,
                mode="in_person",
                note=m.note,
            )
            session.add(row)
            session.flush()
            session.add_all(
                Attendance(meeting_id=row.id, entity_id=e, representatives=[]) for e in m.attendees
            )
            record(
                session,
                None,
                "seed",
                ("meeting", row.id),
                after={"title": m.title, "starts_on": m.starts_on},
            )
            report.meetings += 1
        meeting_ids[m.key] = row.id
    session.flush()

    application = session.scalar(
        select(Application).where(
            Application.entity_id == "osce",
            Application.submitted_on == y2015.OSCE_APPLICATION_SUBMITTED,
        )
    )
    if application is not None:
        return
    decided_on = data.OSCE_PARTNER_FROM
    application = Application(
        entity_id="osce",
        role="partner",
        submitted_on=y2015.OSCE_APPLICATION_SUBMITTED,
        addressed_to="coordinator",
        letter_reference=y2015.OSCE_APPLICATION_REFERENCE,
        status="accepted",
        closed_on=decided_on,
    )
    session.add(application)
    session.flush()
    decision = Decision(
        procedure="meeting",
        meeting_id=meeting_ids[y2015.OSCE_DECISION_MEETING],
        decided_on=decided_on,
        kind="admission",
        record=y2015.OSCE_DECISION_RECORD,
        confirmed_by="unhcr",
        outcome="adopted",
        application_id=application.id,
        effects=[f"osce: partner from {decided_on}", f"application {application.id}: accepted"],
    )
    session.add(decision)
    session.flush()
    application.decision_id = decision.id
    partnership = session.scalar(
        select(Membership).where(
            Membership.entity_id == "osce",
            Membership.role == "partner",
            Membership.starts_on == decided_on,
        )
    )
    if partnership is not None:
        partnership.admission_decision_id = decision.id
    record(
        session,
        None,
        "seed",
        ("decision", decision.id),
        after={"kind": "admission", "entity_id": "osce"},
    )
    report.decisions += 1
    session.flush()
