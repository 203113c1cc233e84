"""The fake provider in-process: a server on its own event loop in a daemon thread.

Owns the lifecycle for tests, examples and benchmarks: ``start_fake_provider(**options)`` binds a port
(0 = any free one), returns once the server accepts connections, and ``stop()`` (or leaving the ``with``
block) shuts it down within a bounded time, cancelling hung handlers. Received requests are kept in
``.requests`` when ``record=True``.

Must not touch process-wide state (signal handlers, logging config, the caller's event loop): it runs
inside other people's processes, often inside a running pytest or asyncio loop.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from types import TracebackType
from typing import Any

from aiohttp import web

from litellm.fake_provider.app import STATE_KEY, build_app
from litellm.fake_provider.options import FakeProviderOptions
from litellm.fake_provider.recording import RecordedRequest, RequestLog

__all__ = ["FakeProvider", "start_fake_provider"]

_START_TIMEOUT_S = 10.0
_STOP_TIMEOUT_S = 5.0
# How long a stop waits for in-flight handlers before cancelling them (hung requests included).
_SHUTDOWN_GRACE_S = 0.25


def bind_socket(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A listening-ready TCP socket on (host, port); port 0 picks a free port (read it back)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port and hasattr(socket, "SO_REUSEPORT"):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


async def start_site(app: web.Application, sock: socket.socket) -> web.AppRunner:
    """Serve ``app`` on an already bound socket and return the runner (``runner.cleanup()`` stops it)."""
    runner = web.AppRunner(
        app, access_log=None, handler_cancellation=True, shutdown_timeout=_SHUTDOWN_GRACE_S
    )
    await runner.setup()
    await web.SockSite(runner, sock, backlog=1024).start()
    return runner


class FakeProvider:
    """A running fake provider. Use as a context manager, or call :meth:`stop`."""

    def __init__(self, host: str, port: int, options: FakeProviderOptions) -> None:
        self.host = host
        self.options = options
        self._log = RequestLog(options.max_recorded) if options.record else None
        self._app = build_app(options, self._log)
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._requested_port = port
        self.port = 0
        self._thread = threading.Thread(target=self._run, name=f"fake-provider-{port}", daemon=True)

    # --- lifecycle ---

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            sock = bind_socket(self.host, self._requested_port)
            self.port = sock.getsockname()[1]
            self._runner = self._loop.run_until_complete(start_site(self._app, sock))
        except BaseException as exc:  # reported to the starting thread, which re-raises it
            self._error = exc
            self._ready.set()
            self._loop.close()
            return
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    def _start(self) -> FakeProvider:
        self._thread.start()
        if not self._ready.wait(_START_TIMEOUT_S):
            raise RuntimeError(f"fake provider did not start within {_START_TIMEOUT_S} s")
        if self._error is not None:
            raise RuntimeError(
                f"fake provider could not start on {self.host}:{self._requested_port}"
            ) from self._error
        return self

    def stop(self) -> None:
        """Stop serving and join the thread. Idempotent."""
        if not self._thread.is_alive():
            return
        if self._runner is not None:
            future = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
            try:
                future.result(_STOP_TIMEOUT_S)
            except Exception:  # a stop must not fail the test that calls it; the thread is a daemon
                pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(_STOP_TIMEOUT_S)

    def __enter__(self) -> FakeProvider:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- what tests read ---

    @property
    def url(self) -> str:
        """Base URL without a path, e.g. ``http://127.0.0.1:41234`` (OpenAI base: ``url + "/v1"``)."""
        return f"http://{self.host}:{self.port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the recorded requests, oldest first (empty unless ``record=True``)."""
        return self._log.snapshot() if self._log is not None else []

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Wait until ``count`` requests were recorded (or ``timeout`` passes) and return them."""
        if self._log is None:
            raise RuntimeError("start the fake provider with record=True to read its requests")
        return self._log.wait_for(count, timeout)

    def clear_requests(self) -> None:
        if self._log is not None:
            self._log.clear()

    def reset(self) -> None:
        """Forget recorded requests, ``x-fake-fail-times`` counters and the Anthropic prompt cache."""
        state = self._app[STATE_KEY]

        async def _reset() -> None:
            state.reset()

        # Waited for, so that a request sent right after reset() sees the cleared counters.
        asyncio.run_coroutine_threadsafe(_reset(), self._loop).result(_STOP_TIMEOUT_S)

    def __repr__(self) -> str:
        return f"FakeProvider(url={self.url!r})"


def start_fake_provider(host: str = "127.0.0.1", port: int = 0, **options: Any) -> FakeProvider:
    """Start a fake provider in a daemon thread and return it once it accepts connections.

    ``options`` are the fields of :class:`~litellm.fake_provider.options.FakeProviderOptions`
    (``latency_ms``, ``error_rate``, ``error_status``, ``chunks``, ``chunk_delay_ms``, ``seed``,
    ``record``, ``max_recorded``, ``context_window``, ``anthropic_context_window``, ``embedding_dim``).
    """
    return FakeProvider(host, port, FakeProviderOptions.from_kwargs(options))._start()
