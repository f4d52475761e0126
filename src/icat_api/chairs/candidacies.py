"""Expressions of interest in chairing (ToR 3.D.1, 3.D.2): filed, confirmed, withdrawn."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api import clock
from icat_api import rules as record_rules
from icat_api.audit.service import record
from icat_api.caller import Caller
from icat_api.chair_terms import rules as term_rules
from icat_api.chair_terms.models import ChairTerm
from icat_api.chair_terms.schemas import SeatRoles
from icat_api.chairs import rules
from icat_api.chairs.models import ChairCandidacy
from icat_api.chairs.schemas import (
    CandidacyConfirm,
    CandidacyCreate,
    CandidacyRead,
    CandidacyWithdraw,
)
from icat_api.entities.models import Entity
from icat_api.entities.service import status_on
from icat_api.pagination import INT32, Keyset, PageParams, page_of
from icat_api.problems import Forbidden, InvalidInput, NotFound
from icat_api.schemas import Page


def _taken_years(session: Session, years: set[int]) -> set[int]:
    """Which of ``years`` a chair term covers."""
    if not years:
        return set()
    spans = session.execute(
        select(ChairTerm.start_year, ChairTerm.end_year).where(
            ChairTerm.start_year <= max(years), ChairTerm.end_year >= min(years)
        )
    )
    return {y for s, e in spans for y in years if s <= y <= e}


def _reads(session: Session, rows: Sequence[ChairCandidacy]) -> list[CandidacyRead]:
    taken = _taken_years(session, {r.term_year for r in rows})
    today = clock.today()
    return [
        CandidacyRead(
            id=row.id,
            term_year=row.term_year,
            entity_ids=row.entity_ids,
            submitted_on=row.submitted_on,
            roles=(
                [
                    SeatRoles(entity_id=e, tasks=row.roles[e])
                    for e in row.entity_ids
                    if e in row.roles
                ]
                if row.roles
                else None
            ),
            note=row.note,
            confirmed_entity_ids=[
                e for e in row.entity_ids if e in (row.confirmed_entity_ids or [])
            ],
            status=rules.candidacy_status(row.status, row.term_year, row.term_year in taken, today),
            election_decision_id=row.election_decision_id,
            closed_on=row.closed_on,
            created_at=row.created_at,
        )
        for row in rows
    ]


def read(session: Session, row: ChairCandidacy) -> CandidacyRead:
    return _reads(session, [row])[0]


def create(*, session: Session, caller: Caller, data: CandidacyCreate) -> CandidacyRead:
    """Record an expression of interest: in Q1 of the year before the term (ToR 3.D.1), by one
    member or two that delineate the Chair's tasks between them (ToR 3.D.2). Filed by one of two
    candidates, it awaits the other's own confirmation."""
    if not (caller.is_secretariat or caller.entity_id in data.entity_ids):
        raise Forbidden("Only a candidate's own key, or the secretariat, expresses interest.")
    record_rules.check_not_after_today("submitted_on", data.submitted_on, clock.today())
    roles: dict[str, list[str]] | None = (
        {r.entity_id: list(dict.fromkeys(r.tasks)) for r in data.roles} if data.roles else None
    )
    term_rules.check_seats(data.entity_ids, roles)
    rules.check_joint_filing(data.entity_ids, roles)
    rules.check_candidacy_window(data.term_year, data.submitted_on)
    known = set(session.scalars(select(Entity.id).where(Entity.id.in_(data.entity_ids))))
    unknown = [e for e in data.entity_ids if e not in known]
    if unknown:
        raise InvalidInput(
            "Unknown entity: " + ", ".join(unknown),
            errors=[{"loc": ["body", "entity_ids"], "msg": "unknown entity"}],
        )
    rules.check_candidates_are_members(
        {e: status_on(session, e, data.submitted_on) for e in data.entity_ids}, data.submitted_on
    )
    confirmed = list(data.entity_ids) if caller.is_secretariat else [str(caller.entity_id)]
    row = ChairCandidacy(
        term_year=data.term_year,
        entity_ids=data.entity_ids,
        submitted_on=data.submitted_on,
        roles=roles,
        note=data.note,
        confirmed_entity_ids=confirmed,
        status="candidate" if set(confirmed) == set(data.entity_ids) else "awaiting_confirmation",
    )
    session.add(row)
    session.flush()
    created = read(session, row)
    record(session, caller, "create", ("chair_candidacy", row.id), after=created)
    return created


def _locked(session: Session, candidacy_id: int) -> ChairCandidacy:
    row = session.scalar(
        select(ChairCandidacy).where(ChairCandidacy.id == candidacy_id).with_for_update()
    )
    if row is None:
        raise NotFound(f"No candidacy {candidacy_id}.")
    return row


def _change(
    session: Session, caller: Caller, row: ChairCandidacy, action: str, before: CandidacyRead
) -> CandidacyRead:
    session.flush()
    after = read(session, row)
    record(session, caller, action, ("chair_candidacy", row.id), before=before, after=after)
    return after


def confirm(
    *, session: Session, caller: Caller, candidacy_id: int, data: CandidacyConfirm
) -> CandidacyRead:
    """A named co-candidate expresses its own interest in a joint candidacy (ToR 3.D.2), in
    Q1 of the year before the term (ToR 3.D.1); with every candidate's, it can be elected."""
    row = _locked(session, candidacy_id)
    if caller.is_secretariat:
        # Every candidate still awaited (the first one, refused as already expressed, if none).
        awaited = [e for e in row.entity_ids if e not in row.confirmed_entity_ids]
        who = [data.entity_id] if data.entity_id else awaited or row.entity_ids[:1]
    elif data.entity_id not in (None, caller.entity_id) or caller.entity_id not in row.entity_ids:
        raise Forbidden("Only a named candidate's own key, or the secretariat, confirms.")
    else:
        who = [str(caller.entity_id)]
    day = data.confirmed_on or clock.today()
    record_rules.check_not_after_today("confirmed_on", day, clock.today())
    before = read(session, row)
    rules.check_withdrawable(before.status)
    rules.check_candidacy_window(row.term_year, day)
    for entity_id in who:
        rules.check_confirmer(row.entity_ids, row.confirmed_entity_ids, entity_id)
    row.confirmed_entity_ids = [*row.confirmed_entity_ids, *who]
    if set(row.confirmed_entity_ids) >= set(row.entity_ids):
        row.status = "candidate"
    return _change(session, caller, row, "confirm", before)


def withdraw(
    *, session: Session, caller: Caller, candidacy_id: int, data: CandidacyWithdraw
) -> CandidacyRead:
    """A candidate (either of two) or the secretariat ends an open candidacy."""
    row = _locked(session, candidacy_id)
    if not (caller.is_secretariat or caller.entity_id in row.entity_ids):
        raise Forbidden("Only a candidate's own key, or the secretariat, withdraws it.")
    day = data.withdrawn_on or clock.today()
    record_rules.check_not_after_today("withdrawn_on", day, clock.today())
    before = read(session, row)
    rules.check_withdrawable(before.status)
    if day < row.submitted_on:
        raise InvalidInput(
            "withdrawn_on is before the candidacy was submitted.",
            errors=[{"loc": ["body", "withdrawn_on"], "msg": "before submitted_on"}],
        )
    row.status, row.closed_on = "withdrawn", day
    return _change(session, caller, row, "withdraw", before)


CANDIDACIES = Keyset("chair-candidacies", (ChairCandidacy.id,), (INT32,))


def list_candidacies(
    *, session: Session, page: PageParams, term_year: int | None
) -> Page[CandidacyRead]:
    query = select(ChairCandidacy)
    if term_year is not None:
        query = query.where(ChairCandidacy.term_year == term_year)
    rows = list(session.scalars(CANDIDACIES.query(query, page)))
    items, cursor = page_of(CANDIDACIES, page, rows, lambda page_rows: _reads(session, page_rows))
    return Page[CandidacyRead](items=items, next_cursor=cursor)


def get(*, session: Session, candidacy_id: int) -> CandidacyRead:
    row = session.get(ChairCandidacy, candidacy_id)
    if row is None:
        raise NotFound(f"No candidacy {candidacy_id}.")
    return read(session, row)
