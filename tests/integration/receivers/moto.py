"""moto in server mode: a real S3 API on 127.0.0.1 for the S3 logger's integration tests.

``moto_server`` is installed once into its own venv (``.receivers/moto``) so that moto's dependencies
never mix with ours, started on a free port, read back with boto3 (path-style addressing, which
``127.0.0.1`` endpoints get automatically), and stopped by PID. A :class:`MotoServer` can be stopped and
started again on the same port, to play an S3 endpoint that is down and comes back (moto keeps its state
in memory, so buckets must be created again after a restart). Nothing starts at import.
"""

from __future__ import annotations

import atexit
import subprocess
import threading
from typing import Any

from tests.integration.receivers import free_port, receiver_venv, start, stop, wait_http

MOTO_PACKAGES = ["moto[server]==5.2.5"]
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


class MotoServer:
    """One ``moto_server`` process; ``url`` is its endpoint (``http://127.0.0.1:PORT``)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> MotoServer:
        venv = receiver_venv("moto", MOTO_PACKAGES)
        self.proc = start([str(venv / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)])
        wait_http(f"{self.url}/moto-api/", timeout=30, proc=self.proc)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None

    def client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.url, **CREDENTIALS)

    def objects(self, bucket: str, prefix: str = "") -> dict[str, bytes]:
        """Every object under ``prefix``: key -> body."""
        s3 = self.client()
        out: dict[str, bytes] = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                out[item["Key"]] = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        return out


_shared: MotoServer | None = None
_lock = threading.Lock()


def shared_moto() -> MotoServer:
    """The session's moto server, started on first use and stopped at interpreter exit."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = MotoServer().start()
            atexit.register(_shared.stop)
        return _shared


class FaultProxy:
    """An HTTP proxy in front of a real receiver, to play faults the receiver cannot: being down while
    keeping its state, or answering errors for a while.

    ``down()`` closes the listening socket (clients get "connection refused"), ``up()`` listens again
    on the same port; ``fail_next(n, status, body)`` answers the next ``n`` requests itself. Everything
    else is forwarded to ``target`` unchanged (chunked request bodies are de-chunked)."""

    def __init__(self, target: str, port: int | None = None) -> None:
        self.target = target.split("://", 1)[-1]
        self.port = port or free_port()
        self.forwarded = 0
        self.failed = 0
        self._faults: list[tuple[int, bytes]] = []
        self._lock = threading.Lock()
        self._server: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail_next(self, n: int, status: int = 500, body: bytes = b"") -> None:
        with self._lock:
            self._faults.extend([(status, body)] * n)

    def up(self) -> FaultProxy:
        from http.server import ThreadingHTTPServer

        class _Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = _Server(("127.0.0.1", self.port), _proxy_handler(self))
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _take_fault(self) -> tuple[int, bytes] | None:
        with self._lock:
            if self._faults:
                self.failed += 1
                return self._faults.pop(0)
            self.forwarded += 1
            return None


def _read_body(handler: Any) -> bytes:
    if "chunked" in (handler.headers.get("Transfer-Encoding") or "").lower():
        out = bytearray()
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return bytes(out)
            out += handler.rfile.read(size)
            handler.rfile.readline()
    return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))


def _proxy_handler(proxy: FaultProxy) -> type:
    import http.client
    from http.server import BaseHTTPRequestHandler

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _handle(self) -> None:
            body = _read_body(self)
            fault = proxy._take_fault()
            if fault is not None:
                status, out = fault
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)
                return
            headers = {
                k: v for k, v in self.headers.items() if k.lower() not in ("transfer-encoding", "expect")
            }
            headers["Content-Length"] = str(len(body))
            conn = http.client.HTTPConnection(proxy.target, timeout=30)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for name, value in resp.getheaders():
                    if name.lower() not in (
                        "transfer-encoding",
                        "content-length",
                        "connection",
                        "server",
                        "date",
                    ):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            finally:
                conn.close()

        do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _handle

    return Handler
