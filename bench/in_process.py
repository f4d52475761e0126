"""The CPU time of one request, in process: the app called through ASGI, no network, no load
tool — what a change to a miss saves, without the noise of a load run.

    .venv/bin/python -m bench.in_process --database-url sqlite:////tmp/icat.db /v1/entities
    .venv/bin/python -m bench.in_process --reference /v1/entities-on-the-loop

The service is built as ``icat-api serve`` builds it, with its response cache off (every request
runs its route), the rate limits out of the way and logs at WARNING; ``--reference`` times
``bench/reference_app.py`` instead (it reads ``ICAT_DATABASE_URL``). Prints the best of three
runs of ``--requests`` requests, in milliseconds per request.
"""

import argparse
import asyncio
import gc
import os
import time
from collections.abc import MutableMapping
from typing import Any

from fastapi import FastAPI


def _app(reference: bool) -> FastAPI:
    if reference:
        from bench import reference_app

        return reference_app.app
    from icat_api.app import create_app
    from icat_api.logs import configure_logging

    configure_logging("WARNING", True)
    app = create_app()
    gc.collect()
    gc.freeze()  # as create_served_app
    return app


async def _one(app: FastAPI, path: str, query: bytes, headers: list[tuple[bytes, bytes]]) -> int:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"accept", b"*/*"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    asked = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client never goes away
        raise AssertionError

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def _measure(args: argparse.Namespace) -> list[float]:
    app = _app(args.reference)
    path, _, query = args.path.partition("?")
    headers = [(b"authorization", f"Bearer {args.key}".encode())] if args.key else []
    async with app.router.lifespan_context(app):
        for _ in range(min(200, args.requests)):  # warm: statement caches, pools, imports
            status = await _one(app, path, query.encode(), headers)
            if status != 200:
                raise SystemExit(f"GET {args.path} answered {status}, not 200")
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            for _ in range(args.requests):
                await _one(app, path, query.encode(), headers)
            runs.append((time.perf_counter() - start) / args.requests * 1000)
        return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="the path and query to GET, e.g. /v1/entities?limit=10")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database-url", help="ICAT_DATABASE_URL (a migrated, seeded database)")
    parser.add_argument("--key", help="a key to send as Authorization: Bearer")
    parser.add_argument("--reference", action="store_true", help="time bench/reference_app.py")
    args = parser.parse_args()
    if args.database_url:
        os.environ["ICAT_DATABASE_URL"] = args.database_url
    os.environ.update(
        ICAT_RESPONSE_CACHE_ENABLED="false",
        ICAT_RATE_LIMIT_ENABLED="false",
        ICAT_LOG_LEVEL="WARNING",
    )
    runs = asyncio.run(_measure(args))
    print(
        f"GET {args.path}: {min(runs):.3f} ms per request "
        f"(best of {', '.join(f'{r:.3f}' for r in runs)})"
    )


if __name__ == "__main__":
    main()
