"""The protocol between the consensus engine and the subjects of decisions (DESIGN section 6).

Governance decides *how* the Working Group decides (ToR 3.B.3); each kind of decision is about a
subject owned by its domain: an application (admission), a candidacy (chair election), a work
plan (endorsement), an activity's budget (allocation), funds (approval), a product (sign-off).
A domain implements :class:`Subject` for its kinds and registers it; governance imports none of
them. Before the outcome, ``check`` refuses a subject the Working Group cannot decide on and
answers the effect; after an adopted outcome, the effect is applied in the same transaction.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy.orm import Session

from icat_api.audit.service import record
from icat_api.caller import Caller
from icat_api.governance.models import Decision, Meeting

# What an adopted decision changes, applied once the decision's row exists; it answers the
# effects as the decision lists them.
Effect = Callable[[Decision], list[str]]


@dataclass(frozen=True)
class Taking:
    """How a decision is being taken: its day, its meeting (none when electronic), by whom it
    is recorded, and the settings a subject may need."""

    day: date
    meeting: Meeting | None
    caller: Caller
    chair_min_ratio: float

    def audit(
        self,
        session: Session,
        decision: Decision,
        action: str,
        resource: tuple[str, object],
        before: Any,
        after: Any,
    ) -> None:
        """The audit event of a row the decision's effect changes, carrying the decision
        (ToR 3.C.2): ``resource`` is (type, id)."""
        record(
            session,
            self.caller,
            action,
            resource,
            before=before,
            after=after,
            decision_id=decision.id,
        )


class Subject(Protocol):
    """A kind of decision's subject, as its domain sees it."""

    def check(self, session: Session, data: Any, taking: Taking) -> Effect:
        """Refuse (RuleViolation, InvalidInput) a subject the Working Group cannot decide on
        ``taking.day``; lock what the effect will change; answer the effect."""
        ...


_REGISTRY: dict[str, Subject] = {}


def register(kind: str, subject: Subject) -> None:
    """Make ``subject`` the subject of decisions of ``kind`` (called by its domain)."""
    _REGISTRY[kind] = subject


def subject_of(kind: str) -> Subject:
    subject = _REGISTRY.get(kind)
    if subject is None:  # a wiring mistake, not a caller's: icat_api.subjects registers all
        raise LookupError(f"no subject registered for decisions of kind {kind!r}")
    return subject


class General:
    """A decision with no subject of its own: noted, with no effect."""

    def check(self, session: Session, data: Any, taking: Taking) -> Effect:
        return lambda _decision: []


register("general", General())
