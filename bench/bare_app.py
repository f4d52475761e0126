"""The yardstick: a bare FastAPI app answering the member list's bytes from memory.

It serves exactly the bytes (and ETag) the real service answered, read from the file named by
``BENCH_BODY_FILE``, with an ``async def`` endpoint and nothing else: no database, no keys, no
logging, no middleware. ``bench.run`` starts it with the same uvicorn settings as the service.
"""

import hashlib
import os
from pathlib import Path

from fastapi import FastAPI, Request, Response

BODY = Path(os.environ["BENCH_BODY_FILE"]).read_bytes()
ETAG = '"' + hashlib.sha256(BODY).hexdigest()[:32] + '"'
HEADERS = {"ETag": ETAG, "Cache-Control": "public, max-age=60", "Vary": "Accept"}

app = FastAPI()


@app.get("/v1/member-list")
async def member_list(request: Request) -> Response:
    if request.headers.get("if-none-match") == ETAG:
        return Response(status_code=304, headers=HEADERS)
    return Response(BODY, media_type="application/json", headers=HEADERS)


@app.post("/hook")
async def hook() -> Response:
    """A webhook receiver that takes every delivery (the webhooks' benchmark points here)."""
    return Response(status_code=204)
