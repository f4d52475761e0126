"""GET /v1/records/{year}: the Coordinator's annual records (ToR 3.C.2)."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from icat_api import csv_output
from icat_api.auth import Secretariat
from icat_api.conditional import conditional_response, render_json
from icat_api.db import SessionDep
from icat_api.negotiation import negotiate
from icat_api.problems import responses
from icat_api.records import service

router = APIRouter(prefix="/v1", tags=["records"])


@router.get(
    "/records/{year}",
    summary="A year's records",
    response_model=dict[str, list[dict[str, Any]]],
    responses={
        200: {
            "description": "JSON, or one CSV per table in a zip with `Accept: application/zip` "
            "(each CSV UTF-8 with a byte-order mark, every cell quoted, a cell a spreadsheet "
            "would read as a formula prefixed with `'`).",
            "headers": {
                "Content-Disposition": {
                    "description": 'With the zip: `attachment; filename="icat-records-YYYY.zip"`.',
                    "schema": {"type": "string"},
                }
            },
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        },
        **responses(304, 401, 403, 406, 422),
    },
)
def get_records(
    request: Request,
    session: SessionDep,
    _caller: Secretariat,
    year: Annotated[int, Path(ge=2000, le=2100, description="The calendar year.")],
) -> Response:
    """Everything the registry holds about one year, as one JSON document keyed by table:
    entities and their roles that year, Working Group enrolments, meetings and attendance,
    applications, decisions and objections, the chair term and candidacies, work plans and
    activities, funds, milestones and reports, products, and the audit events of the year;
    and `changes_by_type`, one row (`type`, `count`) per type of the change feed: the changes
    committed in the year (cut at midnight UTC), personal and unpublished ones included.
    `Accept: application/zip` answers one CSV per table. Secretariat only (ToR 3.C.2)."""
    zipped = negotiate(request, ("application/json", "application/zip")) == "application/zip"
    records = service.export(session=session, year=year)
    if zipped:
        return conditional_response(
            request,
            service.to_zip(records, service.columns(year)),
            "application/zip",
            headers={**csv_output.attachment(service.zip_filename(year)), "Vary": "Accept"},
        )
    return conditional_response(request, render_json(records), headers={"Vary": "Accept"})
