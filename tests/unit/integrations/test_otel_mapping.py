"""Pure parts of the OpenTelemetry logger: settings from the environment, payload -> GenAI attributes,
messages -> the conventions' message structure, and the span <-> record round trip used by the spool."""

from __future__ import annotations

import json

import pytest

from litellm.integrations.opentelemetry import (
    OpenTelemetrySettings,
    content_attributes,
    input_messages,
    metric_attributes,
    operation_name,
    output_messages,
    parse_headers,
    provider_name,
    request_model,
    server_address,
    span_attributes,
    span_name,
    usage_details,
)


def _payload(**over) -> dict:
    base = {
        "id": "call-1",
        "litellm_call_id": "call-1",
        "call_type": "acompletion",
        "status": "success",
        "stream": False,
        "model": "anthropic/claude-sonnet-4",
        "custom_llm_provider": "anthropic",
        "api_base": "https://api.anthropic.com/v1/messages?key=nope",
        "response_cost": 0.0125,
        "prompt_tokens": 100,
        "completion_tokens": 20,
        "total_tokens": 120,
        "startTime": 1000.0,
        "endTime": 1002.5,
        "completionStartTime": 1002.5,
        "response_time": 2.5,
        "model_parameters": {"temperature": 0.1, "max_tokens": 256, "stop": "END", "n": 2, "tools": [{}]},
        "session_id": "sess-9",
        "request_tags": ["prod", "team-a"],
        "end_user": "user-7",
        "messages": [{"role": "user", "content": "hi"}],
        "response": {
            "id": "msg_1",
            "model": "claude-sonnet-4-20250514",
            "choices": [{"finish_reason": "stop", "message": {"role": "assistant", "content": "yo"}}],
        },
        "hidden_params": {
            "litellm_model_name": "claude-sonnet-4",
            "usage_object": {
                "prompt_tokens": 100,
                "completion_tokens": 20,
                "cache_read_input_tokens": 60,
                "cache_creation_input_tokens": 10,
                "completion_tokens_details": {"reasoning_tokens": 5},
            },
        },
    }
    base.update(over)
    return base


# ------------------------------------------------------------------------------------------- settings


def test_litellm_env_names_configure_an_http_exporter_with_headers():
    s = OpenTelemetrySettings.from_env(
        {
            "OTEL_EXPORTER": "otlp_http",
            "OTEL_ENDPOINT": "https://api.honeycomb.io",
            "OTEL_HEADERS": "x-honeycomb-team=abc,x-other=a%20b",
            "OTEL_SERVICE_NAME": "gateway",
            "OTEL_TRACER_NAME": "gw-tracer",
        }
    )
    assert s.exporter == "otlp_http" and s.configured
    assert s.traces_url() == "https://api.honeycomb.io/v1/traces"
    assert s.metrics_url() == "https://api.honeycomb.io/v1/metrics"
    assert s.headers == {"x-honeycomb-team": "abc", "x-other": "a b"}
    assert (s.service_name, s.tracer_name) == ("gateway", "gw-tracer")
    assert "abc" not in repr(s)


def test_standard_otlp_variables_win_over_litellm_ones():
    s = OpenTelemetrySettings.from_env(
        {
            "OTEL_EXPORTER": "otlp_http",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
            "OTEL_ENDPOINT": "http://a:4317",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://b:4317",
            "OTEL_HEADERS": "k=litellm",
            "OTEL_EXPORTER_OTLP_HEADERS": "k=standard",
        }
    )
    assert s.exporter == "otlp_grpc"
    assert s.grpc_target() == ("b:4317", True)
    assert s.headers == {"k": "standard"}


def test_a_traces_endpoint_is_used_as_given_and_a_full_litellm_url_is_kept():
    assert OpenTelemetrySettings.from_env(
        {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/custom/path"}
    ).traces_url() == ("http://c:4318/custom/path")
    s = OpenTelemetrySettings.from_env({"OTEL_ENDPOINT": "http://c:4318/v1/traces"})
    assert s.exporter == "otlp_http"  # an endpoint with the default exporter means OTLP/HTTP
    assert s.traces_url() == "http://c:4318/v1/traces"
    assert s.metrics_url() == "http://c:4318/v1/metrics"


def test_no_configuration_means_console_and_not_configured():
    s = OpenTelemetrySettings.from_env({})
    assert (s.exporter, s.configured, s.capture_mode) == ("console", False, None)


@pytest.mark.parametrize(
    ("raw", "mode"),
    [("true", "EVENT_ONLY"), ("false", "NO_CONTENT"), ("span_only", "SPAN_ONLY"), ("bogus", None)],
)
def test_content_capture_variable_maps_to_a_mode(raw, mode):
    env = {"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": raw}
    assert OpenTelemetrySettings.from_env(env).capture_mode == mode


def test_unknown_exporter_name_is_refused():
    with pytest.raises(ValueError, match="unknown OpenTelemetry exporter"):
        OpenTelemetrySettings(exporter="zipkin")


def test_header_parsing_ignores_malformed_items():
    assert parse_headers("a=1, broken ,=x,b = 2") == {"a": "1", "b": "2"}
    assert parse_headers(None) == {}


# ------------------------------------------------------------------------------------------- mapping


@pytest.mark.parametrize(
    ("call_type", "op"),
    [
        ("completion", "chat"),
        ("acompletion", "chat"),
        ("aembedding", "embeddings"),
        ("text_completion", "text_completion"),
        ("arerank", "rerank"),
        ("custom", "custom"),
    ],
)
def test_call_types_map_to_operation_names(call_type, op):
    assert operation_name(call_type) == op


def test_providers_map_to_well_known_names_and_pass_others_through():
    assert provider_name("azure") == "azure.ai.openai"
    assert provider_name("bedrock") == "aws.bedrock"
    assert provider_name("vertex_ai") == "gcp.vertex_ai"
    assert provider_name("together_ai") == "together_ai"
    assert provider_name(None) == "unknown"


def test_request_model_strips_the_provider_prefix_when_hidden_params_lack_it():
    assert request_model({"model": "openai/gpt-4o", "custom_llm_provider": "openai"}) == "gpt-4o"
    assert request_model(_payload()) == "claude-sonnet-4"


def test_server_address_never_keeps_path_query_or_user_info():
    assert server_address("https://user:pw@api.x.com/v1?key=k") == ("api.x.com", 443)
    assert server_address("http://127.0.0.1:8080/v1") == ("127.0.0.1", 8080)
    assert server_address(None) == (None, None)


def test_success_payload_maps_to_genai_span_attributes():
    p = _payload()
    attrs = span_attributes(p)
    assert span_name(p) == "chat claude-sonnet-4"
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["gen_ai.provider.name"] == "anthropic"
    assert attrs["gen_ai.request.model"] == "claude-sonnet-4"
    assert attrs["gen_ai.request.temperature"] == 0.1
    assert attrs["gen_ai.request.max_tokens"] == 256
    assert attrs["gen_ai.request.stop_sequences"] == ["END"]
    assert attrs["gen_ai.request.choice.count"] == 2
    assert attrs["gen_ai.response.model"] == "claude-sonnet-4-20250514"
    assert attrs["gen_ai.response.id"] == "msg_1"
    assert attrs["gen_ai.response.finish_reasons"] == ["stop"]
    assert attrs["gen_ai.usage.input_tokens"] == 100
    assert attrs["gen_ai.usage.output_tokens"] == 20
    assert attrs["gen_ai.usage.cache_read.input_tokens"] == 60
    assert attrs["gen_ai.usage.cache_creation.input_tokens"] == 10
    assert attrs["gen_ai.usage.reasoning.output_tokens"] == 5
    assert attrs["gen_ai.usage.cost"] == 0.0125
    assert (attrs["server.address"], attrs["server.port"]) == ("api.anthropic.com", 443)
    assert attrs["litellm.call_id"] == "call-1"
    assert attrs["gen_ai.conversation.id"] == "sess-9"
    assert attrs["litellm.request.tags"] == ["prod", "team-a"]
    assert attrs["user.id"] == "user-7"
    assert "error.type" not in attrs and "gen_ai.input.messages" not in attrs
    assert all(isinstance(v, (str, int, float, bool, list)) for v in attrs.values())


def test_failure_payload_carries_error_type_and_no_usage():
    p = _payload(
        status="failure",
        response=None,
        response_cost=0.0,
        error_information={"error_class": "RateLimitError", "error_code": "429"},
    )
    attrs = span_attributes(p)
    assert attrs["error.type"] == "RateLimitError"
    assert attrs["litellm.error.code"] == "429"
    assert "gen_ai.usage.input_tokens" not in attrs


def test_stream_payload_carries_time_to_first_chunk():
    attrs = span_attributes(_payload(stream=True, completionStartTime=1000.25))
    assert attrs["gen_ai.request.stream"] is True
    assert attrs["gen_ai.response.time_to_first_chunk"] == pytest.approx(0.25)


def test_cached_tokens_from_openai_prompt_details_count_as_cache_read():
    p = _payload(hidden_params={"usage_object": {"prompt_tokens_details": {"cached_tokens": 7}}})
    assert usage_details(p)["cache_read"] == 7


def test_metric_attributes_keep_only_low_cardinality_keys():
    attrs = metric_attributes(span_attributes(_payload()))
    assert set(attrs) == {
        "gen_ai.operation.name",
        "gen_ai.provider.name",
        "gen_ai.request.model",
        "gen_ai.response.model",
        "server.address",
        "server.port",
    }


def test_messages_with_images_and_tool_calls_map_to_message_parts():
    messages = [
        {"role": "system", "content": "be brief"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "what is this?"},
                {"type": "image_url", "image_url": {"url": "https://x/cat.png"}},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "t1", "function": {"name": "lookup", "arguments": '{"q": "cat"}'}}],
        },
        {"role": "tool", "tool_call_id": "t1", "content": "a cat"},
    ]
    out = input_messages(messages)
    assert out[0] == {"role": "system", "parts": [{"type": "text", "content": "be brief"}]}
    assert out[1]["parts"][1] == {"type": "uri", "modality": "image", "uri": "https://x/cat.png"}
    assert out[1]["parts"][2] == {"type": "blob", "modality": "image", "mime_type": "image/png"}
    assert "AAAA" not in json.dumps(out)
    assert out[2]["parts"] == [{"type": "tool_call", "id": "t1", "name": "lookup", "arguments": {"q": "cat"}}]
    assert out[3]["parts"] == [{"type": "tool_call_response", "id": "t1", "response": "a cat"}]


def test_output_messages_carry_finish_reason_and_tool_calls():
    response = {
        "choices": [
            {
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": "calling",
                    "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": "not json"}}],
                },
            }
        ]
    }
    [msg] = output_messages(response)
    assert msg["finish_reason"] == "tool_calls"
    assert msg["parts"] == [
        {"type": "text", "content": "calling"},
        {"type": "tool_call", "id": "c", "name": "f", "arguments": "not json"},
    ]


def test_content_attributes_are_json_text_and_absent_without_content():
    attrs = content_attributes(_payload())
    assert json.loads(attrs["gen_ai.input.messages"])[0]["parts"][0]["content"] == "hi"
    assert json.loads(attrs["gen_ai.output.messages"])[0]["parts"][0]["content"] == "yo"
    assert content_attributes(_payload(messages=None, response=None)) == {}


# ------------------------------------------------------------------------------ span <-> record


def test_a_span_survives_the_json_round_trip_the_spool_uses():
    pytest.importorskip("opentelemetry.sdk.trace")
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import SpanKind, Status, StatusCode

    from litellm.integrations.opentelemetry import record_to_span, span_to_record

    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "rt"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("scope-x", "1.2")
    with tracer.start_as_current_span("parent"):
        span = tracer.start_span(
            "child",
            kind=SpanKind.CLIENT,
            attributes={"a": 1, "l": ["x", "y"], "litellm.call_id": "c-1"},
            start_time=10,
        )
        span.add_event("e", {"k": "v"}, timestamp=11)
        span.set_status(Status(StatusCode.ERROR, "boom"))
        span.end(end_time=20)
    original = memory.get_finished_spans()[0]
    record = json.loads(json.dumps(span_to_record(original)))
    assert record["id"] == "c-1"
    again = record_to_span(record)
    assert again.name == "child" and again.kind is SpanKind.CLIENT
    assert again.context.trace_id == original.context.trace_id
    assert again.context.span_id == original.context.span_id
    assert again.parent.span_id == original.parent.span_id
    assert (again.start_time, again.end_time) == (10, 20)
    assert dict(again.attributes) == {"a": 1, "l": ["x", "y"], "litellm.call_id": "c-1"}
    assert [(e.name, dict(e.attributes), e.timestamp) for e in again.events] == [("e", {"k": "v"}, 11)]
    assert (again.status.status_code, again.status.description) == (StatusCode.ERROR, "boom")
    assert again.resource.attributes["service.name"] == "rt"
    assert (again.instrumentation_scope.name, again.instrumentation_scope.version) == ("scope-x", "1.2")


def _sdk_records(provider_resource: dict, spans: list[dict]) -> list[dict]:
    """Records of real SDK spans (the reference the direct encoder and record builder must match)."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import SpanKind, Status, StatusCode

    from litellm.integrations.opentelemetry import span_to_record

    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create(provider_resource))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    for spec in spans:
        tracer = provider.get_tracer(*spec.get("scope", ("litellm",)))
        span = tracer.start_span(
            spec["name"], kind=SpanKind.CLIENT, attributes=spec["attributes"], start_time=100
        )
        for name, attrs in spec.get("events", ()):
            span.add_event(name, attrs, timestamp=150)
        if spec.get("error"):
            span.set_status(Status(StatusCode.ERROR, spec["error"]))
        span.end(end_time=200)
    return [span_to_record(s) for s in memory.get_finished_spans()]


def test_direct_otlp_encoding_is_byte_identical_to_the_sdk_encoder():
    pytest.importorskip("opentelemetry.exporter.otlp.proto.common.trace_encoder")
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

    from litellm.integrations.opentelemetry import encode_otlp_traces, record_to_span

    records = _sdk_records(
        {"service.name": "enc", "deployment.environment": "t"},
        [
            {"name": "chat m", "attributes": span_attributes(_payload())},
            {
                "name": "odd values",
                "scope": ("other-scope", "2.0"),
                "attributes": {"i0": 0, "neg": -7, "f": 1.5, "b": False, "s": "", "l": ["é", "x"]},
                "events": [("e", {"k": "v", "n": 3}), ("empty", {})],
                "error": "boom ✗",
            },
        ],
    )
    records.append(dict(records[0], parent_span_id="00000000000000ab", parent_remote=True))
    records.append(dict(records[0], resource={"service.name": "second"}, resource_schema="https://s"))
    resources: dict = {}
    reference = encode_spans([record_to_span(r, resources) for r in records]).SerializeToString()
    assert encode_otlp_traces(records) == reference


def _direct_logger(**settings):
    pytest.importorskip("opentelemetry.sdk.trace")
    from litellm.integrations.opentelemetry import OpenTelemetryLogger

    config = OpenTelemetrySettings(exporter="otlp_http", endpoint="http://127.0.0.1:9/v1/traces", **settings)
    logger = OpenTelemetryLogger(config=config, environ={})
    queued: list[dict] = []
    logger.exporter.submit = queued.append  # capture instead of delivering
    return logger, queued


@pytest.mark.parametrize("status", ["success", "failure"])
def test_records_built_without_sdk_spans_equal_the_sdk_spans_records(status):
    logger, queued = _direct_logger(capture_mode="SPAN_AND_EVENT")
    assert logger._direct is not None  # the default own provider takes the direct path
    payload = _payload(
        status=status,
        startTime=1.5,
        endTime=2.5,
        error_str="rate limited" if status == "failure" else None,
        error_information={"error_class": "RateLimitError", "error_code": "429"},
    )
    logger.on_event(payload, {})
    logger._direct = None  # the same event through a real SDK span
    logger.on_event(payload, {})
    direct, sdk = queued
    for key in ("trace_id", "span_id", "id"):
        assert len(direct[key]) == len(sdk[key])
        direct.pop(key), sdk.pop(key)
    assert direct == sdk


def test_a_processor_added_to_the_logger_provider_still_sees_real_spans():
    pytest.importorskip("opentelemetry.sdk.trace")
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    logger, queued = _direct_logger()
    memory = InMemorySpanExporter()
    logger.tracer_provider.add_span_processor(SimpleSpanProcessor(memory))
    logger.on_event(_payload(startTime=1.0, endTime=2.0), {})
    assert len(memory.get_finished_spans()) == 1 and len(queued) == 1


def test_an_unsampled_w3c_parent_drops_the_direct_span_as_the_default_sampler_does():
    logger, queued = _direct_logger()
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"
    logger.on_event(_payload(metadata={"traceparent": parent}), {})
    assert queued == []
    logger.on_event(_payload(metadata={"traceparent": parent[:-2] + "01"}), {})
    assert queued[0]["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert queued[0]["parent_span_id"] == "b7ad6b7169203331" and queued[0]["parent_remote"] is True
