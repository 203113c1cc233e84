"""Semantic caches: the prompt is embedded through our own ``embedding`` call (against the fake provider,
whose vectors are seeded by the text: equal prompts embed equally, different ones are near-orthogonal),
and the nearest stored prompt in the same scope is a hit above the similarity threshold.

qdrant-semantic runs on qdrant-client's local mode (in memory and on disk); redis-semantic on the real
Redis on 127.0.0.1:6379 (it needs no search module; that Redis has none: ``MODULE LIST`` is empty)."""

from __future__ import annotations

import json
import time

import pytest

from litellm.caching import hooks
from litellm.caching.caching import Cache
from litellm.core.settings import settings
from tests.integration.caching.conftest import SHARED_REDIS, _redis_client

PROMPT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "what is the capital of France?"}]}
OTHER = {**PROMPT, "messages": [{"role": "user", "content": "write a haiku about rust"}]}
RESPONSE = {"id": "chatcmpl-s", "object": "chat.completion", "choices": [{"message": {"content": "Paris"}}]}
EMBED_MODEL = "openai/text-embedding-3-small"


def _embedding_kwargs(fake_url):
    return {"api_base": f"{fake_url}/v1", "api_key": "sk-test"}


def _qdrant(fake_url, **extra):
    return Cache(
        type="qdrant-semantic",
        qdrant_api_base=extra.pop("qdrant_api_base", ":memory:"),
        qdrant_collection_name="semantic-test",
        qdrant_quantization_config=extra.pop("quantization", "binary"),
        similarity_threshold=0.9,
        qdrant_semantic_cache_embedding_model=EMBED_MODEL,
        semantic_cache_embedding_kwargs=_embedding_kwargs(fake_url),
        **extra,
    )


def _redis_semantic(fake_url, ns, **extra):
    return Cache(
        type="redis-semantic",
        **SHARED_REDIS,
        similarity_threshold=0.9,
        redis_semantic_cache_embedding_model=EMBED_MODEL,
        redis_semantic_cache_index_name=ns,
        semantic_cache_embedding_kwargs=_embedding_kwargs(fake_url),
        **extra,
    )


def _embedding_requests(fake_provider):
    return [r for r in fake_provider.requests if r["path"].endswith("/embeddings")]


def _fill(kwargs=PROMPT):
    found = hooks.lookup("completion", kwargs)
    hooks.store("completion", kwargs, found.key, RESPONSE)
    return found


@pytest.fixture(params=["qdrant-memory", "qdrant-path", "redis"])
def semantic_cache(request, fake_url, tmp_path):
    if request.param == "qdrant-memory":
        return _qdrant(fake_url)
    if request.param == "qdrant-path":
        return _qdrant(
            fake_url, qdrant_api_base=None, qdrant_path=str(tmp_path / "qdrant"), quantization="scalar"
        )
    return _redis_semantic(fake_url, request.getfixturevalue("redis_ns"))


def test_same_prompt_hits_other_prompt_and_other_scope_miss(semantic_cache, fake_provider):
    settings.cache = semantic_cache
    found = _fill()
    assert found.key is not None and found.value is None
    # the lookup embedded the prompt once; storing reused that vector
    assert len(_embedding_requests(fake_provider)) == 1
    body = _embedding_requests(fake_provider)[0]["json"]
    assert body["input"] == "what is the capital of France?"
    assert hooks.lookup("completion", PROMPT).value == RESPONSE
    assert hooks.lookup("completion", OTHER).value is None
    assert hooks.lookup("completion", {**PROMPT, "temperature": 0.9}).value is None  # another scope
    assert hooks.lookup("completion", {**PROMPT, "cache": {"namespace": "elsewhere"}}).value is None
    stats = hooks.stats()
    assert stats["hits"] == 1 and stats["misses"] == 4 and stats["errors"] == 0


async def test_async_twins_share_entries(semantic_cache):
    settings.cache = semantic_cache
    found = await hooks.alookup("acompletion", PROMPT)
    await hooks.astore("acompletion", PROMPT, found.key, RESPONSE)
    assert hooks.lookup("completion", PROMPT).value == RESPONSE
    assert (await hooks.alookup("acompletion", PROMPT)).value == RESPONSE


def test_ttl_expiry(semantic_cache):
    settings.cache = semantic_cache
    _fill({**PROMPT, "cache": {"ttl": 0.3}})
    assert hooks.lookup("completion", PROMPT).value == RESPONSE
    time.sleep(0.4)
    assert hooks.lookup("completion", PROMPT).value is None


def test_bypass_and_embeddings_are_not_semantically_cached(semantic_cache, fake_provider):
    settings.cache = semantic_cache
    assert hooks.lookup("completion", {**PROMPT, "caching": False}).key is None
    assert hooks.lookup("completion", {"model": "gpt-4o-mini", "messages": []}).key is None  # no text
    assert hooks.lookup_embedding_items({"model": "m", "input": ["a"]}) == ([], {})
    assert _embedding_requests(fake_provider) == []


def test_a_failing_embedding_call_is_a_counted_miss(fake_url):
    cache = _qdrant(fake_url)
    cache.cache.embedding_kwargs["api_key"] = None
    cache.cache.embedding_kwargs["api_base"] = f"{fake_url}/nowhere"
    settings.cache = cache
    found = hooks.lookup("completion", PROMPT)
    assert found.key is not None and found.value is None
    assert hooks.stats()["errors"] == 1


@pytest.mark.parametrize("quantization", ["binary", "scalar", "product"])
def test_each_quantization_creates_its_collection(fake_url, quantization):
    settings.cache = _qdrant(fake_url, quantization=quantization)
    _fill()
    info = settings.cache.cache.client.get_collection("semantic-test")
    assert info.config.params.vectors.size == 16  # the fake provider's default embedding size
    assert hooks.lookup("completion", PROMPT).value == RESPONSE


def test_redis_semantic_keeps_a_bounded_scope(fake_url, redis_ns):
    settings.cache = _redis_semantic(fake_url, redis_ns, redis_semantic_max_entries_per_scope=2)
    for text in ("one", "two", "three"):
        _fill({**PROMPT, "messages": [{"role": "user", "content": text}]})
    keys = list(_redis_client().scan_iter(match=f"{redis_ns}:*"))
    assert len(keys) == 1 and _redis_client().hlen(keys[0]) == 2
    assert (
        hooks.lookup("completion", {**PROMPT, "messages": [{"role": "user", "content": "one"}]}).value is None
    )
    assert hooks.lookup("completion", {**PROMPT, "messages": [{"role": "user", "content": "three"}]}).value


def test_redis_here_has_no_search_module():
    """Recorded for the report: redis-semantic does not rely on RediSearch."""
    modules = _redis_client().execute_command("MODULE", "LIST")
    assert not any(b"search" in json.dumps(m, default=repr).lower().encode() for m in modules)


def test_a_hung_embedding_endpoint_costs_one_timeout_then_is_skipped(fake_url):
    settings.cache = Cache(
        type="qdrant-semantic",
        qdrant_api_base=":memory:",
        qdrant_collection_name="hung",
        similarity_threshold=0.9,
        qdrant_semantic_cache_embedding_model=EMBED_MODEL,
        semantic_cache_embedding_timeout=0.3,
        semantic_cache_embedding_kwargs={
            **_embedding_kwargs(fake_url),
            "extra_headers": {"x-fake-hang": "1"},
        },
    )
    started = time.monotonic()
    assert hooks.lookup("completion", PROMPT).value is None
    assert time.monotonic() - started < 3
    started = time.monotonic()
    assert hooks.lookup("completion", PROMPT).value is None  # skipped: no second wait
    assert time.monotonic() - started < 0.2
    stats = hooks.stats()
    assert stats["timeouts"] + stats["errors"] == 1 and stats["skipped_while_down"] == 1
