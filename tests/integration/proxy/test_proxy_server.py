"""The proxy as users run it (CLI subprocess on a config file) against the fake provider: the openai SDK
and raw HTTP for routes, auth, headers, errors, streaming, hooks, logging events, metrics and health."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from tests.integration.proxy._proxy import MASTER_KEY, Proxy, running_proxy

pytestmark = pytest.mark.integration

UPSTREAM_KEY = "sk-upstream-secret-abc"

CONFIG = """
model_list:
  - model_name: fake-gpt
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: os.environ/FAKE_API_BASE
      api_key: os.environ/UPSTREAM_KEY
    model_info:
      id: dep-fake-gpt
  - model_name: fake-embed
    litellm_params:
      model: openai/text-embedding-3-small
      api_base: os.environ/FAKE_API_BASE
      api_key: os.environ/UPSTREAM_KEY
    model_info:
      mode: embedding
  - model_name: limited
    litellm_params:
      model: openai/fake-error-429
      api_base: os.environ/FAKE_API_BASE
      api_key: os.environ/UPSTREAM_KEY
  - model_name: too-long
    litellm_params:
      model: openai/fake-context-window
      api_base: os.environ/FAKE_API_BASE
      api_key: os.environ/UPSTREAM_KEY
  - model_name: flaky
    litellm_params:
      model: openai/fake-error-503
      api_base: os.environ/FAKE_API_BASE
      api_key: os.environ/UPSTREAM_KEY
  - model_name: once-failing
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: os.environ/FAKE_API_BASE
      api_key: os.environ/UPSTREAM_KEY
      extra_headers: {x-fake-fail-times: "1", x-fake-key: os.environ/FAIL_KEY, x-fake-error: "500"}
  - model_name: slow-stream
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: os.environ/FAKE_API_BASE
      api_key: os.environ/UPSTREAM_KEY
      extra_headers: {x-fake-chunks: "60", x-fake-chunk-delay-ms: "100"}
  - model_name: slow-json
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: os.environ/FAKE_API_BASE
      api_key: os.environ/UPSTREAM_KEY
      extra_headers: {x-fake-latency-ms: "4000"}
  - model_name: drain-stream
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: os.environ/FAKE_API_BASE
      api_key: os.environ/UPSTREAM_KEY
      extra_headers: {x-fake-chunks: "10", x-fake-chunk-delay-ms: "100"}
litellm_settings:
  callbacks: ["custom_callbacks.proxy_handler_instance", "prometheus"]
  num_retries: 1
  fallbacks: [{"flaky": ["fake-gpt"]}]
router_settings:
  model_group_alias: {"gpt-alias": "fake-gpt"}
general_settings:
  master_key: os.environ/PROXY_MASTER_KEY
  max_request_size_mb: 1
"""


@pytest.fixture(scope="module")
def proxy(fake_provider, tmp_path_factory) -> Iterator[Proxy]:
    env = {
        "FAKE_API_BASE": fake_provider.url + "/v1",
        "UPSTREAM_KEY": UPSTREAM_KEY,
        "PROXY_MASTER_KEY": MASTER_KEY,
        "FAIL_KEY": f"proxy-{time.time_ns()}",
    }
    with running_proxy(tmp_path_factory.mktemp("proxy"), CONFIG, env=env) as p:
        yield p


@pytest.fixture
def sdk(proxy: Proxy) -> openai.OpenAI:
    return openai.OpenAI(base_url=proxy.url + "/v1", api_key=MASTER_KEY, max_retries=0)


def test_openai_sdk_chat_with_litellm_headers(proxy: Proxy, sdk: openai.OpenAI) -> None:
    raw = sdk.chat.completions.with_raw_response.create(
        model="fake-gpt", messages=[{"role": "user", "content": "hi"}]
    )
    reply = raw.parse()
    assert reply.choices[0].message.content == "Hello from the fake provider! This reply is deterministic."
    h = raw.headers
    assert h["x-litellm-model-group"] == "fake-gpt"
    assert h["x-litellm-model-id"] == "dep-fake-gpt"
    assert h["x-litellm-model-api-base"].endswith("/v1")
    assert h["x-litellm-attempted-retries"] == "0"
    assert h["x-litellm-attempted-fallbacks"] == "0"
    assert float(h["x-litellm-response-cost"]) > 0  # gpt-4o-mini is priced
    assert h["x-litellm-version"]
    assert h["llm_provider-x-ratelimit-remaining-requests"] == h["x-ratelimit-remaining-requests"]
    assert float(h["x-litellm-overhead-duration-ms"]) >= 0
    assert h["x-custom-hook"] == "yes"  # async_post_call_response_headers_hook
    call_id = h["x-litellm-call-id"]
    event = proxy.wait_events(
        lambda e: e["kind"] == "success" and e["payload"]["litellm_call_id"] == call_id
    )[0]
    payload = event["payload"]
    assert payload["requester_ip_address"] == "127.0.0.1"
    assert payload["user_agent"].startswith("OpenAI/Python")
    assert payload["metadata"]["endpoint"] == "/v1/chat/completions"
    assert payload["metadata"]["user_api_key_hash"] == hashlib.sha256(MASTER_KEY.encode()).hexdigest()
    assert payload["model_group"] == "fake-gpt"
    assert payload["response_cost"] == pytest.approx(float(h["x-litellm-response-cost"]))


def test_openai_sdk_stream_passes_chunks(sdk: openai.OpenAI, proxy: Proxy) -> None:
    stream = sdk.chat.completions.create(
        model="fake-gpt",
        messages=[{"role": "user", "content": "hi"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hello from the fake provider! This reply is deterministic."
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 9
    proxy.wait_events(lambda e: e["kind"] == "stream_iterator" and e["chunks"] >= 9)


def test_stream_chunks_arrive_before_the_stream_ends(proxy: Proxy) -> None:
    body = {"model": "slow-stream", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    with proxy.client() as c, c.stream("POST", "/v1/chat/completions", json=body) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        started = time.monotonic()
        lines = r.iter_lines()
        first = next(line for line in lines if line.startswith("data: "))
        assert time.monotonic() - started < 3.0  # 60 chunks x 100 ms: the whole stream takes 6 s
        assert json.loads(first[6:])["object"] == "chat.completion.chunk"
    # the client left after one chunk: the upstream stream is closed, the event says so early
    event = proxy.wait_events(
        lambda e: e["kind"] in ("success", "failure") and e["payload"]["model_group"] == "slow-stream",
        timeout=4,
    )[0]
    assert event["payload"]["endTime"] - event["payload"]["startTime"] < 5.0


def test_client_disconnect_cancels_a_pending_upstream_call(proxy: Proxy) -> None:
    body = {"model": "slow-json", "messages": [{"role": "user", "content": "hi"}]}
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout), proxy.client(timeout=0.5) as c:
        c.post("/v1/chat/completions", json=body)
    # the proxy notices the disconnect at once and records the request as 499, long before the
    # upstream's 4 s answer would have come
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        text = httpx.get(proxy.url + "/metrics").text
        if any(
            'status_code="499"' in line and 'requested_model="slow-json"' in line
            for line in text.splitlines()
        ):
            break
        time.sleep(0.05)
    else:
        raise AssertionError("no 499 recorded for the disconnected request")
    assert time.monotonic() - started < 3.5


def test_embeddings_and_models(sdk: openai.OpenAI) -> None:
    emb = sdk.embeddings.create(model="fake-embed", input=["a", "b"])
    assert len(emb.data) == 2 and len(emb.data[0].embedding) > 0
    ids = [m.id for m in sdk.models.list().data]
    assert ids[:2] == ["fake-gpt", "fake-embed"]
    assert ids[-1] == "gpt-alias"  # a model_group_alias is listed (and callable), as LiteLLM lists it
    reply = sdk.chat.completions.with_raw_response.create(
        model="gpt-alias", messages=[{"role": "user", "content": "x"}]
    )
    assert reply.headers["x-litellm-model-group"] == "fake-gpt"  # the group that served it


def test_model_info_describes_every_deployment_and_alias(proxy: Proxy) -> None:
    with proxy.client() as c:
        data = c.get("/v1/model/info").json()["data"]
    by_name = {d["model_name"]: d for d in data}
    gpt = by_name["fake-gpt"]["model_info"]
    assert gpt["key"] == "gpt-4o-mini" and gpt["litellm_provider"] == "openai" and gpt["db_model"] is False
    assert "tools" in gpt["supported_openai_params"] and gpt["input_cost_per_token"] > 0
    unpriced = by_name["limited"]["model_info"]  # openai/fake-error-429: not in the price map
    assert unpriced["key"] == "fake-error-429" and unpriced["litellm_provider"] == "openai"
    assert "input_cost_per_token" not in unpriced  # an unknown price is not shown as free
    alias = by_name["gpt-alias"]
    assert alias["model_info"]["id"] == gpt["id"] and alias["litellm_params"]["api_key"] == "********"


def test_chat_json_has_no_nulls_openai_never_sends(proxy: Proxy) -> None:
    with proxy.client() as c:
        r = c.post(
            "/v1/chat/completions", json={"model": "fake-gpt", "messages": [{"role": "user", "content": "x"}]}
        )
    message = r.json()["choices"][0]["message"]
    assert message["content"] and not {"tool_calls", "function_call", "provider_specific_fields"} & set(
        message
    )
    assert "text_tokens" not in (r.json()["usage"].get("prompt_tokens_details") or {})


def test_auth_header_forms_and_401_shape(proxy: Proxy) -> None:
    body = {"model": "fake-gpt", "messages": [{"role": "user", "content": "hi"}]}
    for headers in (
        {"Authorization": f"Bearer {MASTER_KEY}"},
        {"x-litellm-api-key": MASTER_KEY},
        {"api-key": MASTER_KEY},
    ):
        assert httpx.post(proxy.url + "/chat/completions", json=body, headers=headers).status_code == 200
    for headers in ({}, {"Authorization": "Bearer sk-wrong"}, {"api-key": MASTER_KEY[:-1]}):
        r = httpx.post(proxy.url + "/v1/chat/completions", json=body, headers=headers)
        assert r.status_code == 401
        err = r.json()["error"]
        assert set(err) == {"message", "type", "param", "code"} and err["code"] == "401"
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=proxy.url, api_key="sk-nope", max_retries=0).models.list()
    assert httpx.get(proxy.url + "/health/liveliness").status_code == 200  # public
    assert httpx.get(proxy.url + "/v1/model/info").status_code == 401


def test_keys_never_cross(proxy: Proxy, fake_url: str, fake_provider) -> None:
    with proxy.client() as c:
        info = c.get("/v1/model/info").json()["data"]
        assert (
            c.post(
                "/chat/completions",
                json={"model": "fake-gpt", "messages": [{"role": "user", "content": "x"}]},
            ).status_code
            == 200
        )
        assert c.get("/model/info").json()["data"] == info
    assert UPSTREAM_KEY not in json.dumps(info)
    assert info[0]["litellm_params"]["api_key"] == "********"
    upstream = fake_provider.requests[-1]["headers"]
    sent = json.dumps(upstream)
    assert MASTER_KEY not in sent and UPSTREAM_KEY in sent


def test_errors_keep_upstream_status_and_shape(proxy: Proxy, sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.RateLimitError) as rl:
        sdk.chat.completions.create(model="limited", messages=[{"role": "user", "content": "x"}])
    assert rl.value.status_code == 429
    with pytest.raises(openai.BadRequestError) as cw:
        sdk.chat.completions.create(model="too-long", messages=[{"role": "user", "content": "x"}])
    assert cw.value.code == "context_length_exceeded"
    with proxy.client() as c:
        r = c.post("/v1/chat/completions", json={"model": "nope", "messages": []})
        assert r.status_code == 400 and "nope" in r.json()["error"]["message"]
        r = c.post(
            "/v1/chat/completions", json={"model": "fake-gpt", "api_base": "http://evil", "messages": []}
        )
        assert r.status_code == 400 and r.json()["error"]["param"] == "api_base"
        assert r.headers["x-litellm-response-cost"] == "0.0"  # a failed call cost nothing
        r = c.post("/v1/chat/completions", content=b"{not json", headers={"content-type": "application/json"})
        assert r.status_code == 400 and "Invalid JSON" in r.json()["error"]["message"]
        assert r.json()["error"]["param"] == "request_body"
        r = c.post("/v1/chat/completions", json={"model": "fake-gpt"})  # no messages: the client's error
        assert r.status_code == 400 and r.json()["error"]["param"] == "messages"
        r = c.post(
            "/v1/chat/completions",
            json={"model": "fake-gpt", "messages": [{"role": "user", "content": "x" * 1_200_000}]},
        )
        assert r.status_code == 413
        r = c.get("/v1/nowhere")
        assert r.status_code == 404 and r.json()["error"]["type"] == "not_found_error"
    proxy.wait_events(lambda e: e["kind"] == "post_failure" and e["error"] == "RateLimitError")


def test_retry_and_fallback_headers(proxy: Proxy) -> None:
    with proxy.client() as c:
        r = c.post(
            "/v1/chat/completions", json={"model": "flaky", "messages": [{"role": "user", "content": "x"}]}
        )
        assert r.status_code == 200, r.text
        assert r.headers["x-litellm-attempted-fallbacks"] == "1"
        assert r.headers["x-litellm-model-group"] == "fake-gpt"
        r = c.post(
            "/v1/chat/completions",
            json={"model": "once-failing", "messages": [{"role": "user", "content": "x"}]},
        )
        assert r.status_code == 200, r.text  # num_retries: 1 absorbed the upstream's one 500
        assert r.headers["x-litellm-attempted-retries"] == "1"  # as the Router reported it


def test_pre_call_hook_rejects_and_rewrites(
    proxy: Proxy, sdk: openai.OpenAI, fake_url: str, fake_provider
) -> None:
    reply = sdk.chat.completions.create(
        model="fake-gpt", messages=[{"role": "user", "content": "[reject] me"}]
    )
    assert reply.choices[0].message.content == "Rejected by the pre-call hook"
    sdk.chat.completions.create(model="fake-gpt", messages=[{"role": "user", "content": "[rewrite] me"}])
    assert fake_provider.requests[-1]["json"]["messages"][-1]["content"] == "rewritten"
    with pytest.raises(openai.BadRequestError) as flagged:
        sdk.chat.completions.create(model="fake-gpt", messages=[{"role": "user", "content": "[flag] me"}])
    assert "moderation hook" in str(flagged.value)
    assert proxy.wait_events(lambda e: e["kind"] == "post_success")
    assert proxy.events("pre_call")[0]["call_type"] == "completion"


def test_azure_style_route_with_azure_sdk(proxy: Proxy) -> None:
    client = openai.AzureOpenAI(
        azure_endpoint=proxy.url, api_key=MASTER_KEY, api_version="2024-06-01", max_retries=0
    )
    reply = client.chat.completions.create(model="fake-gpt", messages=[{"role": "user", "content": "hi"}])
    assert reply.choices[0].message.content.startswith("Hello")


def test_call_type_not_built_answers_501_openai_shaped(proxy: Proxy, monkeypatch) -> None:
    """A route whose call function is missing from the registry: a clear 501, not a 500. Checked on the
    backend directly for a name that can never exist, and over HTTP for any route still missing."""
    import asyncio

    from litellm.calls.registry import CALLS
    from litellm.proxy.backend import DirectBackend, UnsupportedCallType

    backend = DirectBackend(
        [{"model_name": "m", "litellm_params": {"model": "openai/x"}, "model_info": {"id": "1"}}]
    )
    with pytest.raises(UnsupportedCallType, match="not available in this build"):
        asyncio.run(backend.call("afuture_call_type", "m", {}))
    missing = [("aresponses", "/v1/responses", {"model": "fake-gpt", "input": "hi"})]
    with proxy.client() as c:
        for call, path, body in missing:
            if call not in CALLS:
                r = c.post(path, json=body)
                assert r.status_code == 501, (call, r.text)
                assert (
                    r.json()["error"]["type"] == "not_implemented_error"
                    and call in r.json()["error"]["message"]
                )


def test_metrics_health_and_docs(proxy: Proxy, sdk: openai.OpenAI) -> None:
    sdk.chat.completions.create(model="fake-gpt", messages=[{"role": "user", "content": "count me"}])
    proxy.wait_events(lambda e: e["kind"] == "success")
    deadline = time.monotonic() + 5
    while True:
        text = httpx.get(proxy.url + "/metrics").text
        if "litellm_total_tokens_metric_total" in text or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    for name in (
        "litellm_proxy_total_requests_metric_total",
        "litellm_proxy_failed_requests_metric_total",
        "litellm_request_total_latency_metric_bucket",
        "litellm_requests_metric_total",
        "litellm_spend_metric_total",
        "litellm_input_tokens_metric_total",
        "litellm_output_tokens_metric_total",
        "litellm_total_tokens_metric_total",
        "litellm_llm_api_latency_metric_bucket",
        "litellm_deployment_state",
        "litellm_remaining_requests_metric",
    ):
        assert name in text, name
    assert 'route="/v1/chat/completions"' in text
    ready = httpx.get(proxy.url + "/health/readiness").json()
    # a master key turns on the state store (SQLite here): readiness checks it with a SELECT 1
    assert ready["status"] == "healthy" and ready["db"] == "connected"
    with proxy.client() as c:
        health = c.get("/health", params={"model": "fake-gpt"}).json()
        assert health["healthy_count"] == 1 and UPSTREAM_KEY not in json.dumps(health)
        bad = c.get("/health", params={"model": "limited"}).json()
        assert bad["unhealthy_count"] == 1 and "RateLimitError" in bad["unhealthy_endpoints"][0]["error"]
    spec = httpx.get(proxy.url + "/openapi.json").json()
    assert "/v1/chat/completions" in spec["paths"] and "/v2/rerank" in spec["paths"]
    assert "swagger-ui" in httpx.get(proxy.url + "/docs").text


def test_sigterm_drains_stream_and_flushes(proxy: Proxy) -> None:
    """Runs last in this module: SIGTERM while a stream is in flight; the stream completes, the process
    exits cleanly and the stream's logging event was delivered before exit."""
    import signal
    import threading

    body = {"model": "drain-stream", "stream": True, "messages": [{"role": "user", "content": "drain"}]}
    lines: list[str] = []
    with proxy.client() as c, c.stream("POST", "/v1/chat/completions", json=body) as r:
        it = r.iter_lines()
        lines.append(next(it))
        threading.Timer(0.0, proxy.proc.send_signal, (signal.SIGTERM,)).start()
        lines.extend(it)
    data = [line for line in lines if line.startswith("data: ")]
    assert data[-1] == "data: [DONE]" and len(data) >= 11  # every chunk arrived after SIGTERM
    assert proxy.proc.wait(20) == 0
    assert "shut down cleanly" in Path(proxy.log).read_text()
    assert any(
        e["kind"] == "success" and e["payload"]["model_group"] == "drain-stream" for e in proxy.events()
    )
    assert "Traceback" not in Path(proxy.log).read_text()
