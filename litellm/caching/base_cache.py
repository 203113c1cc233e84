"""The interface every exact-match cache backend implements, and the JSON codec they share.

A backend stores *entries*: JSON-serialisable dicts (the hooks store ``{"timestamp": t, "response": r}``)
under string keys, with an optional time to live in seconds. It raises on failure; turning a failure into
a miss, counting and logging it is the job of :mod:`litellm.caching.hooks`, never the backend's. Backends
whose I/O is local and fast (memory, disk) run their async twins inline; network backends override them.

Must not: import heavy clients at module import, swallow errors, or import anything above ``core``.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

__all__ = ["BaseCache", "Breaker", "CacheUnavailable", "dumps", "loads"]


class CacheUnavailable(ConnectionError):
    """A backend that failed recently is skipped until its retry time (no network attempt was made)."""


class Breaker:
    """After a failure, skip the backend for ``retry_after`` seconds: a Redis or S3 that is down or hung
    then costs a call nothing instead of a connect timeout each time. Used as ``with breaker: ...``."""

    def __init__(self, name: str, retry_after: float = 1.0) -> None:
        self.name = name
        self.retry_after = retry_after
        self._open_until = 0.0
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self._open_until > 0.0 and time.monotonic() < self._open_until

    def __enter__(self) -> Breaker:
        if self._open_until and time.monotonic() < self._open_until:
            raise CacheUnavailable(f"{self.name} cache failed recently; skipped until its retry time")
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            if self._open_until:
                self._open_until = 0.0
        elif not issubclass(exc_type, CacheUnavailable):
            with self._lock:
                self._open_until = time.monotonic() + self.retry_after


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_default).encode()


def loads(raw: bytes | str | None) -> Any:
    if raw is None:
        return None
    return json.loads(raw)


def _default(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump()
    raise TypeError(f"cannot store a {type(value).__name__} in the cache (not JSON-serialisable)")


class BaseCache:
    """get / set / delete, batched get and set, each with an async twin. ``ttl`` is seconds or None."""

    #: a short name for stats and log lines
    name = "base"

    def __init__(self, default_ttl: float | None = None) -> None:
        self.default_ttl = default_ttl

    def _ttl(self, ttl: float | None) -> float | None:
        return ttl if ttl is not None else self.default_ttl

    # -- sync ----------------------------------------------------------------------------------------
    def get(self, key: str) -> Any:
        raise NotImplementedError

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        raise NotImplementedError

    def delete(self, key: str) -> None:
        raise NotImplementedError

    def get_many(self, keys: list[str]) -> list[Any]:
        return [self.get(key) for key in keys]

    def set_many(self, items: list[tuple[str, Any]], ttl: float | None = None) -> None:
        for key, value in items:
            self.set(key, value, ttl)

    def flush(self) -> None:
        """Write out anything buffered (batched backends)."""

    def close(self) -> None:
        """Release clients and connections."""

    # -- async (inline by default: local backends) ---------------------------------------------------
    async def aget(self, key: str) -> Any:
        return self.get(key)

    async def aset(self, key: str, value: Any, ttl: float | None = None) -> None:
        self.set(key, value, ttl)

    async def adelete(self, key: str) -> None:
        self.delete(key)

    async def aget_many(self, keys: list[str]) -> list[Any]:
        return self.get_many(keys)

    async def aset_many(self, items: list[tuple[str, Any]], ttl: float | None = None) -> None:
        self.set_many(items, ttl)

    async def aflush(self) -> None:
        self.flush()

    async def aclose(self) -> None:
        self.close()

    # -- counters --------------------------------------------------------------------------------------
    def increment(self, key: str, value: float, ttl: float | None = None) -> float:
        """Add ``value`` to the number at ``key`` (0 when absent) and return the sum. Atomic within a
        process here; backends shared between processes override it with a server-side increment."""
        with _increment_lock:
            total = (self.get(key) or 0) + value
            self.set(key, total, ttl)
        return total

    async def aincrement(self, key: str, value: float, ttl: float | None = None) -> float:
        return self.increment(key, value, ttl)

    # -- LiteLLM's method names (custom hooks call these on DualCache / RedisCache / InMemoryCache) ----
    def get_cache(self, key: str, **kwargs: Any) -> Any:
        return self.get(key)

    def set_cache(self, key: str, value: Any, ttl: float | None = None, **kwargs: Any) -> None:
        self.set(key, value, ttl)

    def batch_get_cache(self, keys: list[str], **kwargs: Any) -> list[Any]:
        return self.get_many(list(keys))

    def delete_cache(self, key: str) -> None:
        self.delete(key)

    def increment_cache(self, key: str, value: float, ttl: float | None = None, **kwargs: Any) -> float:
        return self.increment(key, value, ttl)

    async def async_get_cache(self, key: str, **kwargs: Any) -> Any:
        return await self.aget(key)

    async def async_set_cache(self, key: str, value: Any, ttl: float | None = None, **kwargs: Any) -> None:
        await self.aset(key, value, ttl)

    async def async_batch_get_cache(self, keys: list[str], **kwargs: Any) -> list[Any]:
        return await self.aget_many(list(keys))

    async def async_delete_cache(self, key: str) -> None:
        await self.adelete(key)

    async def async_increment_cache(
        self, key: str, value: float, ttl: float | None = None, **kwargs: Any
    ) -> float:
        return await self.aincrement(key, value, ttl)


_increment_lock = threading.Lock()
