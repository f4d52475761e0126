"""HTTP for extra-budgetary funds (ToR 3.B.5)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from icat_api import csv_output
from icat_api.auth import AuthenticatedCaller
from icat_api.clock import today
from icat_api.conditional import json_response
from icat_api.db import SessionDep, read_handler
from icat_api.entities.powers import ParticipantOrSecretariat
from icat_api.funding import service
from icat_api.funding.schemas import (
    FundingCreate,
    FundingPage,
    FundingRead,
    MilestoneReportCreate,
    MilestoneReportRead,
    OverdueRead,
)
from icat_api.pagination import PageDep
from icat_api.params import IdPath, OnQuery, YearQuery, today_or
from icat_api.problems import responses
from icat_api.schemas import Page

router = APIRouter(prefix="/v1/funding", tags=["funding"])


@router.get(
    "",
    summary="Funds received on ICAT's behalf",
    response_model=FundingPage,
    responses={
        200: csv_output.openapi_200(
            "icat-funding-YYYY-MM-DD.csv",
            "the day of the export",
            '"id","donor","recipient_entity_id","amount","currency","received_on",'
            '"approval_decision_id","activity_id","note","milestones","created_at"\r\n"1",'
            '"Sweden","unodc","250000.00","SEK","2021-09-01","12","3","",'
            '"2022-03-31 Two regional workshops (reported 2022-03-30)",'
            '"2026-01-01T00:00:00+00:00"\r\n',
        ),
        **responses(304, 401, 403, 422),
    },
)
@read_handler
def list_funding(
    request: Request,
    session: SessionDep,
    _caller: ParticipantOrSecretariat,
    page: PageDep,
    year: Annotated[YearQuery | None, Query(description="Received that year.")] = None,
) -> Response:
    """Extra-budgetary funds with their milestones, and totals per currency and donor — never
    summed across currencies. `Accept: text/csv` answers CSV: every fund matching the filters
    in one file (`limit` and `cursor` do not apply), one row per fund with the columns of the
    JSON items, its milestones in one cell, one a line (`due_on title (reported ...)`); no
    totals (a spreadsheet sums). ICAT members' and partners' keys, and the secretariat."""
    csv = csv_output.wants_csv(request)
    result = service.list_funding(session=session, page=None if csv else page, year=year)
    if csv:
        filename = csv_output.dated_filename("funding", today())
        return csv_output.csv_response(
            request, service.to_csv(result.items), filename, csv_output.VARY
        )
    return json_response(request, result, headers=csv_output.VARY)


@router.post(
    "",
    summary="Record funds received",
    status_code=201,
    response_model=FundingRead,
    responses=responses(400, 401, 403, 413, 422),
)
def create_funding(
    request: Request, session: SessionDep, caller: AuthenticatedCaller, body: FundingCreate
) -> Response:
    """Records funds a Working Group member received on ICAT's behalf: only with the Working
    Group's prior approval — an adopted `funding_approval` decision for that recipient, dated on
    or before `received_on` — else 422 naming ToR 3.B.5. Amounts are decimal strings with no
    more decimals than the currency has. The recipient's own key or the secretariat."""
    created = service.create(session=session, caller=caller, data=body)
    return json_response(request, created, status_code=201)


@router.post(
    "/{funding_id}/milestone-reports",
    summary="Report on a milestone",
    status_code=201,
    response_model=MilestoneReportRead,
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def report_milestone(
    request: Request,
    session: SessionDep,
    caller: AuthenticatedCaller,
    funding_id: IdPath,
    body: MilestoneReportCreate,
) -> Response:
    """The recipient reports back on a milestone of the funds (ToR 3.B.5); once per milestone.
    The recipient's own key or the secretariat."""
    created = service.report_milestone(
        session=session, caller=caller, funding_id=funding_id, data=body
    )
    return json_response(request, created, status_code=201)


@router.get(
    "/overdue-reports",
    summary="Milestones past due without a report",
    response_model=Page[OverdueRead],
    responses=responses(304, 401, 403, 422),
)
@read_handler
def list_overdue_reports(
    request: Request,
    session: SessionDep,
    _caller: ParticipantOrSecretariat,
    page: PageDep,
    on: OnQuery = None,
) -> Response:
    """Milestones due before `on` (today by default) that the recipient has not reported on
    (ToR 3.B.5). ICAT members' and partners' keys, and the secretariat."""
    return json_response(request, service.overdue(session=session, page=page, day=today_or(on)))
