"""Ollama native adapter (/api/chat, /api/generate, /api/embed) against Ollama's wire format
(fixtures: tests/fixtures/ollama)."""

from __future__ import annotations

import json

import pytest

from litellm.providers.base import Credentials, StreamErrorEvent
from litellm.providers.ollama import OllamaAdapter
from litellm.providers.registry import resolve
from tests.unit.providers.conftest import FIXTURES, load_json

USER = [{"role": "user", "content": "hi"}]


def _ndjson(adapter, model, name):
    state = adapter.new_stream_state(model)
    chunks = []
    for line in (FIXTURES / "ollama" / name).read_text().splitlines():
        chunks.extend(adapter.parse_stream_event(state, None, line))
    return chunks


def _build(adapter, messages=USER, params=None, stream=False, creds=None):
    return adapter.build_request(
        "llama3.2", list(messages), dict(params or {}), creds or Credentials(), stream=stream
    )


def test_prefixes_route_to_native_endpoints():
    chat = resolve("ollama_chat/llama3.2").adapter
    gen = resolve("ollama/llama3.2").adapter
    assert isinstance(chat, OllamaAdapter) and isinstance(gen, OllamaAdapter)
    assert _build(chat).url == "http://localhost:11434/api/chat"
    assert _build(gen).url == "http://localhost:11434/api/generate"
    assert chat.api_key_env is None  # a local server needs no key
    req = _build(chat, stream=True)
    assert req.stream_format == "ndjson" and req.body["stream"] is True
    assert _build(chat).body["stream"] is False  # Ollama streams unless told not to


def test_api_base_and_optional_bearer_key():
    adapter = OllamaAdapter("ollama_chat")
    for base in ("http://gpu:11434", "http://gpu:11434/", "http://gpu:11434/api", "http://gpu:11434/v1"):
        assert _build(adapter, creds=Credentials(api_base=base)).url == "http://gpu:11434/api/chat"
    assert "Authorization" not in _build(adapter).headers
    assert _build(adapter, creds=Credentials(api_key="ok")).headers["Authorization"] == "Bearer ok"


def test_chat_body_options_format_think_tools():
    adapter = OllamaAdapter("ollama_chat")
    tools = [
        {
            "type": "function",
            "function": {"name": "get_current_weather", "parameters": {"type": "object", "properties": {}}},
        }
    ]
    messages = [
        {"role": "system", "content": "be brief"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "what is in this"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
            ],
        },
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_current_weather", "arguments": '{"location":"Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "22C"},
    ]
    body = _build(
        adapter,
        messages,
        {
            "temperature": 0.1,
            "top_p": 0.5,
            "max_tokens": 64,
            "stop": ["\n\n"],
            "seed": 3,
            "num_ctx": 8192,
            "top_k": 20,
            "keep_alive": "5m",
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": "x",
                    "schema": {"type": "object", "properties": {"a": {"type": "string"}}},
                },
            },
            "reasoning_effort": "high",
            "tools": tools,
        },
    ).body
    assert body == {
        "model": "llama3.2",
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "what is in this", "images": ["iVBORw0KGgo="]},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {"function": {"name": "get_current_weather", "arguments": {"location": "Paris"}}}
                ],
            },
            {"role": "tool", "content": "22C", "tool_name": "get_current_weather"},
        ],
        "format": {"type": "object", "properties": {"a": {"type": "string"}}},
        "think": True,
        "tools": tools,
        "keep_alive": "5m",
        "options": {
            "temperature": 0.1,
            "top_p": 0.5,
            "seed": 3,
            "num_predict": 64,
            "stop": ["\n\n"],
            "num_ctx": 8192,
            "top_k": 20,
        },
        "stream": False,
    }
    assert _build(adapter, params={"response_format": {"type": "json_object"}}).body["format"] == "json"
    gpt_oss = adapter.build_request(
        "gpt-oss:20b", USER, {"reasoning_effort": "low"}, Credentials(), stream=False
    )
    assert gpt_oss.body["think"] == "low"


def test_generate_body_renders_the_conversation():
    adapter = OllamaAdapter("ollama")
    assert _build(adapter).body == {"model": "llama3.2", "prompt": "hi", "stream": False}
    body = _build(
        adapter,
        [
            {"role": "system", "content": "sys"},
            {"role": "user", "content": "q1"},
            {"role": "assistant", "content": "a1"},
            {"role": "user", "content": "q2"},
        ],
    ).body
    assert body["system"] == "sys"
    assert body["prompt"] == "### User:\nq1\n\n### Assistant:\na1\n\n### User:\nq2\n\n### Assistant:\n"


def test_image_urls_are_refused_with_the_fix():
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError, match="base64"):
        _build(
            OllamaAdapter("ollama_chat"),
            [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x/cat.png"}}]}],
        )
    with pytest.raises(BadRequestError, match="ollama_chat"):
        _build(OllamaAdapter("ollama"), params={"tools": [{"type": "function", "function": {"name": "f"}}]})


def test_chat_reply_usage_and_zero_cost():
    from litellm.core.types import ModelResponse
    from litellm.cost.calculator import completion_cost

    adapter = OllamaAdapter("ollama_chat")
    reply = adapter.parse_response("llama3.2", load_json("ollama", "chat_response.json"))
    assert reply["choices"][0]["message"]["content"] == "Hello! How are you today?"
    assert reply["choices"][0]["finish_reason"] == "stop"
    assert reply["usage"] == {"prompt_tokens": 26, "completion_tokens": 298, "total_tokens": 324}
    assert (
        completion_cost(completion_response=ModelResponse.model_validate(reply), model="ollama/llama3") == 0.0
    )


def test_tool_call_and_thinking_replies():
    adapter = OllamaAdapter("ollama_chat")
    reply = adapter.parse_response("llama3.2", load_json("ollama", "chat_tool_call.json"))
    call = reply["choices"][0]["message"]["tool_calls"][0]
    assert call["id"].startswith("call_")
    assert json.loads(call["function"]["arguments"]) == {"format": "celsius", "location": "Paris, FR"}
    assert reply["choices"][0]["finish_reason"] == "tool_calls"
    assert reply["choices"][0]["message"]["content"] is None
    thinking = adapter.parse_response("deepseek-r1", load_json("ollama", "chat_thinking.json"))
    assert thinking["choices"][0]["message"]["reasoning_content"] == "2 plus 2 is 4."


def test_generate_reply():
    reply = OllamaAdapter("ollama").parse_response("llama3.2", load_json("ollama", "generate_response.json"))
    assert reply["choices"][0]["message"]["content"].startswith("The sky is blue")
    assert reply["choices"][0]["finish_reason"] == "length"
    assert reply["usage"]["completion_tokens"] == 290


def test_ndjson_streams():
    chunks = _ndjson(OllamaAdapter("ollama_chat"), "llama3.2", "chat_stream.ndjson")
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == "The sky"
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["usage"] == {"prompt_tokens": 26, "completion_tokens": 282, "total_tokens": 308}
    gen = _ndjson(OllamaAdapter("ollama"), "llama3.2", "generate_stream.ndjson")
    assert gen[0]["choices"][0]["delta"]["content"] == "The" and gen[-1]["usage"]["prompt_tokens"] == 26


def test_in_stream_error():
    adapter = OllamaAdapter("ollama_chat")
    with pytest.raises(StreamErrorEvent):
        adapter.parse_stream_event(
            adapter.new_stream_state("m"),
            None,
            '{"error": "an error was encountered while running the model"}',
        )


def test_errors():
    adapter = OllamaAdapter("ollama_chat")
    info = adapter.classify_error(404, load_json("ollama", "error_model_not_found.json"), {})
    assert info.kind == "NotFoundError" and "ollama pull" in info.message
    assert adapter.classify_error(400, {"error": "invalid options"}, {}).kind == "BadRequestError"
    assert adapter.classify_error(500, {"error": "boom"}, {}).kind == "InternalServerError"


def test_embed():
    adapter = OllamaAdapter("ollama")
    req = adapter.build_embedding_request(
        "all-minilm", ["Why is the sky blue?", "Why is the grass green?"], {"dimensions": 3}, Credentials()
    )
    assert req.url == "http://localhost:11434/api/embed"
    assert req.body == {
        "model": "all-minilm",
        "input": ["Why is the sky blue?", "Why is the grass green?"],
        "dimensions": 3,
    }
    out = adapter.parse_embedding_response("all-minilm", load_json("ollama", "embed_response.json"))
    assert len(out["data"]) == 2 and out["usage"]["prompt_tokens"] == 8
