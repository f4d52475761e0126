"""HTTP for chair eligibility and expressions of interest (ToR 3.D.1, 3.D.2, 3.E.3)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from icat_api.auth import AuthenticatedCaller
from icat_api.chairs import candidacies, eligibility
from icat_api.chairs.schemas import (
    CandidacyConfirm,
    CandidacyCreate,
    CandidacyRead,
    CandidacyWithdraw,
    EligibilityRead,
)
from icat_api.conditional import created_response, json_response
from icat_api.db import SessionDep, read_handler
from icat_api.pagination import PageDep
from icat_api.params import EntityPath, IdPath, OnQuery, YearQuery, today_or
from icat_api.problems import responses
from icat_api.schemas import Page

router = APIRouter(tags=["chairs"])


@router.get(
    "/v1/entities/{entity_id}/chair-eligibility",
    summary="Eligibility to chair on a day",
    response_model=EligibilityRead,
    responses=responses(304, 404, 422),
)
@read_handler
def get_chair_eligibility(
    request: Request, session: SessionDep, entity_id: EntityPath, on: OnQuery = None
) -> Response:
    """Whether the entity may be elected Chair on `on` (today by default), with every reason
    and the evidence (ToR 3.D.1, 3.E.3). The project's reading of "one year of active and
    regular participation": a member (never a partner) with voting rights that day, whose first
    Working Group participation is at least one year earlier, and who attended at least
    `min_attendance_ratio` (setting `ICAT_CHAIR_MIN_ATTENDANCE_RATIO`, default 0.5) of the
    Working Group meetings held in the twelve months before the day (from the same day a year
    earlier, included). Public."""
    return json_response(
        request,
        eligibility.eligibility(
            session=session,
            entity_id=entity_id,
            day=today_or(on),
            min_ratio=request.app.state.settings.chair_min_attendance_ratio,
        ),
    )


@router.get(
    "/v1/chair-candidacies",
    summary="Expressions of interest in chairing",
    response_model=Page[CandidacyRead],
    responses=responses(304, 422),
)
@read_handler
def list_candidacies(
    request: Request,
    session: SessionDep,
    page: PageDep,
    term_year: Annotated[YearQuery | None, Query(description="The term they are for.")] = None,
) -> Response:
    """Expressions of interest, by one member or two co-chairs, for a term year. Public."""
    return json_response(
        request, candidacies.list_candidacies(session=session, page=page, term_year=term_year)
    )


@router.post(
    "/v1/chair-candidacies",
    summary="Express interest in chairing",
    status_code=201,
    response_model=CandidacyRead,
    responses=responses(400, 401, 403, 413, 422),
)
def create_candidacy(
    request: Request, session: SessionDep, caller: AuthenticatedCaller, body: CandidacyCreate
) -> Response:
    """Records an expression of interest in chairing the term `term_year`: made in Q1
    (1 January - 31 March) of the year before (ToR 3.D.1), by one member or two co-chairs whose
    `roles` assign each of the Chair's tasks a-m of ToR 3.D.3 to one or both, none left out
    (ToR 3.D.2). Candidates are members (ToR 3.E.3); eligibility is checked at the election.
    A candidate's own key or the secretariat."""
    created = candidacies.create(session=session, caller=caller, data=body)
    return created_response(request, created, f"/v1/chair-candidacies/{created.id}")


@router.get(
    "/v1/chair-candidacies/{candidacy_id}",
    summary="Read an expression of interest",
    response_model=CandidacyRead,
    responses=responses(304, 404, 422),
)
@read_handler
def get_candidacy(request: Request, session: SessionDep, candidacy_id: IdPath) -> Response:
    """One expression of interest and whether it was elected. Public."""
    return json_response(request, candidacies.get(session=session, candidacy_id=candidacy_id))


@router.post(
    "/v1/chair-candidacies/{candidacy_id}/confirm",
    summary="Confirm a joint expression of interest",
    response_model=CandidacyRead,
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def confirm_candidacy(
    request: Request,
    session: SessionDep,
    caller: AuthenticatedCaller,
    candidacy_id: IdPath,
    body: CandidacyConfirm,
) -> Response:
    """A named co-candidate expresses its own interest in a joint candidacy filed by the other
    (ToR 3.D.2), in Q1 of the year before the term (ToR 3.D.1): until every candidate has, the
    candidacy is `awaiting_confirmation` and cannot be elected. The co-candidate's own key, or
    the secretariat (naming `entity_id`, or confirming for every candidate awaited)."""
    return json_response(
        request,
        candidacies.confirm(session=session, caller=caller, candidacy_id=candidacy_id, data=body),
    )


@router.post(
    "/v1/chair-candidacies/{candidacy_id}/withdraw",
    summary="Withdraw an expression of interest",
    response_model=CandidacyRead,
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def withdraw_candidacy(
    request: Request,
    session: SessionDep,
    caller: AuthenticatedCaller,
    candidacy_id: IdPath,
    body: CandidacyWithdraw,
) -> Response:
    """Ends an open candidacy (409 once elected or withdrawn). Either candidate's key or the
    secretariat."""
    return json_response(
        request,
        candidacies.withdraw(session=session, caller=caller, candidacy_id=candidacy_id, data=body),
    )
