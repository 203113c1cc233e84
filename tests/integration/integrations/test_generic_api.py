"""Generic API logger against a local webhook receiver (the capture server: a generic webhook has no
product receiver). Real calls go through ``litellm.completion`` to the fake provider; the receiver's
requests are decoded and the payloads checked. Fault tests: 500 then OK, receiver down then up, and a
process killed with payloads queued."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import pytest

import litellm
from litellm.integrations.generic_api import GenericAPILogger
from tests.integration.receivers import free_port
from tests.integration.receivers.killed import kill_after_spooling
from tests.integration.receivers.webhook import WebhookReceiver

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

CANARY_KEY = "sk-canary-generic-0123456789abcdef"
MESSAGES = [{"role": "user", "content": "hello webhook"}]
FAST_RETRY = {"backoff_base": 0.1, "backoff_max": 0.5, "max_retries": 40, "retry_deadline": 30.0}


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver()
    yield r
    r.close()


@pytest.fixture
def make_logger() -> Iterator:
    made: list[GenericAPILogger] = []

    def make(**kw) -> GenericAPILogger:
        kw.setdefault("flush_interval", 0.05)
        kw.setdefault("environ", {})
        logger = GenericAPILogger(**kw)
        made.append(logger)
        litellm.callbacks = [logger]
        return logger

    yield make
    for logger in made:
        logger.shutdown(2.0)


def _mock(i: str = "") -> None:
    litellm.completion(
        model="openai/gpt-4o-mini", mock_response="hi", messages=MESSAGES, litellm_call_id=i or None
    )


def test_success_stream_and_failure_payloads_are_posted_as_one_json_array(receiver, make_logger, fake_url):
    make_logger(
        environ={
            "GENERIC_LOGGER_ENDPOINT": receiver.url,
            "GENERIC_LOGGER_HEADERS": "Authorization=Bearer tok-1,x-team=a",
        },
        headers={"x-team": "b"},
        flush_interval=30.0,  # batched until flush_callbacks below
    )
    base = fake_url + "/v1"
    ok = litellm.completion(model="openai/gpt-4o-mini", api_base=base, api_key=CANARY_KEY, messages=MESSAGES)
    for _ in litellm.completion(
        model="openai/gpt-4o-mini",
        api_base=base,
        api_key=CANARY_KEY,
        messages=MESSAGES,
        stream=True,
        stream_options={"include_usage": True},
    ):
        pass
    with pytest.raises(litellm.BadRequestError):
        litellm.completion(
            model="openai/fake-error-400", api_base=base, api_key=CANARY_KEY, messages=MESSAGES
        )
    assert litellm.flush_callbacks(timeout=20)

    [request] = receiver.requests  # one batch
    assert request["method"] == "POST" and request["path"] == receiver.path
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["Authorization"] == "Bearer tok-1"
    assert request["headers"]["x-team"] == "b"  # arguments win over the environment
    payloads = request["json"]
    assert isinstance(payloads, list) and len(payloads) == 3
    by_id = {p["id"]: p for p in payloads}
    first = by_id[ok._hidden_params["litellm_call_id"]]
    assert first["status"] == "success" and first["model"] == "gpt-4o-mini"
    assert first["prompt_tokens"] == ok.usage.prompt_tokens and first["response_cost"] > 0
    assert first["messages"] == MESSAGES
    streamed = [p for p in payloads if p["stream"]]
    assert len(streamed) == 1 and streamed[0]["completion_tokens"] > 0
    assert streamed[0]["startTime"] <= streamed[0]["completionStartTime"] <= streamed[0]["endTime"]
    [failed] = [p for p in payloads if p["status"] == "failure"]
    assert failed["error_information"]["error_class"] == "BadRequestError"
    assert CANARY_KEY not in request["body"].decode()


def test_ndjson_and_single_formats(receiver, make_logger):
    logger = make_logger(endpoint=receiver.url, log_format="ndjson", flush_interval=30.0)
    _mock()
    _mock()
    assert litellm.flush_callbacks(timeout=10)
    [request] = receiver.requests
    lines = request["body"].decode().splitlines()
    assert len(lines) == 2 and all(json.loads(line)["status"] == "success" for line in lines)
    logger.shutdown(2.0)

    single = WebhookReceiver()
    try:
        make_logger(endpoint=single.url, log_format="single")
        _mock()
        _mock()
        assert litellm.flush_callbacks(timeout=10)
        assert len(single.requests) == 2
        assert all(isinstance(r["json"], dict) and r["json"]["status"] == "success" for r in single.requests)
    finally:
        single.close()


def test_event_types_filter_keeps_only_failures(receiver, make_logger):
    make_logger(endpoint=receiver.url, event_types=["llm_api_failure"])
    _mock()
    with pytest.raises(litellm.InternalServerError):
        litellm.completion(model="openai/gpt-4o-mini", mock_response=Exception("boom"), messages=MESSAGES)
    assert litellm.flush_callbacks(timeout=10)
    assert [p["status"] for p in receiver.payloads()] == ["failure"]


def test_batches_are_cut_at_batch_size(receiver, make_logger):
    make_logger(endpoint=receiver.url, batch_size=2, flush_interval=30.0)
    for _ in range(5):
        _mock()
    assert litellm.flush_callbacks(timeout=10)
    assert sorted(len(r["json"]) for r in receiver.requests) == [1, 2, 2]


def test_missing_endpoint_and_bad_format_are_refused():
    with pytest.raises(ValueError, match="GENERIC_LOGGER_ENDPOINT"):
        GenericAPILogger(environ={})
    with pytest.raises(ValueError, match="log_format"):
        GenericAPILogger(endpoint="http://127.0.0.1:9/x", log_format="xml", environ={})


# ------------------------------------------------------------------------------------------- faults


def test_receiver_answering_500_is_retried_until_accepted(make_logger):
    receiver = WebhookReceiver(script=[500, 503])
    try:
        logger = make_logger(endpoint=receiver.url, exporter_options=FAST_RETRY)
        _mock()
        assert litellm.flush_callbacks(timeout=20)
        assert len(receiver.requests) == 3
        ids = {p["id"] for p in receiver.payloads()}
        assert len(ids) == 1  # the same payload, its id stable across retries
        assert logger.stats()["retried"] == 2 and logger.stats()["sent"] == 1
    finally:
        receiver.close()


def test_receiver_down_then_up_loses_nothing(make_logger):
    port = free_port()
    logger = make_logger(
        endpoint=f"http://127.0.0.1:{port}{WebhookReceiver.path}", exporter_options=FAST_RETRY
    )
    run = uuid.uuid4().hex[:8]
    for i in range(3):
        _mock(f"{run}-{i}")
    deadline = time.monotonic() + 10
    while logger.stats()["retried"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert logger.stats()["retried"] >= 1
    receiver = WebhookReceiver(port=port)
    try:
        assert litellm.flush_callbacks(timeout=30)
        assert sorted(p["id"] for p in receiver.payloads()) == [f"{run}-{i}" for i in range(3)]
    finally:
        receiver.close()


_KILLED_PROCESS = """
import sys, time, litellm
from litellm.integrations.generic_api import GenericAPILogger
spool, endpoint, run = sys.argv[1], sys.argv[2], sys.argv[3]
logger = GenericAPILogger(endpoint=endpoint, flush_interval=0.05, environ={}, spool_dir=spool, spool_mode="write_ahead")
litellm.callbacks = [logger]
for i in range(5):
    litellm.completion(model="openai/gpt-4o-mini", mock_response="hi", messages=[{"role": "user", "content": "x"}],
                       litellm_call_id=f"{run}-{i}")
print("ready", flush=True)
time.sleep(60)
"""


def test_process_killed_with_payloads_queued_delivers_them_from_the_spool_next_time(tmp_path):
    spool = tmp_path / "spool"
    run = uuid.uuid4().hex[:8]
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}{WebhookReceiver.path}"
    kill_after_spooling(_KILLED_PROCESS, [str(spool), endpoint, run], spool, lines=5)

    receiver = WebhookReceiver(port=port)
    logger = GenericAPILogger(endpoint=endpoint, environ={}, spool_dir=spool, spool_mode="write_ahead")
    try:
        assert logger.stats()["restored"] == 5
        assert logger.flush(20)
        assert sorted(p["id"] for p in receiver.payloads()) == [f"{run}-{i}" for i in range(5)]
    finally:
        logger.shutdown(2.0)
        receiver.close()


def test_registered_by_name_with_litellm_env_vars(receiver, monkeypatch):
    from litellm.integrations import registry

    monkeypatch.setenv("GENERIC_LOGGER_ENDPOINT", receiver.url)
    monkeypatch.setenv("GENERIC_LOGGER_HEADERS", "x-api-token=tok")
    monkeypatch.setenv("DEFAULT_FLUSH_INTERVAL_SECONDS", "30")
    registry.clear_instances()
    litellm.callbacks = ["generic_api"]
    try:
        _mock()
        assert litellm.flush_callbacks(timeout=10)
        [request] = receiver.requests
        assert request["headers"]["x-api-token"] == "tok"
        assert request["json"][0]["status"] == "success"
    finally:
        registry.get_integration("generic_api").shutdown(2.0)
        registry.clear_instances()
