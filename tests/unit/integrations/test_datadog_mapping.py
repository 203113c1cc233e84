"""Datadog: settings from the environment, the Logs API record and the LLM Observability span (pure)."""

from __future__ import annotations

import json

import pytest

from litellm.integrations.datadog import (
    DatadogSettings,
    build_log_record,
    datadog_tags,
    truncate_payload,
)
from litellm.integrations.datadog_llm_obs import (
    build_span_event,
    llmobs_settings_from_env,
    wrap_events,
)

SECRET = "dd-secret-key-0123456789"


def payload(**over: object) -> dict:
    base = {
        "id": "3f2b8a1e-8c55-4b53-9a43-2c8e4c7f4a10",
        "litellm_call_id": "3f2b8a1e-8c55-4b53-9a43-2c8e4c7f4a10",
        "trace_id": "3f2b8a1e-8c55-4b53-9a43-2c8e4c7f4a10",
        "call_type": "completion",
        "status": "success",
        "stream": False,
        "model": "openai/gpt-4o-mini",
        "custom_llm_provider": "openai",
        "api_base": "http://127.0.0.1:9/v1",
        "response_cost": 0.0015,
        "prompt_tokens": 12,
        "completion_tokens": 9,
        "total_tokens": 21,
        "startTime": 1_700_000_000.0,
        "completionStartTime": 1_700_000_000.25,
        "endTime": 1_700_000_001.5,
        "response_time": 1.5,
        "metadata": {"user_api_key_team_alias": "Team Blue"},
        "request_tags": ["Prod Traffic", "a/b"],
        "messages": [{"role": "user", "content": "hi"}],
        "response": {"choices": [{"message": {"role": "assistant", "content": "hello"}}]},
        "model_parameters": {"temperature": 0.2, "max_tokens": 50, "tools": [{"type": "function"}]},
        "error_str": None,
        "error_information": None,
        "hidden_params": {"usage_object": {"prompt_tokens_details": {"cached_tokens": 4}}},
    }
    base.update(over)
    return base


def failure(**over: object) -> dict:
    return payload(
        status="failure",
        response=None,
        response_cost=0.0,
        error_str="boom",
        error_information={
            "error_class": "RateLimitError",
            "error_code": "429",
            "error_message": "slow down",
            "traceback": "Traceback ...",
        },
        **over,
    )


def test_agentless_site_builds_the_logs_intake_url() -> None:
    s = DatadogSettings.from_env({"DD_API_KEY": SECRET, "DD_SITE": "us5.datadoghq.com"})
    assert s.intake_url == "https://http-intake.logs.us5.datadoghq.com/api/v2/logs"
    assert s.headers()["DD-API-KEY"] == SECRET


def test_documented_defaults_for_source_service_env_version_and_pod() -> None:
    s = DatadogSettings.from_env({"DD_API_KEY": SECRET, "DD_SITE": "datadoghq.com"})
    assert (s.source, s.service, s.env, s.version, s.hostname, s.pod_name) == (
        "litellm",
        "litellm-server",
        "unknown",
        "unknown",
        "",
        "unknown",
    )


def test_dd_base_url_overrides_the_intake_and_needs_no_site() -> None:
    s = DatadogSettings.from_env({"DD_API_KEY": SECRET, "DD_BASE_URL": "http://127.0.0.1:9/"})
    assert s.intake_url == "http://127.0.0.1:9/api/v2/logs"


def test_agent_mode_uses_litellm_agent_host_and_default_logs_port_without_key() -> None:
    s = DatadogSettings.from_env({"LITELLM_DD_AGENT_HOST": "agent"})
    assert s.intake_url == "http://agent:10518/api/v2/logs"
    assert "DD-API-KEY" not in s.headers()


def test_missing_key_is_refused_and_the_error_never_contains_a_key() -> None:
    with pytest.raises(ValueError, match="DD_API_KEY"):
        DatadogSettings.from_env({"DD_SITE": "datadoghq.com"})
    with pytest.raises(ValueError, match="DD_SITE"):
        DatadogSettings.from_env({"DD_API_KEY": SECRET})


def test_api_key_never_appears_in_the_settings_repr() -> None:
    s = DatadogSettings.from_env({"DD_API_KEY": SECRET, "DD_SITE": "datadoghq.com"})
    assert SECRET not in repr(s)


def test_dd_batch_size_is_capped_at_the_intake_limit() -> None:
    env = {"DD_API_KEY": SECRET, "DD_SITE": "x", "DD_BATCH_SIZE": "5000"}
    assert DatadogSettings.from_env(env).batch_size == 1000
    assert DatadogSettings.from_env({**env, "DD_BATCH_SIZE": "50"}).batch_size == 50


def test_tags_carry_env_service_request_tags_and_team_normalised() -> None:
    s = DatadogSettings.from_env({"DD_API_KEY": SECRET, "DD_SITE": "x", "DD_ENV": "prod", "HOSTNAME": "h1"})
    tags = datadog_tags(s, payload())
    assert tags[:5] == [
        "env:prod",
        "service:litellm-server",
        "version:unknown",
        "HOSTNAME:h1",
        "POD_NAME:unknown",
    ]
    assert "request_tag:prod_traffic" in tags
    assert "request_tag:a/b" in tags
    assert "team:team_blue" in tags


def test_log_record_has_the_intake_fields_and_the_payload_as_json_message() -> None:
    s = DatadogSettings.from_env(
        {"DD_API_KEY": SECRET, "DD_SITE": "x", "DD_SOURCE": "gw", "DD_SERVICE": "svc"}
    )
    record = build_log_record(payload(), s)
    assert set(record) == {"ddsource", "ddtags", "hostname", "message", "service", "status"}
    assert (record["ddsource"], record["service"], record["status"]) == ("gw", "svc", "info")
    message = json.loads(record["message"])
    assert message["litellm_call_id"] == payload()["litellm_call_id"]
    assert message["response_cost"] == 0.0015
    assert SECRET not in json.dumps(record)


def test_failed_call_is_logged_with_error_status() -> None:
    s = DatadogSettings.from_env({"DD_API_KEY": SECRET, "DD_SITE": "x"})
    record = build_log_record(failure(), s)
    assert record["status"] == "error"
    assert json.loads(record["message"])["error_information"]["error_class"] == "RateLimitError"


def test_long_content_is_cut_at_ten_thousand_chars_without_touching_the_shared_payload() -> None:
    big = payload(messages=[{"role": "user", "content": "x" * 50_000}])
    cut = truncate_payload(big)
    assert isinstance(cut["messages"], str) and len(cut["messages"]) < 10_200
    assert cut["messages"].endswith("this logger does not support large content")
    assert big["messages"][0]["content"] == "x" * 50_000
    assert cut["response"] == big["response"]  # small fields stay structured


# -- LLM Observability -------------------------------------------------------------------------------


def llmobs(**env: str) -> DatadogSettings:
    return llmobs_settings_from_env({"LITELLM_DD_AGENT_HOST": "127.0.0.1", **env})


def test_llmobs_agent_mode_posts_to_the_evp_proxy_on_the_trace_agent_port() -> None:
    assert llmobs().intake_url == "http://127.0.0.1:8126/evp_proxy/v2/api/v2/llmobs"
    custom = llmobs(LITELLM_DD_LLM_OBS_PORT="9999")
    assert custom.intake_url == "http://127.0.0.1:9999/evp_proxy/v2/api/v2/llmobs"


def test_llmobs_agentless_mode_posts_to_the_llmobs_intake_of_the_site() -> None:
    s = llmobs_settings_from_env({"DD_API_KEY": SECRET, "DD_SITE": "datadoghq.eu"})
    assert s.intake_url == "https://llmobs-intake.datadoghq.eu/api/v2/llmobs"


def test_ml_app_comes_from_dd_llmobs_ml_app_else_the_service() -> None:
    assert llmobs(DD_SERVICE="svc").ml_app == "svc"
    assert llmobs(DD_SERVICE="svc", DD_LLMOBS_ML_APP="app").ml_app == "app"


def test_span_event_for_a_success_has_kind_model_io_metrics_and_ids() -> None:
    event = build_span_event(payload(), llmobs(DD_LLMOBS_ML_APP="gw"))
    assert event["status"] == "ok"
    assert event["parent_id"] == "undefined"
    assert event["name"] == "litellm_llm_call"
    assert event["trace_id"] == "3f2b8a1e8c554b539a432c8e4c7f4a10"
    assert event["span_id"].isdigit()
    assert event["start_ns"] == 1_700_000_000 * 10**9
    assert event["duration"] == 1_500_000_000
    meta = event["meta"]
    assert meta["span.kind"] == "llm"
    assert (meta["model_name"], meta["model_provider"]) == ("gpt-4o-mini", "openai")
    assert meta["input"]["messages"] == [{"role": "user", "content": "hi"}]
    assert meta["output"]["messages"] == [{"role": "assistant", "content": "hello"}]
    assert meta["metadata"]["temperature"] == 0.2 and "tools" not in meta["metadata"]
    metrics = event["metrics"]
    assert (metrics["input_tokens"], metrics["output_tokens"], metrics["total_tokens"]) == (12, 9, 21)
    assert metrics["total_cost"] == 0.0015
    assert metrics["time_to_first_token"] == pytest.approx(0.25)
    assert metrics["cache_read_input_tokens"] == 4
    assert "ml_app:gw" in event["tags"] and "error:0" in event["tags"]


def test_span_ids_are_stable_for_the_same_call_so_redelivery_does_not_duplicate() -> None:
    s = llmobs()
    assert build_span_event(payload(), s)["span_id"] == build_span_event(payload(), s)["span_id"]
    other = build_span_event(payload(id="another-call", litellm_call_id="another-call"), s)
    assert other["span_id"] != build_span_event(payload(), s)["span_id"]


def test_span_event_for_a_failure_carries_error_message_type_and_stack() -> None:
    event = build_span_event(failure(), llmobs())
    assert event["status"] == "error"
    meta = event["meta"]
    assert (meta["error.message"], meta["error.type"], meta["error.stack"]) == (
        "slow down",
        "RateLimitError",
        "Traceback ...",
    )
    assert meta["output"]["messages"] == []
    assert "error:1" in event["tags"] and "error_type:RateLimitError" in event["tags"]


def test_metadata_parent_and_name_make_a_child_span() -> None:
    p = payload(metadata={"parent_id": "123", "name": "my-step", "session_id": "s-1"}, call_type="embedding")
    event = build_span_event(p, llmobs())
    assert (event["parent_id"], event["name"]) == ("123", "my-step")
    assert event["meta"]["span.kind"] == "embedding"
    assert event["session_id"] == "s-1"


def test_oversized_span_drops_its_input_and_output_to_stay_under_one_megabyte() -> None:
    p = payload(messages=[{"role": "user", "content": "y" * 1_200_000}])
    event = build_span_event(p, llmobs())
    assert "messages" not in event["meta"]["input"]
    assert len(json.dumps(event)) < 1 << 20
    assert "dropped_io:1" in event["tags"]


def test_request_body_is_one_raw_span_envelope_per_event() -> None:
    body = wrap_events([{"span_id": "1"}, {"span_id": "2"}])
    assert body == [
        {"_dd.stage": "raw", "event_type": "span", "spans": [{"span_id": "1"}]},
        {"_dd.stage": "raw", "event_type": "span", "spans": [{"span_id": "2"}]},
    ]


# -- encoded once: the queued text is exactly the JSON of the record / span --------------------------


def _logs_settings() -> DatadogSettings:
    return DatadogSettings.from_env({"DD_API_KEY": SECRET, "DD_SITE": "x", "HOSTNAME": 'h\u00e9"st'})


@pytest.mark.parametrize(
    "event",
    [
        payload(),
        failure(),
        payload(request_tags=[], metadata={}),
        payload(request_tags=None, metadata=None, messages=[{"role": "user", "content": '\u00fc "q" \x01'}]),
        payload(messages="x" * 20_000),
    ],
    ids=["tags", "failure", "no-tags", "unicode", "long"],
)
def test_queued_log_text_is_the_json_of_the_log_record(event: dict) -> None:
    from litellm.integrations.datadog import _RecordEncoder

    settings = _logs_settings()
    text = _RecordEncoder(settings)(event, settings)
    assert text == json.dumps(build_log_record(event, settings), separators=(",", ":"), default=str)


@pytest.mark.parametrize(
    "event",
    [payload(), failure(), payload(request_tags=[], metadata={}), payload(messages="x" * 2_000_000)],
    ids=["tags", "failure", "no-tags", "oversized"],
)
def test_queued_span_text_is_the_json_of_the_span_event(event: dict) -> None:
    from litellm.integrations.datadog import datadog_tags
    from litellm.integrations.datadog_llm_obs import encode_span_event

    settings = llmobs_settings_from_env({"DD_API_KEY": SECRET, "DD_SITE": "x"})
    text = encode_span_event(event, settings, datadog_tags(settings))
    assert json.loads(text) == build_span_event(event, settings)
    assert text == json.dumps(build_span_event(event, settings), separators=(",", ":"), default=str)


def _capture_posts(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    from litellm.exporters import http

    posts: list[dict] = []
    monkeypatch.setattr(http, "post", lambda url, **kw: posts.append({"url": url, **kw}))
    return posts


def test_logs_batch_is_gzip_json_array_of_the_records(monkeypatch: pytest.MonkeyPatch) -> None:
    import gzip

    from litellm.integrations.datadog import DatadogLogger

    posts = _capture_posts(monkeypatch)
    logger = DatadogLogger(environ={"DD_API_KEY": SECRET, "DD_SITE": "x"})
    queued: list[dict] = []
    logger.exporter.submit = queued.append  # type: ignore[method-assign]
    events = [payload(id="a"), failure(id="b")]
    for event in events:
        logger.on_event(event, {})
    logger._send(queued)
    (sent,) = posts
    assert sent["headers"]["Content-Encoding"] == "gzip"
    body = json.loads(gzip.decompress(sent["content"]))
    assert body == [json.loads(json.dumps(build_log_record(e, logger.settings))) for e in events]


def test_logs_batch_over_the_byte_limit_is_handed_back_for_splitting_unsent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from litellm.exporters import PayloadTooLargeError
    from litellm.integrations import datadog

    posts = _capture_posts(monkeypatch)
    monkeypatch.setattr(datadog, "DD_MAX_BATCH_BYTES", 5000)
    logger = datadog.DatadogLogger(environ={"DD_API_KEY": SECRET, "DD_SITE": "x"})
    record = {"dd_log": json.dumps({"message": "m" * 3000})}
    with pytest.raises(PayloadTooLargeError):
        logger._send([record, record])
    assert posts == []
    logger._send([record])  # one record alone always goes out: the intake decides
    assert len(posts) == 1


def test_span_batch_over_the_byte_limit_is_handed_back_for_splitting_unsent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from litellm.exporters import PayloadTooLargeError
    from litellm.integrations import datadog_llm_obs
    from litellm.integrations.datadog_llm_obs import DatadogLLMObsLogger

    posts = _capture_posts(monkeypatch)
    monkeypatch.setattr(datadog_llm_obs, "_MAX_REQUEST_BYTES", 64 * 1024 + 5000)
    logger = DatadogLLMObsLogger(environ={"DD_API_KEY": SECRET, "DD_SITE": "x"})
    span = {"llmobs_span": json.dumps({"meta": "m" * 3000})}
    with pytest.raises(PayloadTooLargeError):
        logger._send([span, span])
    assert posts == []
    logger._send([span])
    assert json.loads(posts[0]["content"]) == [
        {"_dd.stage": "raw", "event_type": "span", "spans": [{"meta": "m" * 3000}]}
    ]
