"""GET /v1/changes: every change to every resource, in commit order."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from icat_api.auth import OptionalCaller
from icat_api.changes import service
from icat_api.changes.schemas import ChangeRead
from icat_api.conditional import json_response
from icat_api.db import SessionDep, read_handler
from icat_api.entities.powers import reads_personal_data
from icat_api.pagination import PageDep
from icat_api.problems import responses
from icat_api.schemas import Page

router = APIRouter(prefix="/v1", tags=["changes"])


@router.get(
    "/changes",
    summary="Read the change feed",
    response_model=Page[ChangeRead],
    responses=responses(304, 422),
)
@read_handler
def list_changes(
    request: Request,
    session: SessionDep,
    caller: OptionalCaller,
    page: PageDep,
    after: Annotated[
        int | None,
        Query(
            ge=0,
            le=2**63 - 1,
            description="The last `seq` you saw: only later changes are listed. Beyond the "
            "last change is a 422.",
            examples=[0],
        ),
    ] = None,
) -> Response:
    """Every change to every resource, in commit order (`seq`): created, updated, or deleted
    (a tombstone: the id stays, the data is gone), and where to read the resource. Save the
    last `seq` and ask again with `after=seq`: you get exactly what changed since, nothing
    twice, nothing missed. Changes to personal data (focal points) are listed only for the
    keys of members, partners and the secretariat; without a key, public types only."""
    result = service.list_changes(
        session=session,
        page=page,
        after=after,
        personal=reads_personal_data(caller, session),
    )
    return json_response(request, result, headers={"Vary": "Authorization"})
