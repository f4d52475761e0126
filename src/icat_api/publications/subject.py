"""Product sign-off (ToR 3.B.5): every ICAT product is signed off by consensus before it is
published."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api.db import utcnow
from icat_api.governance.decision_schemas import ProductSignOffDecision
from icat_api.governance.models import Decision
from icat_api.governance.subjects import Effect, Taking, register
from icat_api.problems import unknown
from icat_api.publications import rules
from icat_api.publications.models import Publication
from icat_api.publications.service import read


class SignOff:
    """A draft product; adopted, it is signed off and may be published."""

    def check(self, session: Session, data: ProductSignOffDecision, taking: Taking) -> Effect:
        row = session.scalar(
            select(Publication).where(Publication.id == data.publication_id).with_for_update()
        )
        if row is None:
            raise unknown("publication_id", "publication")
        rules.check_draft(row.status)

        def signed(decision: Decision) -> list[str]:
            before = read(row)
            row.status, row.sign_off_decision_id = "signed_off", decision.id
            row.updated_at = utcnow()
            session.flush()
            taking.audit(session, decision, "sign_off", ("publication", row.id), before, read(row))
            return [f"publication {row.id}: signed off"]

        return signed


register("product_sign_off", SignOff())
