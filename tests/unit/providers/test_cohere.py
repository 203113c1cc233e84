"""Cohere v2 Chat / Embed adapter against Cohere's wire format (fixtures: tests/fixtures/cohere)."""

from __future__ import annotations

import json

import pytest

from litellm.core.types import ModelResponse
from litellm.providers.base import Credentials
from litellm.providers.cohere import CohereAdapter
from litellm.providers.registry import resolve
from tests.unit.providers.conftest import joined_arguments, joined_content, load_json, replay

MODEL = "command-a-03-2025"
USER = [{"role": "user", "content": "hi"}]


@pytest.fixture
def adapter():
    return CohereAdapter("cohere_chat")


def _build(adapter, messages=USER, params=None, stream=False, model=MODEL):
    return adapter.build_request(
        model, list(messages), dict(params or {}), Credentials(api_key="co-test"), stream=stream
    )


@pytest.mark.parametrize("prefix", ["cohere", "cohere_chat"])
def test_both_prefixes_route_to_v2_chat(prefix):
    found = resolve(f"{prefix}/{MODEL}")
    assert isinstance(found.adapter, CohereAdapter)
    req = _build(found.adapter)
    assert req.url == "https://api.cohere.com/v2/chat"
    assert req.headers["Authorization"] == "Bearer co-test"


def test_api_base_variants(adapter):
    for base in ("http://127.0.0.1:9", "http://127.0.0.1:9/v1", "http://127.0.0.1:9/v2/chat"):
        req = adapter.build_request(MODEL, USER, {}, Credentials(api_key="k", api_base=base), stream=False)
        assert req.url == "http://127.0.0.1:9/v2/chat"


def test_request_translation(adapter):
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "w",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
            },
        }
    ]
    messages = [
        {"role": "system", "content": "be brief"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "look"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAA", "detail": "low"}},
            ],
        },
        {
            "role": "assistant",
            "content": "I will check.",
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": '{"temp": 20}'},
    ]
    body = _build(
        adapter,
        messages,
        {
            "temperature": 0.2,
            "top_p": 0.8,
            "top_k": 5,
            "max_completion_tokens": 50,
            "stop": "END",
            "seed": 1,
            "tools": tools,
            "tool_choice": "required",
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "x", "schema": {"type": "object"}},
            },
            "documents": [{"id": "d1", "data": {"text": "doc"}}],
            "safety_mode": "CONTEXTUAL",
        },
        stream=True,
    ).body
    assert body == {
        "model": MODEL,
        "messages": [
            {"role": "system", "content": "be brief"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "look"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAA", "detail": "low"}},
                ],
            },
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                    }
                ],
                "tool_plan": "I will check.",
            },
            {"role": "tool", "tool_call_id": "c1", "content": '{"temp": 20}'},
        ],
        "temperature": 0.2,
        "p": 0.8,
        "k": 5,
        "seed": 1,
        "max_tokens": 50,
        "stop_sequences": ["END"],
        "tool_choice": "REQUIRED",
        "tools": tools,
        "response_format": {"type": "json_object", "json_schema": {"type": "object"}},
        "documents": [{"id": "d1", "data": {"text": "doc"}}],
        "safety_mode": "CONTEXTUAL",
        "stream": True,
    }


def test_named_tool_choice_keeps_only_that_tool(adapter):
    tools = [
        {"type": "function", "function": {"name": n, "parameters": {"type": "object"}}} for n in ("a", "b")
    ]
    body = _build(
        adapter, params={"tools": tools, "tool_choice": {"type": "function", "function": {"name": "b"}}}
    ).body
    assert [t["function"]["name"] for t in body["tools"]] == ["b"] and body["tool_choice"] == "REQUIRED"
    assert "tool_choice" not in _build(adapter, params={"tools": tools, "tool_choice": "auto"}).body


def test_thinking_for_reasoning_models(adapter):
    assert "reasoning_effort" in adapter.supported_params("command-a-reasoning-08-2025")
    assert "reasoning_effort" not in adapter.supported_params(MODEL)
    body = _build(adapter, params={"reasoning_effort": "low"}, model="command-a-reasoning-08-2025").body
    assert body["thinking"] == {"type": "enabled", "token_budget": 1024}
    assert _build(adapter, params={"thinking": {"type": "disabled"}}).body["thinking"] == {"type": "disabled"}


def test_bad_input(adapter):
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError, match="n must be 1"):
        _build(adapter, params={"n": 2})
    with pytest.raises(BadRequestError, match="tool_call_id"):
        _build(adapter, [{"role": "tool", "content": "x"}])
    with pytest.raises(BadRequestError, match="does not take frob"):
        _build(adapter, params={"frob": 1})


def test_text_reply_and_cost(adapter):
    from litellm.cost.calculator import completion_cost

    reply = adapter.parse_response(MODEL, load_json("cohere", "chat_response.json"))
    assert reply["choices"][0]["message"]["content"] == "LLMs stand for Large Language Models."
    assert reply["choices"][0]["finish_reason"] == "stop"
    assert reply["usage"] == {"prompt_tokens": 5, "completion_tokens": 8, "total_tokens": 13}  # billed units
    cost = completion_cost(
        completion_response=ModelResponse.model_validate(reply), model=f"cohere_chat/{MODEL}"
    )
    assert cost == pytest.approx(5 * 2.5e-6 + 8 * 1e-5)


def test_tool_call_reply(adapter):
    reply = adapter.parse_response(MODEL, load_json("cohere", "chat_tool_call.json"))
    message = reply["choices"][0]["message"]
    assert reply["choices"][0]["finish_reason"] == "tool_calls"
    assert message["content"] is None
    assert message["tool_calls"] == [
        {
            "id": "get_weather_1byjy32y4hvq",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"location":"Toronto"}'},
        }
    ]
    assert message["provider_specific_fields"]["tool_plan"] == "I will look up the weather in Toronto."
    # the tool plan goes back as tool_plan on the next turn
    body = _build(adapter, [{"role": "user", "content": "w?"}, message]).body
    assert body["messages"][1]["tool_plan"] == "I will look up the weather in Toronto."


def test_citations_are_kept(adapter):
    reply = adapter.parse_response(MODEL, load_json("cohere", "chat_citations.json"))
    assert reply["citations"][0]["text"] == "tallest penguins"
    assert (
        reply["choices"][0]["message"]["provider_specific_fields"]["citations"][0]["sources"][0]["id"]
        == "doc:0"
    )
    assert reply["choices"][0]["message"]["annotations"] == [
        {
            "type": "url_citation",
            "url_citation": {"start_index": 4, "end_index": 20, "title": "", "url": "source:doc:0"},
        }
    ]


def test_text_stream(adapter):
    chunks = replay(adapter, MODEL, "cohere", "chat_stream.sse")
    assert joined_content(chunks) == "A large language model"
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["usage"] == {"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9}
    assert {c["id"] for c in chunks} == {"29f14a5a-11de-4cae-9800-25e4747408ea"}


def test_tool_stream(adapter):
    chunks = replay(adapter, MODEL, "cohere", "chat_stream_tool.sse")
    starts = [c for c in chunks if (c["choices"][0]["delta"].get("tool_calls") or [{}])[0].get("id")]
    assert starts[0]["choices"][0]["delta"]["tool_calls"][0]["function"]["name"] == "get_weather"
    assert json.loads(joined_arguments(chunks)) == {"location": "Toronto"}
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


@pytest.mark.parametrize(
    ("status", "fixture", "kind"),
    [
        (498, "error_invalid_token.json", "AuthenticationError"),
        (401, "error_invalid_token.json", "AuthenticationError"),
        (400, "error_too_many_tokens.json", "ContextWindowExceededError"),
        (429, "error_rate_limit.json", "RateLimitError"),
    ],
)
def test_errors(adapter, status, fixture, kind):
    body = load_json("cohere", fixture)
    info = adapter.classify_error(status, body, {})
    assert info.kind == kind and info.message == body["message"]


def test_embed_v2(adapter):
    req = adapter.build_embedding_request(
        "embed-english-v3.0",
        ["hello", "goodbye"],
        {"input_type": "search_query", "dimensions": 256},
        Credentials(api_key="k"),
    )
    assert req.url == "https://api.cohere.com/v2/embed"
    assert req.body == {
        "model": "embed-english-v3.0",
        "texts": ["hello", "goodbye"],
        "input_type": "search_query",
        "embedding_types": ["float"],
        "output_dimension": 256,
    }
    default = adapter.build_embedding_request("embed-english-v3.0", "x", {}, Credentials(api_key="k")).body
    assert default["input_type"] == "search_document"
    image = adapter.build_embedding_request(
        "embed-v4.0", ["data:image/png;base64,AAA"], {}, Credentials(api_key="k")
    ).body
    assert image["images"] == ["data:image/png;base64,AAA"] and image["input_type"] == "image"
    out = adapter.parse_embedding_response("embed-english-v3.0", load_json("cohere", "embed_response.json"))
    assert len(out["data"]) == 2 and out["usage"]["prompt_tokens"] == 2
