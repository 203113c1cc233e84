"""Redis and dual caches against the real Redis on 127.0.0.1:6379 (a unique namespace per test), and
outages against a private redis-server stopped by PID: a miss, counted, never an exception."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from litellm.caching import hooks
from litellm.caching.caching import Cache
from litellm.core.settings import settings
from tests.integration.caching.conftest import SHARED_REDIS, _redis_client

CALL = {
    "model": "gpt-4o-mini",
    "messages": [{"role": "user", "content": "cache me"}],
    "api_key": "sk-never-stored",
}
RESPONSE = {"id": "chatcmpl-r", "object": "chat.completion", "choices": [{"message": {"content": "cached"}}]}


def _fill(kwargs=CALL, call_type="completion"):
    found = hooks.lookup(call_type, kwargs)
    hooks.store(call_type, kwargs, found.key, RESPONSE)
    return found


def test_redis_miss_store_hit_and_what_redis_holds(redis_ns):
    settings.cache = Cache(type="redis", **SHARED_REDIS, namespace=redis_ns, default_in_redis_ttl=60)
    found = _fill()
    assert found.key.startswith(f"{redis_ns}:") and found.value is None
    raw = _redis_client().get(found.key)
    entry = json.loads(raw)
    assert entry["response"] == RESPONSE and abs(entry["timestamp"] - time.time()) < 5
    assert b"sk-never-stored" not in raw
    assert 0 < _redis_client().pttl(found.key) <= 60_000
    assert hooks.lookup("acompletion", CALL).value == RESPONSE
    # another process's view of the same Redis sees the entry
    other = Cache(type="redis", redis_url="redis://127.0.0.1:6379/0", namespace=redis_ns)
    assert hooks.lookup_with(other, "completion", CALL).value == RESPONSE


def test_redis_bypass_and_per_call_ttl_expiry(redis_ns):
    settings.cache = Cache(type="redis", **SHARED_REDIS, namespace=redis_ns)
    assert hooks.lookup("completion", {**CALL, "caching": False}).key is None
    found = _fill({**CALL, "cache": {"ttl": 0.25}})
    assert 0 < _redis_client().pttl(found.key) <= 250
    assert hooks.lookup("completion", CALL).value == RESPONSE
    time.sleep(0.35)
    assert hooks.lookup("completion", CALL).value is None
    assert _redis_client().exists(found.key) == 0


async def test_redis_async_twins_share_entries_with_sync(redis_ns):
    settings.cache = Cache(type="redis", **SHARED_REDIS, namespace=redis_ns)
    found = await hooks.alookup("acompletion", CALL)
    assert found.value is None
    await hooks.astore("acompletion", CALL, found.key, RESPONSE)
    assert hooks.lookup("completion", CALL).value == RESPONSE
    assert (await hooks.alookup("acompletion", CALL)).value == RESPONSE


def test_redis_flush_size_batches_writes_and_reads_see_the_buffer(redis_ns):
    settings.cache = Cache(type="redis", **SHARED_REDIS, namespace=redis_ns, redis_flush_size=3)
    calls = [{**CALL, "messages": [{"role": "user", "content": f"q{i}"}]} for i in range(4)]
    keys = [_fill(c).key for c in calls[:2]]
    client = _redis_client()
    assert client.exists(*keys) == 0  # buffered, not yet written
    assert hooks.lookup("completion", calls[0]).value == RESPONSE  # but readable
    keys.append(_fill(calls[2]).key)
    assert client.exists(*keys) == 3  # the third write flushed the batch in one pipeline
    keys.append(_fill(calls[3]).key)
    assert client.exists(keys[3]) == 0
    settings.cache.flush()
    assert client.exists(keys[3]) == 1


def test_redis_embedding_items_partial_hit(redis_ns):
    settings.cache = Cache(type="redis", **SHARED_REDIS, namespace=redis_ns)
    first = {"model": "text-embedding-3-small", "input": ["a", "b"]}
    keys, hits = hooks.lookup_embedding_items(first)
    assert hits == {}
    hooks.store_embedding_items(first, keys, {0: [0.5, 0.5], 1: [0.25, 0.75]})
    _, hits = hooks.lookup_embedding_items({"model": "text-embedding-3-small", "input": ["z", "b"]})
    assert hits == {1: [0.25, 0.75]}


async def test_redis_embedding_items_async(redis_ns):
    settings.cache = Cache(type="redis", **SHARED_REDIS, namespace=redis_ns)
    kwargs = {"model": "text-embedding-3-small", "input": ["p", "q"]}
    keys, _ = await hooks.alookup_embedding_items(kwargs)
    await hooks.astore_embedding_items(kwargs, keys, {1: [1.0]})
    assert (await hooks.alookup_embedding_items(kwargs))[1] == {1: [1.0]}


def test_dual_serves_from_memory_and_fills_memory_from_redis(redis_ns):
    cache = Cache(type="dual", **SHARED_REDIS, namespace=redis_ns, default_in_memory_ttl=30)
    settings.cache = cache
    found = _fill()
    client = _redis_client()
    assert json.loads(client.get(found.key))["response"] == RESPONSE
    client.delete(found.key)
    assert hooks.lookup("completion", CALL).value == RESPONSE  # the in-memory copy answers
    # a second process: empty memory, reads Redis once, then memory
    _fill({**CALL, "cache": {"no-cache": True}})
    other = Cache(type="dual", **SHARED_REDIS, namespace=redis_ns)
    assert hooks.lookup_with(other, "completion", CALL).value == RESPONSE
    client.delete(found.key)
    assert hooks.lookup_with(other, "completion", CALL).value == RESPONSE


def test_dual_memory_copy_never_outlives_a_short_entry_ttl(redis_ns):
    settings.cache = Cache(type="dual", **SHARED_REDIS, namespace=redis_ns, default_in_memory_ttl=30)
    _fill({**CALL, "cache": {"ttl": 0.2}})
    assert hooks.lookup("completion", CALL).value == RESPONSE
    time.sleep(0.3)
    assert hooks.lookup("completion", CALL).value is None


def test_redis_outage_is_a_counted_miss_and_the_cache_recovers(private_redis):
    cache = Cache(type="redis", host="127.0.0.1", port=private_redis.port, retry_after=0.2)
    settings.cache = cache
    _fill()
    assert hooks.lookup("completion", CALL).value == RESPONSE
    private_redis.stop()
    found = hooks.lookup("completion", CALL)  # connection refused: a miss
    assert found.key is not None and found.value is None
    hooks.store("completion", CALL, found.key, RESPONSE)  # skipped: the backend just failed
    assert hooks.lookup_embedding_items({"model": "m", "input": ["a"]})[1] == {}
    stats = hooks.stats()
    assert stats["errors"] == 1 and stats["skipped_while_down"] == 2 and stats["backend_down"] is True
    private_redis.start()
    time.sleep(0.25)  # past retry_after
    _fill()  # the restarted server is empty (no persistence): a miss, then a store
    assert hooks.lookup("completion", CALL).value == RESPONSE
    assert hooks.stats()["backend_down"] is False


async def test_redis_outage_async_is_a_counted_miss(private_redis):
    cache = Cache(type="redis", host="127.0.0.1", port=private_redis.port, retry_after=0.2)
    settings.cache = cache
    found = await hooks.alookup("acompletion", CALL)
    await hooks.astore("acompletion", CALL, found.key, RESPONSE)
    assert (await hooks.alookup("acompletion", CALL)).value == RESPONSE
    private_redis.stop()
    assert (await hooks.alookup("acompletion", CALL)).value is None
    assert hooks.stats()["errors"] == 1


def test_dual_keeps_serving_memory_while_redis_is_down(private_redis):
    settings.cache = Cache(type="dual", host="127.0.0.1", port=private_redis.port, retry_after=0.2)
    _fill()
    private_redis.stop()
    assert hooks.lookup("completion", CALL).value == RESPONSE
    other_call = {**CALL, "messages": [{"role": "user", "content": "never stored"}]}
    assert hooks.lookup("completion", other_call).value is None
    assert hooks.stats()["errors"] == 1


@pytest.fixture
def silent_server():
    """Accepts connections and never answers: a hung Redis."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    listener.close()


def test_a_hung_redis_is_a_timeout_miss_bounded_by_socket_timeout(silent_server):
    settings.cache = Cache(type="redis", host="127.0.0.1", port=silent_server, socket_timeout=0.2)
    started = time.monotonic()
    found = hooks.lookup("completion", CALL)
    assert found.value is None and time.monotonic() - started < 2
    assert hooks.stats()["timeouts"] == 1
    started = time.monotonic()
    assert hooks.lookup("completion", CALL).value is None  # skipped while down: no second wait
    assert time.monotonic() - started < 0.1
    assert hooks.stats()["skipped_while_down"] == 1


def test_redis_increment_is_atomic_across_clients_and_sets_a_ttl(redis_ns):
    key = f"{redis_ns}:counter"
    caches = [Cache(type="redis", **SHARED_REDIS).cache for _ in range(4)]

    def bump(cache):
        for _ in range(50):
            cache.increment_cache(key, 1, ttl=30)

    threads = [threading.Thread(target=bump, args=(c,)) for c in caches]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert caches[0].get_cache(key) == 200
    assert 0 < _redis_client().pttl(key) <= 30_000


async def test_dual_local_only_and_async_increment(redis_ns):
    dual = Cache(type="dual", **SHARED_REDIS).cache
    key = f"{redis_ns}:k"
    dual.set_cache(key, "mine", local_only=True)
    assert dual.get_cache(key) == "mine" and _redis_client().exists(key) == 0
    await dual.async_set_cache(key, "shared")
    assert json.loads(_redis_client().get(key)) == "shared"
    assert await dual.async_increment_cache(f"{redis_ns}:n", 2.5) == 2.5
    assert await dual.async_increment_cache(f"{redis_ns}:n", 1) == 3.5
    assert await Cache(type="redis", **SHARED_REDIS).cache.async_get_cache(f"{redis_ns}:n") == 3.5
