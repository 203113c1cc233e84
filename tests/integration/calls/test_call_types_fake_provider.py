"""Every new call type against the bundled fake provider (JSON, multipart, binary audio, SSE), sync and
async: the answer, exactly one logging event with its call_type / model / provider / cost, no raw bytes in
the record, injected errors mapped, and the batch helpers' fan-out (one event per call, losers cancelled)."""

from __future__ import annotations

import asyncio
import json
import struct
from typing import Any

import pytest

import litellm
from litellm.calls import audio, batch, images, moderation, rerank, text_completion
from litellm.core import exceptions
from litellm.integrations.custom_logger import CustomLogger

pytestmark = pytest.mark.integration


def wav(seconds: float, rate: int = 8000) -> bytes:
    data = b"\x00\x00" * int(seconds * rate)
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(data))
        + b"WAVE"
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )


class Events(CustomLogger):
    def __init__(self) -> None:
        self.success: list[dict[str, Any]] = []
        self.failure: list[dict[str, Any]] = []

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.success.append(kwargs["standard_logging_object"])

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self.failure.append(kwargs["standard_logging_object"])

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.success.append(kwargs["standard_logging_object"])

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self.failure.append(kwargs["standard_logging_object"])


@pytest.fixture
def events() -> Events:
    logger = Events()
    litellm.callbacks = [logger]
    return logger


def one_success(events: Events) -> dict[str, Any]:
    assert litellm.flush_callbacks(5)
    assert len(events.success) == 1, events.success
    assert not events.failure
    record = events.success[0]
    json.dumps(record)  # JSON-ready as is
    return record


def calls(fake_url: str) -> list[tuple[str, Any, Any, dict[str, Any]]]:
    base = {"api_base": fake_url + "/v1", "api_key": "sk-fake"}
    return [
        (
            "text_completion",
            text_completion.text_completion,
            text_completion.atext_completion,
            {"model": "openai/gpt-3.5-turbo-instruct", "prompt": "Say hi", **base},
        ),
        (
            "image_generation",
            images.image_generation,
            images.aimage_generation,
            {"model": "openai/gpt-image-1", "prompt": "a red square", "quality": "low", **base},
        ),
        (
            "image_edit",
            images.image_edit,
            images.aimage_edit,
            {
                "model": "openai/gpt-image-1",
                "image": ("in.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100),
                "prompt": "hat",
                **base,
            },
        ),
        (
            "image_variation",
            images.image_variation,
            images.aimage_variation,
            {"model": "openai/dall-e-2", "image": b"\x89PNG\r\n\x1a\n" + b"0" * 100, "n": 2, **base},
        ),
        (
            "moderation",
            moderation.moderation,
            moderation.amoderation,
            {"model": "openai/omni-moderation-latest", "input": ["fine", "bad [fake:flag]"], **base},
        ),
        (
            "transcription",
            audio.transcription,
            audio.atranscription,
            {
                "model": "openai/whisper-1",
                "file": ("a.wav", wav(2.5)),
                "response_format": "verbose_json",
                **base,
            },
        ),
        (
            "speech",
            audio.speech,
            audio.aspeech,
            {
                "model": "openai/tts-1",
                "input": "Hello there",
                "voice": "alloy",
                "response_format": "wav",
                **base,
            },
        ),
        (
            "rerank",
            rerank.rerank,
            rerank.arerank,
            {
                "model": "cohere/rerank-v3.5",
                "query": "capital of France",
                "documents": ["Berlin is in Germany", "Paris is the capital of France"],
                "api_base": fake_url,
                "api_key": "k",
            },
        ),
    ]


def check(call_type: str, response: Any, record: dict[str, Any], provider: str) -> None:
    assert record["custom_llm_provider"] == provider
    assert record["status"] == "success"
    text = json.dumps(record)
    assert "sk-fake" not in text
    if call_type == "text_completion":
        assert response.choices[0].text.startswith("Hello from the fake provider")
        assert record["messages"] == [{"role": "user", "content": "Say hi"}]
        assert record["prompt_tokens"] > 0 and record["completion_tokens"] == 9
        assert record["response_cost"] > 0
    elif call_type in ("image_generation", "image_edit"):
        assert response.data[0].b64_json and response.usage.output_tokens > 0
        # the record shows the image's size and type, never its base64
        assert record["response"]["data"][0]["b64_json"] == {"size_bytes": 69, "content_type": "image/png"}
        assert response.data[0].b64_json not in text
        assert record["response_cost"] > 0
        if call_type == "image_edit":
            assert record["messages"][0]["files"]["image"] == [
                {"filename": "in.png", "content_type": "image/png", "size_bytes": 108}
            ]
    elif call_type == "image_variation":
        assert len(response.data) == 2 and response.data[0].url.startswith("https://")
        assert record["response_cost"] is None  # OpenAI's dall-e-2 is not in the price map
        assert "not in the price map" in record["response_cost_failure_debug_info"]["error_message"]
    elif call_type == "moderation":
        assert [r.flagged for r in response.results] == [False, True]
        assert response.results[1].categories["violence"] is True
        assert record["response_cost"] == 0.0 and record["messages"] == ["fine", "bad [fake:flag]"]
    elif call_type == "transcription":
        assert response.text == "Hello from the fake provider." and response.duration == pytest.approx(2.5)
        assert record["messages"] == [
            {
                "role": "user",
                "content": "",
                "file": {"filename": "a.wav", "content_type": "audio/wav", "size_bytes": 40044},
            }
        ]
        assert record["response_cost"] == pytest.approx(2.5 * 0.0001)
    elif call_type == "speech":
        assert response.content[:4] == b"RIFF" and response.content_type == "audio/wav"
        assert record["response"] == {"content_type": "audio/wav", "size_bytes": len(response.content)}
        assert record["messages"] == "Hello there"
        assert record["response_cost"] == pytest.approx(11 * 1.5e-5)
    elif call_type == "rerank":
        assert [r.index for r in response.results] == [1, 0]
        assert response.results[0].document == {"text": "Paris is the capital of France"}
        assert response.meta["billed_units"]["search_units"] == 1
        assert record["response_cost"] == pytest.approx(0.002)
        assert record["messages"]["query"] == "capital of France"


@pytest.mark.parametrize(
    "index", range(8), ids=lambda i: ["tc", "img", "edit", "var", "mod", "tr", "tts", "rerank"][i]
)
def test_each_call_type_sync_against_the_fake_provider(fake_url: str, events: Events, index: int) -> None:
    call_type, fn, _afn, kwargs = calls(fake_url)[index]
    response = fn(**kwargs)
    record = one_success(events)
    assert record["call_type"] == call_type
    check(call_type, response, record, "cohere" if call_type == "rerank" else "openai")


@pytest.mark.parametrize(
    "index", range(8), ids=lambda i: ["tc", "img", "edit", "var", "mod", "tr", "tts", "rerank"][i]
)
def test_each_call_type_async_against_the_fake_provider(fake_url: str, events: Events, index: int) -> None:
    call_type, _fn, afn, kwargs = calls(fake_url)[index]
    response = asyncio.run(afn(**kwargs))
    record = one_success(events)
    assert record["call_type"] == "a" + call_type
    check(call_type, response, record, "cohere" if call_type == "rerank" else "openai")


@pytest.mark.parametrize(
    "index", range(8), ids=lambda i: ["tc", "img", "edit", "var", "mod", "tr", "tts", "rerank"][i]
)
def test_injected_errors_are_mapped_and_logged_once(fake_url: str, events: Events, index: int) -> None:
    call_type, fn, afn, kwargs = calls(fake_url)[index]
    with pytest.raises(exceptions.RateLimitError):
        fn(**kwargs, extra_headers={"x-fake-error": "429"})
    with pytest.raises(exceptions.InternalServerError):
        asyncio.run(afn(**kwargs, extra_headers={"x-fake-error": "500"}))
    assert litellm.flush_callbacks(5)
    assert not events.success
    assert [(r["call_type"], r["error_information"]["error_code"]) for r in events.failure] == [
        (call_type, "429"),
        ("a" + call_type, "500"),
    ]


def test_injected_failures_are_retried_then_succeed(fake_url: str, fake_key: str, events: Events) -> None:
    headers = {"x-fake-fail-times": "1", "x-fake-key": fake_key}
    r = images.image_generation(
        model="openai/dall-e-2",
        prompt="p",
        api_base=fake_url + "/v1",
        api_key="k",
        extra_headers=headers,
        num_retries=2,
    )
    assert r.data[0].url
    assert one_success(events)["call_type"] == "image_generation"


def test_text_completion_stream_logs_once_with_the_assembled_text(fake_url: str, events: Events) -> None:
    stream = text_completion.text_completion(
        model="openai/gpt-3.5-turbo-instruct",
        prompt="Say hi",
        stream=True,
        api_base=fake_url + "/v1",
        api_key="k",
    )
    text = "".join(chunk.choices[0].text for chunk in stream)
    assert text == "Hello from the fake provider! This reply is deterministic."
    record = one_success(events)
    assert record["call_type"] == "text_completion" and record["stream"] is True
    assert record["completion_tokens"] > 0 and record["response_cost"] > 0


def test_text_completion_async_stream_through_the_chat_bridge(fake_url: str, events: Events) -> None:
    async def go() -> str:
        stream = await text_completion.atext_completion(
            model="openai/gpt-4o-mini", prompt="Say hi", stream=True, api_base=fake_url + "/v1", api_key="k"
        )
        return "".join([c.choices[0].text async for c in stream])

    assert asyncio.run(go()) == "Hello from the fake provider! This reply is deterministic."
    record = one_success(events)
    assert record["call_type"] == "atext_completion" and record["stream"] is True


def test_transcription_text_format_and_gpt4o_token_usage(fake_url: str, events: Events) -> None:
    r = audio.transcription(
        model="openai/gpt-4o-transcribe",
        file=wav(2.0),
        response_format="json",
        api_base=fake_url + "/v1",
        api_key="k",
    )
    assert r.usage["type"] == "tokens"
    record = one_success(events)
    assert record["response_cost"] == pytest.approx(20 * 2.5e-6 + 5 * 1e-5)  # 10 audio tokens/s, 5 words out


def test_batch_completion_runs_in_order_with_one_event_each(fake_url: str, events: Events) -> None:
    messages = [[{"role": "user", "content": f"q{i}"}] for i in range(5)]
    out = batch.batch_completion(
        model="openai/gpt-4o-mini", messages=messages, api_base=fake_url + "/v1", api_key="k", max_workers=3
    )
    assert len(out) == 5 and all(r.choices[0].message.content for r in out)
    assert litellm.flush_callbacks(5)
    assert sorted(r["messages"][0]["content"] for r in events.success) == [f"q{i}" for i in range(5)]


def test_batch_completion_returns_a_failed_call_as_its_exception(fake_url: str, events: Events) -> None:
    out = batch.batch_completion(
        model="openai/fake-error-400",
        messages=[[{"role": "user", "content": "x"}]],
        api_base=fake_url + "/v1",
        api_key="k",
    )
    assert isinstance(out[0], exceptions.BadRequestError)


def test_batch_completion_models_first_answer_wins_and_the_rest_are_cancelled(
    fake_url: str, events: Events
) -> None:
    slow = {"x-fake-latency-ms": "5000"}
    r = batch.batch_completion_models(
        deployments=[
            {
                "model": "openai/slow-model",
                "api_base": fake_url + "/v1",
                "api_key": "k",
                "extra_headers": slow,
            },
            {"model": "openai/fast-model", "api_base": fake_url + "/v1", "api_key": "k"},
        ],
        messages=[{"role": "user", "content": "hi"}],
    )
    assert r.model == "fast-model"
    assert litellm.flush_callbacks(5)
    assert [e["model"] for e in events.success] == ["fast-model"]
    assert [e["model"] for e in events.failure] == ["slow-model"]  # cancelled: its one record


def test_batch_completion_models_all_responses_keeps_model_order(fake_url: str, events: Events) -> None:
    out = batch.batch_completion_models_all_responses(
        models=["openai/m1", "openai/fake-error-500", "openai/m3"],
        messages=[{"role": "user", "content": "hi"}],
        api_base=fake_url + "/v1",
        api_key="k",
    )
    assert [r.model for r in out] == ["m1", "m3"]


def test_mock_responses_need_no_provider(events: Events) -> None:
    assert (
        images.image_generation(prompt="p", model="dall-e-3", mock_response="https://x/y.png").data[0].url
        == "https://x/y.png"
    )
    assert audio.transcription(model="whisper-1", file=b"ID3", mock_response="hello").text == "hello"
    assert audio.speech(model="tts-1", input="hi", voice="alloy", mock_response=b"abc").content == b"abc"
    assert moderation.moderation(input="x", mock_response=True).results[0].flagged is True
    assert [
        r.index
        for r in rerank.rerank(
            model="cohere/rerank-v3.5", query="q", documents=["a", "b"], mock_response=[0.1, 0.9]
        ).results
    ] == [1, 0]
    assert (
        text_completion.text_completion(model="gpt-3.5-turbo-instruct", prompt="x", mock_response="yo")
        .choices[0]
        .text
        == "yo"
    )
    assert litellm.flush_callbacks(5)
    assert len(events.success) == 6
