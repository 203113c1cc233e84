"""``S3Logger`` ("s3", "s3_v2"): every call's StandardLoggingPayload stored as JSON in an S3 bucket.

Owns the S3 settings (:class:`S3Settings`, built once in the constructor), LiteLLM's object key layout,
and the upload through boto3 inside the exporter's ``send`` (on the exporter's worker thread). Layout:

* one object per call (default)::

    <s3_path>/<prefix><YYYY-MM-DD>/time-<HH-MM-SS-ffffff>_<payload id>.json     (application/json)

* or, with ``s3_batch_file_upload``, one NDJSON object per flushed batch and key folder::

    <s3_path>/<prefix><YYYY-MM-DD>/batch_<HH-MM-SS>_<digest of the ids>.jsonl   (application/x-ndjson)

``<prefix>`` is the team alias and/or key alias when ``s3_use_team_prefix`` / ``s3_use_key_prefix`` is on;
``s3_partition_granularity="hour"`` adds an ``<HH>/`` level. Dates and times are the call's start time in
UTC. Keys are a pure function of the payload (and of the batch's ids), so a redelivered event overwrites
its own object instead of adding a copy: at-least-once delivery stays idempotent in the bucket.

Configuration, highest priority first: constructor keywords (LiteLLM's ``s3_*`` names), the module
setting ``litellm.s3_callback_params`` (values ``"os.environ/NAME"`` are read from the environment), then
the environment: ``AWS_S3_BUCKET_NAME``, ``AWS_REGION_NAME`` / ``AWS_REGION`` / ``AWS_DEFAULT_REGION``,
``AWS_S3_ENDPOINT_URL``, ``S3_PARTITION_GRANULARITY``, ``S3_LOG_PROMPTS_ONLY``. Credentials not given
explicitly come from boto3's own chain (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, profiles, roles).

Must not: import boto3 at module import or on the caller's thread (the client is built on the worker),
let botocore retry on its own (the exporter owns retries), or put credentials into a record, a log line
or an error message (errors carry the operation, bucket, error code and HTTP status only).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import threading
import weakref
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from litellm.exporters import BatchExporter, PayloadTooLargeError, PermanentExportError, RetryableExportError
from litellm.integrations.base import PayloadLogger

__all__ = ["S3Logger", "S3Settings", "batch_object_key", "object_key", "s3_record"]

_INSTALL_HINT = "the s3 logger needs boto3: pip install 'litellm-observe[s3]'"
_ENV_PREFIX = "os.environ/"
_MAX_KEY_BYTES = 1024  # S3's limit on an object key
_RETRYABLE_CODES = frozenset(
    {"SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "Throttling", "ThrottlingException"}
)
_TOO_LARGE_CODES = frozenset({"EntityTooLarge", "MaxMessageLengthExceeded"})
_TRUE = frozenset({"1", "true", "yes", "on"})


def _module_setting(name: str) -> Any:
    """A LiteLLM module setting (``litellm.s3_callback_params``) without importing the package root:
    the shared settings object when it knows the name, else the attribute a user set on the module."""
    from litellm.core.settings import settings

    if hasattr(settings, name):
        return getattr(settings, name)
    root = sys.modules.get("litellm")
    return getattr(root, "__dict__", {}).get(name) if root is not None else None


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return bool(value)


@dataclass(frozen=True)
class S3Settings:
    """Where and how to store; credentials never print."""

    bucket_name: str
    path: str = ""
    region_name: str | None = None
    endpoint_url: str | None = None
    aws_access_key_id: str | None = field(default=None, repr=False)
    aws_secret_access_key: str | None = field(default=None, repr=False)
    aws_session_token: str | None = field(default=None, repr=False)
    aws_profile_name: str | None = None
    use_ssl: bool = True
    verify: bool | str | None = None
    batch_file_upload: bool = False
    partition_granularity: str = "day"
    use_team_prefix: bool = False
    use_key_prefix: bool = False
    log_prompts_only: bool = False
    server_side_encryption: str | None = None
    sse_kms_key_id: str | None = None
    max_concurrent_uploads: int = 16

    @classmethod
    def from_env(
        cls,
        params: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> S3Settings:
        """Merge keywords (``s3_bucket_name=...``), ``params`` (``litellm.s3_callback_params`` when None)
        and the environment. Raises ValueError when no bucket is configured."""
        env = os.environ if environ is None else environ
        if params is None:
            params = _module_setting("s3_callback_params") or {}

        def resolve(value: Any) -> Any:
            if isinstance(value, str) and value.startswith(_ENV_PREFIX):
                return env.get(value[len(_ENV_PREFIX) :])
            return value

        def pick(name: str, *env_vars: str, default: Any = None) -> Any:
            for source in (overrides.pop(f"s3_{name}", None), params.get(f"s3_{name}")):
                value = resolve(source)
                if value not in (None, ""):
                    return value
            for var in env_vars:
                value = env.get(var)
                if value not in (None, ""):
                    return value
            return default

        bucket = pick("bucket_name", "AWS_S3_BUCKET_NAME")
        if not bucket:
            raise ValueError(
                "s3 logger: no bucket configured; set litellm.s3_callback_params['s3_bucket_name'], "
                "pass s3_bucket_name=..., or set AWS_S3_BUCKET_NAME"
            )
        granularity = str(pick("partition_granularity", "S3_PARTITION_GRANULARITY", default="day")).lower()
        settings = cls(
            bucket_name=str(bucket),
            path=str(pick("path", default="") or "").strip("/"),
            region_name=pick("region_name", "AWS_REGION_NAME", "AWS_REGION", "AWS_DEFAULT_REGION"),
            endpoint_url=pick("endpoint_url", "AWS_S3_ENDPOINT_URL"),
            aws_access_key_id=pick("aws_access_key_id"),
            aws_secret_access_key=pick("aws_secret_access_key"),
            aws_session_token=pick("aws_session_token"),
            aws_profile_name=pick("aws_profile_name"),
            use_ssl=_as_bool(pick("use_ssl", default=True)),
            verify=pick("verify"),
            batch_file_upload=_as_bool(pick("batch_file_upload", default=False)),
            partition_granularity="hour" if granularity == "hour" else "day",
            use_team_prefix=_as_bool(pick("use_team_prefix", default=False)),
            use_key_prefix=_as_bool(pick("use_key_prefix", default=False)),
            log_prompts_only=_as_bool(pick("log_prompts_only", "S3_LOG_PROMPTS_ONLY", default=False)),
            server_side_encryption=pick("server_side_encryption"),
            sse_kms_key_id=pick("sse_kms_key_id"),
            max_concurrent_uploads=max(1, int(pick("max_concurrent_uploads", default=16))),
        )
        unknown = sorted(k for k in overrides if not k.startswith("s3_"))
        if unknown:
            raise TypeError(f"unknown S3 settings: {', '.join(unknown)}")
        if overrides:
            # LiteLLM options this logger does not implement (s3_config, s3_api_version, ...): accepted
            # so existing configurations keep working, and said once.
            from litellm.core.log import log_once

            log_once(
                ("s3", "ignored", tuple(sorted(overrides))),
                "s3 logger ignores options",
                options=sorted(overrides),
            )
        return settings


# ---------------------------------------------------------------------------------------- pure mapping


def _safe_component(value: Any) -> str:
    return str(value).replace("/", "_").replace(":", "_").strip() or "_"


def _prefix(payload: Mapping[str, Any], settings: S3Settings) -> str:
    metadata = payload.get("metadata") or {}
    parts = []
    if settings.use_team_prefix and metadata.get("user_api_key_team_alias"):
        parts.append(_safe_component(metadata["user_api_key_team_alias"]))
    if settings.use_key_prefix and metadata.get("user_api_key_alias"):
        parts.append(_safe_component(metadata["user_api_key_alias"]))
    head = settings.path + "/" if settings.path else ""
    return head + "".join(p + "/" for p in parts)


def _start(payload: Mapping[str, Any]) -> datetime:
    return datetime.fromtimestamp(float(payload.get("startTime") or 0.0), tz=timezone.utc)


def _date_folder(when: datetime, granularity: str) -> str:
    # f-strings of the fields: strftime costs a few us per call, and this runs once per event.
    day = f"{when.year:04d}-{when.month:02d}-{when.day:02d}/"
    return f"{day}{when.hour:02d}/" if granularity == "hour" else day


def object_key(payload: Mapping[str, Any], settings: S3Settings) -> str:
    """The per-call object key (LiteLLM's layout, see the module docstring)."""
    when = _start(payload)
    clock = f"{when.hour:02d}-{when.minute:02d}-{when.second:02d}-{when.microsecond:06d}"
    name = f"time-{clock}_{_safe_component(payload.get('id') or '')}"
    folder = _prefix(payload, settings) + _date_folder(when, settings.partition_granularity)
    key = f"{folder}{name}.json"
    if len(key.encode()) > _MAX_KEY_BYTES:
        # An absurdly long prefix or id: keep the folder and make the name short but still unique.
        digest = hashlib.sha256(name.encode()).hexdigest()[:32]
        key = f"{folder[: _MAX_KEY_BYTES - 64]}{digest}.json"
    return key


def batch_object_key(folder: str, records: Sequence[Mapping[str, Any]]) -> str:
    """The NDJSON object key for records sharing ``folder``; the same records give the same key."""
    first = min(float(r["body"].get("startTime") or 0.0) for r in records)
    when = datetime.fromtimestamp(first, tz=timezone.utc)
    digest = hashlib.sha256("\n".join(sorted(str(r["id"]) for r in records)).encode()).hexdigest()[:16]
    return f"{folder}batch_{when.strftime('%H-%M-%S')}_{digest}.jsonl"


def s3_record(payload: Mapping[str, Any], settings: S3Settings) -> dict[str, Any]:
    """What the exporter queues for one call: the id, the object key, and the body to store."""
    body = {**payload, "response": None} if settings.log_prompts_only else payload
    return {"id": payload.get("id"), "key": object_key(payload, settings), "body": body}


# Built once: json.dumps with keyword arguments builds a new encoder on every call.
_encode = json.JSONEncoder(separators=(",", ":"), default=str, ensure_ascii=False).encode


def _dumps(value: Any) -> bytes:
    return _encode(value).encode()


# ------------------------------------------------------------------------------------ error mapping


def _map_boto_error(exc: BaseException, bucket: str) -> Exception:
    """A botocore failure as the exporter's error class, with a message free of credentials."""
    from botocore import exceptions as bex

    if isinstance(exc, bex.ClientError):
        response = getattr(exc, "response", {}) or {}
        code = str((response.get("Error") or {}).get("Code") or "")
        status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
        message = f"S3 PutObject to bucket {bucket!r} failed: {code or 'error'} (HTTP {status})"
        if code in _TOO_LARGE_CODES or status == 413:
            return PayloadTooLargeError(message, status_code=status)
        if code in _RETRYABLE_CODES or status in (408, 429) or (isinstance(status, int) and status >= 500):
            return RetryableExportError(message, status_code=status)
        return PermanentExportError(message, status_code=status)
    if isinstance(exc, (bex.NoCredentialsError, bex.PartialCredentialsError, bex.ParamValidationError)):
        return PermanentExportError(f"S3 PutObject to bucket {bucket!r}: {type(exc).__name__}")
    # Connection refused/reset, timeouts and other transport trouble: worth another try.
    return RetryableExportError(f"S3 PutObject to bucket {bucket!r}: {type(exc).__name__}")


def _worst(errors: list[Exception]) -> Exception:
    # Anything retryable wins (the batch is sent again, and stored objects are overwritten in place);
    # then "too large" (the engine splits); a batch that only hit permanent errors is refused.
    for kind in (RetryableExportError, PayloadTooLargeError):
        for err in errors:
            if isinstance(err, kind):
                return err
    return errors[0]


# ------------------------------------------------------------------------------------------ logger


class S3Logger(PayloadLogger):
    """Stores each call's payload in S3 (see the module docstring for the layout and settings).

    Keyword arguments: LiteLLM's ``s3_*`` names (``s3_bucket_name``, ``s3_path``, ``s3_region_name``,
    ``s3_endpoint_url``, ``s3_aws_access_key_id``, ``s3_aws_secret_access_key``, ``s3_batch_file_upload``,
    ...), ``s3_flush_interval`` (seconds, default 10), ``s3_batch_size`` (default 512), ``spool_dir`` /
    ``spool_mode``, ``exporter_options`` (extra BatchExporter arguments)."""

    name = "s3"

    def __init__(
        self,
        *,
        s3_flush_interval: float | None = None,
        s3_batch_size: int | None = None,
        spool_dir: str | os.PathLike[str] | None = None,
        spool_mode: str = "on_failure",
        exporter_options: Mapping[str, Any] | None = None,
        s3_callback_params: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        turn_off_message_logging: bool = False,
        message_logging: bool = True,
        **s3_options: Any,
    ) -> None:
        super().__init__(turn_off_message_logging=turn_off_message_logging, message_logging=message_logging)
        # A cheap presence check here; the import itself happens on the worker (it costs ~0.2 s).
        if importlib.util.find_spec("boto3") is None:
            raise ImportError(_INSTALL_HINT)
        self.settings = S3Settings.from_env(s3_callback_params, environ, **s3_options)
        params = (
            s3_callback_params if s3_callback_params is not None else _module_setting("s3_callback_params")
        )
        params = params or {}
        flush_interval = s3_flush_interval or params.get("s3_flush_interval") or 10.0
        batch_size = s3_batch_size or params.get("s3_batch_size") or 512
        self._client: Any = None
        self._pool: ThreadPoolExecutor | None = None
        self._pool_pid = 0
        self._client_lock = threading.Lock()
        if hasattr(os, "register_at_fork"):
            # The worker may hold the lock at fork time; the child builds its own client and pool.
            ref = weakref.ref(self)

            def after_in_child() -> None:
                owner = ref()
                if owner is not None:
                    owner._after_fork()

            os.register_at_fork(after_in_child=after_in_child)
        self.exporter = BatchExporter(
            self.name,
            self._send,
            max_batch_size=int(batch_size),
            flush_interval=float(flush_interval),
            spool_dir=spool_dir,
            spool_mode=spool_mode,
            **dict(exporter_options or {}),
        )

    # -- request path -------------------------------------------------------------------------------

    def on_event(self, payload: dict, kwargs: dict) -> None:
        self.exporter.submit(s3_record(payload, self.settings))

    # -- worker -------------------------------------------------------------------------------------

    def _get_client(self) -> Any:
        if self._client is not None and self._pool_pid == os.getpid():
            return self._client
        with self._client_lock:
            if self._client is None or self._pool_pid != os.getpid():
                try:
                    import boto3
                    from botocore.config import Config
                except ImportError as exc:
                    raise PermanentExportError(_INSTALL_HINT) from exc
                try:
                    self._client = self._build_client(boto3, Config)
                except Exception as exc:
                    # A bad endpoint URL or profile: no retry will fix the configuration.
                    raise PermanentExportError(f"cannot create the S3 client: {type(exc).__name__}") from None
                if self._pool is not None and self._pool_pid == os.getpid():
                    self._pool.shutdown(wait=False)
                # A forked child cannot use the parent's pool threads: build a new one there.
                self._pool = ThreadPoolExecutor(
                    self.settings.max_concurrent_uploads, thread_name_prefix="litellm-s3-upload"
                )
                self._pool_pid = os.getpid()
            return self._client

    def _build_client(self, boto3: Any, config_cls: Any) -> Any:
        s = self.settings
        config = config_cls(
            # The exporter retries with backoff; botocore retrying too would multiply attempts.
            retries={"total_max_attempts": 1, "mode": "standard"},
            connect_timeout=5,
            read_timeout=15,
            max_pool_connections=s.max_concurrent_uploads,
        )
        session = boto3.session.Session(profile_name=s.aws_profile_name) if s.aws_profile_name else boto3
        return session.client(
            "s3",
            region_name=s.region_name,
            endpoint_url=s.endpoint_url,
            aws_access_key_id=s.aws_access_key_id,
            aws_secret_access_key=s.aws_secret_access_key,
            aws_session_token=s.aws_session_token,
            use_ssl=s.use_ssl,
            verify=s.verify,
            config=config,
        )

    def _after_fork(self) -> None:
        self._client_lock = threading.Lock()
        self._client = None
        self._pool = None

    def _put(self, key: str, body: bytes, content_type: str, filename: str) -> Exception | None:
        s = self.settings
        extra = {}
        if s.server_side_encryption:
            extra["ServerSideEncryption"] = s.server_side_encryption
        if s.sse_kms_key_id:
            extra["SSEKMSKeyId"] = s.sse_kms_key_id
        try:
            self._client.put_object(
                Bucket=s.bucket_name,
                Key=key,
                Body=body,
                ContentType=content_type,
                ContentDisposition=f'inline; filename="{filename}"',
                **extra,
            )
        except Exception as exc:
            return _map_boto_error(exc, s.bucket_name)
        return None

    def _uploads(self, batch: list[dict]) -> list[tuple[str, bytes, str, str]]:
        if not self.settings.batch_file_upload:
            return [
                (r["key"], _dumps(r["body"]), "application/json", r["key"].rsplit("/", 1)[-1]) for r in batch
            ]
        groups: dict[str, list[dict]] = {}
        for record in batch:
            folder = record["key"].rsplit("/", 1)[0] + "/" if "/" in record["key"] else ""
            groups.setdefault(folder, []).append(record)
        out = []
        for folder, records in groups.items():
            key = batch_object_key(folder, records)
            body = b"\n".join(_dumps(r["body"]) for r in records) + b"\n"
            out.append((key, body, "application/x-ndjson", key.rsplit("/", 1)[-1]))
        return out

    def _send(self, batch: list[dict]) -> None:
        from litellm.exporters import http as _http

        # An application that instruments botocore must not trace the logger's own uploads.
        token = _http._suppress_otel()
        try:
            self._get_client()
            uploads = self._uploads(batch)
            assert self._pool is not None
            results = None
            if len(uploads) > 1:
                try:
                    results = list(self._pool.map(lambda u: self._put(*u), uploads))
                except RuntimeError:
                    # At interpreter exit the pool refuses new work; the exit flush still has to deliver.
                    results = None
            if results is None:
                results = [self._put(*u) for u in uploads]
        finally:
            _http._unsuppress_otel(token)
        errors = [e for e in results if e is not None]
        if errors:
            raise _worst(errors)

    def flush(self, timeout: float | None = None) -> bool:
        return self.exporter.flush(10.0 if timeout is None else timeout)

    def stats(self) -> dict:
        """The exporter's counters (sent, retried, failed, spooled, dropped, queued)."""
        return self.exporter.stats()
