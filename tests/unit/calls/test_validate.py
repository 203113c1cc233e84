"""validate_chat_request: the OpenAI request shape checked locally, with an error that says what and where."""

from __future__ import annotations

import json

import pytest

from litellm.calls.validate import validate_chat_request
from litellm.core.exceptions import BadRequestError

MSGS = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Capital of France?"}]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def rejects(messages, params=None, **kw) -> BadRequestError:
    with pytest.raises(BadRequestError) as raised:
        validate_chat_request(messages, params or {}, **kw)
    err = raised.value
    assert err.status_code == 400
    assert err.body["error"]["type"] == "invalid_request_error"
    return err


@pytest.mark.parametrize(
    ("messages", "params"),
    [
        (MSGS, {}),
        (MSGS, {"temperature": 0, "top_p": 1, "n": 2, "max_tokens": 1, "presence_penalty": -2}),
        (MSGS, {"temperature": 2.0, "frequency_penalty": 2, "seed": 7, "stop": ["\n", "END"], "user": "u1"}),
        (MSGS, {"logprobs": True, "top_logprobs": 20, "logit_bias": {"50256": -100}, "stream": True}),
        (MSGS, {"tools": [WEATHER], "tool_choice": "auto", "parallel_tool_calls": False}),
        (
            MSGS,
            {"tool_choice": {"type": "function", "function": {"name": "get_weather"}}, "tools": [WEATHER]},
        ),
        (
            MSGS,
            {"tools": [{"type": "web_search_preview"}, {"type": "computer_20241022", "display_width_px": 1}]},
        ),
        (MSGS, {"response_format": {"type": "json_object"}, "temperature": None, "max_tokens": None}),
        (MSGS, {"stream_options": {"include_usage": True}, "store": False, "reasoning_effort": "low"}),
        (MSGS, {"modalities": ["text", "audio"], "functions": [{"name": "f", "parameters": {}}]}),
        (MSGS, {"function_call": "auto"}),
        (MSGS, {"function_call": {"name": "f"}}),
        # provider-specific parameters pass through untouched, whatever their shape
        (
            MSGS,
            {"top_k": "anything", "safety_settings": [1, 2], "thinking": {"type": "enabled"}, "api_key": 3},
        ),
        (
            [
                {"role": "developer", "content": "x"},
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Look: café ☕"},
                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                        {"type": "image_url", "image_url": "https://example.com/a.png"},
                        {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},
                        {"type": "text", "text": "cached", "cache_control": {"type": "ephemeral"}},
                    ],
                },
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "c1",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": "{}"},
                        }
                    ],
                },
                {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
                {"role": "user", "content": "thanks", "name": "alice"},
            ],
            {},
        ),
    ],
)
def test_well_formed_requests_pass(messages, params):
    assert validate_chat_request(messages, params) is None


def test_a_previous_responses_message_object_is_a_valid_message():
    from litellm.core.types import Message

    assistant = Message(role="assistant", content="Paris.")
    validate_chat_request([*MSGS, assistant, {"role": "user", "content": "And Spain?"}], {})


@pytest.mark.parametrize(
    ("messages", "params", "where", "words"),
    [
        ("hello", {}, "messages", "got a string"),
        (["hello", "world"], {}, "messages[0]", "got a string"),
        ({"role": "user", "content": "x"}, {}, "messages", "got dict"),
        ([{"content": "hi"}], {}, "messages[0].role", "is missing"),
        ([MSGS[0], {"role": "bot", "content": "hi"}], {}, "messages[1].role", "'bot' is not a role"),
        ([{"role": "user", "content": 42}], {}, "messages[0].content", "got int"),
        ([{"role": "user", "content": b"raw bytes"}], {}, "messages[0].content", "bytes"),
        (
            [{"role": "user", "content": ["plain string part"]}],
            {},
            "messages[0].content[0]",
            '"type": "text"',
        ),
        ([{"role": "user", "content": [{"text": "no type"}]}], {}, "messages[0].content[0].type", "missing"),
        (
            [{"role": "user", "content": [{"type": "text", "text": 3}]}],
            {},
            "messages[0].content[0].text",
            "string",
        ),
        (
            [{"role": "user", "content": [{"type": "image_url", "image_url": {"uri": "x"}}]}],
            {},
            "messages[0].content[0].image_url",
            "URL",
        ),
        ([MSGS[1], {"role": "user", "content": "a\ud83dz"}], {}, "messages[1].content", "lone surrogate"),
        (
            [
                {
                    "role": "user",
                    "content": [{"type": "text", "text": "ok"}, {"type": "text", "text": "\udc80"}],
                }
            ],
            {},
            "messages[0].content[1].text",
            "lone surrogate",
        ),
        (
            [{"role": "user", "content": [{"type": "image_url", "image_url": b"\x89PNG"}]}],
            {},
            "messages[0].content[0].image_url",
            "bytes",
        ),
        ([{"role": "tool", "content": "x"}], {}, "messages[0].tool_call_id", "tool call"),
        ([{"role": "user", "content": "x", "name": 5}], {}, "messages[0].name", "string"),
        (
            [
                {
                    "role": "assistant",
                    "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {}}}],
                }
            ],
            {},
            "messages[0].tool_calls[0].function.arguments",
            "json.dumps",
        ),
        (MSGS, {"temperature": "hot"}, "temperature", "number between 0 and 2"),
        (MSGS, {"temperature": 2.5}, "temperature", "2.5"),
        (MSGS, {"temperature": True}, "temperature", "bool"),
        (MSGS, {"temperature": float("nan")}, "temperature", "nan"),
        (MSGS, {"top_p": 1.5}, "top_p", "between 0 and 1"),
        (MSGS, {"max_tokens": -1}, "max_tokens", "integer >= 1"),
        (MSGS, {"max_tokens": 10.0}, "max_tokens", "integer"),
        (MSGS, {"max_completion_tokens": 0}, "max_completion_tokens", ">= 1"),
        (MSGS, {"n": 0}, "n", ">= 1"),
        (MSGS, {"presence_penalty": -3}, "presence_penalty", "between -2 and 2"),
        (MSGS, {"frequency_penalty": "1"}, "frequency_penalty", "number"),
        (MSGS, {"top_logprobs": 21}, "top_logprobs", "between 0 and 20"),
        (MSGS, {"logprobs": "yes"}, "logprobs", "true or false"),
        (MSGS, {"seed": 1.5}, "seed", "integer"),
        (MSGS, {"stop": ["ok", 3]}, "stop", "list of strings"),
        (MSGS, {"logit_bias": {"1": 300}}, "logit_bias['1']", "-100 and 100"),
        (MSGS, {"response_format": "json"}, "response_format", "json_object"),
        (MSGS, {"tools": {"x": 1}}, "tools", "must be a list"),
        (MSGS, {"tools": [{"function": {"name": "f"}}]}, "tools[0].type", "missing"),
        (MSGS, {"tools": [{"type": "function"}]}, "tools[0].function", "name"),
        (
            MSGS,
            {"tools": [{"type": "function", "function": {"name": "bad name!"}}]},
            "tools[0].function.name",
            "1-64",
        ),
        (
            MSGS,
            {"tools": [{"type": "function", "function": {"name": "f", "parameters": "city: str"}}]},
            "tools[0].function.parameters",
            "JSON schema object",
        ),
        (
            MSGS,
            {"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "string"}}}]},
            "tools[0].function.parameters.type",
            "'object'",
        ),
        (
            MSGS,
            {"tools": [{"type": "function", "function": {"name": "f", "parameters": {"properties": [1]}}}]},
            "tools[0].function.parameters.properties",
            "dict",
        ),
        (MSGS, {"tool_choice": "sometimes"}, "tool_choice", "'sometimes' is not a tool choice"),
        (MSGS, {"tool_choice": {"type": "function"}}, "tool_choice.function.name", "names the function"),
        (MSGS, {"tool_choice": 1}, "tool_choice", "'auto'"),
        (MSGS, {"stream_options": True}, "stream_options", "include_usage"),
        (MSGS, {"stream_options": {"include_usage": "yes"}}, "stream_options.include_usage", "true or false"),
        (MSGS, {"store": 1}, "store", "true or false"),
        (MSGS, {"reasoning_effort": 3}, "reasoning_effort", "string"),
        (MSGS, {"modalities": "text"}, "modalities", "list of strings"),
        (MSGS, {"functions": [{"description": "no name"}]}, "functions[0].name", "string name"),
        (MSGS, {"function_call": {"nom": "f"}}, "function_call", "name"),
    ],
)
def test_malformed_requests_say_what_is_wrong_and_where(messages, params, where, words):
    err = rejects(messages, params, model="gpt-4o-mini", llm_provider="openai")
    assert err.body["error"]["param"] == where
    text = str(err)
    assert f"{where}:" in text and words in text
    assert err.model == "gpt-4o-mini" and err.llm_provider == "openai"
    json.dumps(err.body)  # the body itself is always serialisable


def test_the_readme_literal_ellipsis_is_named():
    err = rejects([...], {})
    assert err.body["error"]["param"] == "messages[0]" and "ellipsis" in str(err)


def test_inputs_are_never_mutated():
    messages = [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]
    params = {"tools": [WEATHER], "temperature": 0.5}
    snapshot = json.dumps([messages, params])
    validate_chat_request(messages, params)
    assert json.dumps([messages, params]) == snapshot
