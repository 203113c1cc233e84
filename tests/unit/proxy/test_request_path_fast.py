"""The proxy request path's shortcuts give what the general code gives: the encoded response head
(``LLMRoute._raw_headers``) is ``_headers``' dict encoded, header reads match Starlette's, the body read
matches ``Request.body()``, the pydantic dump matches ``model_dump_json().encode()``, the sink list
splits as the sinks are added, and a client disconnect still cancels a pending upstream call."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect, Request

from litellm.calls.costing import HiddenParams
from litellm.core.types import ModelResponse
from litellm.proxy import handlers
from litellm.proxy.backend import CallInfo, hidden_params
from litellm.proxy.handlers import LLMRoute, RawResponse, SinkList


class _Mapping(Mapping[str, Any]):
    """Hidden params that are a Mapping but not a dict."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __iter__(self) -> Any:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def _route(version: str = "1.2.3") -> LLMRoute:
    return LLMRoute(SimpleNamespace(version=version), "acompletion", "completion")


def _priced_hidden(data: dict[str, Any], cost: float | None) -> HiddenParams:
    ctx = SimpleNamespace(cost=SimpleNamespace(response_cost=cost), raw_response=None, call_type="x")
    return HiddenParams(data, ctx, None)


def _with_hidden(hidden: Any) -> ModelResponse:
    response = ModelResponse()
    response.__pydantic_private__["_hidden_params"] = hidden  # type: ignore[index]
    return response


def _old_encoded(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    """What RawResponse sent before the head was built encoded: _headers' dict, each pair encoded."""
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


def _same_head(route: LLMRoute, call_id: str, info: Any, make_result: Any, started: Any) -> None:
    # a result per build: HiddenParams prices (and then holds the cost) on the first read
    old = route._headers(call_id, info, make_result(), started)
    new = route._raw_headers(call_id, info, make_result(), started)
    assert list(new.items()) == _old_encoded(old)
    body = b'{"x": 1}'
    assert RawResponse(200, body, raw=new).headers == RawResponse(200, body, old).headers


@pytest.fixture
def frozen_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: 1_700_000_000.25)


ADDITIONAL = {
    "llm_provider-x-request-id": "req_1",
    "llm_provider-openai-processing-ms": "12",
    "llm_provider-x-ratelimit-limit-requests": "10000",
    "llm_provider-x-ratelimit-remaining-tokens": 9999000,
    "llm_provider-retry-after": None,
    "x-litellm-model-group": "group-a",
    "x-litellm-attempted-retries": 0,
    "x-litellm-attempted-fallbacks": 1,
    "x-litellm-custom": 1.5,
    "x-litellm-flag": True,
    "x-other": "dropped",
    "content-type": "dropped",
}


def test_head_without_result_or_info(frozen_time: None) -> None:
    route = _route()
    _same_head(route, "call-1", None, lambda: None, None)
    _same_head(route, "call-1", CallInfo("g"), lambda: None, 1_700_000_000.0)
    _same_head(route, "call-1", CallInfo("g", "id", "http://b?k=v", None, None, 2, 1, 3), lambda: None, None)
    _same_head(route, "call-1", None, lambda: SimpleNamespace(), 1.0)  # no hidden params at all


def test_head_with_hidden_params(frozen_time: None) -> None:
    route = _route()
    info = CallInfo("group-a", "dep-1", "http://127.0.0.1:1/v1", "openai", "gpt", 0, 0, None)
    started = 1_700_000_000.0
    for additional in (None, {}, ADDITIONAL, {"x-litellm-model-id": "late", "x-litellm-version": "9"}):
        data: dict[str, Any] = {"api_base": "http://other/v1?api-version=1", "_response_ms": 41.5}
        if additional is not None:
            data["additional_headers"] = dict(additional)
        for cost in (None, 6.3e-06, 0.0):
            _same_head(
                route, "c", info, lambda d=data, c=cost: _with_hidden(_priced_hidden(dict(d), c)), started
            )
            _same_head(route, "c", info, lambda d=data: _with_hidden(dict(d)), started)
            _same_head(route, "c", None, lambda d=data: _with_hidden(dict(d)), started)
            _same_head(route, "c", info, lambda d=data: _with_hidden(dict(d)), None)
            _same_head(
                route, "c", info, lambda d=data: SimpleNamespace(_hidden_params=_Mapping(dict(d))), started
            )
    # the cost header prices the call, once
    hidden = _priced_hidden({"_response_ms": 3}, 1e-05)
    head = route._raw_headers("c", info, _with_hidden(hidden), started)
    assert head[b"x-litellm-response-cost"] == b"1e-05" and hidden._ctx is None
    assert head[b"x-litellm-response-duration-ms"] == b"3.000"


def test_head_random_results(frozen_time: None) -> None:
    rnd = random.Random(7)
    values: list[Any] = ["v", "10", 7, 0, -3, 2.5, 1e-07, True, None, 10**20, "é"]
    names = [
        *ADDITIONAL,
        "llm_provider-x-ratelimit-reset-tokens",
        "x-litellm-call-id",
        "x-litellm-max-retries",
        "x-litellm-response-cost",
        "x-litellm-overhead-duration-ms",
    ]
    for _ in range(400):
        info = None
        if rnd.random() < 0.8:
            info = CallInfo(
                rnd.choice(["g", "group-b"]),
                rnd.choice([None, "", "id-1", 42]),
                rnd.choice([None, "", "http://h/v1", "http://h/v1?x=1"]),
                None,
                None,
                rnd.choice([0, 1, 3]),
                rnd.choice([0, 1]),
                rnd.choice([None, 0, 2]),
            )
        data: dict[str, Any] = {}
        if rnd.random() < 0.5:
            data["api_base"] = rnd.choice([None, "http://hidden/v1?q"])
        if rnd.random() < 0.7:
            data["_response_ms"] = rnd.choice([0.0, 12.3456, 5, 1e9])
        if rnd.random() < 0.7:
            data["additional_headers"] = {n: rnd.choice(values) for n in rnd.sample(names, rnd.randint(0, 8))}
        cost = rnd.choice([None, 1.25e-05])
        started = rnd.choice([None, 1_700_000_000.0])
        kind = rnd.randint(0, 2)

        def make(data: dict[str, Any] = data, cost: Any = cost, kind: int = kind) -> Any:
            if kind == 0:
                return _with_hidden(_priced_hidden(dict(data), cost))
            if kind == 1:
                return _with_hidden(dict(data))
            return SimpleNamespace(_hidden_params=dict(data))

        _same_head(_route(), "call", info, make, started)


def test_head_errors_match() -> None:
    route = _route()
    info = CallInfo("g", api_base="http://\u4e2d/v1")  # not latin-1: the response cannot be sent
    with pytest.raises(UnicodeEncodeError):
        route._raw_headers("c", info, None, None)
    with pytest.raises(UnicodeEncodeError):
        RawResponse(200, b"", route._headers("c", info, None, None))


def test_hidden_params_reads_the_private_dict() -> None:
    hidden = {"model_id": "x"}
    assert hidden_params(_with_hidden(hidden)) is hidden
    assert hidden_params(ModelResponse()) == {}
    assert hidden_params(SimpleNamespace(_hidden_params=None)) == {}
    assert hidden_params(object()) == {}


def _request(
    headers: list[tuple[bytes, bytes]], messages: list[dict[str, Any]], client: Any = None
) -> Request:
    queue = list(messages)

    async def receive() -> dict[str, Any]:
        return queue.pop(0)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers, "client": client}
    return Request(scope, receive)


def test_header_view_reads_as_starlette() -> None:
    raw = [(b"a", b"1"), (b"authorization", b"Bearer k"), (b"a", b"2"), (b"x", b"\xe9t\xe9"), (b"empty", b"")]
    view = handlers._HeaderView(raw)
    starlette = Headers(raw=raw)
    for name in ("a", "A", "authorization", "x", "empty", "missing"):
        assert view.get(name) == starlette.get(name)
        assert view.get(name, "d") == starlette.get(name, "d")
    assert isinstance(handlers._headers_of(_request(raw, [])), handlers._HeaderView)
    other = _request([], [])
    other.scope["headers"] = tuple(raw)
    assert handlers._headers_of(other).get("a") == "1"


def test_client_host() -> None:
    assert handlers._client_host(_request([], [], ("1.2.3.4", 5))) == "1.2.3.4"
    assert handlers._client_host(_request([], [], ["1.2.3.4", 5])) == "1.2.3.4"
    assert handlers._client_host(_request([], [], None)) is None


@pytest.mark.parametrize(
    "messages",
    [
        [{"type": "http.request", "body": b'{"a": 1}', "more_body": False}],
        [{"type": "http.request", "body": b"", "more_body": False}],
        [{"type": "http.request"}],
        [
            {"type": "http.request", "body": b"ab", "more_body": True},
            {"type": "http.request", "body": b"", "more_body": True},
            {"type": "http.request", "body": b"cd"},
        ],
        [{"type": "http.request", "body": b"ab", "more_body": True}, {"type": "http.disconnect"}],
        [{"type": "http.disconnect"}],
    ],
)
async def test_read_body_is_request_body(messages: list[dict[str, Any]]) -> None:
    async def read(reader: Any) -> tuple[Any, ...]:
        request = _request([], messages)
        try:
            body = await reader(request)
        except ClientDisconnect:
            body = "disconnect"
        return body, request._stream_consumed, request._is_disconnected, getattr(request, "_body", None)

    assert await read(handlers._read_body) == await read(Request.body)
    request = _request([], messages[:1] if messages[0]["type"] == "http.request" else messages)
    if messages[0]["type"] == "http.request" and not messages[0].get("more_body"):
        first = await handlers._read_body(request)
        assert await request.body() == first and await handlers._read_body(request) == first


def test_dump_is_model_dump_json_without_the_nulls_openai_never_sends() -> None:
    import json

    tricky = 'say ,"tool_calls":null and ,"function_call":null'  # inside a string: quotes are escaped
    response = ModelResponse(
        id="x", model="m", choices=[{"index": 0, "message": {"role": "assistant", "content": tricky}}]
    )
    expected = json.loads(response.model_dump_json())
    message = expected["choices"][0]["message"]
    for key in ("tool_calls", "function_call", "provider_specific_fields"):
        assert message.pop(key) is None
    dumped = handlers._dump(response)
    assert json.loads(dumped) == expected and json.loads(dumped)["choices"][0]["message"]["content"] == tricky
    with_tools = ModelResponse(
        id="y",
        model="m",
        choices=[
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {"id": "t", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                    ],
                },
            }
        ],
    )
    message = json.loads(handlers._dump(with_tools))["choices"][0]["message"]
    assert message["tool_calls"][0]["id"] == "t" and message["content"] is None  # what OpenAI sends stays

    class Custom(ModelResponse):
        def model_dump_json(self, **kwargs: Any) -> str:
            return '{"custom": true}'

    assert handlers._dump(Custom()) == b'{"custom": true}'


def test_sink_list_splits_and_follows_changes() -> None:
    def now(record: Any) -> None:
        pass

    def later(record: Any) -> None:
        pass

    later.after_response = True  # type: ignore[attr-defined]
    sinks = SinkList([later])
    assert sinks.split() == ((), (later,))
    sinks.append(now)
    assert sinks.split() == ((now,), (later,))
    sinks += [now]
    assert sinks.split() == ((now, now), (later,))
    sinks[0] = now
    assert sinks.split() == ((now, now, now), ())
    del sinks[1:]
    sinks.insert(0, later)
    assert sinks.split() == ((now,), (later,))
    sinks.clear()
    assert sinks.split() == ((), ())


async def test_done_runs_sinks_now_and_after_the_answer() -> None:
    seen: list[str] = []

    def first(record: Any) -> None:
        seen.append("first")

    def metrics(record: Any) -> None:
        seen.append("after")

    def broken(record: Any) -> None:
        raise ValueError("boom")

    metrics.after_response = True  # type: ignore[attr-defined]
    for sinks in (SinkList([metrics, broken, first]), [metrics, broken, first]):
        seen.clear()
        route = LLMRoute(SimpleNamespace(tracer=None, on_request_done=sinks), "acompletion", "completion")
        route._done(handlers.RequestRecord("c", "/r", "acompletion", None, None, 200, 0.0, 0.0, None, None))
        assert seen == ["first"]
        await asyncio.sleep(0)
        assert seen == ["first", "after"]
    seen.clear()
    route = LLMRoute(
        SimpleNamespace(tracer=None, on_request_done=SinkList([metrics, first])), "acompletion", "c"
    )
    record = handlers.RequestRecord("c", "/r", "acompletion", None, None, 200, 0.0, 0.0, None, None)
    await asyncio.get_running_loop().run_in_executor(None, route._done, record)  # no loop there: in order
    assert seen == ["after", "first"]


async def test_disconnect_cancels_a_pending_call_after_the_delay() -> None:
    disconnected = asyncio.Event()

    async def receive() -> dict[str, Any]:
        await disconnected.wait()
        return {"type": "http.disconnect"}

    async def slow() -> str:
        await asyncio.sleep(5)
        return "late"

    async def quick() -> str:
        await asyncio.sleep(0.001)
        return "ok"

    # quick calls never get a watcher; several pending calls each get theirs
    assert await handlers._unless_disconnected(quick(), receive) == "ok"
    loop = asyncio.get_running_loop()
    started = loop.time()
    calls = [asyncio.ensure_future(handlers._unless_disconnected(slow(), receive)) for _ in range(3)]
    await asyncio.sleep(0.03)
    done = asyncio.ensure_future(handlers._unless_disconnected(quick(), receive))
    disconnected.set()
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert all(isinstance(r, handlers.ClientDisconnected) for r in results)
    assert loop.time() - started < 1
    assert await done == "ok"


async def test_an_answered_call_is_not_cancelled_later() -> None:
    gone = asyncio.Event()

    async def receive() -> dict[str, Any]:
        await gone.wait()
        return {"type": "http.disconnect"}

    async def medium() -> str:
        await asyncio.sleep(0.04)
        return "answer"

    assert await handlers._unless_disconnected(medium(), receive) == "answer"
    gone.set()
    await asyncio.sleep(0.05)  # the request goes on after its call: nothing cancels it now


@pytest.mark.parametrize("how", ["send fails", "disconnect while reading", "completes"])
async def test_a_chat_stream_whose_client_leaves_is_recorded_as_499_whatever_it_was_doing(how: str) -> None:
    """SSEResponse stops the relay two ways: a cancel while it waits for the upstream (CancelledError) or
    an aclose while a chunk is being sent (GeneratorExit). Both are a client gone: 499, upstream closed."""
    from litellm.types.utils import ModelResponseStream

    records: list[Any] = []
    closed: list[bool] = []

    class Upstream:
        def __init__(self) -> None:
            self.n = 0

        def __aiter__(self) -> Upstream:
            return self

        async def __anext__(self) -> Any:
            self.n += 1
            if self.n > 4:
                raise StopAsyncIteration
            if how == "disconnect while reading" and self.n == 3:
                await asyncio.sleep(5)  # the client leaves while we wait for the provider
            return ModelResponseStream(id="c1", model="m", choices=[{"index": 0, "delta": {"content": "x"}}])

        async def aclose(self) -> None:
            closed.append(True)

    hooks = SimpleNamespace(stream_iter=[], stream_chunk=[])
    route = LLMRoute(
        SimpleNamespace(tracer=None, on_request_done=[records.append], hooks=hooks),
        "acompletion",
        "completion",
    )
    sent: list[bytes] = []
    gone = asyncio.Event()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body" and message["body"]:
            sent.append(message["body"])
            if len(sent) == 2 and how == "send fails":
                raise OSError("connection reset by the client")
            if len(sent) == 2 and how == "disconnect while reading":
                gone.set()

    async def receive() -> dict[str, Any]:
        await gone.wait()
        return {"type": "http.disconnect"}

    chunks = route._sse(Upstream(), {}, None, "/v1/chat/completions", "c1", 0.0, "m", None)
    await asyncio.wait_for(handlers.SSEResponse(chunks, {})({"type": "http"}, receive, send), 2)
    assert len(records) == 1 and records[0].stream is True
    assert records[0].status == (200 if how == "completes" else 499), how
    assert closed == [True]  # the upstream stream was released either way
    if how == "completes":
        assert sent[-1] == handlers._DONE
