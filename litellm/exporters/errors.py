"""Errors a send function raises to tell the delivery engine what to do with a batch.

Owns the contract between a destination's ``send(batch)`` and ``BatchExporter``; it must not import
anything beyond the standard library, and messages must never carry secrets (API keys, auth headers).

    ExportError                    base class; never raised as such by the engine
     +-- RetryableExportError      429, 408, 5xx, connection errors, timeouts: retry with backoff
     +-- PermanentExportError      any other 4xx: retrying cannot help, the batch counts as failed
          +-- PayloadTooLargeError 413: the engine splits the batch in halves and sends each half

Any other exception raised by ``send`` is treated like ``RetryableExportError`` (and counted), because
a bug in one destination must never lose events or escape into the caller.
"""

from __future__ import annotations

__all__ = ["ExportError", "PayloadTooLargeError", "PermanentExportError", "RetryableExportError"]


class ExportError(Exception):
    """A batch could not be delivered. ``status_code`` is the HTTP status when there was one."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


class RetryableExportError(ExportError):
    """A transient failure; ``retry_after`` (seconds) is the receiver's requested wait, if it gave one."""

    def __init__(
        self, message: str, retry_after: float | None = None, *, status_code: int | None = None
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after


class PermanentExportError(ExportError):
    """The receiver refused the batch for a reason retrying will not fix."""


class PayloadTooLargeError(PermanentExportError):
    """The receiver refused the batch as too large; smaller batches may pass."""
