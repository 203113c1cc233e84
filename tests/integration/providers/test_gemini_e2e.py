"""Gemini (AI Studio) through litellm.completion / acompletion / embedding against the fake provider's
Gemini wire (generateContent, streamGenerateContent?alt=sse, batchEmbedContents)."""

from __future__ import annotations

import asyncio
import json

import pytest

from litellm.calls.pipeline import acompletion, aembedding, completion, embedding
from litellm.core import exceptions

pytestmark = pytest.mark.integration

MODEL = "gemini/gemini-2.5-flash"
MSGS = [{"role": "user", "content": "hello"}]
REPLY = "Hello from the fake provider! This reply is deterministic."
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


@pytest.fixture(autouse=True)
def _no_google_env(monkeypatch):
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "PALM_API_KEY", "GEMINI_API_BASE"):
        monkeypatch.delenv(name, raising=False)


def _last(fake_provider):
    return fake_provider.requests[-1]


def test_completion_round_trip_priced(fake_provider, fake_url, fake_key):
    response = completion(
        MODEL,
        messages=[{"role": "system", "content": "be brief"}, *MSGS],
        api_base=fake_url,
        api_key=fake_key,
        max_tokens=50,
        temperature=0.2,
    )
    assert response.choices[0].message.content == REPLY
    assert response.choices[0].finish_reason == "stop"
    sent = _last(fake_provider)
    assert sent["path"] == "/v1beta/models/gemini-2.5-flash:generateContent"
    assert sent["headers"]["x-goog-api-key"] == fake_key
    assert "key" not in sent["query"]
    assert sent["json"]["systemInstruction"] == {"parts": [{"text": "be brief"}]}
    assert sent["json"]["generationConfig"] == {"temperature": 0.2, "maxOutputTokens": 50}
    usage = response.usage
    assert usage.completion_tokens == 9 and usage.total_tokens == usage.prompt_tokens + 9
    assert response._hidden_params["response_cost"] == pytest.approx(usage.prompt_tokens * 3e-7 + 9 * 2.5e-6)


def test_key_from_env(fake_provider, fake_url, monkeypatch):
    monkeypatch.setenv("GOOGLE_API_KEY", "env-google-key")
    completion(MODEL, messages=MSGS, api_base=fake_url)
    assert _last(fake_provider)["headers"]["x-goog-api-key"] == "env-google-key"


def test_missing_key_fails_before_any_request(fake_provider, fake_url):
    before = len(fake_provider.requests)
    with pytest.raises(exceptions.AuthenticationError, match="GEMINI_API_KEY"):
        completion(MODEL, messages=MSGS, api_base=fake_url)
    assert len(fake_provider.requests) == before


def test_stream_with_usage_and_thinking(fake_url, fake_key):
    stream = completion(
        MODEL,
        messages=MSGS,
        api_base=fake_url,
        api_key=fake_key,
        stream=True,
        reasoning_effort="low",
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    thoughts = "".join(
        getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in chunks if c.choices
    )
    assert text == REPLY
    assert thoughts == "Let me think about this step by step."
    usage = [c.usage for c in chunks if getattr(c, "usage", None)][-1]
    assert usage.completion_tokens == 9 + 8
    assert usage.completion_tokens_details.reasoning_tokens == 8


def test_tool_call_and_follow_up_turn(fake_provider, fake_url, fake_key):
    first = completion(
        MODEL, messages=MSGS, api_base=fake_url, api_key=fake_key, tools=[WEATHER], tool_choice="required"
    )
    call = first.choices[0].message.tool_calls[0]
    assert first.choices[0].finish_reason == "tool_calls"
    assert call.function.name == "get_weather" and json.loads(call.function.arguments) == {"city": "fake"}
    assert _last(fake_provider)["json"]["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}
    follow = [
        *MSGS,
        first.choices[0].message.model_dump(),
        {"role": "tool", "tool_call_id": call.id, "content": "sunny"},
    ]
    second = completion(MODEL, messages=follow, api_base=fake_url, api_key=fake_key, tools=[WEATHER])
    assert second.choices[0].message.content == REPLY
    contents = _last(fake_provider)["json"]["contents"]
    assert contents[1]["parts"][0]["functionCall"] == {"name": "get_weather", "args": {"city": "fake"}}
    assert contents[1]["parts"][0]["thoughtSignature"].startswith(
        "fakesig_"
    )  # echoed back as Gemini 3 requires
    assert contents[2]["parts"][0]["functionResponse"] == {
        "name": "get_weather",
        "response": {"content": "sunny"},
    }


def test_json_schema_response(fake_provider, fake_url, fake_key):
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "n": {"type": "integer"}},
        "required": ["city", "n"],
    }
    response = completion(
        MODEL,
        messages=MSGS,
        api_base=fake_url,
        api_key=fake_key,
        response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": schema}},
    )
    assert json.loads(response.choices[0].message.content) == {"city": "fake", "n": 1}
    assert _last(fake_provider)["json"]["generationConfig"]["responseJsonSchema"] == schema


def test_web_search_is_grounded(fake_provider, fake_url, fake_key):
    response = completion(MODEL, messages=MSGS, api_base=fake_url, api_key=fake_key, web_search_options={})
    assert {"googleSearch": {}} in _last(fake_provider)["json"]["tools"]
    assert response.vertex_ai_grounding_metadata[0]["webSearchQueries"] == ["fake provider search"]


@pytest.mark.parametrize(
    ("model", "key", "error"),
    [
        ("gemini/fake-error-429", None, exceptions.RateLimitError),
        ("gemini/fake-error-404", None, exceptions.NotFoundError),
        ("gemini/fake-error-503", None, exceptions.ServiceUnavailableError),
        ("gemini/fake-context-window", None, exceptions.ContextWindowExceededError),
        (MODEL, "invalid-key", exceptions.AuthenticationError),
    ],
)
def test_errors_map_to_litellm_exceptions(fake_url, fake_key, model, key, error):
    with pytest.raises(error) as info:
        completion(model, messages=MSGS, api_base=fake_url, api_key=key or fake_key)
    assert info.value.llm_provider == "gemini"
    assert (key or fake_key) not in str(info.value)


def test_retry_after_transient_failures(fake_url, fake_key):
    response = completion(
        MODEL,
        messages=MSGS,
        api_base=fake_url,
        api_key=fake_key,
        num_retries=2,
        extra_headers={
            "x-fake-fail-times": "2",
            "x-fake-key": fake_key,
            "x-fake-error": "503",
            "x-fake-retry-after-ms": "1",
        },
    )
    assert response.choices[0].message.content == REPLY


def test_stream_cut_mid_way_raises(fake_url, fake_key):
    stream = completion(
        MODEL,
        messages=MSGS,
        api_base=fake_url,
        api_key=fake_key,
        stream=True,
        extra_headers={"x-fake-stream-error-after": "3"},
    )
    with pytest.raises(exceptions.ServiceUnavailableError):
        list(stream)


def test_async_plain_and_streamed(fake_url, fake_key):
    async def run():
        plain = await acompletion(MODEL, messages=MSGS, api_base=fake_url, api_key=fake_key)
        stream = await acompletion(MODEL, messages=MSGS, api_base=fake_url, api_key=fake_key, stream=True)
        chunks = [c async for c in stream]
        return plain, chunks

    plain, chunks = asyncio.run(run())
    assert plain.choices[0].message.content == REPLY
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == REPLY


def test_embeddings(fake_provider, fake_url, fake_key):
    response = embedding(
        "gemini/gemini-embedding-001", input=["a", "b"], api_base=fake_url, api_key=fake_key, dimensions=8
    )
    assert [len(d["embedding"]) for d in response.data] == [8, 8]
    sent = _last(fake_provider)
    assert sent["path"] == "/v1beta/models/gemini-embedding-001:batchEmbedContents"
    assert sent["json"]["requests"][0] == {
        "model": "models/gemini-embedding-001",
        "outputDimensionality": 8,
        "content": {"parts": [{"text": "a"}]},
    }

    async def run():
        return await aembedding("gemini/gemini-embedding-001", input="c", api_base=fake_url, api_key=fake_key)

    assert len(asyncio.run(run()).data) == 1


def test_imagen_on_the_gemini_api(fake_provider, fake_url, fake_key):
    from litellm.calls.images import image_generation

    response = image_generation(
        model="gemini/imagen-3.0-generate-001", prompt="a cat", n=2, api_base=fake_url, api_key=fake_key
    )
    assert len(response.data) == 2 and response.data[0].b64_json
    sent = _last(fake_provider)
    assert sent["path"] == "/v1beta/models/imagen-3.0-generate-001:predict"
    assert sent["headers"]["x-goog-api-key"] == fake_key
    assert response._hidden_params["response_cost"] == pytest.approx(
        2 * 0.04
    )  # per image, from the price map
