"""Connections and pools of our async HTTP/1.1 client (:mod:`litellm.core.aio_http` sends through them).

A :class:`Connection` is an ``asyncio.Protocol`` over one TCP or TLS connection that feeds what it
receives to an ``httptools`` response parser and keeps the reply being read: its state, head, body
buffer (gzip/deflate decoded as it arrives) and read flow control. A :class:`Pool` holds the keep-alive
connections to one (scheme, host, port) for one event loop: bounded, idle ones expiring, one timer for
every read deadline. ``pool_for`` finds a target's pool for the running loop.

Must not: build requests, know about replies' interface, log, retry, or import httptools at import time.
"""

from __future__ import annotations

import asyncio
import zlib
from time import monotonic as _monotonic
from typing import TYPE_CHECKING, Any

import httpx

from litellm.core import http as _http

if TYPE_CHECKING:
    from litellm.core.aio_http import Target

__all__ = [
    "BODY",
    "CLOSED",
    "DONE",
    "HEAD",
    "IDLE",
    "IDLE_EXPIRY",
    "MAX_CONNECTIONS",
    "MAX_IDLE",
    "Connection",
    "Pool",
    "available",
    "close_pools",
    "pool_for",
    "pool_stats",
]

MAX_CONNECTIONS = 1000  # per pool: the sync clients' httpx limit (aiohttp's connector had none)
MAX_IDLE = 100  # idle keep-alive connections kept per pool, as the sync clients' keep-alive limit
IDLE_EXPIRY = 15.0  # seconds an idle connection is kept (aiohttp's keepalive_timeout)
_HIGH_WATER = 256 * 1024  # pause reading a streamed body when this much is buffered and unread
_LOW_WATER = 64 * 1024  # resume below this

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
# A connection: the asyncio protocol and the httptools parser's callbacks
# ---------------------------------------------------------------------------------------------------

IDLE, HEAD, BODY, DONE, CLOSED = 0, 1, 2, 3, 4


class Connection(asyncio.Protocol):
    """One TCP (or TLS) connection and the reply being read on it (one at a time, no pipelining)."""

    __slots__ = (
        "_decoder",
        "_encoding",
        "_fresh_parser",
        "_head_only",
        "_informational",
        "_waiter",
        "buffer",
        "deadline",
        "error",
        "got_bytes",
        "idle_since",
        "keep_alive",
        "loop",
        "parser",
        "paused",
        "pool",
        "raw_headers",
        "state",
        "status",
        "transport",
        "unbounded",
        "wait_timeout",
    )

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.loop = pool.loop
        self.transport: asyncio.Transport | None = None
        self.parser = _httptools.HttpResponseParser(self)
        self.state = IDLE
        self.error: BaseException | None = None
        self.buffer = bytearray()
        self.got_bytes = False
        self.keep_alive = False
        self.idle_since = 0.0  # time.monotonic() when it went back to the pool
        self.unbounded = False  # read() wants the whole body: no read pause
        self.deadline = 0.0  # of the current wait (loop time)
        self.wait_timeout = 0.0
        self._waiter: asyncio.Future[None] | None = None
        self.raw_headers: list[tuple[bytes, bytes]] = []
        self.status = 0
        self._decoder: Any = None
        self._encoding: str | None = None
        self.paused = False
        self._head_only = False
        self._fresh_parser = False
        self._informational = False

    # --- asyncio.Protocol ---

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        state = self.state
        if state == HEAD or state == BODY:
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
        elif state != CLOSED:  # bytes nobody asked for (an idle connection): never reuse it
            self.close()

    def eof_received(self) -> bool:
        if self.state == IDLE:  # closed by the server while idle: out of the pool before anyone takes it
            self.close()
        return False  # close the transport; connection_lost finishes a reply or fails it

    def connection_lost(self, exc: Exception | None) -> None:
        state = self.state
        self.state = CLOSED
        self.transport = None
        self.paused = False
        if state == HEAD and self.error is None:
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
        elif state == BODY and self.error is None:
            if exc is None and not self._length_known():
                self._finish()  # the body ran until the server closed: that was all of it
                self.state = CLOSED
            else:
                self.error = httpx.RemoteProtocolError(
                    f"server {self.pool.where} closed the connection before the end of the reply body"
                    + (f": {exc}" if exc is not None else "")
                )
        self._wake()
        self.pool.forget(self)

    # --- httptools callbacks ---

    def on_header(self, name: bytes, value: bytes) -> None:
        self.raw_headers.append((name, value))

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        if 100 <= status < 200:  # 1xx: an interim answer, the real one follows
            self._informational = True
            self.raw_headers = []
            return
        self.status = status
        self.keep_alive = self.parser.should_keep_alive()
        self.state = BODY
        for name, value in self.raw_headers:
            if len(name) == 16 and name.lower() == b"content-encoding":
                self._encoding = value.strip().lower().decode("latin-1")
        if self._head_only:  # the parser does not know it was HEAD: it may wait for a body that never comes
            self._fresh_parser = True
            self._finish()
        self._wake()

    def on_body(self, body: bytes) -> None:
        if self.state != BODY:
            return
        if self._encoding is not None:
            body = self._decode(body)
        self.buffer += body
        if not self.unbounded and not self.paused and len(self.buffer) > _HIGH_WATER:
            self.paused = True
            transport = self.transport
            if transport is not None:
                transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if self._informational:
            self._informational = False
            return
        if self.state == BODY:
            if self._decoder is None:
                self.state = DONE  # what _finish() comes to without a decoder to flush
            else:
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
        self.state = DONE

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
        for name, value in self.raw_headers:
            lower = name.lower()
            if lower == b"content-length" or (lower == b"transfer-encoding" and b"chunked" in value.lower()):
                return True
        return False

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def start(self, data: bytes, head_only: bool) -> None:
        """Send one request; the reply is parsed as it arrives."""
        if self._fresh_parser:
            self._fresh_parser = False
            self.parser = _httptools.HttpResponseParser(self)
        self.state = HEAD
        self.got_bytes = False
        self.unbounded = False
        self.error = None
        self.raw_headers = []
        self._head_only = head_only
        if self._encoding is not None:
            self._encoding = self._decoder = None
        if self.buffer:
            self.buffer = bytearray()
        transport = self.transport
        if transport is None:
            raise httpx.RemoteProtocolError(f"server {self.pool.where} disconnected without sending a reply")
        try:
            transport.write(data)
        except Exception as exc:
            raise httpx.WriteError(f"could not send the request to {self.pool.where}: {exc}") from exc

    def wait(self, timeout: float) -> asyncio.Future[None]:
        """To await until something happens on this connection (a reply byte, the end, an error), at
        most ``timeout`` seconds: the per-read timeout. The deadline is watched by the pool's one timer
        (a timer per wait costs ~5 µs of the loop's time per request). A bare future, not a coroutine
        (one frame less per wait): whatever completes it also detaches it from the connection, and a
        wait that ends otherwise (cancelled) ends with the connection closed by its caller."""
        loop = self.loop
        waiter = loop.create_future()
        self._waiter = waiter
        self.deadline = deadline = loop.time() + timeout
        self.wait_timeout = timeout
        pool = self.pool
        if deadline < pool.tick_at:
            pool.watch(deadline)
        return waiter

    def timed_out(self) -> None:
        waiter = self._waiter
        self._waiter = None
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
        if self.paused and len(buffer) < _LOW_WATER:
            self.paused = False
            transport = self.transport
            if transport is not None and self.state != CLOSED:
                transport.resume_reading()
        return data

    def unpause(self) -> None:
        """The reader wants the whole body (or a long line): stop pausing reads for this reply."""
        self.unbounded = True
        if self.paused:
            self.paused = False
            transport = self.transport
            if transport is not None and self.state != CLOSED:
                transport.resume_reading()

    def close(self) -> None:
        """Drop the connection (never reused); safe to call more than once and from callbacks."""
        if self.state != CLOSED:
            if self.state in (HEAD, BODY) and self.error is None:
                self.error = httpx.ReadError(f"connection to {self.pool.where} was closed")
            self.state = CLOSED
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
        return self.state == DONE and self.keep_alive and self.error is None


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


class Pool:
    """Keep-alive connections to one (scheme, host, port), for one event loop."""

    __slots__ = (
        "_sweeper",
        "_tick",
        "_waiters",
        "closed",
        "host",
        "idle",
        "loop",
        "open",
        "port",
        "ssl",
        "tick_at",
        "where",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop, target: Target) -> None:
        if not available():
            raise RuntimeError("litellm.core.aio_http needs httptools: pip install httptools")
        self.loop = loop
        self.host = target.host
        self.port = target.port
        self.where = f"{target.host}:{target.port}"
        self.ssl = _ssl_context() if target.tls else None
        self.idle: list[Connection] = []
        self.open: set[Connection] = set()
        self._waiters: list[asyncio.Future[None]] = []
        self._sweeper: asyncio.TimerHandle | None = None
        self._tick: asyncio.TimerHandle | None = None  # the timer for the nearest deadline
        self.tick_at = float("inf")
        self.closed = False

    def take_idle(self) -> Connection | None:
        """The most recently used idle connection still good, or None."""
        idle = self.idle
        if not idle:
            return None
        now = _monotonic()
        while idle:
            conn = idle.pop()
            if conn.transport is None or conn.state != IDLE:
                conn.close()
            elif now - conn.idle_since > IDLE_EXPIRY:
                conn.close()
            else:
                return conn
        return None

    async def acquire(
        self, connect_timeout: float, fresh: bool, wait_timeout: float
    ) -> tuple[Connection, bool]:
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

    async def _connect(self, timeout: float) -> Connection:
        conn = Connection(self)
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
        if conn.state == CLOSED:  # lost between the handshake and here
            raise httpx.ConnectError(f"could not connect to {self.where}: closed right after connecting")
        return conn

    def release(self, conn: Connection) -> None:
        """Back to the idle list when its reply was read to the end and it may be kept; else drop it."""
        if conn.state != DONE or not conn.keep_alive or conn.error is not None or len(self.idle) >= MAX_IDLE:
            conn.close()
            return
        conn.state = IDLE
        if conn.buffer:  # a reply released unread: its bytes are of no further use
            conn.buffer = bytearray()
        conn.idle_since = _monotonic()
        self.idle.append(conn)
        if self._waiters:
            self._wake_one()
        if self._sweeper is None:
            self._sweeper = self.loop.call_later(IDLE_EXPIRY, self._sweep)

    def forget(self, conn: Connection) -> None:
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
        for conn in list(self.open):  # the waiting ones: those with a waiter
            if conn._waiter is None:
                continue
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
        self.closed = True
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
_pools: dict[int, tuple[asyncio.AbstractEventLoop, dict[str, Pool]]] = {}


def pool_for(target: Target, loop: asyncio.AbstractEventLoop) -> Pool:
    """The pool for ``target`` on ``loop`` (created on first use); remembered on the target."""
    entry = _pools.get(id(loop))
    if entry is None or entry[0] is not loop:
        _reap_closed_loops()
        entry = (loop, {})
        _pools[id(loop)] = entry
    pool = entry[1].get(target.origin)
    if pool is None:
        pool = entry[1][target.origin] = Pool(loop, target)
    target.last_pool = (loop, pool)
    return pool


def _reap_closed_loops() -> None:
    for key, (loop, pools) in list(_pools.items()):
        if loop.is_closed():
            for pool in pools.values():
                _close_quietly(pool)
            _pools.pop(key, None)


def _close_quietly(pool: Pool) -> None:
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


def pool_stats() -> dict[str, dict[str, int]]:
    """``{origin: {"open": n, "idle": n}}`` for the running loop's pools (tests and diagnostics)."""
    entry = _pools.get(id(asyncio.get_running_loop()))
    if entry is None:
        return {}
    return {origin: {"open": len(p.open), "idle": len(p.idle)} for origin, p in entry[1].items()}
