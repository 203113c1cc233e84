"""Anthropic 503 and 529 from the fake provider raise ServiceUnavailableError (catchable as openai's)."""

from __future__ import annotations

import openai
import pytest

from litellm.calls.pipeline import completion
from litellm.core.exceptions import ServiceUnavailableError

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("status", ["503", "529"])
def test_anthropic_unavailable_and_overloaded(fake_url: str, status: str) -> None:
    with pytest.raises(ServiceUnavailableError) as info:
        completion(
            model="anthropic/claude-sonnet-4-5",
            messages=[{"role": "user", "content": "hi"}],
            api_base=fake_url,
            api_key="sk-ant-test",
            num_retries=0,
            extra_headers={"x-fake-error": status},
        )
    assert isinstance(info.value, openai.APIStatusError)
    assert info.value.llm_provider == "anthropic"


def test_anthropic_overloaded_mid_stream(fake_url: str) -> None:
    stream = completion(
        model="anthropic/claude-sonnet-4-5",
        messages=[{"role": "user", "content": "hi"}],
        api_base=fake_url,
        api_key="sk-ant-test",
        num_retries=0,
        stream=True,
        extra_headers={"x-fake-stream-error-after": "3"},
    )
    with pytest.raises(ServiceUnavailableError):
        for _ in stream:
            pass
