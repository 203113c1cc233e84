"""Supported params per provider and the drop_params / UnsupportedParamsError filter."""

from __future__ import annotations

import pytest

from litellm.providers.params import get_supported_openai_params, split_params
from litellm.providers.registry import get_adapter


def test_get_supported_openai_params_lists_openai_chat_params():
    params = get_supported_openai_params("gpt-4o", "openai")
    assert params == sorted(params)
    for name in (
        "temperature",
        "tools",
        "tool_choice",
        "response_format",
        "stream_options",
        "logprobs",
        "seed",
    ):
        assert name in params
    assert "reasoning_effort" not in params


def test_reasoning_models_take_reasoning_effort_but_not_sampling_penalties():
    params = get_supported_openai_params("o3-mini", "openai")
    assert "reasoning_effort" in params
    assert "presence_penalty" not in params and "top_p" not in params


def test_supported_params_resolve_the_provider_from_the_model_name():
    assert get_supported_openai_params("anthropic/claude-3-7-sonnet-20250219") == sorted(
        get_adapter("anthropic").supported_params("claude-3-7-sonnet-20250219")
    )
    assert "seed" not in get_supported_openai_params("perplexity/sonar")


def test_unroutable_model_has_no_supported_params():
    assert get_supported_openai_params("no-such-provider/x") is None


def test_supported_params_are_kept_and_none_values_skipped():
    out = split_params(get_adapter("openai"), "gpt-4o", {"temperature": 0.1, "top_p": None, "seed": 3}, False)
    assert out == {"temperature": 0.1, "seed": 3}


def test_unsupported_param_raises_naming_param_provider_and_fix():
    from litellm.core.exceptions import UnsupportedParamsError

    with pytest.raises(UnsupportedParamsError) as info:
        split_params(
            get_adapter("anthropic"), "claude-3-5-sonnet-20241022", {"seed": 1, "temperature": 0.5}, False
        )
    message = str(info.value)
    assert "['seed']" in message
    assert "anthropic" in message
    assert "drop_params=True" in message and "litellm.drop_params = True" in message
    assert info.value.llm_provider == "anthropic"


def test_drop_params_drops_unsupported_and_keeps_the_rest():
    out = split_params(
        get_adapter("anthropic"), "claude-3-5-sonnet-20241022", {"seed": 1, "temperature": 0.5}, True
    )
    assert out == {"temperature": 0.5}


def test_provider_specific_params_pass_through_untouched():
    out = split_params(get_adapter("groq"), "llama3", {"top_k": 5, "repetition_penalty": 1.1}, False)
    assert out == {"top_k": 5, "repetition_penalty": 1.1}


def test_user_stream_options_and_n_equal_1_are_dropped_silently_as_litellm_does():
    adapter = get_adapter("mistral")
    out = split_params(
        adapter,
        "mistral-large-latest",
        {"user": "u", "stream_options": {"include_usage": True}, "n": 1},
        False,
    )
    assert out == {}


def test_n_above_1_on_a_provider_without_n_is_refused():
    from litellm.core.exceptions import UnsupportedParamsError

    with pytest.raises(UnsupportedParamsError, match="'n'"):
        split_params(get_adapter("mistral"), "mistral-large-latest", {"n": 2}, False)


def test_call_controls_never_reach_the_body():
    params = {"metadata": {"a": 1}, "max_retries": 3, "temperature": 1, "drop_params": True}
    assert split_params(get_adapter("openai"), "gpt-4o", params, False) == {"temperature": 1}


def test_allowed_openai_params_force_a_param_through():
    adapter = get_adapter("anthropic")
    out = split_params(
        adapter, "claude-3-5-sonnet-20241022", {"seed": 1}, False, allowed_openai_params=["seed"]
    )
    assert out == {"seed": 1}
    out = split_params(
        adapter, "claude-3-5-sonnet-20241022", {"seed": 1, "allowed_openai_params": ["seed"]}, False
    )
    assert out == {"seed": 1}


def test_additional_drop_params_removes_even_supported_params():
    out = split_params(
        get_adapter("openai"), "gpt-4o", {"temperature": 1, "seed": 2}, False, additional_drop_params=["seed"]
    )
    assert out == {"temperature": 1}


def test_o_series_temperature_other_than_1_is_refused_or_dropped():
    from litellm.core.exceptions import UnsupportedParamsError

    adapter = get_adapter("openai")
    with pytest.raises(UnsupportedParamsError, match=r"temperature=0\.2"):
        split_params(adapter, "o3-mini", {"temperature": 0.2}, False)
    assert split_params(adapter, "o3-mini", {"temperature": 0.2}, True) == {}
    assert split_params(adapter, "o3-mini", {"temperature": 1}, False) == {"temperature": 1}


def test_gpt5_takes_any_temperature_when_reasoning_is_off():
    adapter = get_adapter("openai")
    params = {"temperature": 0.3, "reasoning_effort": "none"}
    assert split_params(adapter, "gpt-5", params, False) == params


@pytest.mark.parametrize(
    ("provider", "model", "param"),
    [
        ("perplexity", "sonar", "tools"),
        ("cerebras", "llama3.1-8b", "logprobs"),
        ("groq", "llama-3.1-8b-instant", "web_search_options"),
        ("openai", "gpt-4o", "thinking"),
        ("anyscale", "mistralai/Mistral-7B", "response_format"),
    ],
)
def test_params_litellm_refuses_per_provider_are_refused(provider, model, param):
    from litellm.core.exceptions import UnsupportedParamsError

    with pytest.raises(UnsupportedParamsError):
        split_params(get_adapter(provider), model, {param: {"x": 1}}, False)


def test_reasoning_effort_follows_the_rows_model_pattern():
    groq = get_adapter("groq")
    assert "reasoning_effort" in groq.supported_params("openai/gpt-oss-120b")
    assert "reasoning_effort" not in groq.supported_params("llama-3.1-8b-instant")
    assert "reasoning_effort" in get_adapter("hosted_vllm").supported_params("anything")
