"""Every public GET family against the reference app (issue 17, DESIGN section 7).

Three servers over the same database, with the same uvicorn settings: the service with its
response cache on (as deployed: anonymous public reads answered from the data-versioned cache),
the service with it off (``ICAT_RESPONSE_CACHE_ENABLED=false``: every read runs its route, the
"cold" server), and the reference app (``bench.reference_app``: FastAPI + SQLAlchemy + pydantic,
one page of the ``entities`` table); the bare app (``bench.bare_app``) as well for ``304``.
Every request is anonymous (keyed reads are not cached). For each family:

- peak throughput (wrk) of the cached and of the cold server, each against the reference's,
  measured in the same run (targets: cached at least 1.0x for every family; cold
  ``GET /v1/entities`` at least 0.5x, the other families' cold ratio informative);
- latency at a fixed rate (hey) of the cached server;
- conditional requests: ``If-None-Match`` with the answer's ETag against the bare app's ``304``
  (target: at least 0.9x).

The reference and the bare app's ``304`` are measured before the first family and again after
every few families; each ratio is against the median of their runs (a drift of the machine's
load shows in them rather than in one family's ratio).
"""

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import load
from bench.load import Load
from bench.writes import SYNC_PATH, contacts

ENTITIES = "/v1/entities"
ON_THE_LOOP = "/v1/entities-on-the-loop"  # the same page, async def: no thread pool hop
MEMBER_LIST = "/v1/member-list"
# The public GET paths of openapi/openapi.json, one per family, with ids of the real data: the
# ILO (a member of the Working Group since 2007), meeting 4 (the Working Group of July 2015,
# where the OSCE was admitted) and 2015 (the first year the Chair's report covers).
FAMILIES: dict[str, str] = {
    "entities (list)": ENTITIES,
    "entity (one)": "/v1/entities/ilo",
    "memberships": "/v1/entities/ilo/memberships",
    "voting rights": "/v1/entities/ilo/voting-rights",
    "chair eligibility": "/v1/entities/ilo/chair-eligibility",
    "chairs": "/v1/chairs",
    "Working Group": "/v1/working-group",
    "WG participation": "/v1/working-group/participation",
    "meetings (list)": "/v1/meetings",
    "meeting (one)": "/v1/meetings/4",
    "attendance (anonymous)": "/v1/meetings/4/attendance",
    "decisions": "/v1/decisions",
    "applications": "/v1/applications",
    "candidacies": "/v1/chair-candidacies",
    "work plans": "/v1/work-plans",
    "publications": "/v1/publications",
    "Chair's report": "/v1/chair-terms/2015/report",
    "changes (public)": "/v1/changes",
    "calendar (iCalendar)": "/v1/calendar.ics",
    "member list": MEMBER_LIST,
}
# Families measured between two runs of the reference (and of the bare app's 304).
BETWEEN_REFERENCES = 5


@dataclass(frozen=True)
class Family:
    name: str
    path: str
    size: int  # bytes of the answer
    cached: Load
    cold: Load
    fixed: Load  # cached, at a fixed rate
    not_modified: Load  # cached, If-None-Match


@dataclass(frozen=True)
class Results:
    families: list[Family]
    reference: Load  # median of its peak runs: the faster of its two endpoints
    references: tuple[Load, Load]  # the thread pool's (plain def), the event loop's (async def)
    reference_fixed: Load
    bare_304: Load  # median of its peak runs
    reference_items: int


def probe(base: str, path: str, what: str) -> httpx.Response:
    """One anonymous GET, which must answer 200 with an ETag."""
    r = httpx.get(base + path, timeout=30)
    if r.status_code != 200:
        raise load.BenchError(f"{what} GET {path}: {r.status_code} {r.text[:300]}")
    if "etag" not in r.headers:
        raise load.BenchError(f"{what} GET {path}: no ETag")
    return r


def check_not_modified(base: str, path: str, etag: str) -> None:
    r = httpx.get(base + path, headers={"If-None-Match": etag}, timeout=30)
    if r.status_code != 304:
        raise load.BenchError(f"GET {path} with If-None-Match {etag}: {r.status_code}, not 304")


def feed_changes(base: str, key: str) -> None:
    """The public change feed holds the changes made through the API (the seed is not in it):
    a sync of 200 focal points gives it a page, as the nightly syncs do in production."""
    auth = {"Authorization": f"Bearer {key}"}
    r = httpx.put(base + SYNC_PATH, json=contacts(0), headers=auth, timeout=60)
    if r.status_code != 200:
        raise load.BenchError(f"feed the change feed: {r.status_code} {r.text[:300]}")


def measure(
    args: argparse.Namespace, work: Path, url: str, key: str, only: list[str] | None = None
) -> Results:
    """The families (those named in ``only``, when given) over the database ``url``."""
    seconds, conns = args.seconds, args.family_connections
    families = {n: p for n, p in FAMILIES.items() if only is None or n in only}
    cached_env = load.environment(url, ICAT_RESPONSE_CACHE_ENABLED="true")
    cold_env = load.environment(url, ICAT_RESPONSE_CACHE_ENABLED="false")
    ports = [load.free_port() for _ in range(4)]
    with (
        load.running(
            load.service_command(ports[0]), cached_env, ports[0], work / "cached.log"
        ) as cached,
        load.running(load.service_command(ports[1]), cold_env, ports[1], work / "cold.log") as cold,
        load.running(
            load.reference_command(ports[2]),
            cached_env,
            ports[2],
            work / "reference.log",
            ready=ENTITIES,
        ) as reference,
    ):
        feed_changes(cached, key)
        (work / "member-list.json").write_bytes(probe(cached, MEMBER_LIST, "cached").content)
        bare_env = {**cached_env, "BENCH_BODY_FILE": str(work / "member-list.json")}
        with load.running(
            load.bare_command(ports[3]), bare_env, ports[3], work / "bare-families.log"
        ) as bare:
            reference_items = len(httpx.get(reference + ENTITIES).json()["items"])
            bare_etag = httpx.get(bare + MEMBER_LIST).headers["etag"]
            answers: dict[str, httpx.Response] = {}
            for name, path in families.items():
                answers[name] = probe(cached, path, "cached")
                probe(cold, path, "cold")
                check_not_modified(cached, path, answers[name].headers["etag"])

            references: list[Load] = []
            on_the_loop: list[Load] = []
            bare_304s: list[Load] = []

            def yardsticks() -> None:
                references.append(
                    load.wrk(reference + ENTITIES, seconds=seconds, connections=conns)
                )
                on_the_loop.append(
                    load.wrk(reference + ON_THE_LOOP, seconds=seconds, connections=conns)
                )
                bare_304s.append(
                    load.wrk(
                        bare + MEMBER_LIST,
                        seconds=seconds,
                        connections=conns,
                        headers={"If-None-Match": bare_etag},
                    )
                )

            def peak(
                base: str, path: str, headers: dict[str, str] | None = None
            ) -> Callable[[], Load]:
                return lambda: load.wrk(
                    base + path, seconds=seconds, connections=conns, headers=headers
                )

            measured = []
            yardsticks()
            for i, (name, path) in enumerate(families.items()):
                etag = answers[name].headers["etag"]
                runs: list[list[Load]] = [[], []]
                for _ in range(args.rounds):
                    runs[0].append(peak(cached, path)())
                    runs[1].append(peak(cold, path)())
                fixed = load.hey(cached + path, seconds=seconds, rate=args.rate)
                not_modified = peak(cached, path, {"If-None-Match": etag})()
                # The ETag held throughout: every answer counted above was a 304.
                check_not_modified(cached, path, etag)
                measured.append(
                    Family(
                        name,
                        path,
                        len(answers[name].content),
                        load.median(runs[0]),
                        load.median(runs[1]),
                        fixed,
                        not_modified,
                    )
                )
                if (i + 1) % BETWEEN_REFERENCES == 0 or i + 1 == len(families):
                    yardsticks()
            reference_fixed = load.hey(reference + ENTITIES, seconds=seconds, rate=args.rate)
    both = (load.median(references), load.median(on_the_loop))
    return Results(
        measured,
        max(both, key=lambda run: run.rps),
        both,
        reference_fixed,
        load.median(bare_304s),
        reference_items,
    )
