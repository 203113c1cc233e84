"""Cohere (cohere/ and cohere_chat/) through the pipeline against the fake provider's Cohere v2 wire."""

from __future__ import annotations

import asyncio
import json

import pytest

from litellm.calls.pipeline import acompletion, completion, embedding
from litellm.core import exceptions

pytestmark = pytest.mark.integration

MODEL = "cohere_chat/command-a-03-2025"
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
def _no_env(monkeypatch):
    for name in ("COHERE_API_KEY", "CO_API_KEY", "COHERE_API_BASE"):
        monkeypatch.delenv(name, raising=False)


def _last(fake_provider):
    return fake_provider.requests[-1]


@pytest.mark.parametrize("model", [MODEL, "cohere/command-a-03-2025"])
def test_chat_round_trip_priced(fake_provider, fake_url, fake_key, model):
    response = completion(model, messages=MSGS, api_base=fake_url, api_key=fake_key, max_tokens=40, top_p=0.5)
    assert response.choices[0].message.content == REPLY
    sent = _last(fake_provider)
    assert sent["path"] == "/v2/chat"
    assert sent["headers"]["authorization"] == f"Bearer {fake_key}"
    assert sent["json"] == {"model": "command-a-03-2025", "messages": MSGS, "p": 0.5, "max_tokens": 40}
    assert response.usage.completion_tokens == 9
    expected = response.usage.prompt_tokens * 2.5e-6 + 9 * 1e-5
    assert response._hidden_params["response_cost"] == pytest.approx(expected)


def test_key_from_co_api_key(fake_provider, fake_url, monkeypatch):
    monkeypatch.setenv("CO_API_KEY", "co-env")
    completion(MODEL, messages=MSGS, api_base=fake_url)
    assert _last(fake_provider)["headers"]["authorization"] == "Bearer co-env"


def test_missing_key(fake_url):
    with pytest.raises(exceptions.AuthenticationError, match="COHERE_API_KEY"):
        completion(MODEL, messages=MSGS, api_base=fake_url)


def test_stream_and_async(fake_url, fake_key):
    chunks = list(
        completion(
            MODEL,
            messages=MSGS,
            api_base=fake_url,
            api_key=fake_key,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == REPLY
    assert [c.usage for c in chunks if getattr(c, "usage", None)][-1].completion_tokens == 9

    async def run():
        plain = await acompletion(MODEL, messages=MSGS, api_base=fake_url, api_key=fake_key)
        stream = await acompletion(MODEL, messages=MSGS, api_base=fake_url, api_key=fake_key, stream=True)
        return plain, [c async for c in stream]

    plain, achunks = asyncio.run(run())
    assert plain.choices[0].message.content == REPLY
    assert "".join(c.choices[0].delta.content or "" for c in achunks if c.choices) == REPLY


def test_tools_streamed_and_not(fake_provider, fake_url, fake_key):
    response = completion(
        MODEL, messages=MSGS, api_base=fake_url, api_key=fake_key, tools=[WEATHER], tool_choice="required"
    )
    call = response.choices[0].message.tool_calls[0]
    assert response.choices[0].finish_reason == "tool_calls"
    assert json.loads(call.function.arguments) == {"city": "fake"}
    assert _last(fake_provider)["json"]["tool_choice"] == "REQUIRED"
    chunks = list(
        completion(
            MODEL,
            messages=MSGS,
            api_base=fake_url,
            api_key=fake_key,
            tools=[WEATHER],
            tool_choice="required",
            stream=True,
        )
    )
    args = "".join(
        tc.function.arguments or ""
        for c in chunks
        if c.choices
        for tc in (c.choices[0].delta.tool_calls or ())
    )
    assert json.loads(args) == {"city": "fake"}
    follow = [
        *MSGS,
        response.choices[0].message.model_dump(),
        {"role": "tool", "tool_call_id": call.id, "content": "sunny"},
    ]
    assert (
        completion(MODEL, messages=follow, api_base=fake_url, api_key=fake_key, tools=[WEATHER])
        .choices[0]
        .message.content
        == REPLY
    )
    sent = _last(fake_provider)["json"]["messages"]
    assert sent[1]["tool_plan"] == "I will call get_weather." and sent[2] == {
        "role": "tool",
        "tool_call_id": call.id,
        "content": "sunny",
    }


@pytest.mark.parametrize(
    ("model", "key", "error"),
    [
        ("cohere_chat/fake-error-429", None, exceptions.RateLimitError),
        ("cohere_chat/fake-context-window", None, exceptions.ContextWindowExceededError),
        ("cohere_chat/fake-error-500", None, exceptions.InternalServerError),
        (MODEL, "invalid-key", exceptions.AuthenticationError),
    ],
)
def test_errors(fake_url, fake_key, model, key, error):
    with pytest.raises(error):
        completion(model, messages=MSGS, api_base=fake_url, api_key=key or fake_key)


def test_embed(fake_provider, fake_url, fake_key):
    response = embedding(
        "cohere/embed-english-v3.0",
        input=["hello", "world"],
        api_base=fake_url,
        api_key=fake_key,
        input_type="search_query",
    )
    assert len(response.data) == 2
    sent = _last(fake_provider)
    assert sent["path"] == "/v2/embed"
    assert sent["json"] == {
        "model": "embed-english-v3.0",
        "texts": ["hello", "world"],
        "input_type": "search_query",
        "embedding_types": ["float"],
    }
    assert response.usage.prompt_tokens == 4
