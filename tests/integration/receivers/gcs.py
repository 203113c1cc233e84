"""gcp-storage-emulator: a GCS JSON API on 127.0.0.1 for the GCS logger's integration tests.

Installed once into its own venv (``.receivers/gcs``), started in memory on a free port, read back with
the official ``google-cloud-storage`` client (anonymous credentials against ``STORAGE_EMULATOR_HOST``),
stopped by PID. The emulator serves one request at a time: keep tests against it sequential. Nothing
starts at import.
"""

from __future__ import annotations

import atexit
import subprocess
import threading
from typing import Any

from tests.integration.receivers import free_port, receiver_venv, start, stop, wait_http

GCS_PACKAGES = ["gcp-storage-emulator==2026.7.19"]


class GCSEmulator:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> GCSEmulator:
        venv = receiver_venv("gcs", GCS_PACKAGES)
        cmd = [str(venv / "bin" / "gcp-storage-emulator"), "start", "--host", "127.0.0.1"]
        self.proc = start([*cmd, "--port", str(self.port), "--in-memory", "-q"])
        wait_http(f"{self.url}/", timeout=30, proc=self.proc)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None

    def client(self) -> Any:
        """A google-cloud-storage client bound to this emulator (no ambient env needed)."""
        import warnings

        with warnings.catch_warnings():
            # google-api-core warns at import when grpcio is present without grpcio-status; not ours.
            warnings.simplefilter("ignore", ImportWarning)
            from google.api_core.client_options import ClientOptions
            from google.auth.credentials import AnonymousCredentials
            from google.cloud import storage

        return storage.Client(
            project="test-project",
            credentials=AnonymousCredentials(),
            client_options=ClientOptions(api_endpoint=self.url),
        )

    def create_bucket(self, name: str) -> None:
        self.client().create_bucket(name)

    def objects(self, bucket: str, prefix: str = "") -> dict[str, tuple[str, bytes]]:
        """name -> (content type, body) for every object under ``prefix``."""
        client = self.client()
        return {
            blob.name: (blob.content_type, client.bucket(bucket).blob(blob.name).download_as_bytes())
            for blob in client.list_blobs(bucket, prefix=prefix)
        }


_shared: GCSEmulator | None = None
_lock = threading.Lock()


def shared_gcs() -> GCSEmulator:
    """The session's emulator, started on first use and stopped at interpreter exit."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = GCSEmulator().start()
            atexit.register(_shared.stop)
        return _shared
