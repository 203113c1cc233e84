"""Ollama native (ollama_chat/ -> /api/chat, ollama/ -> /api/generate) through the pipeline against the
fake provider's Ollama wire: JSON replies and NDJSON streams."""

from __future__ import annotations

import asyncio
import json

import pytest

from litellm.calls.pipeline import acompletion, aembedding, completion, embedding
from litellm.core import exceptions

pytestmark = pytest.mark.integration

MSGS = [{"role": "user", "content": "hello"}]
REPLY = "Hello from the fake provider! This reply is deterministic."


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    for name in ("OLLAMA_API_BASE", "OLLAMA_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def _last(fake_provider):
    return fake_provider.requests[-1]


@pytest.mark.parametrize(
    ("model", "path"), [("ollama_chat/llama3.2", "/api/chat"), ("ollama/llama3.2", "/api/generate")]
)
def test_plain_and_streamed_without_a_key(fake_provider, fake_url, model, path):
    response = completion(model, messages=MSGS, api_base=fake_url, max_tokens=50, temperature=0)
    assert response.choices[0].message.content == REPLY
    sent = _last(fake_provider)
    assert sent["path"] == path
    assert "authorization" not in sent["headers"]
    assert sent["json"]["stream"] is False and sent["json"]["options"] == {
        "temperature": 0,
        "num_predict": 50,
    }
    assert response.usage.completion_tokens == 9
    chunks = list(
        completion(
            model, messages=MSGS, api_base=fake_url, stream=True, stream_options={"include_usage": True}
        )
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == REPLY
    assert [c.usage for c in chunks if getattr(c, "usage", None)][-1].completion_tokens == 9
    assert _last(fake_provider)["json"]["stream"] is True


def test_base_from_env(fake_provider, fake_url, monkeypatch):
    monkeypatch.setenv("OLLAMA_API_BASE", fake_url)
    assert completion("ollama_chat/llama3.2", messages=MSGS).choices[0].message.content == REPLY


def test_async(fake_url):
    async def run():
        plain = await acompletion("ollama_chat/llama3.2", messages=MSGS, api_base=fake_url)
        stream = await acompletion("ollama/llama3.2", messages=MSGS, api_base=fake_url, stream=True)
        return plain, [c async for c in stream]

    plain, chunks = asyncio.run(run())
    assert plain.choices[0].message.content == REPLY
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == REPLY


def test_tools_thinking_and_json(fake_provider, fake_url):
    tool = {
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
    response = completion(
        "ollama_chat/llama3.2",
        messages=[{"role": "user", "content": "weather [fake:tool]"}],
        api_base=fake_url,
        tools=[tool],
    )
    call = response.choices[0].message.tool_calls[0]
    assert (
        json.loads(call.function.arguments) == {"city": "fake"}
        and response.choices[0].finish_reason == "tool_calls"
    )
    streamed = list(
        completion(
            "ollama_chat/llama3.2",
            messages=[{"role": "user", "content": "weather [fake:tool]"}],
            api_base=fake_url,
            tools=[tool],
            stream=True,
        )
    )
    calls = [tc for c in streamed if c.choices for tc in (c.choices[0].delta.tool_calls or ())]
    assert calls[0].function.name == "get_weather"
    thinking = completion("ollama_chat/qwen3", messages=MSGS, api_base=fake_url, reasoning_effort="high")
    assert thinking.choices[0].message.reasoning_content == "Let me think about this step by step."
    assert _last(fake_provider)["json"]["think"] is True
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    structured = completion(
        "ollama_chat/llama3.2",
        messages=MSGS,
        api_base=fake_url,
        response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": schema}},
    )
    assert json.loads(structured.choices[0].message.content) == {"n": 1}
    assert _last(fake_provider)["json"]["format"] == schema


def test_errors(fake_url):
    with pytest.raises(exceptions.NotFoundError, match="ollama pull"):
        completion("ollama_chat/missing-model", messages=MSGS, api_base=fake_url)
    with pytest.raises(exceptions.InternalServerError):
        completion("ollama_chat/fake-error-500", messages=MSGS, api_base=fake_url)
    stream = completion(
        "ollama_chat/llama3.2",
        messages=MSGS,
        api_base=fake_url,
        stream=True,
        extra_headers={"x-fake-stream-error-after": "2"},
    )
    with pytest.raises(exceptions.InternalServerError, match="running the model"):
        list(stream)


def test_embed(fake_provider, fake_url):
    response = embedding("ollama/all-minilm", input=["a b c d", "e"], api_base=fake_url)
    assert len(response.data) == 2 and response.usage.prompt_tokens == 3
    assert _last(fake_provider)["path"] == "/api/embed"

    async def run():
        return await aembedding("ollama/all-minilm", input="x", api_base=fake_url)

    assert len(asyncio.run(run()).data) == 1
