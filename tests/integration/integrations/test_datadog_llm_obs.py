"""Datadog LLM Observability: real calls, spans sent through the agent's EVP proxy of the real Datadog test
agent (ddapm-test-agent), read back from ``/test/session/requests``.

The test agent records without validating, so :func:`assert_span_schema` checks every span against the
fields and types the LLM Observability span format requires.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from litellm.integrations.datadog_llm_obs import DatadogLLMObsLogger
from tests.integration.receivers.ddagent import DDAgent, shared_ddagent
from tests.integration.receivers.traffic import three_calls

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def agent() -> DDAgent:
    return shared_ddagent()


@pytest.fixture
def make_logger(agent: DDAgent) -> Iterator:
    made: list[DatadogLLMObsLogger] = []

    def make(**kw: object) -> DatadogLLMObsLogger:
        env = {"LITELLM_DD_AGENT_HOST": "127.0.0.1", "LITELLM_DD_LLM_OBS_PORT": str(agent.port)}
        env |= {"DD_LLMOBS_ML_APP": "gw-tests", "DD_ENV": "ci"}
        logger = DatadogLLMObsLogger(environ=env, flush_interval=0.2, **kw)
        made.append(logger)
        return logger

    yield make
    for logger in made:
        logger.exporter.shutdown(timeout=2)


def assert_span_schema(span: dict) -> None:
    assert span["_envelope"] == {"_dd.stage": "raw", "event_type": "span"}
    for key, kind in (
        ("trace_id", str),
        ("span_id", str),
        ("parent_id", str),
        ("name", str),
        ("start_ns", int),
        ("duration", int),
        ("status", str),
        ("tags", list),
        ("meta", dict),
        ("metrics", dict),
    ):
        assert isinstance(span.get(key), kind), key
    assert len(span["trace_id"]) == 32 and int(span["trace_id"], 16) >= 0
    assert span["span_id"].isdigit() and span["status"] in ("ok", "error")
    assert all(isinstance(t, str) and ":" in t for t in span["tags"])
    meta = span["meta"]
    assert meta["span.kind"] in ("llm", "embedding", "task", "tool", "retrieval", "workflow", "agent")
    for side in ("input", "output"):
        for message in meta[side].get("messages", []):
            assert isinstance(message["role"], str) and isinstance(message["content"], str)
    assert all(isinstance(v, (int, float)) for v in span["metrics"].values())


def spans_for(agent: DDAgent, ids: list[str]) -> dict[str, dict]:
    return {
        s["meta"]["metadata"]["litellm_call_id"]: s
        for s in agent.spans()
        if s["meta"].get("metadata", {}).get("litellm_call_id") in ids
    }


def test_success_failure_and_stream_become_llm_spans_in_the_test_agent(
    fake_url: str, agent: DDAgent, make_logger
) -> None:
    import litellm

    litellm.callbacks = [make_logger()]
    calls = three_calls(fake_url)
    assert litellm.flush_callbacks(timeout=10)

    spans = spans_for(agent, calls.ids)
    assert set(spans) == set(calls.ids)
    for span in spans.values():
        assert_span_schema(span)
        assert {"ml_app:gw-tests", "env:ci", f"request_tag:{calls.tag}"} <= set(span["tags"])
        assert span["parent_id"] == "undefined" and span["name"] == "litellm_llm_call"

    ok = spans[calls.success]
    assert ok["status"] == "ok" and "error:0" in ok["tags"]
    assert (ok["meta"]["model_name"], ok["meta"]["model_provider"]) == ("gpt-4o-mini", "openai")
    assert ok["meta"]["input"]["messages"] == [{"role": "user", "content": f"hello {calls.tag}"}]
    assert ok["meta"]["output"]["messages"][0]["role"] == "assistant"
    assert ok["meta"]["output"]["messages"][0]["content"]
    assert ok["meta"]["metadata"]["temperature"] == 0.3 and ok["meta"]["metadata"]["max_tokens"] == 40
    metrics = ok["metrics"]
    assert metrics["input_tokens"] > 0 and metrics["output_tokens"] > 0
    assert metrics["total_tokens"] == metrics["input_tokens"] + metrics["output_tokens"]
    assert metrics["total_cost"] > 0

    err = spans[calls.failure]
    assert err["status"] == "error" and "error:1" in err["tags"]
    assert err["meta"]["error.type"] == "InternalServerError" and err["meta"]["error.message"]
    assert err["meta"]["output"]["messages"] == []

    streamed = spans[calls.stream]
    assert streamed["meta"]["metadata"]["is_streamed_request"] is True
    assert 0 <= streamed["metrics"]["time_to_first_token"] * 1e9 <= streamed["duration"]
    assert streamed["metrics"]["output_tokens"] > 0

    request = agent.llmobs_requests()[-1]
    assert request["headers"]["X-Datadog-EVP-Subdomain"] == "llmobs-intake"
    assert "sk-test-never-logged" not in str(agent.llmobs_requests())


def test_message_logging_off_redacts_span_content_but_keeps_tokens(
    fake_url: str, agent: DDAgent, make_logger
) -> None:
    import litellm

    litellm.callbacks = [make_logger(turn_off_message_logging=True)]
    calls = three_calls(fake_url)
    assert litellm.flush_callbacks(timeout=10)

    span = spans_for(agent, [calls.success])[calls.success]
    assert_span_schema(span)
    assert calls.tag not in str(span["meta"]["input"])
    assert "redacted-by-litellm" in str(span["meta"]["input"]) + str(span["meta"]["output"])
    assert span["metrics"]["input_tokens"] > 0 and span["metrics"]["output_tokens"] > 0
