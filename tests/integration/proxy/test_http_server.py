"""The proxy's own HTTP/1.1 protocol (litellm.proxy.http_server) behind a real uvicorn.Server on 127.0.0.1.

Each test starts uvicorn in the test's event loop with ``http=HttpProtocol`` and talks raw HTTP/1.1 over
a socket, so framing, ordering and connection handling are checked byte for byte. The last test runs
the real CLI (our protocol is its default) against the fake provider with the openai SDK.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from pathlib import Path
from typing import Any

import openai
import pytest

from tests.integration.proxy._proxy import MASTER_KEY, running_proxy
from tests.unit.proxy._http import running as serving

pytestmark = pytest.mark.timeout(30)


class App:
    """A small ASGI app whose routes exercise the protocol; ``events`` lets a test step it."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.release = asyncio.Event()
        self.first_chunk_sent = asyncio.Event()
        self.after_body: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.started = asyncio.Event()
        self.progress = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        self.seen.append(scope)
        path = scope["path"]
        if path.endswith("/echo"):
            body, digest, n = b"", hashlib.sha256(), 0
            while True:
                if scope["query_string"] == b"slow":
                    await asyncio.sleep(0.01)
                msg = await receive()
                assert msg["type"] == "http.request"
                digest.update(msg["body"])
                n += len(msg["body"])
                if not msg.get("more_body"):
                    break
            body = f"{n}|{digest.hexdigest()}|{scope['path']}|{scope['raw_path'].decode()}".encode()
            await _respond(send, 200, body)
        elif path == "/sleep":
            self.started.set()
            await asyncio.sleep(float(scope["query_string"] or 0.2))
            await _respond(send, 200, b"slept " + scope["query_string"])
        elif path == "/stream":
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"text/event-stream")],
                }
            )
            await send({"type": "http.response.body", "body": b"data: one\n\n", "more_body": True})
            self.first_chunk_sent.set()
            await asyncio.wait_for(self.release.wait(), 10)
            await send({"type": "http.response.body", "body": b"data: two\n\n", "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        elif path == "/big-stream":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            chunk = b"z" * 65536
            for _ in range(512):  # 32 MiB: more than the socket buffers hold
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                self.progress += 1
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        elif path == "/wait-disconnect":
            await receive()  # the (empty) body
            self.started.set()
            msg = await receive()
            self.after_body.set_result(msg["type"])
        elif path == "/inject":
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"x-a", b"ok\r\nset-cookie: evil=1")],
                }
            )
            await send({"type": "http.response.body", "body": b"never"})
        elif path == "/boom":
            raise ValueError("boom")
        else:
            await _respond(send, 200, b"hello")


async def _respond(send: Any, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], list[str]]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    names = []
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
            names.append(name.strip().lower())
    return int(lines[0].split()[1]), headers, names


async def _read_chunk(reader: asyncio.StreamReader) -> bytes:
    size = int((await asyncio.wait_for(reader.readuntil(b"\r\n"), 10)).strip(), 16)
    data = await reader.readexactly(size + 2)
    return data[:-2]


async def _read_response(
    reader: asyncio.StreamReader, head_only: bool = False
) -> tuple[int, dict[str, str], bytes]:
    status, headers, _ = await _read_head(reader)
    if head_only or status in (204, 304) or status < 200:
        return status, headers, b""
    if "content-length" in headers:
        return status, headers, await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), 10)
    if headers.get("transfer-encoding") == "chunked":
        parts = []
        while chunk := await _read_chunk(reader):
            parts.append(chunk)
        return status, headers, b"".join(parts)
    return status, headers, await asyncio.wait_for(reader.read(), 10)


async def _at_eof(reader: asyncio.StreamReader, timeout: float = 5.0) -> bool:
    return await asyncio.wait_for(reader.read(), timeout) == b""


def _get(path: str, *extra: str) -> bytes:
    return ("\r\n".join([f"GET {path} HTTP/1.1", "host: t", *extra]) + "\r\n\r\n").encode()


async def test_keep_alive_reuses_one_connection_and_adds_date() -> None:
    app = App()
    async with serving(app) as (port, server):
        reader, writer = await _connect(port)
        for i in range(3):
            writer.write(_get(f"/n{i}"))
            status, headers, body = await _read_response(reader)
            assert (status, body) == (200, b"hello")
            assert "date" in headers and "connection" not in headers
        assert len({(s["client"]) for s in app.seen}) == 1
        assert server.server_state.total_requests == 3
        writer.close()


async def test_pipelined_requests_are_answered_in_order() -> None:
    app = App()
    async with serving(app) as (port, _):
        reader, writer = await _connect(port)
        writer.write(_get("/sleep?0.2") + _get("/first-is-slower"))
        assert (await _read_response(reader))[2] == b"slept 0.2"
        assert (await _read_response(reader))[2] == b"hello"
        writer.close()


async def test_chunked_request_body_and_root_path_and_percent_decoding() -> None:
    app = App()
    async with serving(app, root_path="/api") as (port, _):
        reader, writer = await _connect(port)
        writer.write(
            b"POST /a%20b/echo HTTP/1.1\r\nhost: t\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n"
        )
        await writer.drain()
        await asyncio.sleep(0.02)
        writer.write(b"6\r\n world\r\n0\r\n\r\n")
        status, _, body = await _read_response(reader)
        assert status == 200
        n, digest, path, raw = body.decode().split("|")
        assert (int(n), digest) == (11, hashlib.sha256(b"hello world").hexdigest())
        assert (path, raw) == ("/api/a b/echo", "/api/a%20b/echo")
        writer.close()


async def test_large_body_is_read_whole_through_read_flow_control() -> None:
    payload = bytes(range(256)) * (4 * 4096)  # 4 MiB
    async with serving(App()) as (port, _):
        reader, writer = await _connect(port)
        writer.write(b"POST /echo?slow HTTP/1.1\r\nhost: t\r\ncontent-length: %d\r\n\r\n" % len(payload))
        writer.write(payload)
        await writer.drain()
        status, _, body = await _read_response(reader)
        assert status == 200
        assert body.split(b"|")[:2] == [
            str(len(payload)).encode(),
            hashlib.sha256(payload).hexdigest().encode(),
        ]
        writer.write(_get("/after"))  # the connection is still usable
        assert (await _read_response(reader))[2] == b"hello"
        writer.close()


async def test_streamed_response_arrives_chunk_by_chunk() -> None:
    app = App()
    async with serving(app) as (port, _):
        reader, writer = await _connect(port)
        writer.write(_get("/stream"))
        status, headers, _ = await _read_head(reader)
        assert status == 200 and headers["transfer-encoding"] == "chunked"
        assert await _read_chunk(reader) == b"data: one\n\n"  # before the app is allowed to go on
        assert not app.release.is_set()
        app.release.set()
        assert await _read_chunk(reader) == b"data: two\n\n"
        assert await _read_chunk(reader) == b""
        writer.write(_get("/again"))
        assert (await _read_response(reader))[2] == b"hello"
        writer.close()


async def test_send_waits_while_the_client_does_not_read() -> None:
    app = App()
    async with serving(app) as (port, _):
        reader, writer = await _connect(port)
        writer.write(_get("/big-stream"))
        await asyncio.sleep(0.3)
        assert 0 < app.progress < 512  # send() is waiting for the transport to drain
        status, _, body = await _read_response(reader)
        assert status == 200 and len(body) == 512 * 65536 and app.progress == 512
        writer.close()


async def test_client_disconnect_reaches_receive() -> None:
    app = App()
    async with serving(app) as (port, _):
        _, writer = await _connect(port)
        writer.write(_get("/wait-disconnect"))
        await asyncio.wait_for(app.started.wait(), 5)
        await asyncio.sleep(0.02)
        assert not app.after_body.done()
        writer.close()
        assert await asyncio.wait_for(app.after_body, 5) == "http.disconnect"


async def test_head_sends_no_body() -> None:
    async with serving(App()) as (port, _):
        reader, writer = await _connect(port)
        writer.write(b"HEAD / HTTP/1.1\r\nhost: t\r\n\r\n")
        status, headers, _ = await _read_response(reader, head_only=True)
        assert status == 200 and headers["content-length"] == "5"
        writer.write(_get("/next"))  # no stray body bytes before the next response
        status, _, body = await _read_response(reader)
        assert (status, body) == (200, b"hello")
        writer.close()


async def test_expect_100_continue() -> None:
    async with serving(App()) as (port, _):
        reader, writer = await _connect(port)
        writer.write(b"POST /echo HTTP/1.1\r\nhost: t\r\nexpect: 100-continue\r\ncontent-length: 5\r\n\r\n")
        status, _, _ = await _read_head(reader)
        assert status == 100
        writer.write(b"hello")
        status, _, body = await _read_response(reader)
        assert status == 200 and body.startswith(b"5|" + hashlib.sha256(b"hello").hexdigest().encode())
        writer.close()


@pytest.mark.parametrize(
    ("request_bytes", "status", "text"),
    [
        (b"GET / HTTP/1.1\r\nhost: t\r\nbad header\r\n\r\n", 400, b"Invalid HTTP request"),
        (b"NOT HTTP AT ALL\r\n\r\n", 400, b"Invalid HTTP request"),
        (_get("/", "x-big: " + "a" * 70_000), 431, b"too large"),
        (_get("/", "connection: upgrade", "upgrade: websocket"), 400, b"websocket not supported"),
    ],
    ids=["malformed-header", "garbage", "oversized-head", "websocket"],
)
async def test_bad_requests_are_refused_and_closed(request_bytes: bytes, status: int, text: bytes) -> None:
    app = App()
    async with serving(app) as (port, _):
        reader, writer = await _connect(port)
        writer.write(request_bytes)
        got, headers, body = await _read_response(reader)
        assert got == status and text in body and headers["connection"] == "close"
        assert await _at_eof(reader)
        assert app.seen == []
        writer.close()


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage() + "\n" + self.format(record))


@contextlib.contextmanager
def _error_log() -> Any:
    handler = _Records()
    logger = logging.getLogger("uvicorn.error")  # uvicorn's logging config stops it before the root
    logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize("value_size", [70_000, 10_000_000], ids=["many-headers", "one-endless-value"])
async def test_oversized_head_sent_in_pieces_is_refused(value_size: int) -> None:
    async with serving(App()) as (port, _):
        reader, writer = await _connect(port)
        writer.write(_get("/small")[:-2])  # a first request's head, not finished yet
        await writer.drain()
        await asyncio.sleep(0.02)
        with contextlib.suppress(ConnectionError):
            if value_size < 100_000:  # 70 complete 1000-byte headers, ten at a time
                for i in range(7):
                    writer.write(b"".join(b"x-%d-%d: %s\r\n" % (i, j, b"a" * 1000) for j in range(10)))
                    await writer.drain()
                    await asyncio.sleep(0.01)
            else:  # one header value that never ends: refused long before it would
                writer.write(b"x-endless: ")
                for _ in range(value_size // 20_000):
                    writer.write(b"a" * 20_000)
                    await writer.drain()
        try:
            status, _, body = await _read_response(reader)
        except (ConnectionError, asyncio.IncompleteReadError):
            assert value_size > 100_000  # closed with our bytes unread: the reset may beat the 431
        else:
            assert status == 431 and b"too large" in body
        writer.close()


async def test_header_injection_from_the_app_is_refused() -> None:
    with _error_log() as lines:
        await _injection()
    assert any("CR, LF or NUL" in line for line in lines), lines


async def _injection() -> None:
    async with serving(App()) as (port, _):
        reader, writer = await _connect(port)
        writer.write(_get("/inject"))
        status, headers, body = await _read_response(reader)
        assert status == 500 and "set-cookie" not in headers and b"never" not in body
        assert await _at_eof(reader)
        writer.close()


async def test_app_exception_is_a_500() -> None:
    with _error_log() as lines:
        async with serving(App()) as (port, _):
            reader, writer = await _connect(port)
            writer.write(_get("/boom"))
            status, _, body = await _read_response(reader)
            assert status == 500 and body == b"Internal Server Error"
            writer.close()
    assert any("Exception in ASGI application" in line and "boom" in line for line in lines), lines


async def test_connection_close_is_honoured() -> None:
    async with serving(App()) as (port, _):
        reader, writer = await _connect(port)
        writer.write(_get("/", "connection: close"))
        status, headers, body = await _read_response(reader)
        assert (status, body, headers["connection"]) == (200, b"hello", "close")
        assert await _at_eof(reader)
        writer.close()


async def test_http10_without_keep_alive_closes() -> None:
    async with serving(App()) as (port, _):
        reader, writer = await _connect(port)
        writer.write(b"GET / HTTP/1.0\r\n\r\n")
        status, _, body = await _read_response(reader)
        assert (status, body) == (200, b"hello")
        assert await _at_eof(reader)
        writer.close()


async def test_http10_with_keep_alive_keeps_the_connection() -> None:
    async with serving(App()) as (port, _):
        reader, writer = await _connect(port)
        for _ in range(2):
            writer.write(b"GET / HTTP/1.0\r\nconnection: keep-alive\r\n\r\n")
            status, headers, body = await _read_response(reader)
            assert (status, body, headers["connection"]) == (200, b"hello", "keep-alive")
        writer.close()


async def test_idle_keep_alive_connection_is_closed_after_the_timeout() -> None:
    async with serving(App(), timeout_keep_alive=0.3) as (port, _):
        reader, writer = await _connect(port)
        writer.write(_get("/"))
        assert (await _read_response(reader))[0] == 200
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        assert await _at_eof(reader, timeout=3)
        assert 0.2 < loop.time() - t0 < 2
        writer.close()


async def test_graceful_shutdown_finishes_the_request_in_flight() -> None:
    app = App()
    async with serving(app) as (port, server):
        reader, writer = await _connect(port)
        idle_reader, idle_writer = await _connect(port)
        writer.write(_get("/sleep?0.5"))
        await asyncio.wait_for(app.started.wait(), 5)
        server.should_exit = True
        status, headers, body = await _read_response(reader)
        assert (status, body, headers.get("connection")) == (200, b"slept 0.5", "close")
        assert await _at_eof(reader)
        assert await _at_eof(idle_reader)  # an idle connection is closed at once
        writer.close()
        idle_writer.close()


async def test_limit_concurrency_answers_503() -> None:
    app = App()
    async with serving(app, limit_concurrency=2) as (port, _):
        reader, writer = await _connect(port)
        writer.write(_get("/sleep?0.5"))
        await asyncio.wait_for(app.started.wait(), 5)
        reader2, writer2 = await _connect(port)
        writer2.write(_get("/"))
        status, _, body = await _read_response(reader2)
        assert (status, body) == (503, b"Service Unavailable")
        assert (await _read_response(reader))[0] == 200
        writer.close()
        writer2.close()


def test_cli_default_protocol_serves_the_openai_sdk(tmp_path: Path, fake_provider: Any) -> None:
    config = (
        "model_list:\n  - model_name: m\n    litellm_params:\n      model: openai/gpt-4o-mini\n"
        f"      api_base: {fake_provider.url}/v1\n      api_key: sk-x\n"
        f"general_settings:\n  master_key: {MASTER_KEY}\n"
    )
    with running_proxy(tmp_path, config) as proxy:
        client = openai.OpenAI(base_url=proxy.url + "/v1", api_key=MASTER_KEY, max_retries=0, timeout=20)
        for _ in range(2):  # the second call reuses the keep-alive connection
            reply = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
            assert reply.choices[0].message.content
        stream = client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
        assert text
