"""The Datadog test agent (``ddapm-test-agent``) as the LLM Observability receiver, and a Logs capture.

:class:`DDAgent` runs the real test agent from PyPI in its own venv (``.receivers/ddagent``, shared with
the OTLP helpers), on 127.0.0.1 with every port given explicitly, and reads back the LLM Observability
requests it recorded at ``GET /test/session/requests``: each decoded into its envelopes and span events.
The agent records without validating, so tests assert the schema themselves.

The Datadog Logs intake has no local implementation (the test agent answers 404 on ``/api/v2/logs``):
:class:`LogsIntake` is a capture server that also enforces the public API's contract (key header, JSON
array, entry and size limits, 202 ``{}``) and can fail on demand or go down and come back. Nothing
starts at import.
"""

from __future__ import annotations

import atexit
import base64
import json
import subprocess
import threading
import urllib.request
from typing import Any

from tests.integration.receivers import free_port, receiver_venv, start, stop, wait_http

DDAGENT_PACKAGES = ["ddapm-test-agent==1.69.1"]
LLMOBS_PATHS = ("/evp_proxy/v2/api/v2/llmobs", "/evp_proxy/v4/api/v2/llmobs")


class DDAgent:
    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> DDAgent:
        venv = receiver_venv("ddagent", DDAGENT_PACKAGES)
        cmd = [str(venv / "bin" / "ddapm-test-agent"), "--host", "127.0.0.1", "-p", str(self.port)]
        cmd += ["--otlp-http-port", str(free_port()), "--otlp-grpc-port", str(free_port())]
        self.proc = start([*cmd, "--disable-llmobs-data-forwarding"])
        wait_http(f"{self.url}/info", timeout=30, proc=self.proc)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None

    def requests(self) -> list[dict[str, Any]]:
        with urllib.request.urlopen(f"{self.url}/test/session/requests", timeout=5) as r:
            return json.loads(r.read())

    def llmobs_requests(self) -> list[dict[str, Any]]:
        """LLM Observability requests: method, path, headers and the decoded JSON body."""
        out = []
        for req in self.requests():
            path = req["url"].split("://", 1)[-1].partition("/")[2].split("?")[0]
            if "/" + path not in LLMOBS_PATHS:
                continue
            # The agent stores the body already gunzipped, base64-encoded.
            body = json.loads(base64.b64decode(req["body"]))
            out.append({"path": "/" + path, "headers": req["headers"], "body": body})
        return out

    def spans(self) -> list[dict[str, Any]]:
        """Every span event received, each with its envelope under ``"_envelope"``."""
        out = []
        for req in self.llmobs_requests():
            body = req["body"]
            for envelope in body if isinstance(body, list) else [body]:
                for span in envelope.get("spans", []):
                    out.append({**span, "_envelope": {k: v for k, v in envelope.items() if k != "spans"}})
        return out


_shared: DDAgent | None = None
_lock = threading.Lock()


def shared_ddagent() -> DDAgent:
    """The session's test agent, started on first use and stopped at interpreter exit."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = DDAgent().start()
            atexit.register(_shared.stop)
        return _shared


class LogsIntake:
    """A Datadog Logs intake stand-in that enforces the public API's contract (RECEIVERS.md section 4):
    ``POST /api/v2/logs`` with a ``DD-API-KEY`` header (403 without), a JSON array body (gzip or
    deflate, 400 otherwise), at most 1,000 entries and 5 MB uncompressed (413 above ``max_bytes``), answered
    202 ``{}``. ``fail_next(n, status)`` scripts errors; ``down()`` / ``up()`` stop listening and listen
    again on the same port. ``logs`` holds every accepted entry, ``requests`` every request."""

    def __init__(self, max_bytes: int = 5_000_000, max_entries: int = 1000, port: int | None = None) -> None:
        self.port = port or free_port()
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self.logs: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self._script: list[tuple[int, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._server: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail_next(self, n: int, status: int = 500, headers: dict[str, str] | None = None) -> None:
        with self._lock:
            self._script.extend([(status, headers or {})] * n)

    def up(self) -> LogsIntake:
        from http.server import ThreadingHTTPServer

        class _Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = _Server(("127.0.0.1", self.port), _intake_handler(self))
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def messages(self) -> list[dict[str, Any]]:
        """The ``message`` of every accepted entry, parsed (the logger puts the payload there as JSON)."""
        with self._lock:
            return [json.loads(entry["message"]) for entry in self.logs]

    def _answer(self, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, str], bytes]:
        status, extra, out = self._decide(headers, raw)
        with self._lock:
            self.requests.append({"headers": headers, "size": len(raw), "status": status})
        return status, extra, out

    def _decide(self, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, str], bytes]:
        import gzip
        import zlib

        with self._lock:
            if self._script:
                status, extra = self._script.pop(0)
                return status, extra, b'{"errors":["scripted"]}'
        lower = {k.lower(): v for k, v in headers.items()}
        if not lower.get("dd-api-key"):
            return 403, {}, b'{"errors":["Forbidden"]}'
        encoding = lower.get("content-encoding", "")
        try:
            if encoding == "gzip":
                body = gzip.decompress(raw)
            elif encoding == "deflate":
                body = zlib.decompress(raw)
            else:
                body = raw
        except (OSError, zlib.error):
            return 400, {}, b'{"errors":["bad encoding"]}'
        if len(body) > self.max_bytes:
            return 413, {}, b'{"errors":["Payload too large"]}'
        try:
            entries = json.loads(body)
        except ValueError:
            return 400, {}, b'{"errors":["bad json"]}'
        entries = entries if isinstance(entries, list) else [entries]
        if len(entries) > self.max_entries:
            return 413, {}, b'{"errors":["Too many entries"]}'
        with self._lock:
            self.logs.extend(entries)
        return 202, {}, b"{}"


def _intake_handler(intake: LogsIntake) -> type:
    from http.server import BaseHTTPRequestHandler

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.split("?")[0] != "/api/v2/logs":
                status, extra, out = 404, {}, b"not found"
            else:
                status, extra, out = intake._answer(dict(self.headers), raw)
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

    return Handler
