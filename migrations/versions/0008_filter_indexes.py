"""indexes for every list filter, in the order pages are read

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ("ix_audit_events_type", "audit_events", ["resource_type", "id"]),
    ("ix_audit_events_actor", "audit_events", ["actor_entity_id", "id"]),
    ("ix_audit_events_action", "audit_events", ["action", "id"]),
    ("ix_decisions_kind", "decisions", ["kind", "decided_on", "id"]),
    ("ix_decisions_outcome", "decisions", ["outcome", "decided_on", "id"]),
    ("ix_applications_status", "applications", ["status", "id"]),
    ("ix_publications_kind", "publications", ["kind", "id"]),
    ("ix_entities_kind", "entities", ["kind", "id"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
