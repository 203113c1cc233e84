"""Every call type priced against hand-computed values from the price map, read from the one logging
event each call emits (``response_cost``, ``cost_breakdown``) and from ``_hidden_params``; an unmapped
model gives ``response_cost`` None with the reason, never a silent 0. Calls use ``mock_response``, which
runs the same parse-and-price path as a provider's answer."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import litellm
from litellm.calls import audio, images, moderation, pipeline, rerank, text_completion
from litellm.integrations.custom_logger import CustomLogger

PIXELS_1024 = 1024 * 1024


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


# (call type, function, kwargs, expected cost) -- expected values worked by hand from model_prices.json
CASES: list[tuple[str, Any, dict[str, Any], float]] = [
    (
        "text_completion",
        text_completion.text_completion,
        {
            "model": "gpt-3.5-turbo-instruct",
            "prompt": "hi",
            "mock_response": {
                "choices": [{"index": 0, "text": "yo", "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
            },
        },
        5 * 1.5e-6 + 7 * 2e-6,
    ),
    (
        "embedding",
        pipeline.embedding,
        {
            "model": "text-embedding-3-small",
            "input": [[1, 2, 3, 4, 5, 6, 7, 8]],  # token ids: 8 tokens
            "mock_response": [[0.1, 0.2]],
        },
        8 * 2e-8,
    ),
    (
        "image_generation",  # azure dall-e-3, standard 1024x1024, per pixel, n=2
        images.image_generation,
        {
            "model": "azure/dall-e-3",
            "prompt": "p",
            "size": "1024x1024",
            "quality": "standard",
            "n": 2,
            "mock_response": "https://example.com/a.png",
        },
        2 * PIXELS_1024 * 4.19617e-08,
    ),
    (
        "image_generation",  # azure dall-e-3, hd 1024x1792, per pixel
        images.image_generation,
        {
            "model": "azure/dall-e-3",
            "prompt": "p",
            "size": "1024x1792",
            "quality": "hd",
            "mock_response": "u",
        },
        1024 * 1792 * 7.19343e-08,
    ),
    (
        "image_generation",  # gpt-image-1 low 1024x1024 without usage: per image, n=2
        images.image_generation,
        {
            "model": "gpt-image-1",
            "prompt": "p",
            "quality": "low",
            "size": "1024x1024",
            "n": 2,
            "mock_response": "u",
        },
        2 * 0.011,
    ),
    (
        "image_generation",  # gpt-image-1 with usage: per token (text in, image in, image out)
        images.image_generation,
        {
            "model": "gpt-image-1",
            "prompt": "p",
            "mock_response": {
                "data": [{"b64_json": "iVBORw0KGgo="}],
                "usage": {
                    "input_tokens": 50,
                    "input_tokens_details": {"text_tokens": 10, "image_tokens": 40},
                    "output_tokens": 4160,
                    "total_tokens": 4210,
                },
            },
        },
        10 * 5e-6 + 40 * 1e-5 + 4160 * 4e-5,
    ),
    (
        "image_edit",  # priced like a generation: medium 1024x1024 per image
        images.image_edit,
        {
            "model": "gpt-image-1",
            "image": b"\x89PNG",
            "prompt": "p",
            "quality": "medium",
            "mock_response": "u",
        },
        0.042,
    ),
    (
        "moderation",  # mapped and free
        moderation.moderation,
        {"model": "omni-moderation-latest", "input": "hello", "mock_response": "ok"},
        0.0,
    ),
    (
        "transcription",  # whisper-1: per second of the reported duration
        audio.transcription,
        {"model": "whisper-1", "file": b"ID3", "mock_response": {"text": "t", "duration": 8.47}},
        8.47 * 0.0001,
    ),
    (
        "transcription",  # gpt-4o-transcribe: per token (audio in, text out)
        audio.transcription,
        {
            "model": "gpt-4o-transcribe",
            "file": b"ID3",
            "mock_response": {
                "text": "t",
                "usage": {
                    "type": "tokens",
                    "input_tokens": 14,
                    "input_token_details": {"text_tokens": 0, "audio_tokens": 14},
                    "output_tokens": 45,
                    "total_tokens": 59,
                },
            },
        },
        14 * 2.5e-6 + 45 * 1e-5,
    ),
    (
        "speech",  # tts-1: per input character (45 characters)
        audio.speech,
        {
            "model": "tts-1",
            "input": "The quick brown fox jumped over the lazy dog.",
            "voice": "alloy",
            "mock_response": b"ID3",
        },
        45 * 1.5e-5,
    ),
    (
        "speech",  # tts-1-hd: per input character
        audio.speech,
        {"model": "tts-1-hd", "input": "hello", "voice": "alloy", "mock_response": b"ID3"},
        5 * 3e-5,
    ),
    (
        "rerank",  # Cohere: per search unit billed
        rerank.rerank,
        {
            "model": "cohere/rerank-v3.5",
            "query": "q",
            "documents": ["a", "b"],
            "mock_response": {
                "results": [{"index": 0, "relevance_score": 0.9}],
                "meta": {"billed_units": {"search_units": 3}},
            },
        },
        3 * 0.002,
    ),
    (
        "rerank",  # Together: per token reported
        rerank.rerank,
        {
            "model": "together_ai/Salesforce/Llama-Rank-V1",
            "query": "q",
            "documents": ["a"],
            "mock_response": {
                "results": [{"index": 0, "relevance_score": 0.3}],
                "usage": {"total_tokens": 2966},
            },
        },
        2966 * 1e-7,
    ),
]


@pytest.mark.parametrize(
    ("call_type", "fn", "kwargs", "expected"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_every_call_type_is_priced_from_the_price_map(
    events: Events, call_type: str, fn: Any, kwargs: dict[str, Any], expected: float
) -> None:
    response = fn(**kwargs)
    assert litellm.flush_callbacks(5)
    assert len(events.success) == 1 and not events.failure
    record = events.success[0]
    assert record["call_type"] == call_type
    assert record["response_cost"] == pytest.approx(expected, rel=1e-9, abs=1e-15)
    assert record["cost_breakdown"]["total_cost"] == pytest.approx(expected, rel=1e-9, abs=1e-15)
    assert record["response_cost_failure_debug_info"] is None
    assert response._hidden_params["response_cost"] == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_an_unmapped_image_model_costs_null_with_the_reason(events: Events) -> None:
    images.image_generation(model="openai/my-private-image-model", prompt="p", mock_response="u")
    assert litellm.flush_callbacks(5)
    record = events.success[0]
    assert record["response_cost"] is None
    assert "not in the price map" in record["response_cost_failure_debug_info"]["error_message"]


def test_async_calls_are_priced_the_same_and_named_with_the_a_prefix(events: Events) -> None:
    async def go() -> None:
        await audio.aspeech(model="tts-1", input="hello", voice="alloy", mock_response=b"ID3")
        await rerank.arerank(model="cohere/rerank-v3.5", query="q", documents=["a"], mock_response=None)
        await images.aimage_generation(model="gpt-image-1", prompt="p", quality="low", mock_response="u")

    asyncio.run(go())
    assert litellm.flush_callbacks(5)
    by_type = {r["call_type"]: r["response_cost"] for r in events.success}
    assert by_type == {
        "aspeech": pytest.approx(5 * 1.5e-5),
        "arerank": pytest.approx(0.002),  # one search unit
        "aimage_generation": pytest.approx(0.011),
    }
