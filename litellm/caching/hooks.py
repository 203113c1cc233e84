"""What the call pipeline calls: look a call up in the configured cache, store its answer after.

The cache is ``litellm.core.settings.settings.cache`` (``litellm.cache = Cache(...)``). Every function has
a sync and an async twin, and none of them raises because of the cache: a backend error, a timeout or a
backend skipped after a recent failure is a miss (logged once per minute per backend and error kind,
counted in :func:`stats`). Entries are ``{"timestamp": unix_seconds, "response": <OpenAI-format dict>}``;
the in-memory cache keeps ``{"timestamp": ..., "response_json": <that dict's JSON text>}`` instead.

Per-call controls (LiteLLM's): ``caching=False`` or an unsupported call type turns the cache off for the
call; ``cache={"no-cache": True}`` skips the read (the fresh answer is still stored), ``"no-store"`` skips
the write, ``"ttl": s`` sets the entry's lifetime, ``"s-maxage": s`` (or ``"s-max-age"``) refuses an entry
older than ``s``, ``"namespace"`` prefixes the key, ``"use-cache": True`` opts in under ``mode="default_off"``.

Embeddings are cached per input item (:func:`lookup_embedding_items`), so a partial hit sends only the
missing items. Semantic caches match whole prompts and do not cache embedding items.

Importing this module registers it as the pipeline's cache seam (:mod:`litellm.calls.seams`).

Must not: import the pipeline (or anything above ``calls``), mutate the caller's kwargs, or raise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from litellm.caching import keys as _keys
from litellm.core.jsonfast import dumps_exact, loads
from litellm.core.settings import settings

__all__ = [
    "CacheLookup",
    "alookup",
    "alookup_embedding_items",
    "astore",
    "astore_embedding_items",
    "embedding_misses",
    "lookup",
    "lookup_embedding_items",
    "merge_embedding_data",
    "stats",
    "store",
    "store_embedding_items",
]


@dataclass(slots=True)
class CacheLookup:
    """``key`` is None when caching is off for the call; ``value`` is the stored response on a hit."""

    key: str | None = None
    value: dict[str, Any] | None = None

    @property
    def hit(self) -> bool:
        return self.value is not None


_OFF = CacheLookup()

# -- helpers -----------------------------------------------------------------------------------------


def _control(kwargs: dict[str, Any]) -> dict[str, Any]:
    control = kwargs.get("cache")
    return control if isinstance(control, dict) else {}


def _max_age(control: dict[str, Any]) -> float | None:
    value = control.get("s-maxage", control.get("s-max-age"))
    return float(value) if value is not None else None


def _failed(cache: Any, exc: BaseException, op: str) -> None:
    from litellm.caching.base_cache import CacheUnavailable

    if isinstance(exc, CacheUnavailable):
        cache.count("skipped_while_down")
        return
    kind = type(exc).__name__
    cache.count("timeouts" if "timeout" in kind.lower() else "errors")
    if op == "store":
        cache.count("store_errors")
    from litellm.core.log import log_rate_limited

    log_rate_limited(
        ("cache", cache.type.value, op, kind),
        "cache backend failed; treating it as a miss",
        backend=cache.type.value,
        operation=op,
        error=f"{kind}: {exc}"[:300],
    )


def _copy(value: Any) -> Any:
    """A copy of a stored JSON value, so no caller can change what the next hit returns (an in-memory
    entry is the stored object itself). About 2 µs for a chat response; a float vector is one slice."""
    kind = type(value)
    if kind is dict:
        return {k: _copy(v) for k, v in value.items()}
    if kind is list:
        if value and type(value[0]) is float:
            return value[:]
        return [_copy(v) for v in value]
    return value


def _fresh(cache: Any, entry: Any, max_age: float | None) -> Any:
    if not isinstance(entry, dict):
        return None
    text = entry.get("response_json")
    if text is None and entry.get("response") is None:
        return None
    if max_age is not None and time.time() - float(entry.get("timestamp") or 0) > max_age:
        cache.count("expired_by_max_age")
        return None
    if text is not None:  # an in-memory entry: decoding its text gives the caller objects of its own
        return loads(text)
    return _copy(entry["response"])


def _memory_entry(cache: Any, value: Any) -> dict[str, Any] | None:
    """An entry for the in-memory cache: the answer as its JSON text (``response_json``). A hit decodes
    it (a few µs, in C) instead of deep-copying a stored dict tree in Python, and no caller can change
    what the next hit returns. None when the answer is not JSON (then it is stored as a copy)."""
    if getattr(cache, "type", None) != "local":
        return None
    try:
        return {"timestamp": time.time(), "response_json": dumps_exact(value)}
    except (TypeError, ValueError):
        return None


def lookup_key(cache: Any, call_type: str, kwargs: dict[str, Any]) -> str | None:
    """The key this call uses in ``cache``, or None when caching is off for it."""
    if not cache.should_use_cache(call_type, kwargs):
        return None
    if cache.is_semantic and not _keys.prompt_text(kwargs):
        return None
    return cache.get_cache_key(**kwargs)


def _begin(cache: Any, call_type: str, kwargs: dict[str, Any]) -> tuple[str | None, bool]:
    """(key, read?) and the counting common to both twins."""
    try:
        key = lookup_key(cache, call_type, kwargs)
    except Exception as exc:  # an unhashable argument must not fail the call
        _failed(cache, exc, "key")
        return None, False
    if key is None:
        cache.count("bypassed")
        return None, False
    cache.count("lookups")
    if _control(kwargs).get("no-cache") is True:
        cache.count("misses")
        return key, False
    return key, True


def _finish(cache: Any, key: str, entry: Any, kwargs: dict[str, Any]) -> CacheLookup:
    value = _fresh(cache, entry, _max_age(_control(kwargs)))
    cache.count("hits" if value is not None else "misses")
    return CacheLookup(key, value)


def _entry(
    cache: Any, kwargs: dict[str, Any], value: dict[str, Any]
) -> tuple[dict[str, Any], float | None] | None:
    control = _control(kwargs)
    if control.get("no-store") is True:
        cache.count("skipped_stores")
        return None
    ttl = control.get("ttl")
    entry = _memory_entry(cache, value) or {"timestamp": time.time(), "response": _copy(value)}
    return entry, (float(ttl) if ttl is not None else cache.ttl)


# -- whole calls -------------------------------------------------------------------------------------


def lookup_with(cache: Any, call_type: str, kwargs: dict[str, Any]) -> CacheLookup:
    key, read = _begin(cache, call_type, kwargs)
    if not read or key is None:
        return CacheLookup(key)
    try:
        if cache.is_semantic:
            entry = cache.cache.get_semantic(key, _keys.prompt_text(kwargs))
        else:
            entry = cache.cache.get(key)
    except Exception as exc:  # a failing cache is a miss, never a failed call
        _failed(cache, exc, "lookup")
        cache.count("misses")
        return CacheLookup(key)
    return _finish(cache, key, entry, kwargs)


async def alookup_with(cache: Any, call_type: str, kwargs: dict[str, Any]) -> CacheLookup:
    key, read = _begin(cache, call_type, kwargs)
    if not read or key is None:
        return CacheLookup(key)
    try:
        if cache.is_semantic:
            entry = await cache.cache.aget_semantic(key, _keys.prompt_text(kwargs))
        else:
            entry = await cache.cache.aget(key)
    except Exception as exc:
        _failed(cache, exc, "lookup")
        cache.count("misses")
        return CacheLookup(key)
    return _finish(cache, key, entry, kwargs)


def store_with(
    cache: Any, call_type: str, kwargs: dict[str, Any], key: str | None, value: dict[str, Any]
) -> None:
    if key is None or value is None:
        return
    made = _entry(cache, kwargs, value)
    if made is None:
        return
    entry, ttl = made
    try:
        if cache.is_semantic:
            cache.cache.set_semantic(key, _keys.prompt_text(kwargs), entry, ttl)
        else:
            cache.cache.set(key, entry, ttl)
    except Exception as exc:
        _failed(cache, exc, "store")
        return
    cache.count("stores")


async def astore_with(
    cache: Any, call_type: str, kwargs: dict[str, Any], key: str | None, value: dict[str, Any]
) -> None:
    if key is None or value is None:
        return
    made = _entry(cache, kwargs, value)
    if made is None:
        return
    entry, ttl = made
    try:
        if cache.is_semantic:
            await cache.cache.aset_semantic(key, _keys.prompt_text(kwargs), entry, ttl)
        else:
            await cache.cache.aset(key, entry, ttl)
    except Exception as exc:
        _failed(cache, exc, "store")
        return
    cache.count("stores")


def lookup(call_type: str, kwargs: dict[str, Any]) -> CacheLookup:
    """Look the call up in the configured cache (``CacheLookup(None)`` when none is configured)."""
    cache = settings.cache
    if cache is None:
        return _OFF
    return lookup_with(cache, call_type, kwargs)


async def alookup(call_type: str, kwargs: dict[str, Any]) -> CacheLookup:
    cache = settings.cache
    if cache is None:
        return _OFF
    return await alookup_with(cache, call_type, kwargs)


def store(call_type: str, kwargs: dict[str, Any], key: str | None, value: dict[str, Any]) -> None:
    """Store (a copy of) ``value``, the OpenAI-format response dict, under ``key`` from :func:`lookup`.
    Nothing happens when ``key`` is None or the call says ``no-store``."""
    cache = settings.cache
    if cache is not None:
        store_with(cache, call_type, kwargs, key, value)


async def astore(call_type: str, kwargs: dict[str, Any], key: str | None, value: dict[str, Any]) -> None:
    cache = settings.cache
    if cache is not None:
        await astore_with(cache, call_type, kwargs, key, value)


# -- embeddings, per input item -----------------------------------------------------------------------


def _item_keys(cache: Any, call_type: str, kwargs: dict[str, Any]) -> list[str] | None:
    if cache is None or cache.is_semantic:
        return None
    try:
        if not cache.should_use_cache(call_type, kwargs):
            cache.count("bypassed")
            return None
        return _keys.embedding_item_keys(kwargs, cache.namespace)
    except Exception as exc:
        _failed(cache, exc, "key")
        return None


def _item_hits(cache: Any, keys: list[str], entries: list[Any], kwargs: dict[str, Any]) -> dict[int, Any]:
    max_age = _max_age(_control(kwargs))
    hits: dict[int, Any] = {}
    for i, entry in enumerate(entries):
        value = _fresh(cache, entry, max_age)
        if value is not None:
            hits[i] = value
    cache.count("lookups", len(keys))
    cache.count("hits", len(hits))
    cache.count("misses", len(keys) - len(hits))
    return hits


def lookup_embedding_items(
    kwargs: dict[str, Any], call_type: str = "embedding"
) -> tuple[list[str], dict[int, list[float] | str]]:
    """(one key per input item, {item index: stored embedding} for the items found).

    ``keys`` is empty when caching is off for the call. ``cache={"no-cache": True}`` returns the keys and
    no hits (the fresh vectors are still stored)."""
    cache = settings.cache
    keys = _item_keys(cache, call_type, kwargs)
    if not keys:
        return [], {}
    if _control(kwargs).get("no-cache") is True:
        cache.count("lookups", len(keys))
        cache.count("misses", len(keys))
        return keys, {}
    try:
        entries = cache.cache.get_many(keys)
    except Exception as exc:
        _failed(cache, exc, "lookup")
        cache.count("misses", len(keys))
        return keys, {}
    return keys, _item_hits(cache, keys, entries, kwargs)


async def alookup_embedding_items(
    kwargs: dict[str, Any], call_type: str = "aembedding"
) -> tuple[list[str], dict[int, list[float] | str]]:
    cache = settings.cache
    keys = _item_keys(cache, call_type, kwargs)
    if not keys:
        return [], {}
    if _control(kwargs).get("no-cache") is True:
        cache.count("lookups", len(keys))
        cache.count("misses", len(keys))
        return keys, {}
    try:
        entries = await cache.cache.aget_many(keys)
    except Exception as exc:
        _failed(cache, exc, "lookup")
        cache.count("misses", len(keys))
        return keys, {}
    return keys, _item_hits(cache, keys, entries, kwargs)


def _item_entries(
    cache: Any, kwargs: dict[str, Any], keys: list[str], vectors: dict[int, Any]
) -> tuple[list[tuple[str, Any]], float | None] | None:
    if cache is None or not keys or not vectors:
        return None
    control = _control(kwargs)
    if control.get("no-store") is True:
        cache.count("skipped_stores")
        return None
    now = time.time()
    items = [
        (keys[i], {"timestamp": now, "response": _copy(vector)})
        for i, vector in vectors.items()
        if i < len(keys)
    ]
    ttl = control.get("ttl")
    return items, (float(ttl) if ttl is not None else cache.ttl)


def store_embedding_items(
    kwargs: dict[str, Any], keys: list[str], vectors: dict[int, list[float] | str]
) -> None:
    """Store the freshly computed vectors: ``vectors`` maps the item's index in the *original* input
    (the index into ``keys``) to its embedding."""
    cache = settings.cache
    made = _item_entries(cache, kwargs, keys, vectors)
    if made is None:
        return
    items, ttl = made
    try:
        cache.cache.set_many(items, ttl)
    except Exception as exc:
        _failed(cache, exc, "store")
        return
    cache.count("stores", len(items))


async def astore_embedding_items(
    kwargs: dict[str, Any], keys: list[str], vectors: dict[int, list[float] | str]
) -> None:
    cache = settings.cache
    made = _item_entries(cache, kwargs, keys, vectors)
    if made is None:
        return
    items, ttl = made
    try:
        await cache.cache.aset_many(items, ttl)
    except Exception as exc:
        _failed(cache, exc, "store")
        return
    cache.count("stores", len(items))


def embedding_misses(kwargs: dict[str, Any], keys: list[str], hits: dict[int, Any]) -> tuple[list[int], Any]:
    """(indices of the items still to compute, the ``input`` to send for exactly those items).

    The input is ``None`` when every item hit; a single-item call sends its original input unchanged."""
    missing = [i for i in range(len(keys)) if i not in hits]
    if not missing:
        return [], None
    items = _keys.embedding_items(kwargs.get("input"))
    if len(items) == 1:
        return missing, kwargs.get("input")
    return missing, [items[i] for i in missing]


def merge_embedding_data(
    count: int, hits: dict[int, Any], missing: list[int], fresh: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[int, Any]]:
    """The response's ``data`` in the original order (cached and fresh items, ``index`` = position in
    the caller's input), and the fresh vectors by original index (what to pass to the store)."""
    fresh_by_position = {int(item.get("index", j)): item for j, item in enumerate(fresh)}
    sent_at = {original: position for position, original in enumerate(missing)}
    vectors: dict[int, Any] = {}
    data: list[dict[str, Any]] = []
    for i in range(count):
        if i in hits:
            data.append({"object": "embedding", "index": i, "embedding": hits[i]})
            continue
        position = sent_at.get(i)
        item = fresh_by_position.get(position) if position is not None else None
        if item is None:
            raise ValueError(f"the provider returned no embedding for input item {i}")
        vectors[i] = item["embedding"]
        data.append({**item, "index": i})
    return data, vectors


def stats() -> dict[str, Any]:
    """The configured cache's counters (``{}`` when no cache is configured)."""
    cache = settings.cache
    return cache.stats() if cache is not None else {}


def _register() -> None:
    """Plug these hooks into the pipeline's cache seam (the pipeline never imports this layer)."""
    import sys

    from litellm.calls import seams

    seams.cache = sys.modules[__name__]


_register()
