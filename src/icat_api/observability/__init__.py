"""Metrics (Prometheus, ``ICAT_METRICS_ENABLED``) and tracing (OpenTelemetry, the standard
``OTEL_*`` variables). Each library is imported only when switched on: an app without them pays
nothing for them."""
