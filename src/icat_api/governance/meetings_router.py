"""HTTP for meetings and attendance."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from icat_api import csv_output
from icat_api.auth import OptionalCaller
from icat_api.chair_terms.powers import ChairOrSecretariat
from icat_api.clock import today
from icat_api.conditional import check_if_match, created_response, json_response
from icat_api.db import SessionDep, read_handler
from icat_api.entities.powers import reads_personal_data
from icat_api.governance import meeting_status, meetings
from icat_api.governance.meeting_schemas import MeetingCancel, MeetingPostpone
from icat_api.governance.schemas import (
    AttendanceRead,
    AttendanceSet,
    MeetingCreate,
    MeetingKind,
    MeetingRead,
    MeetingUpdate,
)
from icat_api.pagination import PageDep
from icat_api.params import YearQuery
from icat_api.problems import responses
from icat_api.schemas import Page

router = APIRouter(prefix="/v1/meetings", tags=["meetings"])
MeetingPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="The meeting's id.")]


@router.get(
    "",
    summary="List meetings",
    response_model=Page[MeetingRead],
    responses={
        200: csv_output.openapi_200(
            "icat-meetings-YYYY-MM-DD.csv",
            "the day of the export",
            '"id","kind","title","starts_on","ends_on","location","mode","note","status",'
            '"status_reason","postponed_from","local_times","agenda","documents","created_at",'
            '"updated_at"\r\n"2","working_group","Second Working Group meeting of 2015",'
            '"2015-07-22","2015-07-24","Geneva","in_person","","held","","",'
            '"10:00-13:00 Europe/Zurich","1. Adoption of the agenda\n2. Requests to join ICAT '
            '[decisions 1]","minutes (en): https://icat.un.org/meetings/2015-07/minutes.pdf",'
            '"2026-01-01T00:00:00+00:00","2026-01-01T00:00:00+00:00"\r\n',
        ),
        **responses(304, 422),
    },
)
@read_handler
def list_meetings(
    request: Request,
    session: SessionDep,
    page: PageDep,
    kind: Annotated[MeetingKind | None, Query()] = None,
    year: Annotated[YearQuery | None, Query(description="Meetings starting in this year.")] = None,
) -> Response:
    """Meetings of ICAT, oldest first: Working Group meetings, principals' meetings,
    consultations, briefings and expert group meetings, each with its status, local times,
    agenda and documents. `Accept: text/csv` answers CSV: every meeting matching the filters in
    one file (`limit` and `cursor` do not apply), one row per meeting with the columns of the
    JSON items (times in one cell, agenda items and documents one a line). Public."""
    csv = csv_output.wants_csv(request)
    result = meetings.list_meetings(
        session=session, page=None if csv else page, kind=kind, year=year
    )
    if csv:
        filename = csv_output.dated_filename("meetings", today())
        return csv_output.csv_response(
            request, meetings.to_csv(result.items), filename, csv_output.VARY
        )
    return json_response(request, result, headers=csv_output.VARY)


@router.post(
    "",
    summary="Record a meeting",
    status_code=201,
    response_model=MeetingRead,
    responses=responses(400, 401, 403, 413, 422),
)
def create_meeting(
    request: Request, session: SessionDep, caller: ChairOrSecretariat, body: MeetingCreate
) -> Response:
    """Records a meeting: kind, title, days, location and mode; optionally its local start and
    end times in an IANA time zone, its agenda and links to its documents. It is `scheduled`,
    and read as `held` once its first day has come. The sitting Chair (or a co-chair) or the
    secretariat."""
    created = meetings.create_meeting(session=session, caller=caller, data=body)
    return created_response(request, created, f"/v1/meetings/{created.id}")


@router.get(
    "/{meeting_id}",
    summary="Read a meeting",
    response_model=MeetingRead,
    responses=responses(304, 404, 422),
)
@read_handler
def get_meeting(request: Request, session: SessionDep, meeting_id: MeetingPath) -> Response:
    """One meeting: its kind, title, days, location and mode, its status (`scheduled`, `held`,
    `postponed`, `cancelled`), local times, agenda and documents, with its ETag. Public."""
    return json_response(request, meetings.get_meeting(session=session, meeting_id=meeting_id))


@router.patch(
    "/{meeting_id}",
    summary="Change a meeting",
    response_model=MeetingRead,
    responses=responses(400, 401, 403, 404, 409, 412, 413, 422),
)
def update_meeting(
    request: Request,
    session: SessionDep,
    caller: ChairOrSecretariat,
    meeting_id: MeetingPath,
    body: MeetingUpdate,
) -> Response:
    """Applies the fields sent (`agenda` and `documents` replace the lists; `local_times` null
    removes the times); `If-Match` → 412 when stale. The days cannot move away from decisions
    already taken at the meeting (409, ToR 3.B.3), nor those of a cancelled meeting (409); a
    postponed meeting given new days is `scheduled` again. An agenda item names only decisions
    taken at this meeting (422). The status changes only by cancelling or postponing. The
    sitting Chair or the secretariat."""
    updated = meetings.update_meeting(
        session=session,
        caller=caller,
        meeting_id=meeting_id,
        data=body,
        if_match=lambda current: check_if_match(request, current),
    )
    return json_response(request, updated)


@router.get(
    "/{meeting_id}/attendance",
    summary="Who attended a meeting",
    response_model=AttendanceRead,
    responses=responses(304, 404, 422),
)
@read_handler
def get_attendance(
    request: Request, session: SessionDep, caller: OptionalCaller, meeting_id: MeetingPath
) -> Response:
    """Each attendee with its capacity on the meeting's first day: `voting_member`, `member`
    (no voting rights yet), `observer` (partner) or `guest` (stakeholder) — ToR 3.B.7, 3.A.5.
    Public; the names of representatives (personal data) are shown only to the secretariat and
    to the keys of entities that are members or partners today."""
    with_people = reads_personal_data(caller, session)
    return json_response(
        request,
        meetings.attendance(session=session, meeting_id=meeting_id, with_people=with_people),
    )


@router.put(
    "/{meeting_id}/attendance",
    summary="Record who attended",
    response_model=AttendanceRead,
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def set_attendance(
    request: Request,
    session: SessionDep,
    caller: ChairOrSecretariat,
    meeting_id: MeetingPath,
    body: AttendanceSet,
) -> Response:
    """Replaces the attendance of the meeting and answers each attendee's capacity that day.
    Stakeholders attend briefings and consultations only (ToR 3.A.5). Attendance is a fact,
    recorded once the meeting has begun, never for one cancelled or postponed (409) (ToR
    3.C.2); an entity a decision at the meeting relied
    on (an objector, a participant with voting rights) cannot be removed (409, ToR 3.B.3). The
    sitting Chair or the secretariat."""
    return json_response(
        request,
        meetings.set_attendance(session=session, caller=caller, meeting_id=meeting_id, data=body),
    )


@router.post(
    "/{meeting_id}/cancel",
    summary="Cancel a meeting",
    response_model=MeetingRead,
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def cancel_meeting(
    request: Request,
    session: SessionDep,
    caller: ChairOrSecretariat,
    meeting_id: MeetingPath,
    body: MeetingCancel,
) -> Response:
    """The meeting will not be held: it is `cancelled`, with the reason given, and stays so (a
    new meeting is recorded instead). A meeting with decisions taken at it (ToR 3.B.3) or
    attendance recorded (ToR 3.C.2) was held and cannot be cancelled (409); nor can a cancelled
    one again (409). The calendar shows it as cancelled. The sitting Chair or the secretariat."""
    return json_response(
        request,
        meeting_status.cancel(session=session, caller=caller, meeting_id=meeting_id, data=body),
    )


@router.post(
    "/{meeting_id}/postpone",
    summary="Postpone a meeting",
    response_model=MeetingRead,
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def postpone_meeting(
    request: Request,
    session: SessionDep,
    caller: ChairOrSecretariat,
    meeting_id: MeetingPath,
    body: MeetingPostpone,
) -> Response:
    """Puts the meeting off, with the reason given. With new days (`starts_on` after the
    current first day; `ends_on` keeps its length by default) it is `scheduled` on them; without,
    it is `postponed` until a PATCH gives its days. `postponed_from` keeps the first day it was
    planned for. Refused (409) like cancelling: once held (ToR 3.B.3, 3.C.2), or cancelled; and
    a postponed meeting postponed again without days. The sitting Chair or the secretariat."""
    return json_response(
        request,
        meeting_status.postpone(session=session, caller=caller, meeting_id=meeting_id, data=body),
    )
