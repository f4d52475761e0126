"""Build N times the real ICAT data in a database, for the scale bars of DESIGN section 7.

    .venv/bin/python -m bench.scale --database-url URL [--factor 100] [--audit-events 1000000]

Migrates the empty database, seeds the real data, then adds synthetic rows with bulk INSERTs
(executemany in chunks): entities of every kind and scope, their member and partner spans
(some admitted by decision), Working Group enrolments, focal points, meetings with attendance,
applications, chair candidacies, work plans and activities, products, funds and milestones,
decisions of every kind but chair elections (the chair terms stay the real ones), and the audit
trail. Every row keeps the rules the API enforces, so derived statuses, voting rights and
reports stay meaningful. Dates are placed around today (statuses are derived for today), so
the rows are the same for a given ``--seed`` on a given day. Prints what it made, with timings.
"""

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.scale_audit import audit_events, with_changes
from bench.scale_governance import (
    make_applications,
    make_attendance,
    make_candidacies,
    make_decisions,
    make_funding,
    make_meetings,
    make_publications,
    make_work_plans,
)
from bench.scale_registry import make_entities, make_focal_points
from bench.scale_rows import ORDER, World, bump_data_version, insert_rows, reset_sequences
from icat_api import migrate
from icat_api.db import Base, make_engine
from icat_api.seed.loader import is_empty, seed
from icat_api.seed.products_funds import PRODUCTS


@dataclass(frozen=True)
class Plan:
    """How many synthetic rows of each kind to make (attendance: mean attendees a meeting)."""

    entities: int
    meetings: int
    attendees: int
    decisions: int
    focal_points: int
    gap_ratio: float  # share of today's members and partners with no focal point
    applications: int  # besides those of the admissions that come with memberships
    candidacies: int
    work_plans: int
    activities: int
    publications: int
    funding: int
    audit_events: int

    @classmethod
    def scaled(cls, factor: int, audit_events: int) -> "Plan":
        """``factor`` times the real data (25 entities, 6 meetings of 2015, 9 products, one
        fund), with the volumes of a mature registry per entity: ten focal points, some forty
        attendees a meeting, two hundred decisions a year's worth of meetings."""
        return cls(
            entities=25 * (factor - 1),
            meetings=6 * factor,
            attendees=40,
            decisions=200 * factor,
            focal_points=250 * factor,
            gap_ratio=0.08,
            applications=factor,
            candidacies=factor,
            work_plans=max(1, factor // 4),
            activities=5 * factor,
            publications=len(PRODUCTS) * factor,
            funding=factor,
            audit_events=audit_events,
        )


def build(
    url: str, plan: Plan, *, seed_value: int = 2018, log: Callable[[str], None] = print
) -> dict[str, int]:
    """Migrate and seed the empty database at ``url``, add ``plan``'s rows; answer the row
    count of every table."""
    started = time.perf_counter()

    def step(what: str, since: float) -> float:
        now = time.perf_counter()
        log(f"{what:<44} {now - since:7.2f} s")
        return now

    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            if not is_empty(session):
                raise SystemExit(f"{url}: not empty; the generator needs an empty database")
            seed(session)
        mark = step("migrated and seeded the real data", started)
        with engine.begin() as conn:
            world = World(conn, seed_value)
            make_meetings(world, plan.meetings)
            make_entities(world, plan.entities)
            make_attendance(world, plan.attendees)
            make_applications(world, plan.applications)
            make_candidacies(world, plan.candidacies)
            make_work_plans(world, plan.work_plans, plan.activities)
            make_publications(world, plan.publications)
            make_funding(world, plan.funding)
            make_decisions(world, plan.decisions)
            make_focal_points(world, plan.focal_points, plan.gap_ratio)
            mark = step("generated the rows in memory", mark)
            for table in ORDER:
                made = insert_rows(conn, table, world.rows[table])
                mark = step(f"inserted {made:>9,} {table}", mark)
            changes: list[dict[str, object]] = []
            events = with_changes(audit_events(world, plan.audit_events), changes)
            made = insert_rows(conn, "audit_events", events)
            mark = step(f"inserted {made:>9,} audit_events", mark)
            made = insert_rows(conn, "changes", changes)
            mark = step(f"inserted {made:>9,} changes", mark)
            reset_sequences(conn)
            bump_data_version(conn)
        with engine.connect() as conn:
            counts = {
                name: int(conn.scalar(select(func.count()).select_from(table)) or 0)
                for name, table in sorted(Base.metadata.tables.items())
            }
    finally:
        engine.dispose()
    step("total", started)
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database-url", required=True, help="an empty database (SQLAlchemy URL)")
    parser.add_argument("--factor", type=int, default=100, help="times the real data (>= 1)")
    parser.add_argument("--audit-events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2018, help="of the random generator")
    args = parser.parse_args(argv)
    if args.factor < 1 or args.audit_events < 0:
        parser.error("--factor must be at least 1 and --audit-events not negative")
    counts = build(
        args.database_url, Plan.scaled(args.factor, args.audit_events), seed_value=args.seed
    )
    print("\nrows per table:")
    for name, count in counts.items():
        print(f"  {name:<26} {count:>10,}")


if __name__ == "__main__":
    main()
