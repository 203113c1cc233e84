"""Slow or half-sent request heads (slowloris) against the proxy's HTTP protocol: a real uvicorn.Server
with ``http=HttpProtocol`` on 127.0.0.1, short timeouts, raw sockets.

A head not complete ``timeout_request_head`` seconds after its first byte is answered 408 and closed; an
idle connection (fresh or between requests, or one sending only blank lines) is closed silently after
``timeout_keep_alive``; slow-but-in-time heads, keep-alive, pipelining and long streams are unaffected.
"""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace
from typing import Any

import pytest

from litellm.proxy import http_server
from litellm.proxy.http_server import HttpProtocol
from tests.unit.proxy import _http
from tests.unit.proxy._http import protocol, read_response, read_until_closed

pytestmark = pytest.mark.timeout(30)

HEAD_TIMEOUT = 0.5
KEEP_ALIVE = 1.0
# the loop on a busy 2-core box may fire a timer late; an answer later than this means no timeout at all
SLACK = 1.5


async def app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    if scope["path"] == "/stream":  # streams for longer than both timeouts
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}
        )
        for i in range(8):
            await send({"type": "http.response.body", "body": b"part %d\n" % i, "more_body": True})
            await asyncio.sleep(0.25)
        await send({"type": "http.response.body", "body": b"end\n"})
        return
    body = b"ok " + scope["path"].encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(body))],
        }
    )
    await send({"type": "http.response.body", "body": body})


def serving(head_timeout: float | None = HEAD_TIMEOUT) -> Any:
    """Our protocol under uvicorn with ``timeout_request_head`` set (None: the default); yields the port."""
    settings = {} if head_timeout is None else {"timeout_request_head": head_timeout}
    # a float keep-alive works: it goes to call_later
    return _http.serving(app, settings, timeout_keep_alive=KEEP_ALIVE)


def get(path: str) -> bytes:
    return b"GET %s HTTP/1.1\r\nhost: test\r\n\r\n" % path.encode()


async def test_partial_head_is_answered_408_and_closed() -> None:
    async with serving() as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        start = time.monotonic()
        writer.write(b"GET / HTTP/1.1\r\nhost: te")
        data = await read_until_closed(reader)
        elapsed = time.monotonic() - start
        writer.close()
    assert data.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), data
    assert b"connection: close\r\n" in data
    assert HEAD_TIMEOUT - 0.05 <= elapsed <= HEAD_TIMEOUT + SLACK, elapsed


async def test_trickled_head_is_timed_from_its_first_byte() -> None:
    """One byte every 50 ms never lets the head's deadline move: 408 at about HEAD_TIMEOUT."""
    async with serving() as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        head = b"GET /trickle HTTP/1.1\r\nhost: test\r\nx-filler: " + b"a" * 200
        start = time.monotonic()

        async def trickle() -> None:
            for byte in head:
                writer.write(bytes([byte]))
                await asyncio.sleep(0.05)

        data = await read_until_closed(reader, while_sending=trickle)
        elapsed = time.monotonic() - start
        writer.close()
    assert data.startswith(b"HTTP/1.1 408 "), data
    assert HEAD_TIMEOUT - 0.05 <= elapsed <= HEAD_TIMEOUT + SLACK, elapsed


async def test_fresh_connection_sending_nothing_is_closed_silently() -> None:
    async with serving() as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        start = time.monotonic()
        data = await read_until_closed(reader)
        elapsed = time.monotonic() - start
        writer.close()
    assert data == b""
    assert KEEP_ALIVE - 0.05 <= elapsed <= KEEP_ALIVE + SLACK, elapsed


async def test_blank_lines_alone_do_not_keep_a_connection_open() -> None:
    """CRLFs between requests begin no request (the parser skips them): they are idle time."""
    async with serving() as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        start = time.monotonic()

        async def blank_lines() -> None:
            while True:
                writer.write(b"\r\n")
                await asyncio.sleep(0.1)

        data = await read_until_closed(reader, while_sending=blank_lines)
        elapsed = time.monotonic() - start
        writer.close()
    assert data == b""
    assert elapsed <= 2 * KEEP_ALIVE + SLACK, elapsed


async def test_slow_but_complete_head_is_served() -> None:
    async with serving(head_timeout=1.5) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for piece in (b"GET /slow HT", b"TP/1.1\r\nhost: ", b"test\r\nx-a: 1\r\n", b"\r\n"):
            writer.write(piece)
            await asyncio.sleep(0.2)
        response = await read_response(reader)
        assert response.startswith(b"HTTP/1.1 200 OK\r\n") and response.endswith(b"ok /slow")
        # the connection is still usable, and a head that arrives whole afterwards is not timed out
        writer.write(get("/after"))
        assert (await read_response(reader)).endswith(b"ok /after")
        writer.close()


async def test_keep_alive_and_pipelining_are_unaffected() -> None:
    async with serving() as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for i in range(3):  # idle for longer than the head timeout between requests, shorter than keep-alive
            writer.write(get(f"/k{i}"))
            assert (await read_response(reader)).endswith(b"ok /k%d" % i)
            await asyncio.sleep(HEAD_TIMEOUT + 0.2)
        # pipelined: three requests in one write, the last split across two writes
        writer.write(get("/p1") + get("/p2") + b"GET /p3 HTTP/1.1\r\n")
        await asyncio.sleep(0.2)
        writer.write(b"host: test\r\n\r\n")
        for name in (b"/p1", b"/p2", b"/p3"):
            assert (await read_response(reader)).endswith(b"ok " + name)
        # then idle: closed silently after the keep-alive timeout
        start = time.monotonic()
        assert await read_until_closed(reader) == b""
        assert KEEP_ALIVE - 0.05 <= time.monotonic() - start <= KEEP_ALIVE + SLACK
        writer.close()


async def test_long_stream_is_not_cut() -> None:
    """A response streaming for ~2 s (longer than both timeouts), with and without the next request's
    head half-sent meanwhile: the stream completes; that half head is timed once the stream is done."""
    async with serving() as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(get("/stream"))
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        assert b"transfer-encoding: chunked" in head
        body = await asyncio.wait_for(reader.readuntil(b"0\r\n\r\n"), 10)
        assert b"part 7\n" in body and b"end\n" in body
        # again, with the next head half-sent while it streams
        writer.write(get("/stream") + b"GET /next HTTP/1.1\r\nhos")
        data = await read_until_closed(reader)
        writer.close()
    assert b"part 7\n" in data and b"end\n\r\n0\r\n\r\nHTTP/1.1 408 " in data, data
    assert data.endswith(http_server._ERROR_408), data[-200:]


async def test_partial_head_after_a_response_is_timed_too() -> None:
    async with serving() as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(get("/first"))
        assert (await read_response(reader)).endswith(b"ok /first")
        await asyncio.sleep(0.3)
        writer.write(b"POST /second HTTP/1.1\r\nhost: test\r\n")
        start = time.monotonic()
        data = await read_until_closed(reader)
        elapsed = time.monotonic() - start
        writer.close()
    assert data.startswith(b"HTTP/1.1 408 "), data
    assert HEAD_TIMEOUT - 0.05 <= elapsed <= HEAD_TIMEOUT + SLACK, elapsed


def test_head_timeout_setting() -> None:
    """From the uvicorn Config attribute, else the environment (read at import), else 10 s."""
    proto, state = protocol(loop=object())  # uvicorn's Config without the attribute
    assert proto.timeout_head == http_server._HEAD_TIMEOUT
    config = SimpleNamespace(**vars(proto.config), timeout_request_head=2.5)
    assert HttpProtocol(config, state, {}, _loop=object()).timeout_head == 2.5
    assert http_server._timeout_setting("X", None, 10.0) == http_server.HEAD_TIMEOUT_DEFAULT == 10.0
    assert http_server._timeout_setting("X", "", 10.0) == 10.0
    assert http_server._timeout_setting("X", "3.5", 10.0) == 3.5
    assert http_server._timeout_setting("X", "0", 10.0) == 10.0
    assert http_server._timeout_setting("X", "soon", 10.0) == 10.0
