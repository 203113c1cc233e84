"""Response caching: ``Cache`` and its backends, and the module functions LiteLLM documents.

``litellm.cache = Cache(type=...)`` (or :func:`enable_cache`) configures the one process-wide cache, kept
in ``litellm.core.settings.settings.cache``; the call pipeline consults it through
:mod:`litellm.caching.hooks`. Importing this package imports no client library (redis, diskcache, boto3,
qdrant-client are imported when a backend is first used).

Must not: import the package root or anything above ``calls``.
"""

from __future__ import annotations

from litellm.caching.base_cache import BaseCache
from litellm.caching.caching import (
    Cache,
    CacheMode,
    LiteLLMCacheType,
    disable_cache,
    enable_cache,
    update_cache,
)
from litellm.caching.disk_cache import DiskCache
from litellm.caching.dual_cache import DualCache
from litellm.caching.hooks import CacheLookup
from litellm.caching.in_memory_cache import InMemoryCache
from litellm.caching.keys import get_cache_key
from litellm.caching.qdrant_semantic_cache import QdrantSemanticCache
from litellm.caching.redis_cache import RedisCache
from litellm.caching.redis_semantic_cache import RedisSemanticCache
from litellm.caching.s3_cache import S3Cache

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
