"""The proxy's HTTP/1.1 server protocol: an ``asyncio.Protocol`` over ``httptools`` that runs an ASGI 3 app.

uvicorn keeps sockets, workers, lifespan, signals, SSL and graceful shutdown; it builds one
:class:`HttpProtocol` per connection through its ``http=`` setting (``Config(http=...)``, which calls
``cls(config=..., server_state=..., app_state=...)``). This class exists for CPU: uvicorn's own httptools
protocol spends ~52 µs CPU per request (trivial app, 20 response headers, wrk, 2-core box) where this
one spends ~37 µs, inside a proxy budget of 600 µs per request. What makes it cheap:

* one ``transport.write`` per non-streamed response: the encoded head waits for the first body message
  and leaves with it (a stream's head leaves with its first chunk); a single-message body without a
  Content-Length gets one (no chunked framing), a stream is sent chunked, chunk by chunk;
* the head is one join over the app's header pairs; CR/LF/NUL anywhere in a name or value is caught by
  counting line breaks in the joined block (C-level scans, no per-header regex), and Content-Length,
  Connection, Transfer-Encoding and the default headers are found by searching the lowered block;
* no timer per request: one idle timer per connection checks the time the connection went idle, and
  the same timer bounds a request head or body that arrives in pieces (see below); a request whose
  head and body arrive together costs two attribute tests, no clock read;
* a request that arrived whole (the usual case) is answered without a future, event or extra task:
  ``receive()`` returns the buffered body at once.

Contract kept from uvicorn's protocols: the scope (``path`` percent-decoded, ``root_path`` prefixed,
``state`` a shallow copy of the lifespan state), ``server_state`` bookkeeping (connections, tasks,
total_requests, the refreshed ``date`` default header), ``shutdown()``, keep-alive timeout,
``limit_concurrency`` (503), 100-continue, read flow control (reading pauses while more than 64 KiB of
body is unread), write flow control, pipelining (one response at a time, in order), ``http.disconnect``
from ``receive()`` once the body was read and the client left, 400 on a malformed request, 431 on a head
over 64 KiB, 400 on a websocket upgrade (the proxy has no websocket routes), and the access log line.

Timeouts (slowloris, slow bodies): a connection that is idle -- fresh, or after a response -- for
``timeout_keep_alive`` seconds (uvicorn's ``Config(timeout_keep_alive=...)``; the proxy CLI sets 30) is
closed silently; so is one whose bytes in that time began no request (blank lines). A request head not
complete ``timeout_request_head`` seconds after its first byte is answered 408 Request Timeout and the
connection closed (uvicorn's own protocols never time a head out). ``timeout_request_head`` is read from
the uvicorn Config object when it has that attribute (set it after building the Config), else from
``LITELLM_PROXY_TIMEOUT_REQUEST_HEAD`` (seconds, read at import; uvicorn's ``workers=`` processes inherit
it), else 10 s. While a response is in flight the head of the next (pipelined) request is not timed; it
is checked once that response is done.

A request body is timed like nginx's ``client_body_timeout``: while it is incomplete and the server
reads, the client must send more of it within ``timeout_request_body`` seconds of its last bytes (the
Config attribute, else ``LITELLM_PROXY_TIMEOUT_REQUEST_BODY``, else 30 s; same rules as the head's). If
not, the request is answered 408 (access-logged) when no response to it has begun, and the connection is
closed; the app's ``receive()`` returns ``http.disconnect`` (and ``cancel_on_disconnect`` is cancelled),
and an app not started yet -- held because no body byte ever came -- is never started. Only the wait
for the client counts: not the app's work (a slow upstream), not while reading is paused because the
app has not read 64 KiB already received, not before a 100-continue client is sent its 100 Continue;
a response streaming while the upload goes on is cut only if the upload stalls.

Must not: buffer a streamed response beyond one write; let an app's header inject another header.
"""

from __future__ import annotations

import asyncio
import http
import logging
import os
from collections import deque
from typing import Any
from urllib.parse import unquote

import httptools

__all__ = ["HttpProtocol"]

_error_log = logging.getLogger("uvicorn.error")
_access_log = logging.getLogger("uvicorn.access")

MAX_HEAD = 64 * 1024  # request line + headers
HEAD_TIMEOUT_DEFAULT = 10.0  # seconds from a request head's first byte to its end
BODY_TIMEOUT_DEFAULT = 30.0  # seconds an incomplete request body may go without new bytes (nginx's default)
BODY_HIGH_WATER = 64 * 1024  # unread request body before reading pauses

_STATUS_LINES: dict[int, bytes] = {
    int(s): b"HTTP/1.1 %d %s\r\n" % (int(s), s.phrase.encode("ascii")) for s in http.HTTPStatus
}
_METHODS: dict[bytes, str] = {
    m: m.decode() for m in (b"GET", b"POST", b"PUT", b"PATCH", b"DELETE", b"HEAD", b"OPTIONS")
}
_NO_BODY_STATUS = frozenset((204, 304)) | frozenset(range(100, 200))
_ASGI = {"version": "3.0", "spec_version": "2.3"}
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_DISCONNECT = "http.disconnect"


def _status_line(status: int) -> bytes:
    line = _STATUS_LINES.get(status)
    if line is None:
        line = b"HTTP/1.1 %d \r\n" % status
    return line


def _plain(status: int, text: bytes, defaults: Any = ()) -> bytes:
    """A whole text/plain response that closes the connection, with ``defaults`` (name, value) headers."""
    return b"".join(
        (
            _status_line(status),
            b"".join(b"%s: %s\r\n" % pair for pair in defaults),
            b"content-type: text/plain; charset=utf-8\r\nconnection: close\r\ncontent-length: %d\r\n\r\n"
            % len(text),
            text,
        )
    )


_ERROR_400 = _plain(400, b"Invalid HTTP request received.")
_ERROR_431 = _plain(431, b"Request header fields too large.")
_ERROR_WS = _plain(400, b"websocket not supported")
_ERROR_408 = _plain(408, b"Request head not received in time.")
_BODY_408_HEADERS = [(b"content-type", b"text/plain; charset=utf-8")]
_BODY_408_TEXT = b"Request body not received in time."


def _timeout_setting(name: str, raw: str | None, default: float) -> float:
    """The environment variable ``name`` (its value ``raw``) in seconds when a positive number, else
    ``default`` (with a warning when it was set to something else)."""
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0:
        _error_log.warning("%s=%r is not a positive number of seconds; using %s", name, raw, default)
        return default
    return value


def _env_timeout(name: str, default: float) -> float:
    return _timeout_setting(name, os.environ.get(name), default)


_HEAD_TIMEOUT = _env_timeout("LITELLM_PROXY_TIMEOUT_REQUEST_HEAD", HEAD_TIMEOUT_DEFAULT)
_BODY_TIMEOUT = _env_timeout("LITELLM_PROXY_TIMEOUT_REQUEST_BODY", BODY_TIMEOUT_DEFAULT)


_PATTERNS: dict[bytes, bytes] = {}


def _pattern(name: bytes) -> bytes:
    """``b"\\n<name>: "``, what a default header's name looks like in the app's lowered header block."""
    pattern = _PATTERNS[name] = b"\n" + name.lower() + b": "
    return pattern


def _field(low: bytes, at: int) -> bytes:
    end = low.find(b"\r", at)
    return low[at:end] if end >= 0 else low[at:]


class _HeadTooLarge(Exception):
    pass


def _addr(info: Any) -> tuple[str, int] | None:
    if isinstance(info, (tuple, list)) and len(info) >= 2:
        return (str(info[0]), int(info[1]))
    return None


async def _service_unavailable(scope: Any, receive: Any, send: Any) -> None:
    body = b"Service Unavailable"
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", b"%d" % len(body)),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class _Cycle:
    """One request and its response: the ``receive`` / ``send`` pair the app is called with."""

    # per-request state a request may never touch lives here as class defaults (fewer stores per request)
    waiter: asyncio.Future[None] | None = None
    body_len = 0
    more_body = True  # the request body is still arriving
    body_done = False  # the final http.request message was handed to the app
    disconnected = False
    expect_100 = False
    started = False
    complete = False
    head: list[bytes] | None = None  # the encoded head, held until the first body message
    status = 0
    length: int | None = None  # Content-Length (the app's or ours)
    sent = 0
    chunked = False
    no_body = False
    app_connection = False
    # a task to cancel if the client leaves while it waits (the app's pending upstream call); the app
    # sets it, and reads ``cancelled_on_disconnect`` to tell that cancel from any other
    cancel_on_disconnect: asyncio.Task[Any] | None = None
    cancelled_on_disconnect = False
    # the app starts with the first bytes of the body (or the request's end): a head that arrived alone
    # (most clients write head and body apart) is not answered by a task that only waits in receive()
    may_hold = True  # False for 100-continue (the client waits for us) and upgrades (no body parsed)
    held = False  # answered next, its app not started yet
    task: asyncio.Task[None] | None = None  # running run(), in server_state.tasks until run() ends

    def __init__(
        self, proto: HttpProtocol, scope: dict[str, Any], app: Any, keep_alive: bool, http10: bool
    ) -> None:
        self.proto = proto
        self.transport = proto.transport
        self.scope = scope
        self.app = app
        self.chunks: list[bytes] = []
        self.keep_alive = keep_alive
        self.http10 = http10

    def wake(self) -> None:
        """Resume ``receive()`` if it waits (callers on the per-request path test ``waiter`` first)."""
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def run(self) -> None:
        try:
            result = await self.app(self.scope, self.receive, self.send)
        except BaseException as exc:
            _error_log.error("Exception in ASGI application\n", exc_info=exc)
            if not self.started or self.head is not None:
                self._send_500()
            elif not self.complete:
                self.transport.close()
            if not isinstance(exc, Exception):
                raise
        else:
            if result is not None:
                _error_log.error("ASGI callable should return None, but returned '%s'.", result)
            if not self.started or self.head is not None:
                if not self.disconnected:
                    _error_log.error("ASGI callable returned without sending a response body.")
                    self._send_500()
            elif not self.complete and not self.disconnected:
                _error_log.error("ASGI callable returned without completing response.")
                self.transport.close()
        finally:  # (not a done callback: that is one more loop callback per request)
            self.proto.tasks.discard(self.task)

    def _send_500(self) -> None:
        if self.disconnected:
            return
        self.started = self.complete = True
        self.head = None
        self.status = 500
        self.transport.write(_plain(500, b"Internal Server Error", self.proto.server_state.default_headers))
        self.keep_alive = False
        self.proto.response_complete(self)

    async def receive(self) -> dict[str, Any]:
        if self.expect_100:
            self.expect_100 = False
            if self.more_body and not self.started and not self.disconnected:
                self.transport.write(_CONTINUE)
                self.proto._body_pending()  # the client sends its body now: timed from here
        while (
            not self.disconnected
            and not self.complete
            and (self.body_done or (self.more_body and not self.chunks))
        ):
            proto = self.proto
            if proto.read_paused:
                proto.maybe_resume_reading()
            waiter = self.waiter = proto.loop.create_future()
            try:
                await waiter
            finally:
                self.waiter = None
        if self.disconnected or self.complete:
            return {"type": _DISCONNECT}
        chunks = self.chunks
        if not chunks:
            body = b""
        elif len(chunks) == 1:
            body = chunks[0]
            chunks.clear()
        else:
            body = b"".join(chunks)
            chunks.clear()
        self.body_len = 0
        more = self.more_body
        if not more:
            self.body_done = True
        proto = self.proto
        if proto.read_paused:
            proto.maybe_resume_reading()
        return {"type": "http.request", "body": body, "more_body": more}

    async def send(self, message: dict[str, Any]) -> None:
        proto = self.proto
        if proto.write_paused and not self.disconnected:
            await proto.drain()
        if self.disconnected:
            return
        kind = message["type"]
        if not self.started:
            if kind != "http.response.start":
                raise RuntimeError(f"Expected ASGI message 'http.response.start', but got '{kind}'.")
            self._start(message["status"], message.get("headers", ()))
            return
        if self.complete:
            raise RuntimeError(f"Unexpected ASGI message '{kind}' sent, after response already completed.")
        if kind != "http.response.body":
            raise RuntimeError(f"Expected ASGI message 'http.response.body', but got '{kind}'.")
        body = message.get("body", b"")
        more = message.get("more_body", False)
        head = self.head
        if head is not None:
            self.head = None
            self._first_body(head, body, more)
        elif self.no_body:
            pass
        elif self.chunked:
            if more:
                if body:
                    self.transport.write(b"%x\r\n%s\r\n" % (len(body), body))
            elif body:
                self.transport.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
            else:
                self.transport.write(b"0\r\n\r\n")
        else:
            self._counted(body)
            if body:
                self.transport.write(body)
        if not more:
            self._finish()

    def respond(self, status: int, headers: Any, body: bytes) -> bool:
        """What ``send`` does with ``http.response.start`` and then one final ``http.response.body``,
        without the two messages and coroutines. False, with nothing done, when they must go through
        ``send`` (a response already started, or writes paused: send waits for the drain)."""
        if self.started or self.proto.write_paused:
            return False
        if not self.disconnected:
            self._start(status, headers)
            head = self.head
            self.head = None
            self._first_body(head, body, False)  # type: ignore[arg-type]
            self._finish()
        return True

    def _counted(self, body: bytes) -> None:
        length = self.length
        if length is not None:
            self.sent += len(body)
            if self.sent > length:
                self.keep_alive = False
                raise RuntimeError("Response content longer than Content-Length")

    def _finish(self) -> None:
        self.complete = True
        if self.length is not None and self.sent != self.length and not self.no_body:
            self.keep_alive = False  # framing is broken: the client cannot find the next response
        if self.waiter is not None:
            self.wake()
        self.proto.response_complete(self)

    def _start(self, status: int, headers: Any) -> None:
        if type(headers) is not list:
            headers = list(headers)
        try:
            self._head(status, headers)
        except BaseException:
            self.length = None
            self.chunked = self.no_body = self.app_connection = False
            self.keep_alive = False
            raise
        self.status = status
        self.started = True
        if self.proto.access_log:
            scope = self.scope
            client = scope["client"]
            query = scope["query_string"]
            path = scope["path"]
            _access_log.info(
                '%s - "%s %s HTTP/%s" %d',
                f"{client[0]}:{client[1]}" if client else "-",
                scope["method"],
                path + "?" + query.decode("ascii", "replace") if query else path,
                scope["http_version"],
                status,
            )

    def _head(self, status: int, headers: list[Any]) -> None:
        parts = [_status_line(status)]
        if headers:
            block = b"\r\n".join(map(b": ".join, headers))
            n = len(headers) - 1
            if block.count(b"\n") != n or block.count(b"\r") != n or b"\0" in block:
                raise RuntimeError("Invalid HTTP header name or value (CR, LF or NUL) in the response")
            parts.append(block)
            parts.append(b"\r\n")
            low = b"\n" + block.lower()  # every name starts after a "\n": found by C-level searches
            at = low.find(b"\ncontent-length: ")
            if at >= 0:
                self.length = int(_field(low, at + 17))
            at = low.find(b"\nconnection: ")
            if at >= 0:
                self.app_connection = True
                if _field(low, at + 13).strip() == b"close":
                    self.keep_alive = False
            at = low.find(b"\ntransfer-encoding: ")
            if at >= 0 and b"chunked" in _field(low, at + 20):
                self.chunked = True
            for name, value in self.proto.server_state.default_headers:
                pattern = _PATTERNS.get(name) or _pattern(name)
                if pattern not in low:
                    parts += (name, b": ", value, b"\r\n")
        else:
            for name, value in self.proto.server_state.default_headers:
                parts += (name, b": ", value, b"\r\n")
        if self.proto.closing:
            self.keep_alive = False
        if not self.app_connection:
            if not self.keep_alive:
                parts.append(b"connection: close\r\n")
            elif self.http10:
                parts.append(b"connection: keep-alive\r\n")
        if self.scope["method"] == "HEAD" or status in _NO_BODY_STATUS:
            self.no_body = True
        self.head = parts

    def _first_body(self, parts: list[bytes], body: bytes, more: bool) -> None:
        if self.no_body:
            parts.append(b"\r\n")
        elif self.chunked:  # the app asked for chunked framing itself
            if body:
                parts += (b"\r\n%x\r\n" % len(body), body, b"\r\n" if more else b"\r\n0\r\n\r\n")
            else:
                parts.append(b"\r\n" if more else b"\r\n0\r\n\r\n")
        elif self.length is not None:
            self._counted(body)
            parts += (b"\r\n", body)
        elif not more:
            self.length = self.sent = len(body)
            parts += (b"content-length: %d\r\n\r\n" % len(body), body)
        elif self.http10:  # no chunked framing for HTTP/1.0: the body ends when the connection does
            self.keep_alive = False
            parts += (b"\r\n", body)
        else:
            self.chunked = True
            if body:
                parts += (b"transfer-encoding: chunked\r\n\r\n%x\r\n" % len(body), body, b"\r\n")
            else:
                parts.append(b"transfer-encoding: chunked\r\n\r\n")
        self.transport.write(b"".join(parts))


class HttpProtocol(asyncio.Protocol):
    """One client connection: parse requests with httptools, run each through the ASGI app in order."""

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any], _loop: Any = None) -> None:
        if not config.loaded:
            config.load()
        self.config = config
        self.app = config.loaded_app
        self.loop: asyncio.AbstractEventLoop = _loop or asyncio.get_event_loop()
        self.access_log = bool(config.access_log)
        self.root_path: str = config.root_path or ""
        self.raw_root = self.root_path.encode("ascii")
        self.limit_concurrency: int | None = config.limit_concurrency
        self.timeout_keep_alive: float = config.timeout_keep_alive
        self.timeout_head: float = getattr(config, "timeout_request_head", None) or _HEAD_TIMEOUT
        self.timeout_body: float = getattr(config, "timeout_request_body", None) or _BODY_TIMEOUT
        self.server_state = server_state
        self.connections: set[Any] = server_state.connections
        self.tasks: set[asyncio.Task[None]] = server_state.tasks
        self.app_state = app_state
        self.parser = httptools.HttpRequestParser(self)
        self.transport: Any = None
        self.server: tuple[str, int] | None = None
        self.client: tuple[str, int] | None = None
        self.scheme = "http"
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        # the head's size is bounded without per-header work: head_bound is the bytes of every chunk the
        # pending head was fed in (the head is no larger); only when that passes MAX_HEAD is it measured
        self.head_pending = False
        self.head_bound = 0
        self.head_first = 0  # the chunk the head began in
        self.head_at = 0.0  # loop time the pending head's first chunk arrived (valid while head_pending)
        self.chunk_len = 0
        self.expect_100 = False
        self.cycle: _Cycle | None = None  # the request being parsed
        self.running: _Cycle | None = None  # the request being answered
        self.pipeline: deque[_Cycle] = deque()
        self.ws_upgrade = False
        self.closing = False
        self.read_paused = False
        self.write_paused = False
        self.drain_waiters: list[asyncio.Future[None]] = []
        self.timer: asyncio.TimerHandle | None = None
        self.idle_at = 0.0  # loop time the connection went idle; 0.0 while a request is under way
        # loop time the last bytes of an incomplete request body (self.cycle's) arrived while reading; 0.0
        # when none is timed. Set only off the usual path (a body that arrives with its head never sets
        # it); a stale value (that body since completed) is cleared by the timer.
        self.body_at = 0.0

    # -- connection ----------------------------------------------------------------------------------

    def connection_made(self, transport: Any) -> None:
        self.connections.add(self)
        self.transport = transport
        self.server = _addr(transport.get_extra_info("sockname"))
        self.client = _addr(transport.get_extra_info("peername"))
        if transport.get_extra_info("sslcontext"):
            self.scheme = "https"
        self._idle()

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self)
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self._disconnect()
        self.write_paused = False
        self._release_drain()

    def _disconnect(self) -> None:
        """Every request of the connection sees the client gone: ``receive()`` returns ``http.disconnect``,
        ``send()`` does nothing, a task registered to cancel on disconnect is cancelled."""
        for cycle in (self.running, self.cycle, *self.pipeline):
            if cycle is not None and not cycle.disconnected:
                cycle.disconnected = True
                if cycle.held:  # its app sees the disconnect, as one started at once would
                    self._launch(cycle)
                cycle.wake()
                task = cycle.cancel_on_disconnect
                if task is not None:
                    cycle.cancel_on_disconnect = None
                    cycle.cancelled_on_disconnect = True
                    task.cancel()
        self.pipeline.clear()

    def eof_received(self) -> bool | None:
        return None

    def shutdown(self) -> None:
        """uvicorn's graceful shutdown: close now if idle, else after the response in flight."""
        self.closing = True
        if self.running is None:
            self.transport.close()

    def _idle(self) -> None:
        """Note the connection idle; one timer per connection checks it (no timer per request)."""
        self.idle_at = self.loop.time()
        if self.timer is None:
            self.timer = self.loop.call_later(self.timeout_keep_alive, self._idle_timeout)

    def _head_started(self) -> None:
        """A request head began and is not complete: its deadline is ``timeout_head`` from now."""
        self.head_at = now = self.loop.time()
        self._check_by(now, self.timeout_head)

    def _body_pending(self) -> None:
        """Bytes came (or reading resumed, or 100 Continue went out) and ``self.cycle``'s body is still
        incomplete: the client has ``timeout_body`` from now to send more of it. Not timed while the
        client waits for our 100 Continue or while reading is paused (the app has not read what came)."""
        cycle = self.cycle
        if cycle is None or cycle.expect_100 or cycle.disconnected or self.read_paused:
            self.body_at = 0.0  # (not a stale time of an earlier body)
            return
        self.body_at = now = self.loop.time()
        self._check_by(now, self.timeout_body)

    def _check_by(self, now: float, delay: float) -> None:
        """The connection's one timer fires no later than ``now + delay`` (moved earlier if needed)."""
        timer = self.timer
        if timer is None or timer.when() > now + delay:
            if timer is not None:
                timer.cancel()
            self.timer = self.loop.call_later(delay, self._idle_timeout)

    def _idle_timeout(self) -> None:
        """The connection's one timer: close it when idle too long, answer 408 to a head or body too
        slow."""
        self.timer = None
        if self.transport.is_closing():
            return
        if self.body_at:  # a request body was incomplete when bytes last came
            cycle = self.cycle
            if cycle is None or not cycle.more_body or cycle.disconnected or cycle.expect_100:
                self.body_at = 0.0  # it completed (or was dropped) since
            elif not self.read_paused:  # (paused: the app's to read; resuming restarts the clock)
                left = self.body_at + self.timeout_body - self.loop.time()
                if left > 0:
                    self.timer = self.loop.call_later(left, self._idle_timeout)
                else:
                    self._body_timed_out(cycle)
                return
        if self.running is not None:
            return  # busy: the response's end arms it again
        if self.head_pending:  # a request head is arriving (in pieces)
            left = self.head_at + self.timeout_head - self.loop.time()
            if left > 0:
                self.timer = self.loop.call_later(left, self._idle_timeout)
                return
            _error_log.info("Request head not complete within %ss; answered 408.", self.timeout_head)
            self.head_pending = False
            self.transport.write(_ERROR_408)
            self.transport.close()
            return
        idle_at = self.idle_at
        if idle_at:
            left = idle_at + self.timeout_keep_alive - self.loop.time()
            if left > 0:
                self.timer = self.loop.call_later(left, self._idle_timeout)
                return
        else:  # bytes came since the connection went idle, at least timeout_keep_alive ago
            cycle = self.cycle
            if cycle is not None and cycle.more_body and not cycle.disconnected:
                # the body of a request already answered still arrives (dropped): look again later
                self.timer = self.loop.call_later(self.timeout_keep_alive, self._idle_timeout)
                return
            # otherwise they began no request (blank lines between requests): idle all the same
        self.transport.close()

    def _body_timed_out(self, cycle: _Cycle) -> None:
        """No bytes of ``cycle``'s body for ``timeout_body`` seconds: answer 408 if its response has not
        begun, close the connection; its app, if started, sees ``http.disconnect``; if it was not
        started (held: no body byte ever came) it never is."""
        self.body_at = 0.0
        cycle.held = False
        if not cycle.started and self.running is cycle and not self.write_paused:
            _error_log.info("Request body stalled for %ss; answered 408.", self.timeout_body)
            cycle.keep_alive = False
            cycle.respond(408, _BODY_408_HEADERS, _BODY_408_TEXT)  # access-logged; closes the connection
        else:
            _error_log.info("Request body stalled for %ss; connection closed.", self.timeout_body)
        self._disconnect()
        self.transport.close()

    # -- flow control --------------------------------------------------------------------------------

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        self._release_drain()

    def _release_drain(self) -> None:
        waiters, self.drain_waiters = self.drain_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def drain(self) -> None:
        waiter = self.loop.create_future()
        self.drain_waiters.append(waiter)
        await waiter

    def maybe_resume_reading(self) -> None:
        if self.read_paused and not self.pipeline:
            cycle = self.cycle
            if cycle is None or cycle.body_len <= BODY_HIGH_WATER:
                self.read_paused = False
                self.transport.resume_reading()
                if cycle is not None and cycle.more_body:
                    self._body_pending()  # the client's time to send more starts now

    def _pause_reading(self) -> None:
        if not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()

    # -- parsing -------------------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        self.idle_at = 0.0
        self.chunk_len = size = len(data)
        if self.head_pending:
            self.head_bound += size
            if self.head_bound - self.head_first > MAX_HEAD:  # what came after its first chunk is too much
                self.head_pending = False
                self._reject(_ERROR_431, f"Request head larger than {MAX_HEAD} bytes.")
                return
        try:
            self.parser.feed_data(data)
            if self.head_pending:
                if self.head_bound == self.head_first:
                    self._head_started()  # a head began in this chunk and did not end in it
            elif self.cycle is not None and self.cycle.more_body:
                self._body_pending()  # a body began or went on in this chunk and did not end in it
        except httptools.HttpParserUpgrade:
            if self.ws_upgrade:
                self._reject(_ERROR_WS, "Unsupported upgrade request (websocket).")
            # another upgrade (h2c, ...) was answered as plain HTTP/1.1; what follows it is not parsed
        except httptools.HttpParserError as exc:
            if isinstance(exc.__context__, _HeadTooLarge):
                self._reject(_ERROR_431, f"Request head larger than {MAX_HEAD} bytes.")
            else:
                self._reject(_ERROR_400, "Invalid HTTP request received.")

    def _reject(self, response: bytes, message: str) -> None:
        _error_log.warning(message)
        if self.running is None:
            self.transport.write(response)
            self.transport.close()
        else:  # a response is in flight: close after it, read nothing more
            self.closing = True
            self._pause_reading()
            if self.running.held:  # no more of its body comes: its app starts (and may answer)
                self._launch(self.running)
            for cycle in self.pipeline:
                cycle.disconnected = True
            self.pipeline.clear()

    def on_message_begin(self) -> None:
        self.url = b""
        self.headers = []
        self.expect_100 = False
        self.head_pending = True
        self.head_bound = self.head_first = self.chunk_len

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        name = name.lower()
        value = value.rstrip(b" \t")
        self.headers.append((name, value))
        if name == b"expect" and value.lower() == b"100-continue":
            self.expect_100 = True

    def on_headers_complete(self) -> None:
        self.head_pending = False
        if self.head_bound > MAX_HEAD:  # it may be too large: measure it
            size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
            if size > MAX_HEAD:
                raise _HeadTooLarge
        parser = self.parser
        if parser.should_upgrade():
            for name, value in self.headers:
                if name == b"upgrade" and value.lower() == b"websocket":
                    self.ws_upgrade = True
                    self.cycle = None
                    return
            self.closing = True  # h2c and the like: answered as HTTP/1.1, then the connection closes
        url = self.url
        if url[:1] == b"/":
            raw_path, _, query = url.partition(b"?")
            if b"#" in query:
                query = query.partition(b"#")[0]
        else:
            parsed = httptools.parse_url(url)
            raw_path, query = parsed.path or b"/", parsed.query or b""
        path = raw_path.decode("latin-1")
        if "%" in path:
            path = unquote(path)
        method = parser.get_method()
        version = parser.get_http_version()
        root = self.root_path
        scope = {
            "type": "http",
            "asgi": _ASGI,
            "http_version": version,
            "server": self.server,
            "client": self.client,
            "scheme": self.scheme,
            "method": _METHODS.get(method) or method.decode("ascii"),
            "root_path": root,
            "path": root + path if root else path,
            "raw_path": self.raw_root + raw_path if root else raw_path,
            "query_string": query,
            "headers": self.headers,
            "state": self.app_state.copy(),
        }
        limit = self.limit_concurrency
        if limit is not None and (len(self.connections) >= limit or len(self.tasks) >= limit):
            _error_log.warning("Exceeded concurrency limit.")
            app = _service_unavailable
        else:
            app = self.app
        http10 = version == "1.0"
        cycle = _Cycle(self, scope, app, parser.should_keep_alive(), http10)
        if self.expect_100 or self.closing:
            cycle.may_hold = False
            cycle.expect_100 = self.expect_100
        self.cycle = cycle
        if self.running is None:
            self._run(cycle)
        else:  # pipelined: answered after the one in flight
            self.pipeline.append(cycle)
            self._pause_reading()

    def on_body(self, body: bytes) -> None:
        cycle = self.cycle
        if cycle is None or cycle.complete or cycle.disconnected:
            return
        cycle.chunks.append(body)
        cycle.body_len += len(body)
        if cycle.body_len > BODY_HIGH_WATER:
            self._pause_reading()
        if cycle.held:
            self._launch(cycle)
        elif cycle.waiter is not None:
            cycle.wake()

    def on_message_complete(self) -> None:
        cycle = self.cycle
        if cycle is None:
            return
        cycle.more_body = False
        if cycle.held:
            self._launch(cycle)
        elif cycle.waiter is not None:
            cycle.wake()

    # -- responses -----------------------------------------------------------------------------------

    def _run(self, cycle: _Cycle) -> None:
        """Answer ``cycle`` next: its app starts now, or with its body's first bytes (see ``held``)."""
        self.running = cycle
        self.server_state.total_requests += 1
        if cycle.more_body and not cycle.chunks and cycle.may_hold and not cycle.disconnected:
            cycle.held = True
            return
        self._launch(cycle)

    def _launch(self, cycle: _Cycle) -> None:
        cycle.held = False
        task = cycle.task = self.loop.create_task(cycle.run())
        self.tasks.add(task)  # until run() ends (uvicorn's shutdown cancels what is left and stops)

    def response_complete(self, cycle: _Cycle) -> None:
        if self.running is not cycle:
            return
        self.running = None
        if self.cycle is cycle:  # a body the app did not read is dropped, not buffered
            cycle.chunks.clear()
            cycle.body_len = 0
        if cycle.disconnected:
            return
        if not cycle.keep_alive or self.closing:
            self.transport.close()
            return
        if self.pipeline:
            self._run(self.pipeline.popleft())
            if not self.pipeline:
                self.maybe_resume_reading()
            return
        if self.read_paused:
            self.maybe_resume_reading()
        self._idle()
