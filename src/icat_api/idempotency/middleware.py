"""`Idempotency-Key` on every POST: a repeat with the same body replays the first answer; the
same key with another body is refused. Built once, as pure ASGI middleware, for all POSTs.

Scope: the key is remembered per API key, so callers never see each other's answers. A POST
without a valid API key is passed through untouched (it will be answered 401), so anonymous
callers cannot fill the table. Answers of 5xx are not kept: the request may be retried.
"""

import hashlib
import re
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import delete, select
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
        fingerprint = hashlib.sha256(
            b"\n".join([scope["path"].encode(), scope.get("query_string", b""), body])
        ).hexdigest()

        try:
            claimed, stored = self._claim(factory, key_id, idem_key, fingerprint)
        except SQLAlchemyError:
            await _unavailable(request)(scope, receive, send)
            return
        if stored is not None:
            if stored.fingerprint != fingerprint:
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
        factory: sessionmaker[Session], key_id: int, idem_key: str, fingerprint: str
    ) -> tuple[int | None, IdempotentRequest | None]:
        """Claim the key (answers its row id), or answer what is stored under it."""
        with factory() as session:
            stored = session.scalar(
                select(IdempotentRequest).where(
                    IdempotentRequest.key_id == key_id,
                    IdempotentRequest.idempotency_key == idem_key,
                )
            )
            if stored is not None:
                abandoned = stored.status is None and stored.created_at < utcnow() - IN_PROGRESS_FOR
                if not abandoned:
                    session.expunge(stored)
                    return None, stored
                session.delete(stored)
                session.flush()
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
                return None, racing
            return row.id, None

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
