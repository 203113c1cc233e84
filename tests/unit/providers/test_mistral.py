"""Mistral's quirks over the OpenAI wire: tool-call ids, names, empty assistant turns, tool schemas,
reasoning params and content chunks (shapes from Mistral's chat API reference)."""

from __future__ import annotations

import json

from litellm.providers.base import Credentials
from litellm.providers.mistral import MistralAdapter, mistral_tool_call_id
from litellm.providers.registry import get_adapter

CREDS = Credentials(api_key="m-key")


def _body(model, messages, params=None, stream=False):
    return (
        get_adapter("mistral").build_request(model, messages, dict(params or {}), CREDS, stream=stream).body
    )


def test_registry_serves_the_mistral_adapter():
    assert isinstance(get_adapter("mistral"), MistralAdapter)


def test_tool_call_ids_are_nine_alphanumerics_and_stay_paired():
    assert mistral_tool_call_id("D681PevKs") == "D681PevKs"
    mapped = mistral_tool_call_id("call_7dTm1BXm8KzpmnEw9p2Wswqu")
    assert (
        len(mapped) == 9
        and mapped.isalnum()
        and mapped == mistral_tool_call_id("call_7dTm1BXm8KzpmnEw9p2Wswqu")
    )
    messages = [
        {"role": "user", "content": "weather?", "name": "alice"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_7dTm1BXm8KzpmnEw9p2Wswqu",
                    "type": "function",
                    "function": {"name": "w", "arguments": "{}"},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_7dTm1BXm8KzpmnEw9p2Wswqu", "name": "w", "content": "sunny"},
        {"role": "assistant", "content": ""},
        {"role": "user", "content": "thanks"},
    ]
    body = _body("mistral-large-latest", messages)
    sent = body["messages"]
    assert "name" not in sent[0]
    assert sent[1]["tool_calls"][0]["id"] == mapped and sent[2]["tool_call_id"] == mapped
    assert sent[2]["name"] == "w"
    assert [m["role"] for m in sent] == ["user", "assistant", "tool", "user"]  # the empty turn is dropped


def test_params_renamed_and_tool_schema_cleaned():
    tools = [
        {
            "type": "function",
            "function": {
                "name": "w",
                "strict": True,
                "parameters": {
                    "$schema": "http://json-schema.org/draft-07/schema#",
                    "type": "object",
                    "properties": {},
                },
            },
        }
    ]
    body = _body(
        "mistral-large-latest",
        [{"role": "user", "content": "hi"}],
        {
            "seed": 3,
            "tool_choice": "required",
            "tools": tools,
            "safe_prompt": True,
            "max_completion_tokens": 9,
        },
    )
    assert body["random_seed"] == 3 and "seed" not in body
    assert body["tool_choice"] == "any" and body["safe_prompt"] is True and body["max_tokens"] == 9
    assert body["tools"][0]["function"] == {"name": "w", "parameters": {"type": "object", "properties": {}}}


def test_reasoning_effort_support_follows_the_price_map_and_magistral_sends_none():
    adapter = get_adapter("mistral")
    assert "reasoning_effort" in adapter.supported_params("mistral-small-latest")
    assert "reasoning_effort" not in adapter.supported_params("mistral-large-latest")
    assert {"reasoning_effort", "thinking"} <= adapter.supported_params("magistral-medium-latest")
    assert (
        _body("mistral-small-latest", [{"role": "user", "content": "x"}], {"reasoning_effort": "high"})[
            "reasoning_effort"
        ]
        == "high"
    )
    magistral = _body(
        "magistral-medium-latest", [{"role": "user", "content": "x"}], {"reasoning_effort": "high"}
    )
    assert "reasoning_effort" not in magistral and "thinking" not in magistral


def test_previous_reasoning_goes_back_as_a_thinking_chunk_only_to_reasoning_models():
    history = [
        {"role": "user", "content": "2+2?"},
        {"role": "assistant", "content": "4", "reasoning_content": "two plus two", "thinking_blocks": []},
        {"role": "user", "content": "and 3+3?"},
    ]
    sent = _body("magistral-small-latest", history)["messages"][1]
    assert sent["content"] == [
        {"type": "thinking", "thinking": [{"type": "text", "text": "two plus two"}]},
        {"type": "text", "text": "4"},
    ]
    plain = _body("mistral-large-latest", history)["messages"][1]
    assert plain == {"role": "assistant", "content": "4"}


def test_content_chunks_become_content_and_reasoning():
    reply = {
        "id": "cmpl-e5cc70bb28c444948073e77776eb30ef",
        "object": "chat.completion",
        "model": "magistral-medium-2507",
        "created": 1752589850,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": [
                        {"type": "thinking", "thinking": [{"type": "text", "text": "Let me add them."}]},
                        {"type": "text", "text": "2 + 2 = 4"},
                    ],
                    "tool_calls": None,
                },
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30},
    }
    out = get_adapter("mistral").parse_response("magistral-medium-latest", reply)
    message = out["choices"][0]["message"]
    assert message["content"] == "2 + 2 = 4" and message["reasoning_content"] == "Let me add them."
    adapter = get_adapter("mistral")
    state = adapter.new_stream_state("magistral-medium-latest")
    event = {
        "id": "c",
        "choices": [
            {
                "index": 0,
                "delta": {"content": [{"type": "thinking", "thinking": [{"type": "text", "text": "hm"}]}]},
            }
        ],
    }
    (chunk,) = adapter.parse_stream_event(state, None, json.dumps(event))
    assert chunk["choices"][0]["delta"] == {"content": None, "reasoning_content": "hm"}
