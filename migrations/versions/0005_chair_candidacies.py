"""chair candidacies and elections

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chair_candidacies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term_year", sa.Integer(), nullable=False),
        sa.Column("entity_ids", sa.JSON(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("election_decision_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('submitted', 'elected', 'not_elected')",
            name=op.f("ck_chair_candidacies_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chair_candidacies")),
    )
    with op.batch_alter_table("chair_candidacies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chair_candidacies_term_year"), ["term_year"], unique=False
        )

    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("candidacy_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "uq_decisions_election_adopted",
            ["candidacy_id"],
            unique=True,
            sqlite_where=sa.text("outcome = 'adopted'"),
            postgresql_where=sa.text("outcome = 'adopted'"),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_decisions_candidacy_id_chair_candidacies"),
            "chair_candidacies",
            ["candidacy_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_decisions_candidacy_id_chair_candidacies"), type_="foreignkey"
        )
        batch_op.drop_index(
            "uq_decisions_election_adopted",
            sqlite_where=sa.text("outcome = 'adopted'"),
            postgresql_where=sa.text("outcome = 'adopted'"),
        )
        batch_op.drop_column("candidacy_id")

    with op.batch_alter_table("chair_candidacies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chair_candidacies_term_year"))

    op.drop_table("chair_candidacies")
