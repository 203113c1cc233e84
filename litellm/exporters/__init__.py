"""Delivery machinery shared by every integration: batching, retry, bounded memory, spool, exit flush.

Owns the public names integrations build on (``BatchExporter``, the export errors, ``post``, the
registry functions). Importing this package is cheap: the engine is stdlib only, and ``post`` (httpx)
loads on first use. It must not import integrations, providers or the package root.

    from litellm.exporters import BatchExporter, RetryableExportError, post

    def send(batch):                       # runs on the exporter's worker thread
        post(url, json_body=batch, headers={"DD-API-KEY": key}, gzip=True)

    exporter = BatchExporter("datadog", send, max_batch_size=1000, max_batch_bytes=5_000_000)
    exporter.submit(payload)               # never blocks; payload["id"] is the idempotency key
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litellm.exporters.batch import SPOOL_MODES, BatchExporter
from litellm.exporters.errors import (
    ExportError,
    PayloadTooLargeError,
    PermanentExportError,
    RetryableExportError,
)
from litellm.exporters.registry import (
    all_stats,
    flush_all,
    get_exit_timeout,
    register,
    set_exit_timeout,
    shutdown_all,
)

if TYPE_CHECKING:
    from litellm.exporters.http import post

__all__ = [
    "SPOOL_MODES",
    "BatchExporter",
    "ExportError",
    "PayloadTooLargeError",
    "PermanentExportError",
    "RetryableExportError",
    "all_stats",
    "flush_all",
    "get_exit_timeout",
    "post",
    "register",
    "set_exit_timeout",
    "shutdown_all",
]


def __getattr__(name: str) -> Any:
    if name == "post":
        from litellm.exporters.http import post

        return post
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
