"""Datadog Logs: real calls through litellm.completion, read back from a Logs intake that enforces the API.

No Datadog Logs intake runs locally (the test agent answers 404 there), so the receiver is
:class:`LogsIntake`: it decodes the gzip body, requires ``DD-API-KEY``, enforces the 1,000-entry and size
limits with 413, and answers 202 like the real API.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from litellm.integrations.datadog import DatadogLogger
from tests.integration.receivers.ddagent import LogsIntake
from tests.integration.receivers.traffic import call, three_calls

pytestmark = pytest.mark.integration

DD_KEY = "dd-api-key-for-tests-0001"


@pytest.fixture
def intake() -> Iterator[LogsIntake]:
    server = LogsIntake().up()
    yield server
    server.down()


def dd_env(intake: LogsIntake) -> dict[str, str]:
    return {
        "DD_API_KEY": DD_KEY,
        "DD_BASE_URL": intake.url,
        "DD_SOURCE": "gw-source",
        "DD_SERVICE": "gw-service",
        "DD_ENV": "ci",
        "DD_VERSION": "1.2.3",
        "HOSTNAME": "host-a",
        "POD_NAME": "pod-7",
    }


@pytest.fixture
def make_logger(intake: LogsIntake) -> Iterator:
    made: list[DatadogLogger] = []

    def make(**kw: object) -> DatadogLogger:
        kw.setdefault("environ", dd_env(intake))
        kw.setdefault("flush_interval", 0.2)
        logger = DatadogLogger(**kw)
        made.append(logger)
        return logger

    yield make
    for logger in made:
        logger.exporter.shutdown(timeout=2)


def by_call_id(intake: LogsIntake) -> dict[str, tuple[dict, dict]]:
    return {json.loads(e["message"])["litellm_call_id"]: (e, json.loads(e["message"])) for e in intake.logs}


def test_success_failure_and_stream_arrive_as_log_records_with_cost_tokens_and_status(
    fake_url: str, intake: LogsIntake, make_logger
) -> None:
    import litellm

    logger = make_logger()
    litellm.callbacks = [logger]
    calls = three_calls(fake_url)
    assert litellm.flush_callbacks(timeout=10)

    got = by_call_id(intake)
    assert set(calls.ids) <= set(got)
    for entry, _ in got.values():
        assert (entry["ddsource"], entry["service"], entry["hostname"]) == (
            "gw-source",
            "gw-service",
            "host-a",
        )
        tags = entry["ddtags"].split(",")
        assert {"env:ci", "service:gw-service", "version:1.2.3", "HOSTNAME:host-a", "POD_NAME:pod-7"} <= set(
            tags
        )
        assert f"request_tag:{calls.tag}" in tags

    entry, ok = got[calls.success]
    assert entry["status"] == "info" and ok["status"] == "success"
    assert ok["model"] == "gpt-4o-mini" and ok["custom_llm_provider"] == "openai"
    assert ok["prompt_tokens"] > 0 and ok["completion_tokens"] > 0 and ok["response_cost"] > 0
    assert ok["model_parameters"] == {"temperature": 0.3, "max_tokens": 40}
    assert ok["messages"][0]["content"] == f"hello {calls.tag}"

    entry, err = got[calls.failure]
    assert entry["status"] == "error" and err["status"] == "failure"
    assert err["error_information"]["error_code"] == "500"
    assert err["error_information"]["error_class"] == "InternalServerError"

    _, streamed = got[calls.stream]
    assert streamed["stream"] is True and streamed["completion_tokens"] > 0
    assert streamed["startTime"] <= streamed["completionStartTime"] <= streamed["endTime"]

    request = intake.requests[0]["headers"]
    assert request["DD-API-KEY"] == DD_KEY and request["Content-Encoding"] == "gzip"
    raw = json.dumps(intake.logs)
    assert "sk-test-never-logged" not in raw and DD_KEY not in raw


def test_registered_by_name_it_reads_the_documented_environment(
    fake_url: str, intake: LogsIntake, monkeypatch: pytest.MonkeyPatch
) -> None:
    import litellm
    from litellm.integrations import registry

    for name, value in dd_env(intake).items():
        monkeypatch.setenv(name, value)
    registry.clear_instances()
    try:
        litellm.callbacks = ["datadog"]
        call(fake_url, "by-name-1", "by-name")
        assert litellm.flush_callbacks(timeout=10)
        assert "by-name-1" in by_call_id(intake)
    finally:
        logger = registry.get_integration("datadog")
        logger.exporter.shutdown(timeout=2)
        registry.clear_instances()


def test_a_batch_over_the_intake_size_limit_is_split_and_fully_delivered(fake_url: str, make_logger) -> None:
    import litellm

    small = LogsIntake(max_bytes=8_000).up()
    try:
        logger = make_logger(environ=dd_env(small), flush_interval=30)
        litellm.callbacks = [logger]
        ids = [f"big-{i}" for i in range(12)]
        for call_id in ids:
            call(fake_url, call_id, "split")
        assert litellm.flush_callbacks(timeout=10)
        assert sorted(by_call_id(small)) == sorted(ids)
        statuses = [r["status"] for r in small.requests]
        assert 413 in statuses and statuses.count(202) > 1
        stats = logger.stats()
        assert stats["sent"] == 12 and stats["dropped"] == {} and stats["batches_sent"] > 1
    finally:
        small.down()
