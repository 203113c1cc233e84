"""The pipeline's contract over the in-memory cache: hit, miss, bypass, TTL, s-maxage, per-item embeddings,
and a failing backend that is a counted miss, never an exception."""

from __future__ import annotations

import time

import pytest

from litellm.caching import disable_cache, enable_cache, hooks, update_cache
from litellm.caching.base_cache import BaseCache
from litellm.caching.caching import Cache
from litellm.caching.in_memory_cache import InMemoryCache
from litellm.core.settings import settings

CALL = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
RESPONSE = {"id": "chatcmpl-1", "object": "chat.completion", "choices": [{"message": {"content": "hello"}}]}


def _fill(kwargs=CALL, call_type="completion", value=RESPONSE):
    found = hooks.lookup(call_type, kwargs)
    hooks.store(call_type, kwargs, found.key, value)
    return found


def test_no_cache_configured_means_caching_off():
    assert hooks.lookup("completion", CALL).key is None
    hooks.store("completion", CALL, "k", RESPONSE)  # nothing to do, no error
    assert hooks.stats() == {}


def test_miss_then_store_then_hit_shared_by_sync_and_async_call_types():
    settings.cache = Cache()
    first = _fill()
    assert first.key and first.value is None and not first.hit
    hit = hooks.lookup("acompletion", CALL)
    assert hit.key == first.key and hit.value == RESPONSE and hit.hit
    stats = hooks.stats()
    assert (stats["lookups"], stats["hits"], stats["misses"], stats["stores"]) == (2, 1, 1, 1)


async def test_async_twins_share_entries_with_sync():
    settings.cache = Cache()
    found = await hooks.alookup("acompletion", CALL)
    await hooks.astore("acompletion", CALL, found.key, RESPONSE)
    assert hooks.lookup("completion", CALL).value == RESPONSE
    assert (await hooks.alookup("acompletion", CALL)).value == RESPONSE


@pytest.mark.parametrize(
    ("call_type", "extra"),
    [
        ("completion", {"caching": False}),
        ("image_generation", {}),  # not in supported_call_types
    ],
)
def test_bypass_returns_no_key_and_stores_nothing(call_type, extra):
    settings.cache = Cache()
    kwargs = {**CALL, **extra}
    found = hooks.lookup(call_type, kwargs)
    assert found.key is None
    hooks.store(call_type, kwargs, found.key, RESPONSE)
    assert hooks.lookup("completion", CALL).value is None
    assert hooks.stats()["bypassed"] == 1


def test_supported_call_types_limits_caching():
    settings.cache = Cache(supported_call_types=["acompletion"])
    assert hooks.lookup("completion", CALL).key is None
    assert hooks.lookup("acompletion", CALL).key is not None


def test_default_off_mode_caches_only_calls_that_opt_in():
    settings.cache = Cache(mode="default_off")
    assert hooks.lookup("completion", CALL).key is None
    assert hooks.lookup("completion", {**CALL, "caching": True}).key is not None
    _fill({**CALL, "cache": {"use-cache": True}})
    assert hooks.lookup("completion", {**CALL, "cache": {"use-cache": True}}).value == RESPONSE


def test_no_cache_skips_the_read_but_stores_the_fresh_answer():
    settings.cache = Cache()
    _fill()
    fresh = {**RESPONSE, "id": "chatcmpl-2"}
    kwargs = {**CALL, "cache": {"no-cache": True}}
    found = hooks.lookup("completion", kwargs)
    assert found.key is not None and found.value is None
    hooks.store("completion", kwargs, found.key, fresh)
    assert hooks.lookup("completion", CALL).value == fresh


def test_no_store_skips_the_write():
    settings.cache = Cache()
    kwargs = {**CALL, "cache": {"no-store": True}}
    _fill(kwargs)
    assert hooks.lookup("completion", CALL).value is None
    assert hooks.stats()["skipped_stores"] == 1


def test_per_call_ttl_expires_the_entry():
    settings.cache = Cache()
    _fill({**CALL, "cache": {"ttl": 0.05}})
    assert hooks.lookup("completion", CALL).value == RESPONSE
    time.sleep(0.08)
    assert hooks.lookup("completion", CALL).value is None


def test_cache_ttl_and_default_in_memory_ttl_expire_entries():
    settings.cache = Cache(default_in_memory_ttl=0.05)
    _fill()
    assert hooks.lookup("completion", CALL).value == RESPONSE
    time.sleep(0.08)
    assert hooks.lookup("completion", CALL).value is None


def test_s_maxage_refuses_older_entries():
    settings.cache = Cache()
    _fill()
    time.sleep(0.03)
    assert hooks.lookup("completion", {**CALL, "cache": {"s-maxage": 10}}).value == RESPONSE
    assert hooks.lookup("completion", {**CALL, "cache": {"s-maxage": 0.01}}).value is None
    assert hooks.stats()["expired_by_max_age"] == 1


def test_namespace_per_call_separates_entries():
    settings.cache = Cache()
    _fill({**CALL, "cache": {"namespace": "a"}})
    assert hooks.lookup("completion", {**CALL, "cache": {"namespace": "a"}}).value == RESPONSE
    assert hooks.lookup("completion", {**CALL, "cache": {"namespace": "b"}}).value is None
    assert hooks.lookup("completion", CALL).value is None


def test_lru_evicts_the_least_recently_used():
    memory = InMemoryCache(max_size_in_memory=2, default_ttl=None)
    memory.set("a", 1)
    memory.set("b", 2)
    assert memory.get("a") == 1  # a is now the most recent
    memory.set("c", 3)
    assert (memory.get("a"), memory.get("b"), memory.get("c")) == (1, None, 3)


def test_embedding_items_partial_hit_returns_only_what_is_stored():
    settings.cache = Cache()
    first = {"model": "text-embedding-3-small", "input": ["a", "b"]}
    keys, hits = hooks.lookup_embedding_items(first)
    assert len(keys) == 2 and hits == {}
    hooks.store_embedding_items(first, keys, {0: [0.1, 0.2], 1: [0.3, 0.4]})
    second = {"model": "text-embedding-3-small", "input": ["b", "c", "a"]}
    keys2, hits2 = hooks.lookup_embedding_items(second)
    assert keys2[0] == keys[1] and keys2[2] == keys[0]
    assert hits2 == {0: [0.3, 0.4], 2: [0.1, 0.2]}
    # a single string input is one item, shared with the list form
    assert hooks.lookup_embedding_items({"model": "text-embedding-3-small", "input": "a"})[1] == {
        0: [0.1, 0.2]
    }


async def test_embedding_items_async_twins_and_bypass():
    settings.cache = Cache()
    kwargs = {"model": "m", "input": ["x"]}
    keys, hits = await hooks.alookup_embedding_items(kwargs)
    assert hits == {}
    await hooks.astore_embedding_items(kwargs, keys, {0: "QUJD"})
    assert (await hooks.alookup_embedding_items(kwargs))[1] == {0: "QUJD"}
    assert hooks.lookup_embedding_items({**kwargs, "caching": False}) == ([], {})
    assert hooks.lookup_embedding_items({**kwargs, "cache": {"no-cache": True}})[1] == {}


class _Broken(BaseCache):
    name = "broken"

    def get(self, key):
        raise ConnectionError("backend down")

    def set(self, key, value, ttl=None):
        raise TimeoutError("backend slow")

    def get_many(self, keys):
        raise ConnectionError("backend down")


async def test_a_failing_backend_is_a_counted_miss_never_an_exception():
    cache = Cache()
    cache.cache = _Broken()
    settings.cache = cache
    found = hooks.lookup("completion", CALL)
    assert found.key is not None and found.value is None
    hooks.store("completion", CALL, found.key, RESPONSE)
    assert (await hooks.alookup("acompletion", CALL)).value is None
    await hooks.astore("acompletion", CALL, found.key, RESPONSE)
    keys, hits = hooks.lookup_embedding_items({"model": "m", "input": ["a"]})
    assert len(keys) == 1 and hits == {}
    hooks.store_embedding_items({"model": "m", "input": ["a"]}, keys, {0: [1.0]})
    stats = hooks.stats()
    assert stats["errors"] == 3 and stats["timeouts"] == 3 and stats["store_errors"] == 3
    assert stats["hits"] == 0 and stats["stores"] == 0


def test_an_unhashable_argument_is_a_counted_bypass_not_an_error():
    settings.cache = Cache()

    class Weird:
        def __repr__(self):
            raise RuntimeError("no repr")

    found = hooks.lookup("completion", {**CALL, "logit_bias": Weird()})
    assert found.key is None
    assert hooks.stats()["errors"] == 1


def test_enable_update_disable_cache_set_the_process_wide_cache():
    cache = enable_cache()
    assert settings.cache is cache and cache.type.value == "local"
    assert enable_cache(type="disk") is cache  # already set: kept
    replaced = update_cache(type="local", namespace="x")
    assert settings.cache is replaced is not cache and replaced.namespace == "x"
    disable_cache()
    assert settings.cache is None


def test_cache_object_methods_round_trip():
    cache = Cache()
    cache.add_cache(RESPONSE, **CALL)
    assert cache.get_cache(**CALL) == RESPONSE


async def test_backend_methods_under_litellm_names():
    memory = InMemoryCache(default_ttl=None)
    memory.set_cache("k", {"a": 1})
    assert memory.get_cache("k") == {"a": 1}
    assert memory.batch_get_cache(["k", "absent"]) == [{"a": 1}, None]
    assert memory.increment_cache("n", 2) == 2 and memory.increment_cache("n", 0.5) == 2.5
    await memory.async_set_cache("j", [1], ttl=0.05)
    assert await memory.async_get_cache("j") == [1]
    assert await memory.async_increment_cache("n", 1) == 3.5
    memory.delete_cache("k")
    assert memory.get_cache("k") is None
    time.sleep(0.08)
    assert await memory.async_batch_get_cache(["j"]) == [None]


def test_a_hit_is_a_copy_the_caller_may_change():
    settings.cache = Cache()
    _fill()
    first = hooks.lookup("completion", CALL).value
    first["choices"][0]["message"]["content"] = "tampered"
    assert hooks.lookup("completion", CALL).value == RESPONSE
    kwargs = {"model": "m", "input": ["v"]}
    keys, _ = hooks.lookup_embedding_items(kwargs)
    hooks.store_embedding_items(kwargs, keys, {0: [0.5, 0.25]})
    hooks.lookup_embedding_items(kwargs)[1][0].append(9.0)
    assert hooks.lookup_embedding_items(kwargs)[1] == {0: [0.5, 0.25]}


def test_changing_the_stored_dict_afterwards_does_not_change_the_entry():
    settings.cache = Cache()
    value = {"id": "x", "choices": [{"message": {"content": "a"}}]}
    found = hooks.lookup("completion", CALL)
    hooks.store("completion", CALL, found.key, value)
    value["choices"][0]["message"]["content"] = "b"
    assert hooks.lookup("completion", CALL).value["choices"][0]["message"]["content"] == "a"


def test_embedding_split_sends_only_the_misses_and_merges_in_order():
    settings.cache = Cache()
    cached = {"model": "text-embedding-3-small", "input": ["a", "c"]}
    keys, _ = hooks.lookup_embedding_items(cached)
    hooks.store_embedding_items(cached, keys, {0: [1.0], 1: [3.0]})

    kwargs = {"model": "text-embedding-3-small", "input": ["a", "b", "c", "d"]}
    keys, hits = hooks.lookup_embedding_items(kwargs)
    missing, send = hooks.embedding_misses(kwargs, keys, hits)
    assert missing == [1, 3] and send == ["b", "d"]
    provider_data = [
        {"object": "embedding", "index": 0, "embedding": [2.0]},
        {"object": "embedding", "index": 1, "embedding": [4.0]},
    ]
    data, fresh = hooks.merge_embedding_data(len(keys), hits, missing, provider_data)
    assert [d["embedding"] for d in data] == [[1.0], [2.0], [3.0], [4.0]]
    assert [d["index"] for d in data] == [0, 1, 2, 3]
    assert fresh == {1: [2.0], 3: [4.0]}
    hooks.store_embedding_items(kwargs, keys, fresh)
    keys, hits = hooks.lookup_embedding_items(kwargs)
    assert hooks.embedding_misses(kwargs, keys, hits) == ([], None)
    single = {"model": "text-embedding-3-small", "input": "zzz"}
    keys, hits = hooks.lookup_embedding_items(single)
    assert hooks.embedding_misses(single, keys, hits) == ([0], "zzz")
    with pytest.raises(ValueError, match="no embedding for input item 1"):
        hooks.merge_embedding_data(2, {0: [1.0]}, [1], [])
