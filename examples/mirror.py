#!/usr/bin/env python3
"""Keep a local copy of the ICAT registry from its change feed: run it from cron, or when a
webhook arrives (examples/webhook_receiver.py).

    python mirror.py https://registry.example.org --db icat-mirror.db

The copy is a SQLite file of documents, each the JSON the API answers at its path:

    sqlite3 icat-mirror.db "SELECT body FROM documents WHERE url = '/v1/entities/ilo'"

The first run notes where the feed ends (its last `seq`), then copies the lists: entities and
their memberships, meetings and their attendance, decisions, applications, chair candidacies,
work plans and published products. Each later run reads `GET /v1/changes?after=<saved seq>` and
reads each changed document again (a `deleted` one is removed), and its parent too (a
membership's entity, an attendance's meeting: their `updated_at` moves with it); one page of
changes at a time, saved in one transaction with that page's last seq. A change made during the
full copy is applied again on the next run: reading it twice does no harm, missing it would.

Without a key the copy is the public registry. With a member's, partner's or secretariat key
(--key or ICAT_API_KEY) it holds focal points too: personal data, to be kept as carefully as
the registry keeps it. Values the API works out for the day of the read (an entity's `status`)
or copies from another document (names in an attendance list) are as of that read: `--full`
reads everything again, as does a run whose saved seq is beyond the feed's end (a registry
restored from a dump).
Exit status: 0 done, 1 the registry refused or could not be reached (run it again).
"""

import argparse
import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

Doc = dict[str, Any]
PAGE = 200  # the API's largest page
# Lists copied in full; each item is the document at /v1/<list>/<id>.
LISTS = (
    "entities",
    "meetings",
    "decisions",
    "applications",
    "chair-candidacies",
    "work-plans",
    "publications",
)
# The feed's types whose `url` is a document of the copy (an activity's is its work plan).
# Enrolments, chair terms and funding point at whole lists, which this copy leaves out.
KEPT = {
    "entity",
    "membership",
    "focal_point",
    "meeting",
    "attendance",
    "decision",
    "application",
    "candidacy",
    "work_plan",
    "activity",
    "publication",
}
SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (url TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feed (id INTEGER PRIMARY KEY CHECK (id = 1), last_seq INTEGER NOT NULL);
"""


def pages(client: httpx.Client, path: str, params: dict[str, Any]) -> Iterator[list[Doc]]:
    """The items of each page of a list, following its cursor."""
    query = {"limit": PAGE, **params}
    while True:
        answer = client.get(path, params=query)
        answer.raise_for_status()
        body = answer.json()
        yield body["items"]
        if body["next_cursor"] is None:
            return
        query = {"limit": PAGE, "cursor": body["next_cursor"]}


def items(client: httpx.Client, path: str) -> Iterator[Doc]:
    for page in pages(client, path, {}):
        yield from page


def read(client: httpx.Client, url: str) -> Doc | None:
    """The document at ``url``, or None when it is gone (or not shown to this key)."""
    answer = client.get(url)
    if answer.status_code == 404:
        return None
    answer.raise_for_status()
    doc: Doc = answer.json()
    return doc


def feed_end(client: httpx.Client) -> int:
    """The seq of the feed's last change now (0 before the first)."""
    seq = 0
    for page in pages(client, "/v1/changes", {}):
        seq = page[-1]["seq"] if page else seq
    return seq


def copy_all(client: httpx.Client, keyed: bool) -> dict[str, Doc]:
    """Every document of the copy, by its path."""
    docs: dict[str, Doc] = {}
    for name in LISTS:
        for item in items(client, f"/v1/{name}"):
            docs[f"/v1/{name}/{item['id']}"] = item
    children = ("memberships", "focal-points") if keyed else ("memberships",)
    for url in [u for u in docs if u.startswith("/v1/entities/")]:
        for child in children:
            for item in items(client, f"{url}/{child}"):
                docs[f"{url}/{child}/{item['id']}"] = item
    for url in [u for u in docs if u.startswith("/v1/meetings/")]:
        attendance = read(client, f"{url}/attendance")
        if attendance is not None:
            docs[f"{url}/attendance"] = attendance
    return docs


def store(db: sqlite3.Connection, url: str, doc: Doc | None) -> None:
    if doc is None:
        db.execute("DELETE FROM documents WHERE url = ?", (url,))
    else:
        body = json.dumps(doc, sort_keys=True, ensure_ascii=False)
        db.execute("INSERT OR REPLACE INTO documents (url, body) VALUES (?, ?)", (url, body))


def save_seq(db: sqlite3.Connection, seq: int) -> None:
    db.execute("INSERT OR REPLACE INTO feed (id, last_seq) VALUES (1, ?)", (seq,))


def full_copy(client: httpx.Client, db: sqlite3.Connection, keyed: bool) -> int:
    """Replace the copy with what the registry holds now; answers the seq saved with it."""
    seq = feed_end(client)  # before the copy: what changes during it is applied next run
    docs = copy_all(client, keyed)
    with db:
        db.execute("DELETE FROM documents")
        for url, doc in docs.items():
            store(db, url, doc)
        save_seq(db, seq)
    return seq


def follow(client: httpx.Client, db: sqlite3.Connection, seq: int) -> tuple[int, int]:
    """Apply the changes after ``seq``; answers how many there were and the seq saved."""
    count = 0
    for page in pages(client, "/v1/changes", {"after": seq}):
        if not page:
            break
        again: dict[str, bool] = {}  # url: read again (True) or removed (False)
        for change in page:
            if change["type"] not in KEPT:
                continue
            url = change["url"]
            again[url] = change["action"] != "deleted"
            parts = url.split("/")  # "", "v1", collection, id, child...
            if len(parts) > 4:
                again["/".join(parts[:4])] = True
            if change["type"] == "meeting":  # its attendance shows its days
                again[f"{url}/attendance"] = again[url]
        docs = {url: read(client, url) if fetch else None for url, fetch in again.items()}
        seq, count = page[-1]["seq"], count + len(page)
        with db:  # the documents and the seq they bring the copy to, together
            for url, doc in docs.items():
                store(db, url, doc)
            save_seq(db, seq)
    return count, seq


def run(client: httpx.Client, db: sqlite3.Connection, keyed: bool, full: bool) -> Doc:
    """One run: the feed since the saved seq, or a full copy the first time (or when asked)."""
    db.executescript(SCHEMA)
    saved = db.execute("SELECT last_seq FROM feed").fetchone()
    if saved is not None and not full:
        try:
            return summary(db, False, *follow(client, db, saved[0]))
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code != 422:  # 422: `after` is beyond the feed's end
                raise
            print("The feed ends before the saved seq: copying it all again.", file=sys.stderr)
    return summary(db, True, 0, full_copy(client, db, keyed))


def summary(db: sqlite3.Connection, full: bool, changes: int, seq: int) -> Doc:
    (documents,) = db.execute("SELECT count(*) FROM documents").fetchone()
    return {"full_copy": full, "changes": changes, "documents": documents, "seq": seq}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base_url", help="the registry, e.g. https://registry.example.org")
    parser.add_argument("--db", type=Path, default=Path("icat-mirror.db"), help="the copy")
    parser.add_argument("--key", default=os.environ.get("ICAT_API_KEY"), help="or ICAT_API_KEY")
    parser.add_argument("--full", action="store_true", help="copy everything again")
    args = parser.parse_args(argv)
    headers = {"User-Agent": "icat-mirror-example/1"}
    if args.key:
        headers["Authorization"] = f"Bearer {args.key}"
    db = sqlite3.connect(args.db)
    try:
        with httpx.Client(base_url=args.base_url, headers=headers, timeout=30) as client:
            result = run(client, db, bool(args.key), args.full)
    except httpx.HTTPStatusError as exc:
        print(f"Refused ({exc.response.status_code}): {exc.response.text}", file=sys.stderr)
        return 1
    except httpx.HTTPError as exc:
        print(f"Request failed: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
