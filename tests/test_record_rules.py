"""The rules that keep the record from saying what the ToR forbids (issue 11), as pure
functions: each refuses with its clause, and lets the boundary through."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from icat_api import rules as record_rules
from icat_api.applications import rules as application_rules
from icat_api.chair_terms import rules as term_rules
from icat_api.chairs import rules as chair_rules
from icat_api.funding import rules as funding_rules
from icat_api.governance import rules as governance_rules
from icat_api.problems import RuleViolation
from icat_api.publications import rules as publication_rules
from icat_api.work_plans import rules as plan_rules

TODAY = date(2026, 11, 28)


def refused(clause: str, status: int = 422) -> pytest.RaisesExc[RuleViolation]:
    return pytest.raises(RuleViolation, check=lambda e: (e.rule, e.status) == (clause, status))


def test_a_fact_is_dated_today_at_the_latest() -> None:
    record_rules.check_not_after_today("received_on", TODAY, TODAY)
    record_rules.check_not_after_today("received_on", date(2000, 1, 1), TODAY)
    with refused("ToR 3.C.2") as caught:
        record_rules.check_not_after_today("received_on", TODAY + timedelta(days=1), TODAY)
    assert "received_on 2026-11-29" in str(caught.value.detail)


@pytest.mark.parametrize(
    ("kind", "clause"),
    [
        ("admission", "ToR 3.A.3"),
        ("chair_election", "ToR 3.D.1"),
        ("work_plan_endorsement", "ToR 3.B.2(a)"),
        ("budget_allocation", "ToR 3.B.2(b)"),
        ("funding_approval", "ToR 3.B.5"),
        ("product_sign_off", "ToR 3.B.5"),
    ],
)
@pytest.mark.parametrize("meeting_kind", ["briefing", "consultation", "principals", "expert_group"])
def test_working_group_decisions_only_at_its_meetings(
    kind: str, clause: str, meeting_kind: str
) -> None:
    governance_rules.check_taken_where(kind, "working_group")
    governance_rules.check_taken_where(kind, None)  # electronically
    with refused(clause):
        governance_rules.check_taken_where(kind, meeting_kind)


@pytest.mark.parametrize("meeting_kind", ["briefing", "working_group", None])
def test_a_general_decision_anywhere(meeting_kind: str | None) -> None:
    governance_rules.check_taken_where("general", meeting_kind)


def test_an_electronic_procedure_consults_everyone_with_voting_rights() -> None:
    entitled = {"ilo", "iom", "unodc"}
    governance_rules.check_everyone_consulted(entitled, entitled, TODAY)
    governance_rules.check_everyone_consulted(entitled | {"undp"}, entitled, TODAY)
    with refused("ToR 3.B.3") as caught:
        governance_rules.check_everyone_consulted({"ilo"}, entitled, TODAY)
    assert str(caught.value.detail).endswith("left out: iom, unodc (ToR 3.B.3)")


def test_attendance_keeps_what_decisions_relied_on() -> None:
    governance_rules.check_attendance_keeps_decisions({"council-of-europe"}, {"ilo", "iom"})
    governance_rules.check_attendance_keeps_decisions(set(), {"ilo"})
    with refused("ToR 3.B.3", 409) as caught:
        governance_rules.check_attendance_keeps_decisions({"iom", "undp"}, {"ilo", "iom"})
    assert "iom" in str(caught.value.detail) and "undp" not in str(caught.value.detail)


def test_a_meetings_days_keep_its_decisions() -> None:
    governance_rules.check_days_keep_decisions(0)
    with refused("ToR 3.B.3", 409):
        governance_rules.check_days_keep_decisions(1)


def test_chair_terms_after_this_year_come_from_elections() -> None:
    term_rules.check_term_is_history(2026, 2026)
    term_rules.check_term_is_history(2007, 2026)
    with refused("ToR 3.D.1"):
        term_rules.check_term_is_history(2027, 2026)


def test_a_candidacy_closes_when_elected_withdrawn_taken_or_late() -> None:
    open_until = date(2026, 6, 30)  # for the 2027 term
    assert chair_rules.candidacy_status("candidate", 2027, False, open_until) == "candidate"
    late = open_until + timedelta(days=1)
    assert chair_rules.candidacy_status("candidate", 2027, False, late) == "not_elected"
    assert chair_rules.candidacy_status("candidate", 2027, True, open_until) == "not_elected"
    for stored in ("awaiting_confirmation", "elected", "withdrawn"):
        assert chair_rules.candidacy_status(stored, 2027, True, late) == stored


def test_only_a_confirmed_open_candidacy_is_elected() -> None:
    chair_rules.check_electable("candidate", [])
    with refused("ToR 3.D.2") as caught:
        chair_rules.check_electable("awaiting_confirmation", ["iom"])
    assert str(caught.value.detail).endswith("awaiting: iom (ToR 3.D.2)")
    for closed in ("elected", "withdrawn"):
        with refused("ToR 3.D.1", 409):
            chair_rules.check_electable(closed, [])


def test_each_named_candidate_confirms_its_own_interest_once() -> None:
    chair_rules.check_confirmer(["ilo", "iom"], ["ilo"], "iom")
    with refused("ToR 3.D.2"):
        chair_rules.check_confirmer(["ilo", "iom"], ["ilo"], "unhcr")
    with refused("ToR 3.D.2", 409):
        chair_rules.check_confirmer(["ilo", "iom"], ["ilo"], "ilo")


def test_only_an_open_candidacy_is_withdrawn() -> None:
    chair_rules.check_withdrawable("candidate")
    chair_rules.check_withdrawable("awaiting_confirmation")
    for closed in ("elected", "withdrawn", "not_elected"):
        with refused("ToR 3.D.1", 409):
            chair_rules.check_withdrawable(closed)


def test_an_application_is_decided_or_withdrawn_while_open() -> None:
    application_rules.check_open("submitted", "decided")
    for closed in ("accepted", "not_accepted", "withdrawn"):
        with refused("ToR 3.A.3", 409):
            application_rules.check_open(closed, "decided")


def test_endorsed_work_plans_never_overlap() -> None:
    plan_rules.check_no_overlap(2025, [2021, 2023, 2027])
    for other in (2024, 2025, 2026):
        with refused("ToR 3.B.2(a)", 409):
            plan_rules.check_no_overlap(2025, [other])


def test_the_chairs_co_lead_the_work_plan() -> None:
    plan_rules.check_co_leads(["ilo"], ["ilo"], [])
    plan_rules.check_co_leads(["ilo", "iom"], ["ilo"], ["iom"])
    with refused("ToR 3.D.3(e)") as caught:
        plan_rules.check_co_leads(["ilo", "tip-watch"], ["ilo"], ["iom"])
    assert str(caught.value.detail).endswith("not: tip-watch (ToR 3.D.3(e))")
    with refused("ToR 3.D.3(e)"):
        plan_rules.check_co_leads(["ilo"], [], [])


def approval(**fields: object) -> SimpleNamespace:
    base = {
        "kind": "funding_approval",
        "outcome": "adopted",
        "recipient_entity_id": "iom",
        "activity_id": 7,
        "decided_on": date(2024, 3, 1),
    }
    return SimpleNamespace(**{**base, **fields})


def test_funds_come_with_the_working_groups_prior_approval() -> None:
    funding_rules.check_approval(approval(), "iom", date(2024, 3, 1))
    for bad in (
        None,
        approval(kind="general"),
        approval(outcome="not_adopted"),
        approval(recipient_entity_id="ilo"),
        approval(decided_on=date(2024, 3, 2)),
    ):
        with refused("ToR 3.B.5"):
            funding_rules.check_approval(bad, "iom", date(2024, 3, 1))


def test_funds_are_for_the_approved_activity_of_an_endorsed_plan() -> None:
    funding_rules.check_same_activity(7, 7)
    funding_rules.check_activity_of_endorsed_plan(7, "endorsed")
    for approved, named in ((7, 8), (None, None), (None, 7)):
        with refused("ToR 3.B.5"):
            funding_rules.check_same_activity(approved, named)
    with refused("ToR 3.B.5"):
        funding_rules.check_activity_of_endorsed_plan(7, "draft")
    funding_rules.check_in_working_group("iom", TODAY, True)
    with refused("ToR 3.B.5"):
        funding_rules.check_in_working_group("council-of-europe", TODAY, False)


def test_a_product_is_published_once_after_its_sign_off() -> None:
    publication_rules.check_draft("draft")
    publication_rules.check_publishable("signed_off", date(2024, 5, 1), date(2024, 5, 1))
    with refused("ToR 3.B.5", 409):
        publication_rules.check_draft("signed_off")
    with refused("ToR 3.B.5", 409):
        publication_rules.check_publishable("published", date(2024, 5, 1), date(2024, 6, 1))
    with refused("ToR 3.B.5"):
        publication_rules.check_publishable("draft", None, date(2024, 6, 1))
    with refused("ToR 3.B.5"):
        publication_rules.check_publishable("signed_off", date(2024, 5, 1), date(2024, 4, 30))
