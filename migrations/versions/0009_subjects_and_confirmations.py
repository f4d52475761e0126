"""decisions' effects audited with their decision; admissions that turn down; candidacies that
await a co-candidate's confirmation and may be withdrawn

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = "status IN ('submitted', 'elected', 'not_elected')"
NEW_STATUSES = "status IN ('awaiting_confirmation', 'candidate', 'elected', 'withdrawn')"


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_events_decision_id"), ["decision_id"])
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accept", sa.Boolean(), nullable=True))
    # Adopted admissions recorded before admitted; a not_adopted one closed nothing (ToR 3.A.3).
    op.execute("UPDATE decisions SET accept = true WHERE kind = 'admission'")
    op.execute(
        "UPDATE applications SET status = 'submitted', closed_on = NULL, decision_id = NULL "
        "WHERE status = 'not_accepted' AND decision_id IN "
        "(SELECT id FROM decisions WHERE outcome = 'not_adopted')"
    )
    with op.batch_alter_table("chair_candidacies", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_chair_candidacies_status"), type_="check")
        batch_op.alter_column(
            "status", existing_type=sa.String(length=12), type_=sa.String(length=24)
        )
        batch_op.add_column(sa.Column("confirmed_entity_ids", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
    # Filed before confirmations existed: every candidate is taken to have expressed interest.
    # A candidacy that failed to reach consensus stays open (its status is derived from then).
    op.execute("UPDATE chair_candidacies SET confirmed_entity_ids = entity_ids")
    op.execute(
        "UPDATE chair_candidacies SET status = 'candidate', election_decision_id = NULL "
        "WHERE status IN ('submitted', 'not_elected')"
    )
    with op.batch_alter_table("chair_candidacies", schema=None) as batch_op:
        batch_op.alter_column("confirmed_entity_ids", existing_type=sa.JSON(), nullable=False)
        batch_op.create_check_constraint(batch_op.f("ck_chair_candidacies_status"), NEW_STATUSES)


def downgrade() -> None:
    with op.batch_alter_table("chair_candidacies", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_chair_candidacies_status"), type_="check")
    op.execute(
        "UPDATE chair_candidacies SET status = CASE status WHEN 'elected' THEN 'elected' "
        "ELSE 'submitted' END"
    )
    with op.batch_alter_table("chair_candidacies", schema=None) as batch_op:
        batch_op.drop_column("closed_on")
        batch_op.drop_column("confirmed_entity_ids")
        batch_op.alter_column(
            "status", existing_type=sa.String(length=24), type_=sa.String(length=12)
        )
        batch_op.create_check_constraint(batch_op.f("ck_chair_candidacies_status"), OLD_STATUSES)
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("accept")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_decision_id"))
        batch_op.drop_column("decision_id")
