"""Caching through the real call pipeline (the hooks registered in ``litellm.calls.seams``) against the
bundled fake provider: a hit never reaches the provider, a stream is replayed from the stored whole,
embeddings send only the missing items, every call still yields one event, and a Redis outage mid-run
never fails a call."""

from __future__ import annotations

import threading

from litellm.caching.caching import Cache
from litellm.calls.pipeline import acompletion, aembedding, completion, embedding, flush_callbacks
from litellm.core.settings import settings
from litellm.integrations.custom_logger import CustomLogger
from tests.integration.caching.conftest import SHARED_REDIS

MESSAGES = [{"role": "user", "content": "tell me something cacheable"}]


class Events(CustomLogger):
    def __init__(self) -> None:
        super().__init__()
        self.payloads: list[dict] = []
        self.lock = threading.Lock()

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        with self.lock:
            self.payloads.append(kwargs["standard_logging_object"])

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.log_success_event(kwargs, response_obj, start_time, end_time)


def _chat(fake_url, **extra):
    return {
        "model": "openai/gpt-4o-mini",
        "messages": MESSAGES,
        "api_base": f"{fake_url}/v1",
        "api_key": "sk-t",
        **extra,
    }


def _sent(fake_provider, suffix):
    return [r for r in fake_provider.requests if r["path"].endswith(suffix)]


def test_completion_hit_skips_the_provider_and_emits_one_event_each(fake_url, fake_provider):
    events = Events()
    settings.callbacks = [events]
    settings.cache = Cache()
    first = completion(**_chat(fake_url))
    second = completion(**_chat(fake_url))
    assert len(_sent(fake_provider, "/chat/completions")) == 1
    assert second._hidden_params["cache_hit"] is True
    assert second.choices[0].message.content == first.choices[0].message.content
    assert flush_callbacks(timeout=10)
    assert [p["cache_hit"] for p in events.payloads] == [None, True]
    assert events.payloads[1]["cache_key"] == settings.cache.get_cache_key(**_chat(fake_url))


async def test_async_and_sync_share_entries(fake_url, fake_provider):
    settings.cache = Cache()
    first = await acompletion(**_chat(fake_url))
    again = completion(**_chat(fake_url))
    assert again._hidden_params["cache_hit"] is True
    assert (await acompletion(**_chat(fake_url))).choices[0].message.content == first.choices[
        0
    ].message.content
    assert len(_sent(fake_provider, "/chat/completions")) == 1


def test_stream_is_stored_whole_and_replayed_as_a_stream(fake_url, fake_provider):
    settings.cache = Cache()
    streamed = "".join(
        c.choices[0].delta.content or "" for c in completion(**_chat(fake_url, stream=True)) if c.choices
    )
    replay = list(completion(**_chat(fake_url, stream=True)))
    assert len(_sent(fake_provider, "/chat/completions")) == 1
    assert (
        len(replay) > 1 and "".join(c.choices[0].delta.content or "" for c in replay if c.choices) == streamed
    )
    assert completion(**_chat(fake_url)).choices[0].message.content == streamed  # non-streamed shares it


def test_bypass_and_no_cache_reach_the_provider(fake_url, fake_provider):
    settings.cache = Cache()
    completion(**_chat(fake_url))
    completion(**_chat(fake_url, caching=False))
    completion(**_chat(fake_url, cache={"no-cache": True}))
    assert len(_sent(fake_provider, "/chat/completions")) == 3


def test_embedding_partial_hit_sends_only_the_missing_items(fake_url, fake_provider):
    settings.cache = Cache()
    args = {"model": "openai/text-embedding-3-small", "api_base": f"{fake_url}/v1", "api_key": "sk-t"}
    first = embedding(input=["alpha", "beta"], **args)
    second = embedding(input=["beta", "gamma", "alpha"], **args)
    sent = _sent(fake_provider, "/embeddings")
    assert [r["json"]["input"] for r in sent] == [["alpha", "beta"], ["gamma"]]
    assert [d["index"] for d in second.data] == [0, 1, 2]
    assert second.data[0]["embedding"] == first.data[1]["embedding"]
    assert second.data[2]["embedding"] == first.data[0]["embedding"]
    fresh = embedding(input=["gamma"], **{**args, "caching": False})
    assert second.data[1]["embedding"] == fresh.data[0]["embedding"]
    full = embedding(input=["alpha", "gamma"], **args)
    assert full._hidden_params["cache_hit"] is True
    assert len(_sent(fake_provider, "/embeddings")) == 3  # the caching=False call only


async def test_async_embedding_items_share_with_sync(fake_url, fake_provider):
    settings.cache = Cache()
    args = {"model": "openai/text-embedding-3-small", "api_base": f"{fake_url}/v1", "api_key": "sk-t"}
    embedding(input=["one"], **args)
    result = await aembedding(input=["one", "two"], **args)
    assert [r["json"]["input"] for r in _sent(fake_provider, "/embeddings")] == [["one"], ["two"]]
    assert len(result.data) == 2


def test_redis_backed_hit_across_cache_objects(fake_url, fake_provider, redis_ns):
    settings.cache = Cache(type="redis", **SHARED_REDIS, namespace=redis_ns)
    first = completion(**_chat(fake_url))
    settings.cache = Cache(type="redis", **SHARED_REDIS, namespace=redis_ns)  # as another process would
    assert completion(**_chat(fake_url)).choices[0].message.content == first.choices[0].message.content
    assert len(_sent(fake_provider, "/chat/completions")) == 1


def test_redis_killed_mid_run_never_fails_a_call(fake_url, fake_provider, private_redis):
    settings.cache = Cache(type="redis", host="127.0.0.1", port=private_redis.port, retry_after=0.2)
    completion(**_chat(fake_url))
    assert completion(**_chat(fake_url))._hidden_params["cache_hit"] is True
    private_redis.stop()
    for _ in range(3):
        response = completion(**_chat(fake_url))
        assert response.choices[0].message.content and not response._hidden_params.get("cache_hit")
    assert len(_sent(fake_provider, "/chat/completions")) == 4
    stats = settings.cache.stats()
    assert stats["errors"] >= 1 and stats["hits"] == 1
