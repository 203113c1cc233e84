"""OpenAI-format input -> Anthropic Messages API request (bodies checked against LiteLLM 1.110.2's)."""

from __future__ import annotations

import pytest

from litellm.providers.anthropic import AnthropicAdapter, default_max_tokens
from litellm.providers.base import Credentials

SONNET_35 = "claude-3-5-sonnet-20241022"
SONNET_37 = "claude-3-7-sonnet-20250219"
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
USER = [{"role": "user", "content": "hi"}]


def _request(messages=None, params=None, model=SONNET_35, stream=False, creds=None, **kw):
    return AnthropicAdapter().build_request(
        model,
        messages if messages is not None else list(USER),
        dict(params or {}),
        creds or Credentials(api_key="sk-ant-test"),
        stream=stream,
        **kw,
    )


def _body(messages=None, params=None, model=SONNET_35, stream=False):
    return _request(messages, params, model, stream).body


def test_url_and_headers():
    request = _request()
    assert request.url == "https://api.anthropic.com/v1/messages"
    assert request.headers["x-api-key"] == "sk-ant-test"
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert "Authorization" not in request.headers
    assert "anthropic-beta" not in request.headers


@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000/v1/messages"),
        ("http://127.0.0.1:9000/v1/", "http://127.0.0.1:9000/v1/messages"),
        ("http://127.0.0.1:9000/v1/messages", "http://127.0.0.1:9000/v1/messages"),
    ],
)
def test_custom_api_base_gets_the_messages_path_once(base, url):
    assert _request(creds=Credentials(api_key="k", api_base=base)).url == url


def test_system_messages_are_hoisted_and_joined_with_cache_control_kept():
    messages = [
        {"role": "system", "content": "sys1"},
        {"role": "user", "content": "hi"},
        {
            "role": "system",
            "content": [{"type": "text", "text": "sys2", "cache_control": {"type": "ephemeral"}}],
        },
    ]
    body = _body(messages)
    assert body["system"] == [
        {"type": "text", "text": "sys1"},
        {"type": "text", "text": "sys2", "cache_control": {"type": "ephemeral"}},
    ]
    assert body["messages"] == [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]


def test_only_system_messages_is_a_bad_request():
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError, match="non-system message"):
        _body([{"role": "system", "content": "only"}])


def test_max_tokens_defaults_per_model_and_max_completion_tokens_maps_to_it():
    assert _body()["max_tokens"] == 8192
    assert _body(model="claude-3-haiku-20240307")["max_tokens"] == 4096
    assert _body(model=SONNET_37)["max_tokens"] == 64000
    assert _body(params={"max_completion_tokens": 7})["max_tokens"] == 7
    assert _body(params={"max_tokens": 50})["max_tokens"] == 50


def test_default_max_tokens_uses_the_price_map_for_listed_models():
    assert default_max_tokens("claude-sonnet-4-5-20250929") == 64000
    assert default_max_tokens("claude-unknown") == 4096


def test_stop_user_and_sampling_params_are_translated():
    body = _body(params={"stop": ["a", "b"], "temperature": 0.1, "top_p": 0.5, "user": "u1", "top_k": 5})
    assert body["stop_sequences"] == ["a", "b"]
    assert body["metadata"] == {"user_id": "u1"}
    assert (body["temperature"], body["top_p"], body["top_k"]) == (0.1, 0.5, 5)
    assert "stop" not in body and "user" not in body
    assert _body(params={"stop": "END"})["stop_sequences"] == ["END"]


def test_tools_become_input_schema_tools_with_cache_control():
    tool = {**WEATHER_TOOL, "cache_control": {"type": "ephemeral"}}
    body = _body(params={"tools": [tool]})
    assert body["tools"] == [
        {
            "name": "get_weather",
            "input_schema": WEATHER_TOOL["function"]["parameters"],
            "description": "Get the weather",
            "cache_control": {"type": "ephemeral"},
        }
    ]


def test_anthropic_native_tools_pass_through():
    native = {"type": "bash_20250124", "name": "bash"}
    assert _body(params={"tools": [native]})["tools"] == [native]


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("auto", {"type": "auto"}),
        ("none", {"type": "none"}),
        ("required", {"type": "any"}),
        ({"type": "function", "function": {"name": "get_weather"}}, {"type": "tool", "name": "get_weather"}),
    ],
)
def test_tool_choice_translation(choice, expected):
    assert _body(params={"tools": [WEATHER_TOOL], "tool_choice": choice})["tool_choice"] == expected


def test_parallel_tool_calls_false_disables_parallel_tool_use():
    body = _body(params={"tools": [WEATHER_TOOL], "parallel_tool_calls": False})
    assert body["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    body = _body(params={"tools": [WEATHER_TOOL], "tool_choice": "required", "parallel_tool_calls": False})
    assert body["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}


def test_tool_call_history_becomes_tool_use_and_merged_tool_results():
    messages = [
        {"role": "user", "content": "weather?"},
        {
            "role": "assistant",
            "content": "let me",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                },
                {
                    "id": "call_2",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Rome"}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
        {"role": "tool", "tool_call_id": "call_2", "content": [{"type": "text", "text": "rainy"}]},
        {"role": "user", "content": "thanks"},
    ]
    body = _body(messages, {"tools": [WEATHER_TOOL]})
    assert body["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "weather?"}]},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "let me"},
                {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}},
                {"type": "tool_use", "id": "call_2", "name": "get_weather", "input": {"city": "Rome"}},
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "call_1", "content": "sunny"},
                {
                    "type": "tool_result",
                    "tool_use_id": "call_2",
                    "content": [{"type": "text", "text": "rainy"}],
                },
                {"type": "text", "text": "thanks"},
            ],
        },
    ]


def test_assistant_tool_call_without_content_or_arguments():
    messages = [
        {"role": "user", "content": "hi"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": ""}}],
        },
        {"role": "tool", "tool_call_id": "c", "content": "ok"},
    ]
    body = _body(messages)
    assert body["messages"][1] == {
        "role": "assistant",
        "content": [{"type": "tool_use", "id": "c", "name": "f", "input": {}}],
    }


def test_image_parts_become_base64_or_url_sources():
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "what"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
                {"type": "image_url", "image_url": "https://example.com/a.jpg"},
            ],
        }
    ]
    assert _body(messages)["messages"][0]["content"] == [
        {"type": "text", "text": "what"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
        {"type": "image", "source": {"type": "url", "url": "https://example.com/a.jpg"}},
    ]


def test_pdf_file_parts_become_document_blocks_with_cache_control():
    messages = [
        {
            "role": "user",
            "content": [
                {
                    "type": "file",
                    "file": {"file_data": "data:application/pdf;base64,JVBERi0="},
                    "cache_control": {"type": "ephemeral"},
                },
                {"type": "file", "file": {"file_id": "https://example.com/a.pdf"}},
                {"type": "text", "text": "summarise"},
            ],
        }
    ]
    request = _request(messages)
    assert request.body["messages"][0]["content"][:2] == [
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="},
            "cache_control": {"type": "ephemeral"},
        },
        {"type": "document", "source": {"type": "url", "url": "https://example.com/a.pdf"}},
    ]
    assert "anthropic-beta" not in request.headers


def test_uploaded_file_id_uses_the_files_api_beta():
    request = _request(
        [
            {
                "role": "user",
                "content": [{"type": "file", "file": {"file_id": "file_011CNha8iCJcU1wXNR6q4V8w"}}],
            }
        ]
    )
    assert request.body["messages"][0]["content"][0]["source"] == {
        "type": "file",
        "file_id": "file_011CNha8iCJcU1wXNR6q4V8w",
    }
    assert "files-api-2025-04-14" in request.headers["anthropic-beta"]


def test_message_level_cache_control_lands_on_the_last_block():
    messages = [{"role": "user", "content": "long doc", "cache_control": {"type": "ephemeral"}}]
    assert _body(messages)["messages"][0]["content"] == [
        {"type": "text", "text": "long doc", "cache_control": {"type": "ephemeral"}}
    ]


def test_consecutive_user_messages_merge_and_final_assistant_prefill_is_right_stripped():
    messages = [
        {"role": "user", "content": "a"},
        {"role": "user", "content": "b"},
        {"role": "assistant", "content": "yo "},
    ]
    assert _body(messages)["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "yo"}]},
    ]


def test_thinking_blocks_on_assistant_history_are_sent_back_first():
    messages = [
        {"role": "user", "content": "hi"},
        {
            "role": "assistant",
            "content": "x",
            "thinking_blocks": [{"type": "thinking", "thinking": "hmm", "signature": "sig", "index": 0}],
        },
        {"role": "user", "content": "again"},
    ]
    assert _body(messages, model=SONNET_37)["messages"][1]["content"] == [
        {"type": "thinking", "thinking": "hmm", "signature": "sig"},
        {"type": "text", "text": "x"},
    ]


def test_thinking_param_passes_and_max_tokens_leaves_room_for_the_answer():
    body = _body(params={"thinking": {"type": "enabled", "budget_tokens": 1024}}, model=SONNET_37)
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert body["max_tokens"] == 5120


def test_thinking_budget_at_or_above_max_tokens_is_shrunk_below_it():
    body = _body(
        params={"thinking": {"type": "enabled", "budget_tokens": 2000}, "max_tokens": 1500}, model=SONNET_37
    )
    assert body["thinking"]["budget_tokens"] == 1499


@pytest.mark.parametrize(
    ("effort", "budget"), [("minimal", 1024), ("low", 1024), ("medium", 2048), ("high", 4096)]
)
def test_reasoning_effort_maps_to_litellms_thinking_budgets(effort, budget):
    body = _body(params={"reasoning_effort": effort}, model=SONNET_37)
    assert body["thinking"] == {"type": "enabled", "budget_tokens": budget}
    assert body["max_tokens"] == budget + 4096
    assert "reasoning_effort" not in body


def test_reasoning_effort_none_sends_no_thinking():
    body = _body(params={"reasoning_effort": "none"}, model=SONNET_37)
    assert "thinking" not in body and "reasoning_effort" not in body


def test_reasoning_effort_on_claude_4_6_uses_adaptive_thinking_and_effort():
    body = _body(params={"reasoning_effort": "high"}, model="claude-opus-4-6")
    assert body["thinking"] == {"type": "adaptive"}
    assert body["output_config"] == {"effort": "high"}


def test_json_schema_on_older_models_uses_a_forced_json_tool():
    rf = {
        "type": "json_schema",
        "json_schema": {"name": "out", "schema": {"type": "object", "properties": {"a": {"type": "string"}}}},
    }
    body = _body(params={"response_format": rf, "tools": [WEATHER_TOOL]})
    assert body["tools"][0] == {"name": "json_tool_call", "input_schema": rf["json_schema"]["schema"]}
    assert body["tools"][1]["name"] == "get_weather"
    assert body["tool_choice"] == {"type": "tool", "name": "json_tool_call"}


def test_json_schema_on_models_with_structured_outputs_uses_output_format_and_beta():
    rf = {
        "type": "json_schema",
        "json_schema": {"name": "out", "schema": {"type": "object", "properties": {"a": {"type": "string"}}}},
    }
    request = _request(params={"response_format": rf}, model="claude-sonnet-4-5-20250929")
    assert request.body["output_format"] == {
        "type": "json_schema",
        "schema": {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
    }
    assert request.headers["anthropic-beta"] == "structured-outputs-2025-11-13"
    assert "tools" not in request.body


def test_json_object_without_schema_sends_nothing():
    body = _body(params={"response_format": {"type": "json_object"}})
    assert "tools" not in body and "output_format" not in body and "response_format" not in body


def test_web_search_options_add_the_web_search_tool():
    body = _body(
        params={
            "web_search_options": {
                "search_context_size": "high",
                "user_location": {"type": "approximate", "approximate": {"city": "Paris", "country": "FR"}},
            }
        }
    )
    assert body["tools"] == [
        {
            "type": "web_search_20250305",
            "name": "web_search",
            "user_location": {"type": "approximate", "city": "Paris", "country": "FR"},
            "max_uses": 10,
        }
    ]


def test_stream_flag_extra_body_and_beta_headers_merge():
    request = _request(
        stream=True, extra_body={"container": "c1"}, extra_headers={"anthropic-beta": "foo-1", "X-Trace": "t"}
    )
    assert request.body["stream"] is True
    assert request.body["container"] == "c1"
    assert request.headers["anthropic-beta"] == "foo-1"
    assert request.headers["X-Trace"] == "t"


def test_stream_options_and_metadata_never_reach_the_body():
    body = _body(params={"stream_options": {"include_usage": True}})
    assert "stream_options" not in body


def test_supported_params_include_reasoning_only_for_thinking_models():
    adapter = AnthropicAdapter()
    assert {"reasoning_effort", "thinking"} <= adapter.supported_params(SONNET_37)
    assert "reasoning_effort" not in adapter.supported_params("claude-3-haiku-20240307")
    assert "seed" not in adapter.supported_params(SONNET_37)
