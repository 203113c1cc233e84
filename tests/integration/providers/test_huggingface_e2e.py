"""Hugging Face through the pipeline against the fake provider: the router's OpenAI wire with provider
pinning, TGI's native /generate and /generate_stream, feature-extraction embeddings (sync and async)."""

from __future__ import annotations

import pytest

from litellm.calls.pipeline import acompletion, aembedding, completion, embedding
from litellm.core import exceptions

pytestmark = pytest.mark.integration

MSGS = [{"role": "user", "content": "hello"}]
REPLY = "Hello from the fake provider! This reply is deterministic."


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("HUGGINGFACE_API_KEY", "HF_TOKEN", "HF_API_BASE", "HUGGINGFACE_API_BASE"):
        monkeypatch.delenv(name, raising=False)


def test_router_chat_with_pinned_provider_and_hf_token_env(fake_provider, fake_url, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_fake_token")
    response = completion(
        "huggingface/together/deepseek-ai/DeepSeek-R1", messages=MSGS, api_base=f"{fake_url}/v1"
    )
    assert response.choices[0].message.content == REPLY
    sent = fake_provider.requests[-1]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["json"]["model"] == "deepseek-ai/DeepSeek-R1:together"
    assert sent["headers"]["authorization"] == "Bearer hf_fake_token"


async def test_router_async_stream(fake_url):
    stream = await acompletion(
        "huggingface/meta-llama/Llama-3.3-70B-Instruct",
        messages=MSGS,
        api_base=fake_url,
        api_key="hf_x",
        stream=True,
    )
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text == REPLY


def test_router_without_token_names_the_env_vars():
    with pytest.raises(exceptions.AuthenticationError, match="HUGGINGFACE_API_KEY"):
        completion("huggingface/meta-llama/Llama-3.3-70B-Instruct", messages=MSGS)


def test_tgi_generate_and_stream(fake_provider, fake_url):
    response = completion("huggingface/tgi/my-model", messages=MSGS, api_base=fake_url, max_tokens=5)
    assert response.choices[0].message.content == "Hello from the fake provider!"
    assert fake_provider.requests[-1]["json"]["parameters"]["max_new_tokens"] == 5
    chunks = list(completion("huggingface/tgi/my-model", messages=MSGS, api_base=fake_url, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == REPLY
    assert fake_provider.requests[-1]["path"] == "/generate_stream"


def test_tgi_context_window_error(fake_url):
    with pytest.raises(exceptions.ContextWindowExceededError):
        completion(
            "huggingface/tgi/my-model",
            messages=MSGS,
            api_base=fake_url,
            extra_headers={"x-fake-error": "context_window"},
        )


def test_tgi_in_stream_error(fake_url):
    stream = completion(
        "huggingface/tgi/m",
        messages=MSGS,
        api_base=fake_url,
        stream=True,
        extra_headers={"x-fake-stream-error-after": "2"},
    )
    with pytest.raises(exceptions.InternalServerError, match="failed during generation"):
        for _ in stream:
            pass


def test_feature_extraction_embeddings(fake_provider, fake_url):
    url = f"{fake_url}/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2/pipeline/feature-extraction"
    result = embedding(
        "huggingface/sentence-transformers/all-MiniLM-L6-v2", input=["a", "b"], api_base=url, api_key="hf_x"
    )
    assert len(result.data) == 2 and len(result.data[0]["embedding"]) == 16
    assert fake_provider.requests[-1]["json"] == {"inputs": ["a", "b"]}


async def test_feature_extraction_async_single_input(fake_url):
    url = f"{fake_url}/hf-inference/models/m/pipeline/feature-extraction"
    result = await aembedding("huggingface/m", input="a", api_base=url, api_key="hf_x")
    assert len(result.data) == 1
