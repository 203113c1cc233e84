"""A Router request is served from the response cache like a direct call (one event, cache_hit)."""

from __future__ import annotations

import litellm
from litellm.caching.caching import Cache
from litellm.router import Router

MSGS = [{"role": "user", "content": "cache me through the router"}]


def test_a_routed_call_hits_the_cache_on_the_second_request(fake_provider, fake_url):
    litellm.cache = Cache(type="local")
    router = Router(
        model_list=[
            {
                "model_name": "g",
                "litellm_params": {
                    "model": "openai/gpt-4o-mini",
                    "api_base": fake_url + "/v1",
                    "api_key": "k",
                },
            }
        ]
    )
    first = router.completion(model="g", messages=MSGS)
    sent = len(fake_provider.requests)
    second = router.completion(model="g", messages=MSGS)
    assert len(fake_provider.requests) == sent
    assert second.id == first.id and second._hidden_params["cache_hit"] is True


async def test_an_async_routed_call_hits_the_cache_too(fake_provider, fake_url):
    litellm.cache = Cache(type="local")
    router = Router(
        model_list=[
            {
                "model_name": "g",
                "litellm_params": {
                    "model": "openai/gpt-4o-mini",
                    "api_base": fake_url + "/v1",
                    "api_key": "k",
                },
            }
        ]
    )
    first = await router.acompletion(model="g", messages=MSGS)
    second = await router.acompletion(model="g", messages=MSGS)
    assert second.id == first.id and second._hidden_params["cache_hit"] is True
