"""Bedrock adapter against wire fixtures: Converse requests built exactly, responses, ConverseStream and
invoke streams decoded from real event-stream frames, errors by x-amzn-ErrorType, embeddings, cost."""

from __future__ import annotations

import base64
import json

import pytest

from litellm.core.eventstream import EventStreamDecoder, event_frame, exception_frame, frame_event
from litellm.providers.auth.aws import BearerAuth, SigV4Auth
from litellm.providers.base import Credentials, StreamErrorEvent
from litellm.providers.bedrock import BedrockAdapter
from tests.unit.providers.conftest import joined_arguments, joined_content, load_json

KEYS = {
    "aws_access_key_id": "AKIATEST",
    "aws_secret_access_key": "secret-xyz",
    "aws_region_name": "us-east-1",
}
CLAUDE = "us.anthropic.claude-3-5-sonnet-20241022-v2:0"


@pytest.fixture
def adapter():
    return BedrockAdapter()


@pytest.fixture(autouse=True)
def _no_aws_env(monkeypatch):
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION_NAME",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_BEARER_TOKEN_BEDROCK",
        "AWS_BEDROCK_RUNTIME_ENDPOINT",
        "AWS_PROFILE_NAME",
        "AWS_ROLE_NAME",
    ):
        monkeypatch.delenv(name, raising=False)


def build(adapter, model, messages, params=None, creds=None, stream=False, **kw):
    return adapter.build_request(
        model, messages, {**KEYS, **(params or {})}, creds or Credentials(), stream=stream, **kw
    )


# ---- requests --------------------------------------------------------------------------------------


def test_converse_request_url_body_and_sigv4(adapter):
    req = build(
        adapter,
        CLAUDE,
        [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Capital of France?"},
        ],
        {"max_tokens": 100, "temperature": 0.2, "top_p": 0.9, "stop": "END", "top_k": 40},
    )
    assert req.url == (
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-3-5-sonnet-20241022-v2:0/converse"
    )
    assert req.body == {
        "messages": [{"role": "user", "content": [{"text": "Capital of France?"}]}],
        "system": [{"text": "Be brief."}],
        "inferenceConfig": {"maxTokens": 100, "temperature": 0.2, "topP": 0.9, "stopSequences": ["END"]},
        "additionalModelRequestFields": {"top_k": 40},
    }
    assert req.stream_format == "aws-eventstream"
    assert isinstance(req.auth, SigV4Auth) and req.auth.region == "us-east-1"
    signed = req.auth.apply("POST", req.url, req.headers, json.dumps(req.body).encode())
    assert signed["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIATEST/")
    assert "/us-east-1/bedrock/aws4_request" in signed["Authorization"]
    # no aws_* argument leaks into the body or the headers
    assert "secret-xyz" not in json.dumps(req.body) + json.dumps(req.headers)


def test_stream_uses_converse_stream_and_eventstream_accept(adapter):
    req = build(
        adapter, "converse/meta.llama3-1-70b-instruct-v1:0", [{"role": "user", "content": "hi"}], stream=True
    )
    assert req.url.endswith("/model/meta.llama3-1-70b-instruct-v1:0/converse-stream")
    assert req.headers["Accept"] == "application/vnd.amazon.eventstream"


def test_arn_is_percent_encoded_and_gives_the_region(adapter):
    arn = "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0"
    params = {"aws_access_key_id": "AK", "aws_secret_access_key": "S"}
    req = adapter.build_request(arn, [{"role": "user", "content": "hi"}], params, Credentials(), stream=False)
    assert req.url.startswith(
        "https://bedrock-runtime.eu-west-1.amazonaws.com/model/arn:aws:bedrock:eu-west-1"
    )
    assert "%2Feu.anthropic" in req.url and req.auth.region == "eu-west-1"


def test_bearer_key_and_custom_endpoint(adapter):
    req = adapter.build_request(
        "amazon.nova-pro-v1:0",
        [{"role": "user", "content": "hi"}],
        {
            "aws_region_name": "us-east-1",
            "aws_bedrock_runtime_endpoint": "https://vpce-123.bedrock-runtime.amazonaws.com",
        },
        Credentials(api_key="bedrock-api-key-123"),
        stream=False,
    )
    assert req.url == "https://vpce-123.bedrock-runtime.amazonaws.com/model/amazon.nova-pro-v1:0/converse"
    assert isinstance(req.auth, BearerAuth)
    assert req.auth.apply("POST", req.url, req.headers, b"") == {
        "Authorization": "Bearer bedrock-api-key-123"
    }


def test_messages_tools_images_documents_and_cache_points(adapter):
    png = base64.b64encode(b"\x89PNG fake").decode()
    pdf = base64.b64encode(b"%PDF-1.4 fake").decode()
    messages = [
        {
            "role": "system",
            "content": [
                {"type": "text", "text": "Long system prompt", "cache_control": {"type": "ephemeral"}}
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in these?"},
                {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{png}"}},
                {
                    "type": "file",
                    "file": {
                        "file_data": f"data:application/pdf;base64,{pdf}",
                        "filename": "report_2024.pdf",
                    },
                },
            ],
        },
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "18C and sunny"},
        {"role": "user", "content": "Thanks", "cache_control": {"type": "ephemeral"}},
    ]
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Weather for a city",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                },
            },
        }
    ]
    req = build(adapter, CLAUDE, messages, {"tools": tools, "tool_choice": "required"})
    body = req.body
    assert body["system"] == [{"text": "Long system prompt"}, {"cachePoint": {"type": "default"}}]
    user, assistant, tool_turn = body["messages"]
    assert user["content"] == [
        {"text": "What is in these?"},
        {"image": {"format": "png", "source": {"bytes": png}}},
        {"document": {"format": "pdf", "name": "report-2024", "source": {"bytes": pdf}}},
    ]
    assert assistant == {
        "role": "assistant",
        "content": [{"toolUse": {"toolUseId": "call_1", "name": "get_weather", "input": {"city": "Paris"}}}],
    }
    # the tool result and the next user message merge into one user turn (Converse alternates roles)
    assert tool_turn["role"] == "user"
    assert tool_turn["content"] == [
        {"toolResult": {"toolUseId": "call_1", "content": [{"text": "18C and sunny"}]}},
        {"text": "Thanks"},
        {"cachePoint": {"type": "default"}},
    ]
    assert body["toolConfig"] == {
        "tools": [
            {
                "toolSpec": {
                    "name": "get_weather",
                    "description": "Weather for a city",
                    "inputSchema": {"json": tools[0]["function"]["parameters"]},
                }
            }
        ],
        "toolChoice": {"any": {}},
    }


def test_named_tool_choice_and_response_format_tool(adapter):
    req = build(
        adapter,
        CLAUDE,
        [{"role": "user", "content": "hi"}],
        {"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
         "tool_choice": {"type": "function", "function": {"name": "f"}}},
    )  # fmt: skip
    assert req.body["toolConfig"]["toolChoice"] == {"tool": {"name": "f"}}
    schema = {"type": "object", "properties": {"name": {"type": "string"}}}
    req = build(
        adapter,
        CLAUDE,
        [{"role": "user", "content": "hi"}],
        {"response_format": {"type": "json_schema", "json_schema": {"name": "p", "schema": schema}}},
    )
    tool_config = req.body["toolConfig"]
    assert tool_config["toolChoice"] == {"tool": {"name": "json_tool_call"}}
    assert tool_config["tools"][0]["toolSpec"]["inputSchema"] == {"json": schema}


def test_web_image_url_is_refused_with_the_fix(adapter):
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError, match="data: URL"):
        build(
            adapter,
            CLAUDE,
            [
                {
                    "role": "user",
                    "content": [{"type": "image_url", "image_url": {"url": "https://x.test/a.png"}}],
                }
            ],
        )


def test_reasoning_effort_maps_per_family(adapter):
    msgs = [{"role": "user", "content": "think"}]
    req = build(
        adapter,
        "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        msgs,
        {"reasoning_effort": "low", "temperature": 0.5},
    )
    assert req.body["additionalModelRequestFields"] == {
        "thinking": {"type": "enabled", "budget_tokens": 1024}
    }
    assert req.body["inferenceConfig"] == {"maxTokens": 1024 + 4096}  # temperature dropped with thinking on
    req = build(adapter, "amazon.nova-2-lite-v1:0", msgs, {"reasoning_effort": "high"})
    assert req.body["additionalModelRequestFields"] == {
        "reasoningConfig": {"type": "enabled", "maxReasoningEffort": "high"}
    }
    req = build(adapter, "openai.gpt-oss-120b-1:0", msgs, {"reasoning_effort": "medium"})
    assert req.body["additionalModelRequestFields"] == {"reasoning_effort": "medium"}
    assert "reasoning_effort" in adapter.supported_params("us.anthropic.claude-3-7-sonnet-20250219-v1:0")
    assert "reasoning_effort" not in adapter.supported_params("meta.llama3-1-70b-instruct-v1:0")


def test_guardrail_and_performance_config_pass_through(adapter):
    guard = {"guardrailIdentifier": "gr-1", "guardrailVersion": "1", "trace": "enabled"}
    req = build(
        adapter,
        CLAUDE,
        [{"role": "user", "content": "hi"}],
        {"guardrailConfig": guard, "performanceConfig": {"latency": "optimized"}},
    )
    assert req.body["guardrailConfig"] == guard
    assert req.body["performanceConfig"] == {"latency": "optimized"}
    assert "additionalModelRequestFields" not in req.body


def test_tool_choice_none_is_a_param_problem(adapter):
    from litellm.core.exceptions import UnsupportedParamsError
    from litellm.providers.params import split_params

    with pytest.raises(UnsupportedParamsError, match="tool_choice='none'"):
        split_params(adapter, CLAUDE, {"tool_choice": "none"}, drop_params=False)
    assert split_params(adapter, CLAUDE, {"tool_choice": "none"}, drop_params=True) == {}


def test_invoke_sends_the_anthropic_body(adapter):
    req = build(
        adapter,
        "invoke/anthropic.claude-3-5-sonnet-20241022-v2:0",
        [{"role": "system", "content": "sys"}, {"role": "user", "content": "hi"}],
        {"max_tokens": 50},
        stream=True,
        extra_headers={"anthropic-beta": "computer-use-2024-10-22"},
    )
    assert req.url.endswith("/model/anthropic.claude-3-5-sonnet-20241022-v2:0/invoke-with-response-stream")
    assert req.body["anthropic_version"] == "bedrock-2023-05-31"
    assert req.body["anthropic_beta"] == ["computer-use-2024-10-22"]
    assert "model" not in req.body and "stream" not in req.body
    assert req.body["messages"] == [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]
    assert req.body["system"] == [{"type": "text", "text": "sys"}]
    assert "anthropic-beta" not in {k.lower() for k in req.headers}
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError, match="bedrock/converse/meta"):
        build(adapter, "invoke/meta.llama3-70b-instruct-v1:0", [{"role": "user", "content": "hi"}])


# ---- responses -------------------------------------------------------------------------------------


def test_text_response_with_cache_usage(adapter):
    out = adapter.parse_response(CLAUDE, load_json("bedrock", "converse_text.json"))
    assert out["choices"][0]["message"] == {"role": "assistant", "content": "Paris is the capital of France."}
    assert out["choices"][0]["finish_reason"] == "stop"
    assert out["model"] == CLAUDE
    usage = out["usage"]
    assert usage["prompt_tokens"] == 12 + 1500 + 300
    assert usage["completion_tokens"] == 8 and usage["total_tokens"] == 1820
    assert usage["prompt_tokens_details"] == {
        "cached_tokens": 1500,
        "cache_creation_tokens": 300,
        "text_tokens": 12,
    }
    assert usage["cache_read_input_tokens"] == 1500 and usage["cache_creation_input_tokens"] == 300


def test_tool_use_and_reasoning_response(adapter):
    out = adapter.parse_response(CLAUDE, load_json("bedrock", "converse_tool_use.json"))
    choice = out["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    message = choice["message"]
    assert message["content"] == "Let me check."
    assert message["tool_calls"] == [
        {
            "id": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
            "type": "function",
            "function": {
                "name": "get_weather",
                "arguments": json.dumps({"city": "Seattle", "unit": "celsius"}),
            },
        }
    ]
    assert message["reasoning_content"] == "The user wants the weather; call the tool."
    assert message["thinking_blocks"][0]["signature"] == "EqoBCkgIARABGAIiQL"
    assert 0 < out["usage"]["completion_tokens_details"]["reasoning_tokens"] <= 96


def test_json_tool_is_unwrapped_to_content(adapter):
    out = adapter.parse_response(CLAUDE, load_json("bedrock", "converse_json_tool.json"))
    assert json.loads(out["choices"][0]["message"]["content"]) == {"name": "Ada", "age": 36}
    assert out["choices"][0]["finish_reason"] == "stop"
    assert "tool_calls" not in out["choices"][0]["message"]


def test_invoke_response_is_parsed_as_anthropic(adapter):
    out = adapter.parse_response(
        "invoke/anthropic.claude-3-5-sonnet-20241022-v2:0", load_json("bedrock", "invoke_anthropic.json")
    )
    assert out["choices"][0]["message"]["content"] == "Hi there!"
    assert out["usage"]["prompt_tokens"] == 10 and out["usage"]["completion_tokens"] == 5
    assert out["model"] == "anthropic.claude-3-5-sonnet-20241022-v2:0"


# ---- streams ---------------------------------------------------------------------------------------


def _frames(pairs) -> bytes:
    return b"".join(event_frame(name, json.dumps(payload).encode()) for name, payload in pairs)


def replay_frames(adapter, model, data: bytes, step: int = 17):
    decoder = EventStreamDecoder()
    state = adapter.new_stream_state(model)
    chunks = []
    for i in range(0, len(data), step):
        for frame in decoder.feed(data[i : i + step]):
            event_type, payload, is_exception, exception_type = frame_event(frame)
            if is_exception:
                raise adapter.stream_exception(exception_type, payload)
            chunks.extend(adapter.parse_stream_event(state, event_type, payload.decode()))
    decoder.close()
    return chunks


def test_converse_stream_text(adapter):
    chunks = replay_frames(adapter, CLAUDE, _frames(load_json("bedrock", "converse_stream_text.json")))
    assert joined_content(chunks) == "Hello, world"
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    last = chunks[-1]
    assert last["choices"][0]["finish_reason"] == "stop"
    assert (
        last["usage"]["prompt_tokens"] == 410
        and last["usage"]["prompt_tokens_details"]["cached_tokens"] == 400
    )
    assert len({c["id"] for c in chunks}) == 1 and chunks[0]["model"] == CLAUDE


def test_converse_stream_tool_call_and_reasoning(adapter):
    chunks = replay_frames(
        adapter, CLAUDE, _frames(load_json("bedrock", "converse_stream_tool.json")), step=5
    )
    assert joined_arguments(chunks) == '{"city": "Seattle"}'
    first_call = next(c for c in chunks if c["choices"][0]["delta"].get("tool_calls"))
    call = first_call["choices"][0]["delta"]["tool_calls"][0]
    assert (call["id"], call["function"]["name"]) == ("tooluse_abc", "get_weather")
    reasoning = "".join(c["choices"][0]["delta"].get("reasoning_content") or "" for c in chunks)
    assert reasoning == "Need the weather."
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"
    assert chunks[-1]["usage"]["completion_tokens"] == 40


def test_exception_frame_becomes_a_mapped_stream_error(adapter):
    data = _frames(load_json("bedrock", "converse_stream_text.json")[:2]) + exception_frame(
        "throttlingException", b'{"message":"Too many tokens, please wait before trying again."}'
    )
    with pytest.raises(StreamErrorEvent) as info:
        replay_frames(adapter, CLAUDE, data)
    assert info.value.status_code == 429
    assert adapter.classify_error(info.value.status_code, info.value.body, {}).kind == "RateLimitError"


def test_invoke_stream_unwraps_base64_anthropic_events(adapter):
    events = load_json("bedrock", "invoke_anthropic_stream.json")
    data = b"".join(
        event_frame(
            "chunk",
            json.dumps({"bytes": base64.b64encode(json.dumps(e).encode()).decode(), "p": "ab"}).encode(),
        )
        for e in events
    )
    model = "invoke/anthropic.claude-3-5-sonnet-20241022-v2:0"
    chunks = replay_frames(adapter, model, data)
    assert joined_content(chunks) == "Hi there"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["usage"]["completion_tokens"] == 5
    assert {c["model"] for c in chunks} == {"anthropic.claude-3-5-sonnet-20241022-v2:0"}


# ---- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case", load_json("bedrock", "errors.json"), ids=lambda c: f"{c['status']}-{c['type']}"
)
def test_errors_by_amzn_error_type(adapter, case):
    headers = {"x-amzn-ErrorType": case["type"]} if case["type"] else {}
    info = adapter.classify_error(case["status"], case["body"], headers)
    assert info.kind == case["kind"]
    assert info.message == (case["body"].get("message") or case["body"].get("Message"))


# ---- embeddings ------------------------------------------------------------------------------------


def test_titan_embedding_request_and_response(adapter):
    req = adapter.build_embedding_request(
        "amazon.titan-embed-text-v2:0", "hello", {**KEYS, "dimensions": 256, "normalize": True}, Credentials()
    )
    assert (
        req.url == "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2:0/invoke"
    )
    assert req.body == {"inputText": "hello", "dimensions": 256, "normalize": True}
    out = adapter.parse_embedding_response(
        "amazon.titan-embed-text-v2:0", load_json("bedrock", "embed_titan_v2.json")
    )
    assert out["data"] == [
        {"object": "embedding", "index": 0, "embedding": [0.0123, -0.0456, 0.0789, 0.0012]}
    ]
    assert out["usage"] == {"prompt_tokens": 7, "total_tokens": 7}
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError, match="one input per request"):
        adapter.build_embedding_request("amazon.titan-embed-text-v2:0", ["a", "b"], dict(KEYS), Credentials())


def test_cohere_embedding_request_and_response(adapter):
    req = adapter.build_embedding_request(
        "cohere.embed-english-v3",
        ["hello world", "goodbye moon"],
        {**KEYS, "input_type": "search_query"},
        Credentials(),
    )
    assert req.body == {"texts": ["hello world", "goodbye moon"], "input_type": "search_query"}
    out = adapter.parse_embedding_response(
        "cohere.embed-english-v3", load_json("bedrock", "embed_cohere.json")
    )
    assert [d["embedding"] for d in out["data"]] == [[0.01, 0.02, 0.03], [0.04, 0.05, 0.06]]
    assert out["usage"]["prompt_tokens"] > 0


# ---- cost ------------------------------------------------------------------------------------------


def test_cache_reads_and_writes_are_priced_from_the_bedrock_entry(adapter):
    from litellm.core.types import ModelResponse
    from litellm.cost.calculator import completion_cost

    data = adapter.parse_response(CLAUDE, load_json("bedrock", "converse_text.json"))
    response = ModelResponse.model_validate(data)
    cost = completion_cost(
        completion_response=response, model=f"bedrock/converse/{CLAUDE}", custom_llm_provider="bedrock"
    )
    # us.anthropic.claude-3-5-sonnet-20241022-v2:0: 3e-6 in, 1.5e-5 out, 3e-7 cache read, 3.75e-6 cache write
    expected = 12 * 3e-6 + 1500 * 3e-7 + 300 * 3.75e-6 + 8 * 1.5e-5
    assert cost == pytest.approx(expected, rel=1e-6)


def test_parallel_tool_calls_and_service_tier(adapter):
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    req = build(
        adapter,
        CLAUDE,
        [{"role": "user", "content": "hi"}],
        {"tools": tools, "parallel_tool_calls": False, "service_tier": "auto"},
    )
    assert req.body["additionalModelRequestFields"] == {
        "tool_choice": {"type": "auto", "disable_parallel_tool_use": True}
    }
    assert req.body["serviceTier"] == {"type": "default"}
    req = build(
        adapter,
        "meta.llama3-1-70b-instruct-v1:0",
        [{"role": "user", "content": "hi"}],
        {"tools": tools, "parallel_tool_calls": False, "service_tier": "flex"},
    )
    assert "additionalModelRequestFields" not in req.body and req.body["serviceTier"] == {"type": "flex"}


def test_reasoning_effort_on_adaptive_claude_uses_output_config(adapter):
    req = build(
        adapter,
        "global.anthropic.claude-opus-4-6-v1",
        [{"role": "user", "content": "x"}],
        {"reasoning_effort": "high"},
    )
    assert req.body["additionalModelRequestFields"] == {
        "thinking": {"type": "adaptive"},
        "output_config": {"effort": "high"},
    }


# ---- images ----------------------------------------------------------------------------------------


def test_image_bodies_per_family(adapter):
    nova = adapter.build_image_generation_request(
        "amazon.nova-canvas-v1:0",
        "a red fox",
        {**KEYS, "n": 2, "size": "1024x768", "quality": "hd", "seed": 7},
        Credentials(),
    )
    assert nova.url == "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-canvas-v1:0/invoke"
    assert nova.body == {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "a red fox"},
        "imageGenerationConfig": {
            "numberOfImages": 2,
            "width": 1024,
            "height": 768,
            "quality": "premium",
            "seed": 7,
        },
    }
    sd3 = adapter.build_image_generation_request(
        "stability.sd3-5-large-v1:0",
        "a red fox",
        {**KEYS, "size": "1792x1024", "negative_prompt": "blur"},
        Credentials(),
    )
    assert sd3.body == {
        "prompt": "a red fox",
        "mode": "text-to-image",
        "aspect_ratio": "16:9",
        "negative_prompt": "blur",
    }
    sdxl = adapter.build_image_generation_request(
        "stability.stable-diffusion-xl-v1",
        "fox",
        {**KEYS, "n": 2, "size": "512x512", "cfg_scale": 7},
        Credentials(),
    )
    assert sdxl.body == {
        "text_prompts": [{"text": "fox", "weight": 1}],
        "samples": 2,
        "width": 512,
        "height": 512,
        "cfg_scale": 7,
    }
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError, match="one image per request"):
        adapter.build_image_generation_request(
            "stability.sd3-5-large-v1:0", "x", {**KEYS, "n": 2}, Credentials()
        )
    with pytest.raises(BadRequestError, match="image generation supports"):
        adapter.build_image_generation_request(
            "meta.llama3-70b-instruct-v1:0", "x", dict(KEYS), Credentials()
        )


def test_image_replies_and_content_filter(adapter):
    out = adapter.parse_image_generation_response(
        "amazon.nova-canvas-v1:0", {"images": ["AAA", "BBB"], "error": None}
    )
    assert out["data"] == [{"b64_json": "AAA"}, {"b64_json": "BBB"}]
    out = adapter.parse_image_generation_response(
        "stability.stable-diffusion-xl-v1", {"artifacts": [{"base64": "CCC"}]}
    )
    assert out["data"] == [{"b64_json": "CCC"}]
    from litellm.core.exceptions import ContentPolicyViolationError

    with pytest.raises(ContentPolicyViolationError, match="Filter reason"):
        adapter.parse_image_generation_response(
            "stability.sd3-5-large-v1:0", {"images": ["x"], "finish_reasons": ["Filter reason: prompt"]}
        )
    with pytest.raises(ContentPolicyViolationError, match="content filters"):
        adapter.parse_image_generation_response(
            "amazon.titan-image-generator-v2:0",
            {"images": [], "error": "This request has been blocked by our content filters."},
        )
