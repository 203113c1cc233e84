"""_Cycle.respond(status, headers, body) (what RawResponse uses under the proxy's HTTP server) does what
``send`` does with a start message and one final body message: the same bytes written, the same
connection state after, the same errors; it declines (nothing done) when send must wait or a response
already started."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any

import pytest

from litellm.proxy.handlers import RawResponse
from litellm.proxy.http_server import _Cycle
from tests.unit.proxy._http import FakeTransport, protocol


def _cycle(method: str, keep_alive: bool, http10: bool, closing: bool, disconnected: bool) -> _Cycle:
    proto, _ = protocol(
        default_headers=[(b"date", b"D"), (b"server", b"s")],
        loop=SimpleNamespace(time=lambda: 1.0, call_later=lambda *a: None),
    )
    proto.connection_made(FakeTransport())
    proto.closing = closing
    cycle = _Cycle(proto, {"method": method}, None, keep_alive, http10)
    cycle.disconnected = disconnected
    return cycle


def _state(cycle: _Cycle) -> tuple[Any, ...]:
    return (
        cycle.transport.written,
        cycle.keep_alive,
        cycle.started,
        cycle.complete,
        cycle.length,
        cycle.sent,
        cycle.chunked,
        cycle.no_body,
        cycle.head,
        cycle.status,
    )


async def _by_messages(cycle: _Cycle, status: int, headers: Any, body: bytes) -> None:
    await cycle.send({"type": "http.response.start", "status": status, "headers": headers})
    await cycle.send({"type": "http.response.body", "body": body})


HEADERS = [
    [],
    [(b"content-type", b"application/json")],
    [(b"content-type", b"application/json"), (b"content-length", b"2")],
    [(b"content-length", b"1")],  # shorter than the body: an error
    [(b"content-length", b"5")],  # longer than the body: framing broken, the connection closes
    [(b"connection", b"close"), (b"x-a", b"1")],
    [(b"transfer-encoding", b"chunked")],
    [(b"date", b"mine"), (b"x-b", b"2")],
    [(b"x-bad", b"a\r\nx-injected: 1")],
]


@pytest.mark.parametrize(
    "method,status,headers,body,keep_alive,http10,closing,disconnected",
    list(
        itertools.product(
            ["GET", "HEAD"],
            [200, 204, 304, 404, 500, 299],
            HEADERS,
            [b"", b"{}"],
            [True, False],
            [False, True],
            [False, True],
            [False, True],
        )
    ),
)
async def test_respond_is_the_two_messages(
    method: str, status: int, headers: Any, body: bytes, keep_alive: bool, http10: bool, closing: bool,
    disconnected: bool,
) -> None:  # fmt: skip
    old, new = (_cycle(method, keep_alive, http10, closing, disconnected) for _ in range(2))
    old_error = new_error = None
    try:
        await _by_messages(old, status, list(headers), body)
    except RuntimeError as exc:
        old_error = str(exc)
    try:
        assert new.respond(status, list(headers), body) is True
    except RuntimeError as exc:
        new_error = str(exc)
    assert new_error == old_error
    assert _state(new) == _state(old)


async def test_respond_declines_when_send_must_be_used() -> None:
    cycle = _cycle("GET", True, False, False, False)
    cycle.proto.write_paused = True
    assert cycle.respond(200, [], b"x") is False
    assert _state(cycle) == _state(_cycle("GET", True, False, False, False))
    cycle = _cycle("GET", True, False, False, False)
    await cycle.send({"type": "http.response.start", "status": 200, "headers": []})
    assert cycle.respond(200, [], b"x") is False
    assert cycle.transport.written == []


async def test_raw_response_uses_respond_and_falls_back() -> None:
    response = RawResponse(200, b'{"a":1}', raw={b"x-k": b"v"})
    fast = _cycle("GET", True, False, False, False)
    await response(None, None, fast.send)
    slow = _cycle("GET", True, False, False, False)
    await _by_messages(slow, 200, response.headers, response.body)
    assert _state(fast) == _state(slow)
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:  # another server's send
        sent.append(message)

    await response(None, None, send)
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
