"""Under the proxy's own HTTP server a pending upstream call is cancelled by the connection itself when
the client leaves (no watchdog timer, no watcher task): handlers._unless_disconnected on a real uvicorn
server with http=HttpProtocol, over a socket."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from litellm.proxy import handlers
from litellm.proxy.http_server import _Cycle
from tests.unit.proxy._http import serving

pytestmark = pytest.mark.timeout(30)


class App:
    """``/call?<seconds>`` awaits an upstream stand-in through _unless_disconnected, then answers."""

    def __init__(self) -> None:
        self.call_started = asyncio.Event()
        self.outcome: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.upstream: list[str] = []
        self.cycles: list[Any] = []
        self.wait_before_call = 0.0

    async def upstream_call(self, seconds: float) -> str:
        self.upstream.append("started")
        self.call_started.set()
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            self.upstream.append("cancelled")
            raise
        return "answer"

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.cycles.append(receive.__self__)
        seconds = float(scope["query_string"] or 0)
        if self.wait_before_call:
            await asyncio.sleep(self.wait_before_call)
        try:
            result = await handlers._unless_disconnected(self.upstream_call(seconds), receive)
        except handlers.ClientDisconnected:
            self.outcome.set_result("disconnected")
            return
        except asyncio.CancelledError:
            self.outcome.set_result("cancelled")
            raise
        await asyncio.sleep(0.05)  # the client may leave now: nothing cancels the request any more
        body = result.encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"%d" % len(body))],
            }
        )
        await send({"type": "http.response.body", "body": body})
        self.outcome.set_result("answered")


def _post(path: str) -> bytes:
    return f"POST {path} HTTP/1.1\r\nhost: t\r\ncontent-length: 2\r\n\r\n{{}}".encode()


async def test_the_connection_cancels_a_pending_call_when_the_client_leaves() -> None:
    app = App()
    async with serving(app) as port:
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(_post("/call?5"))
        await asyncio.wait_for(app.call_started.wait(), 5)
        cycle = app.cycles[0]
        assert type(cycle) is _Cycle and cycle.cancel_on_disconnect is not None
        loop = asyncio.get_running_loop()
        started = loop.time()
        writer.close()
        assert await asyncio.wait_for(app.outcome, 5) == "disconnected"
        assert loop.time() - started < 1.0
        assert app.upstream == ["started", "cancelled"]
        assert cycle.cancel_on_disconnect is None


async def test_an_answered_call_is_not_cancelled_by_a_later_disconnect() -> None:
    app = App()
    async with serving(app) as port:
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(_post("/call?0.01"))
        await asyncio.wait_for(app.call_started.wait(), 5)
        await asyncio.sleep(0.03)  # answered; the app is in its post-call sleep
        writer.close()
        assert await asyncio.wait_for(app.outcome, 5) == "answered"
        assert app.upstream == ["started"]
        assert app.cycles[0].cancel_on_disconnect is None


async def test_a_quick_call_answers_and_keeps_the_connection() -> None:
    app = App()
    async with serving(app) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(_post("/call"))
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 200 ")
        assert await asyncio.wait_for(reader.readexactly(6), 5) == b"answer"
        assert await app.outcome == "answered"
        assert app.cycles[0].cancel_on_disconnect is None
        assert not app.cycles[0].cancelled_on_disconnect
        writer.close()


async def test_a_client_gone_before_the_call_never_reaches_upstream() -> None:
    app = App()
    app.wait_before_call = 0.2
    async with serving(app) as port:
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(_post("/call?5"))
        await asyncio.sleep(0.05)
        writer.close()
        assert await asyncio.wait_for(app.outcome, 5) == "disconnected"
        assert app.upstream == []


async def test_another_cancel_stays_a_cancel() -> None:
    app = App()
    async with serving(app) as port:
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(_post("/call?5"))
        await asyncio.wait_for(app.call_started.wait(), 5)
        cycle = app.cycles[0]
        cycle.cancel_on_disconnect.cancel()  # not the connection's cancel (a shutdown, a timeout)
        assert await asyncio.wait_for(app.outcome, 5) == "cancelled"
        assert app.upstream == ["started", "cancelled"]
        writer.close()


async def test_other_asgi_servers_keep_the_watchdog() -> None:
    gone = asyncio.Event()

    async def receive() -> dict[str, Any]:
        await gone.wait()
        return {"type": "http.disconnect"}

    async def slow() -> str:
        await asyncio.sleep(5)
        return "late"

    call = asyncio.ensure_future(handlers._unless_disconnected(slow(), receive))
    await asyncio.sleep(0.05)
    gone.set()
    with pytest.raises(handlers.ClientDisconnected):
        await asyncio.wait_for(call, 2)
