"""The app of a request whose head arrived alone starts with the first bytes of its body (or the
request's end), not at once to wait in receive(): what the app sees and answers is unchanged (the body,
100-continue, a client gone before its body, a malformed body, pipelining), on a real uvicorn server
with http=HttpProtocol over a socket."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.unit.proxy._http import serving

pytestmark = pytest.mark.timeout(30)


class App:
    """Records when it started and every message receive() gave; ``/noread`` answers without reading."""

    def __init__(self) -> None:
        self.started: list[float] = []
        self.messages: list[dict[str, Any]] = []
        self.done = asyncio.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.started.append(asyncio.get_running_loop().time())
        body = b""
        if scope["path"] != "/noread":
            while True:
                message = await receive()
                self.messages.append(message)
                if message["type"] != "http.request":
                    self.done.set()
                    return
                body += message["body"]
                if not message["more_body"]:
                    break
        reply = b"%s %d" % (scope["path"].encode(), len(body))
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"%d" % len(reply))],
            }
        )
        await send({"type": "http.response.body", "body": reply})
        self.done.set()


async def _reply(reader: asyncio.StreamReader) -> bytes:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert head.startswith(b"HTTP/1.1 200 ")
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    return await asyncio.wait_for(reader.readexactly(length), 5)


async def test_a_head_alone_starts_the_app_with_its_body() -> None:
    app = App()
    async with serving(app) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /a HTTP/1.1\r\nhost: t\r\ncontent-length: 5\r\n\r\n")
        await asyncio.sleep(0.1)
        assert app.started == []  # nothing to do before the body
        sent = asyncio.get_running_loop().time()
        writer.write(b"hello")
        assert await _reply(reader) == b"/a 5"
        assert app.started[0] >= sent
        assert app.messages == [{"type": "http.request", "body": b"hello", "more_body": False}]
        # the next request on the connection, head and body in one write
        writer.write(b"POST /b HTTP/1.1\r\nhost: t\r\ncontent-length: 2\r\n\r\nhi")
        assert await _reply(reader) == b"/b 2"
        writer.write(b"GET /c HTTP/1.1\r\nhost: t\r\n\r\n")
        assert await _reply(reader) == b"/c 0"
        writer.close()


async def test_a_large_body_in_pieces() -> None:
    app = App()
    async with serving(app) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        size = 300_000
        writer.write(b"POST /big HTTP/1.1\r\nhost: t\r\ncontent-length: %d\r\n\r\n" % size)
        await asyncio.sleep(0.05)
        for _ in range(size // 100_000):
            writer.write(b"x" * 100_000)
            await asyncio.sleep(0.01)
        assert await _reply(reader) == b"/big %d" % size
        writer.close()


async def test_100_continue_starts_the_app_at_once() -> None:
    app = App()
    async with serving(app) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /e HTTP/1.1\r\nhost: t\r\ncontent-length: 3\r\nexpect: 100-continue\r\n\r\n")
        assert await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5) == b"HTTP/1.1 100 Continue\r\n\r\n"
        writer.write(b"abc")
        assert await _reply(reader) == b"/e 3"
        writer.close()


async def test_a_client_gone_before_its_body_reaches_the_app() -> None:
    app = App()
    async with serving(app) as port:
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /gone HTTP/1.1\r\nhost: t\r\ncontent-length: 5\r\n\r\n")
        await asyncio.sleep(0.05)
        writer.close()
        await asyncio.wait_for(app.done.wait(), 5)
        assert app.messages == [{"type": "http.disconnect"}]


async def test_a_malformed_body_still_lets_the_app_answer() -> None:
    app = App()
    async with serving(app) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /noread HTTP/1.1\r\nhost: t\r\ntransfer-encoding: chunked\r\n\r\n")
        await asyncio.sleep(0.05)
        writer.write(b"zz-not-hex\r\n")
        assert await _reply(reader) == b"/noread 0"
        assert await asyncio.wait_for(reader.read(), 5) == b""  # then the connection closes
        writer.close()


async def test_pipelined_requests_with_split_bodies() -> None:
    app = App()
    async with serving(app) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /1 HTTP/1.1\r\nhost: t\r\ncontent-length: 1\r\n\r\nx"
            b"POST /2 HTTP/1.1\r\nhost: t\r\ncontent-length: 4\r\n\r\nab"
        )
        await asyncio.sleep(0.05)
        writer.write(b"cd")
        assert await _reply(reader) == b"/1 1"
        assert await _reply(reader) == b"/2 4"
        writer.close()
