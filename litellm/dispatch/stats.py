"""What the dispatcher counts: per-callback outcomes, and the totals ``Dispatcher.stats()`` reports.

Owns :class:`CallbackCounters` (delivered, failed, timed out, dropped by reason, delivered with
content removed because a logging hook failed (``fail_closed``, by reason); safe to add to from any
thread) and :func:`summarize`, which turns snapshots of them into the ``stats()`` dict
(``litellm.callback_stats()`` adds to it).

Must not: decide what counts as delivered or dropped (the dispatcher does), log, or start threads.
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["CallbackCounters", "summarize"]


class CallbackCounters:
    """One callback's outcomes; every lane and drop of that callback (by name) adds to the same one."""

    __slots__ = (
        "delivered",
        "delivered_by_loop",
        "delivered_by_router",
        "dropped",
        "fail_closed_by",
        "failed",
        "lock",
        "timed_out",
    )

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.delivered = 0
        # Deliveries by the dispatcher's router thread, added without the lock: only the router writes
        # it (one router at a time), and a lock per hook was a measurable share of the router's work.
        self.delivered_by_router = 0
        # Likewise deliveries by the dispatcher's event loop thread (async hooks), its only writer.
        self.delivered_by_loop = 0
        self.failed = 0
        self.timed_out = 0
        self.dropped: dict[str, int] = {}
        self.fail_closed_by: dict[str, int] = {}

    def add(self, field: str, n: int = 1) -> None:
        with self.lock:
            setattr(self, field, getattr(self, field) + n)

    def drop(self, reason: str, n: int = 1) -> None:
        with self.lock:
            self.dropped[reason] = self.dropped.get(reason, 0) + n

    def fail_closed(self, reason: str, n: int = 1) -> None:
        """An event went on with its content removed because this callback's logging hook failed."""
        with self.lock:
            self.fail_closed_by[reason] = self.fail_closed_by.get(reason, 0) + n

    def snapshot(self) -> dict:
        with self.lock:
            return {
                "delivered": self.delivered + self.delivered_by_router + self.delivered_by_loop,
                "failed": self.failed,
                "dropped": dict(self.dropped),
                "timed_out": self.timed_out,
                "fail_closed": dict(self.fail_closed_by),
            }


def summarize(
    per_callback: dict[str, dict], *, emitted: int, queued: int, events_dropped: int, in_flight: int
) -> dict[str, Any]:
    """The ``stats()`` dict: totals over ``per_callback`` (``CallbackCounters.snapshot()`` by name)."""
    return {
        "emitted": emitted,
        "delivered": sum(c["delivered"] for c in per_callback.values()),
        "failed": sum(c["failed"] for c in per_callback.values()),
        "dropped": sum(sum(c["dropped"].values()) for c in per_callback.values()),
        "timed_out": sum(c["timed_out"] for c in per_callback.values()),
        "fail_closed": sum(sum(c.get("fail_closed", {}).values()) for c in per_callback.values()),
        "events_dropped": events_dropped,
        "queued": queued,
        "in_flight": in_flight,
        "per_callback": per_callback,
    }
