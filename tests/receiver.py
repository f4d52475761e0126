"""A real HTTP receiver on 127.0.0.1 for webhook tests: it records each request and answers as
told (a status, a delay, a closed connection, or a wait until released)."""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CLOSE = "close"  # close the connection without answering


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    # What to answer, in turn: a status code, CLOSE, or ("sleep", seconds, status); then 204.
    script: list[Any] = field(default_factory=list)
    # While set, every request waits for it to be cleared... (see `hold`).
    gate: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)

    def hold(self) -> None:
        """Requests wait (unanswered) until :meth:`release`."""
        self.gate.clear()

    def release(self) -> None:
        self.gate.set()


@contextmanager
def receiver() -> Iterator[Receiver]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    state = Receiver(url=f"http://127.0.0.1:{port}/hook")
    state.gate.set()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length).decode()
            with lock:
                state.requests.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                action = state.script.pop(0) if state.script else 204
            state.arrived.set()
            state.gate.wait(30)
            if action == CLOSE:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if isinstance(action, tuple):
                _, seconds, action = action
                threading.Event().wait(seconds)
            self.send_response(action)
            self.send_header("content-length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.gate.set()
        server.shutdown()
        server.server_close()
