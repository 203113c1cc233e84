"""Dual backend: an in-process LRU in front of Redis (``Cache(type="dual", default_in_memory_ttl=...)``).

Reads try memory first, then Redis; a Redis hit is copied into memory for ``default_in_memory_ttl``
seconds, so a hot key costs one dict lookup after its first read in each process. Writes go to both (the
memory copy never outlives the entry's own TTL). An entry deleted or overwritten in Redis by another
process can still be served from this process's memory until its in-memory TTL ends: keep that TTL short.

Must not: hide a Redis error (memory is written first, then the Redis error propagates to the hooks).
"""

from __future__ import annotations

from typing import Any

from litellm.caching.base_cache import BaseCache
from litellm.caching.in_memory_cache import InMemoryCache
from litellm.caching.redis_cache import RedisCache

__all__ = ["DualCache"]


def _shorter(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


class DualCache(BaseCache):
    name = "dual"

    def __init__(
        self,
        in_memory_cache: InMemoryCache | None = None,
        redis_cache: RedisCache | None = None,
        default_in_memory_ttl: float | None = None,
        default_redis_ttl: float | None = None,
    ) -> None:
        super().__init__(default_redis_ttl)
        self.in_memory_cache = in_memory_cache or InMemoryCache()
        self.redis_cache = redis_cache or RedisCache()
        self.default_in_memory_ttl = (
            default_in_memory_ttl if default_in_memory_ttl is not None else self.in_memory_cache.default_ttl
        )
        if default_redis_ttl is not None:
            self.redis_cache.default_ttl = default_redis_ttl

    def _memory_ttl(self, ttl: float | None) -> float | None:
        return _shorter(self.default_in_memory_ttl, ttl if ttl is not None else self.redis_cache.default_ttl)

    def get(self, key: str) -> Any:
        value = self.in_memory_cache.get(key)
        if value is not None:
            return value
        value = self.redis_cache.get(key)
        if value is not None:
            self.in_memory_cache.set(key, value, self._memory_ttl(None))
        return value

    def get_many(self, keys: list[str]) -> list[Any]:
        out = [self.in_memory_cache.get(key) for key in keys]
        missing = [i for i, value in enumerate(out) if value is None]
        if missing:
            found = self.redis_cache.get_many([keys[i] for i in missing])
            for i, value in zip(missing, found, strict=True):
                if value is not None:
                    out[i] = value
                    self.in_memory_cache.set(keys[i], value, self._memory_ttl(None))
        return out

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        self.in_memory_cache.set(key, value, self._memory_ttl(ttl))
        self.redis_cache.set(key, value, ttl)

    def set_many(self, items: list[tuple[str, Any]], ttl: float | None = None) -> None:
        for key, value in items:
            self.in_memory_cache.set(key, value, self._memory_ttl(ttl))
        self.redis_cache.set_many(items, ttl)

    def delete(self, key: str) -> None:
        self.in_memory_cache.delete(key)
        self.redis_cache.delete(key)

    def increment(self, key: str, value: float, ttl: float | None = None) -> float:
        total = self.redis_cache.increment(key, value, ttl)
        self.in_memory_cache.set(key, total, self._memory_ttl(ttl))
        return total

    async def aincrement(self, key: str, value: float, ttl: float | None = None) -> float:
        total = await self.redis_cache.aincrement(key, value, ttl)
        self.in_memory_cache.set(key, total, self._memory_ttl(ttl))
        return total

    # LiteLLM's ``local_only=True``: this process's memory only
    def set_cache(
        self, key: str, value: Any, ttl: float | None = None, local_only: bool = False, **kw: Any
    ) -> None:
        if local_only:
            self.in_memory_cache.set(key, value, self._memory_ttl(ttl))
        else:
            self.set(key, value, ttl)

    def get_cache(self, key: str, local_only: bool = False, **kw: Any) -> Any:
        return self.in_memory_cache.get(key) if local_only else self.get(key)

    def increment_cache(
        self, key: str, value: float, ttl: float | None = None, local_only: bool = False, **kw: Any
    ) -> float:
        return (
            self.in_memory_cache.increment(key, value, ttl) if local_only else self.increment(key, value, ttl)
        )

    async def async_set_cache(
        self, key: str, value: Any, ttl: float | None = None, local_only: bool = False, **kw: Any
    ) -> None:
        if local_only:
            self.in_memory_cache.set(key, value, self._memory_ttl(ttl))
        else:
            await self.aset(key, value, ttl)

    async def async_get_cache(self, key: str, local_only: bool = False, **kw: Any) -> Any:
        return self.in_memory_cache.get(key) if local_only else await self.aget(key)

    async def async_increment_cache(
        self, key: str, value: float, ttl: float | None = None, local_only: bool = False, **kw: Any
    ) -> float:
        if local_only:
            return self.in_memory_cache.increment(key, value, ttl)
        return await self.aincrement(key, value, ttl)

    def flush(self) -> None:
        self.redis_cache.flush()

    def close(self) -> None:
        self.redis_cache.close()

    async def aget(self, key: str) -> Any:
        value = self.in_memory_cache.get(key)
        if value is not None:
            return value
        value = await self.redis_cache.aget(key)
        if value is not None:
            self.in_memory_cache.set(key, value, self._memory_ttl(None))
        return value

    async def aget_many(self, keys: list[str]) -> list[Any]:
        out = [self.in_memory_cache.get(key) for key in keys]
        missing = [i for i, value in enumerate(out) if value is None]
        if missing:
            found = await self.redis_cache.aget_many([keys[i] for i in missing])
            for i, value in zip(missing, found, strict=True):
                if value is not None:
                    out[i] = value
                    self.in_memory_cache.set(keys[i], value, self._memory_ttl(None))
        return out

    async def aset(self, key: str, value: Any, ttl: float | None = None) -> None:
        self.in_memory_cache.set(key, value, self._memory_ttl(ttl))
        await self.redis_cache.aset(key, value, ttl)

    async def aset_many(self, items: list[tuple[str, Any]], ttl: float | None = None) -> None:
        for key, value in items:
            self.in_memory_cache.set(key, value, self._memory_ttl(ttl))
        await self.redis_cache.aset_many(items, ttl)

    async def adelete(self, key: str) -> None:
        self.in_memory_cache.delete(key)
        await self.redis_cache.adelete(key)

    async def aflush(self) -> None:
        await self.redis_cache.aflush()

    async def aclose(self) -> None:
        await self.redis_cache.aclose()
