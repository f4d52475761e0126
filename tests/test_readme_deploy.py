"""The README's deployment section, run as written: every command of its `sh` blocks, in order,
on the test's database (SQLite, or PostgreSQL when the suite runs there). `serve` runs in the
background on a free port; the variables the README names are set as it says."""

import os
import re
import shlex
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from icat_api.db import make_engine
from icat_api.entities.models import Entity
from tests.dbutil import fresh_database
from tests.livesrv import BIN, ROOT, free_port, wait_ready

pytestmark = pytest.mark.live_servers
CHAIR = "ilo"  # a member on 1 January of any recent year: the term the secretariat records


def deployment_commands() -> list[str]:
    """Every command line of the `sh` blocks in the README's "## Deploying" section."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Deploying") :]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_the_deployment_section_has_its_commands() -> None:
    commands = deployment_commands()
    assert any(c.startswith("icat-api serve") for c in commands)
    assert any("db restore" in c for c in commands)
    assert any("/v1/chair-terms" in c for c in commands)


def test_every_command_of_the_deployment_section_runs_as_written(tmp_path: Path) -> None:
    url, new_url = fresh_database("deploy"), fresh_database("deploy-new")
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{BIN}:{os.environ['PATH']}",
        "ICAT_DATABASE_URL": url,
        "NEW_DATABASE_URL": new_url,
        "ICAT_URL": f"http://127.0.0.1:{port}",
        "ICAT_METRICS_ENABLED": "true",
        "ICAT_RATE_LIMIT_ENABLED": "false",
        "YEAR": str(date.today().year),
        "CHAIR": CHAIR,
    }
    server: subprocess.Popen[bytes] | None = None
    log = tmp_path / "serve.log"
    try:
        for command in deployment_commands():
            if command.startswith("icat-api serve"):
                args = shlex.split(
                    command.replace("8000", str(port)).replace("0.0.0.0", "127.0.0.1")  # noqa: S104
                )
                with log.open("wb") as out:
                    server = subprocess.Popen(
                        [str(BIN / args[0]), *args[1:]],
                        env=env,
                        cwd=tmp_path,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                wait_ready(env["ICAT_URL"], server, log)
                continue
            done = subprocess.run(
                ["bash", "-c", command],
                env=env,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-2000:])
            if command.startswith("icat-api keys create --entity unodc"):
                env["KEY"] = done.stdout.strip().splitlines()[-1]
            if "/v1/chairs?on=" in command:
                assert CHAIR in done.stdout
            if command.endswith('/metrics"'):
                assert "icat_http_requests_total" in done.stdout
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=15)
    assert server is not None and "KEY" in env
    # The restored database holds what the served one did.
    counts: list[int] = []
    for database in (url, new_url):
        engine = make_engine(database)
        try:
            with engine.connect() as conn:
                counts.append(conn.scalar(select(func.count()).select_from(Entity)) or 0)
        finally:
            engine.dispose()
    assert counts[0] == counts[1] and counts[0] > 20
