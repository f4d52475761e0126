"""The rules as pure functions, over every boundary; and the SQL status against the pure one."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api.chair_terms import rules as chair_rules
from icat_api.entities import rules
from icat_api.entities.models import Entity, Membership
from icat_api.problems import RuleViolation

D = date


@pytest.mark.parametrize(
    ("kind", "mandate", "rule"),
    [
        ("non_governmental", True, "ToR 3.A.5"),
        ("non_governmental", False, "ToR 3.A.5"),
        ("other", True, "ToR 3.A.4(a)"),
        ("un_entity", False, "ToR 3.A.4(b)"),
        ("intergovernmental", False, "ToR 3.A.4(b)"),
    ],
)
def test_who_may_not_hold_a_role(kind: str, mandate: bool, rule: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        rules.check_may_hold_role(kind=kind, mandate_covers_tip=mandate)
    assert caught.value.rule == rule
    assert rule in caught.value.detail


@pytest.mark.parametrize("kind", ["un_entity", "intergovernmental"])
def test_international_relevant_organizations_may(kind: str) -> None:
    rules.check_may_hold_role(kind=kind, mandate_covers_tip=True)


PARTNER = rules.Span("partner", D(2015, 7, 22), D(2017, 1, 1))


@pytest.mark.parametrize(
    ("new", "clash"),
    [
        (rules.Span("member", D(2017, 1, 1), None), False),  # touching: allowed
        (rules.Span("member", D(2016, 12, 31), None), True),  # one day of overlap
        (rules.Span("member", D(2010, 1, 1), D(2015, 7, 22)), False),  # ends as it starts
        (rules.Span("member", D(2010, 1, 1), D(2015, 7, 23)), True),
        (rules.Span("partner", D(2016, 1, 1), D(2016, 2, 1)), True),  # inside
        (rules.Span("member", D(2010, 1, 1), None), True),  # open, covering it
    ],
)
def test_one_role_at_a_time_on_every_boundary(new: rules.Span, clash: bool) -> None:
    if clash:
        with pytest.raises(RuleViolation) as caught:
            rules.check_one_role_at_a_time([PARTNER], new)
        assert caught.value.rule == "ToR 3.E/3.F"
    else:
        rules.check_one_role_at_a_time([PARTNER], new)


def test_status_on_every_boundary_day() -> None:
    spans = [PARTNER, rules.Span("member", D(2017, 1, 1), D(2020, 1, 1))]
    assert rules.derive_status(spans, D(2015, 7, 21)) == "stakeholder"
    assert rules.derive_status(spans, D(2015, 7, 21), applicant=True) == "applicant"
    assert rules.derive_status(spans, D(2015, 7, 22)) == "partner"
    assert rules.derive_status(spans, D(2016, 12, 31)) == "partner"
    assert rules.derive_status(spans, D(2017, 1, 1)) == "member"
    assert rules.derive_status(spans, D(2019, 12, 31)) == "member"
    assert rules.derive_status(spans, D(2020, 1, 1)) == "former_member"
    assert rules.derive_status([], D(2020, 1, 1)) == "stakeholder"


def test_sql_status_agrees_with_the_rule_on_every_day_around_each_boundary(db: Session) -> None:
    db.add(
        Entity(
            id="probe",
            name="Probe",
            kind="intergovernmental",
            un_system=False,
            mandate_covers_tip=True,
        )
    )
    spans = [PARTNER, rules.Span("member", D(2017, 1, 1), D(2020, 1, 1))]
    for s in spans:
        db.add(Membership(entity_id="probe", role=s.role, starts_on=s.starts_on, ends_on=s.ends_on))
    db.flush()
    boundaries = [D(2015, 7, 22), D(2017, 1, 1), D(2020, 1, 1)]
    for boundary in boundaries:
        for delta in (-1, 0, 1):
            day = boundary + timedelta(days=delta)
            sql = db.scalar(select(rules.status_expression(day)).where(Entity.id == "probe"))
            assert sql == rules.derive_status(spans, day), day


def test_chair_seats() -> None:
    chair_rules.check_seats(["a"], None)
    chair_rules.check_seats(["a", "b"], None)
    chair_rules.check_seats(["a", "b"], {"a": list("abcdefghijklm"), "b": ["a"]})
    with pytest.raises(RuleViolation, match=r"3\.D\.2"):
        chair_rules.check_seats(["a", "b", "c"], None)
    with pytest.raises(RuleViolation, match="unassigned: m"):
        chair_rules.check_seats(["a", "b"], {"a": list("abcdef"), "b": list("ghijkl")})
    with pytest.raises(RuleViolation):
        chair_rules.check_seats(["a", "b"], {"a": list("abcdefghijklm")})


def test_chair_years() -> None:
    chair_rules.check_years_free((2020, 2020), [(2007, 2010), (2019, 2019)])
    with pytest.raises(RuleViolation) as caught:
        chair_rules.check_years_free((2010, 2011), [(2007, 2010)])
    assert caught.value.rule == "ToR 3.D.1" and caught.value.status == 409
