"""Write the change feed with every audited write, and read it in commit order.

``audit.record`` and ``audit.record_many`` call :func:`note` for every event; the feed's rows are
inserted when the transaction commits (``before_commit``), in that same transaction.

Commit order. A reader resumes with ``after=<the last seq it saw>``, so a seq must never become
visible after a higher one: it would be skipped for ever. On SQLite one writer at a time holds
the file's write lock from its first write to its commit, so the ids it takes follow commit
order. On PostgreSQL ids come from a sequence, handed out without waiting: two writers could
take 10 and 11 and commit 11 first. So before inserting its rows a transaction locks the one
``data_version`` row (SELECT ... FOR UPDATE), which every writing transaction updates as it
commits and holds until its commit ends: from its first change row to its commit, a writer is
alone, and the next one takes its seqs only after the previous commit is visible. Inserting at
commit time, not at the write, keeps the lock the last one a transaction takes (no lock order
to deadlock on) and held for an instant.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, get_args

from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session, SessionTransaction

from icat_api.changes.models import Change
from icat_api.changes.schemas import ChangeRead, ChangeType
from icat_api.data_version import DataVersion
from icat_api.db import utcnow
from icat_api.pagination import INT64, Keyset, PageParams, page_of
from icat_api.problems import InvalidInput
from icat_api.schemas import Page

_PENDING = "icat_changes"

# Audit resource types that are not the feed's names.
_TYPES = {"chair_candidacy": "candidacy"}
# The feed's types in the order ChangeType lists them (counts are reported in this order).
TYPE_ORDER: tuple[str, ...] = get_args(ChangeType)
FEED_TYPES = frozenset(TYPE_ORDER)
# Changes to personal data: shown only to keys that read it (DESIGN section 5).
PERSONAL = frozenset({"focal_point"})
# Audit actions (create, update, delete, end, withdraw, publish, elect, decide, ...) as the feed's.
_ACTIONS = {"create": "created", "delete": "deleted"}


@dataclass(frozen=True)
class Pending:
    type: str
    resource_id: str
    action: str
    url: str
    personal: bool


@dataclass(frozen=True)
class Written:
    """A change as written: its seq, its time, and what it is."""

    seq: int
    occurred_at: datetime
    change: Pending

    def read(self) -> ChangeRead:
        """The feed item, as GET /v1/changes lists it."""
        c = self.change
        return ChangeRead.model_validate(
            {
                "seq": self.seq,
                "occurred_at": self.occurred_at,
                "type": c.type,
                "resource_id": c.resource_id,
                "action": c.action,
                "url": c.url,
            }
        )


Listener = Callable[[Session, list[Written]], None]
_LISTENERS: list[Listener] = []


def on_written(listener: Listener) -> Listener:
    """Call ``listener`` with each transaction's changes as they are written, in that
    transaction (the webhooks' outbox is written so: with the change, or not at all)."""
    _LISTENERS.append(listener)
    return listener


def _field(before: Any, after: Any, name: str) -> Any:
    for state in (after, before):
        if isinstance(state, dict) and state.get(name) is not None:
            return state[name]
        value = getattr(state, name, None)
        if value is not None:
            return value
    return None


def _url(kind: str, resource_id: str, before: Any, after: Any) -> str:
    """The resource's GET path; its list's, for resources read only in a list."""
    match kind:
        case "entity":
            return f"/v1/entities/{resource_id}"
        case "membership":
            entity_id = _field(before, after, "entity_id")
            return f"/v1/entities/{entity_id}/memberships/{resource_id}"
        case "focal_point":
            entity_id = _field(before, after, "entity_id")
            return f"/v1/entities/{entity_id}/focal-points/{resource_id}"
        case "enrolment":
            return "/v1/working-group"
        case "meeting":
            return f"/v1/meetings/{resource_id}"
        case "attendance":
            return f"/v1/meetings/{resource_id}/attendance"
        case "decision":
            return f"/v1/decisions/{resource_id}"
        case "application":
            return f"/v1/applications/{resource_id}"
        case "chair_term":
            start_year = _field(before, after, "start_year")
            return f"/v1/chairs?on={start_year}-01-01" if start_year else "/v1/chairs"
        case "candidacy":
            return f"/v1/chair-candidacies/{resource_id}"
        case "work_plan":
            return f"/v1/work-plans/{resource_id}"
        case "activity":
            return f"/v1/work-plans/{_field(before, after, 'work_plan_id')}"
        case "publication":
            return f"/v1/publications/{resource_id}"
        case _:  # funding, milestone_report: read in the funding list
            return "/v1/funding"


def feed_item(
    action: str, resource_type: str, resource_id: str, before: Any, after: Any
) -> Pending | None:
    """The feed's view of one audit event, or None for events it does not carry: the seed's
    (``action == "seed"``: the data a registry starts with, read from the lists) and resource
    types that are not the feed's."""
    kind = _TYPES.get(resource_type, resource_type)
    if action == "seed" or kind not in FEED_TYPES:
        return None
    url = _url(kind, resource_id, before, after)
    # An unpublished product is not public (DESIGN section 5): its changes are shown only to
    # keys that read what ICAT shares among its members, like personal data.
    unpublished = kind == "publication" and _field(None, after, "status") != "published"
    return Pending(
        kind, resource_id, _ACTIONS.get(action, "updated"), url, kind in PERSONAL or unpublished
    )


def note(
    session: Session, action: str, resource_type: str, resource_id: str, before: Any, after: Any
) -> None:
    """Remember the change for this transaction's commit, and the change it makes to the
    resource it belongs to (see :func:`parent_item`)."""
    item = feed_item(action, resource_type, resource_id, before, after)
    if item is None:
        return
    pending: list[Pending] = session.info.setdefault(_PENDING, [])
    for p in (item, parent_item(item, before, after)):
        if p is not None and p not in pending:
            pending.append(p)


def parent_item(item: Pending, before: Any, after: Any) -> Pending | None:
    """A change to a part is a change to the resource that shows it: a focal point, a membership
    or an enrolment changes its entity (its ``updated_at`` and ETag; its status; its Working
    Group flag), attendance changes its meeting. Listed as the parent's ``updated``, public
    even when the part is not: a public mirror learns to read the entity again, not why."""
    match item.type:
        case "focal_point" | "membership" | "enrolment":
            entity_id = _field(before, after, "entity_id")
            if entity_id is None:
                return None
            return Pending("entity", str(entity_id), "updated", f"/v1/entities/{entity_id}", False)
        case "attendance":
            return Pending(
                "meeting", item.resource_id, "updated", f"/v1/meetings/{item.resource_id}", False
            )
        case _:
            return None


@event.listens_for(Session, "before_commit")
def _write(session: Session) -> None:
    if session.in_nested_transaction():
        return
    pending: list[Pending] = session.info.pop(_PENDING, [])
    if not pending:
        return
    # Serialize writers from here to their commit (PostgreSQL; SQLite renders no FOR UPDATE
    # and is serialized already): see the module's docstring.
    session.execute(select(DataVersion.id).where(DataVersion.id == 1).with_for_update())
    now = utcnow()
    rows = [
        {
            "occurred_at": now,
            "type": p.type,
            "resource_id": p.resource_id,
            "action": p.action,
            "url": p.url,
            "personal": p.personal,
        }
        for p in pending
    ]
    if not _LISTENERS:
        session.execute(insert(Change), rows)
        return
    seqs = session.scalars(
        insert(Change).returning(Change.seq, sort_by_parameter_order=True), rows
    ).all()
    written = [Written(seq, now, p) for seq, p in zip(seqs, pending, strict=True)]
    for listener in _LISTENERS:
        listener(session, written)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


CHANGES = Keyset("changes", (Change.seq,), (INT64,))


def last_seq(session: Session) -> int:
    return session.scalar(select(func.max(Change.seq))) or 0


def list_changes(
    *, session: Session, page: PageParams, after: int | None, personal: bool
) -> Page[ChangeRead]:
    """Changes after ``after`` (or the cursor's), in seq order; personal ones if ``personal``."""
    query = select(Change)
    if after is not None:
        if after > last_seq(session):
            raise InvalidInput(
                "after is beyond the last change",
                errors=[{"loc": ["query", "after"], "msg": "beyond the last change"}],
            )
        query = query.where(Change.seq > after)
    if not personal:
        query = query.where(Change.personal.is_(False))
    rows = list(session.scalars(CHANGES.query(query, page)))
    items, cursor = page_of(
        CHANGES, page, rows, lambda page_rows: [ChangeRead.model_validate(r) for r in page_rows]
    )
    return Page[ChangeRead](items=items, next_cursor=cursor)


def count_by_type(*, session: Session, year: int, personal: bool) -> dict[str, int]:
    """The changes committed in calendar ``year`` per type, in ChangeType's order, 0 included.

    The year is cut at midnight UTC, as ``occurred_at`` is recorded and as the records cut
    their audit events. Without ``personal``, only what the public feed shows is counted: no
    personal or unpublished changes, and no key for a type the public never sees (a focal
    point), so a 0 always means none, never hidden."""
    query = (
        select(Change.type, func.count())
        .where(
            Change.occurred_at >= datetime(year, 1, 1, tzinfo=UTC),
            Change.occurred_at < datetime(year + 1, 1, 1, tzinfo=UTC),
        )
        .group_by(Change.type)
    )
    if not personal:
        query = query.where(Change.personal.is_(False))
    counted: dict[str, int] = dict(session.execute(query).all())
    return {kind: counted.get(kind, 0) for kind in TYPE_ORDER if personal or kind not in PERSONAL}
