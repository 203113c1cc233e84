"""Redis semantic backend: ``Cache(type="redis-semantic", host=..., similarity_threshold=...,
redis_semantic_cache_embedding_model=..., redis_semantic_cache_index_name=...)``.

Works on any Redis (no search module needed): each scope (every parameter but the prompt, see
:func:`litellm.caching.keys.semantic_scope_key`) is one hash ``<index_name>:<scope>`` whose fields are
the stored prompts (a digest of the text) and whose values hold the prompt's float32 vector, the entry
and its expiry. A lookup reads the scope's hash (one HGETALL) and takes the nearest vector by cosine
similarity with numpy. A scope holds at most ``max_entries_per_scope`` prompts (expired ones are pruned
first, then the oldest), which bounds the lookup cost; the hash key itself expires with its longest entry.
A Redis with vector search (Redis Stack / Redis 8) would answer the nearest-neighbour query server-side;
this backend does not use it.

Must not: import redis or numpy before first use, or catch errors (the hooks count them).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

from litellm.caching.redis_cache import RedisCache
from litellm.caching.semantic import SemanticCache

__all__ = ["RedisSemanticCache"]


def _np() -> Any:
    try:
        import numpy
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the redis-semantic cache needs numpy: pip install 'litellm-observe[caching]'"
        ) from exc
    return numpy


class RedisSemanticCache(SemanticCache):
    name = "redis-semantic"

    def __init__(
        self,
        host: str | None = None,
        port: int | str | None = None,
        password: str | None = None,
        redis_url: str | None = None,
        similarity_threshold: float | None = None,
        embedding_model: str = "text-embedding-ada-002",
        embedding_kwargs: dict[str, Any] | None = None,
        index_name: str | None = None,
        max_entries_per_scope: int = 1000,
        default_ttl: float | None = None,
        embedding_timeout: float | None = None,
        **redis_kwargs: Any,
    ) -> None:
        super().__init__(
            similarity_threshold, embedding_model, embedding_kwargs, default_ttl, embedding_timeout
        )
        self.redis = RedisCache(host=host, port=port, password=password, redis_url=redis_url, **redis_kwargs)
        self.index_name = index_name or "litellm_semantic_cache_index"
        if max_entries_per_scope < 1:
            raise ValueError("max_entries_per_scope must be at least 1")
        self.max_entries_per_scope = max_entries_per_scope

    def __repr__(self) -> str:
        return f"RedisSemanticCache({self.redis!r}, index={self.index_name!r})"

    def hash_key(self, scope: str) -> str:
        return f"{self.index_name}:{scope}"

    @staticmethod
    def _field(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def _best(self, stored: dict[Any, Any], vector: list[float]) -> Any:
        if not stored:
            return None
        np = _np()
        now = time.time()
        entries = []
        vectors = []
        for raw in stored.values():
            item = json.loads(raw)
            if item["x"] is not None and item["x"] <= now:
                continue
            entries.append(item["e"])
            vectors.append(np.frombuffer(base64.b64decode(item["v"]), dtype=np.float32))
        if not vectors:
            return None
        matrix = np.vstack(vectors)
        query = np.asarray(vector, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1) * (np.linalg.norm(query) or 1.0)
        scores = matrix @ query / np.where(norms == 0, 1.0, norms)
        best = int(np.argmax(scores))
        return entries[best] if float(scores[best]) >= self.similarity_threshold else None

    def _record(self, vector: list[float], entry: Any, ttl: float | None) -> str:
        np = _np()
        packed = base64.b64encode(np.asarray(vector, dtype=np.float32).tobytes()).decode()
        expires = time.time() + ttl if ttl is not None else None
        return json.dumps({"v": packed, "e": entry, "x": expires, "t": time.time()}, separators=(",", ":"))

    def _victims(self, stored: dict[Any, Any]) -> list[Any]:
        """Fields to delete so the scope stays within its bound: expired first, then the oldest."""
        now = time.time()
        items = [(field, json.loads(raw)) for field, raw in stored.items()]
        expired = [field for field, item in items if item["x"] is not None and item["x"] <= now]
        alive = sorted((item["t"], field) for field, item in items if field not in expired)
        excess = len(alive) - self.max_entries_per_scope + 1
        return expired + [field for _, field in alive[: max(0, excess)]]

    def _expiry_commands(self, pipe: Any, key: str, ttl: float | None) -> None:
        if ttl is None:
            pipe.persist(key)
        else:
            seconds = max(1, int(ttl + 1))
            pipe.expire(key, seconds, nx=True)
            pipe.expire(key, seconds, gt=True)

    # -- sync ----------------------------------------------------------------------------------------
    def get_semantic(self, scope: str, text: str) -> Any:
        vector = self.embed(text)
        with self.redis.breaker:
            stored = self.redis.client.hgetall(self.hash_key(scope))
        return self._best(stored, vector)

    def set_semantic(self, scope: str, text: str, entry: Any, ttl: float | None = None) -> None:
        ttl = self._ttl(ttl)
        vector = self.embed(text)
        key = self.hash_key(scope)
        client = self.redis.client
        with self.redis.breaker:
            if client.hlen(key) >= self.max_entries_per_scope:
                victims = self._victims(client.hgetall(key))
                if victims:
                    client.hdel(key, *victims)
            pipe = client.pipeline(transaction=False)
            pipe.hset(key, self._field(text), self._record(vector, entry, ttl))
            self._expiry_commands(pipe, key, ttl)
            pipe.execute()

    # -- async ---------------------------------------------------------------------------------------
    async def aget_semantic(self, scope: str, text: str) -> Any:
        vector = await self.aembed(text)
        with self.redis.breaker:
            stored = await self.redis.aclient.hgetall(self.hash_key(scope))
        return self._best(stored, vector)

    async def aset_semantic(self, scope: str, text: str, entry: Any, ttl: float | None = None) -> None:
        ttl = self._ttl(ttl)
        vector = await self.aembed(text)
        key = self.hash_key(scope)
        client = self.redis.aclient
        with self.redis.breaker:
            if await client.hlen(key) >= self.max_entries_per_scope:
                victims = self._victims(await client.hgetall(key))
                if victims:
                    await client.hdel(key, *victims)
            pipe = client.pipeline(transaction=False)
            pipe.hset(key, self._field(text), self._record(vector, entry, ttl))
            self._expiry_commands(pipe, key, ttl)
            await pipe.execute()

    def close(self) -> None:
        self.redis.close()
