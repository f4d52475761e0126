"""Entity and membership use cases. Services flush; the request's session commits."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from icat_api import csv_output
from icat_api import rules as record_rules
from icat_api.audit.service import record
from icat_api.caller import Caller
from icat_api.clock import today
from icat_api.db import utcnow
from icat_api.entities import reads, rules
from icat_api.entities.models import Entity, Membership
from icat_api.entities.name_schemas import merged
from icat_api.entities.names import NAME_FIELDS, Naming, named, stored_former_names
from icat_api.entities.schemas import (
    EntityCreate,
    EntityRead,
    EntityUpdate,
    MembershipCreate,
    MembershipEnd,
    MembershipRead,
)
from icat_api.languages import UN_LANGUAGES
from icat_api.pagination import DAY, INT32, Keyset, PageParams, page_of
from icat_api.problems import Conflict, InvalidInput, NotFound
from icat_api.schemas import Page


def entity_exists(session: Session, entity_id: str) -> bool:
    """Whether the registry knows ``entity_id``."""
    return session.connection().scalar(reads.ID, {"entity_id": entity_id}) is not None


def status_on(session: Session, entity_id: str, day: date) -> str | None:
    """The entity's derived status on ``day``; None when there is no such entity."""
    return session.connection().scalar(reads.STATUS, {"on": day, "entity_id": entity_id})


def _row(session: Session, entity_id: str, day: date) -> Any:
    row = session.connection().execute(reads.ONE, {"on": day, "entity_id": entity_id}).first()
    if row is None:
        raise NotFound(f"No entity with id {entity_id!r}.")
    return row


def get_entity(
    *, session: Session, entity_id: str, day: date | None = None, naming: Naming | None = None
) -> EntityRead:
    """One entity with its status and name on the day (``naming``'s, else ``day``, else today)
    in ``naming``'s language (English by default), or 404."""
    naming = naming or Naming(day or today())
    return reads.read(_row(session, entity_id, naming.day), naming)


def every_language(session: Session, entity_id: str) -> list[EntityRead]:
    """The entity as today's answer shows it in each UN language (what an ``If-Match`` may name)."""
    day = today()
    row = _row(session, entity_id, day)
    return [reads.read(row, Naming(day, tag)) for tag in UN_LANGUAGES]


MEMBERSHIPS = Keyset("memberships", (Membership.starts_on, Membership.id), (DAY, INT32))


def list_entities(
    *,
    session: Session,
    page: PageParams | None,
    naming: Naming,
    status: str | None,
    kind: str | None,
    working_group: bool | None,
    q: str | None,
    updated_since: datetime | None,
) -> Page[EntityRead]:
    """Entities by id, filtered (every one with no ``page``), named as ``naming`` says; a
    constant number of statements whatever the row count."""
    statement, values = reads.listing(
        page=page,
        day=naming.day,
        status=status,
        kind=kind,
        working_group=working_group,
        q=q,
        updated_since=updated_since,
    )
    rows = session.connection().execute(statement, values).all()
    items, cursor = page_of(
        reads.ENTITIES, page, rows, lambda page_rows: reads.read_all(page_rows, naming)
    )
    return Page[EntityRead](items=items, next_cursor=cursor)


# Every field of the JSON item, in its order: an entity is flat.
CSV_COLUMNS = tuple(EntityRead.model_fields)


def to_csv(items: list[EntityRead]) -> bytes:
    """One row per entity, the columns of the JSON items (names, acronyms and former names as
    JSON in their cell)."""
    dumped = (e.model_dump() for e in items)
    return csv_output.to_csv(CSV_COLUMNS, ([d[c] for c in CSV_COLUMNS] for d in dumped))


def require_entity(session: Session, entity_id: str, field: str) -> None:
    """A body's reference to an entity: 422 naming the field when there is no such entity."""
    if not entity_exists(session, entity_id):
        raise InvalidInput(
            f"No entity with id {entity_id!r}.",
            errors=[{"loc": ["body", field], "msg": "unknown entity"}],
        )


def lock_entity(session: Session, entity_id: str) -> Entity:
    """The entity, locked for this transaction: writes to one entity run one at a time."""
    entity = session.scalar(select(Entity).where(Entity.id == entity_id).with_for_update())
    if entity is None:
        raise NotFound(f"No entity with id {entity_id!r}.")
    return entity


def create_entity(*, session: Session, caller: Caller, data: EntityCreate) -> EntityRead:
    """Record a new organization (a stakeholder until it holds a role)."""
    if session.get(Entity, data.id) is not None:
        raise Conflict(f"An entity with id {data.id!r} exists; ids are never reused.")
    if session.scalar(select(Entity.id).where(Entity.name == data.name)) is not None:
        raise Conflict(f"An entity named {data.name!r} exists.")
    assert data.names is not None and data.acronyms is not None  # filled by EntityCreate
    former = rules.check_former_names(
        [rules.FormerName(f.name, f.acronym, f.until) for f in data.former_names],
        name=data.names.en,
        acronym=data.acronyms.en,
        today=today(),
    )
    now = utcnow()
    session.add(
        Entity(
            **data.model_dump(mode="json", exclude={"names", "acronyms", "former_names"}),
            names=merged({}, data.names),
            acronyms=merged({}, data.acronyms),
            former_names=stored_former_names(former),
            created_at=now,
            updated_at=now,
        )
    )
    session.flush()
    created = get_entity(session=session, entity_id=data.id)
    record(session, caller, "create", ("entity", data.id), after=created)
    return created


def _holds_role_from(session: Session, entity_id: str, day: date) -> bool:
    return (
        session.scalar(
            select(func.count(Membership.id)).where(
                Membership.entity_id == entity_id,
                or_(Membership.ends_on.is_(None), Membership.ends_on > day),
            )
        )
        != 0
    )


def update_entity(
    *,
    session: Session,
    caller: Caller,
    entity_id: str,
    data: EntityUpdate,
    check: Callable[[list[EntityRead]], None] | None = None,
    naming: Naming | None = None,
) -> EntityRead:
    """Apply a partial change. ``check(current)`` runs first (the caller's If-Match, against
    the entity in every language); the answer is named as ``naming`` says."""
    entity = lock_entity(session, entity_id)
    before = get_entity(session=session, entity_id=entity_id)
    if check is not None:
        check(every_language(session, entity_id))
    sent = data.model_dump(mode="json", exclude_unset=True, exclude=set(NAME_FIELDS))
    changes = {
        k: v for k, v in {**sent, **named(entity, data, today())}.items() if getattr(entity, k) != v
    }
    if not changes:
        return get_entity(session=session, entity_id=entity_id, naming=naming)
    if "name" in changes and session.scalar(
        select(Entity.id).where(Entity.name == changes["name"], Entity.id != entity_id)
    ):
        raise Conflict(f"An entity named {changes['name']!r} exists.")
    kind = changes.get("kind", entity.kind)
    mandate = changes.get("mandate_covers_tip", entity.mandate_covers_tip)
    if changes.get("un_system", entity.un_system) and kind == "non_governmental":
        raise InvalidInput(
            "A non-governmental organization cannot be part of the UN system.",
            errors=[{"loc": ["body", "un_system"], "msg": "not for a non-governmental body"}],
        )
    if (kind, mandate) != (entity.kind, entity.mandate_covers_tip) and _holds_role_from(
        session, entity_id, today()
    ):
        # The eligibility of ToR 3.A.4/3.A.5 must keep holding while the entity holds a role.
        rules.check_may_hold_role(kind=kind, mandate_covers_tip=mandate)
    for name, value in changes.items():
        setattr(entity, name, value)
    entity.updated_at = utcnow()
    session.flush()
    after = get_entity(session=session, entity_id=entity_id)
    record(session, caller, "update", ("entity", entity_id), before=before, after=after)
    return (
        after if naming is None else get_entity(session=session, entity_id=entity_id, naming=naming)
    )


def touch_entity(session: Session, entity: Entity) -> None:
    """A change to a child (a membership) moves the entity's ``updated_at``, version and ETag."""
    entity.updated_at = utcnow()
    session.flush()


def _spans(session: Session, entity_id: str, *, exclude: int | None = None) -> list[rules.Span]:
    query = select(Membership).where(Membership.entity_id == entity_id)
    if exclude is not None:
        query = query.where(Membership.id != exclude)
    return [rules.Span(m.role, m.starts_on, m.ends_on) for m in session.scalars(query)]


def list_memberships(*, session: Session, entity_id: str, page: PageParams) -> Page[MembershipRead]:
    """The entity's role history, oldest first."""
    if not entity_exists(session, entity_id):
        raise NotFound(f"No entity with id {entity_id!r}.")
    query = select(Membership).where(Membership.entity_id == entity_id)
    rows = list(session.scalars(MEMBERSHIPS.query(query, page)))
    items, cursor = page_of(
        MEMBERSHIPS,
        page,
        rows,
        lambda page_rows: [MembershipRead.model_validate(m) for m in page_rows],
    )
    return Page[MembershipRead](items=items, next_cursor=cursor)


def get_membership(*, session: Session, entity_id: str, membership_id: int) -> MembershipRead:
    row = session.get(Membership, membership_id)
    if row is None or row.entity_id != entity_id:
        raise NotFound(f"No membership {membership_id} of entity {entity_id!r}.")
    return MembershipRead.model_validate(row)


def add_membership(
    *,
    session: Session,
    caller: Caller,
    entity_id: str,
    data: MembershipCreate,
    admission_decision_id: int | None = None,
) -> MembershipRead:
    """Record a span of a role, if the entity may hold it (ToR 3.A.4, 3.A.5) and holds no
    other role then (ToR 3.E/3.F)."""
    record_rules.check_not_after_today("starts_on", data.starts_on, today())
    entity = lock_entity(session, entity_id)
    rules.check_may_hold_role(kind=entity.kind, mandate_covers_tip=entity.mandate_covers_tip)
    new = rules.Span(data.role.value, data.starts_on, data.ends_on)
    rules.check_one_role_at_a_time(_spans(session, entity_id), new)
    now = utcnow()
    row = Membership(
        entity_id=entity_id,
        role=new.role,
        starts_on=new.starts_on,
        ends_on=new.ends_on,
        note=data.note,
        admission_decision_id=admission_decision_id,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    touch_entity(session, entity)
    created = MembershipRead.model_validate(row)
    record(
        session,
        caller,
        "create",
        ("membership", row.id),
        after=created,
        decision_id=admission_decision_id,
    )
    return created


def end_membership(
    *,
    session: Session,
    caller: Caller,
    entity_id: str,
    membership_id: int,
    data: MembershipEnd,
    decision_id: int | None = None,
) -> MembershipRead:
    """End an open membership: ``ends_on`` is the first day the role is no longer held."""
    entity = lock_entity(session, entity_id)
    row = session.get(Membership, membership_id)
    if row is None or row.entity_id != entity_id:
        raise NotFound(f"No membership {membership_id} of entity {entity_id!r}.")
    before = MembershipRead.model_validate(row)
    if row.ends_on is not None:
        raise Conflict(
            f"This membership already ended on {row.ends_on.isoformat()}; history is not rewritten."
        )
    if data.ends_on <= row.starts_on:
        raise InvalidInput(
            f"ends_on must be after the membership's starts_on ({row.starts_on.isoformat()}).",
            errors=[{"loc": ["body", "ends_on"], "msg": "must be after starts_on"}],
        )
    row.ends_on = data.ends_on
    if data.note:
        row.note = f"{row.note}\n{data.note}" if row.note else data.note
    row.updated_at = utcnow()
    session.flush()
    touch_entity(session, entity)
    after = MembershipRead.model_validate(row)
    record(
        session,
        caller,
        "end",
        ("membership", row.id),
        before=before,
        after=after,
        decision_id=decision_id,
    )
    return after
