"""Pure parts of the Langfuse, Sentry and generic API loggers: settings from the environment and the
payload -> record mappings; plus registration of the four names this module family provides."""

from __future__ import annotations

import json

import pytest

from litellm.integrations.generic_api import GenericAPISettings, encode_batch
from litellm.integrations.generic_api import parse_headers as generic_headers
from litellm.integrations.langfuse import (
    LangfuseSettings,
    generation_fields,
    langfuse_trace_id,
    trace_fields,
)
from litellm.integrations.sentry import SentrySettings, breadcrumb, event_tags, failure_event


def _payload(**over) -> dict:
    base = {
        "id": "5d0e6a4c-1b2f-4c3d-9e8f-0a1b2c3d4e5f",
        "litellm_call_id": "5d0e6a4c-1b2f-4c3d-9e8f-0a1b2c3d4e5f",
        "trace_id": "5d0e6a4c-1b2f-4c3d-9e8f-0a1b2c3d4e5f",
        "call_type": "completion",
        "status": "success",
        "model": "openai/gpt-4o",
        "custom_llm_provider": "openai",
        "api_base": "https://user:pw@api.openai.com/v1?key=k",
        "response_cost": 0.002,
        "cost_breakdown": {"input_cost": 0.0005, "output_cost": 0.0015, "cache_read_cost": 0.0},
        "prompt_tokens": 100,
        "completion_tokens": 10,
        "total_tokens": 110,
        "startTime": 100.0,
        "endTime": 101.0,
        "completionStartTime": 100.5,
        "response_time": 1.0,
        "model_parameters": {"temperature": 0.5, "stream": False, "tools": [{"type": "function"}]},
        "request_tags": ["a"],
        "end_user": "end-1",
        "metadata": {"session_id": "s", "tags": ["b"], "user_api_key_hash": "h", "team": "t"},
        "messages": [{"role": "user", "content": "hi"}],
        "response": {"choices": [{"message": {"role": "assistant", "content": "yo", "tool_calls": None}}]},
        "hidden_params": {"usage_object": {"prompt_tokens_details": {"cached_tokens": 40}}},
    }
    base.update(over)
    return base


# ------------------------------------------------------------------------------------------- langfuse


def test_langfuse_settings_read_litellm_env_names_and_hide_the_secret():
    s = LangfuseSettings.from_env(
        {"LANGFUSE_PUBLIC_KEY": "pk", "LANGFUSE_SECRET": "sk-x", "LANGFUSE_HOST": "http://lf:3000/"}
    )
    assert (s.public_key, s.host) == ("pk", "http://lf:3000")
    assert s.traces_url() == "http://lf:3000/api/public/otel/v1/traces"
    assert "sk-x" not in repr(s)
    assert s.headers("5.0.4")["Authorization"] == "Basic cGs6c2steA=="
    custom = LangfuseSettings.from_env(
        {
            "LANGFUSE_PUBLIC_KEY": "pk",
            "LANGFUSE_SECRET_KEY": "s",
            "LANGFUSE_OTEL_TRACES_EXPORT_PATH": "v1/traces",
        }
    )
    assert custom.traces_url() == "https://cloud.langfuse.com/v1/traces"


def test_langfuse_trace_ids_accept_hex_and_uuids_only():
    assert langfuse_trace_id("5D0E6A4C-1B2F-4C3D-9E8F-0A1B2C3D4E5F") == "5d0e6a4c1b2f4c3d9e8f0a1b2c3d4e5f"
    assert langfuse_trace_id("my-trace") is None
    assert langfuse_trace_id(None) is None


def test_generation_fields_follow_litellm_usage_and_cost_shape():
    f = generation_fields(_payload())
    assert f["name"] == "litellm-completion" and f["model"] == "gpt-4o"
    assert f["model_parameters"] == {"temperature": 0.5}  # stream flag and non-scalars dropped
    # Langfuse prices cached prompt tokens separately: they are taken out of "input"
    assert f["usage_details"] == {"input": 60, "output": 10, "total": 110, "cache_read_input_tokens": 40}
    assert f["cost_details"] == {"total": 0.002, "input": 0.0005, "output": 0.0015}
    assert f["output"] == {"role": "assistant", "content": "yo"}
    assert f["level"] == "DEFAULT" and f["status_message"] is None
    assert f["metadata"]["team"] == "t" and "user_api_key_hash" not in f["metadata"]
    assert f["metadata"]["api_base"] == "https://api.openai.com/v1"  # no user info, no query
    assert "session_id" not in f["metadata"]


def test_generation_fields_of_a_failure_carry_level_and_status_message():
    f = generation_fields(_payload(status="failure", error_str="RateLimitError: slow down", response=None))
    assert (f["level"], f["status_message"], f["output"]) == ("ERROR", "RateLimitError: slow down", None)
    assert "usage_details" not in f


def test_trace_fields_merge_tags_and_read_litellm_metadata_keys():
    t = trace_fields(_payload(metadata={"trace_user_id": "u", "trace_name": "n", "tags": ["b", "a"]}))
    assert (t["name"], t["user_id"], t["tags"], t["existing"]) == ("n", "u", ["a", "b"], False)
    assert trace_fields(_payload())["user_id"] == "end-1"
    assert trace_fields(_payload(metadata={"existing_trace_id": "x"}))["existing"] is True


# --------------------------------------------------------------------------------------------- sentry


@pytest.mark.parametrize("status", ["success", "failure"])
def test_langfuse_records_built_without_sdk_spans_equal_the_sdk_spans_records(status):
    pytest.importorskip("langfuse")
    from litellm.integrations.langfuse import LangfuseLogger

    logger = LangfuseLogger("pk-1", "sk-1", "http://127.0.0.1:9", environ={})
    queued: list[dict] = []
    logger.exporter.submit = queued.append  # capture instead of delivering
    assert logger._direct is not None
    payload = _payload(status=status, error_str="boom" if status == "failure" else None)
    logger.on_event(payload, {})
    logger._direct = None  # the same event through a real SDK span
    logger.on_event(payload, {})
    direct, sdk = queued
    for key in ("span_id", "parent_span_id", "id"):
        assert len(direct[key]) == len(sdk[key])
        direct.pop(key), sdk.pop(key)
    assert direct == sdk


def test_sentry_settings_read_litellm_env_names():
    s = SentrySettings.from_env(
        {"SENTRY_DSN": "http://k@h/1", "SENTRY_API_SAMPLE_RATE": "0.5", "SENTRY_SEND_DEFAULT_PII": "true"}
    )
    assert (s.sample_rate, s.include_content, s.environment) == (0.5, True, "production")
    assert "k@h" not in repr(s)


def test_sentry_tags_and_breadcrumbs_are_strings_without_content():
    p = _payload(status="failure", error_information={"error_code": "429", "error_class": "RateLimitError"})
    tags = event_tags(p)
    assert tags["model"] == "openai/gpt-4o" and tags["error_code"] == "429"
    assert all(isinstance(v, str) and len(v) <= 200 for v in tags.values())
    crumb = breadcrumb(p)
    assert crumb["level"] == "error" and crumb["data"]["status"] == "failure"
    assert "hi" not in json.dumps(crumb)


def test_failure_event_from_payload_alone_and_content_only_when_allowed():
    p = _payload(status="failure", error_information={"error_class": "APIError", "error_message": "bad"})
    event = failure_event(p)
    assert event["exception"]["values"][0] == {
        "type": "APIError",
        "value": "bad",
        "mechanism": {"type": "litellm", "handled": True},
    }
    assert "messages" not in event["contexts"]["litellm"]
    assert failure_event(p, include_content=True)["contexts"]["litellm"]["messages"] == p["messages"]


def test_failure_event_from_an_exception_drops_locals_and_source_lines():
    pytest.importorskip("sentry_sdk")
    secret = "sk-local-secret"  # noqa: F841 - a local the frame must not carry

    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        event = failure_event(_payload(status="failure"), exc)
    frames = event["exception"]["values"][0]["stacktrace"]["frames"]
    assert frames and all(
        not {"vars", "context_line", "pre_context", "post_context"} & set(f) for f in frames
    )
    assert "sk-local-secret" not in json.dumps(event, default=str)


# ---------------------------------------------------------------------------------------- generic api


def test_generic_settings_merge_headers_in_litellm_order():
    s = GenericAPISettings.from_env(
        {
            "GENERIC_LOGGER_ENDPOINT": "http://x/h",
            "GENERIC_LOGGER_HEADERS": "a=1,b=2",
            "DEFAULT_BATCH_SIZE": "7",
        },
        headers={"b": "3"},
    )
    assert s.headers == {"Content-Type": "application/json", "a": "1", "b": "3"}
    assert s.batch_size == 7 and "a=1" not in repr(s)
    assert generic_headers("broken,k=v=w") == {"k": "v=w"}


def test_generic_bodies_for_each_format():
    batch = [{"id": "1"}, {"id": "2"}]
    assert json.loads(encode_batch(batch, "json_array")) == batch
    assert [json.loads(line) for line in encode_batch(batch, "ndjson").splitlines()] == batch
    assert json.loads(encode_batch(batch[:1], "single")) == {"id": "1"}
    with pytest.raises(ValueError):
        encode_batch(batch, "single")


def test_unknown_event_type_is_refused():
    with pytest.raises(ValueError, match="event_types"):
        GenericAPISettings(endpoint="http://x", event_types=("llm_api_everything",))


# ------------------------------------------------------------------------------------------- registry


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("otel", "OpenTelemetryLogger"),
        ("opentelemetry", "OpenTelemetryLogger"),
        ("langfuse", "LangfuseLogger"),
        ("sentry", "SentryLogger"),
        ("generic_api", "GenericAPILogger"),
    ],
)
def test_registry_names_point_at_these_classes(name, cls):
    import importlib

    from litellm.integrations.registry import INTEGRATIONS

    module, _, attr = INTEGRATIONS[name].partition(":")
    assert getattr(importlib.import_module(module), attr).__name__ == cls


@pytest.mark.parametrize(
    ("module", "cls", "blocked", "extra"),
    [
        ("litellm.integrations.opentelemetry", "OpenTelemetryLogger", "opentelemetry.sdk.trace", "otel"),
        ("litellm.integrations.langfuse", "LangfuseLogger", "langfuse", "langfuse"),
        ("litellm.integrations.sentry", "SentryLogger", "sentry_sdk", "sentry"),
    ],
)
def test_a_missing_sdk_raises_import_error_naming_the_extra(monkeypatch, module, cls, blocked, extra):
    import importlib
    import sys

    monkeypatch.setitem(sys.modules, blocked, None)  # makes "import <blocked>" raise ImportError
    logger_cls = getattr(importlib.import_module(module), cls)
    with pytest.raises(ImportError, match=rf"pip install 'litellm-observe\[{extra}\]'"):
        logger_cls(
            environ={"LANGFUSE_PUBLIC_KEY": "p", "LANGFUSE_SECRET_KEY": "s", "SENTRY_DSN": "http://k@h/1"}
        )
