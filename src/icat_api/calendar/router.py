"""GET /v1/calendar.ics: meetings and electronic-procedure deadlines for calendar applications."""

from fastapi import APIRouter, Request, Response

from icat_api.calendar import service
from icat_api.conditional import tagged_response
from icat_api.negotiation import negotiate
from icat_api.problems import responses

router = APIRouter(prefix="/v1", tags=["meetings"])

_EXAMPLE = (
    "BEGIN:VCALENDAR\r\n"
    "PRODID:-//ICAT//ICAT registry API//EN\r\n"
    "VERSION:2.0\r\n"
    "CALSCALE:GREGORIAN\r\n"
    "NAME:ICAT meetings and deadlines\r\n"
    "X-WR-CALNAME:ICAT meetings and deadlines\r\n"
    "BEGIN:VEVENT\r\n"
    "SUMMARY:Second Working Group meeting of 2015\r\n"
    "DTSTART;VALUE=DATE:20150722\r\n"
    "DTEND;VALUE=DATE:20150725\r\n"
    "DTSTAMP:20260101T000000Z\r\n"
    "UID:meeting-2@icat.network\r\n"
    "CATEGORIES:working_group\r\n"
    "CREATED:20260101T000000Z\r\n"
    "DESCRIPTION:Working Group meeting\\, in person.\\n\\nICAT registry: /v1/meetin\r\n"
    " gs/2\r\n"
    "LAST-MODIFIED:20260101T000000Z\r\n"
    "LOCATION:Geneva\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


@router.get(
    "/calendar.ics",
    summary="Meetings and deadlines as a calendar",
    response_class=Response,
    responses={
        200: {
            "description": "An iCalendar file (RFC 5545).",
            "content": {service.CALENDAR: {"schema": {"type": "string"}, "example": _EXAMPLE}},
        },
        **responses(304, 406),
    },
)
async def get_calendar(request: Request) -> Response:
    """Every meeting of ICAT and every deadline of a decision taken by electronic procedure, as
    events of an iCalendar file (RFC 5545) to subscribe to. A meeting runs from `starts_on` to
    `ends_on` as an all-day event (DTEND is the day after, as all-day events end) or, when it
    has local times, from its start on the first day to its end on the last (in UTC), with its
    title, location, kind and mode. A cancelled meeting is `STATUS:CANCELLED`; so is a
    postponed one until its new days are known (its summary starts "Postponed:"), the reason
    in the description. Each event keeps its UID (`meeting-17@icat.network`,
    `decision-42-deadline@icat.network`) across requests and edits, and its DTSTAMP and
    LAST-MODIFIED are when the registry last changed it. Public; answered from memory until the
    data changes: send the `ETag` back as `If-None-Match` for a 304."""
    negotiate(request, (service.CALENDAR,))
    hit = await service.cached_calendar(request.app)
    return tagged_response(request, hit.body, hit.etag, service.MEDIA_TYPE)
