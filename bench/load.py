"""Real servers and real load tools for the benchmark: uvicorn processes, wrk and hey."""

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


class BenchError(RuntimeError):
    """The benchmark cannot run (a tool is missing, a server did not start)."""


def require_tools() -> None:
    missing = [tool for tool in ("wrk", "hey") if shutil.which(tool) is None]
    if missing:
        raise BenchError(
            f"missing load tool(s): {', '.join(missing)}; on Debian: apt-get install wrk hey"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(BIN / "icat-api"), *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise BenchError(f"icat-api {' '.join(args)}: {done.stderr[-2000:]}")
    return done.stdout


@contextmanager
def running(
    command: list[str], env: dict[str, str], port: int, log: Path, ready: str = "/v1/member-list"
) -> Iterator[str]:
    """``command`` serving on ``port`` until the block ends (ready when ``ready`` answers 200);
    answers the base URL."""
    with log.open("w") as out:
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{base}{ready}", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise BenchError(f"{command[0]} did not start: {log.read_text()[-2000:]}")
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def service_command(port: int) -> list[str]:
    """The service as deployed: ``icat-api serve`` (uvicorn, one worker per core is the
    operator's choice; the benchmark uses one, like the yardstick)."""
    return [str(BIN / "icat-api"), "serve", "--host", "127.0.0.1", "--port", str(port)]


def bare_command(port: int) -> list[str]:
    """The yardstick with the uvicorn settings ``icat-api serve`` uses."""
    return uvicorn_command("bench.bare_app:app", port)


def reference_command(port: int) -> list[str]:
    """The reference for reads (``bench.reference_app``), with the same settings."""
    return uvicorn_command("bench.reference_app:app", port)


def uvicorn_command(app: str, port: int) -> list[str]:
    """``app`` served by uvicorn as ``icat-api serve`` serves the service: one worker, log level
    warning, no access log, no proxy headers, no server header."""
    return [
        str(BIN / "python"),
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--no-proxy-headers",
        "--no-server-header",
        "--log-level",
        "warning",
    ]


@dataclass(frozen=True)
class Load:
    """What a load tool measured."""

    rps: float
    p50_ms: float
    p99_ms: float
    failures: int  # non-2xx/3xx answers, socket errors, timeouts


def median(runs: list[Load]) -> Load:
    """The median of each figure of ``runs``; failures added up."""
    return Load(
        statistics.median(r.rps for r in runs),
        statistics.median(r.p50_ms for r in runs),
        statistics.median(r.p99_ms for r in runs),
        sum(r.failures for r in runs),
    )


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk_latency(text: str, pct: str) -> float:
    m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", text, re.MULTILINE)
    if m is None:
        raise BenchError(f"wrk printed no {pct}% latency:\n{text}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
) -> Load:
    """Peak throughput: as many requests as ``connections`` connections can make."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    if script is not None:
        cmd += ["-s", str(script)]
    text = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if rps is None:
        raise BenchError(f"wrk printed no rate:\n{text}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    not_ok = int(bad.group(1)) if bad else 0
    failures = sum(int(g) for g in errors.groups()) if errors else 0
    rate = float(rps.group(1))
    # A script of bench.writes counts the answers itself: every one not 2xx (a 3xx too, which
    # wrk's own count lets pass), and the rate over the time it sent requests (it may run out of
    # prepared requests before wrk's duration is over).
    own = re.search(r"^bench: answers (\d+), not 2xx (\d+), seconds ([\d.]+)$", text, re.MULTILINE)
    if own is not None:
        answers, not_ok, spent = int(own.group(1)), int(own.group(2)), float(own.group(3))
        if answers == 0:
            raise BenchError(f"wrk got no answer:\n{text}")
        rate = answers / spent if spent > 0 else 0.0
    failures += not_ok
    return Load(rate, _wrk_latency(text, "50"), _wrk_latency(text, "99"), failures)


def hey(
    url: str,
    *,
    seconds: int,
    rate: int,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    body: Path | None = None,
    ok: tuple[str, ...] = ("2", "3"),
) -> Load:
    """Latency at a fixed request rate (``rate`` per second). One worker per 50 requests a
    second: more workers at a low rate fire together and measure their own queueing. Answers
    whose status does not start with one of ``ok`` count as failures (writes: ``("2",)``)."""
    workers = max(1, rate // 50)
    cmd = ["hey", "-z", f"{seconds}s", "-c", str(workers), "-q", f"{rate / workers:g}"]
    cmd += ["-m", method, "-disable-keepalive=false"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    if body is not None:
        cmd += ["-D", str(body), "-T", "application/json"]
    cmd += ["-o", "csv"]  # one line per request: percentiles computed here, exactly
    text = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    lines = [line.split(",") for line in text.splitlines()[1:] if line]
    if not lines:
        raise BenchError(f"hey made no request: {text[-2000:]}")
    times = sorted(float(cols[0]) * 1000 for cols in lines)
    failures = sum(1 for cols in lines if not cols[6].startswith(ok))

    def pct(p: float) -> float:
        return times[min(len(times) - 1, int(p * len(times)))]

    return Load(len(lines) / seconds, pct(0.50), pct(0.99), failures)


def environment(database_url: str, **extra: str) -> dict[str, str]:
    """The service's environment: the settings a deployment would use, on this database. The
    rate limits stay on (their cost is measured) but high enough for one load tool's address;
    logs at WARNING, like the bare app's and the reference's uvicorn (no line per request)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICAT_")}
    env.update(
        {
            "ICAT_DATABASE_URL": database_url,
            "ICAT_LOG_JSON": "true",
            "ICAT_LOG_LEVEL": "WARNING",
            "ICAT_RATE_LIMIT_ENABLED": "true",
            "ICAT_RATE_LIMIT_PER_ADDRESS": "1000000/minute",
            "ICAT_RATE_LIMIT_PER_KEY": "1000000/minute",
            **extra,
        }
    )
    return env
