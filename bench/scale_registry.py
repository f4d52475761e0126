"""The scale generator's registry: entities, their role spans (some by admission decisions),
Working Group enrolments and focal points. Every span keeps the rules the API enforces: only
eligible entities hold roles (ToR 3.A.4, 3.A.5), one role at a time, half-open ``ends_on``
(ToR 3.E/3.F); members enrol while members (ToR 3.B.7); only today's members and partners
designate focal points, exactly one primary each (ToR 3.A.2)."""

from datetime import date, timedelta

from bench.scale_rows import TODAY, Org, World, at, between
from icat_api.entities.rules import Span
from icat_api.seed.data import ICAT_RECORDS_START

KINDS = (("un_entity", 30), ("intergovernmental", 45), ("non_governmental", 20), ("other", 5))
REGIONS = (
    ("International", "global"),
    ("Global", "global"),
    ("Regional", "regional"),
    ("African", "regional"),
    ("Inter-American", "regional"),
    ("Asian", "regional"),
    ("Pacific", "regional"),
    ("Arab", "regional"),
    ("European", "regional"),
    ("Caribbean", "sub_regional"),
    ("Nordic", "sub_regional"),
    ("Baltic", "sub_regional"),
    ("Andean", "sub_regional"),
    ("Sahel", "sub_regional"),
    ("Mekong", "sub_regional"),
    ("Danube", "sub_regional"),
    ("Gulf", "sub_regional"),
    ("Balkan", "sub_regional"),
)
FORMS = {
    "un_entity": ("Office for", "Programme on", "Fund for", "Institute for", "Commission on"),
    "intergovernmental": (
        "Organization for",
        "Centre for",
        "Council on",
        "Agency for",
        "Bureau of",
    ),
    "non_governmental": ("Alliance for", "Network on", "Foundation for", "Coalition on"),
    "other": ("Forum on", "Academy of", "Observatory on"),
}
SUBJECTS = (
    "Migration",
    "Labour Rights",
    "Criminal Justice",
    "Police Cooperation",
    "Human Rights",
    "Children",
    "Women",
    "Refugees",
    "Border Management",
    "Maritime Safety",
    "Development",
    "Health",
    "Crime Prevention",
    "Supply Chains",
    "Victim Support",
)
# (pattern, weight): the role history of an entity that held a role.
PATTERNS = (
    ("member", 55),
    ("partner", 15),
    ("partner_then_member", 10),
    ("former_member", 10),
    ("returning_member", 5),
    ("former_partner", 5),
)
FIRST_NAMES = (
    "Amina", "Carlos", "Mei", "Olga", "Kwame", "Sofia", "Rahul", "Fatima", "Lars", "Ana",
    "Yusuf", "Hana", "Pierre", "Nadia", "Tomas", "Grace", "Ivan", "Leila", "Jonas", "Aiko",
)  # fmt: skip
LAST_NAMES = (
    "Haddad", "Moreno", "Chen", "Petrova", "Mensah", "Rossi", "Sharma", "Diallo", "Berg",
    "Silva", "Kaya", "Sato", "Dubois", "Karimi", "Novak", "Okafor", "Ivanov", "Nasser",
)  # fmt: skip
TITLES = (
    "Focal Point on Trafficking in Persons",
    "Programme Officer",
    "Senior Adviser",
    "Legal Officer",
    "Chief of Section",
    "Policy Specialist",
)
# Country codes with a national number length phonenumbers accepts as possible (E.164).
PHONES = (("+4122", 7), ("+431", 8), ("+1212", 7), ("+3314", 7), ("+4420", 8), ("+25420", 7))


def make_entities(world: World, n: int) -> None:
    """``n`` organizations, a realistic mix; most eligible ones hold or held a role."""
    rng = world.rng
    kinds, weights = [k for k, _ in KINDS], [w for _, w in KINDS]
    names = {o.name for o in world.orgs.values()}
    for i in range(1, n + 1):
        kind = rng.choices(kinds, weights)[0]
        region, region_scope = rng.choice(REGIONS)
        name = f"{region} {rng.choice(FORMS[kind])} {rng.choice(SUBJECTS)}"
        if name in names:
            name = f"{name} ({i})"
        names.add(name)
        acronym = "".join(w[0] for w in name.replace("-", " ").split() if w[0].isupper())[:8]
        eid = f"{acronym.lower()}-{i:04d}"
        covers = rng.random() < (0.85 if kind in ("un_entity", "intergovernmental") else 0.55)
        scope = {"un_entity": "global", "intergovernmental": region_scope}.get(
            kind, rng.choice((None, "global", "regional"))
        )
        created = between(rng, ICAT_RECORDS_START, TODAY - timedelta(days=30))
        org = Org(eid, name, acronym, kind in ("un_entity", "intergovernmental") and covers)
        world.orgs[eid] = org
        world.add(
            "entities",
            id=eid,
            name=name,
            acronym=acronym,
            kind=kind,
            scope=scope,
            un_system=kind == "un_entity",
            mandate_covers_tip=covers,
            mandate_reference=f"{acronym} statute, art. {rng.randint(1, 30)}" if covers else None,
            website=f"https://www.{eid}.org" if rng.random() < 0.9 else None,
            created_at=at(created, rng),
            updated_at=at(between(rng, created, TODAY), rng),
            version=1,
        )
        if org.eligible and rng.random() < 0.8:
            _history(world, org)


def _history(world: World, org: Org) -> None:
    """Role spans of one eligible entity: touching at most, never overlapping."""
    rng = world.rng
    patterns, weights = [p for p, _ in PATTERNS], [w for _, w in PATTERNS]
    pattern = rng.choices(patterns, weights)[0]
    span_days = (TODAY - timedelta(days=120) - ICAT_RECORDS_START).days
    start = ICAT_RECORDS_START + timedelta(days=int(span_days * rng.random() ** 0.7))
    first_role = "partner" if "partner" in pattern else "member"
    decision_id = None
    if rng.random() < 0.6:  # admitted by a decision of the Working Group (ToR 3.A.3)
        start, decision_id = _admit(world, org, first_role, start)

    def later(day: date, lo: int, hi: int) -> date | None:
        end = day + timedelta(days=rng.randint(lo, hi))
        return end if end < TODAY else None

    spans: list[tuple[Span, int | None]] = []
    if pattern in ("member", "partner"):
        spans.append((Span(first_role, start, None), decision_id))
    elif pattern == "partner_then_member":
        end = later(start, 180, 1500)
        spans.append((Span("partner", start, end), decision_id))
        if end is not None:
            spans.append((Span("member", end, None), None))
    else:
        end = later(start, 180, 2500)
        spans.append((Span(first_role, start, end), decision_id))
        again = later(end, 100, 1000) if end is not None and pattern == "returning_member" else None
        if again is not None:
            spans.append((Span("member", again, None), None))
    for span, admission in spans:
        world.add_span(org, span)
        world.add(
            "memberships",
            entity_id=org.id,
            role=span.role,
            starts_on=span.starts_on,
            ends_on=span.ends_on,
            note="Synthetic (bench.scale).",
            admission_decision_id=admission,
            created_at=at(span.starts_on, rng),
            updated_at=at(span.ends_on or span.starts_on, rng),
        )
        if span.role == "member" and rng.random() < 0.6:  # confirms interest (ToR 3.B.7)
            last = min(TODAY, (span.ends_on or TODAY) - timedelta(days=1))
            confirmed = min(last, span.starts_on + timedelta(days=rng.randint(0, 120)))
            org.enrolled.append(confirmed)
            world.add(
                "working_group_enrolments",
                entity_id=org.id,
                confirmed_on=confirmed,
                confirmation_reference=f"{org.acronym}/WG/{confirmed.year}/{rng.randint(1, 999)}",
                created_at=at(confirmed, rng),
            )


def _admit(world: World, org: Org, role: str, start: date) -> tuple[date, int | None]:
    """The application and the admission decision at the first meeting on or after ``start``;
    the role starts on the day of the decision. Unchanged when no meeting fits."""
    rng = world.rng
    meeting = world.deciding_meeting(
        start, start + timedelta(days=365), earliest=True, working_group=True
    )
    if meeting is None:
        return start, None
    day = meeting.starts_on
    app_id = world.new_id("applications")
    decision = world.decide(
        "admission",
        day,
        day,
        f"The Working Group admits {org.name} as an ICAT {role} (ToR 3.A.3).",
        meeting=meeting,
        effects=[f"{org.id}: {role} from {day}", f"application {app_id}: accepted"],
        application_id=app_id,
    )
    assert decision is not None
    submitted = day - timedelta(days=rng.randint(20, 150))
    world.add(
        "applications",
        id=app_id,
        entity_id=org.id,
        role=role,
        submitted_on=submitted,
        addressed_to=rng.choice(("chair", "coordinator")),
        letter_reference=f"{org.acronym}/ICAT/{submitted.year}/{rng.randint(1, 999)}",
        status="accepted",
        closed_on=day,
        decision_id=decision["id"],
        created_at=at(submitted, rng),
        updated_at=at(day, rng),
    )
    return day, int(decision["id"])


def make_focal_points(world: World, n: int, gap_ratio: float) -> None:
    """``n`` contacts over today's members and partners, but a ``gap_ratio`` share of them
    designates none (the gaps report); a few removed contacts leave tombstones."""
    rng = world.rng
    holders = world.holders(TODAY)
    rng.shuffle(holders)
    designating = holders[: max(0, min(n, round(len(holders) * (1 - gap_ratio))))]
    if not designating:
        return
    weights = [rng.uniform(0.2, 2.0) for _ in designating]
    counts = [1] * len(designating)
    for i in rng.choices(range(len(designating)), weights, k=n - len(designating)):
        counts[i] += 1
    for eid, count in zip(designating, counts, strict=True):
        org = world.orgs[eid]
        since = max(s.starts_on for s in org.spans if s.holds_on(TODAY))
        for k in range(count):
            fp_id = world.new_id("focal_points")
            created = at(between(rng, since, TODAY), rng)
            changed = created + timedelta(minutes=rng.randrange(0, 60 * 24 * 400))
            changed = min(changed, at(TODAY, rng))
            if k > 0 and rng.random() < 0.02:  # removed since: only the tombstone is left
                world.add(
                    "focal_point_tombstones",
                    id=fp_id,
                    entity_id=eid,
                    external_id=f"{org.acronym}-{k:05d}",
                    deleted_at=changed,
                )
                continue
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            prefix, digits = rng.choice(PHONES)
            world.add(
                "focal_points",
                id=fp_id,
                entity_id=eid,
                external_id=f"{org.acronym}-{k:05d}",
                name=f"{first} {last}",
                title=rng.choice(TITLES) if rng.random() < 0.8 else None,
                email=f"{first}.{last}.{k}@{eid}.org".lower(),
                phone=prefix + str(rng.randrange(10 ** (digits - 1), 10**digits))
                if rng.random() < 0.7
                else None,
                is_primary=k == 0,
                created_at=min(created, changed),
                updated_at=changed,
            )
