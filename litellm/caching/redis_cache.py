"""Redis backend: ``Cache(type="redis", host=..., port=..., password=..., redis_url=...)``.

Entries are JSON bytes under the key as given (the namespace is already part of the key). TTLs are set
with millisecond precision (``PX``). With ``redis_flush_size=N`` writes are buffered and sent as one
pipeline every N entries (reads see buffered entries; :meth:`RedisCache.flush` and interpreter exit write
the rest). A sync client and one asyncio client per event loop share the configuration; redis-py is
imported on first use. Connection settings fall back to ``REDIS_URL`` / ``REDIS_HOST`` / ``REDIS_PORT`` /
``REDIS_PASSWORD`` (read through :func:`litellm.core.settings.env`).

Must not: catch errors (the hooks count them), block longer than its socket timeouts, or log secrets.
"""

from __future__ import annotations

import asyncio
import atexit
import threading
import weakref
from typing import Any

from litellm.caching.base_cache import BaseCache, Breaker, dumps, loads
from litellm.core.settings import env

__all__ = ["RedisCache", "import_redis"]

DEFAULT_SOCKET_TIMEOUT = 1.0


def import_redis() -> Any:
    try:
        import redis
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the Redis cache needs the redis package: pip install 'litellm-observe[caching]'"
        ) from exc
    return redis


def _px(ttl: float | None) -> int | None:
    return max(1, int(ttl * 1000)) if ttl is not None else None


def _number(value: Any) -> float:
    number = float(value)
    return int(number) if number.is_integer() else number


class RedisCache(BaseCache):
    name = "redis"

    def __init__(
        self,
        host: str | None = None,
        port: int | str | None = None,
        password: str | None = None,
        redis_url: str | None = None,
        default_ttl: float | None = None,
        redis_flush_size: int | None = None,
        retry_after: float = 1.0,
        **redis_kwargs: Any,
    ) -> None:
        super().__init__(default_ttl)
        self.redis_url = redis_url or (None if host else env("REDIS_URL"))
        self.host = host or env("REDIS_HOST") or "127.0.0.1"
        self.port = int(port or env("REDIS_PORT") or 6379)
        self._password = password or env("REDIS_PASSWORD")
        redis_kwargs.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT)
        redis_kwargs.setdefault("socket_connect_timeout", DEFAULT_SOCKET_TIMEOUT)
        self._redis_kwargs = redis_kwargs
        if redis_flush_size is not None and redis_flush_size < 1:
            raise ValueError(f"redis_flush_size must be at least 1, got {redis_flush_size}")
        self.redis_flush_size = redis_flush_size
        self._buffer: dict[str, tuple[bytes, int | None]] = {}
        self._buffer_lock = threading.Lock()
        self._client: Any = None
        self._aclients: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
        self.breaker = Breaker("redis", float(retry_after))
        if redis_flush_size:
            atexit.register(self._flush_at_exit)

    def __repr__(self) -> str:
        where = "url" if self.redis_url else f"{self.host}:{self.port}"
        return f"RedisCache({where})"

    # -- clients -------------------------------------------------------------------------------------
    def _options(self) -> dict[str, Any]:
        options = dict(self._redis_kwargs)
        if "retry" not in options:
            # redis-py retries with backoff by default (seconds on a hung server); a cache lookup must
            # cost at most one socket timeout, so a failure is a miss at once unless the user says so
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            options["retry"] = Retry(NoBackoff(), 0)
        if self._password:
            options.setdefault("password", self._password)
        return options

    @property
    def client(self) -> Any:
        """The sync redis-py client (created on first use)."""
        if self._client is None:
            redis = import_redis()
            if self.redis_url:
                self._client = redis.Redis.from_url(self.redis_url, **self._options())
            else:
                self._client = redis.Redis(host=self.host, port=self.port, **self._options())
        return self._client

    @property
    def aclient(self) -> Any:
        """The asyncio client of the running event loop (clients cannot cross loops)."""
        loop = asyncio.get_running_loop()
        client = self._aclients.get(loop)
        if client is None:
            import_redis()
            from redis import asyncio as aredis

            if self.redis_url:
                client = aredis.Redis.from_url(self.redis_url, **self._options())
            else:
                client = aredis.Redis(host=self.host, port=self.port, **self._options())
            self._aclients[loop] = client
        return client

    # -- sync ----------------------------------------------------------------------------------------
    def get(self, key: str) -> Any:
        if self._buffer:
            pending = self._buffer.get(key)
            if pending is not None:
                return loads(pending[0])
        with self.breaker:
            return loads(self.client.get(key))

    def get_many(self, keys: list[str]) -> list[Any]:
        if not keys:
            return []
        with self.breaker:
            raws = self.client.mget(keys)
        out = []
        for key, raw in zip(keys, raws, strict=True):
            pending = self._buffer.get(key) if self._buffer else None
            out.append(loads(pending[0] if pending is not None else raw))
        return out

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        self.set_many([(key, value)], ttl)

    def set_many(self, items: list[tuple[str, Any]], ttl: float | None = None) -> None:
        px = _px(self._ttl(ttl))
        encoded = [(key, dumps(value)) for key, value in items]
        if self.redis_flush_size:
            batch = self._buffered(encoded, px)
            if batch:
                self._write(batch)
            return
        if len(encoded) == 1:
            with self.breaker:
                self.client.set(encoded[0][0], encoded[0][1], px=px)
        else:
            self._write({key: (raw, px) for key, raw in encoded})

    def _buffered(
        self, encoded: list[tuple[str, bytes]], px: int | None
    ) -> dict[str, tuple[bytes, int | None]]:
        with self._buffer_lock:
            for key, raw in encoded:
                self._buffer[key] = (raw, px)
            if len(self._buffer) < (self.redis_flush_size or 1):
                return {}
            batch, self._buffer = self._buffer, {}
            return batch

    def _write(self, batch: dict[str, tuple[bytes, int | None]]) -> None:
        pipe = self.client.pipeline(transaction=False)
        for key, (raw, px) in batch.items():
            pipe.set(key, raw, px=px)
        with self.breaker:
            pipe.execute()

    def delete(self, key: str) -> None:
        with self._buffer_lock:
            self._buffer.pop(key, None)
        with self.breaker:
            self.client.delete(key)

    def flush(self) -> None:
        with self._buffer_lock:
            batch, self._buffer = self._buffer, {}
        if batch:
            self._write(batch)

    def increment(self, key: str, value: float, ttl: float | None = None) -> float:
        """INCRBYFLOAT: atomic across every process on this Redis; the TTL is set when the key is new."""
        px = _px(self._ttl(ttl))
        with self.breaker:
            pipe = self.client.pipeline(transaction=True)
            pipe.incrbyfloat(key, value)
            if px is not None:
                pipe.pexpire(key, px, nx=True)
            total = pipe.execute()[0]
        return _number(total)

    async def aincrement(self, key: str, value: float, ttl: float | None = None) -> float:
        px = _px(self._ttl(ttl))
        with self.breaker:
            pipe = self.aclient.pipeline(transaction=True)
            pipe.incrbyfloat(key, value)
            if px is not None:
                pipe.pexpire(key, px, nx=True)
            total = (await pipe.execute())[0]
        return _number(total)

    def _flush_at_exit(self) -> None:
        try:
            self.flush()
        except Exception:  # at exit there is no caller left to tell
            pass

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- async ---------------------------------------------------------------------------------------
    async def aget(self, key: str) -> Any:
        if self._buffer:
            pending = self._buffer.get(key)
            if pending is not None:
                return loads(pending[0])
        with self.breaker:
            return loads(await self.aclient.get(key))

    async def aget_many(self, keys: list[str]) -> list[Any]:
        if not keys:
            return []
        with self.breaker:
            raws = await self.aclient.mget(keys)
        out = []
        for key, raw in zip(keys, raws, strict=True):
            pending = self._buffer.get(key) if self._buffer else None
            out.append(loads(pending[0] if pending is not None else raw))
        return out

    async def aset(self, key: str, value: Any, ttl: float | None = None) -> None:
        await self.aset_many([(key, value)], ttl)

    async def aset_many(self, items: list[tuple[str, Any]], ttl: float | None = None) -> None:
        px = _px(self._ttl(ttl))
        encoded = [(key, dumps(value)) for key, value in items]
        if self.redis_flush_size:
            batch = self._buffered(encoded, px)
            if batch:
                await self._awrite(batch)
            return
        if len(encoded) == 1:
            with self.breaker:
                await self.aclient.set(encoded[0][0], encoded[0][1], px=px)
        else:
            await self._awrite({key: (raw, px) for key, raw in encoded})

    async def _awrite(self, batch: dict[str, tuple[bytes, int | None]]) -> None:
        pipe = self.aclient.pipeline(transaction=False)
        for key, (raw, px) in batch.items():
            pipe.set(key, raw, px=px)
        with self.breaker:
            await pipe.execute()

    async def adelete(self, key: str) -> None:
        with self._buffer_lock:
            self._buffer.pop(key, None)
        with self.breaker:
            await self.aclient.delete(key)

    async def aflush(self) -> None:
        with self._buffer_lock:
            batch, self._buffer = self._buffer, {}
        if batch:
            await self._awrite(batch)

    async def aclose(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        client = self._aclients.pop(loop, None)
        if client is not None:
            await client.aclose()
