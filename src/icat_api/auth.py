"""Who is calling, and what they may do: powers are dependencies declared in route signatures.

Powers follow the ToR, not a hand-kept role table. Each power is a predicate over the caller
(and the database, for powers that depend on the day's facts, such as the sitting Chair);
``require(...)`` turns any of them into a dependency that answers 401 or 403.
"""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from icat_api.caller import Caller
from icat_api.db import SessionDep
from icat_api.keys.service import find_active_key
from icat_api.problems import Forbidden, Unauthorized


def _caller_of(request: Request, session: Session) -> Caller | None:
    """The holder of the request's key when it is a valid Bearer key, else None."""
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    info = find_active_key(session=session, key=key.strip())
    if info is None:
        return None
    coordinator = request.app.state.settings.coordinator_entity_id
    caller = Caller(
        key_id=info.id,
        entity_id=info.entity_id,
        # ToR 3.C.1: the Coordinator (UNODC) performs the secretariat functions.
        is_secretariat=info.secretariat or info.entity_id == coordinator,
    )
    request.state.caller = caller
    return caller


def authenticate(request: Request, session: SessionDep) -> Caller:
    """The caller of a request that needs a key: 401 when it is missing, unknown or revoked."""
    header = request.headers.get("authorization")
    if not header:
        raise Unauthorized("This operation needs an API key: Authorization: Bearer <key>.")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("Use the Bearer scheme: Authorization: Bearer <key>.")
    caller = _caller_of(request, session)
    if caller is None:
        raise Unauthorized("The API key is unknown or revoked.")
    return caller


def optional_caller(request: Request, session: SessionDep) -> Caller | None:
    """On a public read: the caller when a valid key comes with it (it may then see more, such
    as representatives' names); a missing, unknown or revoked key is simply the public."""
    return _caller_of(request, session)


OptionalCaller = Annotated[Caller | None, Depends(optional_caller)]
AuthenticatedCaller = Annotated[Caller, Depends(authenticate)]


Power = Callable[[Caller, Session, Request], bool]


def secretariat(caller: Caller, _session: Session, _request: Request) -> bool:
    """ToR 3.C.1, 3.C.3: the Coordinator's keys and secretariat keys may do everything."""
    return caller.is_secretariat


def own_entity(caller: Caller, _session: Session, request: Request) -> bool:
    """The key of the entity named in the path acts for itself (its focal points, its
    applications, its enrolment)."""
    return caller.entity_id is not None and caller.entity_id == request.path_params.get("entity_id")


def require(*powers: Power, what: str) -> Callable[..., Caller]:
    """A dependency admitting callers that hold any of ``powers``; 403 otherwise."""

    def dependency(caller: AuthenticatedCaller, session: SessionDep, request: Request) -> Caller:
        if any(power(caller, session, request) for power in powers):
            return caller
        raise Forbidden(f"This key may not {what}.")

    return dependency


Secretariat = Annotated[Caller, Depends(require(secretariat, what="do this: secretariat only"))]
OwnEntityOrSecretariat = Annotated[
    Caller, Depends(require(secretariat, own_entity, what="act for another entity"))
]
