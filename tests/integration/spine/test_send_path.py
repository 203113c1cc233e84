"""The one send path: transports plugged in per call, bytes on the wire, retries and their bounds,
what failed calls carry, and the one record per call under cancellation and interrupts."""

from __future__ import annotations

import asyncio
import gc
import json
import time
from typing import Any

import httpx
import pytest

import litellm
from litellm.integrations.custom_logger import CustomLogger

MSGS = [{"role": "user", "content": "hi"}]
OK = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": "gpt-4o-mini",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "hey"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
}


class Records(CustomLogger):
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.events.append(("success", kwargs))

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self.events.append(("failure", kwargs))

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.events.append(("success", kwargs))

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self.events.append(("failure", kwargs))


@pytest.fixture
def records() -> Records:
    rec = Records()
    litellm.callbacks = [rec]
    return rec


def _mock_client(handler, seen: list[httpx.Request] | None = None) -> httpx.Client:
    def wrapped(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return handler(request)

    return httpx.Client(transport=httpx.MockTransport(wrapped))


def test_a_caller_supplied_httpx_client_carries_the_exact_serialised_body():
    seen: list[httpx.Request] = []
    client = _mock_client(lambda r: httpx.Response(200, json=OK), seen)
    response = litellm.completion(
        model="openai/gpt-4o-mini", messages=MSGS, api_key="sk-test", client=client, temperature=0.5
    )
    assert response.choices[0].message.content == "hey"
    body = json.loads(seen[0].content)
    assert body == {"model": "gpt-4o-mini", "messages": MSGS, "temperature": 0.5}
    assert seen[0].headers["authorization"] == "Bearer sk-test"
    assert seen[0].headers["content-type"] == "application/json"


async def test_an_async_httpx_client_with_a_mock_transport_serves_an_async_call():
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=OK)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    response = await litellm.acompletion(
        model="openai/gpt-4o-mini", messages=MSGS, api_key="k", client=client
    )
    assert response.usage.total_tokens == 6


def test_client_session_setting_is_used_when_no_client_is_passed():
    seen: list[httpx.Request] = []
    litellm.client_session = _mock_client(lambda r: httpx.Response(200, json=OK), seen)
    litellm.completion(model="openai/gpt-4o-mini", messages=MSGS, api_key="k")
    assert len(seen) == 1


def test_content_json_cannot_carry_is_a_bad_request_naming_the_part_and_never_sent(records):
    seen: list[httpx.Request] = []
    client = _mock_client(lambda r: httpx.Response(200, json=OK), seen)
    for content, where in (
        ([{"type": "text", "text": "ok"}, {"type": "text", "text": b"raw"}], "messages[0].content[1]"),
        ("lone \ud800 surrogate", "messages[0]"),
    ):
        with pytest.raises(litellm.BadRequestError) as info:
            litellm.completion(
                model="openai/gpt-4o-mini",
                messages=[{"role": "user", "content": content}],
                api_key="k",
                client=client,
                num_retries=3,
            )
        assert where in str(info.value)
    assert seen == []  # nothing was sent, so nothing was retried
    litellm.flush_callbacks(5)
    assert [kind for kind, _ in records.events] == ["failure", "failure"]


def test_an_answer_that_is_not_an_object_is_a_validation_error_never_retried():
    seen: list[httpx.Request] = []
    client = _mock_client(lambda r: httpx.Response(200, json=[1, 2]), seen)
    with pytest.raises(litellm.APIResponseValidationError):
        litellm.completion(
            model="openai/gpt-4o-mini", messages=MSGS, api_key="k", client=client, num_retries=3
        )
    assert len(seen) == 1


def test_a_retry_after_over_the_cap_is_not_waited_for():
    seen: list[httpx.Request] = []
    client = _mock_client(
        lambda r: httpx.Response(
            429, json={"error": {"message": "slow down"}}, headers={"retry-after": "90"}
        ),
        seen,
    )
    started = time.monotonic()
    with pytest.raises(litellm.RateLimitError):
        litellm.completion(
            model="openai/gpt-4o-mini", messages=MSGS, api_key="k", client=client, num_retries=2
        )
    assert time.monotonic() - started < 5 and len(seen) == 1


def test_timeout_bounds_the_whole_call_retries_included():
    seen: list[httpx.Request] = []
    client = _mock_client(
        lambda r: httpx.Response(429, json={"error": {"message": "slow"}}, headers={"retry-after": "30"}),
        seen,
    )
    started = time.monotonic()
    with pytest.raises(litellm.RateLimitError):
        litellm.completion(
            model="openai/gpt-4o-mini", messages=MSGS, api_key="k", client=client, num_retries=1, timeout=3
        )
    assert time.monotonic() - started < 3.5
    assert len(seen) == 1  # the 30 s wait would cross the 3 s deadline: not taken


def test_retries_honour_a_short_retry_after_and_succeed():
    answers = iter(
        [httpx.Response(503, json={"error": {"message": "busy"}}, headers={"retry-after-ms": "50"})]
    )
    client = _mock_client(lambda r: next(answers, httpx.Response(200, json=OK)))
    response = litellm.completion(
        model="openai/gpt-4o-mini", messages=MSGS, api_key="k", client=client, num_retries=2
    )
    assert response.choices[0].message.content == "hey"


def test_a_mapped_error_carries_the_real_response_and_request(fake_url):
    with pytest.raises(litellm.RateLimitError) as info:
        litellm.completion(
            model="openai/gpt-4o-mini",
            messages=MSGS,
            api_key="sk-secret-value-123",
            api_base=fake_url + "/v1",
            extra_headers={"x-fake-error": "429", "x-fake-retry-after": "1"},
        )
    error = info.value
    assert error.response.status_code == 429
    assert error.response.headers["retry-after"] == "1"
    assert error.request.method == "POST"
    assert str(error.request.url) == fake_url + "/v1/chat/completions"
    assert "sk-secret-value-123" not in str(error) and "sk-secret-value-123" not in error.response.text


def test_a_key_in_the_api_base_userinfo_is_masked_in_the_record_and_the_error(records):
    secret = "sk-userinfo-secret-987"
    client = _mock_client(lambda r: httpx.Response(401, json={"error": {"message": "no"}}))
    with pytest.raises(litellm.AuthenticationError) as info:
        litellm.completion(
            model="openai/gpt-4o-mini",
            messages=MSGS,
            api_key="k",
            api_base=f"http://user:{secret}@127.0.0.1:9/v1",
            client=client,
        )
    assert secret not in str(info.value.request.url)
    litellm.completion(
        model="openai/gpt-4o-mini", messages=MSGS, mock_response="x", api_base=f"http://u:{secret}@h/v1"
    )
    assert litellm.flush_callbacks(5)
    for _, kwargs in records.events:
        assert secret not in json.dumps(kwargs["standard_logging_object"], default=str)
        assert secret not in str(kwargs.get("api_base")) and secret not in str(kwargs["litellm_params"])


async def test_a_cancelled_call_leaves_one_failure_record_and_releases_its_connection(fake_url, records):
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(
            litellm.acompletion(
                model="openai/gpt-4o-mini",
                messages=MSGS,
                api_key="k",
                api_base=fake_url + "/v1",
                extra_headers={"x-fake-latency-ms": "3000"},
            ),
            0.3,
        )
    assert litellm.flush_callbacks(5)
    assert len(records.events) == 1
    kind, kwargs = records.events[0]
    payload = kwargs["standard_logging_object"]
    assert kind == "failure" and payload["status"] == "failure"
    assert "cancelled" in payload["error_str"]
    assert 0.2 < payload["response_time"] < 2.0
    # the session still serves calls: the cancelled request's connection did not leak into a broken state
    ok = await litellm.acompletion(
        model="openai/gpt-4o-mini", messages=MSGS, api_key="k", api_base=fake_url + "/v1"
    )
    assert ok.choices[0].message.content


def test_a_keyboard_interrupt_in_a_sync_call_leaves_one_failure_record(records):
    class Interrupting:
        def send(self, request, *, timeout, stream):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        litellm.completion(model="openai/gpt-4o-mini", messages=MSGS, api_key="k", client=Interrupting())
    assert litellm.flush_callbacks(5)
    assert [kind for kind, _ in records.events] == ["failure"]
    assert "KeyboardInterrupt" in records.events[0][1]["standard_logging_object"]["error_str"]


def test_an_abandoned_stream_is_recorded_once_as_incomplete_with_its_tokens_priced(fake_url, records):
    stream = litellm.completion(
        model="openai/gpt-4o-mini",
        messages=MSGS,
        api_key="k",
        api_base=fake_url + "/v1",
        stream=True,
        extra_headers={"x-fake-chunks": "40"},
    )
    for i, _chunk in enumerate(stream):
        if i == 3:
            break
    del stream
    gc.collect()
    assert litellm.flush_callbacks(5)
    assert len(records.events) == 1
    kind, kwargs = records.events[0]
    payload = kwargs["standard_logging_object"]
    assert kind == "success"
    assert payload["stream_incomplete"] == "closed"
    assert payload["response"]["choices"][0]["finish_reason"] is None
    assert payload["completion_tokens"] > 0 and payload["response_cost"] > 0


def test_one_counting_rule_for_streams_without_usage(fake_url, records):
    chunks = list(
        litellm.completion(
            model="openai/gpt-4o-mini", messages=MSGS, api_key="k", api_base=fake_url + "/v1", stream=True
        )
    )
    assert all(getattr(c, "usage", None) is None for c in chunks)  # not asked for: not shown
    rebuilt = litellm.stream_chunk_builder(chunks, MSGS)
    plain = litellm.completion(
        model="openai/gpt-4o-mini", messages=MSGS, api_key="k", api_base=fake_url + "/v1"
    )
    assert litellm.flush_callbacks(5)
    payload = records.events[0][1]["standard_logging_object"]
    assert (rebuilt.usage.prompt_tokens, rebuilt.usage.completion_tokens) == (
        plain.usage.prompt_tokens,
        plain.usage.completion_tokens,
    )
    assert (payload["prompt_tokens"], payload["completion_tokens"]) == (
        plain.usage.prompt_tokens,
        plain.usage.completion_tokens,
    )


def test_a_stream_repeating_one_chunk_is_cut_with_an_error():
    chunk = {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": "again and again"}, "finish_reason": None}],
    }
    body = "".join(f"data: {json.dumps(chunk)}\n\n" for _ in range(150)) + "data: [DONE]\n\n"
    client = _mock_client(
        lambda r: httpx.Response(200, content=body.encode(), headers={"content-type": "text/event-stream"})
    )
    litellm.REPEATED_STREAMING_CHUNK_LIMIT = 20
    stream = litellm.completion(
        model="openai/gpt-4o-mini", messages=MSGS, api_key="k", client=client, stream=True
    )
    with pytest.raises(litellm.InternalServerError, match="repeating"):
        for _ in stream:
            pass


def test_embedding_mock_response_returns_the_given_vector():
    response = litellm.embedding(
        model="text-embedding-3-small", input=["a", "b"], mock_response=[0.1, 0.2, 0.3]
    )
    assert [d["embedding"] for d in response.data] == [[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]]


def test_add_function_to_prompt_folds_tools_into_the_system_prompt():
    seen: list[httpx.Request] = []
    client = _mock_client(lambda r: httpx.Response(200, json=OK), seen)
    litellm.add_function_to_prompt = True
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    litellm.completion(model="openai/gpt-4o-mini", messages=MSGS, api_key="k", client=client, tools=[tool])
    body = json.loads(seen[0].content)
    assert "tools" not in body
    assert body["messages"][0]["role"] == "system" and "get_weather" in body["messages"][0]["content"]


def test_json_schema_validation_rejects_a_reply_that_does_not_match():
    bad = json.loads(json.dumps(OK))
    bad["choices"][0]["message"]["content"] = '{"name": 3}'
    client = _mock_client(lambda r: httpx.Response(200, json=bad))
    litellm.enable_json_schema_validation = True
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    with pytest.raises(litellm.JSONSchemaValidationError) as info:
        litellm.completion(
            model="openai/gpt-4o-mini",
            messages=MSGS,
            api_key="k",
            client=client,
            response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": schema}},
        )
    assert info.value.raw_response == '{"name": 3}'


def test_return_response_headers_exposes_every_provider_header():
    client = _mock_client(lambda r: httpx.Response(200, json=OK, headers={"x-custom": "1"}))
    plain = litellm.completion(model="openai/gpt-4o-mini", messages=MSGS, api_key="k", client=client)
    assert "llm_provider-x-custom" not in plain._hidden_params["additional_headers"]
    litellm.return_response_headers = True
    everything = litellm.completion(model="openai/gpt-4o-mini", messages=MSGS, api_key="k", client=client)
    assert everything._hidden_params["additional_headers"]["llm_provider-x-custom"] == "1"


def test_ssl_settings_shape_every_client(monkeypatch, tmp_path):
    from litellm.core import http

    assert http.ssl_config() is True
    litellm.ssl_verify = False
    assert http.ssl_config() is False
    litellm.ssl_verify = True
    monkeypatch.setenv("SSL_VERIFY", "false")
    assert http.ssl_config() is False
    monkeypatch.delenv("SSL_VERIFY")
    litellm.ssl_security_level = "DEFAULT@SECLEVEL=1"
    import ssl

    assert isinstance(http.ssl_config(), ssl.SSLContext)
