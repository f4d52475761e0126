"""Conditional requests: strong ETags over the bytes answered, If-None-Match and If-Match."""

import hashlib
import json
from typing import Any

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel

from icat_api.db import SAFE_METHODS
from icat_api.negotiation import negotiate
from icat_api.problems import PreconditionFailed

JSON = "application/json"


def etag_of(body: bytes) -> str:
    """A strong ETag for exactly these bytes."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether a conditional header (If-None-Match, If-Match) names ``etag`` (or ``*``)."""
    if header is None:
        return False
    candidates = [c.strip() for c in header.split(",")]
    bare = etag.removeprefix("W/")
    return "*" in candidates or any(c.removeprefix("W/") == bare for c in candidates)


def render_json(data: Any) -> bytes:
    """The canonical JSON bytes of ``data`` (the same bytes always give the same ETag).

    A pydantic model is serialized by pydantic itself: the same compact UTF-8 bytes as the
    generic path below, twenty times faster (a set of 200 focal points: 0.6 ms, not 12 ms)."""
    if isinstance(data, BaseModel):
        return data.model_dump_json().encode()
    return json.dumps(
        jsonable_encoder(data), ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode()


def conditional_response(
    request: Request,
    body: bytes,
    media_type: str = "application/json",
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The answer with its ETag, or a bodiless 304 when ``If-None-Match`` already has it."""
    return tagged_response(request, body, etag_of(body), media_type, status_code, headers)


def tagged_response(
    request: Request,
    body: bytes,
    etag: str,
    media_type: str = "application/json",
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """:func:`conditional_response` for bytes whose ETag is already known (cached)."""
    if request.method in SAFE_METHODS:  # a read whose Accept refuses this media type: 406
        negotiate(request, (media_type.split(";")[0],))
    out_headers = {"ETag": etag, **(headers or {})}
    if status_code == 200 and etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=out_headers)
    return Response(body, status_code=status_code, media_type=media_type, headers=out_headers)


def json_response(
    request: Request, data: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """``data`` as JSON with an ETag (304 on a matching If-None-Match for a 200)."""
    return conditional_response(
        request, render_json(data), status_code=status_code, headers=headers
    )


def created_response(request: Request, data: Any, location: str) -> Response:
    """201 with ``data`` as JSON, its ETag, and where it now lives."""
    return json_response(request, data, status_code=201, headers={"Location": location})


def check_if_match_etag(request: Request, etag: str) -> None:
    """412 when ``If-Match`` is present and names another version than ``etag``."""
    header = request.headers.get("if-match")
    if header is not None and not etag_matches(header, etag):
        raise PreconditionFailed(
            "If-Match does not match the current ETag; read it again and retry."
        )


def check_if_match_any(request: Request, representations: list[Any]) -> None:
    """412 when ``If-Match`` is present and names none of the current ``representations`` (one
    resource answered in several languages: an ETag read in any of them is current)."""
    header = request.headers.get("if-match")
    if header is not None and not any(
        etag_matches(header, etag_of(render_json(r))) for r in representations
    ):
        raise PreconditionFailed(
            "If-Match does not match the current ETag; read it again and retry."
        )


def check_if_match(request: Request, current: Any) -> None:
    """412 when ``If-Match`` is present and names another version than ``current``'s."""
    check_if_match_etag(request, etag_of(render_json(current)))
