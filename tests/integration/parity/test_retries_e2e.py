"""completion_with_retries against the fake provider: a key that fails twice succeeds on the third try."""

from __future__ import annotations

import pytest

from litellm.calls.retries import completion_with_retries
from litellm.core.exceptions import RateLimitError

pytestmark = pytest.mark.integration


def test_two_429s_then_success(fake_provider, fake_url: str, fake_key: str) -> None:
    response = completion_with_retries(
        model="openai/gpt-4o-mini",
        messages=[{"role": "user", "content": "hi"}],
        api_base=fake_url + "/v1",
        api_key="sk-test",
        extra_headers={"x-fake-fail-times": "2", "x-fake-key": fake_key, "x-fake-error": "429"},
    )
    assert response.choices[0].message.content
    assert len(fake_provider.requests) == 3  # the call's own retries were off: 3 requests, not 3 x N


def test_gives_up_after_num_retries(fake_provider, fake_url: str, fake_key: str) -> None:
    with pytest.raises(RateLimitError):
        completion_with_retries(
            model="openai/gpt-4o-mini",
            messages=[{"role": "user", "content": "hi"}],
            api_base=fake_url + "/v1",
            api_key="sk-test",
            num_retries=2,
            extra_headers={"x-fake-fail-times": "5", "x-fake-key": fake_key, "x-fake-error": "429"},
        )
    assert len(fake_provider.requests) == 2
