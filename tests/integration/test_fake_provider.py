"""The fake provider speaks the real wire formats: the official SDKs parse it and map its errors.

Drives the shared in-process server (``fake_provider`` / ``fake_url`` from tests/conftest.py) with plain
httpx, the openai SDK and, when installed, the anthropic SDK (not a dependency: those tests skip).
"""

from __future__ import annotations

import base64
import json
import struct
import subprocess
import sys

import httpx
import openai
import pytest

from litellm.fake_provider import content
from litellm.fake_provider.server import start_fake_provider

pytestmark = pytest.mark.integration

REPLY = "Hello from the fake provider! This reply is deterministic."
MESSAGES = [{"role": "user", "content": "hi"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer"},
            },
            "required": ["city", "unit"],
        },
    },
}
TIME_TOOL = {
    "type": "function",
    "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}},
}
ANTHROPIC_HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}


@pytest.fixture
def http(fake_url: str):
    with httpx.Client(base_url=fake_url, timeout=10) as client:
        yield client


@pytest.fixture
def oai(fake_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=fake_url + "/v1", api_key="x", max_retries=0, timeout=10)


def sse_data(text: str) -> list[str]:
    return [line[6:] for line in text.splitlines() if line.startswith("data: ")]


def anthropic_events(text: str) -> list[tuple[str, dict]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


# --- OpenAI chat: JSON --------------------------------------------------------------------------------


def test_chat_json_echoes_model_and_returns_the_deterministic_reply_with_usage(http: httpx.Client) -> None:
    r = http.post("/v1/chat/completions", json={"model": "my-model", "messages": MESSAGES})
    assert r.status_code == 200
    body = r.json()
    assert body["object"] == "chat.completion"
    assert body["model"] == "my-model"
    assert body["id"].startswith("chatcmpl-")
    assert body["choices"][0]["message"] == {
        "role": "assistant",
        "content": REPLY,
        "refusal": None,
        "annotations": [],
    }
    assert body["choices"][0]["finish_reason"] == "stop"
    usage = body["usage"]
    assert usage["completion_tokens"] == 9
    assert usage["total_tokens"] == usage["prompt_tokens"] + 9
    assert usage["prompt_tokens_details"]["cached_tokens"] == 0


def test_chat_is_served_without_the_v1_prefix_too(http: httpx.Client) -> None:
    assert http.post("/chat/completions", json={"model": "m", "messages": MESSAGES}).status_code == 200


def test_openai_sdk_parses_a_chat_completion(oai: openai.OpenAI) -> None:
    r = oai.chat.completions.create(model="fake", messages=MESSAGES)
    assert r.choices[0].message.content == REPLY
    assert r.usage is not None and r.usage.completion_tokens == 9
    assert r.model == "fake"


def test_chunks_header_sets_reply_length(oai: openai.OpenAI) -> None:
    r = oai.chat.completions.create(model="m", messages=MESSAGES, extra_headers={"x-fake-chunks": "20"})
    assert r.choices[0].message.content == "".join(content.reply_pieces(20))
    assert r.usage.completion_tokens == 20


def test_max_tokens_below_reply_truncates_with_finish_reason_length(oai: openai.OpenAI) -> None:
    r = oai.chat.completions.create(model="m", messages=MESSAGES, max_tokens=3)
    assert r.choices[0].message.content == "Hello from the"
    assert r.choices[0].finish_reason == "length"
    assert r.usage.completion_tokens == 3


def test_n_returns_that_many_choices(oai: openai.OpenAI) -> None:
    r = oai.chat.completions.create(model="m", messages=MESSAGES, n=3)
    assert [c.index for c in r.choices] == [0, 1, 2]
    assert r.usage.completion_tokens == 27


def test_reasoning_effort_reports_reasoning_tokens(oai: openai.OpenAI) -> None:
    r = oai.chat.completions.create(model="m", messages=MESSAGES, reasoning_effort="low")
    assert r.usage.completion_tokens_details.reasoning_tokens == 16


def test_cached_tokens_header_sets_prompt_tokens_details(oai: openai.OpenAI) -> None:
    long = [{"role": "user", "content": "x" * 400}]
    r = oai.chat.completions.create(model="m", messages=long, extra_headers={"x-fake-cached-tokens": "50"})
    assert r.usage.prompt_tokens_details.cached_tokens == 50


def test_json_schema_response_format_returns_json_matching_the_schema(oai: openai.OpenAI) -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}, "tags": {"type": "array"}},
        "required": ["name", "age", "tags"],
    }
    r = oai.chat.completions.create(
        model="m",
        messages=MESSAGES,
        response_format={"type": "json_schema", "json_schema": {"name": "person", "schema": schema}},
    )
    assert json.loads(r.choices[0].message.content) == {"name": "fake", "age": 1, "tags": []}


# --- OpenAI chat: tools -------------------------------------------------------------------------------


def test_required_tool_choice_returns_a_tool_call_with_schema_arguments(oai: openai.OpenAI) -> None:
    r = oai.chat.completions.create(
        model="m", messages=MESSAGES, tools=[WEATHER_TOOL], tool_choice="required"
    )
    choice = r.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    (call,) = choice.message.tool_calls
    assert call.id.startswith("call_")
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "fake", "unit": "celsius"}


def test_named_tool_choice_calls_that_tool(oai: openai.OpenAI) -> None:
    choice = {"type": "function", "function": {"name": "get_time"}}
    r = oai.chat.completions.create(
        model="m", messages=MESSAGES, tools=[WEATHER_TOOL, TIME_TOOL], tool_choice=choice
    )
    assert [c.function.name for c in r.choices[0].message.tool_calls] == ["get_time"]


def test_auto_tool_choice_answers_with_text_unless_the_marker_asks_for_a_tool(oai: openai.OpenAI) -> None:
    plain = oai.chat.completions.create(model="m", messages=MESSAGES, tools=[WEATHER_TOOL])
    assert plain.choices[0].message.tool_calls is None
    asked = [{"role": "user", "content": "weather please [fake:tool]"}]
    marked = oai.chat.completions.create(model="m", messages=asked, tools=[WEATHER_TOOL])
    assert marked.choices[0].message.tool_calls[0].function.name == "get_weather"


def test_parallel_marker_calls_every_tool(oai: openai.OpenAI) -> None:
    asked = [{"role": "user", "content": "[fake:tools]"}]
    r = oai.chat.completions.create(model="m", messages=asked, tools=[WEATHER_TOOL, TIME_TOOL])
    assert [c.function.name for c in r.choices[0].message.tool_calls] == ["get_weather", "get_time"]


def test_tool_choice_none_never_calls_a_tool(oai: openai.OpenAI) -> None:
    asked = [{"role": "user", "content": "[fake:tool]"}]
    r = oai.chat.completions.create(model="m", messages=asked, tools=[WEATHER_TOOL], tool_choice="none")
    assert r.choices[0].message.content == REPLY


# --- OpenAI chat: SSE ---------------------------------------------------------------------------------


def test_stream_is_sse_chunks_ending_with_done(http: httpx.Client) -> None:
    r = http.post("/v1/chat/completions", json={"model": "m", "messages": MESSAGES, "stream": True})
    assert r.headers["content-type"].startswith("text/event-stream")
    data = sse_data(r.text)
    assert data[-1] == "[DONE]"
    chunks = [json.loads(d) for d in data[:-1]]
    assert all(c["object"] == "chat.completion.chunk" and c["model"] == "m" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == REPLY
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert all("usage" not in c for c in chunks)


def test_openai_sdk_stream_with_include_usage_ends_with_a_usage_only_chunk(oai: openai.OpenAI) -> None:
    chunks = list(
        oai.chat.completions.create(
            model="m", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
        )
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == REPLY
    assert all(c.usage is None for c in chunks[:-1])
    last = chunks[-1]
    assert last.choices == []
    assert last.usage.completion_tokens == 9


def test_openai_sdk_stream_chunk_count_follows_the_chunks_header(oai: openai.OpenAI) -> None:
    stream = oai.chat.completions.create(
        model="m", messages=MESSAGES, stream=True, extra_headers={"x-fake-chunks": "200"}
    )
    contents = [c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content]
    assert len(contents) == 200


def test_openai_sdk_stream_assembles_tool_call_arguments(oai: openai.OpenAI) -> None:
    stream = oai.chat.completions.create(
        model="m", messages=MESSAGES, tools=[WEATHER_TOOL], tool_choice="required", stream=True
    )
    name, arguments, finish = None, "", None
    for chunk in stream:
        delta = chunk.choices[0].delta
        for call in delta.tool_calls or ():
            name = call.function.name or name
            arguments += call.function.arguments or ""
        finish = chunk.choices[0].finish_reason or finish
    assert name == "get_weather"
    assert json.loads(arguments) == {"city": "fake", "unit": "celsius"}
    assert finish == "tool_calls"


# --- other OpenAI endpoints ---------------------------------------------------------------------------


def test_openai_sdk_embeddings_decodes_the_default_base64_encoding(oai: openai.OpenAI) -> None:
    r = oai.embeddings.create(model="emb", input=["a", "b", "a"])
    vectors = [d.embedding for d in r.data]
    assert len(vectors) == 3 and len(vectors[0]) == 16
    assert vectors[0] == vectors[2] != vectors[1]
    assert abs(sum(x * x for x in vectors[0]) - 1.0) < 1e-3


def test_embeddings_honour_dimensions_and_float_encoding(http: httpx.Client) -> None:
    r = http.post(
        "/v1/embeddings", json={"model": "e", "input": "x", "dimensions": 4, "encoding_format": "float"}
    )
    assert len(r.json()["data"][0]["embedding"]) == 4
    b64 = http.post(
        "/v1/embeddings", json={"model": "e", "input": "x", "dimensions": 4, "encoding_format": "base64"}
    )
    packed = base64.b64decode(b64.json()["data"][0]["embedding"])
    assert struct.unpack("<4f", packed) == pytest.approx(r.json()["data"][0]["embedding"], rel=1e-6)


def test_embeddings_without_input_is_a_400(oai: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError):
        oai.embeddings.create(model="e", input=[])


def test_openai_sdk_lists_and_retrieves_models(oai: openai.OpenAI) -> None:
    assert "fake-model" in [m.id for m in oai.models.list()]
    assert oai.models.retrieve("anything").id == "anything"


def test_openai_sdk_text_completion_json_and_stream(oai: openai.OpenAI) -> None:
    r = oai.completions.create(model="m", prompt="say hi")
    assert r.choices[0].text == REPLY
    streamed = "".join(
        c.choices[0].text for c in oai.completions.create(model="m", prompt="say hi", stream=True)
    )
    assert streamed == REPLY


def test_unknown_path_is_a_404_in_openai_shape(http: httpx.Client) -> None:
    r = http.post("/v1/nope", json={})
    assert r.status_code == 404
    assert r.json()["error"]["message"] == "Invalid URL (POST /v1/nope)"


def test_body_that_is_not_json_is_a_400(http: httpx.Client) -> None:
    r = http.post("/v1/chat/completions", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert set(r.json()["error"]) == {"message", "type", "param", "code"}


def test_missing_messages_is_a_missing_required_parameter_error(oai: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        oai.chat.completions.create(model="m", messages=[])
    assert info.value.code == "missing_required_parameter"


# --- errors and retries -------------------------------------------------------------------------------

SDK_CLASS_BY_STATUS = [
    (400, openai.BadRequestError),
    (401, openai.AuthenticationError),
    (403, openai.PermissionDeniedError),
    (404, openai.NotFoundError),
    (409, openai.ConflictError),
    (422, openai.UnprocessableEntityError),
    (429, openai.RateLimitError),
    (500, openai.InternalServerError),
    (503, openai.InternalServerError),
]


@pytest.mark.parametrize(("status", "exc_class"), SDK_CLASS_BY_STATUS)
def test_error_header_raises_the_matching_openai_sdk_exception(
    oai: openai.OpenAI, status: int, exc_class: type
) -> None:
    with pytest.raises(exc_class) as info:
        oai.chat.completions.create(model="m", messages=MESSAGES, extra_headers={"x-fake-error": str(status)})
    assert info.value.status_code == status
    assert set(info.value.body) == {"message", "type", "param", "code"}


@pytest.mark.parametrize(("status", "exc_class"), SDK_CLASS_BY_STATUS)
def test_magic_model_name_raises_the_matching_openai_sdk_exception(
    oai: openai.OpenAI, status: int, exc_class: type
) -> None:
    with pytest.raises(exc_class):
        oai.chat.completions.create(model=f"fake-error-{status}", messages=MESSAGES)


def test_rate_limit_error_has_openai_code_and_requested_retry_headers(http: httpx.Client) -> None:
    r = http.post(
        "/v1/chat/completions",
        json={"model": "m", "messages": MESSAGES},
        headers={"x-fake-error": "429", "x-fake-retry-after": "1.5"},
    )
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "rate_limit_exceeded"
    assert r.headers["retry-after"] == "2"
    assert r.headers["retry-after-ms"] == "1500"


def test_context_window_error_has_openai_code_and_message(oai: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        oai.chat.completions.create(
            model="m", messages=MESSAGES, extra_headers={"x-fake-error": "context_window"}
        )
    assert info.value.code == "context_length_exceeded"
    assert "maximum context length" in info.value.message


def test_prompt_longer_than_the_context_window_is_refused() -> None:
    with start_fake_provider(context_window=50) as fake:
        client = openai.OpenAI(base_url=fake.url + "/v1", api_key="x", max_retries=0)
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "short"}])
        with pytest.raises(openai.BadRequestError) as info:
            client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x" * 400}])
    assert info.value.code == "context_length_exceeded"


def test_content_policy_error_has_openai_code(oai: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        oai.chat.completions.create(model="fake-content-policy", messages=MESSAGES)
    assert info.value.code == "content_policy_violation"


def test_key_starting_with_invalid_is_refused_with_invalid_api_key(fake_url: str) -> None:
    client = openai.OpenAI(base_url=fake_url + "/v1", api_key="invalid-key", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as info:
        client.chat.completions.create(model="m", messages=MESSAGES)
    assert info.value.code == "invalid_api_key"


def test_fail_times_fails_the_first_requests_of_a_key_then_succeeds(
    http: httpx.Client, fake_key: str
) -> None:
    headers = {"x-fake-fail-times": "2", "x-fake-key": fake_key, "x-fake-error": "503"}
    statuses = [
        http.post(
            "/v1/chat/completions", json={"model": "m", "messages": MESSAGES}, headers=headers
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [503, 503, 200, 200]


def test_openai_sdk_retries_through_fail_times_honouring_retry_after_ms(
    fake_provider, fake_url: str, fake_key: str
) -> None:
    client = openai.OpenAI(base_url=fake_url + "/v1", api_key="x", max_retries=2)
    headers = {
        "x-fake-fail-times": "2",
        "x-fake-key": fake_key,
        "x-fake-error": "429",
        "x-fake-retry-after-ms": "10",
    }
    r = client.chat.completions.create(model="m", messages=MESSAGES, extra_headers=headers)
    assert r.choices[0].message.content == REPLY
    assert len(fake_provider.requests) == 3


def test_reset_forgets_fail_counters(fake_provider, http: httpx.Client, fake_key: str) -> None:
    headers = {"x-fake-fail-times": "1", "x-fake-key": fake_key}
    body = {"model": "m", "messages": MESSAGES}
    assert [http.post("/v1/chat/completions", json=body, headers=headers).status_code for _ in range(2)] == [
        500,
        200,
    ]
    fake_provider.reset()
    assert http.post("/v1/chat/completions", json=body, headers=headers).status_code == 500


def test_error_rate_one_fails_every_request_with_the_error_status() -> None:
    with start_fake_provider(error_rate=1.0, error_status=502) as fake:
        r = httpx.post(fake.url + "/v1/chat/completions", json={"model": "m", "messages": MESSAGES})
    assert r.status_code == 502


def test_mid_stream_disconnect_raises_api_connection_error_after_the_first_chunks(oai: openai.OpenAI) -> None:
    received = []
    with pytest.raises(openai.APIConnectionError):
        for chunk in oai.chat.completions.create(
            model="m", messages=MESSAGES, stream=True, extra_headers={"x-fake-stream-disconnect-after": "3"}
        ):
            received.append(chunk)
    assert len(received) == 3


def test_in_stream_error_raises_api_error_with_the_error_body(oai: openai.OpenAI) -> None:
    with pytest.raises(openai.APIError) as info:
        for _ in oai.chat.completions.create(
            model="m", messages=MESSAGES, stream=True, extra_headers={"x-fake-stream-error-after": "2"}
        ):
            pass
    assert info.value.body["type"] == "server_error"


def test_stream_hang_trips_the_client_read_timeout(oai: openai.OpenAI) -> None:
    with pytest.raises(openai.APITimeoutError):
        for _ in oai.with_options(timeout=0.3).chat.completions.create(
            model="m", messages=MESSAGES, stream=True, extra_headers={"x-fake-stream-hang-after": "2"}
        ):
            pass


def test_hang_trips_the_client_timeout_and_the_server_keeps_serving(oai: openai.OpenAI) -> None:
    with pytest.raises(openai.APITimeoutError):
        oai.with_options(timeout=0.3).chat.completions.create(
            model="m", messages=MESSAGES, extra_headers={"x-fake-hang": ""}
        )
    assert oai.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content == REPLY


def test_latency_longer_than_the_client_timeout_times_out(oai: openai.OpenAI) -> None:
    with pytest.raises(openai.APITimeoutError):
        oai.with_options(timeout=0.2).chat.completions.create(
            model="m", messages=MESSAGES, extra_headers={"x-fake-latency-ms": "3000"}
        )


# --- Azure OpenAI -------------------------------------------------------------------------------------


@pytest.fixture
def azure(fake_url: str) -> openai.AzureOpenAI:
    return openai.AzureOpenAI(azure_endpoint=fake_url, api_key="k", api_version="2024-10-21", max_retries=0)


def test_azure_sdk_calls_the_deployment_path_with_api_version_and_key(
    fake_provider, azure: openai.AzureOpenAI
) -> None:
    r = azure.chat.completions.create(model="my-deployment", messages=MESSAGES)
    assert r.choices[0].message.content == REPLY
    (request,) = fake_provider.requests
    assert request["path"] == "/openai/deployments/my-deployment/chat/completions"
    assert request["query"] == {"api-version": "2024-10-21"}
    assert request["headers"]["api-key"] == "k"


def test_azure_stream_starts_with_the_prompt_filter_chunk(azure: openai.AzureOpenAI) -> None:
    chunks = list(azure.chat.completions.create(model="dep", messages=MESSAGES, stream=True))
    assert chunks[0].choices == [] and chunks[0].model == ""
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == REPLY


def test_azure_without_a_key_is_a_401_in_azure_shape(http: httpx.Client) -> None:
    r = http.post(
        "/openai/deployments/d/chat/completions?api-version=2024-10-21", json={"messages": MESSAGES}
    )
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "401"


def test_azure_without_api_version_is_a_404(http: httpx.Client) -> None:
    r = http.post(
        "/openai/deployments/d/chat/completions", json={"messages": MESSAGES}, headers={"api-key": "k"}
    )
    assert r.status_code == 404
    assert r.json() == {"error": {"code": "404", "message": "Resource not found"}}


def test_azure_rate_limit_raises_rate_limit_error(azure: openai.AzureOpenAI) -> None:
    with pytest.raises(openai.RateLimitError) as info:
        azure.chat.completions.create(model="fake-error-429", messages=MESSAGES)
    assert info.value.body["code"] == "429"


def test_azure_content_policy_error_has_content_filter_code(azure: openai.AzureOpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        azure.chat.completions.create(model="fake-content-policy", messages=MESSAGES)
    assert info.value.code == "content_filter"
    assert info.value.body["innererror"]["code"] == "ResponsibleAIPolicyViolation"


def test_azure_embeddings_on_the_deployment_path(azure: openai.AzureOpenAI) -> None:
    assert len(azure.embeddings.create(model="emb-dep", input="x").data[0].embedding) == 16


# --- Anthropic over plain HTTP ------------------------------------------------------------------------


def anthropic_body(**extra) -> dict:
    return {"model": "claude-fake", "max_tokens": 100, "messages": MESSAGES, **extra}


def test_anthropic_message_json_shape(http: httpx.Client) -> None:
    r = http.post("/v1/messages", json=anthropic_body(), headers=ANTHROPIC_HEADERS)
    body = r.json()
    assert body["type"] == "message" and body["role"] == "assistant" and body["model"] == "claude-fake"
    assert body["id"].startswith("msg_")
    assert body["content"] == [{"type": "text", "text": REPLY}]
    assert body["stop_reason"] == "end_turn"
    assert body["usage"]["output_tokens"] == 9
    assert body["usage"]["cache_read_input_tokens"] == 0


def test_anthropic_stream_follows_the_documented_event_sequence(http: httpx.Client) -> None:
    r = http.post("/v1/messages", json=anthropic_body(stream=True), headers=ANTHROPIC_HEADERS)
    events = anthropic_events(r.text)
    names = [name for name, _ in events]
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert all(name == data["type"] for name, data in events)
    text = "".join(d["delta"]["text"] for n, d in events if n == "content_block_delta")
    assert text == REPLY
    message_delta = events[-2][1]
    assert message_delta["delta"]["stop_reason"] == "end_turn"
    assert message_delta["usage"] == {"output_tokens": 9}


def test_anthropic_stream_with_thinking_and_required_tool(http: httpx.Client) -> None:
    tool = {"name": "get_weather", "input_schema": WEATHER_TOOL["function"]["parameters"]}
    body = anthropic_body(
        stream=True,
        thinking={"type": "enabled", "budget_tokens": 50},
        tools=[tool],
        tool_choice={"type": "any"},
    )
    events = anthropic_events(http.post("/v1/messages", json=body, headers=ANTHROPIC_HEADERS).text)
    starts = [d["content_block"]["type"] for n, d in events if n == "content_block_start"]
    assert starts == ["thinking", "tool_use"]
    deltas = [d["delta"] for n, d in events if n == "content_block_delta"]
    assert (
        "".join(d["thinking"] for d in deltas if d["type"] == "thinking_delta")
        == "Let me think about this step by step."
    )
    assert [d["type"] for d in deltas].count("signature_delta") == 1
    arguments = "".join(d["partial_json"] for d in deltas if d["type"] == "input_json_delta")
    assert json.loads(arguments) == {"city": "fake", "unit": "celsius"}
    assert events[-2][1]["delta"]["stop_reason"] == "tool_use"


def test_anthropic_cache_control_writes_the_cache_then_reads_it(http: httpx.Client, fake_key: str) -> None:
    system = [
        {"type": "text", "text": f"{fake_key} " + "policy " * 200, "cache_control": {"type": "ephemeral"}}
    ]
    first = http.post("/v1/messages", json=anthropic_body(system=system), headers=ANTHROPIC_HEADERS).json()[
        "usage"
    ]
    second = http.post("/v1/messages", json=anthropic_body(system=system), headers=ANTHROPIC_HEADERS).json()[
        "usage"
    ]
    assert first["cache_creation_input_tokens"] > 0 and first["cache_read_input_tokens"] == 0
    assert second["cache_read_input_tokens"] == first["cache_creation_input_tokens"]
    assert second["cache_creation_input_tokens"] == 0
    assert second["input_tokens"] == first["input_tokens"]


def test_anthropic_max_tokens_below_reply_stops_with_max_tokens(http: httpx.Client) -> None:
    body = http.post("/v1/messages", json=anthropic_body(max_tokens=2), headers=ANTHROPIC_HEADERS).json()
    assert body["stop_reason"] == "max_tokens"
    assert body["content"][0]["text"] == "Hello from"


@pytest.mark.parametrize(
    ("headers", "status", "error_type"),
    [
        ({"anthropic-version": "2023-06-01"}, 401, "authentication_error"),
        ({"x-api-key": "invalid"}, 401, "authentication_error"),
        ({"x-api-key": "k"}, 400, "invalid_request_error"),
    ],
)
def test_anthropic_refuses_missing_key_or_version_with_its_error_shape(
    http: httpx.Client, headers: dict, status: int, error_type: str
) -> None:
    r = http.post("/v1/messages", json=anthropic_body(), headers=headers)
    assert r.status_code == status
    body = r.json()
    assert body["type"] == "error"
    assert body["error"]["type"] == error_type


def test_anthropic_requires_max_tokens(http: httpx.Client) -> None:
    body = anthropic_body()
    del body["max_tokens"]
    r = http.post("/v1/messages", json=body, headers=ANTHROPIC_HEADERS)
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "max_tokens: Field required"


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(429, "rate_limit_error"), (529, "overloaded_error"), (500, "api_error"), (404, "not_found_error")],
)
def test_anthropic_injected_errors_use_anthropic_error_types(
    http: httpx.Client, status: int, error_type: str
) -> None:
    r = http.post(
        "/v1/messages", json=anthropic_body(), headers={**ANTHROPIC_HEADERS, "x-fake-error": str(status)}
    )
    assert r.status_code == status
    assert r.json()["error"]["type"] == error_type


def test_anthropic_context_window_error_message(http: httpx.Client) -> None:
    headers = {**ANTHROPIC_HEADERS, "x-fake-error": "context_window"}
    r = http.post("/v1/messages", json=anthropic_body(), headers=headers)
    assert r.status_code == 400
    assert r.json()["error"]["message"].startswith("prompt is too long:")


def test_anthropic_in_stream_error_event_is_overloaded(http: httpx.Client) -> None:
    headers = {**ANTHROPIC_HEADERS, "x-fake-stream-error-after": "4"}
    events = anthropic_events(
        http.post("/v1/messages", json=anthropic_body(stream=True), headers=headers).text
    )
    assert len(events) == 5
    assert events[-1] == (
        "error",
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
    )


def test_anthropic_mid_stream_disconnect_breaks_the_body(fake_url: str) -> None:
    headers = {**ANTHROPIC_HEADERS, "x-fake-stream-disconnect-after": "2"}
    with httpx.Client(base_url=fake_url) as client, pytest.raises(httpx.RemoteProtocolError):
        client.post("/v1/messages", json=anthropic_body(stream=True), headers=headers)


def test_anthropic_count_tokens(http: httpx.Client) -> None:
    r = http.post("/v1/messages/count_tokens", json=anthropic_body(), headers=ANTHROPIC_HEADERS)
    assert r.json()["input_tokens"] > 0


# --- Anthropic SDK (optional) -------------------------------------------------------------------------


def test_anthropic_sdk_parses_json_stream_and_errors(fake_url: str) -> None:
    anthropic = pytest.importorskip("anthropic")
    client = anthropic.Anthropic(base_url=fake_url, api_key="k", max_retries=0)
    message = client.messages.create(**anthropic_body())
    assert message.content[0].text == REPLY
    with client.messages.stream(**anthropic_body()) as stream:
        assert stream.get_final_text() == REPLY
    with pytest.raises(anthropic.RateLimitError):
        client.messages.create(**anthropic_body(), extra_headers={"x-fake-error": "429"})


# --- the server itself --------------------------------------------------------------------------------


def test_recorded_requests_hold_method_path_lowercased_headers_and_json(
    fake_provider, http: httpx.Client
) -> None:
    http.post(
        "/v1/chat/completions?x=1", json={"model": "m", "messages": MESSAGES}, headers={"X-Custom": "v"}
    )
    (request,) = fake_provider.requests
    assert request["method"] == "POST"
    assert request["path"] == "/v1/chat/completions"
    assert request["query"] == {"x": "1"}
    assert request["headers"]["x-custom"] == "v"
    assert request["json"] == {"model": "m", "messages": MESSAGES}


def test_recording_is_bounded_keeping_the_newest() -> None:
    with start_fake_provider(record=True, max_recorded=2) as fake:
        for i in range(3):
            httpx.post(fake.url + "/v1/chat/completions", json={"model": f"m{i}", "messages": MESSAGES})
        assert [r["json"]["model"] for r in fake.requests] == ["m1", "m2"]


def test_unknown_option_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="no_such_option"):
        start_fake_provider(no_such_option=1)


def test_stop_is_idempotent_and_closes_the_port() -> None:
    fake = start_fake_provider()
    url = fake.url
    assert httpx.get(url + "/health").json() == {"status": "ok"}
    fake.stop()
    fake.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/health")


@pytest.mark.parametrize(("args", "reply"), [([], REPLY), (["--chunks", "3"], "Hello from the")])
def test_cli_prints_its_url_and_serves_until_terminated(args: list[str], reply: str) -> None:
    command = [sys.executable, "-m", "litellm.fake_provider", "--port", "0", *args]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
        try:
            line = proc.stdout.readline().strip()
            assert line.startswith("fake provider listening on http://127.0.0.1:")
            url = line.rsplit(" ", 1)[1]
            r = httpx.post(
                url + "/v1/chat/completions", json={"model": "m", "messages": MESSAGES}, timeout=10
            )
            assert r.json()["choices"][0]["message"]["content"] == reply
        finally:
            proc.terminate()
            assert proc.wait(timeout=10) == 0


def test_importing_the_package_does_not_load_aiohttp() -> None:
    code = "import sys, litellm.fake_provider; print('aiohttp' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"
