"""OpenTelemetry: with ``callbacks: ["otel"]`` each request is a SERVER span (honouring the client's W3C
``traceparent``) and the call's GenAI CLIENT span is its child, both delivered to an OTLP/HTTP receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.proxy._proxy import MASTER_KEY, Proxy, running_proxy

pytestmark = pytest.mark.integration

CONFIG = """
model_list:
  - {model_name: chat, litellm_params: {model: openai/gpt-4o-mini, api_base: os.environ/BASE_V1, api_key: sk-up}}
litellm_settings:
  callbacks: ["otel"]
general_settings:
  master_key: os.environ/PROXY_MASTER_KEY
"""

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"


@pytest.fixture(scope="module")
def receiver():
    pytest.importorskip("opentelemetry.sdk")
    from tests.integration.receivers.otlp import OTLPReceiver

    r = OTLPReceiver()
    yield r
    r.close()


@pytest.fixture(scope="module")
def proxy(fake_provider, receiver, tmp_path_factory) -> Iterator[Proxy]:
    env = {
        "BASE_V1": fake_provider.url + "/v1",
        "PROXY_MASTER_KEY": MASTER_KEY,
        "OTEL_EXPORTER": "otlp_http",
        "OTEL_ENDPOINT": receiver.url,
        "LITELLM_OTEL_INTEGRATION_ENABLE_METRICS": "false",
    }
    with running_proxy(tmp_path_factory.mktemp("otel"), CONFIG, env=env) as p:
        yield p


def test_request_span_parents_the_genai_span(proxy: Proxy, receiver) -> None:
    headers = {"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"}
    with proxy.client() as c:
        r = c.post(
            "/v1/chat/completions",
            json={"model": "chat", "messages": [{"role": "user", "content": "hi"}]},
            headers=headers,
        )
        assert r.status_code == 200
    spans = receiver.wait_for_spans(2, timeout=15)
    server = next(s for s in spans if s["name"] == "POST /v1/chat/completions")
    client = next(s for s in spans if s["name"].startswith("chat "))
    assert server["trace_id"] == TRACE_ID and server["parent_span_id"] == PARENT_ID
    assert client["trace_id"] == TRACE_ID and client["parent_span_id"] == server["span_id"]
    assert server["attributes"]["http.response.status_code"] == 200
    assert server["attributes"]["litellm.call_id"] == r.headers["x-litellm-call-id"]


def test_failed_request_span_is_an_error(proxy: Proxy, receiver) -> None:
    before = len(receiver.spans)
    with proxy.client() as c:
        assert c.post("/v1/chat/completions", json={"model": "nope", "messages": []}).status_code == 400
    spans = receiver.wait_for_spans(before + 1, timeout=15)[before:]
    server = next(s for s in spans if s["name"] == "POST /v1/chat/completions")
    assert server["attributes"]["http.response.status_code"] == 400
    assert server["attributes"]["error.type"] == "BadRequestError"
    assert server["status_code"] != 2  # not ERROR: a 4xx is the client's error (HTTP server semantics)
