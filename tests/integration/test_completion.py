"""litellm.completion / acompletion end to end against the fake provider's real wire formats."""

from __future__ import annotations

import asyncio
import gc

import openai
import pytest

import litellm

pytestmark = pytest.mark.integration

MSGS = [{"role": "user", "content": "hello"}]


def _header(fake_provider, name: str) -> str | None:
    headers = {k.lower(): v for k, v in fake_provider.requests[-1]["headers"].items()}
    return headers.get(name)


def oa(fake_url: str) -> dict:
    return {"api_base": f"{fake_url}/v1", "api_key": "sk-test"}


def test_openai_completion_returns_openai_format_with_hidden_params(fake_url):
    r = litellm.completion(model="openai/gpt-4o-mini", messages=MSGS, **oa(fake_url))
    assert isinstance(r, litellm.ModelResponse)
    assert r.object == "chat.completion"
    assert r.choices[0].message.content.startswith("Hello from the fake provider")
    assert r["choices"][0]["message"]["role"] == "assistant"
    assert r.choices[0].finish_reason == "stop"
    assert r.usage.prompt_tokens > 0 and r.usage.completion_tokens == 9
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    assert r._hidden_params["custom_llm_provider"] == "openai"
    assert r._hidden_params["api_base"] == f"{fake_url}/v1"
    assert r._response_ms > 0
    # priced from the price map (gpt-4o-mini is a known model)
    assert r._hidden_params["response_cost"] > 0
    assert r.model_dump()["choices"][0]["message"]["content"] == r.choices[0].message.content


def test_request_body_carries_openai_params_and_provider_specific_ones(fake_url, fake_provider):
    litellm.completion(
        model="openai/gpt-4o-mini",
        messages=MSGS,
        temperature=0.3,
        max_tokens=50,
        seed=7,
        user="u-1",
        top_k=5,  # provider-specific: passed through untouched
        extra_body={"custom_field": True},
        **oa(fake_url),
    )
    body = fake_provider.requests[-1]["json"]
    assert body["temperature"] == 0.3 and body["max_tokens"] == 50 and body["seed"] == 7
    assert body["user"] == "u-1" and body["top_k"] == 5 and body["custom_field"] is True
    assert body["model"] == "gpt-4o-mini"
    headers = {k.lower(): v for k, v in fake_provider.requests[-1]["headers"].items()}
    assert headers["authorization"] == "Bearer sk-test"


def test_bare_known_model_name_resolves_to_its_provider(fake_url):
    r = litellm.completion(model="gpt-4o-mini", messages=MSGS, **oa(fake_url))
    assert r._hidden_params["custom_llm_provider"] == "openai"


def test_stream_yields_openai_chunks_and_usage_when_asked(fake_url):
    stream = litellm.completion(
        model="openai/gpt-4o-mini",
        messages=MSGS,
        stream=True,
        stream_options={"include_usage": True},
        **oa(fake_url),
    )
    chunks = list(stream)
    assert all(isinstance(c, litellm.ModelResponseStream) for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith("Hello from the fake provider")
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 9
    rebuilt = litellm.stream_chunk_builder(chunks, messages=MSGS)
    assert rebuilt.choices[0].message.content == text
    assert rebuilt.usage.completion_tokens == 9


def test_stream_hides_the_usage_chunk_we_asked_for_ourselves(fake_url, fake_provider):
    chunks = list(litellm.completion(model="openai/gpt-4o-mini", messages=MSGS, stream=True, **oa(fake_url)))
    assert all(c.choices for c in chunks)
    # we asked the provider for usage (exact cost) without changing what the caller sees
    assert fake_provider.requests[-1]["json"]["stream_options"] == {"include_usage": True}


def test_closing_a_stream_early_releases_the_connection(fake_url):
    stream = litellm.completion(
        model="openai/gpt-4o-mini",
        messages=MSGS,
        stream=True,
        extra_headers={"x-fake-chunks": "200"},
        **oa(fake_url),
    )
    first = next(iter(stream))
    assert first.choices[0].delta.role == "assistant"
    stream.close()
    with pytest.raises(StopIteration):
        next(stream)
    # the pool is still usable for a new call
    assert litellm.completion(model="openai/gpt-4o-mini", messages=MSGS, **oa(fake_url)).choices


def test_acompletion_and_async_stream(fake_url):
    async def run():
        r = await litellm.acompletion(model="openai/gpt-4o-mini", messages=MSGS, **oa(fake_url))
        s = await litellm.acompletion(model="openai/gpt-4o-mini", messages=MSGS, stream=True, **oa(fake_url))
        parts = [c.choices[0].delta.content or "" async for c in s if c.choices]
        return r, "".join(parts)

    r, text = asyncio.run(run())
    assert r.choices[0].message.content == text


def test_acompletion_many_concurrent_calls(fake_url):
    async def run():
        return await asyncio.gather(
            *[
                litellm.acompletion(model="openai/gpt-4o-mini", messages=MSGS, **oa(fake_url))
                for _ in range(64)
            ]
        )

    results = asyncio.run(run())
    assert len({r.id for r in results}) == 64


def test_anthropic_messages_api_round_trip(fake_url, fake_provider):
    r = litellm.completion(
        model="anthropic/claude-3-5-sonnet-20241022",
        messages=[{"role": "system", "content": "be brief"}, *MSGS],
        api_base=fake_url,
        api_key="sk-ant-test",
    )
    req = fake_provider.requests[-1]
    assert req["path"].endswith("/v1/messages")
    assert req["json"]["system"] in ("be brief", [{"type": "text", "text": "be brief"}])
    assert req["json"]["max_tokens"] > 0
    headers = {k.lower(): v for k, v in req["headers"].items()}
    assert headers["x-api-key"] == "sk-ant-test" and "anthropic-version" in headers
    assert r.choices[0].message.content.startswith("Hello from the fake provider")
    assert r._hidden_params["custom_llm_provider"] == "anthropic"


def test_anthropic_stream_with_tool_call(fake_url):
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                },
            },
        }
    ]
    chunks = list(
        litellm.completion(
            model="anthropic/claude-3-5-sonnet-20241022",
            messages=MSGS,
            tools=tools,
            tool_choice="required",
            stream=True,
            api_base=fake_url,
            api_key="sk-ant-test",
        )
    )
    rebuilt = litellm.stream_chunk_builder(chunks, MSGS)
    call = rebuilt.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert '"city"' in call.function.arguments
    assert rebuilt.choices[0].finish_reason == "tool_calls"


def test_azure_deployment_uses_api_key_header_and_version(fake_url, fake_provider):
    r = litellm.completion(
        model="azure/my-deployment",
        messages=MSGS,
        api_base=fake_url,
        api_key="az-key",
        api_version="2024-10-21",
    )
    req = fake_provider.requests[-1]
    assert "/openai/deployments/my-deployment/chat/completions" in req["path"]
    assert "api-version=2024-10-21" in req["path"] or req.get("query", {}).get("api-version") == "2024-10-21"
    headers = {k.lower(): v for k, v in req["headers"].items()}
    assert headers["api-key"] == "az-key"
    assert r.choices[0].message.content


@pytest.mark.parametrize(
    ("status", "cls", "openai_cls"),
    [
        ("400", litellm.BadRequestError, openai.BadRequestError),
        ("401", litellm.AuthenticationError, openai.AuthenticationError),
        ("403", litellm.PermissionDeniedError, openai.PermissionDeniedError),
        ("404", litellm.NotFoundError, openai.NotFoundError),
        ("422", litellm.UnprocessableEntityError, openai.UnprocessableEntityError),
        ("429", litellm.RateLimitError, openai.RateLimitError),
        ("500", litellm.InternalServerError, openai.InternalServerError),
        ("503", litellm.ServiceUnavailableError, openai.APIStatusError),
        ("context_window", litellm.ContextWindowExceededError, openai.BadRequestError),
        ("content_policy", litellm.ContentPolicyViolationError, openai.BadRequestError),
    ],
)
def test_errors_map_to_litellm_and_openai_classes(fake_url, status, cls, openai_cls):
    with pytest.raises(cls) as info:
        litellm.completion(
            model="openai/gpt-4o-mini", messages=MSGS, extra_headers={"x-fake-error": status}, **oa(fake_url)
        )
    err = info.value
    assert isinstance(err, openai_cls) and isinstance(err, openai.OpenAIError)
    assert err.llm_provider == "openai" and err.model == "gpt-4o-mini"
    assert "sk-test" not in str(err)


def test_anthropic_errors_map_by_their_type(fake_url):
    with pytest.raises(litellm.RateLimitError):
        litellm.completion(
            model="anthropic/claude-3-5-sonnet-20241022",
            messages=MSGS,
            api_base=fake_url,
            api_key="k",
            extra_headers={"x-fake-error": "429"},
        )
    with pytest.raises(litellm.ContextWindowExceededError):
        litellm.completion(
            model="anthropic/claude-3-5-sonnet-20241022",
            messages=MSGS,
            api_base=fake_url,
            api_key="k",
            extra_headers={"x-fake-error": "context_window"},
        )


def test_midstream_disconnect_is_mapped(fake_url):
    stream = litellm.completion(
        model="openai/gpt-4o-mini",
        messages=MSGS,
        stream=True,
        extra_headers={"x-fake-stream-disconnect-after": "3"},
        **oa(fake_url),
    )
    with pytest.raises(openai.OpenAIError):
        list(stream)


def test_anthropic_in_stream_error_event_is_mapped(fake_url):
    stream = litellm.completion(
        model="anthropic/claude-3-5-sonnet-20241022",
        messages=MSGS,
        stream=True,
        api_base=fake_url,
        api_key="k",
        extra_headers={"x-fake-stream-error-after": "3"},
    )
    with pytest.raises(openai.APIStatusError) as info:
        list(stream)
    assert "overloaded" in str(info.value).lower()


def test_retries_recover_from_429_honouring_retry_after(fake_url, fake_key, fake_provider):
    r = litellm.completion(
        model="openai/gpt-4o-mini",
        messages=MSGS,
        num_retries=3,
        extra_headers={
            "x-fake-fail-times": "2",
            "x-fake-key": fake_key,
            "x-fake-error": "429",
            "x-fake-retry-after-ms": "10",
        },
        **oa(fake_url),
    )
    assert r.choices[0].message.content
    assert (
        len(
            [
                q
                for q in fake_provider.requests
                if {k.lower(): v for k, v in q["headers"].items()}.get("x-fake-key") == fake_key
            ]
        )
        == 3
    )


def test_no_retry_on_400(fake_url, fake_key, fake_provider):
    with pytest.raises(litellm.BadRequestError):
        litellm.completion(
            model="openai/gpt-4o-mini",
            messages=MSGS,
            num_retries=3,
            extra_headers={"x-fake-fail-times": "1", "x-fake-key": fake_key, "x-fake-error": "400"},
            **oa(fake_url),
        )
    assert (
        len(
            [
                q
                for q in fake_provider.requests
                if {k.lower(): v for k, v in q["headers"].items()}.get("x-fake-key") == fake_key
            ]
        )
        == 1
    )


def test_retries_exhausted_report_the_count(fake_url, fake_key):
    with pytest.raises(litellm.InternalServerError) as info:
        litellm.completion(
            model="openai/gpt-4o-mini",
            messages=MSGS,
            num_retries=2,
            extra_headers={"x-fake-fail-times": "5", "x-fake-key": fake_key, "x-fake-retry-after-ms": "1"},
            **oa(fake_url),
        )
    assert info.value.num_retries == 2


def test_timeout_raises_litellm_timeout(fake_url):
    with pytest.raises(litellm.Timeout) as info:
        litellm.completion(
            model="openai/gpt-4o-mini",
            messages=MSGS,
            timeout=0.3,
            extra_headers={"x-fake-hang": "5"},
            **oa(fake_url),
        )
    assert isinstance(info.value, openai.APITimeoutError)


def test_async_timeout_raises_litellm_timeout(fake_url):
    async def run():
        await litellm.acompletion(
            model="openai/gpt-4o-mini",
            messages=MSGS,
            timeout=0.3,
            extra_headers={"x-fake-hang": "5"},
            **oa(fake_url),
        )

    with pytest.raises(litellm.Timeout):
        asyncio.run(run())


def test_connection_refused_is_api_connection_error():
    with pytest.raises(litellm.APIConnectionError):
        litellm.completion(
            model="openai/gpt-4o-mini", messages=MSGS, api_base="http://127.0.0.1:9/v1", api_key="k"
        )


def test_missing_key_names_the_env_var_before_any_request(fake_url, fake_provider, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(litellm.AuthenticationError) as info:
        litellm.completion(model="anthropic/claude-3-5-sonnet-20241022", messages=MSGS, api_base=fake_url)
    assert "ANTHROPIC_API_KEY" in str(info.value)
    assert fake_provider.requests == []


def test_key_from_module_setting_then_env(fake_url, fake_provider, monkeypatch):
    monkeypatch.setenv("GROQ_API_KEY", "gsk-env")
    litellm.completion(model="groq/llama-3.1-8b-instant", messages=MSGS, api_base=f"{fake_url}/v1")
    assert _header(fake_provider, "authorization") == "Bearer gsk-env"
    litellm.api_key = "sk-module"
    litellm.completion(model="groq/llama-3.1-8b-instant", messages=MSGS, api_base=f"{fake_url}/v1")
    assert _header(fake_provider, "authorization") == "Bearer sk-module"


def test_unknown_provider_lists_known_ones():
    with pytest.raises(litellm.BadRequestError) as info:
        litellm.completion(model="nosuchprovider/some-model", messages=MSGS, api_key="k")
    assert "anthropic" in str(info.value) and "groq" in str(info.value)


def test_unsupported_param_raises_unless_dropped(fake_url, fake_provider):
    kwargs = {
        "model": "anthropic/claude-3-5-sonnet-20241022",
        "messages": MSGS,
        "api_base": fake_url,
        "api_key": "k",
    }
    with pytest.raises(litellm.UnsupportedParamsError) as info:
        litellm.completion(logit_bias={"1": 1}, **kwargs)
    assert "drop_params" in str(info.value)
    litellm.completion(logit_bias={"1": 1}, drop_params=True, **kwargs)
    assert "logit_bias" not in fake_provider.requests[-1]["json"]
    litellm.drop_params = True
    litellm.completion(logit_bias={"1": 1}, **kwargs)


def test_mock_response_string_dict_and_exception():
    r = litellm.completion(model="gpt-4o", messages=MSGS, mock_response="mocked!")
    assert r.choices[0].message.content == "mocked!"
    assert r.usage.total_tokens == 30
    d = litellm.completion(
        model="gpt-4o",
        messages=MSGS,
        mock_response={
            "choices": [{"message": {"role": "assistant", "content": "from dict"}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 2},
        },
    )
    assert d.choices[0].message.content == "from dict" and d.usage.total_tokens == 3
    with pytest.raises(litellm.RateLimitError):
        litellm.completion(
            model="gpt-4o", messages=MSGS, mock_response=litellm.RateLimitError("slow", "openai", "gpt-4o")
        )
    chunks = list(
        litellm.completion(model="gpt-4o", messages=MSGS, mock_response="streamed mock", stream=True)
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "streamed mock"


def test_abandoned_stream_is_collected_without_leaking(fake_url):
    stream = litellm.completion(model="openai/gpt-4o-mini", messages=MSGS, stream=True, **oa(fake_url))
    next(iter(stream))
    del stream
    gc.collect()
    assert litellm.completion(model="openai/gpt-4o-mini", messages=MSGS, **oa(fake_url)).choices


def test_embedding_openai_format(fake_url):
    r = litellm.embedding(model="openai/text-embedding-3-small", input=["a", "b"], **oa(fake_url))
    assert len(r.data) == 2 and r.usage.prompt_tokens > 0
    ra = asyncio.run(litellm.aembedding(model="openai/text-embedding-3-small", input="a", **oa(fake_url)))
    assert len(ra.data) == 1
