"""Sentry receivers for integration tests: the Spotlight sidecar (real), or a capture server (fallback).

* :class:`SpotlightReceiver` is Sentry's local development receiver from npm (RECEIVERS.md section 5a),
  installed once under ``.receivers/spotlight`` with the exact pins that work
  (``@spotlightjs/spotlight@4.11.8``, ``hono@4.12.25``) and started through its library entry so that it
  sends no telemetry of its own. It accepts envelopes at ``/api/<project>/envelope/`` (gzip, br) and
  replays everything it received to each new ``/stream`` subscriber. It listens on all interfaces (it has
  no host option); the DSN points at 127.0.0.1.
* :class:`CaptureSentryReceiver` is the fallback when node/npm are missing or Spotlight fails to start:
  the shared capture server at ``/api/1/envelope/``, decoding gzip/br envelopes into events. Its answers
  can be scripted (500 then 200) for retry tests.

:func:`sentry_receiver` picks Spotlight and falls back automatically. Both expose ``dsn``, ``kind`` and
``events()`` (error event payloads, oldest first) and ``close()``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from typing import Any

from tests.integration.receivers import VENVS, CaptureServer, free_port, start, stop, wait_http

SPOTLIGHT_PINS = ["@spotlightjs/spotlight@4.11.8", "hono@4.12.25"]
_SERVER_JS = """import { setupSpotlight } from "@spotlightjs/spotlight";
await setupSpotlight({ port: Number(process.env.SPOTLIGHT_PORT || 8969), isStandalone: true });
"""


def parse_envelope(body: bytes) -> list[tuple[dict, Any]]:
    """A Sentry envelope (header line, then item header + payload pairs) -> [(item_header, payload)]."""
    items: list[tuple[dict, Any]] = []
    rest = body.split(b"\n", 1)[1] if b"\n" in body else b""
    while rest.strip():
        header_line, _, rest = rest.partition(b"\n")
        if not header_line.strip():
            continue
        header = json.loads(header_line)
        length = header.get("length")
        if length is not None:
            raw, rest = rest[:length], rest[length + 1 :]
        else:
            raw, _, rest = rest.partition(b"\n")
        try:
            payload: Any = json.loads(raw)
        except ValueError:
            payload = raw
        items.append((header, payload))
    return items


def _spotlight_dir():
    return VENVS / "spotlight"


def spotlight_installed() -> bool:
    return (_spotlight_dir() / "node_modules" / "@spotlightjs" / "spotlight").is_dir()


def install_spotlight(timeout: float = 180.0) -> None:
    """npm-install the pinned Spotlight once (about 10-30 s); raises if npm is missing or fails."""
    folder = _spotlight_dir()
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "package.json").exists():
        subprocess.run(["npm", "init", "-y"], cwd=folder, check=True, capture_output=True, timeout=60)
    subprocess.run(
        ["npm", "install", "--save-exact", "--no-audit", "--no-fund", *SPOTLIGHT_PINS],
        cwd=folder,
        check=True,
        capture_output=True,
        timeout=timeout,
    )


class SpotlightReceiver:
    kind = "spotlight"

    def __init__(self) -> None:
        if shutil.which("node") is None or shutil.which("npm") is None:
            raise RuntimeError("node/npm not available")
        if not spotlight_installed():
            install_spotlight()
        folder = _spotlight_dir()
        (folder / "spotlight-server.mjs").write_text(_SERVER_JS)
        self.port = free_port()
        self.proc = start(
            ["node", "spotlight-server.mjs"], env={"SPOTLIGHT_PORT": str(self.port)}, cwd=str(folder)
        )
        try:
            wait_http(f"http://127.0.0.1:{self.port}/health", timeout=20, proc=self.proc)
        except Exception:
            stop(self.proc)
            raise

    @property
    def dsn(self) -> str:
        return f"http://public@127.0.0.1:{self.port}/1"

    def envelopes(self, idle: float = 0.4) -> list[list]:
        """Everything Spotlight holds: it replays its buffer to a new SSE subscriber; read until idle."""
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/stream?client=pytest", headers={"Accept": "text/event-stream"}
        )
        out = []
        try:
            with urllib.request.urlopen(req, timeout=idle) as r:
                for line in r:
                    if line.startswith(b"data: "):
                        out.append(json.loads(line[6:]))
        except (TimeoutError, OSError):
            pass
        return out

    def events(self) -> list[dict]:
        found = []
        for envelope in self.envelopes():
            if not isinstance(envelope, list) or len(envelope) < 2:
                continue
            for item_header, payload in envelope[1]:
                if item_header.get("type") == "event" and isinstance(payload, dict):
                    found.append(payload)
        return found

    def close(self) -> None:
        stop(self.proc)


class _ScriptedRoutes(dict):
    """A CaptureServer route table whose envelope route answers from a script of statuses, then 200."""

    def __init__(self, path: str, script: list[int]) -> None:
        super().__init__()
        self.path, self.script = path, list(script)

    def get(self, key: Any, default: Any = None) -> Any:
        if key == ("POST", self.path):
            status = self.script.pop(0) if self.script else 200
            body = b'{"id":"ok"}' if status == 200 else b'{"detail":"unavailable"}'
            return (status, "application/json", body)
        return default


class CaptureSentryReceiver:
    kind = "capture"
    path = "/api/1/envelope/"

    def __init__(self, script: list[int] | None = None, port: int = 0) -> None:
        self.server = CaptureServer(_ScriptedRoutes(self.path, script or []), port=port)
        self.port = self.server.server_address[1]

    @property
    def dsn(self) -> str:
        return f"http://public@127.0.0.1:{self.port}/1"

    @property
    def requests(self) -> list[dict]:
        return list(self.server.received)

    def events(self) -> list[dict]:
        found = []
        for request in self.server.received:
            if request["path"].split("?")[0] != self.path:
                continue
            for header, payload in parse_envelope(request["body"]):
                if header.get("type") == "event" and isinstance(payload, dict):
                    found.append(payload)
        return found

    def close(self) -> None:
        self.server.close()


def sentry_receiver() -> SpotlightReceiver | CaptureSentryReceiver:
    """Spotlight when it can run here, else the capture fallback (forced with
    ``LITELLM_TEST_SENTRY_RECEIVER=capture``, to exercise the fallback itself)."""
    if os.environ.get("LITELLM_TEST_SENTRY_RECEIVER") == "capture":
        return CaptureSentryReceiver()
    try:
        return SpotlightReceiver()
    except Exception:
        return CaptureSentryReceiver()


def wait_for_events(receiver: Any, predicate: Any, n: int, timeout: float = 10.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        found = [e for e in receiver.events() if predicate(e)]
        if len(found) >= n or time.monotonic() > deadline:
            return found
        time.sleep(0.1)
