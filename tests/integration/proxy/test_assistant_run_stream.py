"""Streamed assistant runs (``POST /v1/threads/{id}/runs`` with ``"stream": true``) through the proxy:
the openai SDK's ``runs.create(stream=True)`` and ``runs.stream(...)``, OpenAI's SSE framing event by
event (compared with what the upstream itself sends), events relayed as they arrive, a client that
leaves closing the upstream stream, errors before and after the first event, and the request's one
record (``/metrics``) and one logging event."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from openai.lib.streaming import AssistantEventHandler

from tests.integration.proxy._proxy import MASTER_KEY, Proxy, running_proxy
from tests.integration.receivers import CaptureServer

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),  # the SDK marks Assistants deprecated
]

CONFIG = """
model_list:
  - {model_name: chat, litellm_params: {model: openai/gpt-4o-mini, api_base: os.environ/BASE_V1, api_key: sk-up}}
  - {model_name: az, litellm_params: {model: azure/gpt-4o-mini, api_base: os.environ/BASE, api_key: sk-az,
                                      api_version: 2024-05-01-preview}}
assistant_settings:
  custom_llm_provider: openai
  litellm_params: {api_base: os.environ/BASE_V1, api_key: sk-assistants}
litellm_settings:
  callbacks: ["custom_callbacks.proxy_handler_instance", "prometheus"]
general_settings:
  master_key: os.environ/PROXY_MASTER_KEY
"""

REPLY = "Hello from the fake provider! This reply is deterministic."
RUN_EVENTS = [
    "thread.run.created",
    "thread.run.queued",
    "thread.run.in_progress",
    "thread.message.created",
    "thread.message.in_progress",
    *["thread.message.delta"] * 9,
    "thread.message.completed",
    "thread.run.completed",
]
DELAY_MS = 150  # the slow upstream's pause between events: a run's 17 events take about 2.4 s


def _start(tmp: Any, base_v1: str) -> Any:
    env = {"BASE_V1": base_v1, "BASE": base_v1.removesuffix("/v1"), "PROXY_MASTER_KEY": MASTER_KEY}
    return running_proxy(tmp, CONFIG, env=env)


@pytest.fixture(scope="module")
def proxy(fake_provider, tmp_path_factory) -> Iterator[Proxy]:
    with _start(tmp_path_factory.mktemp("runs"), fake_provider.url + "/v1") as p:
        yield p


@pytest.fixture(scope="module")
def slow_proxy(tmp_path_factory) -> Iterator[Proxy]:
    from litellm.fake_provider.server import start_fake_provider

    with start_fake_provider(chunk_delay_ms=DELAY_MS) as slow:
        with _start(tmp_path_factory.mktemp("runs-slow"), slow.url + "/v1") as p:
            yield p


@pytest.fixture
def sdk(proxy: Proxy) -> openai.OpenAI:
    return openai.OpenAI(base_url=proxy.url + "/v1", api_key=MASTER_KEY, max_retries=0)


def _thread(sdk: openai.OpenAI, model: str = "gpt-4o-mini") -> tuple[str, str]:
    assistant = sdk.beta.assistants.create(model=model, instructions="Be brief.")
    thread = sdk.beta.threads.create(messages=[{"role": "user", "content": "Say hello"}])
    return thread.id, assistant.id


def _blocks(body: str) -> list[list[str]]:
    """The SSE events of a body, each as its lines; the body must end with a blank line."""
    assert body.endswith("\n\n"), body[-200:]
    return [block.split("\n") for block in body[:-2].split("\n\n")]


def _metric(proxy: Proxy, name: str, route: str, status: str) -> float:
    text = httpx.get(proxy.url + "/metrics").text
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and f'route="{route}"' in line and f'"{status}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def _wait_metric(proxy: Proxy, name: str, route: str, status: str, timeout: float = 5.0) -> float:
    deadline = time.monotonic() + timeout
    while True:
        value = _metric(proxy, name, route, status)
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def _is_run_event(event: dict[str, Any], thread_id: str) -> bool:
    """A logging event of a run on ``thread_id`` (its input names the thread; run calls only)."""
    payload = event.get("payload") or {}
    return (
        event["kind"] in ("success", "failure")
        and str(payload.get("call_type")).startswith("arun_thread")
        and thread_id in json.dumps(payload.get("messages"))
    )


# -- the openai SDK ----------------------------------------------------------------------------------


def test_sdk_runs_create_stream_yields_every_event_typed(sdk: openai.OpenAI) -> None:
    thread_id, assistant_id = _thread(sdk)
    events = list(sdk.beta.threads.runs.create(thread_id=thread_id, assistant_id=assistant_id, stream=True))
    assert [e.event for e in events] == RUN_EVENTS
    assert type(events[0]).__name__ == "ThreadRunCreated" and events[0].data.thread_id == thread_id
    text = "".join(e.data.delta.content[0].text.value for e in events if e.event == "thread.message.delta")
    assert text == REPLY
    final = events[-1].data
    assert final.status == "completed" and final.usage is not None and final.usage.completion_tokens == 9
    # the run happened upstream: its answer is on the thread
    messages = sdk.beta.threads.messages.list(thread_id).data
    assert messages[0].role == "assistant" and messages[0].content[0].text.value == REPLY


def test_sdk_stream_helper_feeds_an_event_handler(sdk: openai.OpenAI) -> None:
    thread_id, assistant_id = _thread(sdk)

    class Collect(AssistantEventHandler):
        def __init__(self) -> None:
            super().__init__()
            self.deltas: list[str] = []
            self.events: list[str] = []

        def on_event(self, event: Any) -> None:
            self.events.append(event.event)

        def on_text_delta(self, delta: Any, snapshot: Any) -> None:
            self.deltas.append(delta.value)

    handler = Collect()
    with sdk.beta.threads.runs.stream(
        thread_id=thread_id, assistant_id=assistant_id, event_handler=handler
    ) as stream:
        stream.until_done()
        run = stream.get_final_run()
        messages = stream.get_final_messages()
    assert handler.events == RUN_EVENTS
    assert "".join(handler.deltas) == REPLY
    assert run.status == "completed" and run.thread_id == thread_id
    assert messages[0].content[0].text.value == REPLY


async def test_async_sdk_stream_helper(proxy: Proxy) -> None:
    client = openai.AsyncOpenAI(base_url=proxy.url + "/v1", api_key=MASTER_KEY, max_retries=0)
    assistant = await client.beta.assistants.create(model="gpt-4o-mini")
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
    async with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
        await stream.until_done()
        run = await stream.get_final_run()
    assert run.status == "completed"
    await client.close()


def test_an_azure_run_streams_with_the_azure_deployment_credentials(proxy: Proxy, fake_provider) -> None:
    sdk = openai.OpenAI(
        base_url=proxy.url + "/v1",
        api_key=MASTER_KEY,
        max_retries=0,
        default_headers={"custom-llm-provider": "azure"},
    )
    thread_id, assistant_id = _thread(sdk)
    events = list(sdk.beta.threads.runs.create(thread_id=thread_id, assistant_id=assistant_id, stream=True))
    assert [e.event for e in events] == RUN_EVENTS
    upstream = fake_provider.requests[-1]
    assert (
        upstream["path"] == f"/openai/threads/{thread_id}/runs" and upstream["headers"]["api-key"] == "sk-az"
    )
    assert MASTER_KEY not in json.dumps(upstream["headers"])


# -- the wire ----------------------------------------------------------------------------------------


def test_raw_sse_framing_matches_the_upstream_event_by_event(
    proxy: Proxy, sdk: openai.OpenAI, fake_provider
) -> None:
    thread_id, assistant_id = _thread(sdk)
    body = {"assistant_id": assistant_id, "stream": True}
    with proxy.client() as c:
        r = c.post(f"/v1/threads/{thread_id}/runs", json=body)
    direct = httpx.post(
        f"{fake_provider.url}/v1/threads/{thread_id}/runs",
        json=body,
        headers={"Authorization": "Bearer sk-assistants", "OpenAI-Beta": "assistants=v2"},
    )
    assert r.status_code == 200 and direct.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    assert r.headers["x-litellm-version"]
    ours, theirs = _blocks(r.text), _blocks(direct.text)
    assert [b[0] for b in ours] == [b[0] for b in theirs]  # the same events, in the same order
    assert ours[-1] == ["event: done", "data: [DONE]"]
    assert [b[0] for b in ours[:-1]] == [f"event: {name}" for name in RUN_EVENTS]
    for mine, upstream in zip(ours[:-1], theirs[:-1], strict=True):
        assert len(mine) == 2 and mine[1].startswith("data: "), mine  # one event line, one data line
        got, want = json.loads(mine[1][6:]), json.loads(upstream[1][6:])
        assert set(got) == set(want), mine[0]  # every field the upstream sent, nothing added
        assert got["object"] == want["object"]
        if mine[0] == "event: thread.message.delta":
            assert got["delta"] == want["delta"]
    run = json.loads(ours[-2][1][6:])
    assert run["status"] == "completed" and run["thread_id"] == thread_id
    assert run["usage"]["completion_tokens"] == 9


def test_events_are_relayed_as_they_arrive(slow_proxy: Proxy) -> None:
    sdk = openai.OpenAI(base_url=slow_proxy.url + "/v1", api_key=MASTER_KEY, max_retries=0)
    thread_id, assistant_id = _thread(sdk)
    arrivals: list[tuple[float, str]] = []
    body = {"assistant_id": assistant_id, "stream": True}
    with slow_proxy.client() as c, c.stream("POST", f"/v1/threads/{thread_id}/runs", json=body) as r:
        assert r.status_code == 200
        started = time.monotonic()
        for line in r.iter_lines():
            if line.startswith("event: "):
                arrivals.append((time.monotonic() - started, line[7:]))
    names = [name for _, name in arrivals]
    assert names == [*RUN_EVENTS, "done"]
    # 16 upstream pauses of 150 ms: buffered, every event would land at once after about 2.4 s
    first, last = arrivals[0][0], arrivals[-1][0]
    assert first < 1.0 and last - first > 1.5, arrivals


def test_a_client_that_leaves_closes_the_upstream_stream(slow_proxy: Proxy) -> None:
    sdk = openai.OpenAI(base_url=slow_proxy.url + "/v1", api_key=MASTER_KEY, max_retries=0)
    thread_id, assistant_id = _thread(sdk)
    route = f"/v1/threads/{thread_id}/runs"
    body = {"assistant_id": assistant_id, "stream": True}
    with slow_proxy.client() as c, c.stream("POST", route, json=body) as r:
        assert r.status_code == 200
        assert next(line for line in r.iter_lines() if line) == "event: thread.run.created"
    left = time.monotonic()
    # the relay stopped at once: the run's logging event says it ended early, and the request is
    # recorded as a 499, long before the upstream's 2.4 s stream would have finished
    event = slow_proxy.wait_events(lambda e: _is_run_event(e, thread_id), timeout=5)[0]
    assert time.monotonic() - left < 1.5
    assert event["payload"]["stream_incomplete"] in ("cancelled", "closed")  # (not read to its end)
    assert event["payload"]["endTime"] - event["payload"]["startTime"] < 1.5
    assert _wait_metric(slow_proxy, "litellm_proxy_failed_requests_metric_total", route, "499") == 1.0
    assert _metric(slow_proxy, "litellm_proxy_total_requests_metric_total", route, "200") == 0.0


@pytest.fixture(scope="module")
def laggy_proxy(tmp_path_factory) -> Iterator[Proxy]:
    from litellm.fake_provider.server import start_fake_provider

    with start_fake_provider(latency_ms=2500) as laggy:
        with _start(tmp_path_factory.mktemp("runs-laggy"), laggy.url + "/v1") as p:
            yield p


def test_a_client_that_leaves_before_the_first_event_cancels_the_upstream_call(laggy_proxy: Proxy) -> None:
    route = "/v1/threads/thread-pending/runs"
    with pytest.raises(httpx.ReadTimeout), laggy_proxy.client(timeout=0.5) as c:
        c.post(route, json={"assistant_id": "asst-1", "stream": True})
    left = time.monotonic()
    # recorded as a 499 at once, not as the 404 the upstream answers after 2.5 s
    assert _wait_metric(laggy_proxy, "litellm_proxy_failed_requests_metric_total", route, "499", 1.5) == 1.0
    assert time.monotonic() - left < 1.5
    time.sleep(max(0.0, 2.8 - (time.monotonic() - left)))
    assert _metric(laggy_proxy, "litellm_proxy_failed_requests_metric_total", route, "404") == 0.0


def test_a_client_that_leaves_a_run_without_stream_cancels_it(laggy_proxy: Proxy) -> None:
    route = "/v1/threads/thread-pending-plain/runs"
    with pytest.raises(httpx.ReadTimeout), laggy_proxy.client(timeout=0.5) as c:
        c.post(route, json={"assistant_id": "asst-1"})
    left = time.monotonic()
    # the polling run is cancelled at once and recorded as a 499, not as the upstream's 404 at 2.5 s
    assert _wait_metric(laggy_proxy, "litellm_proxy_failed_requests_metric_total", route, "499", 1.5) == 1.0
    assert time.monotonic() - left < 1.5
    time.sleep(max(0.0, 2.8 - (time.monotonic() - left)))
    assert _metric(laggy_proxy, "litellm_proxy_failed_requests_metric_total", route, "404") == 0.0


def test_the_success_and_failure_hooks_run_on_assistants_routes_without_upstream_keys(
    proxy: Proxy, sdk: openai.OpenAI
) -> None:
    # as LiteLLM's files/batches/assistants endpoints call them; the hook sees what the client sent
    assistant = sdk.beta.assistants.create(model="gpt-4o-mini", name="hooked")
    seen = proxy.wait_events(lambda e: e["kind"] == "post_success" and e.get("response") == "Assistant")
    assert seen[-1]["model"] == "gpt-4o-mini" and "name" in seen[-1]["keys"]
    assert not {"api_key", "api_base"} & set(seen[-1]["keys"])  # the upstream's credentials stay out
    with pytest.raises(openai.NotFoundError):
        sdk.beta.threads.runs.create(thread_id="thread-missing-hooked", assistant_id=assistant.id)
    failed = proxy.wait_events(lambda e: e["kind"] == "post_failure" and "thread_id" in e.get("keys", []))
    assert failed[-1]["error"] == "NotFoundError"
    assert "assistant_id" in failed[-1]["keys"] and "api_key" not in failed[-1]["keys"]


# -- records and logging -----------------------------------------------------------------------------


def test_one_record_and_one_logging_event_per_streamed_run(proxy: Proxy, sdk: openai.OpenAI) -> None:
    thread_id, assistant_id = _thread(sdk)
    route = f"/v1/threads/{thread_id}/runs"
    events = list(sdk.beta.threads.runs.create(thread_id=thread_id, assistant_id=assistant_id, stream=True))
    usage = events[-1].data.usage
    assert _wait_metric(proxy, "litellm_proxy_total_requests_metric_total", route, "200") == 1.0
    proxy.wait_events(lambda e: _is_run_event(e, thread_id))
    time.sleep(0.3)  # a second event would have arrived by now
    logged = [e for e in proxy.events() if _is_run_event(e, thread_id)]
    assert len(logged) == 1 and logged[0]["kind"] == "success"
    payload = logged[0]["payload"]
    assert payload["status"] == "success" and payload["call_type"] == "arun_thread_stream"
    assert payload["stream"] is True and payload["stream_incomplete"] is None
    assert payload["prompt_tokens"] == usage.prompt_tokens
    assert payload["completion_tokens"] == usage.completion_tokens
    assert payload["response_cost"] > 0
    assert _metric(proxy, "litellm_proxy_total_requests_metric_total", route, "200") == 1.0


# -- errors ------------------------------------------------------------------------------------------


def test_an_upstream_error_before_the_first_event_keeps_its_status_and_shape(
    proxy: Proxy, sdk: openai.OpenAI
) -> None:
    _, assistant_id = _thread(sdk)
    with proxy.client() as c:
        r = c.post("/v1/threads/thread-missing/runs", json={"assistant_id": assistant_id, "stream": True})
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"
    error = r.json()["error"]
    assert "No thread found" in error["message"] and set(error) >= {"message", "type", "param", "code"}
    with pytest.raises(openai.NotFoundError, match="No thread found"):
        sdk.beta.threads.runs.create(thread_id="thread-missing", assistant_id=assistant_id, stream=True)
    route = "/v1/threads/thread-missing/runs"
    assert _wait_metric(proxy, "litellm_proxy_failed_requests_metric_total", route, "404") == 2.0


def test_the_client_cannot_set_credentials_on_a_streamed_run(proxy: Proxy, sdk: openai.OpenAI) -> None:
    thread_id, assistant_id = _thread(sdk)
    body = {"assistant_id": assistant_id, "stream": True, "api_base": "http://example.invalid"}
    with proxy.client() as c:
        r = c.post(f"/v1/threads/{thread_id}/runs", json=body)
    assert r.status_code == 400 and r.json()["error"]["param"] == "api_base"
    with proxy.client(None) as c:
        assert c.post(f"/v1/threads/{thread_id}/runs", json={**body, "api_base": None}).status_code == 401


UPSTREAM_ERROR = {"code": "server_error", "message": "The run broke upstream", "param": None,
                  "type": "server_error"}  # fmt: skip
RATE_LIMITED = {
    "error": {"message": "Slow down", "type": "requests", "param": None, "code": "rate_limit_exceeded"}
}
CREATED = {"id": "run-1", "object": "thread.run", "created_at": 1, "thread_id": "thread-broken",
           "assistant_id": "asst-1", "status": "queued", "model": "gpt-4o-mini", "instructions": "", "tools": []}  # fmt: skip
BROKEN_ROUTES = {
    ("POST", "/v1/threads/thread-broken/runs"): (
        200,
        "text/event-stream",
        b"event: thread.run.created\ndata: " + json.dumps(CREATED).encode() + b"\n\n"
        b"event: error\ndata: " + json.dumps(UPSTREAM_ERROR).encode() + b"\n\n",
    ),
    ("POST", "/v1/threads/thread-limited/runs"): (
        429,
        "application/json",
        json.dumps(RATE_LIMITED).encode(),
    ),
}


@pytest.fixture(scope="module")
def broken_proxy(tmp_path_factory) -> Iterator[Proxy]:
    upstream = CaptureServer(BROKEN_ROUTES)
    try:
        with _start(tmp_path_factory.mktemp("runs-broken"), upstream.url + "/v1") as p:
            yield p
    finally:
        upstream.close()


def test_an_upstream_error_event_after_the_first_event_ends_the_stream(broken_proxy: Proxy) -> None:
    route = "/v1/threads/thread-broken/runs"
    with broken_proxy.client() as c:
        r = c.post(route, json={"assistant_id": "asst-1", "stream": True})
    assert r.status_code == 200
    blocks = _blocks(r.text)
    assert [b[0] for b in blocks] == ["event: thread.run.created", "event: error"]  # no `done` after it
    error = json.loads(blocks[1][1][6:])["error"]
    assert "The run broke upstream" in error["message"]
    assert _wait_metric(broken_proxy, "litellm_proxy_failed_requests_metric_total", route, "500") == 1.0

    sdk = openai.OpenAI(base_url=broken_proxy.url + "/v1", api_key=MASTER_KEY, max_retries=0)
    stream = sdk.beta.threads.runs.create(thread_id="thread-broken", assistant_id="asst-1", stream=True)
    seen = []
    with pytest.raises(openai.APIError, match="The run broke upstream"):
        for event in stream:
            seen.append(event.event)
    assert seen == ["thread.run.created"]


def test_an_upstream_429_before_the_first_event_is_a_429(broken_proxy: Proxy) -> None:
    sdk = openai.OpenAI(base_url=broken_proxy.url + "/v1", api_key=MASTER_KEY, max_retries=0)
    with pytest.raises(openai.RateLimitError, match="Slow down") as raised:
        sdk.beta.threads.runs.create(thread_id="thread-limited", assistant_id="asst-1", stream=True)
    assert raised.value.status_code == 429
    assert raised.value.body["code"] == "rate_limit_exceeded"


# -- the relay in process: a client gone while its event is being written -----------------------------


@pytest.mark.parametrize("how", ["send fails", "disconnect"])
async def test_a_client_gone_mid_write_closes_the_upstream_and_is_recorded_as_499(
    fake_provider, how: str
) -> None:
    import asyncio
    from types import SimpleNamespace

    from litellm.calls import assistants as A
    from litellm.proxy.handlers import SSEResponse
    from litellm.proxy.stateful import StatefulRoutes

    kw = {"custom_llm_provider": "openai", "api_base": fake_provider.url + "/v1", "api_key": "sk-a"}
    assistant = await A.acreate_assistants(model="gpt-4o-mini", **kw)
    thread = await A.acreate_thread(messages=[{"role": "user", "content": "hi"}], **kw)
    events = await A.arun_thread_events(
        thread_id=thread.id, assistant_id=assistant.id, extra_headers={"x-fake-chunk-delay-ms": "200"}, **kw
    )
    records: list[Any] = []
    config = SimpleNamespace()
    state = SimpleNamespace(
        runtime=SimpleNamespace(config=config), backend=SimpleNamespace(model_list=[]),
        on_request_done=[records.append], version="test",
    )  # fmt: skip
    routes = StatefulRoutes(state)
    sent: list[bytes] = []
    gone = asyncio.Event()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body" and message["body"]:
            sent.append(message["body"])
            if len(sent) == 2:
                if how == "send fails":
                    raise OSError("connection reset by the client")
                gone.set()

    async def receive() -> dict[str, Any]:
        await gone.wait()
        return {"type": "http.disconnect"}

    started = time.monotonic()
    response = SSEResponse(routes._relay(events, "/v1/threads/x/runs", None, time.time()), {})
    await asyncio.wait_for(response({"type": "http"}, receive, send), 5)
    assert time.monotonic() - started < 1.5  # not the whole 3 s stream
    assert sent[0].startswith(b"event: thread.run.created\ndata: ")
    assert len(records) == 1 and records[0].status == 499 and records[0].stream is True
    assert events._done  # the upstream reply was released (closed, not read to its end)
