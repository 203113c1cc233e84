"""Every call-type route through the proxy with the openai SDK (and httpx where the SDK has no method),
against the fake provider's wires: text completion, images, transcription (multipart), speech (binary),
moderation, rerank (/rerank, /v1/rerank, /v2/rerank), responses; a call type not built yet is a 501."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import openai
import pytest

from litellm.calls.registry import CALLS
from tests.integration.proxy._proxy import MASTER_KEY, Proxy, running_proxy

pytestmark = pytest.mark.integration

CONFIG = """
model_list:
  - {model_name: instruct, litellm_params: {model: openai/gpt-3.5-turbo-instruct, api_base: os.environ/BASE_V1, api_key: sk-up}}
  - {model_name: images, litellm_params: {model: openai/dall-e-3, api_base: os.environ/BASE_V1, api_key: sk-up}}
  - {model_name: whisper, litellm_params: {model: openai/whisper-1, api_base: os.environ/BASE_V1, api_key: sk-up}}
  - {model_name: tts, litellm_params: {model: openai/tts-1, api_base: os.environ/BASE_V1, api_key: sk-up}}
  - {model_name: omni-moderation-latest, litellm_params: {model: openai/omni-moderation-latest, api_base: os.environ/BASE_V1, api_key: sk-up}}
  - {model_name: rerank, litellm_params: {model: cohere/rerank-english-v3.0, api_base: os.environ/BASE, api_key: sk-up}}
  - {model_name: chat, litellm_params: {model: openai/gpt-4o-mini, api_base: os.environ/BASE_V1, api_key: sk-up}}
general_settings:
  master_key: os.environ/PROXY_MASTER_KEY
"""


def needs(call: str) -> None:
    if call not in CALLS:
        pytest.skip(
            f"{call} is not in litellm.calls.registry yet (its route answers 501; see test_proxy_server)"
        )


@pytest.fixture(scope="module")
def proxy(fake_provider, tmp_path_factory) -> Iterator[Proxy]:
    env = {"BASE": fake_provider.url, "BASE_V1": fake_provider.url + "/v1", "PROXY_MASTER_KEY": MASTER_KEY}
    with running_proxy(tmp_path_factory.mktemp("calltypes"), CONFIG, env=env) as p:
        yield p


@pytest.fixture
def sdk(proxy: Proxy) -> openai.OpenAI:
    return openai.OpenAI(base_url=proxy.url + "/v1", api_key=MASTER_KEY, max_retries=0)


def test_text_completion_json_and_stream(sdk: openai.OpenAI) -> None:
    needs("atext_completion")
    reply = sdk.completions.create(model="instruct", prompt="Say hi")
    assert reply.choices[0].text
    pieces = [
        c.choices[0].text
        for c in sdk.completions.create(model="instruct", prompt="Say hi", stream=True)
        if c.choices
    ]
    assert "".join(pieces) == reply.choices[0].text


def test_image_generation(sdk: openai.OpenAI) -> None:
    needs("aimage_generation")
    raw = sdk.images.with_raw_response.generate(model="images", prompt="a cat", n=2)
    assert len(raw.parse().data) == 2
    assert raw.headers["x-litellm-model-group"] == "images"


def test_transcription_multipart_and_text_format(sdk: openai.OpenAI) -> None:
    needs("atranscription")
    audio = b"RIFF" + b"\0" * 64000
    result = sdk.audio.transcriptions.create(model="whisper", file=("a.wav", audio, "audio/wav"))
    assert result.text == "Hello from the fake provider."
    text = sdk.audio.transcriptions.create(
        model="whisper", file=("a.wav", audio, "audio/wav"), response_format="text"
    )
    assert str(text).strip() == "Hello from the fake provider."


def test_speech_is_binary_audio(sdk: openai.OpenAI) -> None:
    needs("aspeech")
    response = sdk.audio.speech.create(
        model="tts", voice="alloy", input="Hello there, this is a test.", response_format="wav"
    )
    assert response.content[:4] == b"RIFF"
    assert response.response.headers["content-type"].startswith("audio/")


def test_moderation_with_and_without_model(sdk: openai.OpenAI) -> None:
    needs("amoderation")
    assert sdk.moderations.create(model="omni-moderation-latest", input="hello").results
    assert sdk.moderations.create(input="hello").results  # OpenAI's default model name is served


def test_rerank_on_all_three_paths(proxy: Proxy) -> None:
    needs("arerank")
    body = {
        "model": "rerank",
        "query": "red fruit",
        "documents": ["a banana", "a red apple", "the sky"],
        "top_n": 2,
    }
    with proxy.client() as c:
        for path in ("/rerank", "/v1/rerank", "/v2/rerank"):
            r = c.post(path, json=body)
            assert r.status_code == 200, (path, r.text)
            results = r.json()["results"]
            assert len(results) == 2 and results[0]["index"] == 1


def test_responses_route(proxy: Proxy, sdk: openai.OpenAI) -> None:
    if "aresponses" not in CALLS:
        r = httpx.post(
            proxy.url + "/v1/responses",
            json={"model": "chat", "input": "hi"},
            headers={"Authorization": f"Bearer {MASTER_KEY}"},
        )
        assert r.status_code == 501 and r.json()["error"]["type"] == "not_implemented_error"
        return
    reply = sdk.responses.create(model="chat", input="hi")
    assert reply.output_text
    events = list(sdk.responses.create(model="chat", input="hi", stream=True))
    assert events[0].type == "response.created" and events[-1].type == "response.completed"
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text == reply.output_text
