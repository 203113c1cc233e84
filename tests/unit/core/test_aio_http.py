"""The pure parts of our async HTTP client: which URLs it takes, the request bytes it writes, the reply
headers mapping, how a connection parses a reply fed to it, and when the default falls back to aiohttp."""

from __future__ import annotations

import asyncio
import random
import zlib
from typing import Any

import httpx
import pytest

from litellm.core import _aio_conn, aio_http, transport
from litellm.core.transport import WireRequest

# --------------------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------------------


def test_target_of_plain_urls():
    t = aio_http.target_of("https://api.openai.com/v1/chat/completions")
    assert t is not None
    assert (t.tls, t.host, t.port, t.host_header, t.path) == (
        True,
        "api.openai.com",
        443,
        "api.openai.com",
        "/v1/chat/completions",
    )
    t = aio_http.target_of("http://127.0.0.1:8080/v1/models/x:generate?key=a%3Ab&alt=sse")
    assert t is not None
    assert (t.tls, t.port, t.host_header, t.path) == (
        False,
        8080,
        "127.0.0.1:8080",
        "/v1/models/x:generate?key=a%3Ab&alt=sse",
    )
    t = aio_http.target_of("http://[::1]:9000")
    assert t is not None and (t.host, t.host_header, t.path) == ("::1", "[::1]:9000", "/")


@pytest.mark.parametrize(
    "url",
    [
        "http://user:pass@example.com/x",  # userinfo
        "ftp://example.com/x",
        "http+unix://%2Ftmp%2Fsock/x",
        "http://bücher.example/x",  # IDNA: aiohttp's job
        "http://example.com:99999/x",  # invalid port
        "http://example.com/a b",
    ],
)
def test_unusual_urls_are_left_to_aiohttp(url):
    assert aio_http.target_of(url) is None


# --------------------------------------------------------------------------------------------------
# Request bytes
# --------------------------------------------------------------------------------------------------


def _bytes(method: str, url: str, headers: dict[str, Any], content: bytes | None = None) -> bytes:
    target = aio_http.target_of(url)
    assert target is not None
    return aio_http._request_bytes(WireRequest(method, url, headers, content), target)


def test_request_bytes_carry_aiohttps_default_headers_and_the_body():
    data = _bytes(
        "POST",
        "http://h:81/v1/x?y=1",
        {"Content-Type": "application/json", "Authorization": "Bearer k"},
        b"{}",
    )
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /v1/x?y=1 HTTP/1.1"
    assert lines[1] == b"Host: h:81"
    assert set(lines[2:]) == {
        b"Content-Type: application/json",
        b"Authorization: Bearer k",
        b"Accept: */*",
        b"Accept-Encoding: gzip, deflate",
        b"User-Agent: " + aio_http.USER_AGENT.encode(),
        b"Content-Length: 2",
    }
    assert body == b"{}"


def test_request_bytes_memo_never_mixes_bodies_or_headers():
    url = "http://h/x"
    assert _bytes("POST", url, {"A": "1"}, b"one").endswith(b"Content-Length: 3\r\n\r\none")
    assert _bytes("POST", url, {"A": "1"}, b"three").endswith(b"Content-Length: 5\r\n\r\nthree")
    assert b"A: 2\r\n" in _bytes("POST", url, {"A": "2"}, b"three")
    assert _bytes("POST", url, {"A": "1"}).endswith(b"Content-Length: 0\r\n\r\n")
    assert b"Content-Length" not in _bytes("GET", url, {"A": "1"})


def test_caller_headers_win_over_defaults():
    data = _bytes(
        "POST",
        "http://h/x",
        {"host": "other", "accept": "text/event-stream", "User-Agent": "me", "content-type": "a/b"},
        b"x",
    )
    assert data.count(b"Host") + data.count(b"host") == 1 and b"host: other" in data
    assert b"Accept: */*" not in data and b"accept: text/event-stream" in data
    assert b"User-Agent: me" in data and b"application/octet-stream" not in data


def test_bytes_without_a_content_type_are_labelled_as_aiohttp_does():
    assert b"Content-Type: application/octet-stream" in _bytes("POST", "http://h/x", {}, b"raw")


@pytest.mark.parametrize(
    "headers", [{"X-A": "ok\r\nInjected: 1"}, {"X-A\nB": "v"}, {"Authorization": "Bearer sk-secret\n"}]
)
def test_a_header_with_a_line_break_is_refused_without_echoing_its_value(headers):
    with pytest.raises(httpx.LocalProtocolError) as info:
        _bytes("GET", "http://h/x", headers)
    assert "secret" not in str(info.value) and "Injected" not in str(info.value)


# --------------------------------------------------------------------------------------------------
# Reply headers
# --------------------------------------------------------------------------------------------------


def test_headers_are_case_insensitive_multi_valued_and_ordered():
    h = aio_http.Headers(
        [
            (b"Content-Type", b"application/json"),
            (b"Set-Cookie", b"a=1"),
            (b"set-cookie", b"b=2"),
            (b"X-Ratelimit-Remaining-Requests", b"9"),
        ]
    )
    assert h["content-type"] == h.get("CONTENT-TYPE") == "application/json"
    assert h.get("missing") is None and h.get("missing", "d") == "d"
    assert "set-cookie" in h and "nope" not in h
    assert h.getall("SET-COOKIE") == ["a=1", "b=2"] == h.get_list("set-cookie")
    assert h.getall("nope", []) == []
    with pytest.raises(KeyError):
        h.getall("nope")
    with pytest.raises(KeyError):
        h["nope"]
    assert h.items()[0] == ("Content-Type", "application/json") and len(h) == 4
    assert list(h) == ["Content-Type", "Set-Cookie", "set-cookie", "X-Ratelimit-Remaining-Requests"]
    assert dict(h)["Set-Cookie"] == "a=1"  # dict() takes the first value, as with aiohttp's headers


def test_header_values_decode_as_aiohttp_does():
    h = aio_http.Headers([(b"X-Name", "caf\u00e9".encode()), (b"X-Bad", b"\xff")])
    assert h["x-name"] == "caf\u00e9"
    assert h["x-bad"] == "\udcff"  # surrogate-escaped, never an error


# --------------------------------------------------------------------------------------------------
# A connection fed bytes (no socket)
# --------------------------------------------------------------------------------------------------


class _FakeTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.closed = False
        self.paused = 0

    def write(self, data: bytes) -> None:  # type: ignore[override]
        self.written.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def pause_reading(self) -> None:
        self.paused += 1

    def resume_reading(self) -> None:
        self.paused -= 1


def _connection() -> tuple[Any, _FakeTransport]:
    target = aio_http.target_of("http://fed.example/x")
    assert target is not None and aio_http.available()
    pool = _aio_conn.Pool(asyncio.get_running_loop(), target)
    conn = _aio_conn.Connection(pool)
    fake = _FakeTransport()
    conn.connection_made(fake)
    pool.open.add(conn)
    return conn, fake


async def test_a_reply_split_anywhere_parses_the_same():
    raw = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    for cut in range(1, len(raw)):
        conn, _ = _connection()
        conn.start(b"GET / HTTP/1.1\r\n\r\n", False)
        conn.data_received(raw[:cut])
        conn.data_received(raw[cut:])
        assert conn.state == _aio_conn.DONE and conn.status == 200 and bytes(conn.buffer) == b"hello"
        assert aio_http.Headers(conn.raw_headers)["content-type"] == "text/plain" and conn.reusable()


async def test_garbage_is_a_remote_protocol_error_and_closes():
    conn, fake = _connection()
    conn.start(b"GET / HTTP/1.1\r\n\r\n", False)
    conn.data_received(b"SSH-2.0-OpenSSH\r\n\r\n")
    assert isinstance(conn.error, httpx.RemoteProtocolError) and "fed.example:80" in str(conn.error)
    assert fake.closed and not conn.reusable()


async def test_bytes_on_an_idle_connection_drop_it():
    conn, fake = _connection()
    conn.data_received(b"HTTP/1.1 408 Request Timeout\r\n\r\n")
    assert fake.closed and conn.state == _aio_conn.CLOSED


async def test_reading_pauses_above_the_high_water_mark_and_resumes_below_the_low_one():
    conn, fake = _connection()
    conn.start(b"GET / HTTP/1.1\r\n\r\n", False)
    conn.data_received(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
    conn.data_received(b"x" * 300_000)
    assert fake.paused == 1
    conn.take(100_000)
    assert fake.paused == 1  # still above the low-water mark
    conn.take(150_000)
    assert fake.paused == 0


async def test_a_closed_connection_mid_body_without_a_length_ends_the_body():
    conn, _ = _connection()
    conn.start(b"GET / HTTP/1.1\r\n\r\n", False)
    conn.data_received(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it")
    conn.connection_lost(None)
    assert conn.error is None and bytes(conn.buffer) == b"all of it" and not conn.reusable()


async def test_a_connection_lost_before_any_reply_byte_names_the_server():
    conn, _ = _connection()
    conn.start(b"GET / HTTP/1.1\r\n\r\n", False)
    conn.connection_lost(ConnectionResetError("reset"))
    assert isinstance(conn.error, httpx.RemoteProtocolError) and not conn.got_bytes
    assert "fed.example:80" in str(conn.error)


# --------------------------------------------------------------------------------------------------
# The default transport's choice
# --------------------------------------------------------------------------------------------------


def test_the_default_async_transport_is_ours_with_aiohttp_behind():
    assert isinstance(transport.async_transport_for(None), transport.DefaultAsyncTransport)


async def test_without_httptools_the_default_stays_aiohttp(monkeypatch):
    chosen = transport.DefaultAsyncTransport()
    calls: list[str] = []

    async def fallback_send(request: WireRequest, *, timeout: Any, stream: bool) -> Any:
        calls.append(request.url)
        return "aiohttp reply"

    monkeypatch.setattr(_aio_conn, "_httptools", False)
    monkeypatch.setattr(chosen, "_fallback", type("F", (), {"send": staticmethod(fallback_send)})())
    assert await chosen.send(WireRequest("GET", "http://h/x", {}), timeout=1, stream=False) == "aiohttp reply"
    assert calls == ["http://h/x"]


async def test_multipart_goes_to_aiohttp(monkeypatch):
    chosen = transport.DefaultAsyncTransport()
    calls: list[Any] = []

    async def fallback_send(request: WireRequest, *, timeout: Any, stream: bool) -> Any:
        calls.append(request.files)
        return "aiohttp reply"

    monkeypatch.setattr(chosen, "_fallback", type("F", (), {"send": staticmethod(fallback_send)})())
    request = WireRequest("POST", "http://h/x", {}, None, [("file", ("a", b"b", "text/plain"))])
    assert await chosen.send(request, timeout=1, stream=False) == "aiohttp reply"
    assert calls == [request.files]


def test_litellm_async_transport_aiohttp_sends_everything_through_aiohttp(monkeypatch):
    from litellm.core.transport import DefaultAsyncTransport

    monkeypatch.setenv("LITELLM_ASYNC_TRANSPORT", "aiohttp")
    assert DefaultAsyncTransport()._load() is False
    monkeypatch.delenv("LITELLM_ASYNC_TRANSPORT")
    assert DefaultAsyncTransport()._load() is not False


async def test_a_wait_is_completed_and_detached_by_the_reply_or_the_timeout():
    conn, _ = _connection()
    conn.start(b"GET / HTTP/1.1\r\n\r\n", False)
    waiting = conn.wait(30.0)
    conn.data_received(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    await waiting
    assert conn._waiter is None and conn.state == _aio_conn.DONE
    conn, _ = _connection()
    conn.start(b"GET / HTTP/1.1\r\n\r\n", False)
    waiting = conn.wait(30.0)
    conn.timed_out()
    with pytest.raises(httpx.ReadTimeout, match=r"fed\.example:80"):
        await waiting
    assert conn._waiter is None


async def test_the_body_encoding_is_found_among_many_headers_and_only_by_its_name():
    body = zlib.compress(b"hello")
    for headers in (
        b"X-Sixteen-Chars!: gzip\r\nContent-Encoding: Deflate \r\n",  # a 16-byte name first
        b"content-encoding: deflate\r\n" + b"".join(b"X-H%d: %d\r\n" % (i, i) for i in range(20)),
    ):
        conn, _ = _connection()
        conn.start(b"GET / HTTP/1.1\r\n\r\n", False)
        conn.data_received(b"HTTP/1.1 200 OK\r\n%sContent-Length: %d\r\n\r\n%s" % (headers, len(body), body))
        assert conn.state == _aio_conn.DONE and bytes(conn.buffer) == b"hello"
    conn, _ = _connection()
    conn.start(b"GET / HTTP/1.1\r\n\r\n", False)
    conn.data_received(b"HTTP/1.1 200 OK\r\nX-Sixteen-Chars!: gzip\r\nContent-Length: 2\r\n\r\nok")
    assert conn._encoding is None and bytes(conn.buffer) == b"ok"


def test_headers_decode_as_each_name_and_value_decoded_alone():
    rng = random.Random(5)
    alphabet = bytes(range(1, 256)) + b"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" * 8  # some valid UTF-8 too
    for _ in range(3000):
        raw = [
            (
                bytes(rng.choices(alphabet, k=rng.randint(0, 6))),
                bytes(rng.choices(alphabet, k=rng.randint(0, 9))),
            )
            for _ in range(rng.randint(0, 6))
        ]
        if rng.random() < 0.1:  # never from the parser, but handled
            raw.append((b"x-nul", b"a\x00b"))
        want = [(n.decode("utf-8", "surrogateescape"), v.decode("utf-8", "surrogateescape")) for n, v in raw]
        assert aio_http.Headers(raw).items() == want
