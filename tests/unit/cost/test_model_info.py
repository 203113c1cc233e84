"""get_model_info, get_max_tokens, the supports_* family, aliases, base_model, and cost errors."""

from __future__ import annotations

import pytest

from litellm.cost import calculator, model_info
from litellm.cost.model_info import ModelNotMappedError


def test_model_info_carries_every_documented_key_and_the_entry_used():
    info = model_info.get_model_info("gpt-4o")
    assert set(model_info.MODEL_INFO_KEYS) <= set(info)
    assert info["key"] == "gpt-4o"
    assert info["litellm_provider"] == "openai"
    assert info["mode"] == "chat"
    assert info["input_cost_per_token"] == 2.5e-06
    assert info["max_input_tokens"] == 128000
    assert info["max_tokens"] == info["max_output_tokens"] == 16384
    assert info["supports_audio_output"] is None


def test_model_info_with_provider_uses_the_provider_entry():
    assert model_info.get_model_info("gpt-4o", custom_llm_provider="azure")["key"] == "azure/gpt-4o"
    assert model_info.get_model_info("anthropic/claude-opus-4-5")["key"] == "claude-opus-4-5"


def test_model_info_returns_a_copy_callers_may_change():
    info = model_info.get_model_info("gpt-4o")
    info["input_cost_per_token"] = 99.0
    assert model_info.get_model_info("gpt-4o")["input_cost_per_token"] == 2.5e-06


def test_unknown_model_raises_naming_the_model_and_register_model():
    with pytest.raises(ModelNotMappedError) as caught:
        model_info.get_model_info("my-unknown-model", custom_llm_provider="openai")
    message = str(caught.value)
    assert "my-unknown-model" in message
    assert "litellm.register_model" in message
    assert "isn't mapped yet" in message
    assert isinstance(caught.value, Exception)


def test_unmapped_claude_family_id_gets_family_facts_but_no_price():
    info = model_info.get_model_info("claude-newfamily-5")
    assert info["litellm_provider"] == "anthropic"
    assert info["supports_function_calling"] is True
    assert info["input_cost_per_token"] is None
    result = calculator.compute_cost(
        model="claude-newfamily-5",
        custom_llm_provider="anthropic",
        call_type="completion",
        usage={"prompt_tokens": 1, "completion_tokens": 1},
    )
    assert result.response_cost is None
    assert "claude-newfamily-5" in result.failure_reason


def test_alias_map_renames_before_lookup():
    info = model_info.get_model_info("my-alias", model_alias_map={"my-alias": "gpt-4o-mini"})
    assert info["key"] == "gpt-4o-mini"


def test_settings_alias_map_is_the_default(monkeypatch):
    from litellm.core.settings import settings

    monkeypatch.setattr(settings, "model_alias_map", {"house-model": "gpt-4.1"})
    assert model_info.get_model_info("house-model")["key"] == "gpt-4.1"


def test_base_model_answers_for_a_deployment_name():
    info = model_info.get_model_info("my-deployment", custom_llm_provider="azure", base_model="azure/gpt-4o")
    assert info["key"] == "azure/gpt-4o"


def test_max_tokens_is_the_output_limit_and_unknown_raises():
    assert model_info.get_max_tokens("gpt-4o") == 16384
    with pytest.raises(ModelNotMappedError):
        model_info.get_max_tokens("no-such-model-xyz")


@pytest.mark.parametrize(
    ("function", "model", "expected"),
    [
        ("supports_function_calling", "gpt-4o", True),
        ("supports_parallel_function_calling", "gpt-4o", True),
        ("supports_vision", "gpt-4o", True),
        ("supports_vision", "text-embedding-3-small", False),
        ("supports_pdf_input", "claude-sonnet-4-5", True),
        ("supports_audio_input", "gpt-audio", True),
        ("supports_audio_output", "azure/gpt-audio", True),
        ("supports_audio_output", "gpt-4o", False),
        ("supports_web_search", "gpt-4o-search-preview", True),
        ("supports_response_schema", "gpt-4o", True),
        ("supports_prompt_caching", "claude-sonnet-4-5", True),
        ("supports_reasoning", "o3", True),
        ("supports_reasoning", "gpt-4o", False),
        ("supports_system_messages", "gpt-4o", True),
        ("supports_tool_choice", "gpt-4o", True),
        ("supports_function_calling", "no-such-model-xyz", False),
    ],
)
def test_supports_functions_read_the_capability_flags(function, model, expected):
    assert getattr(model_info, function)(model) is expected


def test_supports_function_accepts_a_provider():
    assert model_info.supports_vision("claude-opus-4-5", custom_llm_provider="vertex_ai") is True
    assert model_info.supports_vision("gpt-4o", custom_llm_provider="anthropic") is False


def test_completion_cost_for_unknown_model_raises_a_clear_error():
    with pytest.raises(ModelNotMappedError) as caught:
        calculator.completion_cost(model="openai/not-a-real-model", prompt="hi", completion="there")
    assert "not-a-real-model" in str(caught.value)
    assert "register_model" in str(caught.value)


def test_compute_cost_for_unknown_model_is_null_with_a_reason_never_zero():
    result = calculator.compute_cost(
        model="not-a-real-model",
        custom_llm_provider="openai",
        call_type="completion",
        usage={"prompt_tokens": 10, "completion_tokens": 10},
    )
    assert result.response_cost is None
    assert result.breakdown["total_cost"] is None
    assert result.model_map_key is None
    assert "not-a-real-model" in result.failure_reason


def test_compute_cost_never_raises_on_garbage_usage():
    result = calculator.compute_cost(
        model="gpt-4o", custom_llm_provider="openai", call_type="completion", usage={"prompt_tokens": "lots"}
    )
    assert result.response_cost == 0.0


def test_compute_cost_names_the_entry_it_used():
    result = calculator.compute_cost(
        model="gpt-4o", custom_llm_provider="openai", call_type="completion", usage={"prompt_tokens": 1}
    )
    assert result.model_map_key == "gpt-4o"
    assert result.model_map_value["litellm_provider"] == "openai"


def test_cost_per_token_returns_prompt_and_completion_cost():
    prompt, completion = calculator.cost_per_token("gpt-4o", prompt_tokens=1000, completion_tokens=500)
    assert prompt == pytest.approx(1000 * 2.5e-06)
    assert completion == pytest.approx(500 * 1e-05)


def test_cost_per_token_counts_anthropic_cache_tokens_on_top_of_prompt_tokens():
    prompt, completion = calculator.cost_per_token(
        "claude-sonnet-4-5",
        prompt_tokens=100,
        completion_tokens=10,
        custom_llm_provider="anthropic",
        cache_read_input_tokens=1000,
        cache_creation_input_tokens=200,
    )
    assert prompt == pytest.approx(100 * 3e-06 + 1000 * 3e-07 + 200 * 3.75e-06)
    assert completion == pytest.approx(10 * 1.5e-05)


def test_cost_per_token_custom_prices():
    prompt, completion = calculator.cost_per_token(
        "whatever",
        prompt_tokens=10,
        completion_tokens=20,
        custom_cost_per_token={"input_cost_per_token": 1.0, "output_cost_per_token": 2.0},
    )
    assert (prompt, completion) == (10.0, 40.0)


class _Usage:
    def __init__(self, **kw):
        self.__dict__.update(kw)


class _Response:
    def __init__(self, model, usage, provider=None):
        self.model = model
        self.usage = usage
        self._hidden_params = {"custom_llm_provider": provider} if provider else {}


def test_completion_cost_reads_a_duck_typed_response():
    response = _Response("claude-sonnet-4-5", _Usage(prompt_tokens=1000, completion_tokens=100), "anthropic")
    assert calculator.completion_cost(completion_response=response) == pytest.approx(
        1000 * 3e-06 + 100 * 1.5e-05
    )


def test_completion_cost_reads_a_dict_response():
    response = {"model": "gpt-4o", "usage": {"prompt_tokens": 1000, "completion_tokens": 100}}
    assert calculator.completion_cost(completion_response=response) == pytest.approx(
        1000 * 2.5e-06 + 100 * 1e-05
    )


def test_completion_cost_counts_tokens_when_no_usage():
    from litellm.cost import tokens

    prompt = "Hello there, how are you doing today?"
    completion = "I am fine, thank you very much."
    expected = tokens.token_counter(model="gpt-4o", text=prompt) * 2.5e-06
    expected += tokens.token_counter(model="gpt-4o", text=completion) * 1e-05
    assert calculator.completion_cost(model="gpt-4o", prompt=prompt, completion=completion) == pytest.approx(
        expected
    )


def test_completion_cost_for_image_speech_and_transcription():
    assert calculator.completion_cost(
        model="gpt-image-1", call_type="image_generation", size="1024x1536", quality="high", n=1
    ) == pytest.approx(0.25)
    assert calculator.completion_cost(model="tts-1", call_type="speech", prompt="x" * 200) == pytest.approx(
        200 * 1.5e-05
    )
    assert calculator.completion_cost(
        model="whisper-1", call_type="transcription", audio_transcription_file_duration=12.0
    ) == pytest.approx(12.0 * 0.0001)


def test_completion_cost_rerank_uses_billed_search_units():
    response = {"results": [], "meta": {"billed_units": {"search_units": 2}}}
    cost = calculator.completion_cost(
        completion_response=response,
        model="rerank-english-v3.0",
        custom_llm_provider="cohere",
        call_type="rerank",
    )
    assert cost == pytest.approx(2 * 0.002)
