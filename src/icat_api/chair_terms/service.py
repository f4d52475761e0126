"""Chair terms: the history of ToR Annex 3 and terms recorded since."""

from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from icat_api.audit.service import record
from icat_api.caller import Caller
from icat_api.chair_terms import rules
from icat_api.chair_terms.models import ChairSeat, ChairTerm
from icat_api.chair_terms.schemas import ChairSeatRead, ChairTermCreate, ChairTermRead
from icat_api.clock import today
from icat_api.db import utcnow
from icat_api.entities.models import Entity, Membership
from icat_api.entities.names import NameRecord, Naming, load_records
from icat_api.pagination import INT32, Keyset, PageParams, page_of
from icat_api.problems import InvalidInput
from icat_api.schemas import Page


def last_day(term: ChairTerm) -> date:
    """The day a term's chairs are named on when no day is asked: its last, or today while it
    sits (the names they chaired under)."""
    return min(date(term.end_year, 12, 31), today())


def _read(
    term: ChairTerm, records: dict[str, NameRecord], naming: Naming, day: date | None = None
) -> ChairTermRead:
    on = naming.on(day or last_day(term))
    names = {s.entity_id: on.show(s.entity_id, records[s.entity_id]) for s in term.seats}
    return ChairTermRead(
        id=term.id,
        start_year=term.start_year,
        end_year=term.end_year,
        entity_ids=[s.entity_id for s in term.seats],
        chairs=[
            ChairSeatRead(
                entity_id=s.entity_id,
                name=names[s.entity_id][0],
                acronym=names[s.entity_id][1],
                tasks=s.tasks,
            )
            for s in term.seats
        ],
        election_decision_id=term.election_decision_id,
        note=term.note,
        created_at=term.created_at,
        updated_at=term.updated_at,
    )


def _names(session: Session, terms: list[ChairTerm]) -> dict[str, NameRecord]:
    return load_records(session, {s.entity_id for t in terms for s in t.seats})


def read_term(session: Session, term: ChairTerm) -> ChairTermRead:
    """One term as the API shows it (in English)."""
    return _read(term, _names(session, [term]), Naming(today()))


def terms_in_year(
    *, session: Session, year: int, naming: Naming | None = None, day: date | None = None
) -> list[ChairTermRead]:
    """The term sitting in ``year`` (a list: empty when none was recorded), its chairs named on
    ``day`` (the term's last by default) in ``naming``'s language (English by default)."""
    terms = list(
        session.scalars(
            select(ChairTerm)
            .options(selectinload(ChairTerm.seats))
            .where(ChairTerm.start_year <= year, ChairTerm.end_year >= year)
            .order_by(ChairTerm.start_year)
        )
    )
    names = _names(session, terms)
    return [_read(t, names, naming or Naming(today()), day) for t in terms]


def sitting_chair_ids(session: Session, day: date) -> list[str]:
    """The entities chairing on ``day``: the seats of the term covering its year."""
    return list(
        session.scalars(
            select(ChairSeat.entity_id)
            .join(ChairTerm, ChairTerm.id == ChairSeat.term_id)
            .where(ChairTerm.start_year <= day.year, ChairTerm.end_year >= day.year)
            .order_by(ChairSeat.position)
        )
    )


TERMS = Keyset("chairs", (ChairTerm.start_year,), (INT32,))


def list_terms(
    *, session: Session, page: PageParams, day: date | None, naming: Naming | None = None
) -> Page[ChairTermRead]:
    """Every term oldest first, its chairs named as at its end (or today while it sits); or the
    one sitting on ``day``, named as that day. In ``naming``'s language (English by default)."""
    naming = naming or Naming(today())
    query = select(ChairTerm).options(selectinload(ChairTerm.seats))
    if day is not None:
        query = query.where(ChairTerm.start_year <= day.year, ChairTerm.end_year >= day.year)
    terms = list(session.scalars(TERMS.query(query, page)))

    def read(page_terms: Sequence[ChairTerm]) -> list[ChairTermRead]:
        names = _names(session, list(page_terms))
        return [_read(t, names, naming, day) for t in page_terms]

    items, cursor = page_of(TERMS, page, terms, read)
    return Page[ChairTermRead](items=items, next_cursor=cursor)


def insert_term(
    session: Session,
    start_year: int,
    end_year: int,
    entity_ids: list[str],
    roles: dict[str, list[str]] | None,
    *,
    note: str | None,
    election_decision_id: int | None,
) -> ChairTerm:
    """Write a term and its seats (the rules were checked by the caller)."""
    now = utcnow()
    term = ChairTerm(
        start_year=start_year,
        end_year=end_year,
        note=note,
        election_decision_id=election_decision_id,
        created_at=now,
        updated_at=now,
        seats=[
            ChairSeat(entity_id=e, position=i, tasks=roles.get(e) if roles else None)
            for i, e in enumerate(entity_ids)
        ],
    )
    session.add(term)
    session.flush()
    return term


def create_term(*, session: Session, caller: Caller, data: ChairTermCreate) -> ChairTermRead:
    """Record a term: one or two chairs (ToR 3.D.2), members on its first day (ToR 3.E.3), in
    years no other term covers (ToR 3.D.1)."""
    assert data.end_year is not None
    rules.check_term_is_history(data.start_year, today().year)
    roles: dict[str, list[str]] | None = (
        {r.entity_id: list(dict.fromkeys(r.tasks)) for r in data.roles} if data.roles else None
    )
    rules.check_seats(data.entity_ids, roles)
    known = set(session.scalars(select(Entity.id).where(Entity.id.in_(data.entity_ids))))
    unknown = [e for e in data.entity_ids if e not in known]
    if unknown:
        raise InvalidInput(
            "Unknown entity: " + ", ".join(unknown),
            errors=[
                {"loc": ["body", "entity_ids"], "msg": f"unknown entity {e!r}"} for e in unknown
            ],
        )
    first_day = date(data.start_year, 1, 1)
    members = set(
        session.scalars(
            select(Membership.entity_id).where(
                Membership.entity_id.in_(data.entity_ids),
                Membership.role == "member",
                Membership.starts_on <= first_day,
                or_(Membership.ends_on.is_(None), Membership.ends_on > first_day),
            )
        )
    )
    rules.check_chairs_are_members(
        [e for e in data.entity_ids if e not in members], data.start_year
    )
    existing = session.execute(
        select(ChairTerm.start_year, ChairTerm.end_year).with_for_update()
    ).all()
    rules.check_years_free((data.start_year, data.end_year), [(s, e) for s, e in existing])
    term = insert_term(
        session,
        data.start_year,
        data.end_year,
        data.entity_ids,
        roles,
        note=data.note,
        election_decision_id=None,
    )
    created = read_term(session, term)
    record(session, caller, "create", ("chair_term", term.id), after=created)
    return created
