"""Powers that follow from an entity's standing in ICAT on the day of the request."""

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from icat_api.auth import own_entity, require, secretariat
from icat_api.caller import Caller
from icat_api.clock import today
from icat_api.entities.service import status_on


def icat_participant(caller: Caller, session: Session, _request: Request) -> bool:
    """A member or partner today (ToR 3.A.1): may read what ICAT shares among its members,
    such as other members' focal points (ToR 3.A.2)."""
    if caller.entity_id is None:
        return False
    return status_on(session, caller.entity_id, today()) in ("member", "partner")


ParticipantOrSecretariat = Annotated[
    Caller,
    Depends(
        require(
            secretariat,
            own_entity,
            icat_participant,
            what="read this: ICAT members' and partners' keys only",
        )
    ),
]
