"""Metrics (Prometheus, ``ICAT_METRICS_ENABLED``) and tracing (OpenTelemetry, the standard
``OTEL_*`` variables). Each library is imported only when switched on: an app without them pays
nothing for them."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI


def at_shutdown(app: "FastAPI", callback: Callable[[], object]) -> None:
    """Calls ``callback`` when ``app``'s lifespan ends, as the server stops. Not with atexit:
    uvicorn ends a process by raising again the signal it caught, and atexit handlers do not
    run then."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        try:
            async with inner(app) as state:
                yield state
        finally:
            callback()

    app.router.lifespan_context = lifespan
