"""The integration registry: names to loggers, one instance per name, helpful errors; MemoryLogger."""

from __future__ import annotations

import sys
import textwrap
import threading

import pytest

from litellm.integrations import registry
from litellm.integrations.base import PayloadLogger
from litellm.integrations.custom_logger import CustomLogger
from litellm.integrations.memory import MemoryLogger

DOCUMENTED_NAMES = {
    "otel": "OpenTelemetryLogger",
    "opentelemetry": "OpenTelemetryLogger",
    "langfuse": "LangfuseLogger",
    "datadog": "DatadogLogger",
    "datadog_llm_observability": "DatadogLLMObsLogger",
    "s3": "S3Logger",
    "s3_v2": "S3Logger",
    "gcs_bucket": "GCSBucketLogger",
    "slack": "SlackAlertingLogger",
    "sentry": "SentryLogger",
    "generic_api": "GenericAPILogger",
    "memory": "MemoryLogger",
}


@pytest.fixture
def restore_registry():
    table, extras = dict(registry.INTEGRATIONS), dict(registry.EXTRAS)
    yield
    registry.INTEGRATIONS.clear()
    registry.INTEGRATIONS.update(table)
    registry.EXTRAS.clear()
    registry.EXTRAS.update(extras)
    registry.clear_instances()


def test_every_documented_name_maps_to_its_class():
    for name, cls in DOCUMENTED_NAMES.items():
        assert registry.INTEGRATIONS[name].endswith(f":{cls}")
    assert set(DOCUMENTED_NAMES) <= set(registry.valid_names())


def test_get_integration_returns_one_cached_instance_per_name():
    first = registry.get_integration("memory")
    assert isinstance(first, MemoryLogger)
    assert registry.get_integration("memory") is first
    assert registry.get_integration(" Memory ") is first


def test_aliases_share_one_instance(restore_registry):
    registry.register("mem2", "litellm.integrations.memory:MemoryLogger")
    assert registry.get_integration("mem2") is registry.get_integration("memory")


def test_concurrent_first_use_builds_one_instance():
    registry.clear_instances()
    seen = []
    threads = [
        threading.Thread(target=lambda: seen.append(registry.get_integration("memory"))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(x) for x in seen}) == 1


def test_unknown_name_raises_value_error_listing_valid_names():
    with pytest.raises(ValueError) as err:
        registry.get_integration("lanfuse")
    assert "lanfuse" in str(err.value)
    assert all(name in str(err.value) for name in DOCUMENTED_NAMES)


def test_a_missing_sdk_raises_import_error_naming_the_pip_extra(tmp_path, monkeypatch, restore_registry):
    (tmp_path / "needs_sdk_integration.py").write_text(
        textwrap.dedent(
            """
            import some_sdk_that_is_not_installed_xyz
            from litellm.integrations.base import PayloadLogger
            class NeedsSDKLogger(PayloadLogger):
                name = "needs_sdk"
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.register("needs_sdk", "needs_sdk_integration:NeedsSDKLogger", extra="otel")
    with pytest.raises(ImportError, match=r"pip install 'litellm-observe\[otel\]'"):
        registry.get_integration("needs_sdk")
    sys.modules.pop("needs_sdk_integration", None)


def test_an_sdk_imported_in_the_constructor_also_gets_the_hint(restore_registry):
    class LazySDKLogger(PayloadLogger):
        def __init__(self):
            super().__init__()
            import another_missing_sdk_xyz  # noqa: F401

    sys.modules[__name__].LazySDKLogger = LazySDKLogger
    registry.register("lazy_sdk", f"{__name__}:LazySDKLogger", extra="s3")
    with pytest.raises(ImportError, match=r"pip install 'litellm-observe\[s3\]'"):
        registry.get_integration("lazy_sdk")


def test_an_integration_module_not_in_this_build_says_so(restore_registry):
    registry.register("future", "litellm.integrations.does_not_exist_yet:FutureLogger")
    with pytest.raises(ImportError, match="not available"):
        registry.get_integration("future")


def test_register_accepts_a_class(restore_registry):
    class Custom(CustomLogger):
        pass

    sys.modules[__name__].Custom = Custom
    registry.register("custom_cls", Custom)
    assert isinstance(registry.get_integration("custom_cls"), Custom)


def test_payload_logger_hooks_all_call_on_event_once_with_the_payload():
    got = []

    class Probe(PayloadLogger):
        def on_event(self, payload, kwargs):
            got.append((payload, kwargs))

    import asyncio

    probe = Probe()
    for i, hook in enumerate(("log_success_event", "log_failure_event")):
        getattr(probe, hook)({"standard_logging_object": {"i": i}}, None, None, None)
    for i, hook in enumerate(("async_log_success_event", "async_log_failure_event"), start=2):
        asyncio.run(getattr(probe, hook)({"standard_logging_object": {"i": i}}, None, None, None))
    assert [p["i"] for p, _ in got] == [0, 1, 2, 3]


def test_payload_logger_without_a_payload_raises_so_the_dispatcher_counts_it():
    class Probe(PayloadLogger):
        def on_event(self, payload, kwargs):
            raise AssertionError("not reached")

    with pytest.raises(ValueError, match="standard_logging_object"):
        Probe().log_success_event({}, None, None, None)


def test_memory_logger_is_bounded_and_counts_everything():
    memory = MemoryLogger(maxlen=3, keep_kwargs=True)
    for i in range(5):
        memory.on_event({"i": i}, {"k": i})
    assert [p["i"] for p in memory.payloads] == [2, 3, 4]
    assert [k["k"] for k in memory.kwargs_seen] == [2, 3, 4]
    assert memory.count == 5
    assert memory.wait_for(5, timeout=0)
    memory.clear()
    assert memory.payloads == [] and memory.count == 0


def test_custom_logger_defaults_are_no_ops_and_flags_are_kept():
    logger = CustomLogger(turn_off_message_logging=True)
    assert logger.turn_off_message_logging is True and logger.message_logging is True
    assert logger.log_success_event({}, None, None, None) is None
    kwargs, result = {"a": 1}, object()
    assert logger.logging_hook(kwargs, result, "completion") == (kwargs, result)
    assert logger.flush(1.0) is True
