"""The new call types on Azure OpenAI (deployment paths, api-version, api-key header) against the fake
provider; records under ``turn_off_message_logging``; a rerank cache hit; embeddings' extras on the wire;
the rerank-only providers once the registry knows them."""

from __future__ import annotations

import asyncio
import json
import struct
from typing import Any

import pytest

import litellm
from litellm.calls import audio, images, moderation, pipeline, rerank, text_completion
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
        self.records: list[dict[str, Any]] = []

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.records.append(kwargs["standard_logging_object"])

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.records.append(kwargs["standard_logging_object"])


@pytest.fixture
def events() -> Events:
    logger = Events()
    litellm.callbacks = [logger]
    return logger


def azure(fake_url: str) -> dict[str, Any]:
    return {"api_base": fake_url, "api_key": "az-key", "api_version": "2024-10-21"}


@pytest.mark.parametrize(
    ("fn", "kwargs", "path"),
    [
        (
            text_completion.text_completion,
            {"model": "azure/gpt-35-turbo-instruct", "prompt": "hi"},
            "completions",
        ),
        (
            pipeline.embedding,
            {"model": "azure/emb-small", "input": ["a", "b"], "dimensions": 8},
            "embeddings",
        ),
        (
            images.image_generation,
            {"model": "azure/dalle3", "prompt": "p", "size": "1024x1024"},
            "images/generations",
        ),
        (moderation.moderation, {"model": "azure/mod", "input": "hi"}, "moderations"),
        (audio.transcription, {"model": "azure/whisper", "file": wav(1.0)}, "audio/transcriptions"),
        (audio.speech, {"model": "azure/tts", "input": "hi", "voice": "alloy"}, "audio/speech"),
    ],
    ids=["text_completion", "embedding", "image_generation", "moderation", "transcription", "speech"],
)
def test_each_type_on_azure_uses_the_deployment_path(
    fake_provider: Any, fake_url: str, fn: Any, kwargs: dict[str, Any], path: str
) -> None:
    fn(**kwargs, **azure(fake_url))
    sent = fake_provider.requests[-1]
    deployment = kwargs["model"].split("/", 1)[1]
    assert sent["path"] == f"/openai/deployments/{deployment}/{path}"
    assert sent["query"] == {"api-version": "2024-10-21"}
    assert sent["headers"]["api-key"] == "az-key"


def test_azure_without_a_key_is_refused_by_the_fake_as_azure_does(fake_url: str) -> None:
    with pytest.raises(litellm.AuthenticationError):
        images.image_generation(model="azure/dalle3", prompt="p", api_base=fake_url, api_key="invalid-key")


def test_records_are_redacted_when_message_logging_is_off(fake_url: str, events: Events) -> None:
    litellm.turn_off_message_logging = True
    base = {"api_base": fake_url + "/v1", "api_key": "k"}
    text_completion.text_completion(model="openai/gpt-3.5-turbo-instruct", prompt="secret prompt", **base)
    audio.transcription(model="openai/whisper-1", file=("call.wav", wav(1.0)), prompt="secret hint", **base)
    audio.speech(model="openai/tts-1", input="secret speech", voice="alloy", **base)
    rerank.rerank(
        model="cohere/rerank-v3.5",
        query="secret query",
        documents=["secret doc"],
        api_base=fake_url,
        api_key="k",
    )
    images.image_generation(model="openai/dall-e-2", prompt="secret picture", **base)
    assert litellm.flush_callbacks(5)
    assert len(events.records) == 5
    # (a redacted record's response is a model object today: dumped here, reported to the payload owner)
    text = json.dumps(events.records, default=lambda o: o.model_dump())
    assert "secret" not in text
    assert "Hello from the fake provider" not in text  # the transcript and completion text too


def test_a_rerank_cache_hit_is_served_and_logged_once_at_zero_cost(
    fake_provider: Any, fake_url: str, events: Events
) -> None:
    from litellm.caching.caching import Cache

    litellm.cache = Cache(type="local")
    kwargs = {
        "model": "cohere/rerank-v3.5",
        "query": "q cached",
        "documents": ["a", "q"],
        "api_base": fake_url,
        "api_key": "k",
    }
    first = rerank.rerank(**kwargs)
    second = asyncio.run(rerank.arerank(**kwargs))
    assert [r.index for r in second.results] == [r.index for r in first.results]
    assert len([r for r in fake_provider.requests if r["path"].endswith("/rerank")]) == 1
    assert litellm.flush_callbacks(5)
    assert [(r["call_type"], bool(r["cache_hit"]), r["response_cost"]) for r in events.records] == [
        ("rerank", False, pytest.approx(0.002)),
        ("arerank", True, 0.0),
    ]


def test_embedding_extras_reach_the_wire(fake_provider: Any, fake_url: str) -> None:
    r = pipeline.embedding(
        model="openai/text-embedding-3-small",
        input=[[1, 2, 3], [4, 5]],
        dimensions=4,
        encoding_format="base64",
        user="user-1",
        api_base=fake_url + "/v1",
        api_key="k",
    )
    assert fake_provider.requests[-1]["json"] == {
        "model": "text-embedding-3-small",
        "input": [[1, 2, 3], [4, 5]],
        "dimensions": 4,
        "encoding_format": "base64",
        "user": "user-1",
    }
    assert isinstance(r.data[0]["embedding"], str) and len(r.data) == 2  # base64 kept as the caller asked


@pytest.mark.parametrize("provider", ["jina_ai", "voyage", "infinity", "azure_ai"])
def test_rerank_only_providers_resolve_once_registered(
    monkeypatch: pytest.MonkeyPatch, fake_provider: Any, fake_url: str, events: Events, provider: str
) -> None:
    """The registry rows the lead adds (see the report): with them, each provider's URL and dialect."""
    from litellm.providers import registry

    monkeypatch.setitem(registry._NATIVE, provider, "litellm.providers.rerank_wire:make_adapter")
    monkeypatch.setattr(registry, "_known", None)
    registry._resolved.clear()
    try:
        r = rerank.rerank(
            model=f"{provider}/some-reranker",
            query="red fox",
            documents=["a red fox", "blue"],
            api_base=fake_url,
            api_key="k",
        )
    finally:
        registry._resolved.clear()
        registry._adapters.pop(provider, None)
    assert r.results[0].index == 0
    assert fake_provider.requests[-1]["path"] in ("/v1/rerank", "/rerank")
    assert litellm.flush_callbacks(5)
    assert events.records[-1]["custom_llm_provider"] == provider


def test_text_completion_cache_serves_plain_and_streamed_calls(
    fake_provider: Any, fake_url: str, events: Events
) -> None:
    from litellm.caching.caching import Cache

    litellm.cache = Cache(type="local")
    kwargs = {
        "model": "openai/gpt-3.5-turbo-instruct",
        "prompt": "cache me",
        "api_base": fake_url + "/v1",
        "api_key": "k",
    }
    first = text_completion.text_completion(**kwargs)
    again = text_completion.text_completion(**kwargs)
    streamed = "".join(c.choices[0].text for c in text_completion.text_completion(**kwargs, stream=True))
    assert again.choices[0].text == first.choices[0].text == streamed
    assert len([r for r in fake_provider.requests if r["path"].endswith("/completions")]) == 1
    assert litellm.flush_callbacks(5)
    assert [bool(r["cache_hit"]) for r in events.records] == [False, True, True]


def test_a_streamed_text_completion_is_stored_whole_and_served_to_a_plain_call(
    fake_provider: Any, fake_url: str, events: Events
) -> None:
    from litellm.caching.caching import Cache

    litellm.cache = Cache(type="local")
    kwargs = {
        "model": "openai/gpt-3.5-turbo-instruct",
        "prompt": "stream then cache",
        "api_base": fake_url + "/v1",
        "api_key": "k",
    }
    streamed = "".join(c.choices[0].text for c in text_completion.text_completion(**kwargs, stream=True))
    assert litellm.flush_callbacks(5)
    plain = text_completion.text_completion(**kwargs)
    assert plain.object == "text_completion" and plain.choices[0].text == streamed
    assert len([r for r in fake_provider.requests if r["path"].endswith("/completions")]) == 1


def test_a_transcription_cache_hit_is_keyed_on_the_audio_bytes(
    fake_provider: Any, fake_url: str, events: Events
) -> None:
    from litellm.caching.caching import Cache

    litellm.cache = Cache(type="local")
    base = {"model": "openai/whisper-1", "api_base": fake_url + "/v1", "api_key": "k"}
    first = audio.transcription(file=("a.wav", wav(1.0)), **base)
    hit = asyncio.run(audio.atranscription(file=("renamed.wav", wav(1.0)), **base))
    miss = audio.transcription(file=("a.wav", wav(1.5)), **base)
    assert hit.text == first.text == miss.text
    assert len([r for r in fake_provider.requests if r["path"].endswith("/audio/transcriptions")]) == 2
    assert litellm.flush_callbacks(5)
    assert [(r["call_type"], bool(r["cache_hit"])) for r in events.records] == [
        ("transcription", False),
        ("atranscription", True),
        ("transcription", False),
    ]
    assert events.records[1]["response_cost"] == 0.0


@pytest.mark.parametrize(
    ("model", "extra", "path"),
    [
        ("text-completion-openai/my-finetune", {"api_base": "/v1"}, "/v1/completions"),
        (
            "azure_text/my-deployment",
            {"api_base": "", "api_version": "2024-10-21"},
            "/openai/deployments/my-deployment/completions",
        ),
    ],
)
def test_litellm_text_completion_prefixes_always_take_v1_completions(
    fake_provider: Any, fake_url: str, model: str, extra: dict[str, Any], path: str
) -> None:
    kwargs = {**extra, "api_base": fake_url + extra["api_base"]}
    r = text_completion.text_completion(model=model, prompt="hi", api_key="k", **kwargs)
    assert fake_provider.requests[-1]["path"] == path
    assert r.object == "text_completion" and r.choices[0].text
