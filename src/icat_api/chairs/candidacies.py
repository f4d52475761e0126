"""Expressions of interest in chairing (ToR 3.D.1, 3.D.2) and their election."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api.audit.service import record
from icat_api.auth import Caller
from icat_api.chairs import rules
from icat_api.chairs.models import ChairCandidacy, ChairTerm
from icat_api.chairs.schemas import CandidacyCreate, CandidacyRead, SeatRoles
from icat_api.entities.models import Entity
from icat_api.entities.service import status_on
from icat_api.pagination import PageParams, encode_cursor
from icat_api.problems import Forbidden, InvalidInput, NotFound, RuleViolation
from icat_api.schemas import Page


def read(row: ChairCandidacy) -> CandidacyRead:
    roles = (
        [SeatRoles(entity_id=e, tasks=row.roles[e]) for e in row.entity_ids if e in row.roles]
        if row.roles
        else None
    )
    return CandidacyRead(
        id=row.id,
        term_year=row.term_year,
        entity_ids=row.entity_ids,
        submitted_on=row.submitted_on,
        roles=roles,
        note=row.note,
        status=row.status,
        election_decision_id=row.election_decision_id,
        created_at=row.created_at,
    )


def create(*, session: Session, caller: Caller, data: CandidacyCreate) -> CandidacyRead:
    """Record an expression of interest: in Q1 of the year before the term (ToR 3.D.1), by one
    member or two that delineate the Chair's tasks between them (ToR 3.D.2)."""
    if not (caller.is_secretariat or caller.entity_id in data.entity_ids):
        raise Forbidden("Only a candidate's own key, or the secretariat, expresses interest.")
    roles: dict[str, list[str]] | None = (
        {r.entity_id: list(dict.fromkeys(r.tasks)) for r in data.roles} if data.roles else None
    )
    rules.check_seats(data.entity_ids, roles)
    if len(data.entity_ids) == 2 and roles is None:
        raise RuleViolation(
            "ToR 3.D.2", "A joint expression of interest delineates the co-chairs' roles: `roles`"
        )
    rules.check_candidacy_window(data.term_year, data.submitted_on)
    known = set(session.scalars(select(Entity.id).where(Entity.id.in_(data.entity_ids))))
    unknown = [e for e in data.entity_ids if e not in known]
    if unknown:
        raise InvalidInput(
            "Unknown entity: " + ", ".join(unknown),
            errors=[{"loc": ["body", "entity_ids"], "msg": "unknown entity"}],
        )
    for e in data.entity_ids:
        status = status_on(session, e, data.submitted_on)
        if status != "member":
            raise RuleViolation(
                "ToR 3.E.3", f"Only ICAT members may chair; {e} is {status} on {data.submitted_on}"
            )
    row = ChairCandidacy(
        term_year=data.term_year,
        entity_ids=data.entity_ids,
        submitted_on=data.submitted_on,
        roles=roles,
        note=data.note,
    )
    session.add(row)
    session.flush()
    created = read(row)
    record(
        session=session,
        caller=caller,
        action="create",
        resource_type="chair_candidacy",
        resource_id=str(row.id),
        after=created,
    )
    return created


def list_candidacies(
    *, session: Session, page: PageParams, term_year: int | None
) -> Page[CandidacyRead]:
    query = select(ChairCandidacy).order_by(ChairCandidacy.id).limit(page.limit + 1)
    if term_year is not None:
        query = query.where(ChairCandidacy.term_year == term_year)
    after = page.key(int)
    if after is not None:
        query = query.where(ChairCandidacy.id > after[0])
    rows = list(session.scalars(query))
    more = len(rows) > page.limit
    items = [read(r) for r in rows[: page.limit]]
    return Page[CandidacyRead](
        items=items, next_cursor=encode_cursor([items[-1].id]) if more else None
    )


def election_subject(session: Session, candidacy_id: int, decided_on: date) -> ChairCandidacy:
    """The candidacy an election decides, locked; the term's year must be free (ToR 3.D.1)."""
    row = session.scalar(
        select(ChairCandidacy).where(ChairCandidacy.id == candidacy_id).with_for_update()
    )
    if row is None:
        raise InvalidInput(
            "Unknown candidacy.",
            errors=[{"loc": ["body", "candidacy_id"], "msg": "unknown candidacy"}],
        )
    if row.status != "submitted":
        raise RuleViolation("ToR 3.D.1", f"This candidacy is already {row.status}", status=409)
    rules.check_election_window(row.term_year, decided_on)
    if decided_on < row.submitted_on:
        raise RuleViolation(
            "ToR 3.D.1",
            f"The election on {decided_on} would come before the expression of interest of "
            f"{row.submitted_on}",
        )
    taken = session.scalar(
        select(ChairTerm.id).where(
            ChairTerm.start_year <= row.term_year, ChairTerm.end_year >= row.term_year
        )
    )
    if taken is not None:
        raise RuleViolation("ToR 3.D.1", f"{row.term_year} already has a Chair", status=409)
    return row


def get(*, session: Session, candidacy_id: int) -> CandidacyRead:
    row = session.get(ChairCandidacy, candidacy_id)
    if row is None:
        raise NotFound(f"No candidacy {candidacy_id}.")
    return read(row)
