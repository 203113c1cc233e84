"""Gemini (Google AI Studio) adapter against the Gemini API's wire format (fixtures: tests/fixtures/gemini)."""

from __future__ import annotations

import json

import pytest

from litellm.core.types import ModelResponse
from litellm.providers.base import Credentials, StreamErrorEvent
from litellm.providers.gemini import THOUGHT_SIGNATURE_SEP, GeminiAdapter, gemini_usage
from litellm.providers.registry import resolve
from tests.unit.providers.conftest import joined_content, load_json, replay

MODEL = "gemini-2.5-flash"


@pytest.fixture
def adapter():
    return GeminiAdapter()


def _build(adapter, messages, params=None, stream=False, model=MODEL, **kw):
    return adapter.build_request(
        model, messages, dict(params or {}), Credentials(api_key="AIza-test"), stream=stream, **kw
    )


USER = [{"role": "user", "content": "hi"}]


def test_routes_gemini_prefix_to_the_native_adapter():
    found = resolve("gemini/gemini-2.5-flash")
    assert isinstance(found.adapter, GeminiAdapter)
    assert found.model == "gemini-2.5-flash"


def test_url_and_key_header_not_query(adapter):
    req = _build(adapter, USER)
    assert (
        req.url == "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"
    )
    assert req.headers["x-goog-api-key"] == "AIza-test"
    assert "key=" not in req.url
    streamed = _build(adapter, USER, stream=True)
    assert streamed.url.endswith("/models/gemini-2.5-flash:streamGenerateContent?alt=sse")
    assert streamed.stream_format == "sse"


def test_api_base_with_or_without_version(adapter):
    for base in ("http://127.0.0.1:9/", "http://127.0.0.1:9/v1beta"):
        req = adapter.build_request(MODEL, USER, {}, Credentials(api_key="k", api_base=base), stream=False)
        assert req.url == "http://127.0.0.1:9/v1beta/models/gemini-2.5-flash:generateContent"
    # a base with a path is a gateway route, used as given (as LiteLLM does)
    gateway = "https://gateway.ai.cloudflare.com/v1/acct/gw/google-ai-studio/v1"
    req = adapter.build_request(MODEL, USER, {}, Credentials(api_key="k", api_base=gateway), stream=False)
    assert req.url == gateway + "/models/gemini-2.5-flash:generateContent"


def test_system_and_roles_become_system_instruction_and_contents(adapter):
    body = _build(
        adapter,
        [
            {"role": "system", "content": "Be brief."},
            {"role": "developer", "content": [{"type": "text", "text": "No emojis."}]},
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": "hello"},
            {"role": "user", "content": "again"},
        ],
    ).body
    assert body["systemInstruction"] == {"parts": [{"text": "Be brief."}, {"text": "No emojis."}]}
    assert body["contents"] == [
        {"role": "user", "parts": [{"text": "hi"}]},
        {"role": "model", "parts": [{"text": "hello"}]},
        {"role": "user", "parts": [{"text": "again"}]},
    ]


def test_images_pdf_audio_and_file_uris_become_inline_and_file_data(adapter):
    content = [
        {"type": "text", "text": "describe"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
        {"type": "image_url", "image_url": "https://example.com/cat.jpg"},
        {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERi0="}},
        {"type": "file", "file": {"file_id": "gs://bucket/report.pdf"}},
        {
            "type": "file",
            "file": {
                "file_id": "https://generativelanguage.googleapis.com/v1beta/files/abc",
                "format": "video/mp4",
            },
        },
        {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
    ]
    parts = _build(adapter, [{"role": "user", "content": content}]).body["contents"][0]["parts"]
    assert parts == [
        {"text": "describe"},
        {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
        {"fileData": {"mimeType": "image/jpeg", "fileUri": "https://example.com/cat.jpg"}},
        {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0="}},
        {"fileData": {"mimeType": "application/pdf", "fileUri": "gs://bucket/report.pdf"}},
        {
            "fileData": {
                "mimeType": "video/mp4",
                "fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc",
            }
        },
        {"inlineData": {"mimeType": "audio/wav", "data": "UklGRg=="}},
    ]


def test_generation_config_mapping(adapter):
    body = _build(
        adapter,
        USER,
        {
            "temperature": 0.3,
            "top_p": 0.9,
            "max_completion_tokens": 256,
            "stop": ["END"],
            "n": 2,
            "presence_penalty": 0.1,
            "frequency_penalty": 0.2,
            "seed": 7,
            "top_logprobs": 3,
            "top_k": 40,
            "safety_settings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
            "cached_content": "cachedContents/abc",
        },
    ).body
    assert body["generationConfig"] == {
        "temperature": 0.3,
        "topP": 0.9,
        "candidateCount": 2,
        "presencePenalty": 0.1,
        "frequencyPenalty": 0.2,
        "seed": 7,
        "maxOutputTokens": 256,
        "stopSequences": ["END"],
        "responseLogprobs": True,
        "logprobs": 3,
        "topK": 40,
    }
    assert body["safetySettings"] == [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}]
    assert body["cachedContent"] == "cachedContents/abc"


def test_response_format_json_schema_uses_response_json_schema_on_2x(adapter):
    schema = {
        "type": "object",
        "properties": {"a": {"type": "integer"}},
        "required": ["a"],
        "additionalProperties": False,
    }
    rf = {"type": "json_schema", "json_schema": {"name": "x", "schema": schema, "strict": True}}
    config = _build(adapter, USER, {"response_format": rf}).body["generationConfig"]
    assert config == {"responseMimeType": "application/json", "responseJsonSchema": schema}
    # Gemini 1.5 only takes the OpenAPI subset: additionalProperties dropped
    old = _build(adapter, USER, {"response_format": rf}, model="gemini-1.5-pro").body["generationConfig"]
    assert old["responseSchema"] == {
        "type": "object",
        "properties": {"a": {"type": "integer"}},
        "required": ["a"],
    }
    assert _build(adapter, USER, {"response_format": {"type": "json_object"}}).body["generationConfig"] == {
        "responseMimeType": "application/json"
    }


@pytest.mark.parametrize(
    ("model", "effort", "expected"),
    [
        ("gemini-2.5-flash", "low", {"thinkingBudget": 1024, "includeThoughts": True}),
        ("gemini-2.5-flash", "medium", {"thinkingBudget": 2048, "includeThoughts": True}),
        ("gemini-2.5-pro", "high", {"thinkingBudget": 4096, "includeThoughts": True}),
        ("gemini-2.5-pro", "minimal", {"thinkingBudget": 128, "includeThoughts": True}),
        ("gemini-2.5-flash-lite", "minimal", {"thinkingBudget": 512, "includeThoughts": True}),
        ("gemini-2.5-flash", "none", {"thinkingBudget": 0, "includeThoughts": False}),
        ("gemini-3-pro-preview", "high", {"thinkingLevel": "high", "includeThoughts": True}),
        ("gemini-3-pro-preview", "minimal", {"thinkingLevel": "low", "includeThoughts": True}),
    ],
)
def test_reasoning_effort_becomes_thinking_config(adapter, model, effort, expected):
    body = _build(adapter, USER, {"reasoning_effort": effort}, model=model).body
    assert body["generationConfig"]["thinkingConfig"] == expected


def test_anthropic_style_thinking_param(adapter):
    body = _build(adapter, USER, {"thinking": {"type": "enabled", "budget_tokens": 3000}}).body
    assert body["generationConfig"]["thinkingConfig"] == {"thinkingBudget": 3000, "includeThoughts": True}


def test_tools_tool_choice_and_web_search(adapter):
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Weather for a city",
                "parameters": {
                    "$schema": "http://json-schema.org/draft-07/schema#",
                    "type": "object",
                    "properties": {
                        "city": {"type": "string"},
                        "unit": {"anyOf": [{"type": "string", "enum": ["c", "f"]}, {"type": "null"}]},
                        "where": {"$ref": "#/$defs/Place"},
                    },
                    "required": ["city"],
                    "additionalProperties": False,
                    "$defs": {"Place": {"type": "object", "properties": {"lat": {"type": "number"}}}},
                },
            },
        },
        {"type": "function", "function": {"name": "now", "parameters": {"type": "object", "properties": {}}}},
        {"codeExecution": {}},
    ]
    body = _build(
        adapter,
        USER,
        {
            "tools": tools,
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
            "web_search_options": {},
        },
    ).body
    assert body["tools"] == [
        {
            "functionDeclarations": [
                {
                    "name": "get_weather",
                    "description": "Weather for a city",
                    "parameters": {
                        "type": "object",
                        "properties": {
                            "city": {"type": "string"},
                            "unit": {"type": "string", "enum": ["c", "f"], "nullable": True},
                            "where": {"type": "object", "properties": {"lat": {"type": "number"}}},
                        },
                        "required": ["city"],
                    },
                },
                {"name": "now"},
            ]
        },
        {"codeExecution": {}},
        {"googleSearch": {}},
    ]
    assert body["toolConfig"] == {
        "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}
    }
    for choice, mode in (("auto", "AUTO"), ("none", "NONE"), ("required", "ANY")):
        assert _build(adapter, USER, {"tools": tools[:1], "tool_choice": choice}).body["toolConfig"] == {
            "functionCallingConfig": {"mode": mode}
        }


def test_tool_call_round_trip_carries_name_and_thought_signature(adapter):
    reply = adapter.parse_response(MODEL, load_json("gemini", "generate_content_function_call.json"))
    message = reply["choices"][0]["message"]
    assert reply["choices"][0]["finish_reason"] == "tool_calls"
    first, second = message["tool_calls"]
    assert first["function"] == {"name": "get_weather", "arguments": '{"location": "Tokyo"}'}
    assert first["id"].endswith(THOUGHT_SIGNATURE_SEP + "CikBcsjafFK168Ib")
    assert THOUGHT_SIGNATURE_SEP not in second["id"]
    history = [
        {"role": "user", "content": "weather and time in Tokyo?"},
        message,
        {"role": "tool", "tool_call_id": first["id"], "content": '{"temp_c": 21}'},
        {"role": "tool", "tool_call_id": second["id"], "content": "09:00"},
    ]
    contents = _build(adapter, history).body["contents"]
    assert contents[1] == {
        "role": "model",
        "parts": [
            {
                "functionCall": {"name": "get_weather", "args": {"location": "Tokyo"}},
                "thoughtSignature": "CikBcsjafFK168Ib",
            },
            {"functionCall": {"name": "get_time", "args": {"tz": "Asia/Tokyo"}}},
        ],
    }
    assert contents[2] == {
        "role": "user",
        "parts": [
            {"functionResponse": {"name": "get_weather", "response": {"temp_c": 21}}},
            {"functionResponse": {"name": "get_time", "response": {"content": "09:00"}}},
        ],
    }


def test_bad_input_names_the_problem(adapter):
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError, match="tool message must follow"):
        _build(
            adapter,
            [{"role": "user", "content": "x"}, {"role": "tool", "tool_call_id": "nope", "content": "1"}],
        )
    with pytest.raises(BadRequestError, match="at least one user message"):
        _build(adapter, [{"role": "system", "content": "only system"}])
    with pytest.raises(BadRequestError, match="does not take frobnicate"):
        _build(adapter, USER, {"frobnicate": 1})
    with pytest.raises(BadRequestError, match="reasoning_effort"):
        _build(adapter, USER, {"reasoning_effort": "extreme"})


def test_extra_body_and_headers_pass_through(adapter):
    req = _build(adapter, USER, extra_body={"labels": {"team": "a"}}, extra_headers={"x-trace": "1"})
    assert req.body["labels"] == {"team": "a"}
    assert req.headers["x-trace"] == "1"


def test_thinking_response_and_usage(adapter):
    reply = adapter.parse_response(MODEL, load_json("gemini", "generate_content_thinking.json"))
    message = reply["choices"][0]["message"]
    assert message["content"] == "The capital of France is Paris."
    assert message["reasoning_content"].startswith("**Considering the question**")
    assert message["provider_specific_fields"] == {"thought_signature": "CiQBcsjafNQ0nFx9"}
    assert reply["choices"][0]["finish_reason"] == "stop"
    assert reply["id"] == "mOkZaPXvLqj1xN8P8a2m2QE"
    assert reply["model"] == "gemini-2.5-flash"
    usage = reply["usage"]
    assert (usage["prompt_tokens"], usage["completion_tokens"], usage["total_tokens"]) == (2010, 107, 2117)
    assert usage["prompt_tokens_details"]["cached_tokens"] == 2000
    assert usage["completion_tokens_details"]["reasoning_tokens"] == 100


def test_cost_matches_the_price_map_for_cached_and_thinking_tokens(adapter):
    """gemini-2.5-flash: 10 uncached x 0.30/M + 2000 cached x 0.03/M + 107 output x 2.50/M (the same
    number LiteLLM 1.110.2 computes for this response)."""
    from litellm.cost.calculator import completion_cost

    reply = adapter.parse_response(MODEL, load_json("gemini", "generate_content_thinking.json"))
    cost = completion_cost(
        completion_response=ModelResponse.model_validate(reply), model="gemini/gemini-2.5-flash"
    )
    assert cost == pytest.approx(10 * 3e-7 + 2000 * 3e-8 + 107 * 2.5e-6)


def test_grounded_reply_keeps_metadata_and_bills_search_per_query(adapter):
    reply = adapter.parse_response(MODEL, load_json("gemini", "generate_content_grounded.json"))
    assert reply["vertex_ai_grounding_metadata"][0]["webSearchQueries"] == ["who won euro 2024"]
    # tool-use prompt tokens of a grounded reply are not billed as prompt tokens (priced per query)
    assert reply["usage"]["prompt_tokens"] == 12
    assert reply["usage"]["total_tokens"] == 18


def test_blocked_prompt_is_a_content_filter_finish(adapter):
    reply = adapter.parse_response(MODEL, load_json("gemini", "prompt_blocked.json"))
    assert reply["choices"][0]["finish_reason"] == "content_filter"
    assert reply["choices"][0]["message"]["content"] is None


@pytest.mark.parametrize(
    ("reason", "finish"),
    [
        ("STOP", "stop"),
        ("MAX_TOKENS", "length"),
        ("SAFETY", "content_filter"),
        ("RECITATION", "content_filter"),
        ("MALFORMED_FUNCTION_CALL", "stop"),
    ],
)
def test_finish_reasons(adapter, reason, finish):
    data = {"candidates": [{"content": {"parts": [{"text": "x"}], "role": "model"}, "finishReason": reason}]}
    assert adapter.parse_response(MODEL, data)["choices"][0]["finish_reason"] == finish


def test_recorded_text_stream(adapter):
    chunks = replay(adapter, MODEL, "gemini", "stream_text.sse")
    assert (
        joined_content(chunks)
        == "Okay, let's create a Tetris game in Python, hold functionality, sound, high scores, etc."
    )
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert [c["choices"][0]["finish_reason"] for c in chunks] == [None, None, "stop"]
    assert "usage" not in chunks[0]
    usage = chunks[-1]["usage"]
    assert (usage["prompt_tokens"], usage["completion_tokens"], usage["total_tokens"]) == (
        4,
        5947 + 2042,
        7993,
    )
    assert usage["completion_tokens_details"]["reasoning_tokens"] == 2042
    assert {c["id"] for c in chunks} == {"IZI2acSKMoWl0-kPmYj2yQc"}


def test_recorded_function_call_stream(adapter):
    chunks = replay(adapter, MODEL, "gemini", "stream_function_call.sse")
    (chunk,) = chunks
    call = chunk["choices"][0]["delta"]["tool_calls"][0]
    assert call["index"] == 0 and call["function"] == {
        "name": "getWeather",
        "arguments": '{"location": "Tokyo"}',
    }
    assert THOUGHT_SIGNATURE_SEP in call["id"]
    assert chunk["choices"][0]["finish_reason"] == "tool_calls"


def test_in_stream_error_raises(adapter):
    state = adapter.new_stream_state(MODEL)
    body = load_json("gemini", "error_unavailable.json")
    with pytest.raises(StreamErrorEvent) as info:
        adapter.parse_stream_event(state, None, json.dumps(body))
    assert info.value.status_code == 503


@pytest.mark.parametrize(
    ("status", "fixture", "kind"),
    [
        (400, "error_api_key_invalid.json", "AuthenticationError"),
        (400, "error_context_window.json", "ContextWindowExceededError"),
        (429, "error_quota.json", "RateLimitError"),
        (404, "error_not_found.json", "NotFoundError"),
        (503, "error_unavailable.json", "ServiceUnavailableError"),
    ],
)
def test_error_bodies_map_to_exception_kinds(adapter, status, fixture, kind):
    body = load_json("gemini", fixture)
    info = adapter.classify_error(status, body, {})
    assert info.kind == kind
    assert info.message == body["error"]["message"]


def test_embeddings_batch_request_and_parse(adapter):
    req = adapter.build_embedding_request(
        "gemini-embedding-001",
        ["hello", "world"],
        {"dimensions": 768, "task_type": "retrieval_query"},
        Credentials(api_key="k"),
    )
    assert req.url.endswith("/v1beta/models/gemini-embedding-001:batchEmbedContents")
    assert req.headers["x-goog-api-key"] == "k"
    assert req.body == {
        "requests": [
            {
                "model": "models/gemini-embedding-001",
                "taskType": "RETRIEVAL_QUERY",
                "outputDimensionality": 768,
                "content": {"parts": [{"text": t}]},
            }
            for t in ("hello", "world")
        ]
    }
    out = adapter.parse_embedding_response(
        "gemini-embedding-001", load_json("gemini", "batch_embed_contents.json")
    )
    assert [d["index"] for d in out["data"]] == [0, 1]
    assert out["data"][0]["embedding"][0] == pytest.approx(0.013168523)


def test_usage_counts_modalities_and_tool_use_tokens():
    usage = gemini_usage(
        {
            "promptTokenCount": 300,
            "candidatesTokenCount": 20,
            "toolUsePromptTokenCount": 10,
            "totalTokenCount": 330,
            "promptTokensDetails": [
                {"modality": "TEXT", "tokenCount": 100},
                {"modality": "AUDIO", "tokenCount": 200},
            ],
        }
    )
    assert usage["prompt_tokens"] == 310
    assert usage["prompt_tokens_details"]["audio_tokens"] == 200
    assert usage["prompt_tokens_details"]["text_tokens"] == 110
    assert usage["total_tokens"] == 330


def test_missing_key_names_both_env_vars(adapter):
    assert adapter.missing_credentials(Credentials()) == ["GOOGLE_API_KEY", "GEMINI_API_KEY"]
    assert adapter.env_vars["api_key"] == ("GOOGLE_API_KEY", "GEMINI_API_KEY", "PALM_API_KEY")


def test_google_api_key_wins_over_gemini_api_key_as_in_litellm(adapter, monkeypatch):
    from litellm.providers.environment import credentials_from_env

    monkeypatch.setenv("GEMINI_API_KEY", "gemini-key")
    monkeypatch.setenv("GOOGLE_API_KEY", "google-key")
    assert credentials_from_env(adapter, Credentials()).api_key == "google-key"
    monkeypatch.delenv("GOOGLE_API_KEY")
    assert credentials_from_env(adapter, Credentials()).api_key == "gemini-key"


def test_generated_images_and_speech_become_images_and_audio(adapter):
    data = {
        "candidates": [
            {
                "content": {
                    "parts": [
                        {"text": "Here is a cat."},
                        {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
                    ],
                    "role": "model",
                },
                "finishReason": "STOP",
            }
        ],
        "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 1290, "totalTokenCount": 1295},
    }
    message = adapter.parse_response("gemini-2.5-flash-image", data)["choices"][0]["message"]
    assert message["content"] == "Here is a cat."
    assert message["images"] == [
        {
            "type": "image_url",
            "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "auto"},
            "index": 0,
        }
    ]
    speech = {
        "candidates": [
            {
                "content": {
                    "parts": [{"inlineData": {"mimeType": "audio/L16;codec=pcm;rate=24000", "data": "AAAA"}}]
                },
                "finishReason": "STOP",
            }
        ]
    }
    assert (
        adapter.parse_response("gemini-2.5-flash-preview-tts", speech)["choices"][0]["message"]["audio"][
            "data"
        ]
        == "AAAA"
    )


def test_imagen_on_ai_studio(adapter):
    req = adapter.build_image_generation_request(
        "imagen-4.0-generate-001", "a cat", {"n": 1, "size": "1024x1024"}, Credentials(api_key="k")
    )
    assert req.url.endswith("/v1beta/models/imagen-4.0-generate-001:predict")
    assert req.headers["x-goog-api-key"] == "k"
    assert req.body == {
        "instances": [{"prompt": "a cat"}],
        "parameters": {"sampleCount": 1, "aspectRatio": "1:1"},
    }


def test_usage_arriving_after_the_finish_event_is_not_lost(adapter):
    state = adapter.new_stream_state(MODEL)
    done = {"candidates": [{"content": {"parts": [{"text": "hi"}], "role": "model"}, "finishReason": "STOP"}]}
    late = {"usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 1, "totalTokenCount": 4}}
    first = adapter.parse_stream_event(state, None, json.dumps(done))
    assert first[0]["choices"][0]["finish_reason"] == "stop" and "usage" not in first[0]
    (usage_chunk,) = adapter.parse_stream_event(state, None, json.dumps(late))
    assert usage_chunk["choices"] == [] and usage_chunk["usage"]["total_tokens"] == 4


def test_thinking_blocks_and_litellm_style_signatures(adapter):
    reply = adapter.parse_response(MODEL, load_json("gemini", "generate_content_thinking.json"))
    assert reply["choices"][0]["message"]["thinking_blocks"] == [
        {
            "type": "thinking",
            "thinking": "**Considering the question**\n\nThe user asks for the capital of France.",
        }
    ]
    calls = adapter.parse_response(MODEL, load_json("gemini", "generate_content_function_call.json"))[
        "choices"
    ][0]["message"]["tool_calls"]
    assert calls[0]["provider_specific_fields"] == {"thought_signature": "CikBcsjafFK168Ib"}
    # a history built by LiteLLM keeps signatures in provider_specific_fields, not in the id
    history = [
        {"role": "user", "content": "q"},
        {
            "role": "assistant",
            "content": "text",
            "provider_specific_fields": {"thought_signatures": ["sigText"]},
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "f", "arguments": "{}"},
                    "provider_specific_fields": {"thought_signature": "sigCall"},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "ok"},
    ]
    parts = _build(adapter, history).body["contents"][1]["parts"]
    assert parts == [
        {"text": "text", "thoughtSignature": "sigText"},
        {"functionCall": {"name": "f", "args": {}}, "thoughtSignature": "sigCall"},
    ]
