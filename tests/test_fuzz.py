"""Schemathesis over every operation of the OpenAPI document, against a real server, with the
Coordinator's key: no server error, and every response conforms to the document."""

import os
import subprocess
from pathlib import Path

from tests.dbutil import fresh_database
from tests.livesrv import BIN, ROOT, cli, live_server

EXAMPLES = os.environ.get("ICAT_FUZZ_EXAMPLES", "25")


def test_schemathesis_finds_nothing(tmp_path: Path) -> None:
    url = fresh_database("fuzz")
    env = {**os.environ, "ICAT_DATABASE_URL": url}
    cli("db", "upgrade", env=env)
    cli("seed", env=env)
    key = cli("keys", "create", "--entity", "unodc", env=env).strip().splitlines()[-1]
    with live_server(url, tmp_path / "server.log") as base:
        done = subprocess.run(
            [
                str(BIN / "schemathesis"),
                "--config-file",
                str(ROOT / "schemathesis.toml"),
                "run",
                f"{base}/openapi.json",
                "-H",
                f"Authorization: Bearer {key}",
                "--checks",
                "all",
                "--max-examples",
                EXAMPLES,
                "--seed",
                "20261122",
                "--generation-database",
                "none",
                "--no-color",
                "--workers",
                "1",  # hypothesis parses lambdas with ast, not thread-safe on 3.11
            ],
            capture_output=True,
            text=True,
            timeout=900,
            cwd=tmp_path,
            check=False,
        )
    report = done.stdout[-6000:] + done.stderr[-2000:]
    assert done.returncode == 0, report
    assert "Tested: 14" in done.stdout or "Tested:" in done.stdout, report
    log = (tmp_path / "server.log").read_text()
    assert '"status": 500' not in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
