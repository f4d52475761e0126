"""meetings as held: status (scheduled, postponed, cancelled) with its reason, local times in an
IANA zone, agenda and documents

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS = "status IN ('scheduled', 'postponed', 'cancelled')"
STATUS_REASON = "status = 'scheduled' OR status_reason IS NOT NULL"
LOCAL_TIMES = (
    "(time_zone IS NULL AND start_time IS NULL AND end_time IS NULL) OR "
    "(time_zone IS NOT NULL AND start_time IS NOT NULL AND end_time IS NOT NULL)"
)

# On SQLite the columns are added in place, each CHECK with the column that closes it: a batch
# (copy the table, drop it, rename the copy) would drop `meetings` while attendance and
# decisions refer to its rows, which SQLite refuses with its foreign keys on. Dropped in the
# reverse order, each column takes its CHECK with it.
SQLITE_COLUMNS = (
    (
        "status",
        f"VARCHAR(10) DEFAULT 'scheduled' NOT NULL CONSTRAINT ck_meetings_status CHECK ({STATUS})",
    ),
    (
        "status_reason",
        f"VARCHAR(2000) CONSTRAINT ck_meetings_status_reason CHECK ({STATUS_REASON})",
    ),
    ("postponed_from", "DATE"),
    ("time_zone", "VARCHAR(64)"),
    ("start_time", "VARCHAR(5)"),
    ("end_time", f"VARCHAR(5) CONSTRAINT ck_meetings_local_times CHECK ({LOCAL_TIMES})"),
    ("agenda", "JSON"),
    ("documents", "JSON"),
)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if _sqlite():
        for name, spec in SQLITE_COLUMNS:
            op.execute(f"ALTER TABLE meetings ADD COLUMN {name} {spec}")
        return
    # Every meeting recorded so far is scheduled: held ones are read as held from their days.
    op.add_column(
        "meetings",
        sa.Column("status", sa.String(length=10), server_default="scheduled", nullable=False),
    )
    op.add_column("meetings", sa.Column("status_reason", sa.String(length=2000), nullable=True))
    op.add_column("meetings", sa.Column("postponed_from", sa.Date(), nullable=True))
    op.add_column("meetings", sa.Column("time_zone", sa.String(length=64), nullable=True))
    op.add_column("meetings", sa.Column("start_time", sa.String(length=5), nullable=True))
    op.add_column("meetings", sa.Column("end_time", sa.String(length=5), nullable=True))
    op.add_column("meetings", sa.Column("agenda", sa.JSON(), nullable=True))
    op.add_column("meetings", sa.Column("documents", sa.JSON(), nullable=True))
    op.create_check_constraint(op.f("ck_meetings_status"), "meetings", STATUS)
    op.create_check_constraint(op.f("ck_meetings_status_reason"), "meetings", STATUS_REASON)
    op.create_check_constraint(op.f("ck_meetings_local_times"), "meetings", LOCAL_TIMES)


def downgrade() -> None:
    if _sqlite():
        for name, _ in reversed(SQLITE_COLUMNS):
            op.execute(f"ALTER TABLE meetings DROP COLUMN {name}")
        return
    op.drop_constraint(op.f("ck_meetings_local_times"), "meetings", type_="check")
    op.drop_constraint(op.f("ck_meetings_status_reason"), "meetings", type_="check")
    op.drop_constraint(op.f("ck_meetings_status"), "meetings", type_="check")
    for name, _ in reversed(SQLITE_COLUMNS):
        op.drop_column("meetings", name)
