"""Rate-limited diagnostics for the delivery engine.

Owns how exporters report drops and failures about themselves: at most one line per (exporter, topic)
per interval, with the count since the last line. It must never log per item and never re-enter
itself: a logging handler that feeds an exporter which then logs here would otherwise loop.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

__all__ = ["RateLimitedLog"]

_guard = threading.local()


def _get_logger() -> Any:
    # The shared logger module may not exist yet (another part of the project owns it); the stdlib
    # logger is the documented fallback.
    try:
        from litellm.core.log import get_logger
    except ImportError:
        return logging.getLogger("litellm.exporters")
    try:
        return get_logger("litellm.exporters")
    except TypeError:
        return get_logger()


def _emit(level: str, event: str, fields: dict[str, Any]) -> None:
    if getattr(_guard, "active", False):
        return
    _guard.active = True
    try:
        logger = _get_logger()
        if isinstance(logger, logging.Logger):
            detail = " ".join(f"{k}={v}" for k, v in fields.items())
            getattr(logger, level)("%s %s", event, detail)
        else:
            getattr(logger, level)(event, **fields)
    except Exception:
        # Diagnostics must never become the failure.
        pass
    finally:
        _guard.active = False


class RateLimitedLog:
    """One warning per topic per ``interval`` seconds, carrying the count suppressed in between."""

    def __init__(self, exporter: str, interval: float = 60.0) -> None:
        self._exporter = exporter
        self._interval = interval
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._pending: dict[str, int] = {}

    def reset_after_fork(self) -> None:
        self._lock = threading.Lock()
        self._last = {}
        self._pending = {}

    def warn(self, topic: str, event: str, count: int = 1, **fields: Any) -> None:
        now = time.monotonic()
        with self._lock:
            pending = self._pending.get(topic, 0) + count
            last = self._last.get(topic)
            if last is not None and now - last < self._interval:
                self._pending[topic] = pending
                return
            self._last[topic] = now
            self._pending[topic] = 0
        _emit("warning", event, {"exporter": self._exporter, "topic": topic, "count": pending, **fields})
