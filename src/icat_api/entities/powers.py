"""Powers that follow from an entity's standing in ICAT on the day of the request."""

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from icat_api.auth import require, secretariat
from icat_api.caller import Caller
from icat_api.clock import today
from icat_api.entities.service import status_on


def participant_today(session: Session, entity_id: str | None) -> bool:
    """Whether ``entity_id`` is a member or partner today (ToR 3.A.1)."""
    return entity_id is not None and status_on(session, entity_id, today()) in ("member", "partner")


def icat_participant(caller: Caller, session: Session, _request: Request) -> bool:
    """A member or partner today (ToR 3.A.1): may read what ICAT shares among its members,
    such as other members' focal points (ToR 3.A.2)."""
    return participant_today(session, caller.entity_id)


def reads_personal_data(caller: Caller | None, session: Session) -> bool:
    """DESIGN section 5: personal data (focal points, meeting representatives' names) is read
    by the secretariat and by the keys of entities that are members or partners today — never
    by stakeholders', applicants', former members' or revoked keys, nor by the public."""
    if caller is None:
        return False
    return caller.is_secretariat or participant_today(session, caller.entity_id)


ParticipantOrSecretariat = Annotated[
    Caller,
    Depends(
        require(
            secretariat, icat_participant, what="read this: ICAT members' and partners' keys only"
        )
    ),
]
