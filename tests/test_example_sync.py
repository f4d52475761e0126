"""examples/sync_focal_points.py, as an agency would run it nightly, against a real server."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.dbutil import fresh_database
from tests.livesrv import ROOT, cli, live_server

SCRIPT = ROOT / "examples" / "sync_focal_points.py"
SAMPLE = ROOT / "examples" / "contacts.csv"


def run(
    base: str, key: str, csv_path: Path, entity: str = "ilo"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(csv_path), "--entity", entity, "--base-url", base],
        env={**os.environ, "ICAT_API_KEY": key},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_nightly_sync_runs_against_a_real_server(tmp_path: Path) -> None:
    url = fresh_database("example")
    env = {**os.environ, "ICAT_DATABASE_URL": url}
    cli("db", "upgrade", env=env)
    cli("seed", env=env)
    key = cli("keys", "create", "--entity", "ilo", env=env).strip().splitlines()[-1]
    with live_server(url, tmp_path / "server.log") as base:
        first = run(base, key, SAMPLE)
        assert first.returncode == 0, first.stderr
        assert first.stdout.strip() == '{"created": 3, "updated": 0, "removed": 0, "unchanged": 0}'
        again = run(base, key, SAMPLE)
        assert again.stdout.strip() == '{"created": 0, "updated": 0, "removed": 0, "unchanged": 3}'

        with SAMPLE.open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        rows[1]["email"] = "x.wang@example.org"
        changed = tmp_path / "changed.csv"
        with changed.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows[:2])
        third = run(base, key, changed)
        assert third.stdout.strip() == '{"created": 0, "updated": 1, "removed": 1, "unchanged": 1}'

        stored = httpx.get(
            f"{base}/v1/entities/ilo/focal-points", headers={"Authorization": f"Bearer {key}"}
        ).json()["items"]
        assert [c["email"] for c in stored] == ["amina.haddad@example.org", "x.wang@example.org"]

        rows[0]["is_primary"] = "false"
        bad = tmp_path / "no-primary.csv"
        with bad.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        refused = run(base, key, bad)
        assert refused.returncode == 1
        assert "ToR 3.A.2" in refused.stderr

        other = run(base, key, SAMPLE, entity="iom")
        assert other.returncode == 1 and "403" in other.stderr
