"""Our async HTTP/1.1 client (litellm.core.aio_http) on real sockets: the fake provider, and small
asyncio servers started here that answer exactly the bytes a test needs (chunked, gzip, keep-alive,
idle connections closed by the server, slow servers, TLS with a throwaway CA, SSE chunk by chunk,
cancellation, flow control)."""

from __future__ import annotations

import asyncio
import datetime
import gzip
import ssl
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

import litellm
from litellm.core import _aio_conn, aio_http, http, transport
from litellm.core.transport import WireRequest

pytestmark = pytest.mark.integration

MSGS = [{"role": "user", "content": "hello"}]


# --------------------------------------------------------------------------------------------------
# A scripted server: one coroutine per connection, told which connection (0, 1, ...) it serves
# --------------------------------------------------------------------------------------------------

Handler = Callable[["Conn"], Awaitable[None]]


class Conn:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        self.reader, self.writer, self.index = reader, writer, index

    async def request(self) -> tuple[bytes, dict[str, str], bytes] | None:
        """(request line, lowercased headers, body), or None when the client closed."""
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        line, *rest = head[:-4].split(b"\r\n")
        headers = {}
        for raw in rest:
            name, _, value = raw.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await self.reader.readexactly(int(headers.get("content-length", 0)))
        return line, headers, body

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()


class Server:
    def __init__(self, handler: Handler, ssl_context: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.ssl_context = ssl_context
        self.connections = 0
        self.requests: list[tuple[bytes, dict[str, str], bytes]] = []
        self.closed_by_client = 0
        self._server: asyncio.Server | None = None
        self.port = 0

    async def __aenter__(self) -> Server:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.ssl_context)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        aio_http.close_pools()

    def url(self, path: str = "/v1/x", host: str = "127.0.0.1") -> str:
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = Conn(reader, writer, self.connections)
        self.connections += 1
        try:
            await self.handler(conn)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            if reader.at_eof():
                self.closed_by_client += 1
            writer.close()


def reply(body: bytes = b'{"ok": true}', status: str = "200 OK", headers: str = "") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{headers}\r\n").encode() + body


def serve_each(
    answer: Callable[[int, bytes, dict[str, str]], bytes], record: Server | None = None
) -> Handler:
    """A keep-alive handler answering every request of a connection with ``answer(conn index, ...)``."""

    async def handler(conn: Conn) -> None:
        while (request := await conn.request()) is not None:
            if record is not None:
                record.requests.append(request)
            await conn.send(answer(conn.index, request[0], request[1]))

    return handler


async def get(url: str, timeout: float = 5.0, stream: bool = False, **kw: Any) -> aio_http.HttpReply:
    request = WireRequest(kw.pop("method", "GET"), url, kw.pop("headers", {}), kw.pop("content", None))
    target = aio_http.target_of(url)
    assert target is not None
    return await aio_http.send(request, target, timeout, stream)


# --------------------------------------------------------------------------------------------------
# Against the fake provider, through litellm
# --------------------------------------------------------------------------------------------------


async def test_acompletion_goes_through_our_client_by_default(fake_url, fake_provider):
    r = await litellm.acompletion(
        model="openai/gpt-4o-mini", messages=MSGS, api_base=f"{fake_url}/v1", api_key="k"
    )
    assert r.choices[0].message.content.startswith("Hello from the fake provider")
    assert r._hidden_params["additional_headers"]["llm_provider-x-request-id"]
    sent = {k.lower(): v for k, v in fake_provider.requests[-1]["headers"].items()}
    assert sent["accept-encoding"] == "gzip, deflate"  # what aiohttp sent
    assert sent["authorization"] == "Bearer k"
    assert aio_http.pool_stats()[fake_url] == {"open": 1, "idle": 1}


async def test_32_concurrent_acompletion_reuse_at_most_32_connections(fake_url):
    kw = {"model": "openai/gpt-4o-mini", "messages": MSGS, "api_base": f"{fake_url}/v1", "api_key": "k"}
    for _ in range(3):
        results = await asyncio.gather(*(litellm.acompletion(**kw) for _ in range(32)))
        assert all(r.choices[0].message.content for r in results)
    stats = aio_http.pool_stats()[fake_url]
    assert stats["open"] <= 32 and stats["idle"] == stats["open"]


async def test_streamed_acompletion_from_the_fake_provider(fake_url):
    stream = await litellm.acompletion(
        model="openai/gpt-4o-mini", messages=MSGS, api_base=f"{fake_url}/v1", api_key="k", stream=True
    )
    text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream])
    assert text.startswith("Hello from the fake provider")
    assert aio_http.pool_stats()[fake_url]["idle"] >= 1  # read to the end: back in the pool


async def test_a_refused_connection_is_an_api_connection_error_naming_host_and_port():
    with pytest.raises(litellm.APIConnectionError) as info:
        await litellm.acompletion(
            model="openai/x",
            messages=MSGS,
            api_base="http://127.0.0.1:1/v1",
            api_key="sk-secret",
            num_retries=0,
        )
    assert "127.0.0.1:1" in str(info.value) and "sk-secret" not in str(info.value)


# --------------------------------------------------------------------------------------------------
# Bodies
# --------------------------------------------------------------------------------------------------


async def test_chunked_body_is_read_whole():
    async def handler(conn: Conn) -> None:
        await conn.request()
        await conn.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
        await asyncio.sleep(0.05)
        await conn.send(b"6\r\n world\r\n0\r\n\r\n")

    async with Server(handler) as server:
        reply = await get(server.url())
        assert reply.status == 200 and await reply.read() == b"hello world"


@pytest.mark.parametrize(
    "encoding,encode",
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the spec says
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send
    ],
)
async def test_gzip_and_deflate_bodies_are_decoded(encoding, encode):
    payload = b'{"text": "' + b"abc" * 5000 + b'"}'
    server_ref: list[Server] = []

    def answer(_i: int, _line: bytes, _headers: dict[str, str]) -> bytes:
        return reply(encode(payload), headers=f"Content-Encoding: {encoding}\r\n")

    async with Server(serve_each(answer)) as server:
        server_ref.append(server)
        reply_ = await get(server.url())
        assert await reply_.read() == payload
        assert reply_.headers["content-encoding"] == encoding  # kept, as aiohttp keeps it
        streamed = await get(server.url(), stream=True)
        pieces = []
        while chunk := await streamed.read_chunk():
            pieces.append(chunk)
        assert b"".join(pieces) == payload


async def test_a_body_until_close_and_connection_close_are_never_reused():
    async def handler(conn: Conn) -> None:
        await conn.request()
        await conn.send(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end")
        conn.writer.close()

    async with Server(handler) as server:
        assert await (await get(server.url())).read() == b"until the end"
        assert await (await get(server.url())).read() == b"until the end"
        assert server.connections == 2
        assert aio_http.pool_stats()[f"http://127.0.0.1:{server.port}"]["idle"] == 0


async def test_a_body_cut_short_is_a_remote_protocol_error():
    async def handler(conn: Conn) -> None:
        await conn.request()
        await conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")
        conn.writer.close()

    async with Server(handler) as server:
        reply = await get(server.url())
        with pytest.raises(httpx.RemoteProtocolError, match="before the end of the reply body"):
            await reply.read()


async def test_head_204_304_have_no_body_and_keep_the_connection():
    def answer(_i: int, line: bytes, _headers: dict[str, str]) -> bytes:
        if line.startswith(b"HEAD"):
            return b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"  # the length a GET would have
        if b"/204" in line:
            return b"HTTP/1.1 204 No Content\r\n\r\n"
        if b"/304" in line:
            return b"HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n"
        return reply(b"after")

    async with Server(serve_each(answer)) as server:
        head = await get(server.url(), method="HEAD")
        assert head.status == 200 and head.headers["content-length"] == "1234" and await head.read() == b""
        assert (await get(server.url("/204"))).status == 204
        r304 = await get(server.url("/304"))
        assert r304.status == 304 and await r304.read() == b""
        assert await (await get(server.url())).read() == b"after"
        assert server.connections == 1


async def test_interim_1xx_answers_are_skipped():
    def answer(_i: int, _line: bytes, _headers: dict[str, str]) -> bytes:
        return b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n" + reply(
            b"final", headers="X-Final: 1\r\n"
        )

    async with Server(serve_each(answer)) as server:
        r = await get(server.url())
        assert r.status == 200 and r.headers.get("x-final") == "1" and "link" not in r.headers
        assert await r.read() == b"final"


async def test_repeated_headers_keep_every_value():
    def answer(_i: int, _line: bytes, _headers: dict[str, str]) -> bytes:
        return reply(headers="Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Request-Id: r1\r\n")

    async with Server(serve_each(answer)) as server:
        r = await get(server.url())
        assert r.headers.getall("set-cookie") == ["a=1", "b=2"]
        assert r.headers["SET-COOKIE"] == "a=1" and r.headers.get("x-request-id") == "r1"
        await r.read()


# --------------------------------------------------------------------------------------------------
# Keep-alive, stale connections, retries
# --------------------------------------------------------------------------------------------------


async def test_sequential_requests_reuse_one_connection():
    async with Server(serve_each(lambda i, line, h: reply())) as server:
        for _ in range(5):
            assert (await get(server.url())).status == 200
        assert server.connections == 1


async def test_an_idle_connection_the_server_closed_is_dropped_before_use():
    async def handler(conn: Conn) -> None:
        await conn.request()
        await conn.send(reply(b"one"))
        conn.writer.close()  # keep-alive announced, closed anyway

    async with Server(handler) as server:
        assert await (await get(server.url())).read() == b"one"
        await asyncio.sleep(0.05)  # the close reaches the client while the connection is idle
        assert aio_http.pool_stats()[f"http://127.0.0.1:{server.port}"] == {"open": 0, "idle": 0}
        assert await (await get(server.url())).read() == b"one"


async def test_a_stale_reused_connection_is_retried_once_on_a_new_one():
    async def handler(conn: Conn) -> None:
        await conn.request()
        await conn.send(reply(b"first"))
        if conn.index == 0:
            await conn.request()  # the next request on the kept connection: dropped unanswered
            conn.writer.transport.abort()
            return
        while await conn.request() is not None:
            await conn.send(reply(b"fresh"))

    async with Server(handler) as server:
        assert await (await get(server.url())).read() == b"first"
        second = await get(server.url(), method="POST", content=b"{}")
        assert await second.read() == b"first"  # served by connection 1
        assert server.connections == 2


async def test_a_fresh_connection_that_fails_is_not_retried():
    async def handler(conn: Conn) -> None:
        await conn.request()
        conn.writer.transport.abort()

    async with Server(handler) as server:
        with pytest.raises(httpx.RemoteProtocolError, match=f"127.0.0.1:{server.port}"):
            await get(server.url())
        assert server.connections == 1


async def test_a_reused_connection_that_answered_partly_is_not_retried():
    async def handler(conn: Conn) -> None:
        await conn.request()
        await conn.send(reply(b"first"))
        await conn.request()
        await conn.send(b"HTTP/1.1 200 OK\r\nContent-Len")  # part of a head, then gone
        conn.writer.transport.abort()

    async with Server(handler) as server:
        await (await get(server.url())).read()
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            await get(server.url())
        assert server.connections == 1


async def test_a_reply_released_unread_closes_its_connection():
    body = b"x" * 100_000

    async def handler(conn: Conn) -> None:
        while await conn.request() is not None:
            await conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
            await asyncio.sleep(0.05)
            await conn.send(body)

    async with Server(handler) as server:
        r = await get(server.url(), stream=True)
        r.release()
        r.release()  # idempotent
        assert (await get(server.url())).status == 200
        assert server.connections == 2


async def test_the_pool_is_bounded_and_callers_wait_for_a_connection(monkeypatch):
    monkeypatch.setattr(_aio_conn, "MAX_CONNECTIONS", 2)

    async def handler(conn: Conn) -> None:
        while await conn.request() is not None:
            await asyncio.sleep(0.02)
            await conn.send(reply(b"ok"))

    async with Server(handler) as server:

        async def fetch() -> bytes:
            return await (await get(server.url())).read()

        assert await asyncio.gather(*(fetch() for _ in range(8))) == [b"ok"] * 8
        assert server.connections == 2


async def test_waiting_for_a_busy_pool_times_out(monkeypatch):
    monkeypatch.setattr(_aio_conn, "MAX_CONNECTIONS", 1)

    async def handler(conn: Conn) -> None:
        await conn.request()
        await conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")  # never finished
        await conn.reader.read()

    async with Server(handler) as server:
        held = await get(server.url(), stream=True)
        with pytest.raises(httpx.PoolTimeout, match=f"127.0.0.1:{server.port}"):
            await get(server.url(), timeout=0.2)
        held.release()


# --------------------------------------------------------------------------------------------------
# Timeouts
# --------------------------------------------------------------------------------------------------


async def test_a_slow_head_is_a_read_timeout_and_a_litellm_timeout():
    async def handler(conn: Conn) -> None:
        await conn.request()
        await asyncio.sleep(2)

    async with Server(handler) as server:
        with pytest.raises(httpx.ReadTimeout, match=f"127.0.0.1:{server.port}"):
            await get(server.url(), timeout=0.2)
        with pytest.raises(litellm.Timeout):
            await litellm.acompletion(
                model="openai/x",
                messages=MSGS,
                api_base=server.url("/v1"),
                api_key="k",
                timeout=0.2,
                num_retries=0,
            )


async def test_the_read_timeout_is_per_read_not_total():
    async def handler(conn: Conn) -> None:
        await conn.request()
        await conn.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in range(6):
            await asyncio.sleep(0.1)
            await conn.send(b"1\r\nx\r\n")
        await conn.send(b"0\r\n\r\n")

    async with Server(handler) as server:
        r = await get(server.url(), timeout=0.3)  # 0.6 s in all, never 0.3 s without a byte
        assert await r.read() == b"xxxxxx"


async def test_a_tls_handshake_that_never_ends_is_a_connect_timeout(monkeypatch):
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(2)
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        monkeypatch.setattr(http, "async_timeouts", lambda timeout: (0.2, 5.0))
        with pytest.raises(httpx.ConnectTimeout, match=f"127.0.0.1:{port}"):
            await get(f"https://127.0.0.1:{port}/")
        assert aio_http.pool_stats()[f"https://127.0.0.1:{port}"]["open"] == 0
    finally:
        server.close()
        aio_http.close_pools()


def test_async_timeouts_follow_aiohttp_timeout():
    assert http.async_timeouts(30) == (10.0, 30.0)
    assert http.async_timeouts(2.5) == (2.5, 2.5)
    assert http.async_timeouts(None) == (10.0, 600.0)
    assert http.async_timeouts(httpx.Timeout(7.0)) == (7.0, 7.0)
    for seconds in (30, 2.5, None):
        expected = http.aiohttp_timeout(seconds)
        assert http.async_timeouts(seconds) == (expected.sock_connect, expected.sock_read)


# --------------------------------------------------------------------------------------------------
# TLS
# --------------------------------------------------------------------------------------------------


def _certificates(tmp_path) -> tuple[str, str, str]:
    """A throwaway CA and a certificate for localhost / 127.0.0.1 signed by it: (ca, cert, key) paths."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                key_encipherment=False, data_encipherment=False, key_agreement=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = (tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(paths[0]), str(paths[1]), str(paths[2])


async def test_https_verifies_with_ssl_certificate_and_sends_sni(tmp_path):
    ca, cert, key = _certificates(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    names: list[str | None] = []
    server_context.sni_callback = lambda sock, name, ctx: names.append(name)

    async with Server(serve_each(lambda i, line, h: reply(b"secure")), server_context) as server:
        with pytest.raises(httpx.ConnectError, match=f"localhost:{server.port}"):
            await get(server.url(host="localhost"))  # the CA is not trusted yet
        aio_http.close_pools()
        litellm.ssl_certificate = ca
        try:
            r = await get(server.url(host="localhost"))
            assert await r.read() == b"secure"
            assert names[-1] == "localhost"
            for _ in range(3):
                await (await get(server.url(host="localhost"))).read()
            assert aio_http.pool_stats()[f"https://localhost:{server.port}"]["open"] == 1
        finally:
            litellm.ssl_certificate = None
            aio_http.close_pools()


async def test_ssl_verify_false_skips_verification(tmp_path):
    _ca, cert, key = _certificates(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    async with Server(serve_each(lambda i, line, h: reply(b"unverified")), server_context) as server:
        litellm.ssl_verify = False
        try:
            assert await (await get(server.url(host="localhost"))).read() == b"unverified"
        finally:
            litellm.ssl_verify = True
            aio_http.close_pools()


# --------------------------------------------------------------------------------------------------
# Streaming, flow control, cancellation
# --------------------------------------------------------------------------------------------------


async def test_sse_events_arrive_one_by_one_before_the_next_is_sent():
    go_on = asyncio.Event()

    async def handler(conn: Conn) -> None:
        await conn.request()
        await conn.send(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        for i in range(3):
            event = b'data: {"n": %d}\n\n' % i
            await conn.send(b"%x\r\n%s\r\n" % (len(event), event))
            await go_on.wait()  # the next event only after the client saw this one
            go_on.clear()
        await conn.send(b"0\r\n\r\n")

    async with Server(handler) as server:
        r = await get(server.url(), stream=True)
        for i in range(3):
            assert await r.readline() == b'data: {"n": %d}\n' % i
            assert await r.readline() == b"\n"
            go_on.set()
        assert await r.readline() == b""
        assert await r.readline() == b""


async def test_a_big_streamed_body_pauses_reading_and_arrives_intact():
    body = bytes(range(256)) * 8192  # 2 MiB

    async def handler(conn: Conn) -> None:
        await conn.request()
        await conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
        await conn.send(body)

    async with Server(handler) as server:
        r = await get(server.url(), stream=True)
        await asyncio.sleep(0.2)  # let it pile up: reading must pause, not buffer 2 MiB
        conn = r._conn
        assert conn is not None and conn.paused and len(conn.buffer) < 1024 * 1024
        pieces = []
        while chunk := await r.read_chunk():
            pieces.append(chunk)
        assert b"".join(pieces) == body


async def test_sse_lines_keep_flow_control_and_a_line_longer_than_the_window_still_arrives():
    long_line = b"data: " + b"y" * 600_000 + b"\n"
    lines = [b"data: %d\n" % i for i in range(50_000)]  # ~450 KB of short lines

    async def handler(conn: Conn) -> None:
        await conn.request()
        body = b"".join(lines) + long_line
        await conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
        await conn.send(body)

    async with Server(handler) as server:
        r = await get(server.url(), stream=True)
        await asyncio.sleep(0.2)
        assert r._conn is not None and r._conn.paused  # short lines: reading pauses
        got = [await r.readline() for _ in lines]
        assert got == lines
        assert await r.readline() == long_line
        assert await r.readline() == b""


async def test_cancelling_a_waiting_request_closes_its_connection():
    arrived = asyncio.Event()

    async def handler(conn: Conn) -> None:
        await conn.request()
        arrived.set()
        await conn.reader.read()  # until the client goes away

    async with Server(handler) as server:
        task = asyncio.ensure_future(get(server.url()))
        await arrived.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.05)
        assert server.closed_by_client == 1
        assert aio_http.pool_stats()[f"http://127.0.0.1:{server.port}"] == {"open": 0, "idle": 0}


async def test_cancelling_a_stream_mid_body_closes_its_connection():
    async def handler(conn: Conn) -> None:
        await conn.request()
        await conn.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabc\n\r\n")
        await conn.reader.read()

    async with Server(handler) as server:
        r = await get(server.url(), stream=True)
        assert await r.readline() == b"abc\n"
        task = asyncio.ensure_future(r.readline())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.05)
        assert server.closed_by_client == 1
        assert aio_http.pool_stats()[f"http://127.0.0.1:{server.port}"]["open"] == 0


# --------------------------------------------------------------------------------------------------
# What stays on aiohttp, secrets, uvloop
# --------------------------------------------------------------------------------------------------


async def test_multipart_and_userinfo_urls_go_through_aiohttp():
    recorder = Server(serve_each(lambda i, line, h: reply()))
    recorder.handler = serve_each(lambda i, line, h: reply(), record=recorder)
    async with recorder as server:
        default = transport.async_transport_for(None)
        parts = [("purpose", "x"), ("file", ("a.txt", b"hi", "text/plain"))]
        r = await default.send(WireRequest("POST", server.url(), {}, None, parts), timeout=5, stream=False)
        assert not isinstance(r, aio_http.HttpReply) and r.status == 200
        await r.read()
        assert server.requests[-1][1]["content-type"].startswith("multipart/form-data")
        assert b'name="file"; filename="a.txt"' in server.requests[-1][2]
        userinfo = WireRequest("GET", server.url().replace("://", "://u:p@"), {})
        r = await default.send(userinfo, timeout=5, stream=False)
        assert not isinstance(r, aio_http.HttpReply)
        await r.read()
        plain = await default.send(WireRequest("GET", server.url(), {}), timeout=5, stream=False)
        assert isinstance(plain, aio_http.HttpReply)
        await plain.read()


async def test_errors_never_carry_the_url_query_or_headers():
    async def handler(conn: Conn) -> None:
        await conn.request()
        conn.writer.transport.abort()

    async with Server(handler) as server:
        url = server.url("/v1/models/x:generate?key=sk-query-secret")
        with pytest.raises(httpx.HTTPError) as info:
            await get(url, headers={"Authorization": "Bearer sk-header-secret"})
        text = f"{info.value!s} {info.value!r}"
        assert "secret" not in text and f"127.0.0.1:{server.port}" in text


def test_works_on_uvloop():
    uvloop = pytest.importorskip("uvloop")

    async def main() -> None:
        async def handler(conn: Conn) -> None:
            while await conn.request() is not None:
                await conn.send(
                    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nline1\n\r\n6\r\nline2\n\r\n0\r\n\r\n"
                )

        async with Server(handler) as server:
            for _ in range(3):
                r = await get(server.url(), stream=True)
                assert [await r.readline(), await r.readline(), await r.readline()] == [
                    b"line1\n",
                    b"line2\n",
                    b"",
                ]
            results = await asyncio.gather(*(get(server.url()) for _ in range(16)))
            assert all([await r.read() == b"line1\nline2\n" for r in results])
            assert server.connections <= 16

    uvloop.run(main())
