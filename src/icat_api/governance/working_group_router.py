"""HTTP for the Working Group: roster, enrolments, voting rights, participation."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from icat_api.auth import AuthenticatedCaller
from icat_api.conditional import etag_of, json_response, render_json, tagged_response
from icat_api.data_version import Cached, cached
from icat_api.db import SessionDep, read_handler
from icat_api.entities.names import OPENAPI_HEADERS, Naming
from icat_api.governance import participation, working_group
from icat_api.governance.schemas import (
    EnrolmentCreate,
    EnrolmentRead,
    ParticipationRead,
    VotingRightsRead,
    WorkingGroupRead,
)
from icat_api.languages import preferred_language
from icat_api.params import EntityPath, OnQuery, today_or
from icat_api.problems import responses
from icat_api.schemas import Day

router = APIRouter(tags=["working group"])


@router.get(
    "/v1/working-group",
    summary="The Working Group on a day",
    response_model=WorkingGroupRead,
    responses={
        200: {"description": "The roster.", "headers": OPENAPI_HEADERS},
        **responses(304, 422),
    },
)
async def get_working_group(request: Request, on: OnQuery = None) -> Response:
    """The members enrolled in the Working Group on `on` (today by default), each with
    `confirmed_on`, `first_participation_on` and whether it votes that day (ToR 3.B.7), and the
    partners attending as non-voting observers, named as they were that day in the UN language
    `Accept-Language` prefers (English where it is not filled; `Content-Language` names the
    languages used). Public; answered from memory until the data changes."""
    day = today_or(on)
    language = preferred_language(request.headers.get("accept-language"))
    factory = request.app.state.sessionmaker

    def build() -> Cached:
        naming = Naming(day, language)
        with factory() as session:
            body = render_json(working_group.roster(session=session, day=day, naming=naming))
        return Cached(body, etag_of(body), naming.content_language())

    hit = await cached(request.app.state.read_cache, ("working-group", day, language), build)
    headers = {"Content-Language": hit.language or language, "Vary": "Accept, Accept-Language"}
    return tagged_response(request, hit.body, hit.etag, headers=headers)


@router.post(
    "/v1/working-group/enrolments",
    summary="Confirm interest in the Working Group",
    status_code=201,
    response_model=EnrolmentRead,
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def enrol_in_working_group(
    request: Request, session: SessionDep, caller: AuthenticatedCaller, body: EnrolmentCreate
) -> Response:
    """Records a member's written confirmation of its interest in joining the Working Group
    (ToR 3.B.7): it votes from its first Working Group meeting on or after `confirmed_on`.
    Partners cannot enrol (they attend as observers). The member's own key or the secretariat."""
    created = working_group.enrol(session=session, caller=caller, data=body)
    return json_response(request, created, status_code=201)


@router.get(
    "/v1/entities/{entity_id}/voting-rights",
    summary="Voting rights on a day",
    response_model=VotingRightsRead,
    tags=["entities"],
    responses=responses(304, 404, 422),
)
@read_handler
def get_voting_rights(
    request: Request, session: SessionDep, entity_id: EntityPath, on: OnQuery = None
) -> Response:
    """Whether the entity has voting rights on `on` (today by default), since when, and why:
    a member votes from its first Working Group meeting on or after its written confirmation —
    at that meeting already; never a partner, never after its membership ended (ToR 3.B.7,
    3.E.3). Derived from the facts each time. Public."""
    return json_response(
        request, working_group.voting_rights(session=session, entity_id=entity_id, day=today_or(on))
    )


@router.get(
    "/v1/working-group/participation",
    summary="Members' participation in the Working Group",
    response_model=ParticipationRead,
    responses={
        200: {"description": "The members' participation.", "headers": OPENAPI_HEADERS},
        **responses(304, 422),
    },
)
async def get_participation(
    request: Request,
    from_: Annotated[
        Day | None,
        Query(
            alias="from",
            description="The window's first day (included); a year before `to` by default.",
            examples=["2014-07-01"],
        ),
    ] = None,
    to: Annotated[
        Day | None,
        Query(
            description="The window's last day (included); today by default.",
            examples=["2015-06-30"],
        ),
    ] = None,
) -> Response:
    """Each member enrolled in the Working Group on `to`: the Working Group meetings held from
    `from` to `to` and how many it attended, with the ratio chair eligibility uses and whether
    it reaches `ICAT_CHAIR_MIN_ATTENDANCE_RATIO` — so the Chair can table those who have
    stopped participating (ToR 3.B.4, 3.E.2: members actively and regularly participate).
    Members are named as on `to`, in the UN language `Accept-Language` prefers (English where
    it is not filled; `Content-Language` names the languages used). Public; answered from
    memory until the data changes."""
    last = today_or(to)
    first = participation.window(from_, last)
    min_ratio = request.app.state.settings.chair_min_attendance_ratio
    language = preferred_language(request.headers.get("accept-language"))
    factory = request.app.state.sessionmaker

    def build() -> Cached:
        naming = Naming(last, language)
        with factory() as session:
            data = participation.participation(
                session=session, first=first, last=last, min_ratio=min_ratio, naming=naming
            )
        body = render_json(data)
        return Cached(body, etag_of(body), naming.content_language())

    key = ("participation", first, last, language)
    hit = await cached(request.app.state.read_cache, key, build)
    headers = {"Content-Language": hit.language or language, "Vary": "Accept, Accept-Language"}
    return tagged_response(request, hit.body, hit.etag, headers=headers)
