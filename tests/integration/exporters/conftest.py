"""A scriptable local HTTP receiver on 127.0.0.1 for the exporter's HTTP tests.

``receiver`` (function scope) is a stdlib ``ThreadingHTTPServer`` on a free port that records every
request (headers, decoded body) and answers from a script: each queued ``Reply`` is used once, then
the default (200 ``{}``); with ``max_body`` set it answers 413 to larger bodies, as intakes do. It can be stopped and started again on the same port, to play a receiver
that is down and then comes back. Everything is closed after the test.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = gzip.decompress(raw) if self.headers.get("Content-Encoding") == "gzip" else raw
        owner = self.server.owner
        with owner.lock:
            owner.requests.append(
                {"path": self.path, "headers": dict(self.headers), "raw": raw, "body": body}
            )
            if owner.max_body is not None and len(body) > owner.max_body:
                reply = Reply(413, b"payload too large")
            else:
                reply = owner.script.pop(0) if owner.script else owner.default
        if reply.delay:
            time.sleep(reply.delay)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: Receiver


class Receiver:
    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.script: list[Reply] = []
        self.default = Reply()
        self.max_body: int | None = None  # answer 413 to any (decoded) body larger than this
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Receiver:
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.owner = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def json_bodies(self) -> list:
        with self.lock:
            return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver().start()
    try:
        yield rec
    finally:
        rec.stop()
        from litellm.exporters.http import close_client

        close_client()


@pytest.fixture
def down_receiver() -> Iterator[Receiver]:
    """A receiver whose port is reserved but which is not listening until the test calls start()."""
    rec = Receiver()
    try:
        yield rec
    finally:
        rec.stop()
        from litellm.exporters.http import close_client

        close_client()
