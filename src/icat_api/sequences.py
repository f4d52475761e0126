"""Id sequences on both databases: how far a table's ids went, and moving them past ids written
by hand (a restore), so no id is ever handed out twice."""

from typing import Any

from sqlalchemy import Connection, Table, func, select
from sqlalchemy import text as sql


def high_water(conn: Connection, table: Table) -> int | None:
    """The highest id the table's sequence ever handed out, where the database keeps one."""
    column = table.autoincrement_column
    if column is None:
        return None
    if conn.dialect.name == "postgresql":
        found = conn.scalar(
            sql("SELECT pg_sequence_last_value(CAST(pg_get_serial_sequence(:t, :c) AS regclass))"),
            {"t": table.name, "c": column.name},
        )
    elif table.dialect_options["sqlite"]["autoincrement"]:
        found = conn.scalar(
            sql("SELECT seq FROM sqlite_sequence WHERE name = :t"), {"t": table.name}
        )
    else:
        found = None  # SQLite without AUTOINCREMENT: the next id is max(id) + 1
    return None if found is None else int(found)


def restart_ids(conn: Connection, table: Table, high_water: Any) -> None:
    """Move the table's id sequence past every id restored and the source's high water."""
    column = table.autoincrement_column
    if column is None:
        return
    top = max(conn.scalar(select(func.max(column))) or 0, int(high_water or 0))
    if top == 0:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(
            sql("SELECT setval(pg_get_serial_sequence(:t, :c), :top)"),
            {"t": table.name, "c": column.name, "top": top},
        )
    elif table.dialect_options["sqlite"]["autoincrement"]:
        conn.execute(sql("DELETE FROM sqlite_sequence WHERE name = :t"), {"t": table.name})
        conn.execute(
            sql("INSERT INTO sqlite_sequence VALUES (:t, :top)"), {"t": table.name, "top": top}
        )
