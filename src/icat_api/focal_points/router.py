"""HTTP for focal points: agencies sync their contacts; the Coordinator reads the feed."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from icat_api.auth import OwnEntityOrSecretariat, Secretariat
from icat_api.conditional import (
    check_if_match,
    check_if_match_etag,
    created_response,
    json_response,
    render_json,
)
from icat_api.db import SessionDep, read_handler
from icat_api.entities.powers import ParticipantOrSecretariat
from icat_api.focal_points import feed, service
from icat_api.focal_points.schemas import (
    FocalPointChangeRead,
    FocalPointIn,
    FocalPointList,
    FocalPointRead,
    FocalPointSet,
    FocalPointUpdate,
    GapRead,
    SyncResult,
)
from icat_api.pagination import PageDep
from icat_api.params import EntityPath, OnQuery, today_or
from icat_api.problems import responses
from icat_api.schemas import Instant, Page

router = APIRouter(tags=["focal points"])
FocalPointPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="The contact's id.")]
BASE = "/v1/entities/{entity_id}/focal-points"


@router.get(
    BASE,
    summary="An entity's focal points",
    response_model=FocalPointList,
    responses=responses(304, 401, 403, 404, 422),
)
@read_handler
def list_focal_points(
    request: Request, session: SessionDep, _caller: ParticipantOrSecretariat, entity_id: EntityPath
) -> Response:
    """Every contact the entity designated (ToR 3.A.2), all in one page. Readable by the
    entity's own key, by any ICAT member's or partner's key (they are for communication through
    ICAT), and by the secretariat; never public. The `ETag` covers the whole set: send it as
    `If-Match` with a PUT."""
    return json_response(request, service.list_contacts(session=session, entity_id=entity_id))


@router.put(
    BASE,
    summary="Sync an entity's focal points (full replace)",
    response_model=SyncResult,
    responses=responses(400, 401, 403, 404, 412, 413, 422),
)
def sync_focal_points(
    request: Request,
    session: SessionDep,
    caller: OwnEntityOrSecretariat,
    entity_id: EntityPath,
    body: FocalPointSet,
) -> Response:
    """Makes the entity's contacts exactly the list sent, matched on the agency's own
    `external_id` (never on email): creates what is new, updates what changed, removes what is
    absent, in one transaction, and answers the resulting set with counts `created`, `updated`,
    `removed`, `unchanged`. The same PUT twice changes nothing the second time (same ETag, no
    audit event). Exactly one contact is `is_primary` while any are listed, and only members and
    partners designate focal points (ToR 3.A.2). With `If-Match`, 412 when the set changed since
    it was read. The entity's own key or the secretariat."""
    result, etag = service.sync(
        session=session,
        caller=caller,
        entity_id=entity_id,
        data=body,
        if_match=lambda current: check_if_match_etag(request, current),
    )
    return Response(render_json(result), media_type="application/json", headers={"ETag": etag})


@router.post(
    BASE,
    summary="Add a focal point",
    status_code=201,
    response_model=FocalPointRead,
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def create_focal_point(
    request: Request,
    session: SessionDep,
    caller: OwnEntityOrSecretariat,
    entity_id: EntityPath,
    body: FocalPointIn,
) -> Response:
    """Adds one contact. The set must still have exactly one primary (ToR 3.A.2): the first
    contact is the primary, a second primary is refused. A repeated `external_id` is 409. The
    entity's own key or the secretariat."""
    created = service.create_contact(session=session, caller=caller, entity_id=entity_id, data=body)
    return created_response(request, created, f"/v1/entities/{entity_id}/focal-points/{created.id}")


@router.get(
    BASE + "/{fp_id}",
    summary="Read a focal point",
    response_model=FocalPointRead,
    responses=responses(304, 401, 403, 404, 422),
)
@read_handler
def get_focal_point(
    request: Request,
    session: SessionDep,
    _caller: ParticipantOrSecretariat,
    entity_id: EntityPath,
    fp_id: FocalPointPath,
) -> Response:
    """One contact with its ETag. Same readers as the list."""
    return json_response(
        request, service.get_contact(session=session, entity_id=entity_id, fp_id=fp_id)
    )


@router.patch(
    BASE + "/{fp_id}",
    summary="Change a focal point",
    response_model=FocalPointRead,
    responses=responses(400, 401, 403, 404, 412, 413, 422),
)
def update_focal_point(
    request: Request,
    session: SessionDep,
    caller: OwnEntityOrSecretariat,
    entity_id: EntityPath,
    fp_id: FocalPointPath,
    body: FocalPointUpdate,
) -> Response:
    """Applies the fields sent; `If-Match` → 412 when stale. A change that leaves the entity
    with no primary contact, or two, is refused (ToR 3.A.2): to move the primary role, PUT the
    whole set. The entity's own key or the secretariat."""
    updated = service.update_contact(
        session=session,
        caller=caller,
        entity_id=entity_id,
        fp_id=fp_id,
        data=body,
        if_match=lambda current: check_if_match(request, current),
    )
    return json_response(request, updated)


@router.delete(
    BASE + "/{fp_id}",
    summary="Remove a focal point",
    status_code=204,
    responses=responses(401, 403, 404, 412, 422),
)
def delete_focal_point(
    request: Request,
    session: SessionDep,
    caller: OwnEntityOrSecretariat,
    entity_id: EntityPath,
    fp_id: FocalPointPath,
) -> Response:
    """Removes one contact and leaves a tombstone in the change feed. The primary contact can be
    removed only as the last one (ToR 3.A.2). `If-Match` → 412 when stale. The entity's own key
    or the secretariat."""
    service.delete_contact(
        session=session,
        caller=caller,
        entity_id=entity_id,
        fp_id=fp_id,
        if_match=lambda current: check_if_match(request, current),
    )
    return Response(status_code=204)


@router.get(
    "/v1/focal-points",
    summary="Change feed of focal points",
    response_model=Page[FocalPointChangeRead],
    responses=responses(304, 401, 403, 422),
)
@read_handler
def list_focal_point_changes(
    request: Request,
    session: SessionDep,
    _caller: Secretariat,
    page: PageDep,
    updated_since: Annotated[
        Instant | None, Query(description="Only changes at or after this time (RFC 3339).")
    ] = None,
) -> Response:
    """Every contact created or changed since `updated_since`, and a tombstone
    (`deleted: true`) for each one removed, oldest change first, so a mailing-list system stays
    in sync without re-reading everything. Resume with `next_cursor`; next night, pass the
    last `updated_at` seen. Secretariat only."""
    return json_response(request, feed.changes(session=session, page=page, since=updated_since))


@router.get(
    "/v1/focal-points/gaps",
    summary="Members and partners without a focal point",
    response_model=Page[GapRead],
    responses=responses(304, 401, 403, 422),
)
@read_handler
def list_focal_point_gaps(
    request: Request, session: SessionDep, _caller: Secretariat, page: PageDep, on: OnQuery = None
) -> Response:
    """The members and partners on `on` (today by default) that have not designated a focal
    point (ToR 3.A.2), for the Coordinator to follow up. Secretariat only."""
    return json_response(request, feed.gaps(session=session, page=page, day=today_or(on)))
