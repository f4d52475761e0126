"""The scale generator's audit trail: events about the rows it made, oldest first, streamed in
chunks (the table is append-only: its triggers refuse UPDATE and DELETE, inserts are fine)."""

from collections.abc import Iterator
from datetime import UTC, datetime, time
from typing import Any

from bench.scale_rows import TODAY, Row, World

# (resource_type, actions, weight): mostly focal-point syncs, as in production.
KINDS = (
    ("focal_point", ("create", "update", "update", "delete"), 60),
    ("entity", ("update",), 8),
    ("membership", ("create", "end"), 6),
    ("meeting", ("create", "update"), 6),
    ("attendance", ("update",), 6),
    ("decision", ("create",), 8),
    ("application", ("create", "withdraw"), 3),
    ("publication", ("create", "publish"), 3),
)
START = datetime(2019, 1, 1, tzinfo=UTC)  # the registry's first writes
END = datetime.combine(TODAY, time(), tzinfo=UTC)  # today's midnight: the same all day


def _pools(world: World) -> dict[str, list[tuple[str, str | None, dict[str, Any]]]]:
    """Per resource type: (resource_id, the entity acting, a short state) of rows made."""
    rows = world.rows
    return {
        "focal_point": [
            (str(r["id"]), r["entity_id"], {"external_id": r["external_id"], "name": r["name"]})
            for r in rows["focal_points"]
        ],
        "entity": [(r["id"], None, {"id": r["id"], "name": r["name"]}) for r in rows["entities"]],
        "membership": [
            (f"{r['entity_id']}:{r['role']}:{r['starts_on']}", None, {"role": r["role"]})
            for r in rows["memberships"]
        ],
        "meeting": [(str(r["id"]), None, {"title": r["title"]}) for r in rows["meetings"]],
        "attendance": [(str(r["id"]), None, {"items": []}) for r in rows["meetings"]],
        "decision": [(str(r["id"]), None, {"kind": r["kind"]}) for r in rows["decisions"]],
        "application": [
            (str(r["id"]), r["entity_id"], {"role": r["role"]}) for r in rows["applications"]
        ],
        "publication": [(str(r["id"]), None, {"kind": r["kind"]}) for r in rows["publications"]],
    }


def audit_events(world: World, n: int) -> Iterator[Row]:
    """``n`` events from 2019 to today, ``occurred_at`` growing with the id."""
    rng = world.rng
    pools = _pools(world)
    kinds = [k for k in KINDS if pools[k[0]]]
    if not kinds:
        return
    weights = [k[2] for k in kinds]
    step = (END - START) / max(n, 1)
    picks = rng.choices(range(len(kinds)), weights, k=n)
    for i, pick in enumerate(picks):
        resource_type, actions, _ = kinds[pick]
        resource_id, actor, state = rng.choice(pools[resource_type])
        action = rng.choice(actions)
        yield {
            "occurred_at": START + step * i,
            "key_id": None,  # the keys that wrote them are not part of the data set
            "actor_entity_id": actor,
            "action": action,
            "resource_type": resource_type,
            "resource_id": resource_id,
            "before": None if action == "create" else state,
            "after": None if action == "delete" else state,
            "request_id": f"{rng.getrandbits(64):016x}",
        }


def with_changes(events: Iterator[Row], changes: list[Row]) -> Iterator[Row]:
    """``events`` unchanged, each one's change-feed row (if the feed carries it) appended to
    ``changes``, as ``audit.record`` notes them (the feed's seq follows the events' order)."""
    from icat_api.changes.service import PERSONAL, feed_item

    for event in events:
        state = {"entity_id": event["actor_entity_id"], **(event["after"] or event["before"] or {})}
        item = feed_item(event["action"], event["resource_type"], event["resource_id"], None, state)
        if item is not None:
            changes.append(
                {
                    "occurred_at": event["occurred_at"],
                    "type": item.type,
                    "resource_id": item.resource_id,
                    "action": item.action,
                    "url": item.url,
                    "personal": item.type in PERSONAL,
                }
            )
        yield event
