"""Cost and model-info values LiteLLM 1.110.2 users see (issue 8), checked with tools/compat."""

from __future__ import annotations

import pytest

from litellm.cost import calculator, model_info


@pytest.mark.parametrize(
    ("model", "read", "write", "expected"),
    [
        # prompt_tokens is the whole prompt (LiteLLM's meaning); cached tokens are part of it
        ("claude-sonnet-4-5", 600, 0, 400 * 3e-06 + 600 * 3e-07),
        ("claude-sonnet-4-5", 0, 400, 600 * 3e-06 + 400 * 3.75e-06),
        ("anthropic/claude-haiku-4-5", 600, 0, 400 * 1e-06 + 600 * 1e-07),
    ],
)
def test_cache_tokens_are_part_of_prompt_tokens(model: str, read: int, write: int, expected: float) -> None:
    prompt, _ = calculator.cost_per_token(
        model,
        prompt_tokens=1000,
        completion_tokens=500,
        cache_read_input_tokens=read,
        cache_creation_input_tokens=write,
    )
    assert prompt == pytest.approx(expected, abs=1e-12)  # LiteLLM 1.110.2: 0.00138, 0.0033, 0.00046


def test_prompt_tokens_smaller_than_the_cached_part_is_anthropic_input_tokens() -> None:
    prompt, _ = calculator.cost_per_token(
        "claude-sonnet-4-5", prompt_tokens=100, completion_tokens=0, cache_read_input_tokens=600
    )
    assert prompt == pytest.approx(100 * 3e-06 + 600 * 3e-07)  # never a negative remainder


def test_embedding_models_have_free_output_and_no_output_limit() -> None:
    assert model_info.get_model_info("mistral/mistral-embed")["output_cost_per_token"] == 0
    assert model_info.get_max_tokens("text-embedding-3-small") is None  # LiteLLM: None
    assert model_info.get_max_tokens("gpt-4o") == 16384


@pytest.mark.parametrize("model", ["azure/gpt-4o", "azure/gpt-4.1"])
def test_azure_entries_missing_a_flag_answer_like_the_same_openai_model(model: str) -> None:
    assert model_info.supports_pdf_input(model) is True
    assert model_info.supports_pdf_input(model.split("/", 1)[1]) is True


def test_an_explicit_false_is_not_overridden_by_the_bare_entry() -> None:
    assert model_info.get_model_info("azure/gpt-4.1")["supports_web_search"] is False
    assert model_info.supports_web_search("azure/gpt-4.1") is False
