"""Provider adapters through litellm.completion against the fake provider's real wire formats.

What the unit tests prove with recorded fixtures, checked here once end to end: what each adapter puts
on the wire, and how the pipeline returns what the server sends back (thinking, cache tokens, JSON
mode, Azure AD auth and content filters, compatible providers' param renames).
"""

from __future__ import annotations

import json

import pytest

import litellm
from litellm.providers.openai_compat import PROVIDERS

pytestmark = pytest.mark.integration

MSGS = [{"role": "user", "content": "hello"}]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def _last_json(fake_provider) -> dict:
    return fake_provider.requests[-1]["json"]


def _headers(fake_provider) -> dict:
    return {k.lower(): v for k, v in fake_provider.requests[-1]["headers"].items()}


@pytest.mark.parametrize(
    "provider", ["groq", "together_ai", "deepseek", "mistral", "xai", "github", "openrouter"]
)
def test_compatible_provider_round_trip_with_bearer_key_and_its_param_names(
    provider, fake_url, fake_provider
):
    r = litellm.completion(
        model=f"{provider}/some-model",
        messages=MSGS,
        api_base=f"{fake_url}/v1",
        api_key="sk-compat",
        max_completion_tokens=50,
    )
    assert r.choices[0].message.content.startswith("Hello from the fake provider")
    assert r._hidden_params["custom_llm_provider"] == provider
    assert _headers(fake_provider)["authorization"] == "Bearer sk-compat"
    body = _last_json(fake_provider)
    assert body["model"] == "some-model"
    spec_renames = dict(PROVIDERS[provider].renames)
    wire_name = spec_renames.get("max_completion_tokens", "max_completion_tokens")
    assert body[wire_name] == 50


def test_anthropic_reasoning_effort_streams_reasoning_content(fake_url, fake_provider):
    chunks = list(
        litellm.completion(
            model="anthropic/claude-3-7-sonnet-20250219",
            messages=MSGS,
            reasoning_effort="low",
            stream=True,
            api_base=fake_url,
            api_key="sk-ant-test",
        )
    )
    assert _last_json(fake_provider)["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    rebuilt = litellm.stream_chunk_builder(chunks, MSGS)
    assert rebuilt.choices[0].message.reasoning_content.startswith("Let me think")
    assert rebuilt.choices[0].message.content.startswith("Hello from the fake provider")


def test_anthropic_thinking_non_streamed_gives_thinking_blocks(fake_url):
    r = litellm.completion(
        model="anthropic/claude-3-7-sonnet-20250219",
        messages=MSGS,
        thinking={"type": "enabled", "budget_tokens": 2048},
        api_base=fake_url,
        api_key="sk-ant-test",
    )
    message = r.choices[0].message
    assert message.reasoning_content.startswith("Let me think")
    assert message.thinking_blocks[0]["signature"]


def test_anthropic_cache_control_reports_cache_write_then_read(fake_url):
    messages = [
        {
            "role": "system",
            "content": [{"type": "text", "text": "policy " * 400, "cache_control": {"type": "ephemeral"}}],
        },
        {"role": "user", "content": "question for cache test"},
    ]
    kwargs = {
        "model": "anthropic/claude-3-5-sonnet-20241022",
        "api_base": fake_url,
        "api_key": "sk-ant-cache",
    }
    first = litellm.completion(messages=messages, **kwargs)
    second = litellm.completion(messages=messages, **kwargs)
    assert first.usage.cache_creation_input_tokens > 0
    assert second.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    assert second.usage.prompt_tokens_details.cached_tokens == second.usage.cache_read_input_tokens
    assert second.usage.prompt_tokens == first.usage.prompt_tokens


def test_anthropic_json_schema_comes_back_as_json_content(fake_url, fake_provider):
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    r = litellm.completion(
        model="anthropic/claude-3-5-sonnet-20241022",
        messages=MSGS,
        response_format={"type": "json_schema", "json_schema": {"name": "person", "schema": schema}},
        api_base=fake_url,
        api_key="sk-ant-test",
    )
    assert _last_json(fake_provider)["tool_choice"] == {"type": "tool", "name": "json_tool_call"}
    assert json.loads(r.choices[0].message.content) == {"name": "fake"}
    assert r.choices[0].finish_reason == "stop"
    assert not r.choices[0].message.tool_calls


def test_anthropic_context_window_error_is_mapped(fake_url):
    with pytest.raises(litellm.ContextWindowExceededError):
        litellm.completion(
            model="anthropic/fake-context-window", messages=MSGS, api_base=fake_url, api_key="sk-ant-test"
        )


def test_azure_ad_token_authenticates_without_a_key(fake_url, fake_provider, monkeypatch):
    for name in ("AZURE_API_KEY", "AZURE_OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    r = litellm.completion(model="azure/dep1", messages=MSGS, api_base=fake_url, azure_ad_token="eyJ-token")
    assert _headers(fake_provider)["authorization"] == "Bearer eyJ-token"
    assert "api-key" not in _headers(fake_provider)
    assert r.choices[0].message.content


def test_azure_stream_drops_the_filter_chunk(fake_url):
    chunks = list(
        litellm.completion(
            model="azure/dep1", messages=MSGS, stream=True, api_base=fake_url, api_key="az-key"
        )
    )
    assert chunks and all(c.choices for c in chunks)
    assert litellm.stream_chunk_builder(chunks, MSGS).choices[0].message.content.startswith("Hello")


def test_azure_content_filter_is_a_content_policy_violation(fake_url):
    with pytest.raises(litellm.ContentPolicyViolationError):
        litellm.completion(
            model="azure/fake-content-policy", messages=MSGS, api_base=fake_url, api_key="az-key"
        )


@pytest.mark.parametrize("provider", ["hosted_vllm", "lm_studio", "ollama_chat"])
def test_local_servers_need_no_key(provider, fake_url, fake_provider, monkeypatch):
    for name in ("HOSTED_VLLM_API_KEY", "LM_STUDIO_API_KEY", "OLLAMA_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    r = litellm.completion(model=f"{provider}/local-model", messages=MSGS, api_base=f"{fake_url}/v1")
    assert r.choices[0].message.content.startswith("Hello from the fake provider")
    assert "authorization" not in _headers(fake_provider)
