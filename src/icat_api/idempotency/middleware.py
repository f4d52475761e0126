"""`Idempotency-Key` on every POST: a repeat with the same body replays the first answer; the
same key with another body is refused. Built once, as pure ASGI middleware, for all POSTs.

Scope: the key is remembered per API key, so callers never see each other's answers. A POST
without a valid API key is passed through untouched (it will be answered 401), so anonymous
callers cannot fill the table. Answers of 5xx are not kept: the request may be retried.

"The same body" is the same JSON: a JSON body is compared parsed (its canonical form: keys
sorted, no whitespace), so a retry that re-serializes the same object is still a replay. A key
is remembered for ``ICAT_IDEMPOTENCY_TTL_HOURS`` (24 by default); after that it is new again,
and expired records are purged a bounded batch at a time after a keyed POST has been answered,
at most once a minute per process (sooner while a backlog remains).
"""

import hashlib
import json
import math
import re
import time
from datetime import datetime, timedelta
from typing import Any, cast

import structlog
from sqlalchemy import CursorResult, delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from icat_api.db import utcnow
from icat_api.idempotency.models import IdempotentRequest
from icat_api.keys.service import find_active_key
from icat_api.problems import problem_response

log = structlog.get_logger("icat_api.idempotency")

HEADER = b"idempotency-key"
_VALID = re.compile(r"[\x21-\x7e]{1,255}")
_KEPT_HEADERS = (b"content-type", b"location", b"etag")
IN_PROGRESS_FOR = timedelta(seconds=60)
PURGE_EVERY_SECONDS = 60.0
PURGE_BATCH = 500


def fingerprint_of(path: str, query: bytes, body: bytes) -> str:
    """What identifies a request under its key: its path, query and body, a JSON body by its
    canonical form (other whitespace or key order is the same request). A body that is not JSON
    is taken byte for byte."""
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):  # not JSON (or nested past what Python parses)
        kind, content = b"raw", body
    else:
        kind = b"json"
        content = json.dumps(parsed, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(b"\n".join([path.encode(), query, kind, content])).hexdigest()


def _legacy_fingerprint(path: str, query: bytes, body: bytes) -> str:
    # Records kept before fingerprints were canonical (issue 12) hashed the raw bytes; a retry of
    # one of those still replays. Remove one ICAT_IDEMPOTENCY_TTL_HOURS after that release.
    return hashlib.sha256(b"\n".join([path.encode(), query, body])).hexdigest()


def purge_expired(session: Session, before: datetime, limit: int = PURGE_BATCH) -> int:
    """Delete at most ``limit`` records made before ``before``, oldest first; answers how many
    went (``limit`` means more may remain)."""
    oldest = (
        select(IdempotentRequest.id)
        .where(IdempotentRequest.created_at < before)
        .order_by(IdempotentRequest.created_at)
        .limit(limit)
    )
    result = session.execute(delete(IdempotentRequest).where(IdempotentRequest.id.in_(oldest)))
    return cast(CursorResult[Any], result).rowcount


def _unavailable(request: Request) -> JSONResponse:
    return problem_response(
        503,
        "The database is unavailable or busy; retry shortly.",
        request=request,
        headers={"Retry-After": "1"},
    )


class Idempotency:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._purged_at = -math.inf  # monotonic time of the last purge that left no backlog

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        raw_key = headers.get(HEADER)
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        idem_key = raw_key.decode("latin-1")
        if not _VALID.fullmatch(idem_key):
            await problem_response(
                422,
                "Idempotency-Key must be 1-255 visible ASCII characters.",
                request=request,
                errors=[{"loc": ["header", "Idempotency-Key"], "msg": "invalid"}],
            )(scope, receive, send)
            return
        factory: sessionmaker[Session] = scope["app"].state.sessionmaker
        try:
            key_id = self._key_id(factory, headers.get(b"authorization", b"").decode("latin-1"))
        except SQLAlchemyError:
            await _unavailable(request)(scope, receive, send)
            return
        if key_id is None:
            await self.app(scope, receive, send)
            return

        body = b""
        more = True
        try:
            while more:
                message = await receive()
                body += message.get("body", b"")
                more = message.get("more_body", False)
        except HTTPException as exc:  # the body limit, raised from receive
            await problem_response(exc.status_code, str(exc.detail), request=request)(
                scope, receive, send
            )
            return
        query = scope.get("query_string", b"")
        fingerprint = fingerprint_of(scope["path"], query, body)
        ttl = timedelta(hours=scope["app"].state.settings.idempotency_ttl_hours)

        try:
            claimed, stored, met_expired = self._claim(factory, key_id, idem_key, fingerprint, ttl)
        except SQLAlchemyError:
            await _unavailable(request)(scope, receive, send)
            return
        if stored is not None:
            same = stored.fingerprint == fingerprint or (
                stored.fingerprint == _legacy_fingerprint(scope["path"], query, body)
            )
            if not same:
                await problem_response(
                    422,
                    "This Idempotency-Key was used with another request; use a new key.",
                    request=request,
                    errors=[
                        {"loc": ["header", "Idempotency-Key"], "msg": "reused with another body"}
                    ],
                )(scope, receive, send)
            elif stored.status is None:
                await problem_response(
                    409,
                    "A request with this Idempotency-Key is still in progress; retry shortly.",
                    request=request,
                    headers={"Retry-After": "1"},
                )(scope, receive, send)
            else:
                await self._replay(stored, send)
            return
        assert claimed is not None

        sent = False

        async def replay_body() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        status = 500
        kept: dict[str, str] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() in _KEPT_HEADERS:
                        kept[name.decode("latin-1").lower()] = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_body, capture)
        finally:
            try:
                self._finish(factory, claimed, status, kept, b"".join(chunks))
            except SQLAlchemyError:
                # The answer is sent; a retry after 60 s re-executes instead of replaying.
                log.warning("idempotency_record_not_kept", key_id=key_id)
            if met_expired or time.monotonic() - self._purged_at >= PURGE_EVERY_SECONDS:
                self._purge(factory, ttl)

    def _purge(self, factory: sessionmaker[Session], ttl: timedelta) -> None:
        """One bounded batch of expired records (older than the TTL, and than an abandoned
        claim), in its own short transaction; a full batch leaves the next purge due."""
        before = utcnow() - max(ttl, IN_PROGRESS_FOR)
        try:
            with factory() as session:
                gone = purge_expired(session, before)
                session.commit()
        except SQLAlchemyError:
            log.warning("idempotency_purge_failed")
            return
        if gone < PURGE_BATCH:
            self._purged_at = time.monotonic()

    @staticmethod
    def _key_id(factory: sessionmaker[Session], authorization: str) -> int | None:
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return None
        with factory() as session:
            info = find_active_key(session=session, key=key.strip())
        return info.id if info else None

    @staticmethod
    def _claim(
        factory: sessionmaker[Session],
        key_id: int,
        idem_key: str,
        fingerprint: str,
        ttl: timedelta,
    ) -> tuple[int | None, IdempotentRequest | None, bool]:
        """Claim the key (answers its row id), or answer what is stored under it; and whether
        an expired record was met (a sign that others are due for purging too)."""
        with factory() as session:
            stored = session.scalar(
                select(IdempotentRequest).where(
                    IdempotentRequest.key_id == key_id,
                    IdempotentRequest.idempotency_key == idem_key,
                )
            )
            expired = False
            if stored is not None:
                now = utcnow()
                if stored.status is None:  # in progress, unless abandoned
                    expired = stored.created_at < now - IN_PROGRESS_FOR
                else:  # answered, and remembered for the TTL
                    expired = stored.created_at < now - ttl
                if not expired:
                    session.expunge(stored)
                    return None, stored, False
                # A new request under an old key (a purge may have taken the old one already).
                session.execute(
                    delete(IdempotentRequest).where(
                        IdempotentRequest.id == stored.id,
                        IdempotentRequest.key_id == key_id,
                        IdempotentRequest.idempotency_key == idem_key,
                    )
                )
            row = IdempotentRequest(
                key_id=key_id, idempotency_key=idem_key, fingerprint=fingerprint
            )
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                racing = IdempotentRequest(
                    key_id=key_id, idempotency_key=idem_key, fingerprint=fingerprint, status=None
                )
                return None, racing, False
            return row.id, None, expired

    @staticmethod
    def _finish(
        factory: sessionmaker[Session],
        row_id: int,
        status: int,
        headers: dict[str, str],
        body: bytes,
    ) -> None:
        with factory() as session:
            if status >= 500:
                session.execute(delete(IdempotentRequest).where(IdempotentRequest.id == row_id))
            else:
                row = session.get(IdempotentRequest, row_id)
                if row is not None:
                    row.status, row.headers, row.body = status, headers, body
            session.commit()

    @staticmethod
    async def _replay(stored: IdempotentRequest, send: Send) -> None:
        headers: list[tuple[bytes, bytes]] = [
            (k.encode("latin-1"), v.encode("latin-1")) for k, v in (stored.headers or {}).items()
        ]
        headers.append((b"idempotent-replayed", b"true"))
        body = stored.body or b""
        headers.append((b"content-length", str(len(body)).encode()))
        assert stored.status is not None
        start: dict[str, Any] = {
            "type": "http.response.start",
            "status": stored.status,
            "headers": headers,
        }
        await send(start)
        await send({"type": "http.response.body", "body": body})
