"""Extra-budgetary funds (ToR 3.B.5): prior approval, milestones, reports, overdue reports."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, Select, cast, func, select
from sqlalchemy.orm import Session

from icat_api import clock, csv_output
from icat_api import rules as record_rules
from icat_api.audit.service import record
from icat_api.caller import Caller, ensure_acts_for
from icat_api.entities import rules as entity_rules
from icat_api.entities.models import Entity
from icat_api.funding import rules
from icat_api.funding.models import Funding, Milestone, MilestoneReport
from icat_api.funding.schemas import (
    FundingCreate,
    FundingPage,
    FundingRead,
    MilestoneRead,
    MilestoneReportCreate,
    MilestoneReportRead,
    OverdueRead,
    Total,
)
from icat_api.governance.models import Decision
from icat_api.money import in_minor_units
from icat_api.pagination import DAY, INT32, Keyset, PageParams, page_of
from icat_api.problems import Conflict, InvalidInput, NotFound
from icat_api.schemas import Page


def _reads(
    session: Session, rows: list[Funding], among: Select[int] | None = None
) -> list[FundingRead]:
    """The funds ``rows`` with their milestones: those of the funds ``among`` selects, when
    given (a whole list: a subquery, not a statement with a parameter per fund)."""
    ids: list[int] | Select[int] = [f.id for f in rows] if among is None else among
    milestones: dict[int, list[MilestoneRead]] = defaultdict(list)
    # Asked even for an empty page (a year without funds in the Chair's report): the statements
    # of a request do not depend on how many rows it finds.
    reported = {
        r.milestone_id: r.reported_on
        for r in session.execute(
            select(MilestoneReport.milestone_id, MilestoneReport.reported_on)
            .join(Milestone, Milestone.id == MilestoneReport.milestone_id)
            .where(Milestone.funding_id.in_(ids))
        )
    }
    for m in session.scalars(
        select(Milestone)
        .where(Milestone.funding_id.in_(ids))
        .order_by(Milestone.due_on, Milestone.id)
    ):
        milestones[m.funding_id].append(
            MilestoneRead(id=m.id, title=m.title, due_on=m.due_on, reported_on=reported.get(m.id))
        )
    return [
        FundingRead(
            id=f.id,
            donor=f.donor,
            recipient_entity_id=f.recipient_entity_id,
            amount=in_minor_units(f.amount, f.currency),
            currency=f.currency,
            received_on=f.received_on,
            approval_decision_id=f.approval_decision_id,
            activity_id=f.activity_id,
            note=f.note,
            milestones=milestones[f.id],
            created_at=f.created_at,
        )
        for f in rows
    ]


def create(*, session: Session, caller: Caller, data: FundingCreate) -> FundingRead:
    ensure_acts_for(caller, data.recipient_entity_id)
    if session.get(Entity, data.recipient_entity_id) is None:
        raise InvalidInput(
            "Unknown entity.",
            errors=[{"loc": ["body", "recipient_entity_id"], "msg": "unknown entity"}],
        )
    record_rules.check_not_after_today("received_on", data.received_on, clock.today())
    in_wg = session.scalar(
        select(entity_rules.working_group_expression(data.received_on)).where(
            Entity.id == data.recipient_entity_id
        )
    )
    rules.check_in_working_group(data.recipient_entity_id, data.received_on, bool(in_wg))
    approval = (
        session.get(Decision, data.approval_decision_id)
        if data.approval_decision_id is not None
        else None
    )
    rules.check_approval(approval, data.recipient_entity_id, data.received_on)
    assert approval is not None
    activity_id = data.activity_id if data.activity_id is not None else approval.activity_id
    rules.check_same_activity(approval.activity_id, activity_id)
    row = Funding(
        donor=data.donor,
        recipient_entity_id=data.recipient_entity_id,
        amount=data.amount,
        currency=data.currency,
        received_on=data.received_on,
        approval_decision_id=data.approval_decision_id,
        activity_id=activity_id,
        note=data.note,
    )
    session.add(row)
    session.flush()
    session.add_all(
        Milestone(funding_id=row.id, title=m.title, due_on=m.due_on) for m in data.milestones
    )
    session.flush()
    created = _reads(session, [row])[0]
    record(session, caller, "create", ("funding", row.id), after=created)
    return created


# Keysets on the order of each list: a fund (a milestone) recorded late, with an earlier date, is
# neither skipped nor repeated.
FUNDS = Keyset("funding", (Funding.received_on, Funding.id), (DAY, INT32))
OVERDUE = Keyset(
    "overdue-reports", (Milestone.due_on, Milestone.id), (DAY, INT32), ("due_on", "milestone_id")
)


def list_funding(*, session: Session, page: PageParams | None, year: int | None) -> FundingPage:
    """Funds in the order received, filtered (every one with no ``page``), and the totals."""
    query = select(Funding)
    if year is not None:
        query = query.where(
            Funding.received_on >= date(year, 1, 1), Funding.received_on <= date(year, 12, 31)
        )
    # Totals per currency and donor over every fund of the filter, in one aggregate. Summed in
    # whole thousandths (the column's scale) so that the sum is exact on SQLite too, whose SUM
    # of a NUMERIC column is a floating-point one.
    thousandths = func.sum(cast(func.round(Funding.amount * 1000), BigInteger))
    totals = session.execute(
        query.with_only_columns(Funding.currency, Funding.donor, thousandths)
        .where(Funding.amount.is_not(None), Funding.currency.is_not(None))
        .group_by(Funding.currency, Funding.donor)
        .order_by(None)
    ).all()
    rows = list(session.scalars(FUNDS.query(query, page)))
    among = query.with_only_columns(Funding.id) if page is None else None
    items, cursor = page_of(
        FUNDS, page, rows, lambda page_rows: _reads(session, list(page_rows), among)
    )
    return FundingPage(
        items=items,
        totals=[
            Total(currency=c, donor=d, amount=in_minor_units(Decimal(int(t)).scaleb(-3), c))
            for c, d, t in sorted(totals, key=lambda r: (r[0], r[1]))
        ],
        next_cursor=cursor,
    )


CSV_COLUMNS = tuple(FundingRead.model_fields)


def _milestone(m: MilestoneRead) -> str:
    reported = f"reported {m.reported_on}" if m.reported_on else "not reported"
    return f"{m.due_on} {m.title} ({reported})"


def _cells(f: FundingRead) -> list[csv_output.Cell]:
    flat = {**dict(f), "milestones": csv_output.lines(map(_milestone, f.milestones))}
    return [flat[c] for c in CSV_COLUMNS]


def to_csv(items: list[FundingRead]) -> bytes:
    """One row per fund, the fields of the JSON items; its milestones in one cell, one a line
    (``due_on title (reported ...)``). The totals are not rows: a spreadsheet sums."""
    return csv_output.to_csv(CSV_COLUMNS, (_cells(f) for f in items))


def report_milestone(
    *, session: Session, caller: Caller, funding_id: int, data: MilestoneReportCreate
) -> MilestoneReportRead:
    """The recipient reports back on a milestone (ToR 3.B.5)."""
    funding = session.get(Funding, funding_id)
    if funding is None:
        raise NotFound(f"No funding {funding_id}.")
    ensure_acts_for(caller, funding.recipient_entity_id)
    milestone = session.get(Milestone, data.milestone_id)
    if milestone is None or milestone.funding_id != funding_id:
        raise InvalidInput(
            "Unknown milestone of these funds.",
            errors=[{"loc": ["body", "milestone_id"], "msg": "unknown milestone"}],
        )
    if session.scalar(
        select(MilestoneReport.id).where(MilestoneReport.milestone_id == milestone.id)
    ):
        raise Conflict("This milestone was already reported on.")
    record_rules.check_not_after_today("reported_on", data.reported_on, clock.today())
    if data.reported_on < funding.received_on:
        raise InvalidInput(
            "reported_on is before the funds were received.",
            errors=[{"loc": ["body", "reported_on"], "msg": "before received_on"}],
        )
    row = MilestoneReport(
        milestone_id=milestone.id, reported_on=data.reported_on, narrative=data.narrative
    )
    session.add(row)
    session.flush()
    created = MilestoneReportRead.model_validate(row, from_attributes=True)
    record(session, caller, "create", ("milestone_report", row.id), after=created)
    return created


def overdue(*, session: Session, page: PageParams, day: date) -> Page[OverdueRead]:
    """Milestones past due on ``day`` with no report (ToR 3.B.5)."""
    reported = (
        select(MilestoneReport.id).where(MilestoneReport.milestone_id == Milestone.id).exists()
    )
    query = (
        select(Milestone, Funding)
        .join(Funding, Funding.id == Milestone.funding_id)
        .where(Milestone.due_on < day, ~reported)
    )
    rows = session.execute(OVERDUE.query(query, page)).all()
    items, cursor = page_of(
        OVERDUE,
        page,
        rows,
        lambda page_rows: [
            OverdueRead(
                funding_id=f.id,
                milestone_id=m.id,
                title=m.title,
                due_on=m.due_on,
                recipient_entity_id=f.recipient_entity_id,
                donor=f.donor,
            )
            for m, f in page_rows
        ],
    )
    return Page[OverdueRead](items=items, next_cursor=cursor)
