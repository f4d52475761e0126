"""entities' names and acronyms in the six UN languages, their former names, and a note

Every existing entity gets its name (and acronym, when it has one) as the English ones; other
languages and former names start empty. Downgrading drops them: `name` and `acronym` still hold
the English ones.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each with the empty value as its server default: SQLite adds a NOT NULL column in place only
# with a default (rebuilding `entities` would break the foreign keys that point to it).
COLUMNS = {"names": "'{}'", "acronyms": "'{}'", "former_names": "'[]'"}


def upgrade() -> None:
    for column, empty in COLUMNS.items():
        op.add_column(
            "entities",
            sa.Column(column, sa.JSON(), nullable=False, server_default=sa.text(empty)),
        )
    op.add_column("entities", sa.Column("note", sa.String(length=2000), nullable=True))
    # Filled row by row from Python: one statement for both databases (their JSON functions
    # differ), and the values go through the JSON type as the application writes them.
    entities = sa.table(
        "entities",
        sa.column("id", sa.String()),
        sa.column("name", sa.String()),
        sa.column("acronym", sa.String()),
        *(sa.column(column, sa.JSON()) for column in COLUMNS),
    )
    bind = op.get_bind()
    rows = [
        {
            "b_id": row.id,
            "names": {"en": row.name},
            "acronyms": {"en": row.acronym} if row.acronym else {},
            "former_names": [],
        }
        for row in bind.execute(sa.select(entities.c.id, entities.c.name, entities.c.acronym))
    ]
    if rows:
        bind.execute(
            entities.update()
            .where(entities.c.id == sa.bindparam("b_id"))
            .values(
                names=sa.bindparam("names"),
                acronyms=sa.bindparam("acronyms"),
                former_names=sa.bindparam("former_names"),
            ),
            rows,
        )


def downgrade() -> None:
    # In place (SQLite 3.35 and later drop a column so), for the same reason.
    op.drop_column("entities", "note")
    for column in reversed(COLUMNS):
        op.drop_column("entities", column)
