"""``Cache``: the object users configure (``litellm.cache = Cache(type="redis", ...)``), as LiteLLM documents.

Owns the constructor (LiteLLM's argument names, each backend built from them), the per-call decision
whether caching applies (``mode``, ``supported_call_types``, ``caching=``, ``cache={...}``), the key
function (:meth:`Cache.get_cache_key`, see :mod:`litellm.caching.keys`) and the counters behind
:meth:`Cache.stats`. Reading and writing entries on behalf of a call (errors turned into misses, TTLs,
``s-maxage``) is :mod:`litellm.caching.hooks`; the storage itself is the backend modules.

Types: ``local`` (in-process LRU), ``redis``, ``dual`` (in-process LRU in front of Redis), ``disk``
(diskcache), ``s3``, ``redis-semantic``, ``qdrant-semantic``.

Must not: open connections or import a backend's client library in the constructor (first use does).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from enum import Enum
from typing import Any

from litellm.caching import keys as _keys
from litellm.core.settings import settings

__all__ = [
    "DEFAULT_SUPPORTED_CALL_TYPES",
    "Cache",
    "CacheMode",
    "LiteLLMCacheType",
    "disable_cache",
    "enable_cache",
    "update_cache",
]


class LiteLLMCacheType(str, Enum):
    LOCAL = "local"
    REDIS = "redis"
    DUAL = "dual"
    DISK = "disk"
    S3 = "s3"
    REDIS_SEMANTIC = "redis-semantic"
    QDRANT_SEMANTIC = "qdrant-semantic"


class CacheMode(str, Enum):
    default_on = "default_on"  # every supported call is cached unless it opts out
    default_off = "default_off"  # only calls that opt in (caching=True or cache={"use-cache": True})


DEFAULT_SUPPORTED_CALL_TYPES: tuple[str, ...] = (
    "completion", "acompletion", "embedding", "aembedding", "text_completion", "atext_completion",
    "transcription", "atranscription", "rerank", "arerank", "responses", "aresponses",
    "anthropic_messages", "aanthropic_messages",
)  # fmt: skip

_NOT_HERE = {"gcs", "azure-blob", "valkey-semantic", "redis-cluster"}

_STAT_NAMES = (
    "lookups", "hits", "misses", "bypassed", "expired_by_max_age", "stores", "skipped_stores", "errors",
    "timeouts", "skipped_while_down", "store_errors",
)  # fmt: skip


class Cache:
    """A response cache. ``type`` picks the backend; the other arguments configure it (LiteLLM's names).

    Common: ``mode`` ("default_on" | "default_off"), ``ttl`` (seconds for every entry unless the call
    gives ``cache={"ttl": s}``), ``namespace`` (key prefix), ``supported_call_types``.

    Other keyword arguments go to redis-py's client for the Redis-backed types (``ssl``, ``username``,
    ``db``, ``socket_timeout`` (1 s by default), ``redis_url``, and ours: ``retry_after``, the seconds a
    failed Redis is skipped); for the other types they are ignored with a warning naming them.
    Ours too: ``max_size_in_memory``, ``semantic_cache_embedding_kwargs`` (extra arguments for the
    semantic cache's embedding call, e.g. ``api_base``), ``qdrant_path`` (qdrant local mode on disk),
    ``redis_semantic_max_entries_per_scope``.
    """

    def __init__(
        self,
        type: str | LiteLLMCacheType | None = LiteLLMCacheType.LOCAL,
        mode: str | CacheMode | None = CacheMode.default_on,
        host: str | None = None,
        port: str | int | None = None,
        password: str | None = None,
        namespace: str | None = None,
        ttl: float | None = None,
        default_in_memory_ttl: float | None = None,
        default_in_redis_ttl: float | None = None,
        similarity_threshold: float | None = None,
        supported_call_types: Iterable[str] | None = DEFAULT_SUPPORTED_CALL_TYPES,
        # s3
        s3_bucket_name: str | None = None,
        s3_region_name: str | None = None,
        s3_api_version: str | None = None,
        s3_use_ssl: bool | None = True,
        s3_verify: bool | str | None = None,
        s3_endpoint_url: str | None = None,
        s3_aws_access_key_id: str | None = None,
        s3_aws_secret_access_key: str | None = None,
        s3_aws_session_token: str | None = None,
        s3_config: Any = None,
        s3_path: str | None = None,
        # semantic
        redis_semantic_cache_embedding_model: str = "text-embedding-ada-002",
        redis_semantic_cache_index_name: str | None = None,
        redis_flush_size: int | None = None,
        disk_cache_dir: str | None = None,
        qdrant_api_base: str | None = None,
        qdrant_api_key: str | None = None,
        qdrant_collection_name: str | None = None,
        qdrant_quantization_config: str | None = None,
        qdrant_semantic_cache_embedding_model: str = "text-embedding-ada-002",
        qdrant_semantic_cache_vector_size: int | None = None,
        semantic_cache_embedding_timeout: float | None = None,
        # ours
        max_size_in_memory: int | None = None,
        semantic_cache_embedding_kwargs: dict[str, Any] | None = None,
        qdrant_path: str | None = None,
        redis_semantic_max_entries_per_scope: int = 1000,
        **kwargs: Any,
    ) -> None:
        cache_type = type.value if isinstance(type, LiteLLMCacheType) else str(type or "local")
        if cache_type in _NOT_HERE:
            raise ValueError(
                f"cache type {cache_type!r} is not available here; use one of "
                f"{', '.join(t.value for t in LiteLLMCacheType)}"
            )
        try:
            self.type = LiteLLMCacheType(cache_type)
        except ValueError:
            raise ValueError(
                f"unknown cache type {cache_type!r}; use one of {', '.join(t.value for t in LiteLLMCacheType)}"
            ) from None
        try:
            self.mode = CacheMode(mode.value if isinstance(mode, CacheMode) else (mode or "default_on"))
        except ValueError:
            raise ValueError(f"unknown cache mode {mode!r}; use 'default_on' or 'default_off'") from None
        self.namespace = namespace
        self.supported_call_types = list(supported_call_types or ())
        self._supported = frozenset(self.supported_call_types)
        self.redis_flush_size = redis_flush_size
        self.ttl = ttl
        if self.type == LiteLLMCacheType.LOCAL and default_in_memory_ttl is not None and ttl is None:
            self.ttl = default_in_memory_ttl
        if (
            self.type in (LiteLLMCacheType.REDIS, LiteLLMCacheType.REDIS_SEMANTIC)
            and default_in_redis_ttl is not None
            and ttl is None
        ):
            self.ttl = default_in_redis_ttl
        self._stats = dict.fromkeys(_STAT_NAMES, 0)
        self._stats_lock = threading.Lock()
        uses_redis = self.type in (
            LiteLLMCacheType.REDIS,
            LiteLLMCacheType.DUAL,
            LiteLLMCacheType.REDIS_SEMANTIC,
        )
        ignored = sorted(name for name, value in kwargs.items() if value is not None)
        if ignored and not uses_redis:
            from litellm.core.log import log_once

            log_once(
                ("cache-ignored-args", self.type.value, tuple(ignored)),
                "Cache arguments ignored by this cache type",
                type=self.type.value,
                ignored=ignored,
            )
        redis_args = {"host": host, "port": port, "password": password, **(kwargs if uses_redis else {})}
        self.cache: Any = self._backend(
            redis_args=redis_args,
            default_in_memory_ttl=default_in_memory_ttl,
            default_in_redis_ttl=default_in_redis_ttl,
            similarity_threshold=similarity_threshold,
            s3={
                "s3_bucket_name": s3_bucket_name,
                "s3_region_name": s3_region_name,
                "s3_api_version": s3_api_version,
                "s3_use_ssl": s3_use_ssl,
                "s3_verify": s3_verify,
                "s3_endpoint_url": s3_endpoint_url,
                "s3_aws_access_key_id": s3_aws_access_key_id,
                "s3_aws_secret_access_key": s3_aws_secret_access_key,
                "s3_aws_session_token": s3_aws_session_token,
                "s3_config": s3_config,
                "s3_path": s3_path,
            },
            redis_semantic_cache_embedding_model=redis_semantic_cache_embedding_model,
            redis_semantic_cache_index_name=redis_semantic_cache_index_name,
            redis_flush_size=redis_flush_size,
            disk_cache_dir=disk_cache_dir,
            qdrant={
                "qdrant_api_base": qdrant_api_base,
                "qdrant_api_key": qdrant_api_key,
                "collection_name": qdrant_collection_name,
                "quantization_config": qdrant_quantization_config,
                "embedding_model": qdrant_semantic_cache_embedding_model,
                "vector_size": qdrant_semantic_cache_vector_size,
                "qdrant_path": qdrant_path,
            },
            max_size_in_memory=max_size_in_memory,
            semantic_cache_embedding_kwargs=semantic_cache_embedding_kwargs,
            semantic_cache_embedding_timeout=semantic_cache_embedding_timeout,
            redis_semantic_max_entries_per_scope=redis_semantic_max_entries_per_scope,
        )
        self.is_semantic = self.type in (LiteLLMCacheType.REDIS_SEMANTIC, LiteLLMCacheType.QDRANT_SEMANTIC)

    def _backend(self, **o: Any) -> Any:
        t = self.type
        if t == LiteLLMCacheType.LOCAL:
            from litellm.caching.in_memory_cache import InMemoryCache

            return InMemoryCache(
                max_size_in_memory=o["max_size_in_memory"] or 200, default_ttl=self.ttl or 600
            )
        if t == LiteLLMCacheType.REDIS:
            from litellm.caching.redis_cache import RedisCache

            return RedisCache(**o["redis_args"], default_ttl=self.ttl, redis_flush_size=o["redis_flush_size"])
        if t == LiteLLMCacheType.DUAL:
            from litellm.caching.dual_cache import DualCache
            from litellm.caching.in_memory_cache import InMemoryCache
            from litellm.caching.redis_cache import RedisCache

            in_memory_ttl = o["default_in_memory_ttl"] if o["default_in_memory_ttl"] is not None else 60
            return DualCache(
                in_memory_cache=InMemoryCache(o["max_size_in_memory"] or 200, default_ttl=in_memory_ttl),
                redis_cache=RedisCache(**o["redis_args"], redis_flush_size=o["redis_flush_size"]),
                default_in_memory_ttl=in_memory_ttl,
                default_redis_ttl=o["default_in_redis_ttl"]
                if o["default_in_redis_ttl"] is not None
                else self.ttl,
            )
        if t == LiteLLMCacheType.DISK:
            from litellm.caching.disk_cache import DiskCache

            return DiskCache(disk_cache_dir=o["disk_cache_dir"], default_ttl=self.ttl)
        if t == LiteLLMCacheType.S3:
            from litellm.caching.s3_cache import S3Cache

            return S3Cache(**o["s3"], default_ttl=self.ttl)
        if t == LiteLLMCacheType.REDIS_SEMANTIC:
            from litellm.caching.redis_semantic_cache import RedisSemanticCache

            return RedisSemanticCache(
                **o["redis_args"],
                similarity_threshold=o["similarity_threshold"],
                embedding_model=o["redis_semantic_cache_embedding_model"],
                embedding_kwargs=o["semantic_cache_embedding_kwargs"],
                index_name=o["redis_semantic_cache_index_name"],
                max_entries_per_scope=o["redis_semantic_max_entries_per_scope"],
                default_ttl=self.ttl,
                embedding_timeout=o["semantic_cache_embedding_timeout"],
            )
        from litellm.caching.qdrant_semantic_cache import QdrantSemanticCache

        return QdrantSemanticCache(
            **o["qdrant"],
            similarity_threshold=o["similarity_threshold"],
            embedding_kwargs=o["semantic_cache_embedding_kwargs"],
            default_ttl=self.ttl,
            embedding_timeout=o["semantic_cache_embedding_timeout"],
        )

    def __repr__(self) -> str:
        return f"Cache(type={self.type.value!r}, backend={self.cache!r}, namespace={self.namespace!r})"

    # -- per-call decision ---------------------------------------------------------------------------
    def should_use_cache(self, call_type: str, kwargs: dict[str, Any]) -> bool:
        """Whether this call reads or writes the cache at all (``no-cache`` / ``no-store`` aside)."""
        if call_type not in self._supported:
            return False
        caching = kwargs.get("caching")
        if caching is False:
            return False
        if self.mode is CacheMode.default_off:
            control = kwargs.get("cache")
            return caching is True or (isinstance(control, dict) and control.get("use-cache") is True)
        return True

    # -- keys ----------------------------------------------------------------------------------------
    def get_cache_key(self, **kwargs: Any) -> str:
        """The key of a call made with ``kwargs`` (the scope key for semantic caches)."""
        if self.is_semantic:
            return _keys.semantic_scope_key(kwargs, self.namespace)
        return _keys.get_cache_key(self.namespace, **kwargs)

    # -- LiteLLM's direct methods (the pipeline uses litellm.caching.hooks) --------------------------
    def get_cache(self, call_type: str = "completion", **kwargs: Any) -> Any:
        from litellm.caching import hooks

        return hooks.lookup_with(self, call_type, kwargs).value

    def add_cache(self, result: Any, call_type: str = "completion", **kwargs: Any) -> None:
        from litellm.caching import hooks

        key = hooks.lookup_key(self, call_type, kwargs)
        hooks.store_with(self, call_type, kwargs, key, _as_dict(result))

    async def async_get_cache(self, call_type: str = "acompletion", **kwargs: Any) -> Any:
        from litellm.caching import hooks

        return (await hooks.alookup_with(self, call_type, kwargs)).value

    async def async_add_cache(self, result: Any, call_type: str = "acompletion", **kwargs: Any) -> None:
        from litellm.caching import hooks

        key = hooks.lookup_key(self, call_type, kwargs)
        await hooks.astore_with(self, call_type, kwargs, key, _as_dict(result))

    def flush(self) -> None:
        """Write out buffered entries (``redis_flush_size``)."""
        self.cache.flush()

    async def aflush(self) -> None:
        await self.cache.aflush()

    # -- counters ------------------------------------------------------------------------------------
    def count(self, name: str, n: int = 1) -> None:
        with self._stats_lock:
            self._stats[name] += n

    def stats(self) -> dict[str, Any]:
        """Counters since construction: lookups, hits, misses, bypassed, errors, timeouts, stores, ..."""
        with self._stats_lock:
            out: dict[str, Any] = dict(self._stats)
        out["type"] = self.type.value
        breaker = getattr(self.cache, "breaker", None) or getattr(
            getattr(self.cache, "redis_cache", None) or getattr(self.cache, "redis", None), "breaker", None
        )
        out["backend_down"] = bool(breaker and breaker.is_open)
        return out


def _as_dict(result: Any) -> dict[str, Any]:
    dump = getattr(result, "model_dump", None)
    if callable(dump):
        return dump()
    if isinstance(result, dict):
        return result
    raise TypeError(f"cannot cache a {type(result).__name__}; pass an OpenAI-format response or dict")


def enable_cache(
    type: str = "local",
    host: str | None = None,
    port: str | int | None = None,
    password: str | None = None,
    supported_call_types: Iterable[str] | None = DEFAULT_SUPPORTED_CALL_TYPES,
    **kwargs: Any,
) -> Cache:
    """Configure the process-wide cache (``litellm.cache``) unless one is already set; returns it."""
    if settings.cache is None:
        settings.cache = Cache(
            type=type,
            host=host,
            port=port,
            password=password,
            supported_call_types=supported_call_types,
            **kwargs,
        )
    return settings.cache


def update_cache(
    type: str = "local",
    host: str | None = None,
    port: str | int | None = None,
    password: str | None = None,
    supported_call_types: Iterable[str] | None = DEFAULT_SUPPORTED_CALL_TYPES,
    **kwargs: Any,
) -> Cache:
    """Replace the process-wide cache with a new one built from these arguments; returns it."""
    settings.cache = Cache(
        type=type,
        host=host,
        port=port,
        password=password,
        supported_call_types=supported_call_types,
        **kwargs,
    )
    return settings.cache


def disable_cache() -> None:
    """Turn caching off for every call (``litellm.cache = None``)."""
    settings.cache = None
