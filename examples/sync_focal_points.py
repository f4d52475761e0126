#!/usr/bin/env python3
"""Sync an agency's focal points to the ICAT registry from a CSV file: the nightly job.

Adapt the CSV export of your HR or contact system to these columns (a header row first):

    external_id,name,title,email,phone,is_primary

`external_id` is your own key for the person: the registry matches on it, never on email, so a
changed address is an update. Exactly one row has is_primary=true (ToR 3.A.2). The list you
send is the whole list: anyone absent is removed from the registry.

    ICAT_API_KEY=icat_... python sync_focal_points.py --entity ilo contacts.csv \
        --base-url https://registry.example.org

The script reads the current set first and sends its ETag as If-Match, so that two systems
writing the same entity cannot overwrite each other (HTTP 412: run it again), and an
Idempotency-Key is not needed: a PUT of the same list twice changes nothing the second time.
Exit status: 0 synced, 1 refused by the registry (the problem is printed), 2 bad input here.
"""

import argparse
import csv
import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx

TRUE = {"1", "true", "yes", "y", "x"}


def read_contacts(path: Path) -> list[dict[str, Any]]:
    """The CSV's rows as the registry's contacts; empty optional cells are left out."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    contacts = []
    for row in rows:
        item: dict[str, Any] = {
            "external_id": (row.get("external_id") or "").strip(),
            "name": (row.get("name") or "").strip(),
            "email": (row.get("email") or "").strip(),
            "is_primary": (row.get("is_primary") or "").strip().lower() in TRUE,
        }
        for optional in ("title", "phone"):
            value = (row.get(optional) or "").strip()
            if value:
                item[optional] = value
        contacts.append(item)
    return contacts


def sync(client: httpx.Client, entity: str, contacts: list[dict[str, Any]]) -> dict[str, Any]:
    """PUT the whole list, conditional on the set we just read."""
    url = f"/v1/entities/{entity}/focal-points"
    current = client.get(url)
    current.raise_for_status()
    answer = client.put(
        url, json={"items": contacts}, headers={"If-Match": current.headers["etag"]}
    )
    if answer.status_code != 200:
        raise RegistryRefused(answer)
    result: dict[str, Any] = answer.json()
    return result


class RegistryRefused(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response.text)
        self.response = response


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("csv", type=Path, help="the contacts, one row each")
    parser.add_argument("--entity", required=True, help="your entity's id, e.g. ilo")
    parser.add_argument(
        "--base-url", default=os.environ.get("ICAT_BASE_URL", "http://127.0.0.1:8000")
    )
    parser.add_argument("--key", default=os.environ.get("ICAT_API_KEY"), help="or ICAT_API_KEY")
    args = parser.parse_args(argv)
    if not args.key:
        print("An API key is needed: --key or ICAT_API_KEY.", file=sys.stderr)
        return 2
    try:
        contacts = read_contacts(args.csv)
    except (OSError, csv.Error, UnicodeDecodeError) as exc:
        print(f"Cannot read {args.csv}: {exc}", file=sys.stderr)
        return 2
    headers = {"Authorization": f"Bearer {args.key}", "User-Agent": "icat-sync-example/1"}
    with httpx.Client(base_url=args.base_url, headers=headers, timeout=30) as client:
        try:
            result = sync(client, args.entity, contacts)
        except RegistryRefused as exc:
            print(f"Refused ({exc.response.status_code}): {exc.response.text}", file=sys.stderr)
            return 1
        except httpx.HTTPError as exc:
            print(f"Request failed: {exc}", file=sys.stderr)
            return 1
    counts = {k: result[k] for k in ("created", "updated", "removed", "unchanged")}
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
