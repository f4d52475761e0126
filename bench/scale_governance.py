"""The scale generator's governance: meetings and attendance, applications, chair candidacies,
work plans and activities, products, funds and decisions, each kind with its subject and each
decision dated within its meeting (or electronic), confirmed by the Chair of its year."""

from datetime import date, timedelta
from decimal import Decimal

from bench.scale_rows import TODAY, Meeting, World, at, between
from icat_api.chair_terms.schemas import TASKS
from icat_api.governance.models import MEETING_KINDS
from icat_api.publications.models import PUBLICATION_KINDS
from icat_api.seed.data import CORE_SIX, ICAT_RECORDS_START
from icat_api.work_plans.models import PRIORITY_AREAS

KIND_WEIGHTS = {
    "working_group": 45,
    "principals": 10,
    "consultation": 15,
    "briefing": 15,
    "expert_group": 15,
}
CITIES = ("Vienna", "Geneva", "New York", "Bangkok", "Nairobi", "Brussels", "Warsaw", "Panama")
DONORS = ("Sweden", "Germany", "Norway", "Netherlands", "Switzerland", "Canada", "Japan")
CURRENCIES = ("USD", "EUR", "SEK")
TOPICS = (
    "the joint statement on trafficking in persons in conflict situations",
    "the issue brief on the non-punishment principle",
    "the submission to the High-level Political Forum",
    "the terms of the joint outreach to States",
    "the calendar of Working Group meetings",
    "the review of the ICAT communication strategy",
    "the contribution to the Global Plan of Action appraisal",
    "the call for papers on supply chains",
)


def make_meetings(world: World, n: int) -> None:
    """``n`` meetings from 2007 to today; Working Group and principals meetings decide."""
    rng = world.rng
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    assert set(kinds) == set(MEETING_KINDS)
    first, last = ICAT_RECORDS_START + timedelta(days=14), TODAY - timedelta(days=14)
    for starts_on in sorted(between(rng, first, last) for _ in range(n)):
        kind = rng.choices(kinds, weights)[0]
        days = rng.randint(0, 2) if kind in ("working_group", "expert_group") else 0
        mode = (
            rng.choice(("virtual", "hybrid", "in_person"))
            if starts_on.year >= 2020
            else "in_person"
        )
        city = rng.choice(CITIES)
        meeting = Meeting(world.new_id("meetings"), kind, starts_on, starts_on + timedelta(days))
        world.meetings.append(meeting)
        world.add(
            "meetings",
            id=meeting.id,
            kind=kind,
            title=f"{kind.replace('_', ' ').capitalize()} meeting, {city}, {starts_on:%B %Y}",
            starts_on=meeting.starts_on,
            ends_on=meeting.ends_on,
            location=None if mode == "virtual" else city,
            mode=mode,
            note=None,
            created_at=at(starts_on - timedelta(days=rng.randint(10, 60)), rng),
            updated_at=at(meeting.ends_on, rng),
        )
    world.index_deciding_meetings()


def make_attendance(world: World, mean: int) -> None:
    """Members and partners of the day at every meeting (the core six at every deciding one);
    civil-society guests only at briefings and consultations (ToR 3.A.5)."""
    rng = world.rng
    for meeting in world.meetings:
        day = meeting.starts_on
        holders = world.holders(day)
        k = min(len(holders), max(1, round(mean * rng.uniform(0.6, 1.4))))
        chosen = set(rng.sample(holders, k))
        if meeting.kind in ("working_group", "principals"):
            chosen |= {e for e in CORE_SIX if world.orgs[e].role_on(day) == "member"}
        if meeting.kind in ("briefing", "consultation"):
            held = set(holders)
            others = [e for e in world.orgs if e not in held]
            chosen |= set(rng.sample(others, min(len(others), rng.randint(0, 8))))
        meeting.attendees = sorted(chosen)
        for eid in meeting.attendees:
            people = [f"Delegate {j + 1} of {world.orgs[eid].acronym or eid}" for j in range(2)]
            world.add(
                "attendance",
                meeting_id=meeting.id,
                entity_id=eid,
                representatives=people[: rng.randint(0, 2)],
            )


def make_applications(world: World, n: int) -> None:
    """Applications of eligible entities that never held a role: open, refused by a decision
    with a maintained objection, or withdrawn (admissions come with the memberships)."""
    rng = world.rng
    outsiders = [o for o in world.orgs.values() if o.eligible and not o.spans]
    rng.shuffle(outsiders)
    for org in outsiders[:n]:
        app_id = world.new_id("applications")
        role = rng.choice(("member", "partner"))
        outcome = rng.choice(("submitted", "not_accepted", "withdrawn"))
        submitted = between(rng, date(2008, 1, 1), TODAY - timedelta(days=30))
        closed, decision_id = None, None
        if outcome == "submitted":
            submitted = between(rng, TODAY - timedelta(days=300), TODAY - timedelta(days=5))
        elif outcome == "withdrawn":
            closed = submitted + timedelta(days=rng.randint(10, 25))
        else:
            meeting = world.deciding_meeting(
                submitted + timedelta(days=15), submitted + timedelta(days=400), working_group=True
            )
            decision = (
                None
                if meeting is None
                else world.decide(
                    "admission",
                    meeting.starts_on,
                    meeting.starts_on,
                    f"The Working Group does not admit {org.name} as an ICAT {role}.",
                    meeting=meeting,
                    outcome="not_adopted",
                    objection="Its mandate does not yet address trafficking in persons in practice.",
                    effects=[f"application {app_id}: not accepted"],
                    application_id=app_id,
                )
            )
            if decision is None:
                outcome, closed = "withdrawn", submitted + timedelta(days=20)
            else:
                closed, decision_id = decision["decided_on"], decision["id"]
        world.add(
            "applications",
            id=app_id,
            entity_id=org.id,
            role=role,
            submitted_on=submitted,
            addressed_to=rng.choice(("chair", "coordinator")),
            letter_reference=f"{org.acronym}/ICAT/{submitted.year}/{rng.randint(1, 999)}",
            status=outcome,
            closed_on=closed,
            decision_id=decision_id,
            created_at=at(submitted, rng),
            updated_at=at(closed or submitted, rng),
        )


def make_candidacies(world: World, n: int) -> None:
    """Expressions of interest in Q1 of the year before the term (ToR 3.D.1), by members: past
    ones not elected (the recorded Chair was), and open ones for next year's term."""
    rng = world.rng
    past = [y for y in world.chairs if y - 1 >= ICAT_RECORDS_START.year]
    for _ in range(n):
        term_year = rng.choice(past) if past and rng.random() < 0.8 else TODAY.year + 1
        submitted = between(rng, date(term_year - 1, 1, 1), date(term_year - 1, 3, 31))
        members = [
            e
            for e in world.holders(submitted, "member")
            if e not in world.chairs.get(term_year, ())
        ]
        if not members:
            continue
        ids = rng.sample(members, min(len(members), 1 if rng.random() < 0.8 else 2))
        roles = None
        if len(ids) == 2:
            split = rng.randint(1, len(TASKS) - 1)
            roles = {ids[0]: list(TASKS[:split]), ids[1]: list(TASKS[split:])}
        world.add(
            "chair_candidacies",
            id=world.new_id("chair_candidacies"),
            term_year=term_year,
            entity_ids=ids,
            submitted_on=submitted,
            roles=roles,
            note=None,
            # Open (shown as not_elected once 30 June of the year before has passed).
            status="candidate",
            confirmed_entity_ids=ids,
            closed_on=None,
            election_decision_id=None,
            created_at=at(submitted, rng),
        )


def make_work_plans(world: World, plans: int, activities: int) -> None:
    """Biannual plans (ToR 3.B.2(a)): one endorsed by decision per period where a meeting
    could endorse it, drafts besides; activities led by Working Group members, some with a
    budget allocation decided."""
    rng = world.rng
    periods = list(range(ICAT_RECORDS_START.year + 1, TODAY.year + 1, 2))
    made: list[tuple[int, int, bool]] = []
    for i in range(plans):
        year = periods[i] if i < len(periods) else rng.choice(periods)
        plan_id = world.new_id("work_plans")
        decision = None
        if i < len(periods):
            decision = world.decide(
                "work_plan_endorsement",
                date(year - 1, 9, 1),
                date(year, 3, 31),
                f"The Working Group endorses the work plan {year}-{year + 1}.",
                effects=[f"work plan {plan_id} ({year}-{year + 1}): endorsed"],
                work_plan_id=plan_id,
            )
        leads = world.working_group(date(year, 1, 1)) or list(CORE_SIX)
        world.add(
            "work_plans",
            id=plan_id,
            start_year=year,
            title=f"ICAT work plan {year}-{year + 1}" + ("" if decision else f" (draft {i})"),
            co_lead_entity_ids=rng.sample(leads, min(2, len(leads))),
            status="endorsed" if decision else "draft",
            endorsement_decision_id=decision["id"] if decision else None,
            created_at=at(date(year - 1, 6, 1), rng),
            updated_at=at(decision["decided_on"] if decision else date(year - 1, 7, 1), rng),
        )
        made.append((plan_id, year, decision is not None))
    for _ in range(activities if made else 0):
        _activity(world, *rng.choice(made))


def _activity(world: World, plan_id: int, year: int, endorsed: bool) -> None:
    rng = world.rng
    first, last = date(year, 1, 1), date(year + 1, 12, 31)
    lead_day = min(max(TODAY, first), last)  # as the API checks the lead
    leads = world.working_group(lead_day) or list(CORE_SIX)
    starts = between(rng, first, last - timedelta(days=60))
    ends = between(rng, starts, last)
    status = "completed" if ends < TODAY else ("ongoing" if starts <= TODAY else "planned")
    activity_id = world.new_id("activities")
    world.add(
        "activities",
        id=activity_id,
        work_plan_id=plan_id,
        title=f"Activity {activity_id}: {rng.choice(TOPICS)}",
        priority_area=rng.choice(PRIORITY_AREAS),
        lead_entity_id=rng.choice(leads),
        contributor_entity_ids=rng.sample(leads, min(len(leads), rng.randint(0, 3))),
        status="cancelled" if rng.random() < 0.05 else status,
        starts_on=starts,
        ends_on=ends,
        milestones=[
            {"title": f"Milestone {j + 1}", "due_on": between(rng, starts, ends).isoformat()}
            for j in range(rng.randint(0, 3))
        ],
        progress="On track." if status != "planned" else None,
        created_at=at(first - timedelta(days=30), rng),
        updated_at=at(min(ends, TODAY), rng),
    )
    if endorsed and rng.random() < 0.5:
        amount = Decimal(rng.randrange(5_000, 250_000, 500))
        world.decide(
            "budget_allocation",
            first - timedelta(days=90),
            last,
            f"The Working Group allocates {amount} USD to activity {activity_id}.",
            effects=[f"activity {activity_id}: {amount} USD allocated"],
            activity_id=activity_id,
            amount=amount,
            currency="USD",
        )


def make_publications(world: World, n: int) -> None:
    """Products: drafts, signed off by decision (ToR 3.B.5), and published after sign-off."""
    rng = world.rng
    for i in range(n):
        pub_id = world.new_id("publications")
        kind = rng.choice(PUBLICATION_KINDS)
        day = between(rng, date(2008, 1, 1), TODAY - timedelta(days=30))
        decision = None
        if rng.random() < 0.75:
            decision = world.decide(
                "product_sign_off",
                day,
                day + timedelta(days=365),
                f"The Working Group signs off product {pub_id}.",
                effects=[f"publication {pub_id}: signed off"],
                publication_id=pub_id,
            )
        published = None
        if decision is not None and rng.random() < 0.8:
            published = decision["decided_on"] + timedelta(days=rng.randint(0, 90))
        members = world.holders(day, "member")
        world.add(
            "publications",
            id=pub_id,
            title=f"ICAT {kind.replace('_', ' ')} no. {i + 1}: {rng.choice(TOPICS)}",
            kind=kind,
            lead_entity_id=rng.choice(members) if members and rng.random() < 0.8 else None,
            status="published" if published else ("signed_off" if decision else "draft"),
            sign_off_decision_id=decision["id"] if decision else None,
            published_on=published,
            url=f"https://icat.un.org/products/{pub_id}" if published else None,
            note=None,
            created_at=at(day, rng),
            updated_at=at(published or (decision["decided_on"] if decision else day), rng),
        )


def make_funding(world: World, n: int) -> None:
    """Funds received by Working Group members after an adopted funding_approval (ToR 3.B.5),
    with milestones, most of those due reported on, the rest overdue."""
    rng = world.rng
    for _ in range(n):
        day = between(rng, date(2008, 1, 1), date(max(world.chairs), 10, 31))
        received = day + timedelta(days=rng.randint(7, 90))
        org = world.orgs[rng.choice(world.working_group(day) or list(CORE_SIX))]
        if not all(org.in_working_group(d) for d in (day, day + timedelta(days=2), received)):
            continue
        currency = rng.choice(CURRENCIES)
        amount = Decimal(rng.randrange(10_000, 2_000_000, 1000))
        decision = world.decide(
            "funding_approval",
            day,
            day,
            f"The Working Group approves {org.name} receiving funds on ICAT's behalf.",
            electronic=True,
            effects=[f"{org.id}: approved to receive funds on ICAT's behalf"],
            recipient_entity_id=org.id,
            amount=amount,
            currency=currency,
        )
        if decision is None:
            continue
        funding_id = world.new_id("funding")
        world.add(
            "funding",
            id=funding_id,
            donor=rng.choice(DONORS),
            recipient_entity_id=org.id,
            amount=amount,
            currency=currency,
            received_on=received,
            approval_decision_id=decision["id"],
            activity_id=None,
            note=None,
            created_at=at(received, rng),
        )
        for j in range(rng.randint(1, 3)):
            milestone_id = world.new_id("funding_milestones")
            due = received + timedelta(days=rng.randint(90, 720))
            world.add(
                "funding_milestones",
                id=milestone_id,
                funding_id=funding_id,
                title=f"Report {j + 1}",
                due_on=due,
            )
            if due < TODAY and rng.random() < 0.75:
                reported = min(TODAY, due + timedelta(days=rng.randint(-30, 60)))
                world.add(
                    "milestone_reports",
                    milestone_id=milestone_id,
                    reported_on=reported,
                    narrative="Delivered as planned.",
                    created_at=at(reported, rng),
                )


def make_decisions(world: World, total: int) -> None:
    """General decisions until ``total`` decisions are made: most at meetings, some
    electronic; a few not adopted for a maintained objection, a few with one withdrawn."""
    rng = world.rng
    first, last = ICAT_RECORDS_START, date(max(world.chairs), 12, 31)
    misses = 0
    while len(world.rows["decisions"]) < total and misses < 100:
        topic = rng.choice(TOPICS)
        roll = rng.random()
        outcome = "not_adopted" if roll < 0.03 else "adopted"
        decision = world.decide(
            "general",
            first,
            last,
            f"The Working Group {'agrees on' if outcome == 'adopted' else 'discussed'} {topic}.",
            electronic=rng.random() < 0.15,
            outcome=outcome,
            objection="More consultation is needed." if roll < 0.05 else None,
        )
        misses += decision is None
