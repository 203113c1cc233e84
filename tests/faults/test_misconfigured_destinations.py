"""A misconfigured destination never fails a call: the request is sent, the answer returned, the error
reported once and the destination's events dropped with reason ``misconfigured``; strict mode raises."""

from __future__ import annotations

import warnings

import pytest
from faults_helpers import figures, per_callback

from litellm.calls.pipeline import completion
from litellm.core.settings import settings
from litellm.dispatch.callbacks import CallbackConfigWarning
from litellm.dispatch.dispatcher import get_dispatcher
from litellm.integrations.custom_logger import CustomLogger

MSGS = [{"role": "user", "content": "hello"}]


class Counter(CustomLogger):
    def __init__(self):
        super().__init__()
        self.n = 0

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.n += 1


@pytest.fixture(autouse=True)
def _no_destination_env(monkeypatch):
    for name in (
        "LANGFUSE_PUBLIC_KEY",
        "LANGFUSE_SECRET_KEY",
        "AWS_S3_BUCKET_NAME",
        "LITELLM_STRICT_CALLBACKS",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("entry", "missing"),
    [("langfuse", "LANGFUSE_PUBLIC_KEY"), ("s3", "bucket"), ("no-such-destination", "valid names")],
)
def test_the_call_goes_through_and_the_destination_is_reported_once(fake_url, fake_provider, entry, missing):
    good = Counter()
    settings.callbacks = [entry, good]
    calls = 5
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(calls):
            response = completion(
                model="openai/gpt-4o-mini", messages=MSGS, api_base=f"{fake_url}/v1", api_key="sk-test"
            )
            assert response.choices[0].message.content
    assert len(fake_provider.requests) == calls  # every request was sent
    reported = [w for w in caught if issubclass(w.category, CallbackConfigWarning)]
    assert (
        len(reported) == 1 and repr(entry) in str(reported[0].message) and missing in str(reported[0].message)
    )
    assert get_dispatcher().flush(5)
    stats = per_callback(entry)
    assert stats["dropped"] == {"misconfigured": calls}
    assert good.n == calls
    figures(
        f"misconfigured {entry!r}",
        calls=calls,
        requests_sent=len(fake_provider.requests),
        warnings=len(reported),
        dropped=stats["dropped"],
        other_logger_delivered=good.n,
    )


def test_strict_mode_raises_at_the_first_call_before_any_request(fake_url, fake_provider, monkeypatch):
    monkeypatch.setenv("LITELLM_STRICT_CALLBACKS", "1")
    settings.callbacks = ["langfuse"]
    with pytest.raises(ValueError, match="LANGFUSE_PUBLIC_KEY"):
        completion(model="openai/gpt-4o-mini", messages=MSGS, api_base=f"{fake_url}/v1", api_key="sk-test")
    assert fake_provider.requests == []
