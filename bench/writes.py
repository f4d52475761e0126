"""Writes under load (issue 17): recording an admission (``POST /v1/decisions``) and the sync of
200 focal points (``PUT /v1/entities/ilo/focal-points``), each at peak (wrk) and at a fixed
rate, every counted answer a 2xx.

An admission decides an open application once (a second decision on it is a 409), so each
request must admit a different one: applications are prepared beforehand through the API (a new
eligible organization each, applying as partner before a Working Group meeting of the real data),
and a wrk script hands out their ids one per request. The script counts the answers itself (any
status but 2xx is a failure, a 3xx too) and times them (it may run out of prepared applications
before wrk's duration is over: the rate is over the time it sent requests, not wrk's).
"""

import argparse
import json
import secrets
from pathlib import Path

import httpx

from bench import load
from bench.load import Load
from bench.report import Row

SYNC_PATH = "/v1/entities/ilo/focal-points"
DECISIONS = "/v1/decisions"
# The Working Group meeting of 22-24 July 2015 of the real data (where the OSCE was admitted,
# decision 1), and the Chair sitting that day: applications submitted on 1 July are introduced
# at it (the next Working Group meeting, ToR 3.A.3) and decided there.
MEETING_ID = 4
MEETING_DAY = "2015-07-22"
SUBMITTED_ON = "2015-07-01"
CHAIR = "unhcr"
# Admissions prepared per second of a peak run: several times what one worker records on
# SQLite (about 20 a second on 2 cores); a run that uses them up ends early, still timed right.
PEAK_PER_SECOND = 60
PEAK_CONNECTIONS = 4

# Counting and timing for the scripts below (LuaJIT, as wrk is built on Debian: its ffi reads
# the monotonic clock). ``limit``, when a script sets it, is the number of requests it has.
_COUNTING = """\
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *t);
]]
local clock = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(1, clock)
  return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) / 1e9
end
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
sent, answered, not_2xx, first, last = 0, 0, 0, 0, 0
local function sending()
  if sent == 0 then first = now() end
  sent = sent + 1
end
function response(status, headers, body)
  answered = answered + 1
  last = now()
  if status < 200 or status > 299 then not_2xx = not_2xx + 1 end
  if limit ~= nil and sent >= limit and answered >= sent then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local a, n, s = 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("answered")
    n = n + t:get("not_2xx")
    s = math.max(s, t:get("last") - t:get("first"))
  end
  io.write(string.format("bench: answers %d, not 2xx %d, seconds %.6f\\n", a, n, s))
end
"""


def contacts(version: int, n: int = 200) -> dict[str, object]:
    """A set of ``n`` contacts; versions differ in one contact's phone."""
    return {
        "items": [
            {
                "external_id": f"bench-{i}",
                "name": f"Focal Point {i}",
                "email": f"fp{i}@ilo.org",
                "phone": f"+4122799{(i + (version if i == 0 else 0)) % 10000:04d}",
                "is_primary": i == 0,
            }
            for i in range(n)
        ]
    }


def sync_files(work: Path, key: str) -> tuple[Path, Path]:
    """A wrk script alternating two sets (each request changes one contact), and one set's
    body for hey (after the first, an unchanged sync: the nightly common case)."""
    bodies = [json.dumps(contacts(v)) for v in (1, 2)]
    script = work / "sync.lua"
    script.write_text(
        _COUNTING + 'wrk.method = "PUT"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {key}"\n'
        f"local bodies = {{[==[{bodies[0]}]==], [==[{bodies[1]}]==]}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  sending()\n"
        "  i = i + 1\n"
        "  return wrk.format(nil, nil, nil, bodies[i % 2 + 1])\n"
        "end\n"
    )
    body = work / "sync.json"
    body.write_text(bodies[0])
    return script, body


def prepare_admissions(base: str, key: str, n: int) -> list[int]:
    """``n`` open applications, each of a new organization that may join (ToR 3.A.4), ready
    to be decided at the meeting ``MEETING_ID``: answers their ids."""
    run = secrets.token_hex(3)  # new slugs and names on a database used before
    ids = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as client:
        meeting = client.get(f"/v1/meetings/{MEETING_ID}").json()
        if (meeting.get("kind"), meeting.get("starts_on")) != ("working_group", MEETING_DAY):
            raise load.BenchError(f"meeting {MEETING_ID} is not the one expected: {meeting}")
        for i in range(n):
            entity = f"bench-{run}-{i}"
            r = client.post(
                "/v1/entities",
                json={
                    "id": entity,
                    "name": f"Benchmark Organization {run} {i}",
                    "kind": "intergovernmental",
                    "scope": "global",
                    "mandate_covers_tip": True,
                },
            )
            if r.status_code != 201:
                raise load.BenchError(f"prepare an entity: {r.status_code} {r.text[:300]}")
            r = client.post(
                "/v1/applications",
                json={
                    "entity_id": entity,
                    "role": "partner",
                    "submitted_on": SUBMITTED_ON,
                    "addressed_to": "coordinator",
                    "letter_reference": f"BENCH/{run}/{i}",
                },
            )
            if r.status_code != 201 or r.json()["introduced_at_meeting_id"] != MEETING_ID:
                raise load.BenchError(f"prepare an application: {r.status_code} {r.text[:300]}")
            ids.append(int(r.json()["id"]))
    return ids


def admission(application_id: int) -> dict[str, object]:
    return {
        "kind": "admission",
        "application_id": application_id,
        "accept": True,
        "procedure": "meeting",
        "meeting_id": MEETING_ID,
        "decided_on": MEETING_DAY,
        "record": "The Working Group admits the applicant as an ICAT partner (benchmark).",
        "confirmed_by": CHAIR,
    }


def admissions_script(path: Path, key: str, ids: list[int], pause_ms: int) -> Path:
    """A wrk script deciding the applications ``ids``, one per request, ``pause_ms`` apart on
    each connection; it stops when every one is answered (a connection left without one
    waits)."""
    template = json.dumps(admission(0)).replace('"application_id": 0', '"application_id": %d')
    path.write_text(
        _COUNTING + 'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {key}"\n'
        f"local ids = {{{', '.join(map(str, ids))}}}\n"
        "limit = #ids\n"
        "function delay()\n"
        "  if sent >= limit then return 3600000 end\n"
        f"  return {pause_ms}\n"
        "end\n"
        "request = function()\n"
        "  sending()\n"
        f"  return wrk.format(nil, nil, nil, string.format([==[{template}]==], ids[sent]))\n"
        "end\n"
    )
    return path


def measure(args: argparse.Namespace, work: Path, url: str, key: str) -> list[Row]:
    """The writes' rows, on a service (cache on, as deployed) over the database ``url``."""
    seconds, rate = args.seconds, args.slow_rate
    env = load.environment(url)
    port = load.free_port()
    rows = []
    with load.running(load.service_command(port), env, port, work / "writes.log") as base:
        peak_ids = prepare_admissions(base, key, PEAK_PER_SECOND * seconds)
        fixed_ids = prepare_admissions(base, key, rate * seconds + rate)
        peak = load.wrk(
            base + DECISIONS,
            seconds=seconds,
            connections=PEAK_CONNECTIONS,
            script=admissions_script(work / "admit-peak.lua", key, peak_ids, 0),
        )
        fixed = load.wrk(
            base + DECISIONS,
            seconds=seconds,
            connections=1,
            script=admissions_script(work / "admit-fixed.lua", key, fixed_ids, 1000 // rate),
        )
        rows.append(write_row("POST /v1/decisions (an admission each)", peak, fixed, rate))
        script, body = sync_files(work, key)
        peak = load.wrk(
            base + SYNC_PATH, seconds=seconds, connections=PEAK_CONNECTIONS, script=script
        )
        fixed = load.hey(
            base + SYNC_PATH,
            seconds=seconds,
            rate=rate,
            headers={"Authorization": f"Bearer {key}"},
            method="PUT",
            body=body,
            ok=("2",),
        )
        rows.append(write_row("PUT sync of 200 focal points", peak, fixed, rate))
    return rows


def write_row(name: str, peak: Load, fixed: Load, rate: int) -> Row:
    """A write: its peak rate (wrk, 4 connections) and its latency at about ``rate`` a second;
    informative, but any answer not 2xx is an error."""
    return Row(
        f"{name}: peak; p50/p99 at ~{rate}/s",
        f"{peak.rps:,.1f} req/s; p50 {fixed.p50_ms:.1f} ms, p99 {fixed.p99_ms:.1f} ms",
        "",
        None,
        "",
        True,
        peak.failures + fixed.failures,
    )
