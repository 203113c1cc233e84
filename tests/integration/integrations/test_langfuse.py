"""Langfuse logger, through the official ``langfuse`` SDK, against the OTLP receiver at Langfuse's path.

No Langfuse server installs here (RECEIVERS.md section 6), so the receiver is the in-process OTLP/HTTP
one built on ``opentelemetry-proto``: it decodes the real wire format (protobuf, gzip) at the real path
``/api/public/otel/v1/traces`` and keeps the headers, so Basic auth and the ``langfuse.*`` attributes
the Langfuse server reads can be asserted. Fault tests: 500 then OK, receiver down then up, and a
process killed with spans queued.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator

import pytest

pytest.importorskip("langfuse")
pytest.importorskip("opentelemetry.proto")

import litellm
from litellm.integrations.langfuse import LangfuseLogger
from tests.integration.receivers import free_port
from tests.integration.receivers.killed import kill_after_spooling
from tests.integration.receivers.otlp import OTLPReceiver

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

PUBLIC, SECRET = "pk-lf-test-1234", "sk-lf-secret-5678"
CANARY_KEY = "sk-canary-langfuse-0123456789"
MESSAGES = [{"role": "user", "content": "hello langfuse"}]
FAST_RETRY = {"backoff_base": 0.1, "backoff_max": 0.5, "max_retries": 40, "retry_deadline": 30.0}
PATH = "/api/public/otel/v1/traces"


@pytest.fixture
def receiver() -> Iterator[OTLPReceiver]:
    r = OTLPReceiver()
    yield r
    r.close()


@pytest.fixture
def make_logger() -> Iterator:
    made: list[LangfuseLogger] = []

    def make(host: str, **kw) -> LangfuseLogger:
        logger = LangfuseLogger(PUBLIC, SECRET, host, flush_interval=0.05, environ={}, **kw)
        made.append(logger)
        litellm.callbacks = [logger]
        return logger

    yield make
    for logger in made:
        logger.shutdown(2.0)


def _generations(receiver: OTLPReceiver, n: int) -> list[dict]:
    spans = receiver.wait_for_spans(n)
    return [s for s in spans if s["attributes"].get("langfuse.observation.type") == "generation"]


def _meta(span: dict, key: str):
    return json.loads(span["attributes"][f"langfuse.observation.metadata.{key}"])


def test_each_call_is_a_generation_with_model_usage_cost_and_trace_fields(receiver, make_logger, fake_url):
    make_logger(receiver.url)
    base = fake_url + "/v1"
    trace_id = uuid.uuid4().hex
    ok = litellm.completion(
        model="openai/gpt-4o-mini",
        api_base=base,
        api_key=CANARY_KEY,
        messages=MESSAGES,
        temperature=0.4,
        max_tokens=64,
        metadata={
            "trace_id": trace_id,
            "session_id": "sess-42",
            "trace_user_id": "user-7",
            "tags": ["prod", "exp-a"],
            "generation_name": "answer-question",
            "trace_name": "qa-flow",
            "trace_metadata": {"team": "search"},
            "experiment": "e1",
        },
    )
    stream = litellm.completion(
        model="openai/gpt-4o-mini",
        api_base=base,
        api_key=CANARY_KEY,
        messages=MESSAGES,
        stream=True,
        stream_options={"include_usage": True},
        extra_headers={"x-fake-latency-ms": "30"},
    )
    for _ in stream:
        pass
    with pytest.raises(litellm.BadRequestError):
        litellm.completion(
            model="openai/fake-error-400", api_base=base, api_key=CANARY_KEY, messages=MESSAGES
        )
    assert litellm.flush_callbacks(timeout=20)

    gens = _generations(receiver, 3)
    assert len(gens) == 3
    request = receiver.requests[0]
    assert request["path"] == PATH
    assert (
        request["headers"]["Authorization"]
        == "Basic " + base64.b64encode(f"{PUBLIC}:{SECRET}".encode()).decode()
    )
    assert request["headers"]["x-langfuse-public-key"] == PUBLIC
    assert request["headers"]["Content-Encoding"] == "gzip"
    assert all(s["scope"] == "langfuse-sdk" for s in gens)

    by_call = {_meta(s, "litellm_call_id"): s for s in gens}
    first = by_call[ok._hidden_params["litellm_call_id"]]
    a = first["attributes"]
    assert first["name"] == "answer-question"
    assert first["trace_id"] == trace_id
    assert a["langfuse.trace.name"] == "qa-flow"
    assert a["session.id"] == "sess-42"
    assert a["user.id"] == "user-7"
    assert a["langfuse.trace.tags"] == ["prod", "exp-a"]
    assert json.loads(a["langfuse.trace.metadata.team"]) == "search"
    assert a["langfuse.observation.model.name"] == "gpt-4o-mini"
    assert json.loads(a["langfuse.observation.model.parameters"]) == {"temperature": 0.4, "max_tokens": 64}
    usage = json.loads(a["langfuse.observation.usage_details"])
    assert usage == {
        "input": ok.usage.prompt_tokens,
        "output": ok.usage.completion_tokens,
        "total": ok.usage.total_tokens,
    }
    cost = json.loads(a["langfuse.observation.cost_details"])
    assert cost["total"] > 0 and cost["input"] > 0 and cost["output"] > 0
    assert json.loads(a["langfuse.observation.input"]) == MESSAGES
    assert json.loads(a["langfuse.observation.output"])["content"] == ok.choices[0].message.content
    assert a["langfuse.observation.level"] == "DEFAULT"
    assert _meta(first, "experiment") == "e1"
    assert "trace_id" not in json.dumps(
        {k: v for k, v in a.items() if "metadata" in k}
    )  # steering keys consumed

    streamed = [
        s for s in gens if s is not first and s["attributes"]["langfuse.observation.level"] == "DEFAULT"
    ]
    [streamed] = streamed
    completion_start = json.loads(streamed["attributes"]["langfuse.observation.completion_start_time"])
    start_s = streamed["start"] / 1e9
    from datetime import datetime

    first_token = datetime.fromisoformat(completion_start.replace("Z", "+00:00")).timestamp()
    assert start_s + 0.025 < first_token <= streamed["end"] / 1e9 + 0.001

    failed = [s for s in gens if s["attributes"]["langfuse.observation.level"] == "ERROR"]
    assert len(failed) == 1
    assert "Invalid request" in failed[0]["attributes"]["langfuse.observation.status_message"]
    assert failed[0]["status_code"] == 2  # OTel ERROR, set by the SDK for level ERROR

    dumped = json.dumps(receiver.spans) + json.dumps([r["headers"] for r in receiver.requests])
    assert CANARY_KEY not in dumped
    assert SECRET not in json.dumps(receiver.spans)


def test_redaction_and_masking_keep_content_out_of_langfuse(receiver, make_logger):
    make_logger(receiver.url)
    litellm.completion(
        model="openai/gpt-4o-mini",
        mock_response="masked answer",
        messages=MESSAGES,
        metadata={"mask_input": True, "mask_output": True},
    )
    litellm.turn_off_message_logging = True
    litellm.completion(model="openai/gpt-4o-mini", mock_response="secret answer", messages=MESSAGES)
    assert litellm.flush_callbacks(timeout=20)
    gens = _generations(receiver, 2)
    assert len(gens) == 2
    text = json.dumps(gens)
    for content in ("masked answer", "secret answer", "hello langfuse"):
        assert content not in text
    assert all("redacted-by-litellm" in s["attributes"]["langfuse.observation.input"] for s in gens)


def test_existing_trace_id_continues_that_trace_without_rewriting_it(receiver, make_logger):
    make_logger(receiver.url)
    trace_id = uuid.uuid4().hex
    litellm.completion(
        model="openai/gpt-4o-mini",
        mock_response="hi",
        messages=MESSAGES,
        metadata={"existing_trace_id": trace_id, "trace_name": "must-not-overwrite"},
    )
    assert litellm.flush_callbacks(timeout=20)
    [gen] = _generations(receiver, 1)
    assert gen["trace_id"] == trace_id
    assert "langfuse.trace.name" not in gen["attributes"]
    assert "langfuse.internal.as_root" not in gen["attributes"]


def test_missing_keys_raise_a_clear_error_without_values():
    with pytest.raises(ValueError, match="LANGFUSE_PUBLIC_KEY"):
        LangfuseLogger(environ={"LANGFUSE_SECRET_KEY": "sk-only"})


# ------------------------------------------------------------------------------------------- faults


def test_receiver_answering_500_is_retried_until_accepted(make_logger):
    receiver = OTLPReceiver(script=[500, 502])
    try:
        logger = make_logger(receiver.url, exporter_options=FAST_RETRY)
        litellm.completion(model="openai/gpt-4o-mini", mock_response="hi", messages=MESSAGES)
        assert litellm.flush_callbacks(timeout=20)
        assert [r["status"] for r in receiver.requests] == [500, 502, 200]
        assert len(_generations(receiver, 1)) == 1
        assert logger.stats()["retried"] == 2
    finally:
        receiver.close()


def test_receiver_down_then_up_loses_nothing(make_logger):
    port = free_port()
    logger = make_logger(f"http://127.0.0.1:{port}", exporter_options=FAST_RETRY)
    for _ in range(3):
        litellm.completion(model="openai/gpt-4o-mini", mock_response="hi", messages=MESSAGES)
    deadline = time.monotonic() + 10
    while logger.stats()["retried"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert logger.stats()["retried"] >= 1  # it really was down
    receiver = OTLPReceiver(port=port)
    try:
        assert litellm.flush_callbacks(timeout=30)
        assert len(_generations(receiver, 3)) == 3
        assert logger.stats()["dropped"] == {}
    finally:
        receiver.close()


_KILLED_PROCESS = """
import sys, time, litellm
from litellm.integrations.langfuse import LangfuseLogger
spool, host, run = sys.argv[1], sys.argv[2], sys.argv[3]
logger = LangfuseLogger("pk-lf-test-1234", "sk-lf-secret-5678", host, flush_interval=0.05, environ={},
                        spool_dir=spool, spool_mode="write_ahead")
litellm.callbacks = [logger]
for i in range(4):
    litellm.completion(model="openai/gpt-4o-mini", mock_response="hi", messages=[{"role": "user", "content": "x"}],
                       metadata={"generation_name": f"{run}-{i}"})
print("ready", flush=True)
time.sleep(60)
"""


def test_process_killed_with_spans_queued_delivers_them_from_the_spool_next_time(tmp_path):
    spool = tmp_path / "spool"
    run = uuid.uuid4().hex[:10]
    dead = f"http://127.0.0.1:{free_port()}"
    kill_after_spooling(_KILLED_PROCESS, [str(spool), dead, run], spool, lines=4)

    receiver = OTLPReceiver()
    logger = LangfuseLogger(
        PUBLIC, SECRET, receiver.url, environ={}, spool_dir=spool, spool_mode="write_ahead"
    )
    try:
        assert logger.stats()["restored"] == 4
        assert logger.flush(20)
        names = {s["name"] for s in _generations(receiver, 4)}
        assert names == {f"{run}-{i}" for i in range(4)}
        assert receiver.requests[0]["path"] == PATH
    finally:
        logger.shutdown(2.0)
        receiver.close()
