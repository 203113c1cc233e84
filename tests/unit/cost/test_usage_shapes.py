"""One call, one price: every usage shape a provider or the pipeline produces for the same call costs the same.

Covers what streaming needs: the usage of an OpenAI stream's final chunk (which may also carry choices) and
the usage assembled from Anthropic's message_start / message_delta events price exactly like the
non-streamed response's usage, with cached and reasoning tokens.
"""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from litellm.cost.calculator import compute_cost


def _cost(model: str, provider: str, usage: object) -> float | None:
    return compute_cost(
        model=model, custom_llm_provider=provider, call_type="acompletion", usage=usage
    ).response_cost


OPENAI_USAGE = {
    "prompt_tokens": 2000,
    "completion_tokens": 900,
    "total_tokens": 2900,
    "prompt_tokens_details": {"cached_tokens": 1536, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 640, "audio_tokens": 0},
}
OPENAI_EXPECTED = 464 * 2e-06 + 1536 * 5e-07 + 260 * 8e-06 + 640 * 8e-06  # o3


def test_openai_stream_final_chunk_usage_prices_like_the_response():
    # the last chunk of a stream with include_usage (some providers put choices on it too)
    final_chunk = {
        "id": "c",
        "choices": [{"index": 0, "delta": {"content": "!"}}],
        "usage": dict(OPENAI_USAGE),
    }
    assert _cost("o3", "openai", OPENAI_USAGE) == pytest.approx(OPENAI_EXPECTED)
    assert _cost("o3", "openai", final_chunk["usage"]) == pytest.approx(OPENAI_EXPECTED)


class _Details(BaseModel):
    cached_tokens: int = 0
    audio_tokens: int = 0
    reasoning_tokens: int = 0


class _Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    prompt_tokens_details: _Details | None = None
    completion_tokens_details: _Details | None = None


class _Attrs:
    def __init__(self, **kw: object) -> None:
        self.__dict__.update(kw)


def test_usage_as_pydantic_model_or_plain_object_prices_like_a_dict():
    model = _Usage(
        prompt_tokens=2000,
        completion_tokens=900,
        total_tokens=2900,
        prompt_tokens_details=_Details(cached_tokens=1536),
        completion_tokens_details=_Details(reasoning_tokens=640),
    )
    attrs = _Attrs(
        prompt_tokens=2000,
        completion_tokens=900,
        prompt_tokens_details=_Attrs(cached_tokens=1536),
        completion_tokens_details=_Attrs(reasoning_tokens=640),
    )
    assert _cost("o3", "openai", model) == pytest.approx(OPENAI_EXPECTED)
    assert _cost("o3", "openai", attrs) == pytest.approx(OPENAI_EXPECTED)


# Anthropic: input_tokens excludes cache reads and writes; output_tokens includes thinking.
ANTHROPIC_EXPECTED = 300 * 3e-06 + 4000 * 3e-07 + 1000 * 3.75e-06 + 700 * 1.5e-05  # claude-sonnet-4-5


def test_anthropic_streamed_usage_events_price_like_the_message_response():
    message_response_usage = {
        "input_tokens": 300,
        "cache_read_input_tokens": 4000,
        "cache_creation_input_tokens": 1000,
        "output_tokens": 700,
    }
    # stream: message_start carries input-side usage, message_delta the final output count
    message_start = {
        "input_tokens": 300,
        "cache_read_input_tokens": 4000,
        "cache_creation_input_tokens": 1000,
        "output_tokens": 1,
    }
    message_delta = {"output_tokens": 700}
    assembled = {**message_start, **message_delta}
    normalised = {
        "prompt_tokens": 5300,
        "completion_tokens": 700,
        "prompt_tokens_details": {"cached_tokens": 4000, "cache_creation_tokens": 1000},
        "cache_read_input_tokens": 4000,
        "cache_creation_input_tokens": 1000,
    }
    for usage in (message_response_usage, assembled, normalised):
        assert _cost("claude-sonnet-4-5", "anthropic", usage) == pytest.approx(ANTHROPIC_EXPECTED)


def test_usage_with_prompt_tokens_smaller_than_its_cache_counts_is_read_as_exclusive():
    # some OpenAI-compatible proxies forward Anthropic counts without folding the cache into prompt_tokens
    usage = {
        "prompt_tokens": 300,
        "completion_tokens": 700,
        "cache_read_input_tokens": 4000,
        "cache_creation_input_tokens": 1000,
    }
    assert _cost("claude-sonnet-4-5", "anthropic", usage) == pytest.approx(ANTHROPIC_EXPECTED)


def test_missing_usage_is_an_unknown_cost_with_a_reason_not_zero():
    result = compute_cost(model="gpt-4o", custom_llm_provider="openai", call_type="completion", usage=None)
    assert result.response_cost is None
    assert "no usage" in result.failure_reason
    assert result.model_map_key == "gpt-4o"
