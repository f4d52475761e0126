"""Real servers and real load tools for the benchmark: uvicorn processes, wrk and hey."""

import os
import re
import shutil
import socket
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
def running(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """``command`` serving on ``port`` until the block ends; answers the base URL."""
    with log.open("w") as out:
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{base}/v1/member-list", timeout=2).status_code == 200:
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
    return [
        str(BIN / "python"),
        "-m",
        "uvicorn",
        "bench.bare_app:app",
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
    failures = (int(bad.group(1)) if bad else 0) + (
        sum(int(g) for g in errors.groups()) if errors else 0
    )
    return Load(float(rps.group(1)), _wrk_latency(text, "50"), _wrk_latency(text, "99"), failures)


def hey(
    url: str,
    *,
    seconds: int,
    rate: int,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    body: Path | None = None,
) -> Load:
    """Latency at a fixed request rate (``rate`` per second). One worker per 50 requests a
    second: more workers at a low rate fire together and measure their own queueing."""
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
    failures = sum(1 for cols in lines if not cols[6].startswith(("2", "3")))

    def pct(p: float) -> float:
        return times[min(len(times) - 1, int(p * len(times)))]

    return Load(len(lines) / seconds, pct(0.50), pct(0.99), failures)


def environment(database_url: str, **extra: str) -> dict[str, str]:
    """The service's environment: the settings a deployment would use, on this database. The
    rate limits stay on (their cost is measured) but high enough for one load tool's address."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICAT_")}
    env.update(
        {
            "ICAT_DATABASE_URL": database_url,
            "ICAT_LOG_JSON": "true",
            "ICAT_RATE_LIMIT_ENABLED": "true",
            "ICAT_RATE_LIMIT_PER_ADDRESS": "1000000/minute",
            "ICAT_RATE_LIMIT_PER_KEY": "1000000/minute",
            **extra,
        }
    )
    return env
