"""A cache hit through the pipeline: one event with cache_hit, cost 0 and what it saved."""

from __future__ import annotations

from typing import Any

import pytest

import litellm
from litellm.caching.caching import Cache
from litellm.integrations.custom_logger import CustomLogger

MSGS = [{"role": "user", "content": "cache me"}]


class Events(CustomLogger):
    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.payloads.append(kwargs["standard_logging_object"])


def test_a_hit_costs_nothing_and_says_what_it_saved(fake_provider, fake_url):
    events = Events()
    litellm.callbacks = [events]
    litellm.cache = Cache(type="local")
    first = litellm.completion(
        model="openai/gpt-4o-mini", messages=MSGS, api_base=fake_url + "/v1", api_key="k"
    )
    sent = len(fake_provider.requests)
    second = litellm.completion(
        model="openai/gpt-4o-mini", messages=MSGS, api_base=fake_url + "/v1", api_key="k"
    )
    assert len(fake_provider.requests) == sent  # the hit never reached the provider
    assert second.choices[0].message.content == first.choices[0].message.content
    assert second._hidden_params["cache_hit"] is True
    assert second._hidden_params["response_cost"] == 0.0
    assert litellm.flush_callbacks(5)
    miss, hit = events.payloads
    assert miss["cache_hit"] in (None, False) and miss["response_cost"] > 0
    assert hit["cache_hit"] is True and hit["cache_key"]
    assert hit["response_cost"] == 0.0
    assert hit["saved_cache_cost"] == pytest.approx(miss["response_cost"], rel=1e-12)
