"""HTTP for decisions and applications."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from icat_api import csv_output
from icat_api.chair_terms.powers import ChairOrSecretariat
from icat_api.clock import today
from icat_api.conditional import created_response, json_response
from icat_api.db import SessionDep, read_handler
from icat_api.governance import decisions
from icat_api.governance.decision_schemas import (
    DecisionCreate,
    DecisionKind,
    DecisionRead,
)
from icat_api.pagination import PageDep
from icat_api.params import IdPath, IdQuery, YearQuery
from icat_api.problems import responses
from icat_api.schemas import Page

router = APIRouter(prefix="/v1", tags=["decisions"])


@router.get(
    "/decisions",
    summary="List decisions",
    response_model=Page[DecisionRead],
    responses={
        200: csv_output.openapi_200(
            "icat-decisions-YYYY-MM-DD.csv",
            "the day of the export",
            '"id","procedure","meeting_id","decided_on","deadline_on","consulted_entity_ids",'
            '"kind","application_id","accept","candidacy_id","work_plan_id","publication_id",'
            '"activity_id","recipient_entity_id","amount","currency","record","confirmed_by",'
            '"objections","outcome","effects","created_at"\r\n"1","meeting","2","2015-07-22",'
            '"","","admission","1","True","","","","","","","",'
            '"The Working Group accepts the OSCE as an ICAT partner.","unhcr","","adopted",'
            '"osce: partner from 2015-07-22\napplication 1: accepted",'
            '"2026-01-01T00:00:00+00:00"\r\n',
        ),
        **responses(304, 422),
    },
)
@read_handler
def list_decisions(
    request: Request,
    session: SessionDep,
    page: PageDep,
    kind: Annotated[DecisionKind | None, Query()] = None,
    year: Annotated[YearQuery | None, Query()] = None,
    meeting_id: IdQuery = None,
    outcome: Annotated[Literal["adopted", "not_adopted"] | None, Query()] = None,
) -> Response:
    """Decisions in the order taken, filtered by kind, year, meeting and outcome.
    `Accept: text/csv` answers CSV: every decision matching the filters in one file (`limit`
    and `cursor` do not apply), one row per decision with the columns of the JSON items; in a
    cell, `consulted_entity_ids` are joined with `; `, and `objections` (`entity: reason`,
    marked `(withdrawn)`) and `effects` are one a line. Public."""
    csv = csv_output.wants_csv(request)
    result = decisions.list_decisions(
        session=session,
        page=None if csv else page,
        kind=kind,
        year=year,
        meeting_id=meeting_id,
        outcome=outcome,
    )
    if csv:
        filename = csv_output.dated_filename("decisions", today())
        return csv_output.csv_response(
            request, decisions.to_csv(result.items), filename, csv_output.VARY
        )
    return json_response(request, result, headers=csv_output.VARY)


@router.post(
    "/decisions",
    summary="Record a decision",
    status_code=201,
    response_model=DecisionRead,
    responses=responses(400, 401, 403, 409, 413, 422),
)
def record_decision(
    request: Request, session: SessionDep, caller: ChairOrSecretariat, body: DecisionCreate
) -> Response:
    """Records a decision taken by consensus (ToR 3.B.3) at a meeting, or electronically with
    the entities consulted — every entity with voting rights on the deadline day — and a
    deadline. The body is one schema per `kind`, each naming its subject. Every kind but
    `general` is the Working Group's: taken at a `working_group` meeting or electronically. It
    needs the written `record` and `confirmed_by`, the Chair or co-chair sitting that day, and is
    dated today at the latest (ToR 3.C.2). Only entities with voting rights that take part may
    object (partners are observers, ToR 3.B.7); a maintained objection makes it `not_adopted`,
    which closes nothing; withdrawn objections stay on the record; at least one entity with
    voting rights must take part. Adopted, its subject's effect is applied in the same
    transaction and listed in `effects`: an `admission` admits the applicant that day (or, with
    `accept` false, turns the application down; ToR 3.A.3); a `chair_election` (by 30 June of
    the year before the term, every candidate eligible that day, ToR 3.D.1) creates the chair
    term; a `work_plan_endorsement` endorses the plan; a `product_sign_off` signs the product
    off. The sitting Chair or the secretariat."""
    created = decisions.create(
        session=session,
        caller=caller,
        data=body,
        chair_min_ratio=request.app.state.settings.chair_min_attendance_ratio,
    )
    return created_response(request, created, f"/v1/decisions/{created.id}")


@router.get(
    "/decisions/{decision_id}",
    summary="Read a decision",
    response_model=DecisionRead,
    responses=responses(304, 404, 422),
)
@read_handler
def get_decision(request: Request, session: SessionDep, decision_id: IdPath) -> Response:
    """One decision with its record, objections, outcome and effects. Public."""
    return json_response(request, decisions.get(session=session, decision_id=decision_id))
