"""focal points and their tombstones

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "focal_point_tombstones",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_focal_point_tombstones")),
    )
    with op.batch_alter_table("focal_point_tombstones", schema=None) as batch_op:
        batch_op.create_index(
            "ix_focal_point_tombstones_changed", ["deleted_at", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_focal_point_tombstones_entity_id"), ["entity_id"], unique=False
        )

    op.create_table(
        "focal_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_focal_points_entity_id_entities"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_focal_points")),
        sa.UniqueConstraint("entity_id", "external_id", name=op.f("uq_focal_points_entity_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("focal_points", schema=None) as batch_op:
        batch_op.create_index("ix_focal_points_changed", ["updated_at", "id"], unique=False)
        batch_op.create_index(
            "uq_focal_points_primary",
            ["entity_id"],
            unique=True,
            sqlite_where=sa.text("is_primary"),
            postgresql_where=sa.text("is_primary"),
        )


def downgrade() -> None:
    with op.batch_alter_table("focal_points", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_focal_points_primary",
            sqlite_where=sa.text("is_primary"),
            postgresql_where=sa.text("is_primary"),
        )
        batch_op.drop_index("ix_focal_points_changed")

    op.drop_table("focal_points")
    with op.batch_alter_table("focal_point_tombstones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_focal_point_tombstones_entity_id"))
        batch_op.drop_index("ix_focal_point_tombstones_changed")

    op.drop_table("focal_point_tombstones")
