"""The Chair's annual report (ToR 3.D.3(j)): the facts of the term's year, assembled.

The Coordinator uses the Chair's report as the basis for reporting to Member States (ToR
3.C.2); the service assembles the facts, the Chair writes the prose.
"""

import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import quote

from pydantic import BaseModel, Field
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from icat_api.applications.models import Application
from icat_api.chair_terms.service import terms_in_year
from icat_api.changes.schemas import ChangeCounts
from icat_api.changes.service import count_by_type
from icat_api.clock import today
from icat_api.entities.models import Membership
from icat_api.entities.names import Naming, load_records
from icat_api.focal_points.feed import gaps
from icat_api.funding.schemas import FundingPage
from icat_api.funding.service import list_funding
from icat_api.governance.decision_schemas import DecisionRead
from icat_api.governance.decisions import list_decisions
from icat_api.governance.meeting_schemas import DocumentKind, MeetingDocument
from icat_api.governance.meetings import attendances, read
from icat_api.governance.models import Meeting
from icat_api.governance.schemas import AttendeeRead, MeetingRead
from icat_api.pagination import PageParams
from icat_api.problems import NotFound
from icat_api.publications.schemas import PublicationRead
from icat_api.publications.service import DraftAccess, list_publications
from icat_api.work_plans.schemas import WorkPlanRead
from icat_api.work_plans.service import list_plans


class ReportMeeting(BaseModel):
    meeting: MeetingRead = Field(description="With its status, agenda and documents.")
    attendance: list[AttendeeRead]
    minutes: list[MeetingDocument] = Field(
        description="Its minutes: the documents of kind `minutes` (one per language, say)."
    )


class ReportAdmission(BaseModel):
    application_id: int
    entity_id: str
    name: str
    role: str
    submitted_on: date
    outcome: str = Field(description="accepted, not_accepted or withdrawn")
    closed_on: date


class ReportRole(BaseModel):
    entity_id: str
    name: str
    role: str
    on: date = Field(description="The first day held, or the last day held.")


class AllocationTotal(BaseModel):
    currency: str
    amount: Decimal


class ChairReport(BaseModel):
    """The facts of one year for the Chair's annual report."""

    year: int
    chairs: list[str] = Field(description="The Chair or co-chairs of the year (entity ids).")
    chair_names: list[str]
    meetings: list[ReportMeeting]
    decisions_adopted: list[DecisionRead]
    decisions_not_adopted: list[DecisionRead]
    admissions: list[ReportAdmission]
    roles_started: list[ReportRole]
    roles_ended: list[ReportRole]
    focal_point_gaps: list[str] = Field(
        description="Members and partners without a focal point at the end of the year "
        "(or today, for the current year)."
    )
    work_plans: list[WorkPlanRead] = Field(
        description="Work plans covering the year, with their activities and progress."
    )
    funds: FundingPage = Field(description="Funds received that year, totals per currency.")
    allocations: list[AllocationTotal] = Field(
        description="Budget allocations adopted that year (ToR 3.B.2(c)), per currency."
    )
    products: list[PublicationRead] = Field(description="Products published that year.")
    changes: ChangeCounts = Field(
        description="Changes committed in the year (cut at midnight UTC, as the change feed's "
        "`occurred_at`), by type, as the public change feed shows them: the report is public, "
        "the same for every reader, so changes to focal points and to unpublished products are "
        "not counted. The records export (`GET /v1/records/{year}`) counts them all."
    )


def report(*, session: Session, year: int, naming: Naming | None = None) -> ChairReport:
    """The facts of ``year``. Entities are named as at its end (today for the current year),
    in ``naming``'s language (English by default)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    naming = (naming or Naming(last)).on(min(last, today()))
    terms = terms_in_year(session=session, year=year, naming=naming, day=naming.day)
    if not terms:
        raise NotFound(f"No chair term covers {year}.")
    everything = PageParams(10_000, None)
    held = list(
        session.scalars(
            select(Meeting)
            .where(Meeting.starts_on >= first, Meeting.starts_on <= last)
            .order_by(Meeting.starts_on, Meeting.id)
        )
    )
    attended = attendances(session, held, with_people=False)
    day = today()
    meetings = [
        ReportMeeting(
            meeting=(m := read(row, day)),
            attendance=attended[row.id].items,
            minutes=[d for d in m.documents if d.kind is DocumentKind.minutes],
        )
        for row in held
    ]
    decided = list_decisions(
        session=session, page=everything, kind=None, year=year, meeting_id=None, outcome=None
    ).items
    records = load_records(session, None)  # every entity: one statement

    def name_of(entity_id: str) -> str:
        return naming.show(entity_id, records[entity_id])[0]

    _name_attendees(meetings, name_of)
    admissions = [
        ReportAdmission(
            application_id=a.id,
            entity_id=a.entity_id,
            name=name_of(a.entity_id),
            role=a.role,
            submitted_on=a.submitted_on,
            outcome=a.status,
            closed_on=a.closed_on,
        )
        for a in session.scalars(
            select(Application)
            .where(Application.closed_on >= first, Application.closed_on <= last)
            .order_by(Application.closed_on, Application.id)
        )
        if a.closed_on is not None
    ]
    next_year = date(year + 1, 1, 1)
    spans = list(
        session.scalars(
            select(Membership)
            .where(
                or_(
                    and_(Membership.starts_on >= first, Membership.starts_on <= last),
                    and_(Membership.ends_on > first, Membership.ends_on <= next_year),
                )
            )
            .order_by(Membership.starts_on, Membership.id)
        )
    )
    started = [
        ReportRole(entity_id=m.entity_id, name=name_of(m.entity_id), role=m.role, on=m.starts_on)
        for m in spans
        if first <= m.starts_on <= last
    ]
    # `ends_on` is the first day without the role: the last day held is the day before.
    ended = [
        ReportRole(
            entity_id=m.entity_id,
            name=name_of(m.entity_id),
            role=m.role,
            on=m.ends_on - timedelta(days=1),
        )
        for m in spans
        if m.ends_on is not None and first < m.ends_on <= next_year
    ]
    gap_day = min(last, today())
    # Public, like everything else in the report (its products are the published ones only).
    by_type = count_by_type(session=session, year=year, personal=False)
    return ChairReport(
        year=year,
        chairs=[e for t in terms for e in t.entity_ids],
        chair_names=[c.name for t in terms for c in t.chairs],
        meetings=meetings,
        decisions_adopted=[d for d in decided if d.outcome == "adopted"],
        decisions_not_adopted=[d for d in decided if d.outcome != "adopted"],
        admissions=admissions,
        roles_started=started,
        roles_ended=ended,
        focal_point_gaps=[g.id for g in gaps(session=session, page=everything, day=gap_day).items],
        work_plans=list_plans(session=session, page=everything, year=year).items,
        funds=list_funding(session=session, page=everything, year=year),
        allocations=_allocation_totals(decided),
        products=[
            p
            for p in list_publications(
                session=session, page=everything, access=DraftAccess(), kind=None
            ).items
            if p.published_on is not None and p.published_on.year == year
        ],
        changes=ChangeCounts(total=sum(by_type.values()), by_type=by_type),
    )


def _name_attendees(meetings: list[ReportMeeting], name_of: Callable[[str], str]) -> None:
    """Attendees named as the rest of the report names them (the year's end, the language)."""
    for m in meetings:
        for attendee in m.attendance:
            attendee.name = name_of(attendee.entity_id)


def _allocation_totals(decided: list[DecisionRead]) -> list[AllocationTotal]:
    totals: dict[str, Decimal] = {}
    for d in decided:
        if d.kind == "budget_allocation" and d.outcome == "adopted" and d.amount and d.currency:
            totals[d.currency] = totals.get(d.currency, Decimal(0)) + d.amount
    return [AllocationTotal(currency=c, amount=a) for c, a in sorted(totals.items())]


_CAPACITY = {
    "voting_member": "voting member",
    "member": "member",
    "observer": "observer",
    "guest": "guest",
}


# Characters that mark up text anywhere in a line (emphasis, code, links, tables, strike-through,
# math), escaped with a backslash; HTML's three as entities.
_MD_INLINE = re.compile(r"([\\`*_\[\]|~$])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# What starts a block when it opens a list item's text: a heading, a list, an ordered list.
_MD_BLOCK_START = re.compile(r"^(?:([#+=-])|(\d{1,9})([.)]))")


def md(value: object) -> str:
    """Text from the registry, made inert in Markdown: on one line (every run of whitespace,
    newlines included, is one space, so a value never starts a block or leaves its table row or
    list item), markup characters backslash-escaped, ``& < >`` as HTML entities, and a leading
    block marker (``#``, ``-``, ``+``, ``=``, ``1.``) escaped."""
    text = " ".join(str(value).split())
    text = _MD_INLINE.sub(r"\\\1", text)
    text = "".join(_HTML.get(char, char) for char in text)
    return _MD_BLOCK_START.sub(lambda m: "\\" + m[1] if m[1] else m[2] + "\\" + m[3], text, count=1)


# What a URL keeps as it is inside an autolink: the rest (``<``, ``>``, quotes, spaces...) is
# percent-encoded, so a link cannot end early and start markup or HTML.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def md_url(url: str) -> str:
    """A link from the registry as a Markdown autolink that nothing in it can break out of."""
    return f"<{quote(url, safe=_URL_SAFE)}>"


def _agenda_and_minutes(m: ReportMeeting) -> list[str]:
    """A meeting's agenda (items with the decisions taken under them) and its minutes' links."""
    out = []
    if m.meeting.agenda:
        out.append("  - Agenda:")
        for item in m.meeting.agenda:
            taken = ", ".join(str(d) for d in item.decision_ids)
            out.append(
                f"    - Item {md(item.number)}: {md(item.title)}"
                + (
                    f" (decision{'s' if len(item.decision_ids) > 1 else ''} {taken})"
                    if taken
                    else ""
                )
            )
    for doc in m.minutes:
        language = f" ({md(doc.language)})" if doc.language else ""
        out.append(f"  - Minutes{language}: {md_url(doc.url)}")
    return out


def to_markdown(r: ChairReport) -> str:
    """A readable draft a Chair could start the annual report from. Every value from the
    registry goes through :func:`md`, so no name or title can inject Markdown or HTML."""
    out = [f"# ICAT Chair's report - {r.year} ({' and '.join(md(n) for n in r.chair_names)})", ""]
    out += ["## Meetings", ""]
    if not r.meetings:
        out.append("No meetings recorded.")
    for m in r.meetings:
        mt = m.meeting
        days = (
            mt.starts_on.isoformat()
            if mt.starts_on == mt.ends_on
            else f"{mt.starts_on} to {mt.ends_on}"
        )
        out.append(
            f"- **{md(mt.title)}** ({mt.kind.value.replace('_', ' ')}), "
            f"{md(mt.location) if mt.location else 'location not recorded'}, {days}: "
            f"{mt.status.value}" + (f" ({md(mt.status_reason)})" if mt.status_reason else "")
        )
        if m.attendance:
            who = ", ".join(f"{md(a.name)} ({_CAPACITY[a.capacity.value]})" for a in m.attendance)
            out.append(f"  - Attended by: {who}")
        out += _agenda_and_minutes(m)
    out += ["", "## Decisions", ""]
    if not (r.decisions_adopted or r.decisions_not_adopted):
        out.append("No decisions recorded.")
    for d in r.decisions_adopted:
        out.append(f"- {d.decided_on} — adopted ({d.kind.replace('_', ' ')}): {md(d.record)}")
    for d in r.decisions_not_adopted:
        out.append(f"- {d.decided_on} — not adopted ({d.kind.replace('_', ' ')}): {md(d.record)}")
    out += ["", "## Admissions", ""]
    if not r.admissions:
        out.append("No applications decided.")
    for a in r.admissions:
        out.append(
            f"- {md(a.name)}: application as {a.role} of {a.submitted_on}, "
            f"{a.outcome.replace('_', ' ')} on {a.closed_on}"
        )
    out += ["", "## Membership changes", ""]
    if not (r.roles_started or r.roles_ended):
        out.append("None.")
    for s in r.roles_started:
        out.append(f"- {md(s.name)}: {s.role} from {s.on}")
    for s in r.roles_ended:
        out.append(f"- {md(s.name)}: {s.role} until {s.on}")
    out += ["", "## Focal points", ""]
    out.append(
        f"{len(r.focal_point_gaps)} members and partners have not designated a focal point "
        "(ToR 3.A.2)"
        + (": " + ", ".join(md(g) for g in r.focal_point_gaps) if r.focal_point_gaps else ".")
    )
    out += ["", "## Work plan", ""]
    if not r.work_plans:
        out.append("No work plan recorded for the year.")
    for plan in r.work_plans:
        out.append(f"- **{md(plan.title)}** ({plan.start_year}-{plan.end_year}), {plan.status}")
        for act in plan.activities:
            out.append(
                f"  - {md(act.title)} ({act.priority_area.value.replace('_', ' ')}; lead "
                f"{md(act.lead_entity_id)}): {act.status}"
                + (f". {md(act.progress)}" if act.progress else "")
            )
    out += ["", "## Funds", ""]
    if not r.funds.items:
        out.append("No funds received on ICAT's behalf recorded for the year.")
    for f in r.funds.items:
        amount = f"{f.amount} {f.currency}" if f.amount is not None else "amount not recorded"
        out.append(f"- {md(f.donor)} to {md(f.recipient_entity_id)}, {f.received_on}: {amount}")
    for al in r.allocations:
        out.append(f"- Budget allocated by the Working Group: {al.amount} {al.currency}")
    for t in r.funds.totals:
        out.append(f"- Total from {md(t.donor)}: {t.amount} {t.currency}")
    out += ["", "## Products", ""]
    if not r.products:
        out.append("No products published in the year.")
    for p in r.products:
        out.append(
            f"- {md(p.title)} ({p.kind.value.replace('_', ' ')}), published {p.published_on}"
        )
    out += ["", "## Changes to the registry", ""]
    counted = [f"{n} {kind.replace('_', ' ')}" for kind, n in r.changes.by_type.items() if n]
    out.append(
        f"{r.changes.total} change{'' if r.changes.total == 1 else 's'} recorded in the public "
        "change feed" + (": " + ", ".join(counted) + "." if counted else ".")
    )
    out.append("")
    return "\n".join(out)
