"""The OpenAI wire format: request building per table row, responses, SSE chunks and error mapping."""

from __future__ import annotations

import pytest

from litellm.providers.base import Credentials, StreamErrorEvent
from litellm.providers.openai_compat import PROVIDERS, OpenAICompatAdapter, classify_openai_error
from litellm.providers.registry import get_adapter

from .conftest import joined_arguments, joined_content, load_json, replay

MESSAGES = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]

# facts from LiteLLM 1.110.2's provider configs (base URL, key env var)
EXPECTED_ROWS = {
    "openai": ("https://api.openai.com/v1/chat/completions", "OPENAI_API_KEY"),
    "groq": ("https://api.groq.com/openai/v1/chat/completions", "GROQ_API_KEY"),
    "together_ai": ("https://api.together.ai/v1/chat/completions", "TOGETHER_API_KEY"),
    "deepseek": ("https://api.deepseek.com/beta/chat/completions", "DEEPSEEK_API_KEY"),
    "fireworks_ai": ("https://api.fireworks.ai/inference/v1/chat/completions", "FIREWORKS_API_KEY"),
    "openrouter": ("https://openrouter.ai/api/v1/chat/completions", "OPENROUTER_API_KEY"),
    "mistral": ("https://api.mistral.ai/v1/chat/completions", "MISTRAL_API_KEY"),
    "perplexity": ("https://api.perplexity.ai/chat/completions", "PERPLEXITYAI_API_KEY"),
    "deepinfra": ("https://api.deepinfra.com/v1/openai/chat/completions", "DEEPINFRA_API_KEY"),
    "xai": ("https://api.x.ai/v1/chat/completions", "XAI_API_KEY"),
    "cerebras": ("https://api.cerebras.ai/v1/chat/completions", "CEREBRAS_API_KEY"),
    "sambanova": ("https://api.sambanova.ai/v1/chat/completions", "SAMBANOVA_API_KEY"),
    "nvidia_nim": ("https://integrate.api.nvidia.com/v1/chat/completions", "NVIDIA_NIM_API_KEY"),
    "lm_studio": ("http://localhost:1234/v1/chat/completions", "LM_STUDIO_API_KEY"),
    "github": ("https://models.inference.ai.azure.com/chat/completions", "GITHUB_API_KEY"),
    "anyscale": ("https://api.endpoints.anyscale.com/v1/chat/completions", "ANYSCALE_API_KEY"),
    "friendliai": ("https://api.friendli.ai/serverless/v1/chat/completions", "FRIENDLIAI_API_KEY"),
}


def _build(provider, model="m", params=None, creds=None, stream=False, **kw):
    adapter = get_adapter(provider)
    return adapter.build_request(
        model,
        list(MESSAGES),
        dict(params or {}),
        creds or Credentials(api_key="sk-test"),
        stream=stream,
        **kw,
    )


@pytest.mark.parametrize("provider", sorted(EXPECTED_ROWS))
def test_each_row_posts_to_its_default_base_with_bearer_auth(provider):
    url, key_env = EXPECTED_ROWS[provider]
    request = _build(provider)
    assert request.url == url
    assert request.headers["Authorization"] == "Bearer sk-test"
    assert PROVIDERS[provider].api_key_env == key_env
    assert request.body["messages"] == MESSAGES


@pytest.mark.parametrize("provider", ["hosted_vllm", "databricks", "custom_openai"])
def test_rows_without_a_default_base_need_api_base_and_say_which_env_var(provider):
    from litellm.core.exceptions import BadRequestError

    adapter = get_adapter(provider)
    with pytest.raises(BadRequestError, match=adapter.api_base_env):
        _build(provider)
    request = _build(provider, creds=Credentials(api_key="k", api_base="http://127.0.0.1:8000/v1/"))
    assert request.url == "http://127.0.0.1:8000/v1/chat/completions"


def test_every_row_names_a_key_env_var_and_a_source_or_base():
    for name, spec in PROVIDERS.items():
        assert spec.api_key_env, name
        assert spec.default_api_base or spec.api_base_env, name


def test_local_servers_need_no_key_and_send_no_authorization_header():
    for provider in ("hosted_vllm", "lm_studio", "xinference"):
        adapter = get_adapter(provider)
        assert adapter.api_key_required is False
        assert adapter.api_key_env is None  # the contract's "no key needed"
        assert adapter.env_vars["api_key"] == (PROVIDERS[provider].api_key_env,)
        creds = Credentials(api_key=None, api_base="http://127.0.0.1:9/v1")
        assert adapter.missing_credentials(creds) == []
        request = adapter.build_request("m", [], {}, creds, stream=False)
        assert "Authorization" not in request.headers


def test_ollama_chat_is_the_native_adapter_not_a_table_row():
    # ollama_chat/ speaks Ollama's own /api/chat (litellm.providers.ollama); its OpenAI-compatible /v1
    # endpoint is reached as openai/<model> with api_base
    assert "ollama_chat" not in PROVIDERS
    assert not isinstance(get_adapter("ollama_chat"), OpenAICompatAdapter)
    request = _build("ollama_chat", creds=Credentials(api_base="http://gpu-box:11434"))
    assert request.url == "http://gpu-box:11434/api/chat"


def test_a_base_path_is_added_once():
    request = _build("mistral", creds=Credentials(api_key="k", api_base="https://api.mistral.ai"))
    assert request.url == "https://api.mistral.ai/v1/chat/completions"


def test_openai_body_passes_params_and_provider_specific_keys_through():
    params = {"temperature": 0.2, "top_p": 0.9, "seed": 7, "logit_bias": {"50256": -100}, "top_k": 3}
    body = _build("openai", "gpt-4o", params).body
    assert body == {"model": "gpt-4o", "messages": MESSAGES, **params}


def test_openai_organization_header_is_sent_when_given():
    request = _build("openai", creds=Credentials(api_key="sk", organization="org-123"))
    assert request.headers["OpenAI-Organization"] == "org-123"


def test_stream_sets_stream_true_and_keeps_stream_options():
    body = _build("openai", "gpt-4o", {"stream_options": {"include_usage": True}}, stream=True).body
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


def test_stream_options_are_left_out_of_a_non_streamed_call():
    body = _build("openai", "gpt-4o", {"stream_options": {"include_usage": True}}).body
    assert "stream_options" not in body and "stream" not in body


def test_extra_body_is_merged_into_the_body_and_extra_headers_into_the_headers():
    request = _build(
        "openai",
        "gpt-4o",
        {"temperature": 1},
        extra_body={"guided_json": {"type": "object"}},
        extra_headers={"X-Trace": "t1"},
    )
    assert request.body["guided_json"] == {"type": "object"}
    assert request.headers["X-Trace"] == "t1"


def test_max_completion_tokens_is_renamed_for_providers_that_only_take_max_tokens():
    assert _build("groq", params={"max_completion_tokens": 5}).body["max_tokens"] == 5
    assert "max_completion_tokens" not in _build("groq", params={"max_completion_tokens": 5}).body
    assert _build("together_ai", params={"max_completion_tokens": 5}).body["max_completion_tokens"] == 5


def test_openai_reasoning_models_get_max_completion_tokens():
    for model in ("o1", "o3-mini", "gpt-5"):
        body = _build("openai", model, {"max_tokens": 10}).body
        assert body["max_completion_tokens"] == 10 and "max_tokens" not in body
    assert _build("openai", "gpt-4o", {"max_tokens": 10}).body["max_tokens"] == 10


def test_mistral_renames_seed_and_required_tool_choice():
    body = _build("mistral", "mistral-large-latest", {"seed": 3, "tool_choice": "required"}).body
    assert body["random_seed"] == 3 and "seed" not in body
    assert body["tool_choice"] == "any"


def test_mistral_custom_base_gets_v1():
    assert _build("mistral", creds=Credentials(api_key="k", api_base="https://x.example")).url == (
        "https://x.example/v1/chat/completions"
    )


def test_fireworks_model_ids_get_the_accounts_prefix_once():
    assert _build("fireworks_ai", "llama-v3-70b").body["model"] == "accounts/fireworks/models/llama-v3-70b"
    assert _build("fireworks_ai", "accounts/me/models/x").body["model"] == "accounts/me/models/x"


def test_deepseek_reasoning_effort_switches_thinking_on():
    body = _build("deepseek", "deepseek-reasoner", {"reasoning_effort": "low"}).body
    assert body["thinking"] == {"type": "enabled"} and body["reasoning_effort"] == "low"


def test_openrouter_asks_for_usage_accounting_unless_the_caller_set_it():
    assert _build("openrouter", "openai/gpt-4o").body["usage"] == {"include": True}
    assert _build("openrouter", "x", {"usage": {"include": False}}).body["usage"] == {"include": False}


def test_pydantic_response_format_becomes_a_json_schema():
    from pydantic import BaseModel

    class Answer(BaseModel):
        value: int

    body = _build("openai", "gpt-4o", {"response_format": Answer}).body
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["name"] == "Answer"
    assert body["response_format"]["json_schema"]["schema"]["properties"]["value"]["type"] == "integer"


# ---- responses -------------------------------------------------------------------------------------


def test_chat_completion_fixture_passes_through_with_usage_details():
    adapter = get_adapter("openai")
    out = adapter.parse_response("gpt-4o", load_json("openai", "chat_completion.json"))
    assert out["id"] == "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG"
    assert out["model"] == "gpt-4o-2024-08-06"
    assert out["system_fingerprint"] == "fp_fc9f1d7035"
    assert out["choices"][0]["message"]["content"].startswith("The image shows")
    assert out["usage"]["prompt_tokens_details"]["cached_tokens"] == 1024


def test_tool_call_response_keeps_arguments_as_a_json_string():
    out = get_adapter("openai").parse_response(
        "gpt-4o-mini", load_json("openai", "chat_completion_tool_calls.json")
    )
    choice = out["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    call = choice["message"]["tool_calls"][0]
    assert call["function"]["name"] == "get_current_weather"
    assert isinstance(call["function"]["arguments"], str)


def test_reasoning_field_is_exposed_as_reasoning_content():
    out = get_adapter("openrouter").parse_response(
        "deepseek/deepseek-r1", load_json("openai", "chat_completion_reasoning.json")
    )
    assert out["choices"][0]["message"]["reasoning_content"] == "Compare the tenths digit: 1 < 9."


def test_response_missing_id_created_model_gets_them_filled():
    out = get_adapter("hosted_vllm").parse_response("my-model", {"choices": []})
    assert out["model"] == "my-model" and out["object"] == "chat.completion"
    assert out["id"] and out["created"] > 0


# ---- streaming -------------------------------------------------------------------------------------


def test_text_stream_yields_content_then_finish_then_usage_and_ignores_done():
    adapter = get_adapter("openai")
    chunks = replay(adapter, "gpt-4o-mini", "openai", "stream_text.sse")
    assert len(chunks) == 5
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert joined_content(chunks) == "Hello!"
    assert chunks[3]["choices"][0]["finish_reason"] == "stop"
    assert chunks[4]["choices"] == [] and chunks[4]["usage"]["total_tokens"] == 11
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)


def test_tool_call_stream_keeps_id_and_name_first_then_argument_fragments():
    chunks = replay(get_adapter("openai"), "gpt-4o", "openai", "stream_tool_calls.sse")
    first = chunks[0]["choices"][0]["delta"]["tool_calls"][0]
    assert (first["id"], first["function"]["name"]) == ("call_DdmO9pD3xa9XTPNJ32zg2hcA", "get_weather")
    assert joined_arguments(chunks) == '{"location":"Paris, France"}'
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_in_stream_error_object_raises_stream_error_event():
    adapter = get_adapter("openai")
    with pytest.raises(StreamErrorEvent) as info:
        replay(adapter, "gpt-4o-mini", "openai", "stream_error.sse")
    assert info.value.status_code == 500
    assert info.value.body["error"]["type"] == "server_error"


def test_stream_chunks_missing_id_and_model_get_them_from_the_state():
    adapter = get_adapter("lm_studio")
    state = adapter.new_stream_state("local-model")
    (chunk,) = adapter.parse_stream_event(state, None, '{"choices":[{"index":0,"delta":{"content":"x"}}]}')
    assert chunk["model"] == "local-model" and chunk["created"] == state.created and chunk["id"]


# ---- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", load_json("openai", "errors.json"), ids=lambda c: c["name"])
def test_openai_error_bodies_map_to_the_documented_exception_kind(case):
    info = get_adapter("openai").classify_error(case["status"], case["body"], {})
    assert info.kind == case["kind"]
    assert info.message


def test_error_message_is_the_providers_message():
    info = classify_openai_error(429, {"error": {"message": "slow down", "code": "rate_limit_exceeded"}})
    assert info.message == "slow down"


def test_error_messages_never_carry_a_key():
    body = {
        "error": {
            "message": "Incorrect API key provided: sk-proj-REALKEY1234567890abcd.",
            "code": "invalid_api_key",
        }
    }
    info = classify_openai_error(401, body)
    assert "REALKEY1234567890" not in info.message


def test_every_compat_row_classifies_errors_the_same_way():
    for name in PROVIDERS:
        adapter = get_adapter(name)
        assert isinstance(adapter, OpenAICompatAdapter)
        assert adapter.classify_error(429, {"error": {"message": "x"}}, {}).kind == "RateLimitError"
