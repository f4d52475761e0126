"""The sitting Chair's powers (ToR 3.D.3), as a dependency."""

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from icat_api.auth import require, secretariat
from icat_api.caller import Caller
from icat_api.chair_terms.service import sitting_chair_ids
from icat_api.clock import today


def sitting_chair(caller: Caller, session: Session, _request: Request) -> bool:
    """ToR 3.D.3: the Chair (or a co-chair) sitting today leads the Working Group's business:
    meetings, attendance, decisions, work plans, publications."""
    if caller.entity_id is None:
        return False
    return caller.entity_id in sitting_chair_ids(session, today())


ChairOrSecretariat = Annotated[
    Caller,
    Depends(
        require(secretariat, sitting_chair, what="do this: the sitting Chair or the secretariat")
    ),
]
