"""``GCSBucketLogger`` ("gcs_bucket"): calls stored as JSON / NDJSON objects in a Google Cloud Storage bucket.

Owns the GCS settings (:class:`GCSSettings`, built once in the constructor), LiteLLM's object layout, and
the upload through the Cloud Storage JSON API with the shared exporter HTTP client. Layout (dates are the
call's start in UTC; a bucket given as ``bucket/folder/sub`` puts everything under ``folder/sub/``):

* batched (default, ``GCS_USE_BATCHED_LOGGING=true``): one NDJSON object per flushed batch and day,
  ``<YYYY-MM-DD>/batch-<epoch ms of the first call>-<digest of the ids>.ndjson``;
* per call: ``<YYYY-MM-DD>/<payload id>`` for a success, ``<YYYY-MM-DD>/failure-<payload id>`` for a failure.

Names are pure functions of the payloads (LiteLLM uses a random id for failures and batches; we use the
payload ids), so a redelivered event or batch overwrites its own object: at-least-once stays idempotent.

Why the JSON API over ``google-cloud-storage``: an upload is one POST, so the shared exporter client
gives us pooling, the error-to-retry mapping, Retry-After and OpenTelemetry suppression for free; the
client library would add a second HTTP stack (requests), its own retry loop and a heavier import. Only
``google-auth`` is needed, for service-account or default credentials, and not at all against the
emulator. Uploads are ``uploadType=multipart`` (metadata + body), which real GCS and
gcp-storage-emulator both accept with ``application/json`` content (the emulator drops the connection on
a simple ``media`` upload of JSON).

Environment (LiteLLM's names): ``GCS_BUCKET_NAME``, ``GCS_PATH_SERVICE_ACCOUNT`` (a service-account JSON
key file; without it, application default credentials), ``GCS_USE_BATCHED_LOGGING``, ``GCS_BATCH_SIZE``
(2048), ``GCS_FLUSH_INTERVAL`` (20 s); ``STORAGE_EMULATOR_HOST`` sends to an emulator, without auth.

Must not: import google-auth at module import or on the caller's thread, or put a token into a record,
a log line or an error message.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import re
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from litellm.exporters import BatchExporter, PermanentExportError, RetryableExportError
from litellm.integrations.base import PayloadLogger

__all__ = [
    "GCSBucketLogger",
    "GCSSettings",
    "batch_object_name",
    "gcs_record",
    "multipart_body",
    "object_name",
]

_INSTALL_HINT = "the gcs_bucket logger needs google-auth: pip install 'litellm-observe[gcs]'"
_SCOPES = ("https://www.googleapis.com/auth/devstorage.read_write",)
_TRUE = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True)
class GCSSettings:
    """Where to store and how to authenticate (a file path, never key material)."""

    bucket_name: str
    object_prefix: str = ""
    path_service_account: str | None = None
    use_batched_logging: bool = True
    batch_size: int = 2048
    flush_interval: float = 20.0
    api_base: str = "https://storage.googleapis.com"
    emulator: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> GCSSettings:
        """Keywords (``bucket_name``, ``path_service_account``, ``use_batched_logging``, ``batch_size``,
        ``flush_interval``, ``api_base``) win over the environment. Raises ValueError without a bucket."""
        env = os.environ if environ is None else environ

        def pick(name: str, var: str | None, default: Any = None) -> Any:
            value = overrides.pop(name, None)
            if value not in (None, ""):
                return value
            value = env.get(var) if var else None
            return value if value not in (None, "") else default

        raw_bucket = pick("bucket_name", "GCS_BUCKET_NAME")
        if not raw_bucket:
            raise ValueError(
                "GCS_BUCKET_NAME is not set in the environment, but GCS Bucket is being used as a logging "
                "callback. Please set 'GCS_BUCKET_NAME' in the environment."
            )
        bucket, _, folder = str(raw_bucket).strip("/").partition("/")
        emulator_host = env.get("STORAGE_EMULATOR_HOST")
        api_base = pick("api_base", None)
        emulator = False
        if not api_base and emulator_host:
            api_base = emulator_host if "://" in emulator_host else f"http://{emulator_host}"
            emulator = True
        batched = pick("use_batched_logging", "GCS_USE_BATCHED_LOGGING", True)
        settings = cls(
            bucket_name=bucket,
            object_prefix=folder.strip("/") + "/" if folder.strip("/") else "",
            path_service_account=pick("path_service_account", "GCS_PATH_SERVICE_ACCOUNT"),
            use_batched_logging=batched.strip().lower() in _TRUE
            if isinstance(batched, str)
            else bool(batched),
            batch_size=max(1, int(pick("batch_size", "GCS_BATCH_SIZE", 2048))),
            flush_interval=max(0.01, float(pick("flush_interval", "GCS_FLUSH_INTERVAL", 20.0))),
            api_base=str(api_base or "https://storage.googleapis.com").rstrip("/"),
            emulator=emulator,
        )
        if overrides:
            raise TypeError(f"unknown GCS settings: {', '.join(sorted(overrides))}")
        return settings


# ---------------------------------------------------------------------------------------- pure mapping


@functools.lru_cache(maxsize=64)
def _utc_day(day_number: int) -> str:
    return datetime.fromtimestamp(day_number * 86400, tz=timezone.utc).strftime("%Y-%m-%d")


def _day(payload: Mapping[str, Any]) -> str:
    # Cached per UTC day: every call of a day shares the string (datetime + strftime cost ~4 us each).
    return _utc_day(int(float(payload.get("startTime") or 0.0) // 86400))


_ALREADY_SAFE = re.compile(r"[A-Za-z0-9._-]+")


def _safe(value: Any) -> str:
    text = str(value)
    if _ALREADY_SAFE.fullmatch(text):  # payload ids (uuids): no per-character pass
        return text
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text) or "_"


def object_name(payload: Mapping[str, Any], settings: GCSSettings) -> str:
    """The per-call object name (prefix included)."""
    day = _day(payload)
    ident = _safe(payload.get("id") or "")
    leaf = f"failure-{ident}" if payload.get("status") == "failure" else ident
    return f"{settings.object_prefix}{day}/{leaf}"


def batch_object_name(records: Sequence[Mapping[str, Any]], settings: GCSSettings) -> str:
    """The NDJSON object for records of one day; the same records give the same name."""
    first = min(float(r["body"].get("startTime") or 0.0) for r in records)
    day = _utc_day(int(first // 86400))
    digest = hashlib.sha256("\n".join(sorted(str(r["id"]) for r in records)).encode()).hexdigest()[:8]
    return f"{settings.object_prefix}{day}/batch-{int(first * 1000)}-{digest}.ndjson"


def gcs_record(payload: Mapping[str, Any], settings: GCSSettings) -> dict[str, Any]:
    """What the exporter queues for one call (the payload itself, not a copy: it is never changed).

    The per-call object name is only computed when objects are per call; batches need only the day."""
    record = {"id": payload.get("id"), "day": _day(payload), "body": payload}
    if not settings.use_batched_logging:
        record["name"] = object_name(payload, settings)
    return record


# Built once: json.dumps with keyword arguments builds a new encoder on every call.
_encode = json.JSONEncoder(separators=(",", ":"), default=str, ensure_ascii=False).encode


def _dumps(value: Any) -> bytes:
    return _encode(value).encode()


def multipart_body(name: str, data: bytes, content_type: str) -> tuple[bytes, str]:
    """A ``multipart/related`` upload body (object metadata, then the object) and its content type."""
    boundary = "litellm-" + uuid.uuid4().hex
    meta = json.dumps({"name": name, "contentType": content_type}).encode()
    body = b"".join(
        (
            f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n".encode(),
            meta,
            f"\r\n--{boundary}\r\nContent-Type: {content_type}\r\n\r\n".encode(),
            data,
            f"\r\n--{boundary}--\r\n".encode(),
        )
    )
    return body, f"multipart/related; boundary={boundary}"


# ------------------------------------------------------------------------------------------ auth


class _HttpxAuthRequest:
    """google-auth's transport interface over httpx, so token refresh needs neither requests nor urllib3."""

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        import httpx
        from google.auth import exceptions as gexc

        try:
            response = httpx.request(
                method, url, content=body, headers=dict(headers or {}), timeout=timeout or 30
            )
        except httpx.HTTPError as exc:
            raise gexc.TransportError(f"token request failed: {type(exc).__name__}") from None
        return _AuthResponse(response)


class _AuthResponse:
    def __init__(self, response: Any) -> None:
        self.status = response.status_code
        self.headers = dict(response.headers)
        self.data = response.content


class _TokenSource:
    """Bearer tokens from a service-account file or application default credentials, refreshed when due."""

    def __init__(self, path_service_account: str | None) -> None:
        self._path = path_service_account
        self._credentials: Any = None
        self._lock = threading.Lock()

    def header(self) -> dict[str, str]:
        with self._lock:
            try:
                import google.auth
                from google.auth import exceptions as gexc
                from google.oauth2 import service_account
            except ImportError as exc:
                raise PermanentExportError(_INSTALL_HINT) from exc
            try:
                if self._credentials is None:
                    if self._path:
                        self._credentials = service_account.Credentials.from_service_account_file(
                            self._path, scopes=list(_SCOPES)
                        )
                    else:
                        self._credentials, _ = google.auth.default(scopes=list(_SCOPES))
                if not self._credentials.valid:
                    self._credentials.refresh(_HttpxAuthRequest())
            except (OSError, ValueError, gexc.DefaultCredentialsError) as exc:
                raise PermanentExportError(f"GCS credentials unusable: {type(exc).__name__}") from None
            except gexc.RefreshError as exc:
                # A refused refresh (revoked key, clock skew) is not fixed by retrying soon.
                raise PermanentExportError(f"GCS token refresh refused: {type(exc).__name__}") from None
            except gexc.TransportError as exc:
                raise RetryableExportError(f"GCS token refresh failed: {type(exc).__name__}") from None
            return {"Authorization": f"Bearer {self._credentials.token}"}


# ------------------------------------------------------------------------------------------ logger


class GCSBucketLogger(PayloadLogger):
    """Stores calls in a GCS bucket (see the module docstring for layout and settings).

    Keyword arguments override the environment: ``bucket_name`` (LiteLLM's name), ``path_service_account``,
    ``use_batched_logging``, ``batch_size``, ``flush_interval``, ``api_base``; plus ``spool_dir`` /
    ``spool_mode`` and ``exporter_options`` (extra BatchExporter arguments)."""

    name = "gcs_bucket"

    def __init__(
        self,
        bucket_name: str | None = None,
        *,
        path_service_account: str | None = None,
        use_batched_logging: bool | None = None,
        batch_size: int | None = None,
        flush_interval: float | None = None,
        api_base: str | None = None,
        spool_dir: str | os.PathLike[str] | None = None,
        spool_mode: str = "on_failure",
        exporter_options: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.settings = GCSSettings.from_env(
            environ,
            bucket_name=bucket_name,
            path_service_account=path_service_account,
            use_batched_logging=use_batched_logging,
            batch_size=batch_size,
            flush_interval=flush_interval,
            api_base=api_base,
        )
        needs_auth = not self.settings.emulator
        if needs_auth and importlib.util.find_spec("google.auth") is None:
            raise ImportError(_INSTALL_HINT)
        self._tokens = _TokenSource(self.settings.path_service_account) if needs_auth else None
        self._upload_url = (
            f"{self.settings.api_base}/upload/storage/v1/b/{quote(self.settings.bucket_name, safe='')}/o"
            "?uploadType=multipart"
        )
        self.exporter = BatchExporter(
            self.name,
            self._send,
            max_batch_size=self.settings.batch_size,
            flush_interval=self.settings.flush_interval,
            spool_dir=spool_dir,
            spool_mode=spool_mode,
            **dict(exporter_options or {}),
        )

    def on_event(self, payload: dict, kwargs: dict) -> None:
        self.exporter.submit(gcs_record(payload, self.settings))

    def _objects(self, batch: list[dict]) -> list[tuple[str, bytes, str]]:
        if not self.settings.use_batched_logging:
            return [
                (
                    r.get("name") or object_name(r["body"], self.settings),
                    _dumps(r["body"]),
                    "application/json",
                )
                for r in batch
            ]
        days: dict[str, list[dict]] = {}
        for record in batch:
            days.setdefault(record["day"], []).append(record)
        return [
            (
                batch_object_name(records, self.settings),
                # One encode of the whole batch: str.join, then a single UTF-8 pass.
                ("\n".join([_encode(r["body"]) for r in records]) + "\n").encode(),
                "application/x-ndjson",
            )
            for records in days.values()
        ]

    def _send(self, batch: list[dict]) -> None:
        from litellm.exporters import http as _http

        # post() suppresses OpenTelemetry for its own requests; the token refresh needs it too.
        token = _http._suppress_otel()
        try:
            self._upload(batch, _http.post)
        finally:
            _http._unsuppress_otel(token)

    def _upload(self, batch: list[dict], post: Any) -> None:
        headers = self._tokens.header() if self._tokens is not None else {}
        for name, data, content_type in self._objects(batch):
            body, multipart_type = multipart_body(name, data, content_type)
            # Objects already stored before a failure are stored again on retry, under the same name.
            post(
                self._upload_url,
                content=body,
                headers={**headers, "Content-Type": multipart_type},
                timeout=30.0,
            )

    def flush(self, timeout: float | None = None) -> bool:
        return self.exporter.flush(10.0 if timeout is None else timeout)

    def stats(self) -> dict:
        """The exporter's counters (sent, retried, failed, spooled, dropped, queued)."""
        return self.exporter.stats()
