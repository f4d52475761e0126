#!/usr/bin/env python3
"""Receive the ICAT registry's webhooks: verify each delivery, keep each event once.

The registry pushes the items of its change feed (GET /v1/changes) as POSTs signed per Standard
Webhooks: headers `webhook-id`, `webhook-timestamp` and `webhook-signature`, and a JSON body
`{"type": "decision.created", "timestamp": ..., "data": <a change feed item>}`.

    ICAT_WEBHOOK_SECRET=whsec_... python webhook_receiver.py --port 8080 --out events.jsonl

- A delivery whose signature or timestamp (5 minutes' leeway) does not verify, checked with the
  `standardwebhooks` library, is answered 401 and not kept. During a rotation of the secret a
  delivery carries several signatures; one made with --secret is enough.
- A verified delivery is answered 204 and kept: one JSON line appended to --out (or printed),
  the event with its `webhook_id`.
- The registry retries a delivery (same `webhook-id`) until it gets a 2xx, so an event can come
  twice: an id already kept is answered 204 and not kept again. The ids are read back from --out
  at start, so a restart does not let a retry in twice.

An event says what changed and where to read it (its `data.url`), not what it now holds: read
it there, or run examples/mirror.py. Any path is accepted. The first line on stderr is the
address listened on (--port 0 picks a free port).
"""

import argparse
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from standardwebhooks.webhooks import EmptyWebhookSecretError, Webhook, WebhookVerificationError

MAX_BODY = 1024 * 1024
MAX_SEEN = 100_000  # ids remembered; a retry comes hours after the first try at most


class Events:
    """The events kept: appended to ``out`` (or printed), each webhook id once."""

    def __init__(self, out: Path | None) -> None:
        self.out = out
        self.lock = threading.Lock()
        self.seen: dict[str, None] = {}  # in the order kept: the oldest go first
        if out is not None and out.exists():
            for line in out.read_text(encoding="utf-8").splitlines():
                try:
                    self.remember(json.loads(line)["webhook_id"])
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by a crash

    def remember(self, webhook_id: str) -> None:
        self.seen[webhook_id] = None
        if len(self.seen) > MAX_SEEN:
            del self.seen[next(iter(self.seen))]

    def keep(self, webhook_id: str, event: dict[str, Any]) -> bool:
        """Keep ``event`` unless its id was kept already; answers whether it was kept now."""
        line = json.dumps({"webhook_id": webhook_id, **event}, ensure_ascii=False)
        with self.lock:
            if webhook_id in self.seen:
                return False
            if self.out is None:
                print(line, flush=True)
            else:
                with self.out.open("a", encoding="utf-8") as f:
                    f.write(line + "\n")
            self.remember(webhook_id)
            return True


class Receiver(BaseHTTPRequestHandler):
    server: "ReceiverServer"

    def do_POST(self) -> None:
        try:
            length = int(self.headers.get("content-length", ""))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self.answer(
                413 if length > MAX_BODY else 411, "a body of at most 1 MiB, with its length"
            )
            return
        body = self.rfile.read(length)
        try:
            # The library raises ValueError too, for a body that is not UTF-8 or a malformed header.
            self.server.webhook.verify(body, dict(self.headers.items()), json_parse=False)
        except (WebhookVerificationError, ValueError) as exc:
            self.answer(401, f"not verified: {exc}")
            return
        try:
            event = json.loads(body)
            ok = isinstance(event, dict) and {"type", "timestamp", "data"} <= event.keys()
        except ValueError:
            ok = False
        if not ok:
            self.answer(400, "a JSON object with type, timestamp and data")
            return
        webhook_id = self.headers.get("webhook-id", "")
        try:
            kept = self.server.events.keep(webhook_id, event)
        except OSError as exc:  # not kept: a 5xx, so the registry tries again
            self.answer(500, f"cannot keep the event: {exc}")
            return
        self.log_message("%s %s", "kept" if kept else "already kept", webhook_id)
        self.answer(204)

    def answer(self, status: int, reason: str = "") -> None:
        body = reason.encode()
        self.send_response(status)
        if body:
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class ReceiverServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], webhook: Webhook, events: Events) -> None:
        super().__init__(address, Receiver)
        self.webhook = webhook
        self.events = events


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--secret", default=os.environ.get("ICAT_WEBHOOK_SECRET"), help="or ICAT_WEBHOOK_SECRET"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0: a free one")
    parser.add_argument("--out", type=Path, help="JSON lines appended here (default: printed)")
    args = parser.parse_args(argv)
    try:
        webhook = Webhook(args.secret or "")
    except (EmptyWebhookSecretError, ValueError):
        print("A secret is needed: --secret or ICAT_WEBHOOK_SECRET, whsec_...", file=sys.stderr)
        return 2
    server = ReceiverServer((args.host, args.port), webhook, Events(args.out))
    print(f"listening on http://{args.host}:{server.server_port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
