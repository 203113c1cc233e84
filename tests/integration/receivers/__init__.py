"""Real local receivers for integration tests: process helpers, per-receiver venvs, a capture server.

Receivers from the package registries are installed once per machine into their own venvs under
``.receivers/`` at the repo root (so their dependencies never mix with ours), started on 127.0.0.1 on
free ports, read back over HTTP, and stopped by PID. The capture server is used only where no real
receiver exists (Slack webhooks, the Datadog Logs intake, Sentry envelopes): it decodes the real wire
format the official clients send.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
VENVS = ROOT / ".receivers"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> float:
    """Poll until ``url`` answers 200; raise if the process dies or time runs out."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"receiver exited early with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return time.monotonic() - t0
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(url)


def start(
    cmd: list[str], env: dict[str, str] | None = None, cwd: str | None = None, log: Path | None = None
) -> subprocess.Popen:
    out = open(log, "ab") if log else subprocess.DEVNULL
    return subprocess.Popen(
        cmd, env={**os.environ, **(env or {})}, cwd=cwd, stdout=out, stderr=subprocess.STDOUT
    )


def stop(p: subprocess.Popen, timeout: float = 10.0) -> None:
    p.terminate()
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


_venv_lock = threading.Lock()


def receiver_venv(name: str, packages: list[str]) -> Path:
    """A venv at .receivers/<name> with ``packages`` installed (done once; a marker file records it)."""
    venv = VENVS / name
    marker = venv / ".installed"
    wanted = "\n".join(sorted(packages))
    with _venv_lock:
        if marker.exists() and marker.read_text() == wanted:
            return venv
        VENVS.mkdir(exist_ok=True)
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", *packages],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        marker.write_text(wanted)
    return venv


class CaptureServer(ThreadingHTTPServer):
    """Records every request (decoded gzip/deflate/br bodies) and answers from a route table."""

    daemon_threads = True

    def __init__(self, routes: dict[tuple[str, str], tuple[int, str, bytes]], port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _CaptureHandler)
        self.routes = routes
        self.received: list[dict] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()

    def wait_for(self, n: int, timeout: float = 10.0) -> list[dict]:
        t0 = time.monotonic()
        while len(self.received) < n and time.monotonic() - t0 < timeout:
            time.sleep(0.02)
        return list(self.received)


class _CaptureHandler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        enc = self.headers.get("Content-Encoding")
        if enc == "gzip":
            body = gzip.decompress(body)
        elif enc == "deflate":
            body = zlib.decompress(body)
        elif enc == "br":
            import brotli

            body = brotli.decompress(body)
        path = self.path.split("?")[0]
        ctype = self.headers.get("Content-Type", "")
        parsed = None
        if "json" in ctype:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
        self.server.received.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": dict(self.headers),
                "json": parsed,
                "body": body,
            }
        )
        status, out_type, out = self.server.routes.get(
            (self.command, path), (404, "text/plain", b"not found")
        )
        self.send_response(status)
        self.send_header("Content-Type", out_type)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_POST = do_PUT = do_GET = _handle
