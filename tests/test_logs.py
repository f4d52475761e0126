"""The service's JSON log lines: one line per event, whatever a caller puts in a path."""

import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from icat_api.logs import configure_logging


@pytest.fixture
def json_logs() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO", True)
    yield
    structlog.reset_defaults()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_a_hostile_path_cannot_split_or_forge_a_log_line(
    json_logs: None, capfd: pytest.CaptureFixture[str]
) -> None:
    path = '/v1/a\u2028{"event":"forged"}\x85b\u2029c\x1cd\ne'
    structlog.get_logger("icat_api.access").info("request", path=path, status=404)
    err = capfd.readouterr().err
    assert len(err.splitlines()) == 1  # Unicode line breaks too
    entry = json.loads(err)
    assert entry["path"] == path
    assert (entry["event"], entry["status"], entry["logger"]) == ("request", 404, "icat_api.access")
    assert entry["timestamp"].endswith("Z") and len(entry["timestamp"]) == 27
