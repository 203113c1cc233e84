"""OTLP receivers for integration tests: the Datadog test agent's OTLP ports, and an in-process fallback.

* :class:`TestAgent` runs ``ddapm-test-agent`` (a real receiver from PyPI, own venv under
  ``.receivers/ddagent``) on 127.0.0.1 with its OTLP/HTTP and OTLP/gRPC ports, and reads back what it
  stored through ``GET /test/session/traces`` and ``/test/session/metrics`` on the OTLP/HTTP port. It can
  be stopped and started again on the same ports, to play a receiver that is down and comes back.
* :class:`OTLPReceiver` is the RECEIVERS.md fallback: an in-process OTLP/HTTP server built on
  ``opentelemetry-proto`` that decodes gzip, records path and headers (for auth checks, e.g. Langfuse's
  Basic auth at ``/api/public/otel/v1/traces``) and answers from a script of statuses (500 then 200).

Both flatten spans to plain dicts: name, trace_id / span_id / parent_span_id (hex), kind, status code
and message, attributes, events, resource attributes, scope name. Nothing here starts at import.
"""

from __future__ import annotations

import base64
import gzip
import json
import threading
import time
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.integration.receivers import free_port, receiver_venv, start, stop, wait_http

TEST_AGENT_PACKAGES = ["ddapm-test-agent==1.69.1"]


def _json_value(value: dict) -> Any:
    """An OTLP JSON AnyValue (as the test agent serves it) -> a Python value."""
    if not value:
        return None
    kind, inner = next(iter(value.items()))
    if kind == "array_value":
        return [_json_value(v) for v in (inner or {}).get("values", [])]
    if kind == "kvlist_value":
        return {kv["key"]: _json_value(kv.get("value", {})) for kv in (inner or {}).get("values", [])}
    if kind == "int_value":
        return int(inner)
    return inner


def _json_attrs(items: list | None) -> dict[str, Any]:
    return {kv["key"]: _json_value(kv.get("value", {})) for kv in items or []}


def _b64hex(value: str | None) -> str:
    return base64.b64decode(value).hex() if value else ""


def flatten_json_traces(requests: list[dict]) -> list[dict]:
    """The test agent's stored ExportTraceServiceRequests (JSON) -> flat span dicts."""
    spans = []
    for request in requests:
        for rs in request.get("resource_spans", []):
            resource = _json_attrs(rs.get("resource", {}).get("attributes"))
            for ss in rs.get("scope_spans", []):
                scope = ss.get("scope", {}).get("name")
                for s in ss.get("spans", []):
                    status = s.get("status") or {}
                    spans.append(
                        {
                            "name": s.get("name"),
                            "trace_id": _b64hex(s.get("trace_id")),
                            "span_id": _b64hex(s.get("span_id")),
                            "parent_span_id": _b64hex(s.get("parent_span_id")),
                            "kind": s.get("kind"),
                            "start": int(s.get("start_time_unix_nano", 0)),
                            "end": int(s.get("end_time_unix_nano", 0)),
                            "status_code": status.get("code", "STATUS_CODE_UNSET"),
                            "status_message": status.get("message", ""),
                            "attributes": _json_attrs(s.get("attributes")),
                            "events": [
                                {"name": e.get("name"), "attributes": _json_attrs(e.get("attributes"))}
                                for e in s.get("events", [])
                            ],
                            "resource": resource,
                            "scope": scope,
                        }
                    )
    return spans


def metric_names(requests: list[dict]) -> dict[str, list[dict]]:
    """The test agent's stored metric exports -> {metric name: [data points with flat attributes]}."""
    out: dict[str, list[dict]] = {}
    for request in requests:
        for rm in request.get("resource_metrics", []):
            for sm in rm.get("scope_metrics", []):
                for metric in sm.get("metrics", []):
                    body = next(
                        (metric[k] for k in ("histogram", "sum", "gauge") if k in metric),
                        {"data_points": []},
                    )
                    points = out.setdefault(metric["name"], [])
                    for point in body.get("data_points", []):
                        points.append({**point, "attributes": _json_attrs(point.get("attributes"))})
    return out


class TestAgent:
    """ddapm-test-agent as an OTLP receiver (HTTP and gRPC), started on 127.0.0.1 free ports."""

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self.venv = receiver_venv("ddagent", TEST_AGENT_PACKAGES)
        self.port, self.http_port, self.grpc_port = free_port(), free_port(), free_port()
        self.proc = None

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def traces_url(self) -> str:
        return f"{self.http_url}/v1/traces"

    @property
    def grpc_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.grpc_port}"

    def start(self) -> TestAgent:
        cmd = [
            str(self.venv / "bin" / "ddapm-test-agent"),
            "--host",
            "127.0.0.1",
            "-p",
            str(self.port),
            "--otlp-http-port",
            str(self.http_port),
            "--otlp-grpc-port",
            str(self.grpc_port),
            "--disable-llmobs-data-forwarding",
        ]
        self.proc = start(cmd)
        wait_http(f"http://127.0.0.1:{self.port}/info", timeout=30, proc=self.proc)
        # the OTLP ports come up with the main one, but check the one we read from
        wait_http(f"{self.http_url}/test/session/traces", timeout=10, proc=self.proc)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None

    def _get(self, path: str) -> list[dict]:
        with urllib.request.urlopen(f"{self.http_url}{path}", timeout=5) as r:
            return json.loads(r.read() or b"[]")

    def spans(self) -> list[dict]:
        return flatten_json_traces(self._get("/test/session/traces"))

    def metrics(self) -> dict[str, list[dict]]:
        return metric_names(self._get("/test/session/metrics"))

    def wait_for_spans(self, predicate: Callable[[dict], bool], n: int, timeout: float = 10.0) -> list[dict]:
        """Poll until at least ``n`` stored spans match ``predicate``; return the matching ones."""
        deadline = time.monotonic() + timeout
        while True:
            found = [s for s in self.spans() if predicate(s)]
            if len(found) >= n or time.monotonic() > deadline:
                return found
            time.sleep(0.1)


# ------------------------------------------------------------------------------ in-process fallback


def _pb_value(v: Any) -> Any:
    kind = v.WhichOneof("value")
    if kind == "array_value":
        return [_pb_value(x) for x in v.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: _pb_value(kv.value) for kv in v.kvlist_value.values}
    return getattr(v, kind) if kind else None


class OTLPReceiver(ThreadingHTTPServer):
    """OTLP/HTTP protobuf receiver: any path ending ``/v1/traces``; statuses answered from ``script``."""

    daemon_threads = True

    def __init__(self, script: list[int] | None = None, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _OTLPHandler)
        self.script = list(script or [])
        self.requests: list[dict] = []
        self.spans: list[dict] = []
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()

    def wait_for_spans(self, n: int, timeout: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.spans) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        with self.lock:
            return list(self.spans)


class _OTLPHandler(BaseHTTPRequestHandler):
    server: OTLPReceiver

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
            ExportTraceServiceResponse,
        )

        raw = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        body = gzip.decompress(raw) if self.headers.get("Content-Encoding") == "gzip" else raw
        path = self.path.split("?")[0]
        with self.server.lock:
            status = self.server.script.pop(0) if self.server.script else 200
            self.server.requests.append({"path": self.path, "headers": dict(self.headers), "status": status})
        if not path.endswith("/v1/traces"):
            status = 404
        if status == 200:
            request = ExportTraceServiceRequest.FromString(body)
            spans = []
            for rs in request.resource_spans:
                resource = {a.key: _pb_value(a.value) for a in rs.resource.attributes}
                for ss in rs.scope_spans:
                    for s in ss.spans:
                        spans.append(
                            {
                                "name": s.name,
                                "trace_id": s.trace_id.hex(),
                                "span_id": s.span_id.hex(),
                                "parent_span_id": s.parent_span_id.hex(),
                                "kind": s.kind,
                                "start": s.start_time_unix_nano,
                                "end": s.end_time_unix_nano,
                                "status_code": s.status.code,
                                "status_message": s.status.message,
                                "attributes": {a.key: _pb_value(a.value) for a in s.attributes},
                                "events": [
                                    {
                                        "name": e.name,
                                        "attributes": {a.key: _pb_value(a.value) for a in e.attributes},
                                    }
                                    for e in s.events
                                ],
                                "resource": resource,
                                "scope": ss.scope.name,
                            }
                        )
            with self.server.lock:
                self.server.spans.extend(spans)
            out = ExportTraceServiceResponse().SerializeToString()
            ctype = "application/x-protobuf"
        else:
            out, ctype = b"unavailable", "text/plain"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
