"""A misconfigured destination never fails a call: reported once, loudly; its events dropped and counted.

Strict mode (``LITELLM_STRICT_CALLBACKS=1`` or ``settings.strict_callbacks``) raises at resolution instead.
``modify_integration`` (LiteLLM's ``litellm.modify_integration``) sets an integration's parameters and
makes the next call resolve it again.
"""

from __future__ import annotations

import warnings

import pytest
from logging_fakes import FakeCtx, Sink

from litellm.core.settings import settings
from litellm.dispatch.callbacks import CallbackConfigWarning, config_errors
from litellm.dispatch.dispatcher import resolve_callbacks
from litellm.integrations import registry


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
    ("entry", "name", "missing"),
    [
        ("langfuse", "langfuse", "LANGFUSE_PUBLIC_KEY"),
        ("s3", "s3", "bucket"),
        ("not-a-destination", "not-a-destination", "valid names"),
    ],
)
def test_a_misconfigured_destination_is_reported_once_and_its_events_are_dropped_with_the_reason(
    dispatcher, entry, name, missing
):
    good = Sink()
    settings.callbacks = [entry, good]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cbs = resolve_callbacks()  # what the pipeline does at the start of every call: no exception
        for _ in range(5):
            resolve_callbacks()  # cached: not reported again
    reported = [w for w in caught if issubclass(w.category, CallbackConfigWarning)]
    assert len(reported) == 1
    text = str(reported[0].message)
    assert repr(name) in text and missing in text and "LITELLM_STRICT_CALLBACKS" in text
    assert cbs.success == (good,)  # the user's own callbacks are untouched
    for i in range(3):
        dispatcher.emit_success(FakeCtx(cbs, index=i))
    assert dispatcher.flush(5)
    stats = dispatcher.stats()
    assert stats["per_callback"][name]["dropped"] == {"misconfigured": 3}
    assert stats["per_callback"]["Sink"]["delivered"] == 3
    assert missing in stats["config_errors"][name]
    assert missing in config_errors()[name]


def test_a_set_with_only_a_broken_destination_still_emits_so_its_drops_are_counted(dispatcher):
    settings.callbacks = ["langfuse"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cbs = resolve_callbacks()
    assert not cbs.empty and cbs.success == ()
    dispatcher.emit_success(FakeCtx(cbs))
    dispatcher.emit_failure(FakeCtx(cbs, exception=RuntimeError("x")))
    assert dispatcher.flush(5)
    assert dispatcher.stats()["per_callback"]["langfuse"]["dropped"] == {"misconfigured": 2}


@pytest.mark.parametrize("how", ["env", "setting"])
def test_strict_mode_raises_at_the_first_call_naming_what_is_missing(monkeypatch, how):
    if how == "env":
        monkeypatch.setenv("LITELLM_STRICT_CALLBACKS", "1")
    else:
        monkeypatch.setattr(settings, "strict_callbacks", True, raising=False)
    settings.callbacks = ["langfuse"]
    with pytest.raises(ValueError, match="LANGFUSE_PUBLIC_KEY"):
        resolve_callbacks()
    settings.callbacks = ["s3"]
    with pytest.raises(ValueError, match="bucket"):
        resolve_callbacks()


def test_modify_integration_fixes_a_misconfigured_destination_at_the_next_call(dispatcher, tmp_path):
    settings.callbacks = ["generic_api"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        broken = resolve_callbacks()
    assert broken.success == () and "generic_api" in config_errors()
    registry.modify_integration("generic_api", {"endpoint": "http://127.0.0.1:9/unused"})
    fixed = resolve_callbacks()
    assert len(fixed.success) == 1 and type(fixed.success[0]).__name__ == "GenericAPILogger"
    assert fixed.success[0].settings.endpoint == "http://127.0.0.1:9/unused"
    assert "generic_api" not in config_errors()


def test_modify_integration_rejects_unknown_names_and_parameters():
    with pytest.raises(ValueError, match="valid names"):
        registry.modify_integration("supabase-typo", {"table_name": "x"})
    with pytest.raises(ValueError, match="must be a dict"):
        registry.modify_integration("memory", ["x"])


def test_a_fixed_environment_is_seen_after_the_lists_are_set_again(monkeypatch):
    settings.callbacks = ["langfuse"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert resolve_callbacks().success == ()
    assert "langfuse" in config_errors()
    monkeypatch.setenv("LANGFUSE_PUBLIC_KEY", "pk-lf-test")
    monkeypatch.setenv("LANGFUSE_SECRET_KEY", "sk-lf-test")
    monkeypatch.setenv("LANGFUSE_HOST", "http://127.0.0.1:9")
    settings.callbacks = ["langfuse"]  # the same list assigned again: resolved again
    cbs = resolve_callbacks()
    assert [type(x).__name__ for x in cbs.success] == ["LangfuseLogger"]
    assert "langfuse" not in config_errors()
    assert resolve_callbacks() is cbs  # and cached again once it works
