"""OpenTelemetry logger against a real OTLP receiver (ddapm-test-agent, HTTP and gRPC ports).

Real calls go through ``litellm.completion`` to the fake provider; spans and metrics are read back from
the receiver and checked against the GenAI semantic conventions the logger promises. Fault tests: the
receiver down then up, a 500 then OK (in-process OTLP receiver, which can script statuses), and a
process killed with spans queued (write-ahead spool, delivered by the next process).
"""

from __future__ import annotations

import json
import signal
import time
import uuid
from collections.abc import Iterator

import pytest

pytest.importorskip("opentelemetry.sdk.trace")
pytest.importorskip("opentelemetry.proto")

import litellm
from litellm.integrations.opentelemetry import OpenTelemetryLogger, OpenTelemetrySettings
from tests.integration.receivers import free_port
from tests.integration.receivers.killed import kill_after_spooling
from tests.integration.receivers.otlp import OTLPReceiver, TestAgent

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

MESSAGES = [{"role": "user", "content": "hello otel"}]
CANARY_KEY = "sk-canary-otel-0123456789abcdef"
FAST_RETRY = {"backoff_base": 0.1, "backoff_max": 0.5, "max_retries": 40, "retry_deadline": 30.0}


@pytest.fixture(scope="module")
def agent() -> Iterator[TestAgent]:
    a = TestAgent().start()
    try:
        yield a
    finally:
        a.stop()


@pytest.fixture
def make_logger() -> Iterator:
    made: list[OpenTelemetryLogger] = []

    def make(**settings) -> OpenTelemetryLogger:
        opts = {k: settings.pop(k) for k in ("spool_dir", "spool_mode", "exporter_options") if k in settings}
        settings.setdefault("service_name", f"svc-{uuid.uuid4().hex[:8]}")
        logger = OpenTelemetryLogger(OpenTelemetrySettings(**settings), flush_interval=0.05, **opts)
        made.append(logger)
        litellm.callbacks = [logger]
        return logger

    yield make
    for logger in made:
        logger.shutdown(2.0)


def _call(base: str, **kw):
    return litellm.completion(
        model="openai/gpt-4o-mini", api_base=base, api_key=CANARY_KEY, messages=MESSAGES, **kw
    )


def _by_call_id(spans: list[dict]) -> dict[str, dict]:
    return {s["attributes"].get("litellm.call_id"): s for s in spans}


def test_http_export_records_a_genai_client_span_for_success_stream_and_failure(agent, make_logger, fake_url):
    make_logger(exporter="otlp_http", endpoint=agent.http_url)
    base = fake_url + "/v1"
    ok = _call(base, temperature=0.2, max_tokens=50, top_p=0.9, metadata={"session_id": "sess-1"})
    stream = _call(
        base,
        stream=True,
        stream_options={"include_usage": True},
        extra_headers={"x-fake-latency-ms": "40", "x-fake-chunk-delay-ms": "10"},
    )
    for _ in stream:
        pass
    with pytest.raises(litellm.BadRequestError):
        litellm.completion(
            model="openai/fake-error-400", api_base=base, api_key=CANARY_KEY, messages=MESSAGES
        )
    assert litellm.flush_callbacks(timeout=20)

    ok_id = ok._hidden_params["litellm_call_id"]
    stream_id = stream._hidden_params["litellm_call_id"] if hasattr(stream, "_hidden_params") else None
    found = agent.wait_for_spans(
        lambda s: (
            s["attributes"].get("gen_ai.request.model") in {"gpt-4o-mini", "fake-error-400"}
            and s["resource"].get("service.name") == litellm.callbacks[0].settings.service_name
        ),
        3,
    )
    assert len(found) == 3
    spans = _by_call_id(found)

    success = spans[ok_id]
    attrs = success["attributes"]
    assert success["name"] == "chat gpt-4o-mini"
    assert success["kind"] == "SPAN_KIND_CLIENT"
    assert success["status_code"] == "STATUS_CODE_UNSET"
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["gen_ai.provider.name"] == "openai"
    assert attrs["gen_ai.request.temperature"] == 0.2
    assert attrs["gen_ai.request.max_tokens"] == 50
    assert attrs["gen_ai.request.top_p"] == 0.9
    assert attrs["gen_ai.response.model"] == "gpt-4o-mini"
    assert attrs["gen_ai.response.id"] == ok.id
    assert attrs["gen_ai.response.finish_reasons"] == ["stop"]
    assert attrs["gen_ai.usage.input_tokens"] == ok.usage.prompt_tokens
    assert attrs["gen_ai.usage.output_tokens"] == ok.usage.completion_tokens
    assert attrs["gen_ai.usage.cost"] > 0
    assert attrs["gen_ai.conversation.id"] == "sess-1"
    assert attrs["server.address"] == "127.0.0.1"
    assert attrs["server.port"] == int(fake_url.rsplit(":", 1)[1])
    assert json.loads(attrs["gen_ai.input.messages"]) == [
        {"role": "user", "parts": [{"type": "text", "content": "hello otel"}]}
    ]
    assert (
        json.loads(attrs["gen_ai.output.messages"])[0]["parts"][0]["content"] == ok.choices[0].message.content
    )
    # the span covers the call: its times come from the payload, not from when the logger ran
    assert 0 < success["end"] - success["start"] < 5e9

    streamed = [
        s for cid, s in spans.items() if cid not in (ok_id,) and s["attributes"].get("gen_ai.request.stream")
    ]
    assert len(streamed) == 1
    if stream_id:
        assert streamed[0]["attributes"]["litellm.call_id"] == stream_id
    ttfc = streamed[0]["attributes"]["gen_ai.response.time_to_first_chunk"]
    assert 0.035 < ttfc < (streamed[0]["end"] - streamed[0]["start"]) / 1e9
    assert streamed[0]["attributes"]["gen_ai.usage.output_tokens"] > 0

    failed = [s for s in found if s["status_code"] == "STATUS_CODE_ERROR"]
    assert len(failed) == 1
    assert failed[0]["name"] == "chat fake-error-400"
    assert failed[0]["attributes"]["error.type"] == "BadRequestError"
    assert "Invalid request" in failed[0]["status_message"]
    assert [e["name"] for e in failed[0]["events"]] == ["exception"]

    assert CANARY_KEY not in json.dumps(found)


def test_metrics_reach_the_receiver_with_duration_tokens_and_cost(agent, make_logger, fake_url):
    logger = make_logger(exporter="otlp_http", endpoint=agent.http_url)
    _call(fake_url + "/v1")
    assert litellm.flush_callbacks(timeout=20)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        metrics = agent.metrics()
        if {"gen_ai.client.operation.duration", "gen_ai.client.token.usage", "gen_ai.usage.cost"} <= set(
            metrics
        ):
            break
        time.sleep(0.1)
    tokens = metrics["gen_ai.client.token.usage"]
    assert {p["attributes"]["gen_ai.token.type"] for p in tokens} >= {"input", "output"}
    assert all(p["attributes"]["gen_ai.request.model"] == "gpt-4o-mini" for p in tokens)
    assert "gen_ai.client.operation.duration" in metrics
    assert any(p.get("as_double", 0) > 0 for p in metrics["gen_ai.usage.cost"])
    assert logger.meter_provider is not None


def test_grpc_export_reaches_the_receiver(agent, make_logger, fake_url):
    logger = make_logger(exporter="otlp_grpc", endpoint=agent.grpc_endpoint, enable_metrics=False)
    response = _call(fake_url + "/v1")
    assert litellm.flush_callbacks(timeout=20)
    call_id = response._hidden_params["litellm_call_id"]
    found = agent.wait_for_spans(lambda s: s["attributes"].get("litellm.call_id") == call_id, 1)
    assert found and found[0]["resource"]["service.name"] == logger.settings.service_name
    assert found[0]["attributes"]["gen_ai.usage.input_tokens"] == response.usage.prompt_tokens


def test_span_joins_the_callers_current_trace_and_never_ends_the_callers_span(agent, make_logger, fake_url):
    from opentelemetry.sdk.trace import TracerProvider

    make_logger(exporter="otlp_http", endpoint=agent.http_url)
    app_tracer = TracerProvider().get_tracer("app")  # the application's own tracing, not global
    with app_tracer.start_as_current_span("handle-request") as parent:
        response = _call(fake_url + "/v1")
        assert litellm.flush_callbacks(timeout=20)
        assert parent.is_recording()  # still open: the logger did not end it
    call_id = response._hidden_params["litellm_call_id"]
    [span] = agent.wait_for_spans(lambda s: s["attributes"].get("litellm.call_id") == call_id, 1)
    assert span["trace_id"] == f"{parent.get_span_context().trace_id:032x}"
    assert span["parent_span_id"] == f"{parent.get_span_context().span_id:016x}"


def test_traceparent_in_metadata_sets_the_parent_when_no_context_is_current(agent, make_logger, fake_url):
    make_logger(exporter="otlp_http", endpoint=agent.http_url)
    trace_id, parent_id = uuid.uuid4().hex, uuid.uuid4().hex[:16]
    response = _call(fake_url + "/v1", metadata={"traceparent": f"00-{trace_id}-{parent_id}-01"})
    assert litellm.flush_callbacks(timeout=20)
    call_id = response._hidden_params["litellm_call_id"]
    [span] = agent.wait_for_spans(lambda s: s["attributes"].get("litellm.call_id") == call_id, 1)
    assert (span["trace_id"], span["parent_span_id"]) == (trace_id, parent_id)


def test_a_user_tracer_provider_is_used_as_is_and_never_installed_globally(fake_url):
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    before = trace.get_tracer_provider()
    logger = OpenTelemetryLogger(tracer_provider=provider, environ={})
    litellm.callbacks = [logger]
    _call(fake_url + "/v1")
    assert litellm.flush_callbacks(timeout=10)
    assert [s.name for s in memory.get_finished_spans()] == ["chat gpt-4o-mini"]
    assert logger.exporter is None  # delivery stays the application's
    assert trace.get_tracer_provider() is before


@pytest.mark.parametrize(
    ("mode", "in_attrs", "in_event"),
    [
        ("NO_CONTENT", False, False),
        ("SPAN_ONLY", True, False),
        ("EVENT_ONLY", False, True),
        ("SPAN_AND_EVENT", True, True),
    ],
)
def test_content_capture_mode_decides_where_messages_go(mode, in_attrs, in_event):
    logger = OpenTelemetryLogger(OpenTelemetrySettings(exporter="in_memory", capture_mode=mode))
    litellm.callbacks = [logger]
    try:
        litellm.completion(model="openai/gpt-4o-mini", mock_response="hi there", messages=MESSAGES)
        assert litellm.flush_callbacks(timeout=10)
        [span] = logger.span_exporter.get_finished_spans()
        assert ("gen_ai.input.messages" in span.attributes) is in_attrs
        events = [e for e in span.events if e.name == "gen_ai.client.inference.operation.details"]
        assert bool(events) is in_event
        if in_event:
            assert "hi there" in events[0].attributes["gen_ai.output.messages"]
    finally:
        logger.shutdown(2.0)


def test_turn_off_message_logging_keeps_content_out_of_spans():
    logger = OpenTelemetryLogger(OpenTelemetrySettings(exporter="in_memory", capture_mode="SPAN_AND_EVENT"))
    litellm.callbacks = [logger]
    litellm.turn_off_message_logging = True
    try:
        litellm.completion(model="openai/gpt-4o-mini", mock_response="secret answer", messages=MESSAGES)
        assert litellm.flush_callbacks(timeout=10)
        [span] = logger.span_exporter.get_finished_spans()
        text = json.dumps(
            {**dict(span.attributes), "events": [dict(e.attributes or {}) for e in span.events]}
        )
        assert "secret answer" not in text and "hello otel" not in text
        assert span.attributes["gen_ai.usage.output_tokens"] > 0  # metadata stays
    finally:
        logger.shutdown(2.0)


def test_export_runs_with_instrumentation_suppressed_so_it_cannot_trace_itself():
    from opentelemetry import context
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

    seen: list[object] = []

    class Probe(SpanExporter):
        def export(self, spans):
            seen.append(context.get_value(context._SUPPRESS_INSTRUMENTATION_KEY))
            return SpanExportResult.SUCCESS

    logger = OpenTelemetryLogger(OpenTelemetrySettings(exporter=Probe()))
    litellm.callbacks = [logger]
    try:
        litellm.completion(model="openai/gpt-4o-mini", mock_response="hi", messages=MESSAGES)
        assert litellm.flush_callbacks(timeout=10)
        assert seen == [True]
    finally:
        logger.shutdown(2.0)


# ------------------------------------------------------------------------------------------- faults


def test_receiver_down_then_up_loses_nothing(agent, make_logger, fake_url):
    logger = make_logger(
        exporter="otlp_http", endpoint=agent.http_url, enable_metrics=False, exporter_options=FAST_RETRY
    )
    agent.stop()
    try:
        ids = [_call(fake_url + "/v1")._hidden_params["litellm_call_id"] for _ in range(3)]
        deadline = time.monotonic() + 10
        while logger.stats()["retried"] < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert logger.stats()["retried"] >= 1  # the receiver really was down
        time.sleep(1.0)
    finally:
        agent.start()
    assert litellm.flush_callbacks(timeout=30)
    found = agent.wait_for_spans(lambda s: s["attributes"].get("litellm.call_id") in ids, 3)
    assert sorted(s["attributes"]["litellm.call_id"] for s in found) == sorted(ids)
    assert logger.stats()["sent"] == 3 and logger.stats()["dropped"] == {}


def test_receiver_answering_500_is_retried_until_accepted(make_logger):
    receiver = OTLPReceiver(script=[500, 503])
    try:
        logger = make_logger(
            exporter="otlp_http", endpoint=receiver.url, enable_metrics=False, exporter_options=FAST_RETRY
        )
        litellm.completion(model="openai/gpt-4o-mini", mock_response="hi", messages=MESSAGES)
        assert litellm.flush_callbacks(timeout=20)
        assert [r["status"] for r in receiver.requests] == [500, 503, 200]
        assert receiver.requests[-1]["path"] == "/v1/traces"
        assert len(receiver.wait_for_spans(1)) == 1
        assert logger.stats()["retried"] == 2
    finally:
        receiver.close()


_KILLED_PROCESS = """
import sys, time, litellm
from litellm.integrations.opentelemetry import OpenTelemetryLogger, OpenTelemetrySettings
spool, endpoint, run = sys.argv[1], sys.argv[2], sys.argv[3]
logger = OpenTelemetryLogger(OpenTelemetrySettings(exporter="otlp_http", endpoint=endpoint, enable_metrics=False),
                             spool_dir=spool, spool_mode="write_ahead", flush_interval=0.05)
litellm.callbacks = [logger]
for i in range(5):
    litellm.completion(model="openai/gpt-4o-mini", mock_response="hi", messages=[{"role": "user", "content": "x"}],
                       litellm_call_id=f"{run}-{i}")
print("ready", flush=True)
time.sleep(60)
"""


def test_process_killed_with_spans_queued_delivers_them_from_the_spool_next_time(agent, tmp_path):
    spool = tmp_path / "spool"
    run = uuid.uuid4().hex[:12]
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens: the spans stay queued
    proc = kill_after_spooling(_KILLED_PROCESS, [str(spool), dead, run], spool, lines=5)
    assert proc.returncode == -signal.SIGKILL

    logger = OpenTelemetryLogger(
        OpenTelemetrySettings(exporter="otlp_http", endpoint=agent.http_url, enable_metrics=False),
        spool_dir=spool,
        spool_mode="write_ahead",
        flush_interval=0.05,
    )
    try:
        assert logger.stats()["restored"] == 5
        assert logger.flush(20)
        wanted = {f"{run}-{i}" for i in range(5)}
        found = agent.wait_for_spans(lambda s: s["attributes"].get("litellm.call_id") in wanted, 5)
        assert {s["attributes"]["litellm.call_id"] for s in found} == wanted
        assert all(s["name"] == "chat gpt-4o-mini" for s in found)
    finally:
        logger.shutdown(2.0)


def test_registered_by_name_with_litellm_env_vars(agent, fake_url, monkeypatch):
    from litellm.integrations import registry

    service = f"svc-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("OTEL_EXPORTER", "otlp_http")
    monkeypatch.setenv("OTEL_ENDPOINT", agent.http_url)
    monkeypatch.setenv("OTEL_HEADERS", "x-secret-header=do-not-log")
    monkeypatch.setenv("OTEL_SERVICE_NAME", service)
    monkeypatch.setenv("LITELLM_OTEL_INTEGRATION_ENABLE_METRICS", "false")
    registry.clear_instances()
    litellm.callbacks = ["otel"]
    try:
        response = _call(fake_url + "/v1")
        assert litellm.flush_callbacks(timeout=20)
        call_id = response._hidden_params["litellm_call_id"]
        [span] = agent.wait_for_spans(lambda s: s["attributes"].get("litellm.call_id") == call_id, 1)
        assert span["resource"]["service.name"] == service
        assert "do-not-log" not in json.dumps(span)
    finally:
        registry.get_integration("otel").shutdown(2.0)
        registry.clear_instances()


async def test_async_calls_produce_the_same_spans():
    logger = OpenTelemetryLogger(OpenTelemetrySettings(exporter="in_memory"))
    litellm.callbacks = [logger]
    try:
        await litellm.acompletion(model="openai/gpt-4o-mini", mock_response="hi", messages=MESSAGES)
        stream = await litellm.acompletion(
            model="openai/gpt-4o-mini", mock_response="hi there", messages=MESSAGES, stream=True
        )
        async for _ in stream:
            pass
        assert litellm.flush_callbacks(timeout=10)
        spans = logger.span_exporter.get_finished_spans()
        assert [s.name for s in spans] == ["chat gpt-4o-mini", "chat gpt-4o-mini"]
        assert [s.attributes.get("gen_ai.request.stream", False) for s in spans] == [False, True]
        assert all(s.attributes["litellm.call_type"] == "acompletion" for s in spans)
    finally:
        logger.shutdown(2.0)
