"""The benchmark: ``make bench`` (``.venv/bin/python -m bench.run``).

Starts the service (``icat-api serve``, uvicorn, one worker) on a fresh database seeded with the
real ICAT data, and a bare FastAPI app answering the member list's bytes from memory with the
same uvicorn settings; loads both with wrk (peak throughput) and hey (latency at a fixed rate),
side by side in the same run, and prints ratios:

1. the member list against the bare app, for 200 and for 304 (target: at least 0.9);
2. other endpoints (entities, voting rights, chair eligibility, a sync of 200 focal points)
   against the member list as the unit;
3. the sync of 200 focal points with ten webhook subscriptions against none, in turns (target:
   no slower: deliveries are written to an outbox and sent by a loop off the request's path);
4. every public GET family, anonymous, from the service with its response cache on and off,
   against a minimal FastAPI + SQLAlchemy + pydantic app (``bench.families``, issue 17; targets:
   cached at least 1.0x, cold ``GET /v1/entities`` at least 0.5x, ``304`` at least 0.9x of the
   bare app's);
5. writes: an admission decision and the sync of 200 focal points, peak and at a fixed rate,
   every answer a 2xx (``bench.writes``);
6. with ``--scale 100`` (the default): list and rule endpoints, the change feed's page of 200
   among them, on 100 times the real data (``bench.scale``) against the real data, at a fixed
   rate, the two servers side by side and loaded in turn (target: p50 within 2x).

``--only families,writes`` runs some of the sections (``member-list`` is 1-3); ``--family NAME``
(again for more) some of the families.
"""

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

import httpx

from bench import families, load, report, writes
from bench.load import BIN, Load, cli, environment, running
from bench.report import Row
from bench.writes import SYNC_PATH, sync_files

MEMBER_LIST = "/v1/member-list"
OTHERS: dict[str, str] = {
    "GET /v1/entities": "/v1/entities",
    "GET voting rights": "/v1/entities/ilo/voting-rights",
    "GET chair eligibility": "/v1/entities/ilo/chair-eligibility",
}
# Lists are asked for pages of the same size on both data sets (most fill a page of 10 on the
# real data too), so the comparison is of the work per request, not of the page's length.
SCALED: dict[str, str] = {
    "GET /v1/member-list": MEMBER_LIST,
    "GET /v1/working-group": "/v1/working-group",
    "GET /v1/entities": "/v1/entities?limit=10",
    "GET /v1/entities?status=member": "/v1/entities?status=member&limit=10",
    "GET voting rights": "/v1/entities/ilo/voting-rights",
    "GET chair eligibility": "/v1/entities/ilo/chair-eligibility",
    "GET /v1/focal-points/gaps": "/v1/focal-points/gaps?limit=10",
    "GET /v1/focal-points (changes)": "/v1/focal-points?limit=10",
    "GET /v1/meetings": "/v1/meetings?limit=10",
    "GET /v1/decisions": "/v1/decisions?limit=10",
    "GET /v1/applications": "/v1/applications?limit=10",
    "GET /v1/audit-events": "/v1/audit-events?limit=10",
    "GET /v1/audit-events?action=update": "/v1/audit-events?action=update&limit=10",
    # The real data's feed holds the changes the sync runs above made (the seed is not in it).
    "GET /v1/changes (a page of 200)": "/v1/changes?limit=200",
}
SUBSCRIPTIONS = 10


def prepare(url: str, scale: int | None, audit_events: int) -> str:
    """Migrate and seed ``url`` (or build ``scale`` times the data); answer a secretariat key."""
    env = environment(url)
    if scale is None:
        cli("db", "upgrade", env=env)
        cli("seed", env=env)
    else:
        import subprocess

        subprocess.run(
            [
                str(BIN / "python"),
                "-m",
                "bench.scale",
                "--database-url",
                url,
                "--factor",
                str(scale),
                "--audit-events",
                str(audit_events),
            ],
            check=True,
            cwd=load.ROOT,
        )
    return cli("keys", "create", "--entity", "unodc", env=env).strip().splitlines()[-1]


def subscribe(base: str, auth: dict[str, str], url: str, n: int) -> list[int]:
    """``n`` webhook subscriptions to every event, delivered to ``url``."""
    ids = []
    for _ in range(n):
        r = httpx.post(f"{base}/v1/webhooks", json={"url": url, "events": ["*"]}, headers=auth)
        if r.status_code != 201:
            raise load.BenchError(f"subscribe: {r.status_code} {r.text[:300]}")
        ids.append(int(r.json()["id"]))
    return ids


def unsubscribe(base: str, auth: dict[str, str], ids: list[int]) -> None:
    for webhook_id in ids:
        httpx.delete(f"{base}/v1/webhooks/{webhook_id}", headers=auth).raise_for_status()


def shape(url: str, headers: dict[str, str]) -> str:
    """What one answer holds: the items of a page, or the size of a document."""
    r = httpx.get(url, headers=headers, timeout=30)
    if r.status_code != 200:
        raise load.BenchError(f"{url}: {r.status_code} {r.text[:300]}")
    body = r.json()
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return f"{len(body['items'])} items"
    return f"{len(r.content) / 1024:.0f} KiB"


def alternate(rounds: int, *measures: Callable[[], Load]) -> list[Load]:
    """Run the measures in turn, ``rounds`` times, and answer the median of each."""
    results: list[list[Load]] = [[] for _ in measures]
    for _ in range(rounds):
        for i, measure in enumerate(measures):
            results[i].append(measure())
    return [load.median(r) for r in results]


def member_list(
    args: argparse.Namespace, work: Path, real_url: str, key: str, rows: list[Row]
) -> None:
    """Rows 1-3: the member list against the bare app, other endpoints against the member list,
    the sync with webhook subscriptions against none."""
    auth = {"Authorization": f"Bearer {key}"}
    seconds, conns = args.seconds, args.connections
    port, bare_port = load.free_port(), load.free_port()
    # The webhooks' row delivers to a receiver on 127.0.0.1.
    service_env = environment(real_url, ICAT_WEBHOOK_ALLOW_PRIVATE_TARGETS="true")
    with running(load.service_command(port), service_env, port, work / "service.log") as base:
        first = httpx.get(base + MEMBER_LIST)
        (work / "member-list.json").write_bytes(first.content)
        etag = first.headers["etag"]
        bare_env = {**service_env, "BENCH_BODY_FILE": str(work / "member-list.json")}
        with running(load.bare_command(bare_port), bare_env, bare_port, work / "bare.log") as bare:
            if httpx.get(bare + MEMBER_LIST).headers["etag"] != etag:
                raise load.BenchError("the bare app does not answer the service's ETag")
            inm = {"If-None-Match": etag}
            for name, headers in (("200", {}), ("304", inm)):
                ours, theirs = alternate(
                    args.rounds,
                    lambda h=headers: load.wrk(  # type: ignore[misc]
                        base + MEMBER_LIST, seconds=seconds, connections=conns, headers=h
                    ),
                    lambda h=headers: load.wrk(  # type: ignore[misc]
                        bare + MEMBER_LIST, seconds=seconds, connections=conns, headers=h
                    ),
                )
                rows.append(report.peak(f"member list {name}: service / bare app", ours, theirs))
            ours = load.hey(base + MEMBER_LIST, seconds=seconds, rate=args.rate)
            theirs = load.hey(bare + MEMBER_LIST, seconds=seconds, rate=args.rate)
            rows.append(report.fixed(f"member list 200 at {args.rate}/s", ours, theirs))

        unit = load.wrk(base + MEMBER_LIST, seconds=seconds, connections=conns)
        unit_fixed = load.hey(base + MEMBER_LIST, seconds=seconds, rate=args.slow_rate)
        for name, path in OTHERS.items():
            peak = load.wrk(base + path, seconds=seconds, connections=conns, headers=auth)
            fixed = load.hey(base + path, seconds=seconds, rate=args.slow_rate, headers=auth)
            rows.append(report.against_unit(name, peak, unit, fixed, unit_fixed))
        script, body = sync_files(work, key)
        peak = load.wrk(base + SYNC_PATH, seconds=seconds, connections=4, script=script)
        fixed = load.hey(
            base + SYNC_PATH,
            seconds=seconds,
            rate=args.slow_rate,
            headers=auth,
            method="PUT",
            body=body,
            ok=("2",),
        )
        rows.append(
            report.against_unit("PUT sync of 200 focal points", peak, unit, fixed, unit_fixed)
        )
        hook_port = load.free_port()
        with running(
            load.bare_command(hook_port), bare_env, hook_port, work / "hooks.log"
        ) as hooks:
            # Each request of the script changes a contact: a focal point's change and its
            # entity's, each queued for every subscription.
            def syncs() -> Load:
                return load.wrk(base + SYNC_PATH, seconds=seconds, connections=4, script=script)

            def syncs_subscribed() -> Load:
                ids = subscribe(base, auth, hooks + "/hook", SUBSCRIPTIONS)
                try:
                    return syncs()
                finally:
                    unsubscribe(base, auth, ids)

            subscribed, alone = alternate(args.rounds, syncs_subscribed, syncs)
            rows.append(
                report.peak(
                    f"PUT sync, {SUBSCRIPTIONS} webhook subscriptions / none", subscribed, alone
                )
            )


def scaled(args: argparse.Namespace, work: Path, real_url: str, key: str) -> list[Row]:
    """Row 6: the scaled endpoints on ``args.scale`` times the data against the real data, at a
    fixed rate. Both servers run side by side and each endpoint is loaded on one, then the
    other, ``--rounds`` times (medians): latency at a low rate drifts over minutes, more than
    the two data sets differ."""
    scale_url = args.scale_database_url or f"sqlite:///{work / 'scale.db'}"
    scale_key = prepare(scale_url, args.scale, args.audit_events)
    auth = {"Authorization": f"Bearer {key}"}
    scale_auth = {"Authorization": f"Bearer {scale_key}"}
    real_port, big_port = load.free_port(), load.free_port()
    rows: list[Row] = []
    with (
        running(
            load.service_command(real_port), environment(real_url), real_port, work / "real.log"
        ) as real,
        running(
            load.service_command(big_port), environment(scale_url), big_port, work / "scale.log"
        ) as big,
    ):
        for name, path in SCALED.items():
            real_runs: list[Load] = []
            big_runs: list[Load] = []
            for _ in range(max(1, args.rounds)):
                real_runs.append(
                    load.hey(real + path, seconds=args.seconds, rate=args.slow_rate, headers=auth)
                )
                big_runs.append(
                    load.hey(
                        big + path, seconds=args.seconds, rate=args.slow_rate, headers=scale_auth
                    )
                )
            what = f"{name} [{shape(real + path, auth)} -> {shape(big + path, scale_auth)}]"
            rows.append(
                report.scaled(what, args.scale, load.median(big_runs), load.median(real_runs))
            )
    return rows


SECTIONS = ("member-list", "families", "writes", "scale")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each load run")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (reads)")
    parser.add_argument(
        "--family-connections",
        type=int,
        default=8,
        help="wrk connections for the public GET families and their reference (the issue's -c8: "
        "the reference's thread pool and connection pool are not swamped)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternations service/bare app")
    parser.add_argument("--rate", type=int, default=200, help="fixed rate, cached reads")
    parser.add_argument("--slow-rate", type=int, default=20, help="fixed rate, other endpoints")
    parser.add_argument("--scale", type=int, default=100, help="data factor; 0 to skip")
    parser.add_argument("--audit-events", type=int, default=1_000_000)
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"the sections to run, comma-separated, among {', '.join(SECTIONS)} (all)",
    )
    parser.add_argument(
        "--family",
        action="append",
        choices=list(families.FAMILIES),
        help="a family to measure (again for more; all if unset)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="an empty database for the real data (SQLite file in a temporary folder if unset)",
    )
    parser.add_argument("--scale-database-url", default=None, help="an empty one for the scale")
    args = parser.parse_args()
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    if unknown := set(sections) - set(SECTIONS):
        parser.error(f"--only: unknown {', '.join(sorted(unknown))}; among {', '.join(SECTIONS)}")
    load.require_tools()
    work = Path(tempfile.mkdtemp(prefix="icat-bench-"))
    real_url = args.database_url or f"sqlite:///{work / 'real.db'}"
    key = prepare(real_url, None, 0)
    rows: list[Row] = []
    families_table = None

    if "member-list" in sections:
        member_list(args, work, real_url, key, rows)
    scale_rows: list[Row] = []
    if "scale" in sections and args.scale:
        # Before the families and the writes, which add to the real data.
        scale_rows = scaled(args, work, real_url, key)
    if "families" in sections:
        measured = families.measure(args, work, real_url, key, args.family)
        families_table = report.families_table(measured, args)
    if "writes" in sections:
        rows += writes.measure(args, work, real_url, key)
    rows += scale_rows

    print(report.table(rows, args, families_table))
    print(f"\nlogs and databases: {work}")


if __name__ == "__main__":
    main()
