"""The benchmark's table: one row per measurement, a ratio each, and the target where there is
one."""

import argparse
import platform
from dataclasses import dataclass

from bench.load import Load


@dataclass(frozen=True)
class Row:
    measurement: str
    service: str
    reference: str
    ratio: float
    target: str  # "" when the row is informative
    met: bool
    failures: int


def _rate(load: Load) -> str:
    return f"{load.rps:,.0f} req/s"


def _latency(load: Load) -> str:
    return f"p50 {load.p50_ms:.2f} ms, p99 {load.p99_ms:.2f} ms"


def peak(name: str, ours: Load, theirs: Load) -> Row:
    """Peak throughput against the bare app: at least 0.9."""
    ratio = ours.rps / theirs.rps
    return Row(name, _rate(ours), _rate(theirs), ratio, ">= 0.90", ratio >= 0.9, ours.failures)


def fixed(name: str, ours: Load, theirs: Load) -> Row:
    """Latency at a fixed rate against the bare app (ratio of p50s; informative)."""
    return Row(
        name + " (p50 ratio)",
        _latency(ours),
        _latency(theirs),
        ours.p50_ms / theirs.p50_ms,
        "",
        True,
        ours.failures,
    )


def against_unit(name: str, peak: Load, unit: Load, fixed: Load, unit_fixed: Load) -> Row:
    """An endpoint against the member list: its share of the member list's throughput, and its
    latency at a fixed rate."""
    return Row(
        name + " / member list",
        f"{_rate(peak)}; {_latency(fixed)}",
        f"{_rate(unit)}; {_latency(unit_fixed)}",
        peak.rps / unit.rps,
        "",
        True,
        peak.failures + fixed.failures,
    )


def scaled(name: str, factor: int, big: Load, real: Load) -> Row:
    """The same endpoint on ``factor`` times the data against the real data: p50 within 2x."""
    ratio = big.p50_ms / real.p50_ms
    return Row(
        f"{name} at {factor}x / real data (p50)",
        _latency(big),
        _latency(real),
        ratio,
        "<= 2.00",
        ratio <= 2.0,
        big.failures,
    )


def table(rows: list[Row], args: argparse.Namespace) -> str:
    heads = ("measurement", "service", "reference", "ratio", "target", "verdict")
    cells = [
        (
            r.measurement,
            r.service,
            r.reference,
            f"{r.ratio:.2f}",
            r.target,
            ("met" if r.met else "MISSED") if r.target else "",
        )
        if not r.failures
        else (
            r.measurement,
            r.service,
            r.reference,
            f"{r.ratio:.2f}",
            r.target,
            f"{r.failures} ERRORS",
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)]
    line = " | ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True))
    out = [
        f"ICAT registry benchmark on {platform.node()} ({platform.machine()}, Python "
        f"{platform.python_version()}): wrk -t1 -c{args.connections} for {args.seconds} s "
        f"(median of {args.rounds} alternations against the bare app), hey at a fixed rate",
        "",
        line,
        "-|-".join("-" * w for w in widths),
    ]
    out += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    missed = [r.measurement for r in rows if (r.target and not r.met) or r.failures]
    out.append("")
    out.append("all targets met" if not missed else "MISSED: " + "; ".join(missed))
    return "\n".join(out)
