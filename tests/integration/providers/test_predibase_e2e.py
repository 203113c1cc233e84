"""Predibase through the pipeline against the fake provider's LoRAX routes: plain, streamed, async,
faults mapped, missing key refused before sending, cost null with the reason (not in the price map)."""

from __future__ import annotations

import asyncio

import pytest

from litellm.calls.pipeline import acompletion, completion

pytestmark = pytest.mark.integration
MSGS = [{"role": "user", "content": "hello there"}]


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setenv("PREDIBASE_TENANT_ID", "tenant-7")
    monkeypatch.delenv("PREDIBASE_API_KEY", raising=False)


def test_completion_and_stream(fake_provider, fake_url):
    response = completion(
        "predibase/llama-3-1-8b-instruct", MSGS, api_base=fake_url, api_key="pb_k", max_tokens=5
    )
    assert response.choices[0].message.content
    assert response.usage.completion_tokens > 0
    sent = fake_provider.requests[-1]
    assert sent["path"] == "/tenant-7/deployments/v2/llms/llama-3-1-8b-instruct/generate"
    assert sent["json"]["parameters"]["max_new_tokens"] == 5
    assert response._hidden_params["response_cost"] is None  # no predibase prices in the map

    stream = completion(
        "predibase/llama-3-1-8b-instruct", MSGS, api_base=fake_url, api_key="pb_k", stream=True
    )
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert fake_provider.requests[-1]["path"].endswith("/generate_stream")


def test_async(fake_url):
    async def run():
        return await acompletion("predibase/m", MSGS, api_base=fake_url, api_key="pb_k", tenant_id="t-arg")

    assert asyncio.run(run()).choices[0].message.content


def test_injected_429_is_a_rate_limit_error(fake_url):
    from litellm.core.exceptions import RateLimitError

    with pytest.raises(RateLimitError):
        completion(
            "predibase/m", MSGS, api_base=fake_url, api_key="pb_k", extra_headers={"x-fake-error": "429"}
        )


def test_missing_key_fails_before_sending(fake_provider, fake_url):
    from litellm.core.exceptions import AuthenticationError

    with pytest.raises(AuthenticationError, match="PREDIBASE_API_KEY"):
        completion("predibase/m", MSGS, api_base=fake_url)
    assert fake_provider.requests == []
