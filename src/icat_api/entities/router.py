"""HTTP for entities: parse, call the service, shape the answer."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from icat_api import csv_output
from icat_api.auth import Secretariat
from icat_api.conditional import check_if_match_any, json_response
from icat_api.db import SessionDep, read_handler
from icat_api.entities import service
from icat_api.entities.names import OPENAPI_HEADERS, Naming, headers
from icat_api.entities.schemas import EntityCreate, EntityRead, EntityUpdate, Kind, Status
from icat_api.languages import preferred_language
from icat_api.pagination import PageDep
from icat_api.params import EntityPath, OnQuery, today_or
from icat_api.problems import responses
from icat_api.schemas import Instant, Page

router = APIRouter(prefix="/v1/entities", tags=["entities"])


def naming_for(request: Request, on: date | None) -> Naming:
    """Names as ``request`` asks for them: on ``on`` (today by default), in the UN language its
    ``Accept-Language`` prefers."""
    return Naming(today_or(on), preferred_language(request.headers.get("accept-language")))


@router.get(
    "",
    summary="List entities",
    response_model=Page[EntityRead],
    responses={
        200: csv_output.openapi_200(
            "icat-entities-YYYY-MM-DD.csv",
            "the day `on` (today by default)",
            '"id","name","acronym","names","acronyms","former_names","kind","scope","un_system",'
            '"mandate_covers_tip","mandate_reference","website","note","status","working_group",'
            '"created_at","updated_at"\r\n"unodc","United Nations Office on Drugs and Crime",'
            '"UNODC","{""ar"": null, ""zh"": null, ""en"": ""United Nations Office on Drugs and '
            'Crime"", ""fr"": null, ""ru"": null, ""es"": null}","{""ar"": null, ""zh"": null, '
            '""en"": ""UNODC"", ""fr"": null, ""ru"": null, ""es"": null}","[]","un_entity",'
            '"global","True","True","","https://www.unodc.org","","member","True",'
            '"2026-01-01T00:00:00+00:00","2026-01-01T00:00:00+00:00"\r\n',
            OPENAPI_HEADERS,
        ),
        **responses(304, 422),
    },
)
@read_handler
def list_entities(
    request: Request,
    session: SessionDep,
    page: PageDep,
    on: OnQuery = None,
    status: Annotated[Status | None, Query(description="Status on the day `on`.")] = None,
    kind: Annotated[Kind | None, Query()] = None,
    working_group: Annotated[
        bool | None, Query(description="Enrolled in the Working Group on the day `on` (ToR 3.B.7).")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Text in the name, acronym or id.")
    ] = None,
    updated_since: Annotated[
        Instant | None,
        Query(description="Only entities changed at or after this time (RFC 3339)."),
    ] = None,
) -> Response:
    """Every organization the registry knows — members, partners, applicants, former members and
    stakeholders — ordered by id, with each one's status derived from its memberships on `on`
    (today by default). `Accept: text/csv` answers CSV: every entity matching the filters in
    one file (`limit` and `cursor` do not apply), one row per entity with the columns of the
    JSON items. `name` and `acronym` are those used on `on`, in the UN language
    `Accept-Language` prefers (English where it is not filled); `Content-Language` says which
    languages the answer uses. Public."""
    csv = csv_output.wants_csv(request)
    naming = naming_for(request, on)
    result = service.list_entities(
        session=session,
        page=None if csv else page,
        naming=naming,
        status=status,
        kind=kind,
        working_group=working_group,
        q=q,
        updated_since=updated_since,
    )
    if csv:
        filename = csv_output.dated_filename("entities", today_or(on))
        return csv_output.csv_response(
            request, service.to_csv(result.items), filename, headers(naming)
        )
    return json_response(request, result, headers=headers(naming))


@router.post(
    "",
    summary="Record a new entity",
    status_code=201,
    response_model=EntityRead,
    responses=responses(400, 401, 403, 409, 413, 422),
)
def create_entity(
    request: Request, session: SessionDep, caller: Secretariat, body: EntityCreate
) -> Response:
    """Records an organization under a new, permanent slug id. It is a `stakeholder` until it
    holds a role; its eligibility to hold one (ToR 3.A.4, 3.A.5) is checked when a membership is
    recorded. Secretariat only."""
    service.create_entity(session=session, caller=caller, data=body)
    naming = naming_for(request, None)
    created = service.get_entity(session=session, entity_id=body.id, naming=naming)
    return json_response(
        request,
        created,
        status_code=201,
        headers={"Location": f"/v1/entities/{created.id}", **headers(naming)},
    )


@router.get(
    "/{entity_id}",
    summary="Read an entity",
    response_model=EntityRead,
    responses={
        200: {"description": "The entity.", "headers": OPENAPI_HEADERS},
        **responses(304, 404, 422),
    },
)
@read_handler
def get_entity(
    request: Request, session: SessionDep, entity_id: EntityPath, on: OnQuery = None
) -> Response:
    """One organization and its status on `on` (today by default), named as it was that day in
    the UN language `Accept-Language` prefers (English where it is not filled; the answer's
    `Content-Language` names the languages used). Public; carries an ETag (one per language)."""
    naming = naming_for(request, on)
    found = service.get_entity(session=session, entity_id=entity_id, naming=naming)
    return json_response(request, found, headers=headers(naming))


@router.patch(
    "/{entity_id}",
    summary="Change an entity",
    response_model=EntityRead,
    responses=responses(400, 401, 403, 404, 409, 412, 413, 422),
)
def update_entity(
    request: Request,
    session: SessionDep,
    caller: Secretariat,
    entity_id: EntityPath,
    body: EntityUpdate,
) -> Response:
    """Applies the fields sent. With `If-Match`, answers 412 when the entity changed since it was
    read (in any language). A change that would make an entity holding a role ineligible is
    refused with the clause (ToR 3.A.4, 3.A.5). A renaming sends the new name with the old one
    in `former_names` (ToR 3.C.2: none after today, no two ending the same day). Secretariat
    only."""
    naming = naming_for(request, None)
    updated = service.update_entity(
        session=session,
        caller=caller,
        entity_id=entity_id,
        data=body,
        check=lambda current: check_if_match_any(request, current),
        naming=naming,
    )
    return json_response(request, updated, headers=headers(naming))
