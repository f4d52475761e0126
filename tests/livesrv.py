"""A real server process for tests that need one: `icat-api serve` on a free port."""

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy.orm import Session

from icat_api.db import make_engine
from icat_api.keys.service import create_key

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(*args: str, env: dict[str, str]) -> str:
    """Run `icat-api ARGS` and answer its stdout."""
    done = subprocess.run(
        [str(BIN / "icat-api"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


@contextmanager
def live_server(
    database_url: str, log_path: Path, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """Serve on a free port until the block ends; answers the base URL."""
    port = free_port()
    env = {
        "ICAT_RATE_LIMIT_ENABLED": "false",  # tests and fuzzers hammer the server on purpose
        **os.environ,
        "ICAT_DATABASE_URL": database_url,
        "ICAT_LOG_JSON": "true",
        **(extra_env or {}),
    }
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [str(BIN / "icat-api"), "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90  # a loaded CI machine migrates slowly
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {log_path.read_text()[-2000:]}")
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def create_keys(database_url: str, *entities: str) -> dict[str, str]:
    """A new key for each of ``entities``, as `icat-api keys create --entity` makes them, but
    in this process (the command takes seconds to start)."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session, session.begin():
            return {e: create_key(session=session, entity_id=e)[1] for e in entities}
    finally:
        engine.dispose()


def answered_statuses(log_path: Path) -> list[int]:
    """The status of every request the server logged (its JSON access lines)."""
    statuses: list[int] = []
    for line in log_path.read_text().split("\n"):  # JSON lines end at \n only
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("event") == "request":
                statuses.append(int(entry["status"]))
    return statuses


def wait_ready(base: str, proc: "subprocess.Popen[bytes]", log: Path) -> None:
    """Until ``base`` answers /readyz 200 (a minute at most); the process must not stop."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert proc.poll() is None, f"the server stopped: {log.read_text()[-2000:]}"
        time.sleep(0.2)
    raise AssertionError(f"the server never got ready: {log.read_text()[-2000:]}")


RECEIVER = ROOT / "examples" / "webhook_receiver.py"


@contextmanager
def webhook_receiver(tmp_path: Path, secret: str, port: int = 0) -> Iterator[tuple[str, Path]]:
    """examples/webhook_receiver.py on a free port until the block ends: answers its URL and the
    JSON-lines file it keeps events in (``tmp_path / "events.jsonl"``). ``port`` 0: a free one."""
    out, log_path = tmp_path / "events.jsonl", tmp_path / "receiver.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, str(RECEIVER), "--port", str(port), "--out", str(out)],
            env={**os.environ, "ICAT_WEBHOOK_SECRET": secret},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while not (listening := re.search(r"listening on (\S+)", log_path.read_text())):
                assert proc.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.05)
            yield listening[1], out
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
