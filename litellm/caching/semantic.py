"""What the semantic caches share: embedding the prompt through our own ``embedding`` call, and the
interface the hooks use (look up / store by scope and prompt text, sync and async).

A semantic cache answers a call whose prompt *means* the same as a stored one: the prompt text is
embedded with ``embedding_model`` (called as ``litellm.embedding`` through :mod:`litellm.calls.registry`,
with ``caching=False`` so the embedding call never consults the cache it serves), and the nearest stored
prompt with the same scope (every other parameter, see :func:`litellm.caching.keys.semantic_scope_key`)
is a hit when its cosine similarity is at least ``similarity_threshold``. The vector of a prompt that
missed is kept briefly, so storing the answer does not embed the prompt again. The embedding call gets
``semantic_cache_embedding_timeout`` (5 s by default) and no retries, and after a failure the embedding
endpoint is skipped for a second (lookups are misses meanwhile), so a cache never slows calls down for long.

Must not: import the pipeline at module import (the registry resolves it on first use).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from litellm.caching.base_cache import Breaker

__all__ = ["SemanticCache"]

_VECTOR_MEMO = 256
DEFAULT_EMBEDDING_TIMEOUT = 5.0


def _vector_of(response: Any) -> list[float]:
    data = response["data"] if isinstance(response, dict) else response.data
    first = data[0]
    vector = first["embedding"] if isinstance(first, dict) else first.embedding
    if isinstance(vector, str):
        raise ValueError("the semantic cache's embedding model returned base64; it needs float vectors")
    return [float(x) for x in vector]


class SemanticCache:
    """Base of the Redis and Qdrant semantic caches."""

    name = "semantic"

    def __init__(
        self,
        similarity_threshold: float | None,
        embedding_model: str = "text-embedding-ada-002",
        embedding_kwargs: dict[str, Any] | None = None,
        default_ttl: float | None = None,
        embedding_timeout: float | None = None,
    ) -> None:
        if similarity_threshold is None:
            raise ValueError("a semantic cache needs similarity_threshold (cosine similarity, e.g. 0.8)")
        if not 0.0 <= float(similarity_threshold) <= 1.0:
            raise ValueError(f"similarity_threshold must be within 0..1, got {similarity_threshold}")
        self.similarity_threshold = float(similarity_threshold)
        self.embedding_model = embedding_model
        self.embedding_kwargs = dict(embedding_kwargs or {})
        # a lookup must not wait on a slow embedding endpoint for the pipeline's default 600 s, nor retry
        self.embedding_kwargs.setdefault("timeout", embedding_timeout or DEFAULT_EMBEDDING_TIMEOUT)
        self.embedding_kwargs.setdefault("num_retries", 0)
        self.embedding_breaker = Breaker(f"{self.name} embedding")
        self.default_ttl = default_ttl
        self._memo: OrderedDict[str, list[float]] = OrderedDict()
        self._memo_lock = threading.Lock()

    def _ttl(self, ttl: float | None) -> float | None:
        return ttl if ttl is not None else self.default_ttl

    # -- embedding -----------------------------------------------------------------------------------
    def _remember(self, text: str, vector: list[float]) -> list[float]:
        with self._memo_lock:
            self._memo[text] = vector
            while len(self._memo) > _VECTOR_MEMO:
                self._memo.popitem(last=False)
        return vector

    def _embedding_args(self, text: str) -> dict[str, Any]:
        return {**self.embedding_kwargs, "model": self.embedding_model, "input": text, "caching": False}

    def embed(self, text: str) -> list[float]:
        vector = self._memo.get(text)
        if vector is not None:
            return vector
        from litellm.calls.registry import get_call

        with self.embedding_breaker:
            response = get_call("embedding")(**self._embedding_args(text))
        return self._remember(text, _vector_of(response))

    async def aembed(self, text: str) -> list[float]:
        vector = self._memo.get(text)
        if vector is not None:
            return vector
        from litellm.calls.registry import get_call

        with self.embedding_breaker:
            response = await get_call("aembedding")(**self._embedding_args(text))
        return self._remember(text, _vector_of(response))

    # -- the interface the hooks use -----------------------------------------------------------------
    def get_semantic(self, scope: str, text: str) -> Any:
        raise NotImplementedError

    def set_semantic(self, scope: str, text: str, entry: Any, ttl: float | None = None) -> None:
        raise NotImplementedError

    async def aget_semantic(self, scope: str, text: str) -> Any:
        raise NotImplementedError

    async def aset_semantic(self, scope: str, text: str, entry: Any, ttl: float | None = None) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Nothing buffered."""

    async def aflush(self) -> None:
        """Nothing buffered."""

    def close(self) -> None:
        """Release clients."""
