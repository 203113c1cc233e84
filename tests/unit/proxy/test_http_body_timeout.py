"""Stalled request bodies (slow-body / "R-U-Dead-Yet") against the proxy's HTTP protocol: a real
uvicorn.Server with ``http=HttpProtocol`` on 127.0.0.1, a short ``timeout_request_body``, raw sockets.

nginx's ``client_body_timeout``: an incomplete body that gets no new bytes for the timeout is answered
408 (when no response began) and the connection closed; a started app sees ``http.disconnect``, an app
not started yet (no body byte came) never starts. Bodies trickled in time, slow apps, unread (paused)
bodies, 100-continue and responses streaming during an upload are not cut.
"""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace
from typing import Any

import pytest
import uvicorn

from litellm.proxy import http_server
from litellm.proxy.http_server import HttpProtocol
from tests.unit.proxy import _http
from tests.unit.proxy._http import protocol, read_until_closed, running

pytestmark = pytest.mark.timeout(30)

BODY_TIMEOUT = 0.5
KEEP_ALIVE = 5.0  # longer than every test's waits: only the body timeout may close a connection
SLACK = 1.5  # a busy 2-core box may fire a timer late; later than this means no timeout at all


class App:
    """Records which requests started and what ``receive()`` gave them."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.received: dict[str, list[str]] = {}
        self.finished: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        self.started.append(path)
        seen = self.received.setdefault(path, [])
        try:
            if path == "/duplex":  # answers while the upload goes on: one chunk per body message
                await send({"type": "http.response.start", "status": 200, "headers": []})
                while True:
                    message = await receive()
                    seen.append(message["type"])
                    if message["type"] == "http.disconnect":
                        return
                    await send({"type": "http.response.body", "body": b"got %d;" % len(message["body"]),
                                "more_body": message["more_body"]})  # fmt: skip
                    if not message["more_body"]:
                        return
            if path.startswith("/late"):  # busy before it reads the body: the server waits on the app
                await asyncio.sleep(3 * BODY_TIMEOUT)
            size = 0
            while True:
                message = await receive()
                seen.append(message["type"])
                if message["type"] == "http.disconnect":
                    return
                size += len(message["body"])
                if not message["more_body"]:
                    break
            if path == "/slow":  # slow upstream after the body was read
                await asyncio.sleep(3 * BODY_TIMEOUT)
            body = b"read %d" % size
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(body))],
                }
            )
            await send({"type": "http.response.body", "body": body})
        finally:
            self.finished.append(path)


def serving(app: App) -> Any:
    """Our protocol under uvicorn with ``timeout_request_body`` set; yields (port, server)."""
    # a float keep-alive works: it goes to call_later
    return running(app, {"timeout_request_body": BODY_TIMEOUT}, timeout_keep_alive=KEEP_ALIVE)


async def read_response(reader: asyncio.StreamReader) -> bytes:
    return await _http.read_response(reader, 10)


async def no_tasks_left(server: uvicorn.Server) -> None:
    """Every app task the server started has ended (none pending, none forgotten)."""
    for _ in range(100):
        if not server.server_state.tasks:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"app tasks still pending: {server.server_state.tasks}")


def post(path: str, length: int) -> bytes:
    return b"POST %s HTTP/1.1\r\nhost: test\r\ncontent-length: %d\r\n\r\n" % (path.encode(), length)


async def stalled(port: int, first: bytes) -> tuple[bytes, float]:
    """Send ``first`` then nothing: what the server sends until it closes, and how long that took."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    start = time.monotonic()
    writer.write(first)
    try:
        data = await read_until_closed(reader)
    finally:
        writer.close()
    return data, time.monotonic() - start


async def test_partial_body_then_silence_is_answered_408_and_closed() -> None:
    app = App()
    async with serving(app) as (port, server):
        data, elapsed = await stalled(port, post("/partial", 1000) + b"x" * 10)
        await no_tasks_left(server)
    assert data.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), data
    assert b"connection: close\r\n" in data and data.endswith(b"Request body not received in time.")
    assert BODY_TIMEOUT - 0.05 <= elapsed <= BODY_TIMEOUT + SLACK, elapsed
    # the app began with the first body bytes and then saw the client gone, and ended
    assert app.received["/partial"] == ["http.request", "http.disconnect"]
    assert app.finished == ["/partial"]


async def test_head_alone_then_silence_never_starts_the_app() -> None:
    app = App()
    async with serving(app) as (port, server):
        data, elapsed = await stalled(port, post("/never", 100))
        await no_tasks_left(server)
        assert server.server_state.total_requests == 1  # the request is counted, though not run
    assert data.startswith(b"HTTP/1.1 408 "), data
    assert BODY_TIMEOUT - 0.05 <= elapsed <= BODY_TIMEOUT + SLACK, elapsed
    assert app.started == []


async def test_stalled_chunked_body_is_answered_408() -> None:
    app = App()
    head = b"POST /chunked HTTP/1.1\r\nhost: test\r\ntransfer-encoding: chunked\r\n\r\n"
    async with serving(app) as (port, server):
        data, elapsed = await stalled(port, head + b"5\r\nhello\r\n")
        await no_tasks_left(server)
    assert data.startswith(b"HTTP/1.1 408 "), data
    assert BODY_TIMEOUT - 0.05 <= elapsed <= BODY_TIMEOUT + SLACK, elapsed
    assert app.received["/chunked"] == ["http.request", "http.disconnect"]


async def test_body_trickled_faster_than_the_timeout_is_served() -> None:
    """A byte every 0.2 s for ~2.4 s in all (far longer than the timeout, never silent that long)."""
    app = App()
    async with serving(app) as (port, server):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(post("/trickle", 12))
        for _ in range(12):
            await asyncio.sleep(0.2)
            writer.write(b"x")
        response = await read_response(reader)
        assert response.startswith(b"HTTP/1.1 200 ") and response.endswith(b"read 12"), response
        # the same connection serves a chunked body trickled the same way
        writer.write(b"POST /trickle-chunked HTTP/1.1\r\nhost: test\r\ntransfer-encoding: chunked\r\n\r\n")
        for _ in range(6):
            await asyncio.sleep(0.2)
            writer.write(b"2\r\nab\r\n")
        writer.write(b"0\r\n\r\n")
        assert (await read_response(reader)).endswith(b"read 12")
        writer.close()
        await no_tasks_left(server)


async def test_slow_app_after_reading_the_body_is_not_cut() -> None:
    app = App()
    async with serving(app) as (port, server):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(post("/slow", 5) + b"hello")  # head and body at once
        assert (await read_response(reader)).endswith(b"read 5")
        writer.write(post("/slow", 5))  # head, then the body a little later
        await asyncio.sleep(0.1)
        writer.write(b"hello")
        assert (await read_response(reader)).endswith(b"read 5")
        writer.close()
        await no_tasks_left(server)


async def test_unread_body_is_not_timed_while_reading_is_paused() -> None:
    """The app reads 3 timeouts late; the server stopped reading (64 KiB unread): the wait is the app's."""
    app = App()
    size = 1024 * 1024
    async with serving(app) as (port, server):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(post("/late", size) + b"x" * size)
        assert (await read_response(reader)).endswith(b"read %d" % size)
        writer.close()
        await no_tasks_left(server)


async def test_100_continue_is_timed_from_the_interim_response() -> None:
    """The client waits for 100 Continue, which goes out when the (late) app first reads: not a stall.
    Before it, a body that came apart from its head leaves no stale time behind."""
    app = App()
    async with serving(app) as (port, server):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(post("/split", 3))
        await asyncio.sleep(0.1)
        writer.write(b"abc")
        assert (await read_response(reader)).endswith(b"read 3")
        head = (
            b"POST /late-continue HTTP/1.1\r\nhost: test\r\nexpect: 100-continue\r\ncontent-length: 4\r\n\r\n"
        )
        writer.write(head)
        interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        await asyncio.sleep(0.2)
        writer.write(b"body")
        assert (await read_response(reader)).endswith(b"read 4")
        writer.close()
        # a client that sends nothing after the 100 Continue is timed from it
        data, elapsed = await stalled(port, head)
        await no_tasks_left(server)
    assert data.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 408 "), data
    expected = 4 * BODY_TIMEOUT  # the app's 3 timeouts before it reads (and 100 Continue goes), then one
    assert expected - 0.05 <= elapsed <= expected + SLACK, elapsed
    assert app.received["/late-continue"][-1] == "http.disconnect"


async def test_response_streaming_during_an_upload_is_cut_only_when_the_body_stalls() -> None:
    app = App()
    async with serving(app) as (port, server):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(post("/duplex", 8))
        for _ in range(8):  # ~1.6 s of upload while the response streams
            await asyncio.sleep(0.2)
            writer.write(b"x")
        body = await asyncio.wait_for(reader.readuntil(b"0\r\n\r\n"), 10)
        assert body.startswith(b"HTTP/1.1 200 ") and body.count(b"got 1;") == 8, body
        # now the upload stalls mid-way: the connection closes; no 408 after a response began
        writer.write(post("/duplex", 8) + b"xx")
        start = time.monotonic()
        data = await read_until_closed(reader)
        elapsed = time.monotonic() - start
        writer.close()
        await no_tasks_left(server)
    assert data.startswith(b"HTTP/1.1 200 ") and b"408" not in data, data
    assert BODY_TIMEOUT - 0.05 <= elapsed <= BODY_TIMEOUT + SLACK, elapsed
    assert app.received["/duplex"][-1] == "http.disconnect"


def test_body_timeout_setting() -> None:
    """From the uvicorn Config attribute, else LITELLM_PROXY_TIMEOUT_REQUEST_BODY (read at import), else
    30 s, parsed like the head timeout."""
    proto, state = protocol(loop=object())  # uvicorn's Config without the attribute
    assert proto.timeout_body == http_server._BODY_TIMEOUT
    config = SimpleNamespace(**vars(proto.config), timeout_request_body=4.5)
    assert HttpProtocol(config, state, {}, _loop=object()).timeout_body == 4.5
    assert http_server.BODY_TIMEOUT_DEFAULT == 30.0
    name = "LITELLM_PROXY_TIMEOUT_REQUEST_BODY"
    assert http_server._timeout_setting(name, "7", 30.0) == 7.0
    assert http_server._timeout_setting(name, "-1", 30.0) == 30.0
    assert http_server._timeout_setting(name, None, 30.0) == 30.0


def test_body_timeout_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LITELLM_PROXY_TIMEOUT_REQUEST_BODY", "12.5")
    assert http_server._env_timeout("LITELLM_PROXY_TIMEOUT_REQUEST_BODY", 30.0) == 12.5
    monkeypatch.setenv("LITELLM_PROXY_TIMEOUT_REQUEST_BODY", "never")
    assert http_server._env_timeout("LITELLM_PROXY_TIMEOUT_REQUEST_BODY", 30.0) == 30.0
