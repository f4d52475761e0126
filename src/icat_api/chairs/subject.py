"""Chair election (ToR 3.D.1): a candidacy is the subject of a `chair_election` decision."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api.chair_terms import rules as term_rules
from icat_api.chair_terms.models import ChairTerm
from icat_api.chair_terms.service import insert_term, read_term
from icat_api.chairs import eligibility, rules
from icat_api.chairs.candidacies import read
from icat_api.chairs.models import ChairCandidacy
from icat_api.governance.decision_schemas import ChairElectionDecision
from icat_api.governance.models import Decision
from icat_api.governance.subjects import Effect, Taking, register
from icat_api.problems import unknown


class ChairElection:
    """An open candidacy, every candidate's interest expressed (ToR 3.D.2), decided by 30 June
    of the year before its term, every candidate eligible that day, the term's year free
    (ToR 3.D.1); adopted, it creates the term."""

    def check(self, session: Session, data: ChairElectionDecision, taking: Taking) -> Effect:
        row = session.scalar(
            select(ChairCandidacy).where(ChairCandidacy.id == data.candidacy_id).with_for_update()
        )
        if row is None:
            raise unknown("candidacy_id", "candidacy")
        before = read(session, row)
        rules.check_electable(
            row.status, [e for e in row.entity_ids if e not in row.confirmed_entity_ids]
        )
        rules.check_election_window(row.term_year, taking.day)
        rules.check_after_interest(row.submitted_on, taking.day)
        existing = session.execute(
            select(ChairTerm.start_year, ChairTerm.end_year).with_for_update()
        ).all()
        term_rules.check_years_free((row.term_year, row.term_year), [(s, e) for s, e in existing])
        rules.check_candidates_eligible(
            eligibility.verdicts(session, list(row.entity_ids), taking.day, taking.chair_min_ratio),
            taking.day,
        )

        def elected(decision: Decision) -> list[str]:
            row.status, row.closed_on = "elected", decision.decided_on
            row.election_decision_id = decision.id
            term = insert_term(
                session,
                row.term_year,
                row.term_year,
                list(row.entity_ids),
                row.roles,
                note=f"Elected by decision {decision.id}.",
                election_decision_id=decision.id,
            )
            taking.audit(
                session, decision, "elect", ("chair_candidacy", row.id), before, read(session, row)
            )
            taking.audit(
                session, decision, "create", ("chair_term", term.id), None, read_term(session, term)
            )
            return [
                f"chair term {row.term_year}: {' and '.join(row.entity_ids)} (term {term.id})",
                f"candidacy {row.id}: elected",
            ]

        return elected


register("chair_election", ChairElection())
