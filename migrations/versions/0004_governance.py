"""governance: meetings, attendance, applications, decisions, objections

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('working_group', 'principals', 'consultation', 'briefing', 'expert_group')",
            name=op.f("ck_meetings_kind"),
        ),
        sa.CheckConstraint(
            "mode IN ('in_person', 'virtual', 'hybrid')", name=op.f("ck_meetings_mode")
        ),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_meetings_days")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index("ix_meetings_kind_start", ["kind", "starts_on"], unique=False)

    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("addressed_to", sa.String(length=12), nullable=False),
        sa.Column("letter_reference", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=14), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "addressed_to IN ('chair', 'coordinator')", name=op.f("ck_applications_addressed_to")
        ),
        sa.CheckConstraint("role IN ('member', 'partner')", name=op.f("ck_applications_role")),
        sa.CheckConstraint(
            "status IN ('submitted', 'accepted', 'not_accepted', 'withdrawn')",
            name=op.f("ck_applications_status"),
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_applications_entity_id_entities"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_applications_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(
            "uq_applications_open",
            ["entity_id"],
            unique=True,
            sqlite_where=sa.text("status = 'submitted'"),
            postgresql_where=sa.text("status = 'submitted'"),
        )

    op.create_table(
        "attendance",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("representatives", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_attendance_entity_id_entities"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_attendance_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "entity_id", name=op.f("pk_attendance")),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure", sa.String(length=10), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("deadline_on", sa.Date(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("confirmed_by", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("consulted_entity_ids", sa.JSON(), nullable=True),
        sa.Column("effects", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('admission', 'work_plan_endorsement', 'budget_allocation', 'funding_approval', 'product_sign_off', 'chair_election', 'general')",
            name=op.f("ck_decisions_kind"),
        ),
        sa.CheckConstraint(
            "outcome IN ('adopted', 'not_adopted')", name=op.f("ck_decisions_outcome")
        ),
        sa.CheckConstraint(
            "procedure IN ('meeting', 'electronic')", name=op.f("ck_decisions_procedure")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_decisions_application_id_applications"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by"],
            ["entities.id"],
            name=op.f("fk_decisions_confirmed_by_entities"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_decisions_meeting_id_meetings"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index("ix_decisions_decided_on", ["decided_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_decisions_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(
            "uq_decisions_admission_adopted",
            ["application_id"],
            unique=True,
            sqlite_where=sa.text("outcome = 'adopted'"),
            postgresql_where=sa.text("outcome = 'adopted'"),
        )

    op.create_table(
        "objections",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_objections_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_objections_entity_id_entities"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("decision_id", "entity_id", name=op.f("pk_objections")),
    )
    with op.batch_alter_table("working_group_enrolments", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_working_group_enrolments_entity_id"), ["entity_id", "confirmed_on"]
        )


def downgrade() -> None:
    with op.batch_alter_table("working_group_enrolments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_working_group_enrolments_entity_id"), type_="unique"
        )

    op.drop_table("objections")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_decisions_admission_adopted",
            sqlite_where=sa.text("outcome = 'adopted'"),
            postgresql_where=sa.text("outcome = 'adopted'"),
        )
        batch_op.drop_index(batch_op.f("ix_decisions_meeting_id"))
        batch_op.drop_index("ix_decisions_decided_on")

    op.drop_table("decisions")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_entity_id"))

    op.drop_table("attendance")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_applications_open",
            sqlite_where=sa.text("status = 'submitted'"),
            postgresql_where=sa.text("status = 'submitted'"),
        )
        batch_op.drop_index(batch_op.f("ix_applications_entity_id"))

    op.drop_table("applications")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index("ix_meetings_kind_start")

    op.drop_table("meetings")
