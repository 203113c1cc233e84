"""``MemoryLogger``: an integration logger that keeps payloads in memory (tests, benchmarks, demos).

Owns a bounded deque of the payloads it received and a way to wait for them. Must not grow without
bound (the deque has a maximum length; the oldest entries fall off) and must not do I/O.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from litellm.integrations.base import PayloadLogger

__all__ = ["MemoryLogger"]


class MemoryLogger(PayloadLogger):
    """Stores every payload it is given; ``wait_for(n)`` blocks until ``n`` have arrived."""

    name = "memory"

    def __init__(self, maxlen: int = 10_000, keep_kwargs: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._payloads: deque[dict] = deque(maxlen=maxlen)
        self._kwargs: deque[dict] = deque(maxlen=maxlen)
        self._keep_kwargs = keep_kwargs
        self._count = 0
        self._cond = threading.Condition()

    def on_event(self, payload: dict, kwargs: dict) -> None:
        with self._cond:
            self._payloads.append(payload)
            if self._keep_kwargs:
                self._kwargs.append(kwargs)
            self._count += 1
            self._cond.notify_all()

    @property
    def payloads(self) -> list[dict]:
        """The payloads still held, oldest first."""
        with self._cond:
            return list(self._payloads)

    @property
    def kwargs_seen(self) -> list[dict]:
        """The kwargs that came with each payload (only when created with ``keep_kwargs=True``)."""
        with self._cond:
            return list(self._kwargs)

    @property
    def count(self) -> int:
        """How many payloads were received in total, including any that fell off the deque."""
        return self._count

    def wait_for(self, n: int, timeout: float = 5.0) -> bool:
        """Block until at least ``n`` payloads were received in total, or ``timeout`` passed."""
        with self._cond:
            return self._cond.wait_for(lambda: self._count >= n, timeout)

    def clear(self) -> None:
        with self._cond:
            self._payloads.clear()
            self._kwargs.clear()
            self._count = 0
