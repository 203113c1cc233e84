"""Every new call type against wire fixtures from the public API references: the request each builds
(URL, headers, JSON or multipart body), the reply parsed into the typed response, errors mapped to the
exception tree, sync and async, through the one pipeline with an httpx MockTransport as the client."""

from __future__ import annotations

import asyncio
import json
import struct
from pathlib import Path
from typing import Any

import httpx
import pytest

from litellm.calls import audio, images, moderation, rerank, text_completion
from litellm.core import exceptions
from litellm.core.types_calls import (
    HttpxBinaryResponseContent,
    ImageResponse,
    ModerationResponse,
    RerankResponse,
    TextCompletionResponse,
    TranscriptionResponse,
)

FIX = Path(__file__).resolve().parents[2] / "fixtures"


def fixture(path: str) -> bytes:
    return (FIX / path).read_bytes()


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


class Wire:
    """A MockTransport answering every request with one reply, keeping what was sent."""

    def __init__(self, body: bytes, status: int = 200, content_type: str = "application/json") -> None:
        self.body, self.status, self.content_type = body, status, content_type
        self.seen: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.seen.append(request)
        return httpx.Response(self.status, content=self.body, headers={"content-type": self.content_type})

    def client(self, is_async: bool = False) -> Any:
        if is_async:
            return httpx.AsyncClient(transport=httpx.MockTransport(self.handler))
        return httpx.Client(transport=httpx.MockTransport(self.handler))

    @property
    def json(self) -> Any:
        return json.loads(self.seen[-1].content)

    def form(self) -> bytes:
        return self.seen[-1].content


def call(fn_sync: Any, fn_async: Any, is_async: bool, wire: Wire, **kwargs: Any) -> Any:
    if is_async:

        async def go() -> Any:
            client = wire.client(True)
            try:
                return await fn_async(client=client, **kwargs)
            finally:
                await client.aclose()

        return asyncio.run(go())
    return fn_sync(client=wire.client(), **kwargs)


both = pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])


# ---------------------------------------------------------------------------------------------------
# text completion
# ---------------------------------------------------------------------------------------------------


@both
def test_text_completion_posts_the_prompt_to_v1_completions_and_parses_the_reply(is_async: bool) -> None:
    wire = Wire(fixture("completions/openai_completion.json"))
    r = call(
        text_completion.text_completion,
        text_completion.atext_completion,
        is_async,
        wire,
        model="gpt-3.5-turbo-instruct",
        prompt="Say this is a test",
        max_tokens=7,
        api_key="sk-test",
    )
    assert isinstance(r, TextCompletionResponse)
    assert r.choices[0].text == "\n\nThis is indeed a test" and r.choices[0].finish_reason == "length"
    assert r["usage"]["total_tokens"] == 12
    assert str(wire.seen[-1].url) == "https://api.openai.com/v1/completions"
    assert wire.seen[-1].headers["authorization"] == "Bearer sk-test"
    assert wire.json == {"model": "gpt-3.5-turbo-instruct", "prompt": "Say this is a test", "max_tokens": 7}


@both
def test_text_completion_streams_text_chunks_from_sse(is_async: bool) -> None:
    wire = Wire(fixture("completions/openai_completion_stream.txt"), content_type="text/event-stream")

    async def agen() -> list[Any]:
        client = wire.client(True)
        stream = await text_completion.atext_completion(
            model="gpt-3.5-turbo-instruct", prompt="x", stream=True, api_key="k", client=client
        )
        out = [c async for c in stream]
        await client.aclose()
        return out

    if is_async:
        chunks = asyncio.run(agen())
    else:
        stream = text_completion.text_completion(
            model="gpt-3.5-turbo-instruct", prompt="x", stream=True, api_key="k", client=wire.client()
        )
        chunks = list(stream)
    assert all(isinstance(c, TextCompletionResponse) for c in chunks)
    assert "".join(c.choices[0].text for c in chunks) == "This is a test"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert wire.json["stream"] is True


def test_text_completion_for_a_chat_model_goes_through_the_chat_bridge() -> None:
    chat = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o-mini",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hey"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
    }
    wire = Wire(json.dumps(chat).encode())
    r = text_completion.text_completion(model="gpt-4o-mini", prompt="hi", api_key="k", client=wire.client())
    assert str(wire.seen[-1].url).endswith("/chat/completions")
    assert wire.json["messages"] == [{"role": "user", "content": "hi"}]
    assert r.object == "text_completion" and r.choices[0].text == "hey" and r.usage.total_tokens == 4


def test_text_completion_bridge_refuses_several_prompts_with_a_fix() -> None:
    wire = Wire(b"{}")
    with pytest.raises(exceptions.BadRequestError, match="one text prompt"):
        text_completion.text_completion(
            model="gpt-4o-mini", prompt=["a", "b"], api_key="k", client=wire.client()
        )
    assert wire.seen == []


# ---------------------------------------------------------------------------------------------------
# images
# ---------------------------------------------------------------------------------------------------


@both
def test_image_generation_builds_the_openai_body_and_parses_urls(is_async: bool) -> None:
    wire = Wire(fixture("images/dalle3_url.json"))
    r = call(
        images.image_generation,
        images.aimage_generation,
        is_async,
        wire,
        model="dall-e-3",
        prompt="A cute baby sea otter",
        n=1,
        size="1024x1792",
        quality="hd",
        style="vivid",
        response_format="url",
        user="u-1",
        api_key="k",
    )
    assert isinstance(r, ImageResponse)
    assert r.data[0].url.endswith("img-abc123.png") and r.data[0]["revised_prompt"].startswith("A cute")
    assert str(wire.seen[-1].url) == "https://api.openai.com/v1/images/generations"
    assert wire.json == {
        "model": "dall-e-3",
        "prompt": "A cute baby sea otter",
        "n": 1,
        "size": "1024x1792",
        "quality": "hd",
        "style": "vivid",
        "response_format": "url",
        "user": "u-1",
    }


def test_image_generation_on_azure_uses_the_deployment_path_and_api_key_header() -> None:
    wire = Wire(fixture("images/dalle3_url.json"))
    images.image_generation(
        model="azure/my-dalle",
        prompt="p",
        api_key="az-key",
        api_base="https://res.openai.azure.com",
        api_version="2024-02-01",
        client=wire.client(),
    )
    request = wire.seen[-1]
    assert str(request.url) == (
        "https://res.openai.azure.com/openai/deployments/my-dalle/images/generations?api-version=2024-02-01"
    )
    assert request.headers["api-key"] == "az-key"


def test_gpt_image_b64_answer_keeps_bytes_out_of_the_logged_response() -> None:
    wire = Wire(fixture("images/gpt_image_1_b64.json"))
    r = images.image_generation(
        model="gpt-image-1", prompt="p", quality="high", api_key="k", client=wire.client()
    )
    assert r.data[0].b64_json.startswith("iVBOR") and r.usage.output_tokens == 4160
    logged = r._hidden_params  # the record's response comes from ctx.raw_response: checked in integration
    assert logged["response_cost"] == pytest.approx(10 * 5e-6 + 40 * 1e-5 + 4160 * 4e-5)


@both
def test_image_edit_sends_multipart_with_the_image_and_mask(is_async: bool, tmp_path: Path) -> None:
    png = tmp_path / "in.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    wire = Wire(fixture("images/dalle3_url.json"))
    call(
        images.image_edit,
        images.aimage_edit,
        is_async,
        wire,
        model="dall-e-2",
        image=str(png),
        mask=b"\x89PNG\r\n\x1a\nmask",
        prompt="add a hat",
        n=2,
        api_key="k",
    )
    request = wire.seen[-1]
    assert str(request.url) == "https://api.openai.com/v1/images/edits"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    body = wire.form()
    assert b'name="image"; filename="in.png"' in body and b"Content-Type: image/png" in body
    assert (
        b'name="mask"' in body and b'name="prompt"\r\n\r\nadd a hat' in body and b'name="n"\r\n\r\n2' in body
    )


def test_image_variation_sends_one_image() -> None:
    wire = Wire(fixture("images/dalle3_url.json"))
    images.image_variation(
        image=("cat.png", b"\x89PNG....", "image/png"), model="dall-e-2", api_key="k", client=wire.client()
    )
    assert str(wire.seen[-1].url).endswith("/v1/images/variations")
    assert b'filename="cat.png"' in wire.form() and b'name="model"\r\n\r\ndall-e-2' in wire.form()


def test_an_unreadable_upload_is_a_clear_bad_request_and_nothing_is_sent() -> None:
    wire = Wire(b"{}")
    with pytest.raises(exceptions.BadRequestError, match="no file at"):
        images.image_edit(image="/no/such/file.png", prompt="p", api_key="k", client=wire.client())
    with pytest.raises(exceptions.BadRequestError, match="text mode"):
        import io

        audio.transcription(model="whisper-1", file=io.StringIO("x"), api_key="k", client=wire.client())
    assert wire.seen == []


# ---------------------------------------------------------------------------------------------------
# moderation
# ---------------------------------------------------------------------------------------------------


@both
def test_moderation_parses_categories_scores_and_input_types(is_async: bool) -> None:
    wire = Wire(fixture("moderation/omni.json"))
    r = call(
        moderation.moderation,
        moderation.amoderation,
        is_async,
        wire,
        input="...text to classify...",
        api_key="k",
    )
    assert isinstance(r, ModerationResponse)
    result = r.results[0]
    assert result.flagged is True
    assert result.categories["violence"] is True and result.categories["self-harm/intent"] is False
    assert result.category_scores["violence"] == pytest.approx(0.9999992735124786)
    assert result.category_applied_input_types["sexual"] == ["text", "image"]
    assert str(wire.seen[-1].url) == "https://api.openai.com/v1/moderations"
    assert wire.json == {"model": "omni-moderation-latest", "input": "...text to classify..."}


# ---------------------------------------------------------------------------------------------------
# audio
# ---------------------------------------------------------------------------------------------------


@both
def test_transcription_uploads_multipart_and_parses_verbose_json(is_async: bool) -> None:
    wire = Wire(fixture("audio/whisper_verbose.json"))
    r = call(
        audio.transcription,
        audio.atranscription,
        is_async,
        wire,
        model="whisper-1",
        file=("speech.wav", wav(0.5)),
        language="en",
        prompt="beach",
        response_format="verbose_json",
        temperature=0,
        timestamp_granularities=["word", "segment"],
        api_key="k",
    )
    assert isinstance(r, TranscriptionResponse)
    assert (
        r.text.startswith("The beach") and r.duration == pytest.approx(8.47) and r.words[1]["word"] == "beach"
    )
    assert r.segments[0]["id"] == 0
    assert str(wire.seen[-1].url) == "https://api.openai.com/v1/audio/transcriptions"
    body = wire.form()
    assert b'name="file"; filename="speech.wav"' in body and b"Content-Type: audio/wav" in body
    for field in (
        b'name="model"\r\n\r\nwhisper-1',
        b'name="language"\r\n\r\nen',
        b'name="temperature"\r\n\r\n0',
    ):
        assert field in body
    assert body.count(b'name="timestamp_granularities[]"') == 2
    # priced on the duration the provider reported: 8.47 s at whisper-1's $0.0001 / s
    assert r._hidden_params["response_cost"] == pytest.approx(8.47 * 0.0001)


def test_transcription_text_formats_become_text() -> None:
    wire = Wire(fixture("audio/whisper.srt"), content_type="text/plain")
    r = audio.transcription(
        model="whisper-1", file=wav(3.32), response_format="srt", api_key="k", client=wire.client()
    )
    assert r.text.startswith("1\n00:00:00,000 --> 00:00:03,320")
    # no duration in the answer: the WAV header says 3.32 s
    assert r._hidden_params["response_cost"] == pytest.approx(3.32 * 0.0001)


def test_gpt4o_transcribe_is_priced_per_token() -> None:
    wire = Wire(fixture("audio/gpt4o_transcribe.json"))
    r = audio.transcription(model="gpt-4o-transcribe", file=b"ID3....", api_key="k", client=wire.client())
    assert r.usage["type"] == "tokens"
    assert r._hidden_params["response_cost"] == pytest.approx(14 * 2.5e-6 + 45 * 1e-5)


@both
def test_speech_posts_json_and_returns_the_binary_answer(is_async: bool, tmp_path: Path) -> None:
    audio_bytes = b"ID3\x04" + bytes(range(256)) * 40
    wire = Wire(audio_bytes, content_type="audio/mpeg")
    r = call(
        audio.speech,
        audio.aspeech,
        is_async,
        wire,
        model="tts-1",
        input="The quick brown fox jumped over the lazy dog.",
        voice="alloy",
        response_format="mp3",
        speed=1.25,
        instructions="cheerful",
        api_key="k",
    )
    assert isinstance(r, HttpxBinaryResponseContent)
    assert r.content == audio_bytes and r.content_type == "audio/mpeg"
    assert b"".join(r.iter_bytes(1000)) == audio_bytes
    out = tmp_path / "speech.mp3"
    r.stream_to_file(out)
    assert out.read_bytes() == audio_bytes
    assert asyncio.run(r.aread()) == audio_bytes
    assert r.model_dump() == {"content_type": "audio/mpeg", "size_bytes": len(audio_bytes)}
    assert str(wire.seen[-1].url) == "https://api.openai.com/v1/audio/speech"
    assert wire.json == {
        "model": "tts-1",
        "input": "The quick brown fox jumped over the lazy dog.",
        "voice": "alloy",
        "response_format": "mp3",
        "speed": 1.25,
        "instructions": "cheerful",
    }
    assert r._hidden_params["response_cost"] == pytest.approx(45 * 1.5e-5)


# ---------------------------------------------------------------------------------------------------
# rerank
# ---------------------------------------------------------------------------------------------------

DOCS = ["Carson City is the capital of Nevada.", "Washington, D.C. is the capital of the United States."]


@both
def test_cohere_rerank_v2_fills_documents_back_and_prices_search_units(is_async: bool) -> None:
    wire = Wire(fixture("rerank/cohere_v2.json"))
    docs = [f"doc {i}" for i in range(5)]
    r = call(
        rerank.rerank,
        rerank.arerank,
        is_async,
        wire,
        model="cohere/rerank-v3.5",
        query="q",
        documents=docs,
        top_n=3,
        api_key="k",
    )
    assert isinstance(r, RerankResponse)
    assert [x.index for x in r.results] == [3, 4, 0]
    assert r.results[0].relevance_score == pytest.approx(0.999071) and r.results[0].document == {
        "text": "doc 3"
    }
    assert r.meta["billed_units"]["search_units"] == 1
    assert str(wire.seen[-1].url) == "https://api.cohere.com/v2/rerank"
    assert wire.json == {"model": "rerank-v3.5", "query": "q", "documents": docs, "top_n": 3}
    assert r._hidden_params["response_cost"] == pytest.approx(0.002)


def test_cohere_rerank_with_dict_documents_uses_v1_and_rank_fields() -> None:
    wire = Wire(fixture("rerank/cohere_v1.json"))
    docs = [{"title": "NV", "text": DOCS[0]}, {"title": "US", "text": DOCS[1]}]
    r = rerank.rerank(
        model="cohere/rerank-english-v3.0",
        query="What is the capital of the United States?",
        documents=docs,
        rank_fields=["title", "text"],
        return_documents=True,
        api_key="k",
        client=wire.client(),
    )
    assert str(wire.seen[-1].url) == "https://api.cohere.com/v1/rerank"
    assert wire.json["rank_fields"] == ["title", "text"] and wire.json["return_documents"] is True
    assert r.results[0].document == {"text": DOCS[1]}


def test_return_documents_false_drops_documents() -> None:
    wire = Wire(fixture("rerank/cohere_v1.json"))
    r = rerank.rerank(
        model="cohere/rerank-v3.5",
        query="q",
        documents=DOCS,
        return_documents=False,
        api_key="k",
        client=wire.client(),
    )
    assert all(x.document is None for x in r.results)


def test_together_rerank_wire_and_token_pricing() -> None:
    wire = Wire(fixture("rerank/together.json"))
    r = rerank.rerank(
        model="together_ai/Salesforce/Llama-Rank-V1",
        query="q",
        documents=DOCS,
        top_n=2,
        api_key="k",
        client=wire.client(),
    )
    assert str(wire.seen[-1].url) == "https://api.together.ai/v1/rerank"
    assert wire.json["model"] == "Salesforce/Llama-Rank-V1" and wire.json["top_n"] == 2
    assert r.meta["billed_units"]["total_tokens"] == 2966
    assert r._hidden_params["response_cost"] == pytest.approx(2966 * 1e-7)


def test_any_api_base_reranks_at_base_slash_rerank() -> None:
    wire = Wire(fixture("rerank/infinity.json"))
    r = rerank.rerank(
        model="openai/mixedbread-ai/mxbai-rerank-xsmall-v1",
        query="q",
        documents=DOCS,
        api_base="http://localhost:7997/v1",
        api_key="k",
        client=wire.client(),
    )
    assert str(wire.seen[-1].url) == "http://localhost:7997/v1/rerank"
    assert [x.index for x in r.results] == [1, 0] and r.results[0].document == {"text": DOCS[1]}


# ---------------------------------------------------------------------------------------------------
# errors, one table for every type
# ---------------------------------------------------------------------------------------------------

OPENAI_429 = json.dumps(
    {
        "error": {
            "message": "Rate limit reached",
            "type": "requests",
            "param": None,
            "code": "rate_limit_exceeded",
        }
    }
).encode()


@pytest.mark.parametrize(
    ("fn", "kwargs"),
    [
        (text_completion.text_completion, {"model": "gpt-3.5-turbo-instruct", "prompt": "x"}),
        (images.image_generation, {"model": "dall-e-3", "prompt": "x"}),
        (images.image_edit, {"model": "dall-e-2", "prompt": "x", "image": b"\x89PNG"}),
        (moderation.moderation, {"input": "x"}),
        (audio.transcription, {"model": "whisper-1", "file": b"RIFF"}),
        (audio.speech, {"model": "tts-1", "input": "x", "voice": "alloy"}),
        (rerank.rerank, {"model": "cohere/rerank-v3.5", "query": "q", "documents": ["a"]}),
    ],
    ids=[
        "text_completion",
        "image_generation",
        "image_edit",
        "moderation",
        "transcription",
        "speech",
        "rerank",
    ],
)
def test_a_429_is_a_rate_limit_error_for_every_type(fn: Any, kwargs: dict[str, Any]) -> None:
    wire = Wire(OPENAI_429, status=429)
    with pytest.raises(exceptions.RateLimitError) as info:
        fn(api_key="k", client=wire.client(), **kwargs)
    assert info.value.status_code == 429
    assert len(wire.seen) == 1  # no retries asked for


def test_a_cohere_400_is_a_bad_request_with_cohere_message() -> None:
    wire = Wire(fixture("rerank/cohere_error_400.json"), status=400)
    with pytest.raises(exceptions.BadRequestError, match="query must not be empty"):
        rerank.rerank(
            model="cohere/rerank-v3.5", query="q", documents=["a"], api_key="k", client=wire.client()
        )


def test_a_500_is_retried_when_asked_then_succeeds() -> None:
    replies = [
        httpx.Response(500, json={"error": {"message": "boom"}}),
        httpx.Response(200, content=fixture("moderation/omni.json")),
    ]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return replies[len(seen) - 1]

    client = httpx.Client(transport=httpx.MockTransport(handler))
    r = moderation.moderation(input="x", api_key="k", client=client, num_retries=1)
    assert r.results[0].flagged and len(seen) == 2


def test_missing_key_names_the_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(exceptions.AuthenticationError, match="OPENAI_API_KEY"):
        images.image_generation(model="dall-e-3", prompt="x", client=Wire(b"{}").client(), api_key=None)


def test_a_native_adapter_image_endpoint_is_used_and_priced_per_image() -> None:
    """Imagen on the Gemini API: the adapter's own request and reply shapes, through the same spec."""
    reply = {"predictions": [{"bytesBase64Encoded": "iVBORw0KGgo=", "mimeType": "image/png"}] * 2}
    wire = Wire(json.dumps(reply).encode())
    r = images.image_generation(
        model="gemini/imagen-3.0-generate-001", prompt="a cat", n=2, api_key="g-key", client=wire.client()
    )
    assert str(wire.seen[-1].url).endswith("/models/imagen-3.0-generate-001:predict")
    assert wire.json["parameters"]["sampleCount"] == 2
    assert [d.b64_json for d in r.data] == ["iVBORw0KGgo=", "iVBORw0KGgo="]
    assert r._hidden_params["response_cost"] == pytest.approx(2 * 0.04)


def test_a_streamed_text_completion_asks_openai_for_usage_and_keeps_it_out_of_sight() -> None:
    import litellm
    from litellm.integrations.custom_logger import CustomLogger

    records: list[dict[str, Any]] = []

    class Keep(CustomLogger):
        def log_success_event(self, kwargs, response_obj, start_time, end_time):
            records.append(kwargs["standard_logging_object"])

    litellm.callbacks = [Keep()]
    usage_event = {
        "id": "cmpl-7",
        "object": "text_completion",
        "created": 1,
        "model": "gpt-3.5-turbo-instruct",
        "choices": [],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
    }
    sse = fixture("completions/openai_completion_stream.txt").replace(
        b"data: [DONE]", b"data: " + json.dumps(usage_event).encode() + b"\n\ndata: [DONE]"
    )
    wire = Wire(sse, content_type="text/event-stream")
    chunks = list(
        text_completion.text_completion(
            model="gpt-3.5-turbo-instruct", prompt="x", stream=True, api_key="k", client=wire.client()
        )
    )
    assert wire.json["stream_options"] == {"include_usage": True}
    assert all(c.choices for c in chunks) and all(c.usage is None for c in chunks)
    assert litellm.flush_callbacks(5)
    assert (records[0]["prompt_tokens"], records[0]["completion_tokens"]) == (3, 4)
    assert records[0]["usage_source"] == "provider"
    assert records[0]["response_cost"] == pytest.approx(3 * 1.5e-6 + 4 * 2e-6)


@pytest.mark.parametrize("model", ["anthropic/claude-sonnet-4-5", "openai/some-reranker"])
def test_rerank_on_a_provider_without_rerank_names_those_that_have_it(model: str) -> None:
    wire = Wire(b"{}")
    with pytest.raises(exceptions.BadRequestError, match=r"no rerank endpoint here(.|\n)*cohere"):
        rerank.rerank(model=model, query="q", documents=["a"], api_key="k", client=wire.client())
    assert wire.seen == []
