"""``PayloadLogger``: the base of every integration logger (otel, langfuse, datadog, s3, ...).

Owns the adaptation from CustomLogger's four success/failure hooks to one method, ``on_event(payload,
kwargs)``, that receives the call's StandardLoggingPayload. The dispatcher calls it on its worker
thread for sync and async calls alike (no event-loop hop), so ``on_event`` must be quick and must not
block: turn the payload into the destination's record and hand it to an exporter
(``litellm.exporters``) that batches, retries and spools.

Must not: do network or disk I/O in ``on_event``, import heavy SDKs at module import, or read settings
at import. Subclasses set ``name`` to their registry name and may override ``flush``.
"""

from __future__ import annotations

from typing import Any

from litellm.integrations.custom_logger import CustomLogger

__all__ = ["PayloadLogger"]


class PayloadLogger(CustomLogger):
    """Integration logger: both sync and async success/failure hooks call ``on_event`` exactly once."""

    name: str = "payload"

    def on_event(self, payload: dict, kwargs: dict) -> None:
        """Receive one call's StandardLoggingPayload (redacted when this logger asked for it)."""
        raise NotImplementedError

    def _deliver(self, kwargs: Any) -> None:
        payload = kwargs.get("standard_logging_object") if isinstance(kwargs, dict) else None
        if payload is None:
            # the pipeline builds the payload for every terminal event; a missing one is a bug upstream,
            # raised so the dispatcher counts it as this logger's failure instead of dropping silently
            raise ValueError("kwargs has no standard_logging_object")
        self.on_event(payload, kwargs)

    def log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        self._deliver(kwargs)

    def log_failure_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        self._deliver(kwargs)

    async def async_log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._deliver(kwargs)

    async def async_log_failure_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._deliver(kwargs)
