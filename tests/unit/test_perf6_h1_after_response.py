"""The sinks marked ``after_response`` run once the JSON answer is sent, by the response itself (no
loop callback per request), in order, once, and even when sending fails; other responses keep the
loop callback. A request's task leaves ``server_state.tasks`` when it ends, without a done callback."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from litellm.proxy.handlers import LLMRoute, RawResponse, RequestRecord, SinkList
from tests.unit.proxy._http import FakeTransport, protocol


def _record() -> RequestRecord:
    return RequestRecord("c", "/r", "acompletion", None, None, 200, 0.0, 0.0, None, None)


def _route(seen: list[str], broken_later: bool = False) -> LLMRoute:
    def now(record: Any) -> None:
        seen.append("now")

    def later(record: Any) -> None:
        seen.append("later")
        if broken_later:
            raise ValueError("sink bug")

    def last(record: Any) -> None:
        seen.append("last")

    later.after_response = True  # type: ignore[attr-defined]
    last.after_response = True  # type: ignore[attr-defined]
    state = SimpleNamespace(tracer=None, on_request_done=SinkList([later, now, last]))
    return LLMRoute(state, "acompletion", "completion")


async def test_after_sinks_run_once_the_body_is_sent() -> None:
    seen: list[str] = []
    route = _route(seen)
    response = RawResponse(200, b"{}", raw={})
    route._done(_record(), response)
    assert seen == ["now"]
    await asyncio.sleep(0)
    assert seen == ["now"]  # not a loop callback: the response runs them

    async def send(message: dict[str, Any]) -> None:
        seen.append(message["type"])

    await response(None, None, send)
    assert seen == ["now", "http.response.start", "http.response.body", "later", "last"]
    await response(None, None, send)  # a second call sends again but runs no sink twice
    assert seen[-2:] == ["http.response.start", "http.response.body"]


async def test_after_sinks_run_when_sending_fails_and_a_broken_sink_is_logged() -> None:
    seen: list[str] = []
    route = _route(seen, broken_later=True)
    response = RawResponse(200, b"{}", raw={})
    route._done(_record(), response)

    async def send(message: dict[str, Any]) -> None:
        raise OSError("gone")

    with pytest.raises(OSError):
        await response(None, None, send)
    assert seen == ["now", "later", "last"]


async def test_without_a_response_the_loop_runs_them() -> None:
    seen: list[str] = []
    route = _route(seen)
    route._done(_record())
    assert seen == ["now"]
    await asyncio.sleep(0)
    assert seen == ["now", "later", "last"]


async def test_json_response_hands_the_sinks_to_its_response() -> None:
    seen: list[str] = []
    route = _route(seen)
    route.state.hooks = SimpleNamespace(success=(), headers=())
    route.state.version = "1"
    response = await route._json_response({"ok": 1}, {}, None, "/r", "c", 0.0, "m", None, None)
    assert type(response) is RawResponse and response.after is not None
    assert seen == ["now"]
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await response(None, None, send)
    assert sent[1]["body"] == b'{"ok": 1}'
    assert seen == ["now", "later", "last"]


@pytest.mark.parametrize("fail", [False, True])
async def test_a_request_task_leaves_the_task_set_when_it_ends(fail: bool) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        if fail:
            raise ValueError("app bug")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    proto, state = protocol(app)
    transport = FakeTransport()
    proto.connection_made(transport)
    proto.data_received(b"GET / HTTP/1.1\r\nhost: t\r\n\r\n")
    assert len(state.tasks) == 1
    (task,) = state.tasks
    await task
    assert state.tasks == set()
    assert transport.written[-1].startswith(b"HTTP/1.1 500 " if fail else b"HTTP/1.1 200 ")
    proto.connection_lost(None)
