"""A generic webhook receiver for the ``generic_api`` logger: the shared capture server with scripted answers.

A generic webhook has no product receiver, so the capture server is the legitimate receiver here: it
records each POST (headers, decoded body) and answers from a script of statuses (e.g. 500 then 200),
then 200 ``{}``. It can be started on a given port, to play a receiver that is down and comes back.
"""

from __future__ import annotations

import json
import time
from typing import Any

from tests.integration.receivers import CaptureServer


class _ScriptedRoutes(dict):
    def __init__(self, path: str, script: list[int]) -> None:
        super().__init__()
        self.path, self.script = path, list(script)

    def get(self, key: Any, default: Any = None) -> Any:
        if key == ("POST", self.path):
            status = self.script.pop(0) if self.script else 200
            return (status, "application/json", b"{}" if status < 300 else b'{"error":"unavailable"}')
        return default


class WebhookReceiver:
    path = "/hooks/llm"

    def __init__(self, script: list[int] | None = None, port: int = 0) -> None:
        self.server = CaptureServer(_ScriptedRoutes(self.path, script or []), port=port)

    @property
    def url(self) -> str:
        return f"{self.server.url}{self.path}"

    @property
    def requests(self) -> list[dict]:
        return list(self.server.received)

    def payloads(self) -> list[dict]:
        """Every payload received, from JSON arrays, NDJSON bodies and single objects alike."""
        out: list[dict] = []
        for request in self.server.received:
            body = request["body"].decode()
            try:
                doc = json.loads(body)
            except ValueError:
                out.extend(json.loads(line) for line in body.splitlines() if line.strip())
                continue
            out.extend(doc if isinstance(doc, list) else [doc])
        return out

    def wait_for_payloads(self, n: int, timeout: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.payloads()) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.payloads()

    def close(self) -> None:
        self.server.close()
