"""Anthropic responses, SSE streams and errors -> OpenAI-format dicts and exception kinds."""

from __future__ import annotations

import json

import pytest

from litellm.providers.anthropic import AnthropicAdapter
from litellm.providers.base import StreamErrorEvent

from .conftest import joined_arguments, joined_content, load_json, replay

ADAPTER = AnthropicAdapter()


def _parse(name, model="claude-3-5-sonnet-20241022"):
    return ADAPTER.parse_response(model, load_json("anthropic", name))


def test_text_message_becomes_a_chat_completion():
    out = _parse("message.json")
    assert out["object"] == "chat.completion"
    assert out["id"] == "msg_013Zva2CMHLNnXjNJJKqJ2EF"
    assert out["model"] == "claude-3-7-sonnet-20250219"
    (choice,) = out["choices"]
    assert choice["message"] == {"role": "assistant", "content": "Hi! My name is Claude."}
    assert choice["finish_reason"] == "stop"
    assert out["usage"]["prompt_tokens"] == 2095
    assert out["usage"]["completion_tokens"] == 503
    assert out["usage"]["total_tokens"] == 2598


def test_tool_use_blocks_become_tool_calls_with_json_string_arguments():
    out = _parse("message_tool_use.json")
    message = out["choices"][0]["message"]
    assert out["choices"][0]["finish_reason"] == "tool_calls"
    assert message["content"].startswith("<thinking>")
    calls = message["tool_calls"]
    assert [c["id"] for c in calls] == ["toolu_01A09q90qw90lq917835lq9", "toolu_01B19q90qw90lq917835lq0"]
    assert calls[0]["type"] == "function"
    assert calls[0]["function"]["name"] == "get_weather"
    assert json.loads(calls[0]["function"]["arguments"]) == {
        "location": "San Francisco, CA",
        "unit": "celsius",
    }


def test_thinking_blocks_become_reasoning_content_and_thinking_blocks():
    out = _parse("message_thinking.json", "claude-3-7-sonnet-20250219")
    message = out["choices"][0]["message"]
    assert message["content"] == "Based on my analysis, the answer is 42."
    assert message["reasoning_content"] == "Let me analyze this step by step..."
    assert [b["type"] for b in message["thinking_blocks"]] == ["thinking", "redacted_thinking"]
    assert message["thinking_blocks"][0]["signature"].startswith("WaUjzkyp")


def test_cache_usage_counts_cache_reads_and_writes_as_prompt_tokens():
    out = _parse("message_cache_usage.json")
    usage = out["usage"]
    assert usage["prompt_tokens"] == 21 + 188086 + 1200
    assert usage["completion_tokens"] == 393
    assert usage["total_tokens"] == 21 + 188086 + 1200 + 393
    assert usage["prompt_tokens_details"]["cached_tokens"] == 1200
    assert usage["cache_creation_input_tokens"] == 188086
    assert usage["cache_read_input_tokens"] == 1200
    assert out["choices"][0]["finish_reason"] == "length"


def test_json_tool_answer_is_unwrapped_into_content_with_stop():
    out = _parse("message_json_tool.json")
    choice = out["choices"][0]
    assert json.loads(choice["message"]["content"]) == {"name": "Ada", "age": 36}
    assert "tool_calls" not in choice["message"]
    assert choice["finish_reason"] == "stop"


@pytest.mark.parametrize(
    ("stop_reason", "finish"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("refusal", "content_filter"),
        ("pause_turn", "length"),
    ],
)
def test_stop_reasons_map_to_openai_finish_reasons(stop_reason, finish):
    data = {**load_json("anthropic", "message.json"), "stop_reason": stop_reason}
    assert ADAPTER.parse_response("m", data)["choices"][0]["finish_reason"] == finish


# ---- streaming -------------------------------------------------------------------------------------


def test_text_stream_sends_role_first_then_content_then_finish_with_usage():
    chunks = replay(ADAPTER, "claude-3-5-sonnet-20241022", "anthropic", "stream_text.sse")
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert sum("role" in c["choices"][0]["delta"] for c in chunks) == 1
    assert joined_content(chunks) == "Hello!"
    last = chunks[-1]
    assert last["choices"][0]["finish_reason"] == "stop"
    assert last["usage"]["prompt_tokens"] == 25 and last["usage"]["completion_tokens"] == 15
    assert {c["id"] for c in chunks} == {"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY"}
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)


def test_tool_use_stream_gives_id_and_name_first_then_argument_fragments():
    chunks = replay(ADAPTER, "claude-3-haiku-20240307", "anthropic", "stream_tool_use.sse")
    assert joined_content(chunks) == "Okay, let's check the weather for San Francisco, CA:"
    starts = [c for c in chunks if (c["choices"][0]["delta"].get("tool_calls") or [{}])[0].get("id")]
    assert len(starts) == 1
    call = starts[0]["choices"][0]["delta"]["tool_calls"][0]
    assert (call["index"], call["id"], call["function"]["name"]) == (
        0,
        "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
        "get_weather",
    )
    assert json.loads(joined_arguments(chunks)) == {"location": "San Francisco, CA", "unit": "fahrenheit"}
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"
    assert chunks[-1]["usage"]["completion_tokens"] == 89


def test_thinking_stream_gives_reasoning_deltas_and_the_signature():
    chunks = replay(ADAPTER, "claude-3-7-sonnet-20250219", "anthropic", "stream_thinking.sse")
    reasoning = "".join(c["choices"][0]["delta"].get("reasoning_content") or "" for c in chunks)
    assert reasoning.startswith("Let me solve this step by step") and reasoning.endswith("453 = 400 + 50 + 3")
    signatures = [
        b["signature"]
        for c in chunks
        for b in c["choices"][0]["delta"].get("thinking_blocks") or ()
        if b.get("signature")
    ]
    assert signatures == ["EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds..."]
    assert joined_content(chunks) == "27 * 453 = 12,231"
    usage = chunks[-1]["usage"]
    assert usage["prompt_tokens"] == 42 + 8 and usage["prompt_tokens_details"]["cached_tokens"] == 8


def test_stream_error_event_raises_with_overloaded_as_529():
    with pytest.raises(StreamErrorEvent) as info:
        replay(ADAPTER, "claude-3-5-sonnet-20241022", "anthropic", "stream_error.sse")
    assert info.value.status_code == 529
    assert info.value.body["error"]["type"] == "overloaded_error"
    kind = ADAPTER.classify_error(info.value.status_code, info.value.body, {}).kind
    assert kind == "ServiceUnavailableError"  # overloaded = temporarily unavailable (issue 8)


def test_json_tool_stream_becomes_content_and_stop():
    state = ADAPTER.new_stream_state("claude-3-5-sonnet-20241022")
    events = [
        (
            "message_start",
            {
                "type": "message_start",
                "message": {"id": "msg_j", "usage": {"input_tokens": 3, "output_tokens": 1}},
            },
        ),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "tool_use", "id": "t", "name": "json_tool_call", "input": {}},
            },
        ),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "input_json_delta", "partial_json": '{"a": '},
            },
        ),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "input_json_delta", "partial_json": "1}"},
            },
        ),
        (
            "message_delta",
            {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 5}},
        ),
    ]
    chunks = [c for name, data in events for c in ADAPTER.parse_stream_event(state, name, json.dumps(data))]
    assert joined_content(chunks) == '{"a": 1}'
    assert not any(c["choices"][0]["delta"].get("tool_calls") for c in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


def test_unknown_and_keepalive_events_yield_nothing():
    state = ADAPTER.new_stream_state("m")
    assert ADAPTER.parse_stream_event(state, "ping", '{"type": "ping"}') == []
    assert ADAPTER.parse_stream_event(state, "future_event", '{"type": "future_event"}') == []
    assert ADAPTER.parse_stream_event(state, "message_stop", '{"type": "message_stop"}') == []


# ---- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", load_json("anthropic", "errors.json"), ids=lambda c: c["name"])
def test_anthropic_error_bodies_map_to_litellms_exception_kinds(case):
    info = ADAPTER.classify_error(case["status"], case["body"], {})
    assert info.kind == case["kind"]
    assert info.message


def test_anthropic_error_message_is_the_error_message_field():
    body = load_json("anthropic", "errors.json")[0]["body"]
    assert ADAPTER.classify_error(400, body, {}).message.startswith("messages: roles must alternate")
