"""Triton through the pipeline against the fake provider: generate (plain, streamed, async), /infer,
embeddings, an unknown model, a stream error; usage counted locally, cost null (not in the price map)."""

from __future__ import annotations

import asyncio

import pytest

from litellm.calls.pipeline import acompletion, completion, embedding

pytestmark = pytest.mark.integration
MSGS = [{"role": "user", "content": "hello triton"}]


def test_generate_plain_and_streamed(fake_provider, fake_url):
    response = completion("triton/ensemble", MSGS, api_base=fake_url, max_tokens=4)
    assert response.choices[0].message.content
    assert response.usage.prompt_tokens > 0  # counted locally: Triton reports none
    assert response._hidden_params["response_cost"] is None
    assert fake_provider.requests[-1]["path"] == "/v2/models/ensemble/generate"

    chunks = list(
        completion("triton/ensemble", MSGS, api_base=fake_url + "/v2/models/ensemble/generate", stream=True)
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "length"
    assert fake_provider.requests[-1]["path"] == "/v2/models/ensemble/generate_stream"


def test_async_infer(fake_url):
    async def run():
        return await acompletion(
            "triton/llama", MSGS, api_base=fake_url + "/v2/models/llama/infer", max_tokens=3
        )

    response = asyncio.run(run())
    assert len(response.choices[0].message.content.split()) == 3


def test_embeddings(fake_url):
    response = embedding("triton/bge", input=["one", "two"], api_base=fake_url)
    assert [len(d["embedding"]) for d in response.data] == [8, 8]


def test_unknown_model_and_stream_error(fake_url):
    from litellm.core.exceptions import InternalServerError, NotFoundError

    with pytest.raises(NotFoundError):
        completion("triton/missing-model", MSGS, api_base=fake_url)
    stream = completion(
        "triton/ensemble",
        MSGS,
        api_base=fake_url,
        stream=True,
        extra_headers={"x-fake-stream-error-after": "1"},
    )
    with pytest.raises(InternalServerError):
        list(stream)
