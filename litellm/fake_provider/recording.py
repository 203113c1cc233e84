"""The fake provider's record of received requests, read by tests from another thread.

Owns a bounded, thread-safe log: the server's loop thread appends, the test thread reads snapshots.
Header names are lower-cased so that tests look them up one way. Requests are recorded as received,
keys included: this is a local test double, and the log never leaves the process.

Must not import aiohttp or do I/O.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any, TypedDict


class RecordedRequest(TypedDict):
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any  # the decoded body, or None when it was empty or not JSON


class RequestLog:
    def __init__(self, max_items: int = 1000) -> None:
        self._items: deque[RecordedRequest] = deque(maxlen=max_items)
        self._lock = threading.Lock()
        self._added = threading.Condition(self._lock)

    def append(self, item: RecordedRequest) -> None:
        with self._lock:
            self._items.append(item)
            self._added.notify_all()

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until at least ``count`` requests are held (or ``timeout`` passes); return them."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._items) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._added.wait(left)
            return list(self._items)
