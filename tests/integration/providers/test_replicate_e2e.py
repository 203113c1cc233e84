"""Replicate through the pipeline against the fake provider's prediction API.

The completion spec runs here with the follow-up hooks of ``litellm.calls.follow_ups`` (polling and the
second, streamed request); once ``litellm.calls.pipeline.COMPLETION`` carries them (see that module), the
plain ``completion`` does the same. Covered: synchronous mode, polling until done, SSE streaming (sync
and async), usage from the prediction's metrics priced from the price map, failed predictions, HTTP
errors and an injected stream error.
"""

from __future__ import annotations

import asyncio

import pytest

from litellm.calls.pipeline import COMPLETION, arun, run

pytestmark = pytest.mark.integration
MSGS = [{"role": "user", "content": "Tell me a joke"}]
SPEC = COMPLETION  # the chat spec itself polls and follows streams (litellm.calls.follow_ups)


@pytest.fixture(autouse=True)
def _fast_polls(monkeypatch):
    from litellm.providers.replicate import ReplicateAdapter

    monkeypatch.setattr(ReplicateAdapter, "poll_interval_s", 0.01)
    for name in ("REPLICATE_API_KEY", "REPLICATE_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def _call(model, fake_url, **kw):
    kw.setdefault("api_key", "r8_test")
    return run(SPEC, f"replicate/{model}", {"messages": MSGS}, {"api_base": fake_url + "/v1", **kw})


def test_synchronous_prediction_priced_from_metrics(fake_provider, fake_url):
    response = _call("meta/llama-3-8b-instruct", fake_url, max_tokens=4)
    assert len(response.choices[0].message.content.split()) == 4
    assert response.usage.completion_tokens == 4  # from metrics.output_token_count
    assert response._hidden_params["response_cost"] == pytest.approx(
        response.usage.prompt_tokens * 5e-08 + 4 * 2.5e-07
    )
    sent = fake_provider.requests[-1]
    assert sent["path"] == "/v1/models/meta/llama-3-8b-instruct/predictions"
    assert sent["headers"]["prefer"] == "wait=60" and sent["json"]["input"]["max_new_tokens"] == 4


def test_a_prediction_still_processing_is_polled_until_it_succeeds(fake_provider, fake_url):
    response = _call("meta/llama-3-8b-instruct", fake_url, extra_headers={"x-fake-replicate-polls": "3"})
    assert response.choices[0].message.content and response.choices[0].finish_reason == "stop"
    assert "_replicate_prediction" not in response.model_dump()
    methods = [r["method"] for r in fake_provider.requests]
    assert methods == ["POST", "GET", "GET", "GET"]

    async def poll():
        return await arun(
            SPEC,
            "replicate/meta/llama-3-8b-instruct",
            {"messages": MSGS},
            {
                "api_base": fake_url + "/v1",
                "api_key": "r8_test",
                "extra_headers": {"x-fake-replicate-polls": "2"},
            },
        )

    assert asyncio.run(poll()).choices[0].message.content


def test_polling_gives_up_at_the_call_timeout(fake_url, monkeypatch):
    from litellm.core.exceptions import Timeout
    from litellm.providers.replicate import ReplicateAdapter

    monkeypatch.setattr(ReplicateAdapter, "poll_interval_s", 0.2)
    with pytest.raises(Timeout, match="had not finished"):
        _call(
            "meta/llama-3-8b-instruct", fake_url, timeout=0.5, extra_headers={"x-fake-replicate-polls": "100"}
        )


def test_streaming_reads_the_prediction_stream_url(fake_provider, fake_url):
    chunks = list(_call("meta/llama-3-8b-instruct", fake_url, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text and chunks[-1].choices[0].finish_reason == "stop"
    assert [r["path"].split("/")[2] for r in fake_provider.requests] == ["models", "streams"]

    async def astream():
        stream = await arun(
            SPEC,
            "replicate/meta/llama-3-8b-instruct",
            {"messages": MSGS},
            {"api_base": fake_url + "/v1", "api_key": "r8_test", "stream": True},
        )
        return [c async for c in stream]

    assert "".join(c.choices[0].delta.content or "" for c in asyncio.run(astream()) if c.choices) == text


def test_failed_prediction_and_http_errors(fake_provider, fake_url):
    from litellm.core.exceptions import APIError, AuthenticationError, NotFoundError

    with pytest.raises(APIError, match="CUDA out of memory"):
        _call("meta/llama-3-8b-instruct", fake_url, extra_headers={"x-fake-replicate-status": "failed"})
    with pytest.raises(AuthenticationError):
        _call("meta/llama-3-8b-instruct", fake_url, api_key="invalid-key")
    with pytest.raises(NotFoundError):
        _call("meta/missing-model", fake_url)


def test_stream_error_event_is_raised(fake_url):
    from litellm.core.exceptions import InternalServerError

    stream = _call(
        "meta/llama-3-8b-instruct", fake_url, stream=True, extra_headers={"x-fake-stream-error-after": "2"}
    )
    with pytest.raises(InternalServerError, match="stream interrupted"):
        list(stream)


def test_missing_token_fails_before_sending(fake_provider, fake_url):
    from litellm.core.exceptions import AuthenticationError

    with pytest.raises(AuthenticationError, match="REPLICATE_API_KEY"):
        _call("meta/llama-3-8b-instruct", fake_url, api_key=None)
    assert fake_provider.requests == []
