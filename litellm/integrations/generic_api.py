"""``GenericAPILogger`` ("generic_api"): batched JSON POSTs of StandardLoggingPayloads to any HTTP endpoint.

The escape hatch for tools without a dedicated integration (a webhook, a log collector, an in-house
service). Owns the settings (:class:`GenericAPISettings`, read from the environment once, in the
logger's constructor) and the body format; delivery is a :class:`~litellm.exporters.BatchExporter`
(batch by count and interval, retry with backoff on 408/429/5xx and connection errors honouring
Retry-After, 413 split, optional disk spool, exit flush) sending through ``litellm.exporters.http``.

Body formats (``log_format``, LiteLLM's names): ``json_array`` (default: one POST per batch, a JSON
array of payloads), ``ndjson`` (one POST per batch, one payload per line), ``single`` (one POST per
payload). Each payload keeps its ``id``, stable across retries, so a receiver can deduplicate.

Environment (LiteLLM's names): ``GENERIC_LOGGER_ENDPOINT`` (required unless ``endpoint=`` is given),
``GENERIC_LOGGER_HEADERS`` (``k=v,k2=v2``), ``DEFAULT_BATCH_SIZE`` (512), ``DEFAULT_FLUSH_INTERVAL_SECONDS``
(5). The module setting ``litellm.generic_logger_headers`` (a dict) adds headers; ``headers=`` wins.

Must not: do I/O in ``on_event``, read the environment outside :meth:`GenericAPISettings.from_env`, or
put header values (they usually hold a token) into records, log lines or error messages.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from litellm.core.settings import settings as _core_settings
from litellm.exporters import BatchExporter
from litellm.integrations.base import PayloadLogger

__all__ = [
    "EVENT_TYPES",
    "LOG_FORMATS",
    "GenericAPILogger",
    "GenericAPISettings",
    "encode_batch",
    "parse_headers",
]

LOG_FORMATS = ("json_array", "ndjson", "single")
EVENT_TYPES = ("llm_api_success", "llm_api_failure")


def parse_headers(value: str | None) -> dict[str, str]:
    """``"k=v,k2=v2"`` -> a dict (items without ``=`` are ignored)."""
    out: dict[str, str] = {}
    for item in (value or "").split(","):
        key, sep, val = item.partition("=")
        if sep and key.strip():
            out[key.strip()] = val.strip()
    return out


def _module_headers() -> Mapping[str, str] | None:
    # ``litellm.generic_logger_headers`` is a LiteLLM module setting: read it from the settings object
    # when the facade forwards it there, else from the already-imported package root (never imported here)
    value = getattr(_core_settings, "generic_logger_headers", None)
    if value is None:
        value = getattr(sys.modules.get("litellm"), "generic_logger_headers", None)
    return value if isinstance(value, Mapping) else None


def _int_env(value: str | None, default: int) -> int:
    try:
        return max(1, int(value)) if value else default
    except ValueError:
        return default


@dataclass(frozen=True)
class GenericAPISettings:
    """Where and how to POST; built once per logger. Header values never print."""

    endpoint: str
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    log_format: str = "json_array"
    event_types: tuple[str, ...] | None = None
    batch_size: int = 512
    flush_interval: float = 5.0
    timeout: float = 10.0
    gzip: bool = False

    def __post_init__(self) -> None:
        if self.log_format not in LOG_FORMATS:
            raise ValueError(
                f"Invalid log_format: {self.log_format}. Must be one of: {', '.join(LOG_FORMATS)}"
            )
        unknown = set(self.event_types or ()) - set(EVENT_TYPES)
        if unknown:
            raise ValueError(f"unknown event_types {sorted(unknown)}; use {', '.join(EVENT_TYPES)}")

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        endpoint: str | None = None,
        headers: Mapping[str, str] | None = None,
        event_types: Sequence[str] | None = None,
        log_format: str | None = None,
        batch_size: int | None = None,
        flush_interval: float | None = None,
        timeout: float | None = None,
        gzip: bool = False,
    ) -> GenericAPISettings:
        env = os.environ if environ is None else environ
        url = endpoint or env.get("GENERIC_LOGGER_ENDPOINT")
        if not url:
            raise ValueError(
                "endpoint not set for GenericAPILogger, GENERIC_LOGGER_ENDPOINT not found in environment variables"
            )
        # precedence as LiteLLM: JSON content type, then the env, then the module setting, then arguments
        merged = {"Content-Type": "application/json"}
        merged.update(parse_headers(env.get("GENERIC_LOGGER_HEADERS")))
        merged.update(_module_headers() or {})
        merged.update(headers or {})
        return cls(
            endpoint=url,
            headers={str(k): str(v) for k, v in merged.items()},
            log_format=log_format or "json_array",
            event_types=tuple(event_types) if event_types is not None else None,
            batch_size=batch_size or _int_env(env.get("DEFAULT_BATCH_SIZE"), 512),
            flush_interval=flush_interval or float(_int_env(env.get("DEFAULT_FLUSH_INTERVAL_SECONDS"), 5)),
            timeout=timeout or 10.0,
            gzip=gzip,
        )


def encode_batch(batch: Sequence[Mapping[str, Any]], log_format: str) -> bytes:
    """The request body: a JSON array (``json_array``), one JSON document per line (``ndjson``), or the
    batch's only payload as one JSON object (``single``)."""

    def dump(item: Any) -> str:
        return json.dumps(item, separators=(",", ":"), default=str, ensure_ascii=False)

    if log_format == "ndjson":
        return "\n".join(dump(item) for item in batch).encode()
    if log_format == "single":
        if len(batch) != 1:
            raise ValueError("log_format 'single' sends one payload per request")
        return dump(batch[0]).encode()
    return dump(list(batch)).encode()


class GenericAPILogger(PayloadLogger):
    """POSTs every call's StandardLoggingPayload to an HTTP endpoint, batched (see the module docstring).

    Arguments (LiteLLM's): ``endpoint``, ``headers``, ``event_types`` (``llm_api_success`` /
    ``llm_api_failure``; default both), ``log_format``; and ``batch_size``, ``flush_interval``,
    ``timeout``, ``gzip``, ``spool_dir`` / ``spool_mode``, ``exporter_options`` for the delivery.
    """

    name = "generic_api"

    def __init__(
        self,
        endpoint: str | None = None,
        headers: Mapping[str, str] | None = None,
        event_types: Sequence[str] | None = None,
        callback_name: str | None = None,
        log_format: str | None = None,
        *,
        batch_size: int | None = None,
        flush_interval: float | None = None,
        timeout: float | None = None,
        gzip: bool = False,
        spool_dir: str | os.PathLike[str] | None = None,
        spool_mode: str = "on_failure",
        exporter_options: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.callback_name = callback_name
        self.settings = GenericAPISettings.from_env(
            environ,
            endpoint=endpoint,
            headers=headers,
            event_types=event_types,
            log_format=log_format,
            batch_size=batch_size,
            flush_interval=flush_interval,
            timeout=timeout,
            gzip=gzip,
        )
        s = self.settings
        self._wanted = set(s.event_types) if s.event_types is not None else set(EVENT_TYPES)
        self.exporter = BatchExporter(
            callback_name or self.name,
            self._send,
            max_batch_size=1 if s.log_format == "single" else s.batch_size,
            flush_interval=s.flush_interval,
            spool_dir=spool_dir,
            spool_mode=spool_mode,
            **dict(exporter_options or {}),
        )

    def on_event(self, payload: dict, kwargs: dict) -> None:
        kind = "llm_api_failure" if payload.get("status") == "failure" else "llm_api_success"
        if kind in self._wanted:
            self.exporter.submit(payload)

    def _send(self, batch: list[dict]) -> None:
        from litellm.exporters.http import post

        s = self.settings
        body = encode_batch(batch, s.log_format)
        post(s.endpoint, content=body, headers=s.headers, gzip=s.gzip, timeout=s.timeout)

    def flush(self, timeout: float | None = None) -> bool:
        return self.exporter.flush(10.0 if timeout is None else timeout)

    def shutdown(self, timeout: float = 5.0) -> None:
        """Deliver what the deadline allows, then stop the exporter (the rest is spooled or counted)."""
        self.exporter.shutdown(timeout)

    def stats(self) -> dict:
        """The exporter's counters (sent, retried, failed, spooled, dropped, queued)."""
        return self.exporter.stats()
