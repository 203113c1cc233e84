"""Response caching: ``Cache`` and its backends, and the module functions LiteLLM documents.

``litellm.cache = Cache(type=...)`` (or :func:`enable_cache`) configures the one process-wide cache, kept
in ``litellm.core.settings.settings.cache``; the call pipeline consults it through
:mod:`litellm.caching.hooks`. Importing this package imports no client library (redis, diskcache, boto3,
qdrant-client are imported when a backend is first used).

Must not: import the package root or anything above ``calls``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from litellm.caching.base_cache import BaseCache
from litellm.caching.caching import DEFAULT_SUPPORTED_CALL_TYPES, Cache, CacheMode, LiteLLMCacheType
from litellm.caching.disk_cache import DiskCache
from litellm.caching.dual_cache import DualCache
from litellm.caching.hooks import CacheLookup
from litellm.caching.in_memory_cache import InMemoryCache
from litellm.caching.keys import get_cache_key
from litellm.caching.qdrant_semantic_cache import QdrantSemanticCache
from litellm.caching.redis_cache import RedisCache
from litellm.caching.redis_semantic_cache import RedisSemanticCache
from litellm.caching.s3_cache import S3Cache
from litellm.core.settings import settings

__all__ = [
    "BaseCache",
    "Cache",
    "CacheLookup",
    "CacheMode",
    "DiskCache",
    "DualCache",
    "InMemoryCache",
    "LiteLLMCacheType",
    "QdrantSemanticCache",
    "RedisCache",
    "RedisSemanticCache",
    "S3Cache",
    "disable_cache",
    "enable_cache",
    "get_cache_key",
    "update_cache",
]


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
