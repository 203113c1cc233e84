"""Real calls through ``litellm.completion`` against the fake provider, for integration logger tests.

:func:`three_calls` makes one success, one failure (the fake provider's real 500 error body) and one
stream (read to the end, usage included), each with a call id chosen here so tests can find the record
a receiver stored, and a request tag unique to the test. Nothing here talks to a receiver.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any


@dataclass
class Calls:
    tag: str
    success: str
    failure: str
    stream: str

    @property
    def ids(self) -> list[str]:
        return [self.success, self.failure, self.stream]


def call(fake_url: str, call_id: str, tag: str, *, model: str = "openai/gpt-4o-mini", **kw: Any) -> Any:
    import litellm

    return litellm.completion(
        model=model,
        api_base=fake_url + "/v1",
        api_key="sk-test-never-logged",
        messages=[{"role": "user", "content": f"hello {tag}"}],
        litellm_call_id=call_id,
        metadata={"tags": [tag]},
        **kw,
    )


def three_calls(fake_url: str, tag: str | None = None) -> Calls:
    """Success, failure and stream; returns their call ids. The failure's exception is swallowed here
    (the test is about what the logger records), after checking it is the provider's error."""
    tag = tag or f"t-{uuid.uuid4().hex[:10]}"
    calls = Calls(tag, f"ok-{uuid.uuid4()}", f"err-{uuid.uuid4()}", f"st-{uuid.uuid4()}")
    response = call(fake_url, calls.success, tag, temperature=0.3, max_tokens=40)
    assert response.choices[0].message.content
    try:
        call(fake_url, calls.failure, tag, model="openai/fake-error-500", max_retries=0)
    except Exception as exc:  # the provider's 500 as LiteLLM's exception
        assert getattr(exc, "status_code", None) == 500, exc
    else:  # pragma: no cover - the fake provider always fails this model
        raise AssertionError("the failing call succeeded")
    chunks = list(call(fake_url, calls.stream, tag, stream=True, stream_options={"include_usage": True}))
    assert chunks
    return calls
