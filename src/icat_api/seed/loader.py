"""Load the real data. Each record is keyed by what identifies it, so a second run adds nothing."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api.audit.service import record
from icat_api.chairs.models import ChairSeat, ChairTerm
from icat_api.entities.models import Entity, Membership
from icat_api.governance.models import Enrolment
from icat_api.seed import data


@dataclass
class SeedReport:
    entities: int = 0
    memberships: int = 0
    enrolments: int = 0
    chair_terms: int = 0

    @property
    def total(self) -> int:
        return self.entities + self.memberships + self.enrolments + self.chair_terms


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
            )
        )
        record(
            session=session,
            caller=None,
            action="seed",
            resource_type="entity",
            resource_id=e.id,
            after={"id": e.id, "name": e.name},
        )
        report.entities += 1
    session.flush()

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
            session=session,
            caller=None,
            action="seed",
            resource_type="membership",
            resource_id=f"{m.entity_id}:{m.role}:{m.starts_on}",
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
            session=session,
            caller=None,
            action="seed",
            resource_type="chair_term",
            resource_id=str(t.start_year),
            after={"years": [t.start_year, t.end_year], "entity_ids": list(t.entity_ids)},
        )
        report.chair_terms += 1
    session.flush()
    return report
