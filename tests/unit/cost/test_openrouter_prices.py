"""OpenRouter entries: OpenRouter passes through the underlying provider's price (its FAQ), so each
openrouter/<vendor>/<model> entry must equal that vendor's own entry."""

from __future__ import annotations

import pytest

from litellm.cost.calculator import compute_cost, cost_per_token
from litellm.cost.price_map import get_model_cost_map


@pytest.mark.parametrize(
    ("openrouter_key", "vendor_key"),
    [
        ("openrouter/openai/gpt-4o", "gpt-4o"),
        ("openrouter/openai/gpt-4o-mini", "gpt-4o-mini"),
        ("openrouter/anthropic/claude-sonnet-4.5", "claude-sonnet-4-5"),
        ("openrouter/google/gemini-2.5-pro", "gemini/gemini-2.5-pro"),
        ("openrouter/deepseek/deepseek-chat", "deepseek/deepseek-chat"),
    ],
)
def test_openrouter_entry_prices_equal_the_vendor_entry(openrouter_key, vendor_key):
    prices = get_model_cost_map()
    mine, theirs = prices[openrouter_key], prices[vendor_key]
    assert mine["litellm_provider"] == "openrouter"
    assert mine["input_cost_per_token"] == theirs["input_cost_per_token"]
    assert mine["output_cost_per_token"] == theirs["output_cost_per_token"]


def test_an_openrouter_call_is_priced_from_its_entry():
    gpt4o = get_model_cost_map()["gpt-4o"]
    result = compute_cost(
        model="openai/gpt-4o",
        custom_llm_provider="openrouter",
        call_type="completion",
        usage={"prompt_tokens": 1000, "completion_tokens": 100},
    )
    assert result.model_map_key == "openrouter/openai/gpt-4o"
    assert result.response_cost == pytest.approx(
        1000 * gpt4o["input_cost_per_token"] + 100 * gpt4o["output_cost_per_token"]
    )
    assert sum(
        cost_per_token(model="openrouter/openai/gpt-4o", prompt_tokens=1000, completion_tokens=100)
    ) == pytest.approx(result.response_cost)
