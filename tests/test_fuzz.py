"""Schemathesis over every operation of the OpenAPI document, against a real server, with the
keys of three callers whose powers differ (DESIGN §5): the Coordinator (the secretariat's
powers), the Chair sitting today, and an ordinary member. No server error, every response
conforms to the document, and every check passes, `ignored_auth` included: each protected
operation that answers 2xx with the key is probed again without it, and must refuse.

``ICAT_FUZZ_EXAMPLES`` (default 25) is the secretariat's ``--max-examples``; the chair and the
member get a fifth of it and skip the coverage phase, which the secretariat's run already drives
through every operation, unless the run is deeper than the default (``ICAT_FUZZ_EXAMPLES=200``).
``ICAT_FUZZ_SEED`` replaces the fixed seed, to explore other data.
"""

import json
import os
import re
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.dbutil import fresh_database
from tests.livesrv import BIN, ROOT, answered_statuses, create_keys, live_server

DEFAULT_EXAMPLES = 25
EXAMPLES = int(os.environ.get("ICAT_FUZZ_EXAMPLES", str(DEFAULT_EXAMPLES)))
ALL_PHASES = ("examples", "coverage", "fuzzing", "stateful")
COORDINATOR = "unodc"
CHAIR = "iom"  # made the sitting Chair when no term is recorded for this year
MEMBERS = ("ilo", "unhcr")  # the first one that is not the sitting Chair
SEED = os.environ.get("ICAT_FUZZ_SEED", "20261122")  # another seed explores other data


@dataclass(frozen=True)
class Identity:
    name: str
    examples: int
    phases: tuple[str, ...]


def _share(fraction: int) -> int:
    return max(3, EXAMPLES // fraction)


_DEEP = EXAMPLES > DEFAULT_EXAMPLES
IDENTITIES = (
    Identity("secretariat", EXAMPLES, ALL_PHASES),
    Identity("chair", _share(5), ALL_PHASES if _DEEP else ("examples", "fuzzing", "stateful")),
    Identity("member", _share(5), ALL_PHASES if _DEEP else ("examples", "fuzzing", "stateful")),
)


def _sitting_chairs(base: str) -> list[str]:
    today = date.today().isoformat()
    terms = httpx.get(f"{base}/v1/chairs", params={"on": today}, timeout=30).json()["items"]
    return [e for term in terms for e in term["entity_ids"]]


def _entity_for(identity: str, base: str, coordinator_key: str) -> str:
    """The entity whose key plays ``identity`` on this server; for the chair, a term is recorded
    for this year when none is."""
    if identity == "secretariat":
        return COORDINATOR
    chairs = _sitting_chairs(base)
    if identity == "member":
        return next(m for m in MEMBERS if m not in chairs)
    if not chairs:
        r = httpx.post(
            f"{base}/v1/chair-terms",
            json={"start_year": date.today().year, "entity_ids": [CHAIR]},
            headers={"Authorization": f"Bearer {coordinator_key}"},
            timeout=30,
        )
        assert r.status_code == 201, r.text
        chairs = _sitting_chairs(base)
    assert chairs and COORDINATOR not in chairs, chairs
    return chairs[0]


def _config(tmp_path: Path, entity: str) -> Path:
    """The project's settings; for a key that acts only for its own entity, half of the
    `entity_id` values, in paths and bodies, are that entity, so that its own focal points,
    applications, enrolment and candidacies are reached, not only refused."""
    base = ROOT / "schemathesis.toml"
    if entity == COORDINATOR:
        return base
    path = tmp_path / "schemathesis.toml"
    path.write_text(
        base.read_text()
        + f"""
[dictionaries.own-entity]
values = ["{entity}"]

[parameters]
"path.entity_id" = {{ dictionary = "own-entity", probability = 0.5 }}
"body.entity_id" = {{ dictionary = "own-entity", probability = 0.5 }}
"""
    )
    return path


def _operations(openapi: dict[str, Any]) -> list[tuple[str, str, re.Pattern[str], bool]]:
    """(method, template, path regex, needs a key) for each operation, most literal first."""
    out = []
    for template, ops in openapi["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$")
        for method, op in ops.items():
            # `[]` is public and `[{}, {"bearer": []}]` a key optional: only the bearer alone needs one
            needs_key = op.get("security") == [{"bearer": []}]
            out.append((method.upper(), template, pattern, needs_key))
    out.sort(key=lambda o: o[1].count("{"))
    return out


def _answers(log: str, openapi: dict[str, Any]) -> dict[str, set[int]]:
    """The statuses the server answered, per protected operation ("METHOD /template")."""
    ops = [o for o in _operations(openapi) if o[3]]
    seen: dict[str, set[int]] = {}
    for line in log.split("\n"):  # JSON lines end at \n only
        entry = json.loads(line) if line.startswith("{") else {}
        if entry.get("logger") != "icat_api.access":
            continue
        for method, template, pattern, _ in ops:
            if entry["method"] == method and pattern.match(entry["path"]):
                seen.setdefault(f"{method} {template}", set()).add(entry["status"])
                break
    return seen


@pytest.mark.parametrize("identity", IDENTITIES, ids=[i.name for i in IDENTITIES])
def test_schemathesis_finds_nothing(identity: Identity, tmp_path: Path) -> None:
    url = fresh_database(f"fuzz_{identity.name}")
    log_path = tmp_path / "server.log"
    report_path = tmp_path / "report.json"
    # `serve` upgrades the empty database and seeds the real data before it answers.
    with live_server(url, log_path) as base:
        coordinator_key = create_keys(url, COORDINATOR)[COORDINATOR]
        entity = _entity_for(identity.name, base, coordinator_key)
        key = coordinator_key if entity == COORDINATOR else create_keys(url, entity)[entity]
        start = log_path.stat().st_size  # what the server logs from here on is the fuzzer's
        openapi: dict[str, Any] = httpx.get(f"{base}/openapi.json", timeout=30).json()
        done = subprocess.run(
            [
                str(BIN / "schemathesis"),
                "--config-file",
                str(_config(tmp_path, entity)),
                "run",
                f"{base}/openapi.json",
                "-H",
                f"Authorization: Bearer {key}",
                "--checks",
                "all",
                "--phases",
                ",".join(identity.phases),
                "--max-examples",
                str(identity.examples),
                "--seed",
                SEED,
                "--generation-database",
                "none",
                "--no-color",
                "--workers",
                "1",  # hypothesis parses lambdas with ast, not thread-safe on 3.11
                "--report",
                "json",
                "--report-json-path",
                str(report_path),
            ],
            capture_output=True,
            text=True,
            timeout=600 + 15 * identity.examples,  # a deep run takes long
            cwd=tmp_path,
            check=False,
        )
    report = f"{identity.name} ({entity}):\n" + done.stdout[-6000:] + done.stderr[-2000:]
    assert done.returncode == 0, report
    summary = json.loads(report_path.read_text())
    assert summary["failures"] == [] and summary["errors"] == [], report
    total = sum(len(ops) for ops in openapi["paths"].values())
    assert summary["operations"]["selected"] == total, report
    assert summary["operations"]["tested"] == total, report
    for phase in identity.phases:
        assert summary["phases"][phase]["status"] == "success", (phase, report)

    log = log_path.read_text()
    statuses = answered_statuses(log_path)
    assert statuses, "the server logged no request"
    assert not [s for s in statuses if s >= 500], log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    # Every request carried a valid key, so a 401 is `ignored_auth` probing the operation again
    # without it (or with a made-up one), which it does for each protected operation the key
    # got a 2xx from: so it ran, and with exit code 0, every probe was refused.
    answered = _answers(log_path.read_bytes()[start:].decode(), openapi)
    succeeded = {op for op, statuses in answered.items() if any(200 <= s < 300 for s in statuses)}
    assert succeeded, (answered, report)
    unprobed = sorted(op for op in succeeded if 401 not in answered[op])
    assert not unprobed, (unprobed, answered)
