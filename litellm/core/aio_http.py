"""Our lean asyncio HTTP/1.1 client: the default async transport for plain http(s) requests.

Why: aiohttp's client spends ~110 µs of CPU per request here (session, request and response objects,
stream writer, connector bookkeeping); a proxy request has 0.6 ms in all. This client does only what
a provider call needs: write one request (head + body bytes in one ``write``), parse the reply with
``httptools`` (llhttp, C), keep the connection alive in a per-(event loop, origin) pool.

What it covers: http and https (TLS from :func:`litellm.core.http.ssl_config`, SNI = host),
Content-Length, chunked and read-until-close bodies, ``Connection: close``, gzip/deflate bodies (the
``Accept-Encoding`` aiohttp sends), HEAD/204/304 without a body, 1xx answers skipped, streamed bodies
delivered as they arrive with read flow control. What it does not (the caller falls back to aiohttp,
see :func:`target_of`): multipart, URLs with userinfo, non-ASCII hosts, other schemes.

Connections (:mod:`litellm.core._aio_conn`): one pool per (event loop, scheme, host, port), at most
``MAX_CONNECTIONS`` open (callers wait for one beyond that), up to ``MAX_IDLE`` idle ones kept for
``IDLE_EXPIRY`` seconds. A connection is
reused only when its last reply was read to the end and the server kept it alive; the server closing
it, an error, a cancelled read or a reply released before its end drops it. A request that fails on a
*reused* connection before any reply byte arrived (the server closed it while idle) is sent once more
on a new connection, never otherwise.

Errors are httpx's (the pipeline's error mapper already knows them), named by host:port only, never
a URL path, query or header (they can hold keys)::

    httpx.ConnectTimeout        connecting (TCP + TLS) took longer than min(timeout, 10 s)
    httpx.ConnectError          DNS, refused, TLS verification
    httpx.ReadTimeout           no reply byte for ``timeout`` seconds (per read, no total)
    httpx.PoolTimeout           all MAX_CONNECTIONS busy for ``timeout`` seconds
    httpx.RemoteProtocolError   closed without (or in the middle of) a reply, malformed reply or body
    httpx.ReadError             the connection failed while reading (reset)
    httpx.WriteError            the connection failed while writing
    httpx.LocalProtocolError    a header name or value with a line break (never sent)

Must not: import anything heavy at import time (httptools is imported on first use), log, retry beyond
the one stale-connection resend, or know about providers.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from litellm.core import http as _http
from litellm.core._aio_conn import (
    BODY,
    DONE,
    HEAD,
    Connection,
    Pool,
    available,
    close_pools,
    pool_for,
    pool_stats,
)
from litellm.core.transport import AsyncReply, WireRequest

__all__ = [
    "Headers",
    "HttpReply",
    "Target",
    "available",
    "close_pools",
    "pool_stats",
    "send",
    "target_of",
]

# What aiohttp sends by default (without the optional brotli/zstd packages): kept so servers answer as
# they did; we decode what we ask for.
ACCEPT_ENCODING = "gzip, deflate"
USER_AGENT = f"Python/{sys.version_info[0]}.{sys.version_info[1]} litellm"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

# ---------------------------------------------------------------------------------------------------
# Targets: what a URL means on the wire (memoised; None = not ours, the caller falls back)
# ---------------------------------------------------------------------------------------------------


class Target:
    __slots__ = ("host", "host_header", "last_pool", "origin", "path", "port", "tls")

    def __init__(self, tls: bool, host: str, port: int, host_header: str, path: str, origin: str) -> None:
        self.tls = tls
        self.host = host
        self.port = port
        self.host_header = host_header
        self.path = path
        self.origin = origin
        # (loop, pool) of the last send: one attribute, so threads with their own loops never mix them
        self.last_pool: tuple[asyncio.AbstractEventLoop, Pool] | None = None


_targets: dict[str, Target | None] = {}


def _parse_target(url: str) -> Target | None:
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if scheme not in _DEFAULT_PORTS or not host or "@" in parts.netloc or not host.isascii():
        return None
    if any(c in url for c in " \r\n\t"):  # aiohttp quotes or rejects these; not ours to decide
        return None
    default = _DEFAULT_PORTS[scheme]
    port = port or default
    shown = f"[{host}]" if ":" in host else host
    host_header = shown if port == default else f"{shown}:{port}"
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme == "https", host, port, host_header, path, f"{scheme}://{host_header}")


def target_of(url: str) -> Target | None:
    """Where ``url`` goes, or None when this client does not handle it (the caller uses aiohttp)."""
    try:
        return _targets[url]
    except KeyError:
        pass
    target = _parse_target(url)
    if len(_targets) > 1024:  # many distinct URLs (query strings): keep the memo bounded
        _targets.clear()
    _targets[url] = target
    return target


# ---------------------------------------------------------------------------------------------------
# Headers
# ---------------------------------------------------------------------------------------------------


class Headers(Mapping[str, str]):
    """A reply's headers: case-insensitive, multi-valued, in the order received (aiohttp's
    ``CIMultiDictProxy`` as callers use it). ``h[name]`` / ``get`` give the first value, ``getall`` /
    ``get_list`` every value, ``items()`` every pair with the name as the server spelled it. Built from
    the parser's raw bytes and decoded on first use (UTF-8 with surrogate escapes, as aiohttp does)."""

    __slots__ = ("_index", "_items", "_raw")

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        self._raw = raw
        self._items: list[tuple[str, str]] | None = None
        self._index: dict[str, str] | None = None

    def _pairs(self) -> list[tuple[str, str]]:
        items = self._items
        if items is None:
            raw = self._raw
            # Valid UTF-8 (nearly always) decodes to the same text strictly as with surrogate escapes,
            # and ~a third cheaper without the arguments: ~20 pairs a reply, read on every call.
            try:
                items = [(name.decode(), value.decode()) for name, value in raw]
            except UnicodeDecodeError:
                items = [
                    (name.decode("utf-8", "surrogateescape"), value.decode("utf-8", "surrogateescape"))
                    for name, value in raw
                ]
            self._items = items
        return items

    def _lookup(self) -> dict[str, str]:
        index = self._index
        if index is None:
            index = {}
            for name, value in reversed(self._pairs()):  # reversed: the first value wins
                index[name.lower()] = value
            self._index = index
        return index

    def __getitem__(self, key: str) -> str:
        return self._lookup()[key.lower()]

    def get(self, key: str, default: Any = None) -> Any:
        return self._lookup().get(key.lower(), default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._lookup()

    def getall(self, key: str, default: Any = ...) -> list[str]:
        wanted = key.lower()
        found = [value for name, value in self._pairs() if name.lower() == wanted]
        if found:
            return found
        if default is ...:
            raise KeyError(key)
        return default

    def getone(self, key: str, default: Any = ...) -> Any:
        value = self._lookup().get(key.lower(), default)
        if value is ...:
            raise KeyError(key)
        return value

    def get_list(self, key: str) -> list[str]:
        return self.getall(key, [])

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._pairs())

    def __len__(self) -> int:
        return len(self._raw)

    def keys(self) -> list[str]:  # type: ignore[override]
        return [name for name, _ in self._pairs()]

    def values(self) -> list[str]:  # type: ignore[override]
        return [value for _, value in self._pairs()]

    def items(self) -> list[tuple[str, str]]:  # type: ignore[override]
        return list(self._pairs())

    def __repr__(self) -> str:
        return f"<Headers({self._pairs()!r})>"


# ---------------------------------------------------------------------------------------------------
# Requests and replies
# ---------------------------------------------------------------------------------------------------


_heads: dict[Any, tuple[bytes, bool]] = {}


def _head(method: str, target: Target, headers: Mapping[str, Any], has_body: bool) -> tuple[bytes, bool]:
    """The request line and headers as bytes, and whether a Content-Length line is still to add
    (it varies with the body, the rest rarely does: memoised by the caller)."""
    lines = [f"{method} {target.path} HTTP/1.1"]
    given: set[str] = set()
    for name, value in headers.items():
        if value is None:
            continue
        if not isinstance(value, str):
            value = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        if "\n" in value or "\r" in value or "\n" in name or "\r" in name or ":" in name:
            raise httpx.LocalProtocolError(f"header {name.strip()!r} has a line break or a colon: not sent")
        given.add(name.lower())
        lines.append(f"{name}: {value}")
    if "host" not in given:
        lines.insert(1, f"Host: {target.host_header}")
    if "accept" not in given:
        lines.append("Accept: */*")
    if "accept-encoding" not in given:
        lines.append(f"Accept-Encoding: {ACCEPT_ENCODING}")
    if "user-agent" not in given:
        lines.append(f"User-Agent: {USER_AGENT}")
    add_length = False
    if has_body:
        if "content-type" not in given:
            lines.append("Content-Type: application/octet-stream")  # what aiohttp labels bytes with
        add_length = "content-length" not in given
    elif method in _BODY_METHODS and "content-length" not in given:
        lines.append("Content-Length: 0")
    lines.append("" if add_length else "\r\n")
    return "\r\n".join(lines).encode("utf-8", "surrogateescape"), add_length


def _request_bytes(request: WireRequest, target: Target) -> bytes:
    """What goes on the wire: the head (memoised by method, URL and headers) and the body."""
    body = request.content
    headers = request.headers
    try:
        key: Any = (request.method, request.url, bool(body), *headers.items())
        cached = _heads.get(key)
    except TypeError:  # an unhashable header value: build it every time
        key, cached = None, None
    if cached is None:
        cached = _head(request.method.upper(), target, headers, bool(body))
        if key is not None:
            if len(_heads) > 512:  # headers that vary per request (ids): keep the memo bounded
                _heads.clear()
            _heads[key] = cached
    head, add_length = cached
    if not body:
        return head
    if isinstance(body, str):  # WireRequest says bytes; aiohttp took text as UTF-8, so do we
        body = body.encode("utf-8")
    if add_length:
        return b"%sContent-Length: %d\r\n\r\n%s" % (head, len(body), body)
    return head + bytes(body)


async def send(request: WireRequest, target: Target, timeout: Any, stream: bool) -> HttpReply:
    """Send ``request`` to ``target`` and return the reply once its head arrived (``stream`` or not:
    the body is read by the reply's methods, as with aiohttp)."""
    connect_timeout, read_timeout = _http.async_timeouts(timeout)
    loop = asyncio.get_running_loop()
    last = target.last_pool
    pool = last[1] if last is not None and last[0] is loop and not last[1].closed else pool_for(target, loop)
    data = _request_bytes(request, target)
    head_only = request.method.upper() == "HEAD"
    fresh = False
    while True:
        conn = None if fresh else pool.take_idle()
        if conn is not None:
            reused = True
        else:
            conn, reused = await pool.acquire(connect_timeout, fresh, read_timeout)
        try:
            conn.start(data, head_only)
            while conn.state == HEAD:
                await conn.wait(read_timeout)
                if conn.error is not None:
                    raise conn.error
            if conn.error is not None:
                raise conn.error
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
            conn.close()
            if reused and not conn.got_bytes and not fresh:
                fresh = True  # the server closed it while it sat idle: once more, on a new connection
                continue
            raise
        except BaseException:  # a timeout, a cancellation: the connection's state is unknown
            conn.close()
            raise
        return HttpReply(conn, conn.status, Headers(conn.raw_headers), read_timeout)


class HttpReply(AsyncReply):
    """A reply on one of our connections. The body is read once, by ``read`` or piecewise by
    ``readline`` / ``read_chunk``; the connection goes back to its pool when the body has been read
    to the end, and is closed when the reply is released before that."""

    __slots__ = ("_body", "_conn", "_read_timeout")

    def __init__(self, conn: Connection, status: int, headers: Headers, read_timeout: float) -> None:
        # not AsyncReply.__init__: that one wraps an aiohttp or httpx response
        self._conn: Connection | None = conn
        self._body: bytes | None = None
        self._read_timeout = read_timeout
        self.status = status
        self.headers = headers

    async def read(self) -> bytes:
        conn = self._conn
        if conn is None:
            return self._body if self._body is not None else b""
        if conn.state == DONE and conn.error is None:  # the usual: it all came with the head
            self._conn = None
            self._body = body = conn.take()
            conn.pool.release(conn)
            return body
        try:
            if conn.state == BODY:
                conn.unpause()
                while conn.state == BODY:
                    await conn.wait(self._read_timeout)
            if conn.error is not None:
                raise conn.error
            body = conn.take()
        except BaseException:
            self._conn = None
            conn.close()
            raise
        self._conn = None
        conn.pool.release(conn)
        self._body = body
        return body

    async def readline(self) -> bytes:
        """One line with its ending (b"" at the end of the body)."""
        conn = self._conn
        if conn is None:
            return b""
        try:
            while True:
                buffer = conn.buffer
                end = buffer.find(b"\n")
                if end >= 0:
                    conn.unbounded = False  # a long line is out: flow control is back on
                    return conn.take(end + 1)
                if conn.state != BODY:
                    if conn.error is not None:
                        raise conn.error
                    if buffer:
                        return conn.take()
                    self._end(conn)
                    return b""
                if conn.paused:  # a line longer than the read window: let it grow
                    conn.unpause()
                await conn.wait(self._read_timeout)
        except BaseException:
            self._conn = None
            conn.close()
            raise

    async def read_chunk(self) -> bytes:
        """What has arrived of the body since the last call, waiting for some (b"" at the end)."""
        conn = self._conn
        if conn is None:
            return b""
        try:
            while True:
                if conn.buffer:
                    return conn.take()
                if conn.state != BODY:
                    if conn.error is not None:
                        raise conn.error
                    self._end(conn)
                    return b""
                await conn.wait(self._read_timeout)
        except BaseException:
            self._conn = None
            conn.close()
            raise

    def _end(self, conn: Connection) -> None:
        self._conn = None
        conn.pool.release(conn)

    def release(self) -> None:
        """Give the connection back (its reply complete on the wire) or close it (a body still
        arriving); sync, idempotent, safe in ``finally`` and ``__del__``."""
        conn = self._conn
        if conn is None:
            return
        self._conn = None
        try:
            if conn.state == DONE:
                conn.pool.release(conn)
            else:
                conn.close()
        except Exception:  # a loop already closed: nothing to give back to
            pass

    def __del__(self) -> None:
        if self._conn is not None:
            self.release()
