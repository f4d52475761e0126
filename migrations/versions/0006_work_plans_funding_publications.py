"""work plans, funding, publications

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "work_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("co_lead_entity_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("endorsement_decision_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'endorsed')", name=op.f("ck_work_plans_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_plans")),
    )
    with op.batch_alter_table("work_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_plans_start_year"), ["start_year"], unique=False)
        batch_op.create_index(
            "uq_work_plans_endorsed",
            ["start_year"],
            unique=True,
            sqlite_where=sa.text("status = 'endorsed'"),
            postgresql_where=sa.text("status = 'endorsed'"),
        )

    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_plan_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("priority_area", sa.String(length=30), nullable=False),
        sa.Column("lead_entity_id", sa.String(length=64), nullable=False),
        sa.Column("contributor_entity_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("milestones", sa.JSON(), nullable=False),
        sa.Column("progress", sa.String(length=5000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "priority_area IN ('evidence_base', 'core_drivers', 'rights_based_approach', 'accountability', 'discouraging_demand', 'partnerships')",
            name=op.f("ck_activities_priority_area"),
        ),
        sa.CheckConstraint(
            "status IN ('planned', 'ongoing', 'completed', 'cancelled')",
            name=op.f("ck_activities_status"),
        ),
        sa.ForeignKeyConstraint(
            ["lead_entity_id"],
            ["entities.id"],
            name=op.f("fk_activities_lead_entity_id_entities"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["work_plan_id"],
            ["work_plans.id"],
            name=op.f("fk_activities_work_plan_id_work_plans"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activities_work_plan_id"), ["work_plan_id"], unique=False
        )

    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=14), nullable=False),
        sa.Column("lead_entity_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("sign_off_decision_id", sa.Integer(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('issue_brief', 'policy_paper', 'toolkit', 'submission', 'report', 'other')",
            name=op.f("ck_publications_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'signed_off', 'published')", name=op.f("ck_publications_status")
        ),
        sa.ForeignKeyConstraint(
            ["lead_entity_id"],
            ["entities.id"],
            name=op.f("fk_publications_lead_entity_id_entities"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
    )
    op.create_table(
        "funding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("donor", sa.String(length=300), nullable=False),
        sa.Column("recipient_entity_id", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=3), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("approval_decision_id", sa.Integer(), nullable=True),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount IS NULL OR amount > 0", name=op.f("ck_funding_positive")),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_funding_activity_id_activities"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["approval_decision_id"],
            ["decisions.id"],
            name=op.f("fk_funding_approval_decision_id_decisions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_entity_id"],
            ["entities.id"],
            name=op.f("fk_funding_recipient_entity_id_entities"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding")),
    )
    with op.batch_alter_table("funding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_funding_received_on"), ["received_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_funding_recipient_entity_id"), ["recipient_entity_id"], unique=False
        )

    op.create_table(
        "funding_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("funding_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["funding_id"],
            ["funding.id"],
            name=op.f("fk_funding_milestones_funding_id_funding"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding_milestones")),
    )
    with op.batch_alter_table("funding_milestones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_funding_milestones_due_on"), ["due_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_funding_milestones_funding_id"), ["funding_id"], unique=False
        )

    op.create_table(
        "milestone_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["funding_milestones.id"],
            name=op.f("fk_milestone_reports_milestone_id_funding_milestones"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_reports")),
    )
    with op.batch_alter_table("milestone_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_milestone_reports_milestone_id"), ["milestone_id"], unique=False
        )

    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("work_plan_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("publication_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("activity_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("recipient_entity_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("amount", sa.Numeric(precision=18, scale=3), nullable=True))
        batch_op.add_column(sa.Column("currency", sa.String(length=3), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("currency")
        batch_op.drop_column("amount")
        batch_op.drop_column("recipient_entity_id")
        batch_op.drop_column("activity_id")
        batch_op.drop_column("publication_id")
        batch_op.drop_column("work_plan_id")

    with op.batch_alter_table("milestone_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_reports_milestone_id"))

    op.drop_table("milestone_reports")
    with op.batch_alter_table("funding_milestones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_milestones_funding_id"))
        batch_op.drop_index(batch_op.f("ix_funding_milestones_due_on"))

    op.drop_table("funding_milestones")
    with op.batch_alter_table("funding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_recipient_entity_id"))
        batch_op.drop_index(batch_op.f("ix_funding_received_on"))

    op.drop_table("funding")
    op.drop_table("publications")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activities_work_plan_id"))

    op.drop_table("activities")
    with op.batch_alter_table("work_plans", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_work_plans_endorsed",
            sqlite_where=sa.text("status = 'endorsed'"),
            postgresql_where=sa.text("status = 'endorsed'"),
        )
        batch_op.drop_index(batch_op.f("ix_work_plans_start_year"))

    op.drop_table("work_plans")
