"""Calling a meeting off: cancelled for good, or postponed (to new days, or until they are known).

Both are refused once the meeting has been held (attendance or decisions recorded), both keep
the reason given, and both are audited as an update of the meeting (the change feed's `meeting`
`updated`), so the record says what was planned, and why it did not happen.
"""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from icat_api.audit.service import record
from icat_api.caller import Caller
from icat_api.db import utcnow
from icat_api.governance import rules
from icat_api.governance.meeting_schemas import MeetingCancel, MeetingPostpone, times_error
from icat_api.governance.meetings import get_row, read
from icat_api.governance.models import Attendance, Decision, Meeting
from icat_api.governance.schemas import MeetingRead
from icat_api.problems import Conflict, InvalidInput
from icat_api.schemas import LAST_DAY


def _check_not_held(session: Session, row: Meeting, action: str) -> None:
    decisions = session.scalar(select(func.count(Decision.id)).where(Decision.meeting_id == row.id))
    attended = session.scalar(select(func.count()).where(Attendance.meeting_id == row.id))
    rules.check_may_call_off(
        action, stored=row.status, decisions=decisions or 0, attended=attended or 0
    )


def cancel(
    *, session: Session, caller: Caller, meeting_id: int, data: MeetingCancel
) -> MeetingRead:
    """The meeting will not be held."""
    row = get_row(session, meeting_id, lock=True)
    before = read(row)
    _check_not_held(session, row, "cancel")
    row.status, row.status_reason, row.updated_at = rules.CANCELLED, data.reason, utcnow()
    session.flush()
    after = read(row)
    record(session, caller, "update", ("meeting", row.id), before=before, after=after)
    return after


def postpone(
    *, session: Session, caller: Caller, meeting_id: int, data: MeetingPostpone
) -> MeetingRead:
    """The meeting moves to later days (scheduled again on them), or waits for them
    (`postponed`); the first day it was planned for stays in `postponed_from`."""
    row = get_row(session, meeting_id, lock=True)
    before = read(row)
    _check_not_held(session, row, "postpone")
    first_planned = row.postponed_from or row.starts_on
    if data.starts_on is None:
        if row.status == rules.POSTPONED:
            raise Conflict("This meeting is already postponed; give its new days (starts_on).")
        row.status = rules.POSTPONED
    else:
        if data.starts_on <= row.starts_on:
            raise InvalidInput(
                f"A meeting is postponed to a day after {row.starts_on}.",
                errors=[{"loc": ["body", "starts_on"], "msg": f"not after {row.starts_on}"}],
            )
        ends = data.ends_on or data.starts_on + (row.ends_on - row.starts_on)
        if ends > LAST_DAY:
            raise InvalidInput(
                f"The meeting would end after {LAST_DAY}.",
                errors=[{"loc": ["body", "starts_on"], "msg": f"ends after {LAST_DAY}"}],
            )
        wrong = times_error(data.starts_on, ends, before.local_times)
        if wrong:
            raise InvalidInput(wrong, errors=[{"loc": ["body", "ends_on"], "msg": wrong}])
        row.starts_on, row.ends_on, row.status = data.starts_on, ends, rules.SCHEDULED
    row.postponed_from, row.status_reason, row.updated_at = first_planned, data.reason, utcnow()
    session.flush()
    after = read(row)
    record(session, caller, "update", ("meeting", row.id), before=before, after=after)
    return after
