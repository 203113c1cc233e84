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

Connections: one pool per (event loop, scheme, host, port), at most ``MAX_CONNECTIONS`` open (callers
wait for one beyond that), up to ``MAX_IDLE`` idle ones kept for ``IDLE_EXPIRY`` seconds. A connection is
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
import zlib
from collections.abc import Iterator, Mapping
from time import monotonic as _monotonic
from typing import Any
from urllib.parse import urlsplit

import httpx

from litellm.core import http as _http
from litellm.core.transport import AsyncReply, WireRequest

__all__ = [
    "IDLE_EXPIRY",
    "MAX_CONNECTIONS",
    "MAX_IDLE",
    "Headers",
    "HttpReply",
    "available",
    "close_pools",
    "pool_stats",
    "send",
    "target_of",
]

MAX_CONNECTIONS = 1000  # per pool: the sync clients' httpx limit (aiohttp's connector had none)
MAX_IDLE = 100  # idle keep-alive connections kept per pool, as the sync clients' keep-alive limit
IDLE_EXPIRY = 15.0  # seconds an idle connection is kept (aiohttp's keepalive_timeout)
_HIGH_WATER = 256 * 1024  # pause reading a streamed body when this much is buffered and unread
_LOW_WATER = 64 * 1024  # resume below this
# What aiohttp sends by default (without the optional brotli/zstd packages): kept so servers answer as
# they did; we decode what we ask for.
ACCEPT_ENCODING = "gzip, deflate"
USER_AGENT = f"Python/{sys.version_info[0]}.{sys.version_info[1]} litellm"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

_httptools: Any = None  # the module once imported; False when it is not installed


def available() -> bool:
    """Whether ``httptools`` is importable (checked once): without it the default stays aiohttp."""
    global _httptools
    if _httptools is None:
        try:
            import httptools
        except ImportError:
            _httptools = False
        else:
            _httptools = httptools
    return _httptools is not False


# ---------------------------------------------------------------------------------------------------
# Targets: what a URL means on the wire (memoised; None = not ours, the caller falls back)
# ---------------------------------------------------------------------------------------------------


class _Target:
    __slots__ = ("host", "host_header", "last_pool", "origin", "path", "port", "tls")

    def __init__(self, tls: bool, host: str, port: int, host_header: str, path: str, origin: str) -> None:
        self.tls = tls
        self.host = host
        self.port = port
        self.host_header = host_header
        self.path = path
        self.origin = origin
        # (loop, pool) of the last send: one attribute, so threads with their own loops never mix them
        self.last_pool: tuple[asyncio.AbstractEventLoop, _Pool] | None = None


_targets: dict[str, _Target | None] = {}


def _parse_target(url: str) -> _Target | None:
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
    return _Target(scheme == "https", host, port, host_header, path, f"{scheme}://{host_header}")


def target_of(url: str) -> _Target | None:
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
            items = self._items = [
                (name.decode("utf-8", "surrogateescape"), value.decode("utf-8", "surrogateescape"))
                for name, value in self._raw
            ]
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
# A connection: the asyncio protocol and the httptools parser's callbacks
# ---------------------------------------------------------------------------------------------------

_IDLE, _HEAD, _BODY, _DONE, _CLOSED = 0, 1, 2, 3, 4


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection and the reply being read on it (one at a time, no pipelining)."""

    __slots__ = (
        "_decoder",
        "_encoding",
        "_fresh_parser",
        "_head_only",
        "_informational",
        "_paused",
        "_raw",
        "_status",
        "_waiter",
        "buffer",
        "deadline",
        "error",
        "got_bytes",
        "idle_since",
        "keep_alive",
        "loop",
        "parser",
        "pool",
        "state",
        "transport",
        "unbounded",
        "wait_timeout",
    )

    def __init__(self, pool: _Pool) -> None:
        self.pool = pool
        self.loop = pool.loop
        self.transport: asyncio.Transport | None = None
        self.parser = _httptools.HttpResponseParser(self)
        self.state = _IDLE
        self.error: BaseException | None = None
        self.buffer = bytearray()
        self.got_bytes = False
        self.keep_alive = False
        self.idle_since = 0.0  # time.monotonic() when it went back to the pool
        self.unbounded = False  # read() wants the whole body: no read pause
        self.deadline = 0.0  # of the current wait (loop time)
        self.wait_timeout = 0.0
        self._waiter: asyncio.Future[None] | None = None
        self._raw: list[tuple[bytes, bytes]] = []
        self._status = 0
        self._decoder: Any = None
        self._encoding: str | None = None
        self._paused = False
        self._head_only = False
        self._fresh_parser = False
        self._informational = False

    # --- asyncio.Protocol ---

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        state = self.state
        if state == _HEAD or state == _BODY:
            self.got_bytes = True
            try:
                self.parser.feed_data(data)
            except Exception as exc:
                if self.error is None:
                    self.error = httpx.RemoteProtocolError(
                        f"invalid HTTP reply from {self.pool.where}: {type(exc).__name__}: {exc}"
                    )
                self._wake()
                self.close()
        elif state != _CLOSED:  # bytes nobody asked for (an idle connection): never reuse it
            self.close()

    def eof_received(self) -> bool:
        return False  # close the transport; connection_lost finishes the reply or fails it

    def connection_lost(self, exc: Exception | None) -> None:
        state = self.state
        self.state = _CLOSED
        self.transport = None
        self._paused = False
        if state == _HEAD and self.error is None:
            if not self.got_bytes:
                self.error = httpx.RemoteProtocolError(
                    f"server {self.pool.where} disconnected without sending a reply"
                    + (f": {exc}" if exc is not None else "")
                )
            elif exc is None:
                self.error = httpx.RemoteProtocolError(
                    f"server {self.pool.where} closed the connection in the middle of the reply head"
                )
            else:
                self.error = httpx.ReadError(f"connection to {self.pool.where} failed: {exc}")
        elif state == _BODY and self.error is None:
            if exc is None and not self._length_known():
                self._finish()  # the body ran until the server closed: that was all of it
                self.state = _CLOSED
            else:
                self.error = httpx.RemoteProtocolError(
                    f"server {self.pool.where} closed the connection before the end of the reply body"
                    + (f": {exc}" if exc is not None else "")
                )
        self._wake()
        self.pool.forget(self)

    # --- httptools callbacks ---

    def on_header(self, name: bytes, value: bytes) -> None:
        self._raw.append((name, value))

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        if 100 <= status < 200:  # 1xx: an interim answer, the real one follows
            self._informational = True
            self._raw = []
            return
        self._status = status
        self.keep_alive = self.parser.should_keep_alive()
        self.state = _BODY
        raw = self._raw
        if b"ncoding" in b"\0".join([name for name, _ in raw]).lower():  # rare: look closer only then
            for name, value in raw:
                if name.lower() == b"content-encoding":
                    self._encoding = value.strip().lower().decode("latin-1")
        if self._head_only:  # the parser does not know it was HEAD: it may wait for a body that never comes
            self._fresh_parser = True
            self._finish()
        self._wake()

    def on_body(self, body: bytes) -> None:
        if self.state != _BODY:
            return
        if self._encoding is not None:
            body = self._decode(body)
        self.buffer += body
        if not self.unbounded and not self._paused and len(self.buffer) > _HIGH_WATER:
            self._paused = True
            transport = self.transport
            if transport is not None:
                transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if self._informational:
            self._informational = False
            return
        if self.state == _BODY:
            self._finish()
            self._wake()

    # --- our side ---

    def _finish(self) -> None:
        decoder = self._decoder
        if decoder is not None:
            try:
                self.buffer += decoder.flush()
            except zlib.error as exc:
                self.error = httpx.RemoteProtocolError(
                    f"could not decode the {self._encoding} reply body from {self.pool.where}: {exc}"
                )
        self.state = _DONE

    def _decode(self, body: bytes) -> bytes:
        decoder = self._decoder
        try:
            if decoder is None:
                encoding = self._encoding
                if encoding in ("gzip", "x-gzip"):
                    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
                elif encoding == "deflate":
                    # "deflate" is zlib-wrapped by the spec, raw in the wild: the first byte tells
                    wrapped = bool(body) and body[0] & 0x0F == 8
                    decoder = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
                else:  # an encoding we did not ask for: pass it through as aiohttp does without a codec
                    self._encoding = None
                    return body
                self._decoder = decoder
            return decoder.decompress(body)
        except zlib.error as exc:
            self.error = httpx.RemoteProtocolError(
                f"could not decode the {self._encoding} reply body from {self.pool.where}: {exc}"
            )
            raise

    def _length_known(self) -> bool:
        for name, value in self._raw:
            lower = name.lower()
            if lower == b"content-length" or (lower == b"transfer-encoding" and b"chunked" in value.lower()):
                return True
        return False

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def start(self, data: bytes, head_only: bool) -> None:
        """Send one request; the reply is parsed as it arrives."""
        if self._fresh_parser:
            self._fresh_parser = False
            self.parser = _httptools.HttpResponseParser(self)
        self.state = _HEAD
        self.got_bytes = False
        self.unbounded = False
        self.error = None
        self._raw = []
        self._head_only = head_only
        if self._encoding is not None:
            self._encoding = self._decoder = None
        if self.buffer:
            self.buffer = bytearray()
        transport = self.transport
        if transport is None or transport.is_closing():
            raise httpx.RemoteProtocolError(f"server {self.pool.where} disconnected without sending a reply")
        try:
            transport.write(data)
        except Exception as exc:
            raise httpx.WriteError(f"could not send the request to {self.pool.where}: {exc}") from exc

    async def wait(self, timeout: float) -> None:
        """Until something happens on this connection (a reply byte, the end, an error), at most
        ``timeout`` seconds: the per-read timeout. The deadline is watched by the pool's one timer
        (a timer per wait costs ~5 µs of the loop's time per request)."""
        loop = self.loop
        waiter = loop.create_future()
        self._waiter = waiter
        self.deadline = deadline = loop.time() + timeout
        self.wait_timeout = timeout
        pool = self.pool
        pool.waiting.add(self)
        if deadline < pool.tick_at:
            pool.watch(deadline)
        try:
            await waiter
        finally:
            pool.waiting.discard(self)
            self._waiter = None

    def timed_out(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(
                httpx.ReadTimeout(
                    f"no reply from {self.pool.where} within {self.wait_timeout:g} s (read timeout)"
                )
            )

    def take(self, limit: int | None = None) -> bytes:
        """Bytes from the buffer (everything, or up to ``limit``), resuming a paused read."""
        buffer = self.buffer
        if limit is None or limit >= len(buffer):
            data = bytes(buffer)
            buffer.clear()
        else:
            data = bytes(buffer[:limit])
            del buffer[:limit]
        if self._paused and len(buffer) < _LOW_WATER:
            self._paused = False
            transport = self.transport
            if transport is not None and self.state != _CLOSED:
                transport.resume_reading()
        return data

    def unpause(self) -> None:
        """The reader wants the whole body (or a long line): stop pausing reads for this reply."""
        self.unbounded = True
        if self._paused:
            self._paused = False
            transport = self.transport
            if transport is not None and self.state != _CLOSED:
                transport.resume_reading()

    def headers(self) -> Headers:
        return Headers(self._raw)

    def close(self) -> None:
        """Drop the connection (never reused); safe to call more than once and from callbacks."""
        if self.state != _CLOSED:
            if self.state in (_HEAD, _BODY) and self.error is None:
                self.error = httpx.ReadError(f"connection to {self.pool.where} was closed")
            self.state = _CLOSED
            self._wake()
        transport = self.transport
        if transport is not None:
            self.transport = None
            if self.loop.is_closed():
                _close_socket(transport)
            else:
                try:
                    transport.close()
                except Exception:  # closing must never raise into the caller
                    pass
        self.pool.forget(self)

    def reusable(self) -> bool:
        return self.state == _DONE and self.keep_alive and self.error is None


def _close_socket(transport: asyncio.BaseTransport) -> None:
    """Close the socket under a transport whose loop is closed (``transport.close()`` needs the loop):
    asyncio's selector transports, TLS ones through their inner transport. Best effort; otherwise the
    socket goes when the transport object does."""
    try:
        inner = getattr(getattr(transport, "_ssl_protocol", None), "_transport", None) or transport
        sock = getattr(inner, "_sock", None)
        if sock is not None:
            sock.close()
            inner._sock = None  # type: ignore[union-attr]
    except Exception:
        pass


# ---------------------------------------------------------------------------------------------------
# The pool
# ---------------------------------------------------------------------------------------------------

_ssl_contexts: dict[bool, Any] = {}


def _ssl_context() -> Any:
    """The TLS context for a new pool, from ``ssl_config()`` (False: no verification; True: the
    system's default CAs, one context per process; a context: as given)."""
    config = _http.ssl_config()
    if not isinstance(config, bool):
        return config
    context = _ssl_contexts.get(config)
    if context is None:
        import ssl

        if config:
            context = ssl.create_default_context()
        else:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        _ssl_contexts[config] = context
    return context


class _Pool:
    """Keep-alive connections to one (scheme, host, port), for one event loop."""

    __slots__ = (
        "_sweeper",
        "_tick",
        "_waiters",
        "host",
        "idle",
        "loop",
        "open",
        "port",
        "ssl",
        "tick_at",
        "waiting",
        "where",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop, target: _Target) -> None:
        if not available():
            raise RuntimeError("litellm.core.aio_http needs httptools: pip install httptools")
        self.loop = loop
        self.host = target.host
        self.port = target.port
        self.where = f"{target.host}:{target.port}"
        self.ssl = _ssl_context() if target.tls else None
        self.idle: list[_Connection] = []
        self.open: set[_Connection] = set()
        self._waiters: list[asyncio.Future[None]] = []
        self._sweeper: asyncio.TimerHandle | None = None
        self.waiting: set[_Connection] = set()  # connections waiting for the server, with a deadline
        self._tick: asyncio.TimerHandle | None = None  # the timer for the nearest deadline
        self.tick_at = float("inf")

    def take_idle(self) -> _Connection | None:
        """The most recently used idle connection still good, or None."""
        idle = self.idle
        if not idle:
            return None
        now = _monotonic()
        while idle:
            conn = idle.pop()
            transport = conn.transport
            if transport is None or conn.state != _IDLE or transport.is_closing():
                conn.close()
            elif now - conn.idle_since > IDLE_EXPIRY:
                conn.close()
            else:
                return conn
        return None

    async def acquire(
        self, connect_timeout: float, fresh: bool, wait_timeout: float
    ) -> tuple[_Connection, bool]:
        """A connection (idle first, unless ``fresh``), and whether it was reused. At the limit, wait
        up to ``wait_timeout`` (the call's read timeout) for one to be given back or closed."""
        idle = self.idle
        while True:
            if not fresh:
                conn = self.take_idle()
                if conn is not None:
                    return conn, True
            if len(self.open) < MAX_CONNECTIONS:
                return await self._connect(connect_timeout), False
            if fresh and idle:  # at the limit: make room by closing an idle one
                idle.pop(0).close()
                continue
            waiter = self.loop.create_future()
            self._waiters.append(waiter)
            timer = self.loop.call_later(wait_timeout, self._pool_timeout, waiter, wait_timeout)
            try:
                await waiter
            finally:
                timer.cancel()
                if waiter in self._waiters:
                    self._waiters.remove(waiter)

    def _pool_timeout(self, waiter: asyncio.Future[None], seconds: float) -> None:
        if not waiter.done():
            waiter.set_exception(
                httpx.PoolTimeout(
                    f"all {MAX_CONNECTIONS} connections to {self.where} stayed busy for {seconds:g} s"
                )
            )

    async def _connect(self, timeout: float) -> _Connection:
        conn = _Connection(self)
        self.open.add(conn)
        try:
            extra: dict[str, Any] = {}
            if isinstance(self.loop, asyncio.BaseEventLoop):  # uvloop has no Happy Eyeballs option
                extra["happy_eyeballs_delay"] = 0.25  # as aiohttp: an IPv6 address that hangs is skipped
            await asyncio.wait_for(
                self.loop.create_connection(
                    lambda: conn,
                    self.host,
                    self.port,
                    ssl=self.ssl,
                    server_hostname=self.host if self.ssl is not None else None,
                    **extra,
                ),
                timeout,
            )
        except asyncio.TimeoutError:
            conn.close()
            raise httpx.ConnectTimeout(
                f"connecting to {self.where} timed out after {timeout:g} s (connect timeout)"
            ) from None
        except OSError as exc:  # refused, unreachable, DNS (gaierror), TLS (ssl.SSLError)
            conn.close()
            raise httpx.ConnectError(f"could not connect to {self.where}: {exc}") from exc
        except BaseException:  # cancelled: a transport made in the race is closed too
            conn.close()
            raise
        if conn.state == _CLOSED:  # lost between the handshake and here
            raise httpx.ConnectError(f"could not connect to {self.where}: closed right after connecting")
        return conn

    def release(self, conn: _Connection) -> None:
        """Back to the idle list when its reply was read to the end and it may be kept; else drop it."""
        if conn.state != _DONE or not conn.keep_alive or conn.error is not None or len(self.idle) >= MAX_IDLE:
            conn.close()
            return
        conn.state = _IDLE
        if conn.buffer:  # a reply released unread: its bytes are of no further use
            conn.buffer = bytearray()
        conn.idle_since = _monotonic()
        self.idle.append(conn)
        if self._waiters:
            self._wake_one()
        if self._sweeper is None:
            self._sweeper = self.loop.call_later(IDLE_EXPIRY, self._sweep)

    def forget(self, conn: _Connection) -> None:
        """``conn`` is closed: it no longer counts, and a caller waiting for room may go."""
        if conn in self.open:
            self.open.discard(conn)
            if conn in self.idle:
                self.idle.remove(conn)
            if self._waiters:
                self._wake_one()

    def watch(self, deadline: float) -> None:
        """Make the pool's timer fire no later than ``deadline``."""
        if self._tick is not None:
            self._tick.cancel()
        self.tick_at = deadline
        self._tick = self.loop.call_at(deadline, self._on_tick)

    def _on_tick(self) -> None:
        """Time out the waits past their deadline; re-arm for the nearest one left."""
        self._tick = None
        self.tick_at = float("inf")
        now = self.loop.time() + 0.001  # a timer may run a hair early
        nearest = float("inf")
        for conn in list(self.waiting):
            if conn.deadline <= now:
                conn.timed_out()
            elif conn.deadline < nearest:
                nearest = conn.deadline
        if nearest != float("inf"):
            self.watch(nearest)

    def _wake_one(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
                return

    def _sweep(self) -> None:
        """Close idle connections past their expiry (a quiet pool holds no sockets for long)."""
        self._sweeper = None
        now = _monotonic()
        for conn in [c for c in self.idle if now - c.idle_since > IDLE_EXPIRY]:
            conn.close()
        if self.idle:
            self._sweeper = self.loop.call_later(IDLE_EXPIRY, self._sweep)

    def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None
            self.tick_at = float("inf")
        for conn in list(self.open):
            conn.close()
        self.idle.clear()
        self.open.clear()


# id(loop) -> (loop, {origin: pool}); strong refs so a closed loop's pools are found and dropped
_pools: dict[int, tuple[asyncio.AbstractEventLoop, dict[str, _Pool]]] = {}


def _pool(target: _Target, loop: asyncio.AbstractEventLoop) -> _Pool:
    entry = _pools.get(id(loop))
    if entry is None or entry[0] is not loop:
        _reap_closed_loops()
        entry = (loop, {})
        _pools[id(loop)] = entry
    pool = entry[1].get(target.origin)
    if pool is None:
        pool = entry[1][target.origin] = _Pool(loop, target)
    target.last_pool = (loop, pool)
    return pool


def _reap_closed_loops() -> None:
    for key, (loop, pools) in list(_pools.items()):
        if loop.is_closed():
            for pool in pools.values():
                _close_quietly(pool)
            _pools.pop(key, None)


def _close_quietly(pool: _Pool) -> None:
    try:
        pool.close()
    except Exception:  # teardown is best effort: never raise from cleanup
        pass


def close_pools() -> None:
    """Close every pool's connections (from :func:`litellm.core.http.close_clients`, and at exit)."""
    for _, pools in list(_pools.values()):
        for pool in pools.values():
            _close_quietly(pool)
    _pools.clear()
    for target in list(_targets.values()):  # their shortcut to a pool now closed
        if target is not None:
            target.last_pool = None


def pool_stats() -> dict[str, dict[str, int]]:
    """``{origin: {"open": n, "idle": n}}`` for the running loop's pools (tests and diagnostics)."""
    entry = _pools.get(id(asyncio.get_running_loop()))
    if entry is None:
        return {}
    return {origin: {"open": len(p.open), "idle": len(p.idle)} for origin, p in entry[1].items()}


# ---------------------------------------------------------------------------------------------------
# Requests and replies
# ---------------------------------------------------------------------------------------------------


_heads: dict[Any, tuple[bytes, bool]] = {}


def _head(method: str, target: _Target, headers: Mapping[str, Any], has_body: bool) -> tuple[bytes, bool]:
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


def _request_bytes(request: WireRequest, target: _Target) -> bytes:
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


async def send(request: WireRequest, target: _Target, timeout: Any, stream: bool) -> HttpReply:
    """Send ``request`` to ``target`` and return the reply once its head arrived (``stream`` or not:
    the body is read by the reply's methods, as with aiohttp)."""
    connect_timeout, read_timeout = _http.async_timeouts(timeout)
    loop = asyncio.get_running_loop()
    last = target.last_pool
    pool = last[1] if last is not None and last[0] is loop else _pool(target, loop)
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
            while conn.state == _HEAD:
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
        return HttpReply(conn, conn._status, conn.headers(), read_timeout)


class HttpReply(AsyncReply):
    """A reply on one of our connections. The body is read once, by ``read`` or piecewise by
    ``readline`` / ``read_chunk``; the connection goes back to its pool when the body has been read
    to the end, and is closed when the reply is released before that."""

    __slots__ = ("_body", "_conn", "_read_timeout")

    def __init__(self, conn: _Connection, status: int, headers: Headers, read_timeout: float) -> None:
        # not AsyncReply.__init__: that one wraps an aiohttp or httpx response
        self._conn: _Connection | None = conn
        self._body: bytes | None = None
        self._read_timeout = read_timeout
        self.status = status
        self.headers = headers

    async def read(self) -> bytes:
        conn = self._conn
        if conn is None:
            return self._body if self._body is not None else b""
        if conn.state == _DONE and conn.error is None:  # the usual: it all came with the head
            self._conn = None
            self._body = body = conn.take()
            conn.pool.release(conn)
            return body
        try:
            if conn.state == _BODY:
                conn.unpause()
                while conn.state == _BODY:
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
                if conn.state != _BODY:
                    if conn.error is not None:
                        raise conn.error
                    if buffer:
                        return conn.take()
                    self._end(conn)
                    return b""
                if conn._paused:  # a line longer than the read window: let it grow
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
                if conn.state != _BODY:
                    if conn.error is not None:
                        raise conn.error
                    self._end(conn)
                    return b""
                await conn.wait(self._read_timeout)
        except BaseException:
            self._conn = None
            conn.close()
            raise

    def _end(self, conn: _Connection) -> None:
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
            if conn.state == _DONE:
                conn.pool.release(conn)
            else:
                conn.close()
        except Exception:  # a loop already closed: nothing to give back to
            pass

    def __del__(self) -> None:
        if self._conn is not None:
            self.release()
