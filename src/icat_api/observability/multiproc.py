"""prometheus_client's multiprocess mode for `icat-api serve --workers N` (imports no
prometheus_client: the mode is chosen when that library is first imported, from
``PROMETHEUS_MULTIPROC_DIR``)."""

import atexit
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"
# The files prometheus_client writes there: one per process and kind of metric.
_SAMPLES = re.compile(r"(counter|histogram|summary|gauge_[a-z]+)_\d+\.db")


def prepare(workers: int) -> Path | None:
    """The directory every worker writes its samples to, set in the environment before any
    worker starts: ``$PROMETHEUS_MULTIPROC_DIR`` when given (a previous run's samples removed
    from it: counters start at zero with the server), else, for more than one worker, a new
    temporary directory removed when the server stops. One worker and none given: None, and
    the process keeps its counts in memory (a third of the cost per request)."""
    if "prometheus_client" in sys.modules:
        raise RuntimeError(f"prometheus_client was imported before {ENV} was set")
    given = os.environ.get(ENV)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for old in path.iterdir():
            if _SAMPLES.fullmatch(old.name):
                old.unlink()
        return path
    if workers == 1:
        return None
    path = Path(tempfile.mkdtemp(prefix="icat-metrics-"))
    os.environ[ENV] = str(path)
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path
