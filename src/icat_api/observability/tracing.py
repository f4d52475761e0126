"""OpenTelemetry tracing, switched on by the standard ``OTEL_*`` environment variables.

On when ``OTEL_TRACES_EXPORTER`` names an exporter (``otlp``, ``console``, or any installed
``opentelemetry_traces_exporter`` entry point; several comma-separated), or when
``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` or ``OTEL_SERVICE_NAME``
is set (then OTLP); off when none is, when the exporter is ``none``, or with
``OTEL_SDK_DISABLED=true``. ``otlp`` speaks ``OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL``,
``http/protobuf`` by default (the specification's default; the package is a dependency).
Everything else is read by the SDK and the exporters themselves: ``OTEL_SERVICE_NAME``
(default ``icat-api``), ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_SAMPLER(_ARG)``,
``OTEL_BSP_*``, ``OTEL_EXPORTER_OTLP_*``.

Spans: the server span of each request (opentelemetry-instrumentation-fastapi, around every
layer of the app, so the access log line is written inside it) and one per SQL statement
(opentelemetry-instrumentation-sqlalchemy, on the app's engine). Every structlog line written
while a span is current carries its ``trace_id`` (32 hex digits) and ``span_id`` (16).

Nothing of OpenTelemetry's SDK is imported unless tracing is on.
"""

import os
from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

from icat_api import __version__
from icat_api.observability import at_shutdown

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from sqlalchemy import Engine
    from structlog.types import Processor

_SWITCHES = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_SERVICE_NAME",
)
_OTLP_BY_PROTOCOL = {"http/protobuf": "otlp_proto_http", "grpc": "otlp_proto_grpc"}
_provider: "TracerProvider | None" = None


def enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the environment asks for traces."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporters = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporters:
        return exporters != "none"
    return any(environ.get(name, "").strip() for name in _SWITCHES)


def _exporter_names(environ: Mapping[str, str]) -> list[str]:
    names = [n.strip() for n in environ.get("OTEL_TRACES_EXPORTER", "otlp").split(",")]
    protocol = (
        environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
        or environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
        or "http/protobuf"
    ).strip()
    if "otlp" in names and protocol not in _OTLP_BY_PROTOCOL:
        raise RuntimeError(f"unknown OTLP protocol {protocol!r}: http/protobuf or grpc")
    return [_OTLP_BY_PROTOCOL[protocol] if n == "otlp" else n for n in names if n]


def _exporter(name: str) -> "SpanExporter":
    from importlib.metadata import entry_points

    found = entry_points(group="opentelemetry_traces_exporter", name=name)
    if not found:
        raise RuntimeError(
            f"OTEL_TRACES_EXPORTER: no span exporter {name!r} is installed"
            + (" (pip install opentelemetry-exporter-otlp-proto-grpc)" if "grpc" in name else "")
        )
    exporter: SpanExporter = next(iter(found)).load()()
    return exporter


def tracer_provider() -> "TracerProvider":
    """The process's tracer provider, made from the environment at first call and installed
    as OpenTelemetry's global one; spans leave in batches (``OTEL_BSP_*``), the last as the
    server stops (:func:`instrument`)."""
    global _provider
    if _provider is None:
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        attributes = {"service.version": __version__}
        named = os.environ.get("OTEL_SERVICE_NAME") or "service.name=" in os.environ.get(
            "OTEL_RESOURCE_ATTRIBUTES", ""
        )
        if not named:
            attributes["service.name"] = "icat-api"
        provider = TracerProvider(resource=Resource.create(attributes))
        for name in _exporter_names(os.environ):
            provider.add_span_processor(BatchSpanProcessor(_exporter(name)))
        trace.set_tracer_provider(provider)
        _provider = provider
    return _provider


def instrument(app: "FastAPI", engine: "Engine", provider: "TracerProvider | None" = None) -> None:
    """Server spans for ``app``'s requests, and a span per SQL statement run on ``engine``,
    exported by ``provider`` (the environment's when none is given)."""
    from opentelemetry import metrics, trace
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.instrumentation.sqlalchemy.version import __version__ as sqla_version

    provider = provider or tracer_provider()
    at_shutdown(app, lambda: provider.force_flush(5000))  # the spans still batched
    # Spans for each ASGI message sent and received would double the spans of every request
    # and say nothing the server span does not.
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, exclude_spans=["receive", "send"]
    )
    # The engine alone: SQLAlchemyInstrumentor().instrument(engine=...) also patches
    # create_engine everywhere and imports sqlalchemy.ext.asyncio (which needs greenlet), for
    # the same EngineTracer it returns. Its connection-usage metric goes to the global meter
    # provider: none is configured here, so it costs nothing.
    EngineTracer(  # type: ignore[no-untyped-call]
        trace.get_tracer(
            "opentelemetry.instrumentation.sqlalchemy", sqla_version, tracer_provider=provider
        ),
        engine,
        metrics.get_meter("opentelemetry.instrumentation.sqlalchemy").create_up_down_counter(
            "db.client.connections.usage"
        ),
    )


def log_processors() -> "list[Processor]":
    """structlog processors adding the ids of the span current where a line is written,
    ``trace_id`` (32 hex digits) and ``span_id`` (16), when there is one: none when tracing is
    off (a log line then pays nothing for it)."""
    if not enabled():
        return []
    from opentelemetry.trace import get_current_span

    def add_trace_ids(
        _logger: Any, _method: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        context = get_current_span().get_span_context()
        if context.is_valid:
            event["trace_id"] = format(context.trace_id, "032x")
            event["span_id"] = format(context.span_id, "016x")
        return event

    return [add_trace_ids]
