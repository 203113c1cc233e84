"""The Responses API: native for OpenAI and Azure (request built exactly, typed SSE events), the bridge
for chat-only providers (Anthropic and an OpenAI-compatible one), streamed and not, with one priced
event per call; get / delete / list_input_items."""

from __future__ import annotations

from typing import Any

import pytest

import litellm
from litellm.calls.responses import (
    aresponses,
    delete_responses,
    get_responses,
    list_input_items,
    responses,
)
from litellm.integrations.custom_logger import CustomLogger

ANTHROPIC = "anthropic/claude-sonnet-4-5"


class Events(CustomLogger):
    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.payloads.append(kwargs["standard_logging_object"])

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self.payloads.append(kwargs["standard_logging_object"])

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.payloads.append(kwargs["standard_logging_object"])

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self.payloads.append(kwargs["standard_logging_object"])


@pytest.fixture
def events() -> Events:
    logger = Events()
    litellm.callbacks = [logger]
    return logger


def test_native_openai_request_is_built_exactly_and_the_reply_is_typed(fake_provider, fake_url, events):
    tools = [{"type": "function", "name": "lookup", "parameters": {"type": "object", "properties": {}}}]
    response = responses(
        input=[{"role": "user", "content": [{"type": "input_text", "text": "hello"}]}],
        model="openai/gpt-4o-mini",
        instructions="be brief",
        tools=tools,
        max_output_tokens=50,
        reasoning={"effort": "low"},
        metadata={"run": "1"},
        api_base=fake_url + "/v1",
        api_key="sk-x",
    )
    request = fake_provider.requests[-1]
    assert request["path"] == "/v1/responses" and request["headers"]["authorization"] == "Bearer sk-x"
    assert request["json"] == {
        "model": "gpt-4o-mini",
        "input": [{"role": "user", "content": [{"type": "input_text", "text": "hello"}]}],
        "instructions": "be brief",
        "tools": tools,
        "max_output_tokens": 50,
        "reasoning": {"effort": "low"},
        "metadata": {"run": "1"},
    }
    assert type(response).__name__ == "ResponsesAPIResponse"
    assert response.output_text.startswith("Hello from the fake provider")
    assert response.usage.input_tokens > 0 and response.usage.output_tokens_details.reasoning_tokens == 16
    assert litellm.flush_callbacks(5)
    payload = events.payloads[-1]
    assert payload["call_type"] == "responses" and payload["status"] == "success"
    assert payload["prompt_tokens"] == response.usage.input_tokens
    assert payload["completion_tokens"] == response.usage.output_tokens
    info = litellm.get_model_info("gpt-4o-mini")
    expected = (
        response.usage.input_tokens * info["input_cost_per_token"]
        + response.usage.output_tokens * info["output_cost_per_token"]
    )
    assert payload["response_cost"] == pytest.approx(expected, rel=1e-9)


def test_native_stream_yields_typed_events_in_order_and_logs_once(fake_url, events):
    stream = responses(
        input="hello", model="openai/gpt-4o-mini", api_base=fake_url + "/v1", api_key="k", stream=True
    )
    kinds = [event.type for event in stream]
    assert kinds[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert kinds.count("response.output_text.delta") == 9 and kinds[-1] == "response.completed"
    assert stream.response.usage.output_tokens == 9
    assert litellm.flush_callbacks(5)
    assert len(events.payloads) == 1
    assert events.payloads[0]["completion_tokens"] == 9 and events.payloads[0]["response_cost"] > 0


def test_stored_responses_can_be_read_listed_and_deleted(fake_url):
    base = fake_url + "/v1"
    created = responses(input="remember me", model="openai/gpt-4o-mini", api_base=base, api_key="k")
    assert get_responses(created.id, api_base=base, api_key="k").output_text == created.output_text
    items = list_input_items(created.id, api_base=base, api_key="k")
    assert items["data"][0]["content"][0]["text"] == "remember me"
    assert delete_responses(created.id, api_base=base, api_key="k")["deleted"] is True
    with pytest.raises(litellm.NotFoundError):
        get_responses(created.id, api_base=base, api_key="k")


def test_azure_is_called_natively(fake_provider, fake_url):
    response = responses(
        input="hi",
        model="azure/my-deployment",
        api_base=fake_url,
        api_key="az",
        api_version="2025-03-01-preview",
    )
    request = fake_provider.requests[-1]
    assert request["path"] == "/openai/responses" and request["query"] == {
        "api-version": "2025-03-01-preview"
    }
    assert request["headers"]["api-key"] == "az" and request["json"]["model"] == "my-deployment"
    assert response.status == "completed"


def test_the_bridge_maps_items_to_messages_and_the_reply_to_output_items(fake_provider, fake_url, events):
    tools = [
        {
            "type": "function",
            "name": "get_weather",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        }
    ]
    response = responses(
        input="weather in Paris?",
        model=ANTHROPIC,
        instructions="be brief",
        tools=tools,
        tool_choice={"type": "function", "name": "get_weather"},
        max_output_tokens=64,
        api_base=fake_url,
        api_key="sk-ant",
    )
    sent = fake_provider.requests[-1]["json"]
    assert fake_provider.requests[-1]["path"] == "/v1/messages"
    assert sent["system"] == [{"type": "text", "text": "be brief"}] or sent["system"] == "be brief"
    assert sent["max_tokens"] == 64
    assert sent["tool_choice"] == {"type": "tool", "name": "get_weather"}
    call = next(item for item in response.output if item.type == "function_call")
    assert call.name == "get_weather" and '"city"' in call.arguments
    follow_up = responses(
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "sunny"}],
        previous_response_id=response.id,
        model=ANTHROPIC,
        api_base=fake_url,
        api_key="sk-ant",
    )
    history = fake_provider.requests[-1]["json"]["messages"]
    assert [m["role"] for m in history] == ["user", "assistant", "user"]
    assert (
        history[1]["content"][0]["type"] == "tool_use" and history[2]["content"][0]["type"] == "tool_result"
    )
    assert follow_up.output_text
    assert litellm.flush_callbacks(5)
    assert [p["call_type"] for p in events.payloads] == ["responses", "responses"]
    assert all(p["response_cost"] and p["response_cost"] > 0 for p in events.payloads)


def test_the_bridge_streams_responses_events_for_an_openai_compatible_provider(fake_url, events):
    stream = responses(
        input="hello", model="groq/llama-3.1-8b-instant", api_base=fake_url + "/v1", api_key="k", stream=True
    )
    events_seen = list(stream)
    kinds = [e.type for e in events_seen]
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    text = "".join(e.delta for e in events_seen if e.type == "response.output_text.delta")
    assert text == stream.response.output_text
    assert stream.response.usage.output_tokens == 9
    assert litellm.flush_callbacks(5)
    assert len(events.payloads) == 1 and events.payloads[0]["call_type"] == "responses"


async def test_async_native_and_bridged_streams(fake_url, events):
    native = await aresponses(
        input="hi", model="openai/gpt-4o-mini", api_base=fake_url + "/v1", api_key="k", stream=True
    )
    assert [e.type async for e in native][-1] == "response.completed"
    bridged = await aresponses(input="hi", model=ANTHROPIC, api_base=fake_url, api_key="k", stream=True)
    kinds = [e.type async for e in bridged]
    assert kinds[-1] == "response.completed"
    plain = await aresponses(input="hi", model=ANTHROPIC, api_base=fake_url, api_key="k")
    assert plain.output_text
    assert litellm.flush_callbacks(5)
    assert [p["call_type"] for p in events.payloads] == ["aresponses"] * 3


def test_errors_mock_and_an_unknown_previous_response(fake_url):
    with pytest.raises(litellm.RateLimitError):
        responses(
            input="x",
            model="openai/gpt-4o-mini",
            api_base=fake_url + "/v1",
            api_key="k",
            extra_headers={"x-fake-error": "429"},
        )
    with pytest.raises(litellm.BadRequestError, match="previous_response_id"):
        responses(
            input="x", model=ANTHROPIC, previous_response_id="resp_nope", api_base=fake_url, api_key="k"
        )
    mocked = responses(input="x", model="openai/gpt-4o-mini", mock_response="canned")
    assert mocked.output_text == "canned"
