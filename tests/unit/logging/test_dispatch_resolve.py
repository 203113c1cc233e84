"""resolve_callbacks: every registration path, string names, per-call lists, dedupe and the cache."""

from __future__ import annotations

import pytest
from logging_fakes import Recorder

from litellm.core.settings import settings
from litellm.dispatch.dispatcher import resolve_callbacks
from litellm.integrations.custom_logger import CustomLogger
from litellm.integrations.memory import MemoryLogger


def success_fn(kwargs, response, start, end):
    pass


def input_fn(kwargs):
    pass


class StreamOnly(CustomLogger):
    def log_stream_event(self, kwargs, response_obj, start_time, end_time):
        pass


def test_no_callbacks_gives_an_empty_set():
    cbs = resolve_callbacks()
    assert cbs.empty
    assert cbs.pre == cbs.success == cbs.failure == cbs.stream == ()


def test_logger_in_callbacks_gets_pre_success_and_failure():
    logger = Recorder()
    settings.callbacks = [logger]
    cbs = resolve_callbacks()
    assert not cbs.empty
    assert cbs.pre == (logger,)
    assert cbs.success == (logger,)
    assert cbs.failure == (logger,)


def test_function_in_callbacks_gets_success_and_failure_but_not_pre():
    settings.callbacks = [success_fn]
    cbs = resolve_callbacks()
    assert cbs.success == (success_fn,) and cbs.failure == (success_fn,)
    assert cbs.pre == ()


def test_success_callback_registers_for_success_only():
    settings.success_callback = [success_fn]
    cbs = resolve_callbacks()
    assert cbs.success == (success_fn,)
    assert cbs.failure == () and cbs.pre == ()


def test_failure_callback_registers_for_failure_only():
    settings.failure_callback = [success_fn]
    cbs = resolve_callbacks()
    assert cbs.failure == (success_fn,)
    assert cbs.success == () and cbs.pre == ()


def test_input_callback_registers_for_pre_call_only():
    settings.input_callback = [input_fn]
    cbs = resolve_callbacks()
    assert cbs.pre == (input_fn,)
    assert cbs.success == () and cbs.failure == ()


def test_string_name_resolves_through_the_registry_to_one_shared_instance():
    settings.callbacks = ["memory"]
    settings.success_callback = ["memory"]
    cbs = resolve_callbacks()
    assert len(cbs.success) == 1
    assert isinstance(cbs.success[0], MemoryLogger)
    assert resolve_callbacks(["memory"]).success == cbs.success


@pytest.fixture
def strict(monkeypatch):
    monkeypatch.setenv("LITELLM_STRICT_CALLBACKS", "1")


def test_unknown_string_name_raises_at_the_call_listing_valid_names_in_strict_mode(strict):
    settings.success_callback = ["not-a-destination"]
    with pytest.raises(ValueError) as err:
        resolve_callbacks()
    message = str(err.value)
    assert "not-a-destination" in message
    for name in ("otel", "langfuse", "datadog", "s3", "memory"):
        assert name in message


def test_per_call_lists_add_to_the_global_ones_for_that_call_only():
    global_logger, call_logger = Recorder(), Recorder()
    settings.callbacks = [global_logger]
    with_call = resolve_callbacks([call_logger], [success_fn], [input_fn])
    assert with_call.success == (global_logger, call_logger, success_fn)
    assert with_call.failure == (global_logger, call_logger, input_fn)
    assert with_call.pre == (global_logger, call_logger)
    assert resolve_callbacks().success == (global_logger,)


def test_the_same_object_registered_twice_is_called_once():
    logger = Recorder()
    settings.callbacks = [logger, logger]
    settings.success_callback = [logger]
    cbs = resolve_callbacks([logger])
    assert cbs.success == (logger,)


def test_two_instances_of_one_class_are_two_callbacks():
    a, b = Recorder(), Recorder()
    settings.callbacks = [a, b]
    assert resolve_callbacks().success == (a, b)


def test_unchanged_lists_reuse_the_cached_set_and_changes_are_seen():
    logger = Recorder()
    settings.callbacks = [logger]
    first = resolve_callbacks()
    assert resolve_callbacks() is first
    settings.callbacks.append(success_fn)  # mutated in place
    second = resolve_callbacks()
    assert second is not first and second.success == (logger, success_fn)
    settings.callbacks = [success_fn, logger]  # replaced with the same items in another order
    assert resolve_callbacks().success == (success_fn, logger)


def test_a_class_instead_of_an_instance_is_rejected_with_a_hint_in_strict_mode(strict):
    settings.callbacks = [Recorder]
    with pytest.raises(ValueError, match=r"Recorder\(\)"):
        resolve_callbacks()


def test_a_non_callable_object_is_rejected_in_strict_mode(strict):
    settings.callbacks = [42]
    with pytest.raises(ValueError, match="42"):
        resolve_callbacks()


def test_stream_holds_only_loggers_overriding_a_stream_hook():
    streamer, plain = StreamOnly(), Recorder.__bases__[0]()
    settings.callbacks = [streamer, plain, success_fn]
    assert resolve_callbacks().stream == (streamer,)


def test_the_same_per_call_lists_reuse_one_resolved_set():
    logger = Recorder()
    assert resolve_callbacks([logger], [success_fn]) is resolve_callbacks([logger], [success_fn])
    settings.callbacks = [input_fn]
    assert resolve_callbacks([logger], [success_fn]).success == (input_fn, logger, success_fn)
