"""Metrics (Prometheus, ``ICAT_METRICS_ENABLED``), imported only when switched on: an app
without them pays nothing for them."""
