"""In-process LRU cache with a time to live per entry: ``Cache(type="local")`` and the front of ``dual``.

Entries are kept as the objects given (no serialisation), so a hit costs a dict lookup and a clock read;
callers must treat what :meth:`InMemoryCache.get` returns as read-only. Bounded by ``max_size_in_memory``
(least recently used evicted first); expired entries are dropped when touched.

Must not: do I/O, start threads, or copy values on the read path.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from litellm.caching.base_cache import BaseCache

__all__ = ["InMemoryCache"]

_NEVER = float("inf")


class InMemoryCache(BaseCache):
    name = "local"

    def __init__(self, max_size_in_memory: int | None = 200, default_ttl: float | None = 600) -> None:
        super().__init__(default_ttl)
        if max_size_in_memory is not None and max_size_in_memory < 1:
            raise ValueError(f"max_size_in_memory must be at least 1, got {max_size_in_memory}")
        self.max_size_in_memory = max_size_in_memory or 200
        self._data: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        item = self._data.get(key)
        if item is None:
            return None
        if item[0] <= time.monotonic():
            with self._lock:
                if self._data.get(key) is item:
                    del self._data[key]
            return None
        with self._lock:
            try:
                self._data.move_to_end(key)
            except KeyError:  # evicted by another thread between the read and here
                pass
        return item[1]

    def remaining_ttl(self, key: str) -> float | None:
        """Seconds before ``key`` expires (None: absent or expired)."""
        item = self._data.get(key)
        if item is None:
            return None
        left = item[0] - time.monotonic()
        return left if left > 0 else None

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        ttl = self._ttl(ttl)
        expires = time.monotonic() + ttl if ttl is not None else _NEVER
        with self._lock:
            self._data[key] = (expires, value)
            self._data.move_to_end(key)
            while len(self._data) > self.max_size_in_memory:
                self._data.popitem(last=False)

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def flush_all(self) -> None:
        """Drop every entry (this process only)."""
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)
