"""The benchmark's table: one row per measurement, a ratio each, and the target where there is
one."""

from __future__ import annotations

import argparse
import platform
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bench.load import Load

if TYPE_CHECKING:
    from bench.families import Results


@dataclass(frozen=True)
class Row:
    measurement: str
    service: str
    reference: str
    ratio: float | None  # None when there is nothing to compare with (writes)
    target: str  # "" when the row is informative
    met: bool
    failures: int


def _rate(load: Load) -> str:
    return f"{load.rps:,.0f} req/s"


def _ratio(ratio: float | None) -> str:
    return "" if ratio is None else f"{ratio:.2f}"


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


def table(
    rows: list[Row], args: argparse.Namespace, families: tuple[str, list[str]] | None = None
) -> str:
    """The rows' table, then the families' (``families_table``), then what missed a target."""
    heads = ("measurement", "service", "reference", "ratio", "target", "verdict")
    cells = [
        (
            r.measurement,
            r.service,
            r.reference,
            _ratio(r.ratio),
            r.target,
            ("met" if r.met else "MISSED") if r.target else "",
        )
        if not r.failures
        else (
            r.measurement,
            r.service,
            r.reference,
            _ratio(r.ratio),
            r.target,
            f"{r.failures} ERRORS",
        )
        for r in rows
    ]
    widths = [max([len(h), *(len(c[i]) for c in cells)]) for i, h in enumerate(heads)]
    line = " | ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True))
    out = [
        f"ICAT registry benchmark on {platform.node()} ({platform.machine()}, Python "
        f"{platform.python_version()}): wrk -t1 -c{args.connections} for {args.seconds} s "
        f"(median of {args.rounds} alternations against the bare app), hey at a fixed rate",
    ]
    if cells:
        out += ["", line, "-|-".join("-" * w for w in widths)]
    out += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    missed = [r.measurement for r in rows if (r.target and not r.met) or r.failures]
    if families is not None:
        out += ["", families[0]]
        missed += families[1]
    out.append("")
    out.append("all targets met" if not missed else "MISSED: " + "; ".join(missed))
    return "\n".join(out)


def families_table(results: Results, args: argparse.Namespace) -> tuple[str, list[str]]:
    """One line per family: cached and cold peak against the reference, the cached latency at a
    fixed rate, the 304 against the bare app's; answers the table and what missed a target."""
    ref, bare = results.reference, results.bare_304
    heads = (
        "family",
        "path",
        "bytes",
        "cached",
        "/ref >= 1.00",
        "cold",
        "/ref (entities >= 0.50)",
        f"cached at {args.rate}/s",
        "304",
        "/bare 304 >= 0.90",
        "verdict",
    )
    cells = []
    missed = []
    for f in results.families:
        cached, cold, nm = (
            f.cached.rps / ref.rps,
            f.cold.rps / ref.rps,
            f.not_modified.rps / bare.rps,
        )
        misses = [
            what
            for what, ok in (
                ("cached", cached >= 1.0),
                ("cold", cold >= 0.5 or f.path != "/v1/entities"),
                ("304", nm >= 0.9),
            )
            if not ok
        ]
        failures = f.cached.failures + f.cold.failures + f.fixed.failures + f.not_modified.failures
        verdict = (
            f"{failures} ERRORS"
            if failures
            else ("met" if not misses else "MISSED " + ", ".join(misses))
        )
        if failures or misses:
            missed.append(f"GET {f.path} ({verdict})")
        cells.append(
            (
                f.name,
                f.path,
                f"{f.size:,}",
                _rate(f.cached),
                f"{cached:.2f}",
                _rate(f.cold),
                f"{cold:.2f}" + ("" if f.path == "/v1/entities" else " (info)"),
                f"p50 {f.fixed.p50_ms:.2f}, p99 {f.fixed.p99_ms:.2f} ms",
                _rate(f.not_modified),
                f"{nm:.2f}",
                verdict,
            )
        )
    widths = [max([len(h), *(len(c[i]) for c in cells)]) for i, h in enumerate(heads)]
    yardsticks = ref.failures + bare.failures + results.reference_fixed.failures
    out = [
        f"Public GET families, anonymous: the service with its response cache on (warmed) and "
        f"off (cold), wrk -t1 -c{args.family_connections} for {args.seconds} s (median of "
        f"{args.rounds}), hey at {args.rate}/s; against the reference app (FastAPI + SQLAlchemy "
        f"+ pydantic, GET /v1/entities: {results.reference_items} rows of a page of 50) at "
        f"{_rate(ref)}, the faster of its plain def ({_rate(results.references[0])}) and its "
        f"async def on the event loop ({_rate(results.references[1])}) "
        f"({_latency(results.reference_fixed)} at {args.rate}/s, plain def) and the bare "
        f"app's 304 at {_rate(bare)} (medians of their runs between the families)"
        + (f"; {yardsticks} ERRORS in the yardsticks' runs" if yardsticks else ""),
        "",
        " | ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)),
        "-|-".join("-" * w for w in widths),
    ]
    out += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    if yardsticks:
        missed.append("the yardsticks' runs had errors")
    return "\n".join(out), missed
