"""Shared test parts for the proxy's HTTP server protocol: a real uvicorn server on 127.0.0.1 with
``http=HttpProtocol``, and an in-memory transport for driving the protocol without a socket."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import uvicorn

from litellm.proxy.http_server import HttpProtocol


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.asynccontextmanager
async def running(
    app: Any, settings: dict[str, Any] | None = None, **config: Any
) -> AsyncIterator[tuple[int, uvicorn.Server]]:
    """uvicorn serving ``app`` with our protocol in this loop; yields (port, server). ``config`` goes to
    ``uvicorn.Config``; ``settings`` are set on it afterwards (ours, which uvicorn's constructor does not
    take: ``timeout_request_head``, ``timeout_request_body``)."""
    port = free_port()
    config.setdefault("log_config", None)  # keep the test's handlers on uvicorn's loggers
    cfg = uvicorn.Config(app, host="127.0.0.1", port=port, http=HttpProtocol, lifespan="off", **config)
    for name, value in (settings or {}).items():
        setattr(cfg, name, value)
    server = uvicorn.Server(cfg)
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield port, server
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


@contextlib.asynccontextmanager
async def serving(app: Any, settings: dict[str, Any] | None = None, **config: Any) -> AsyncIterator[int]:
    """:func:`running`, yielding the port alone."""
    async with running(app, settings, **config) as (port, _server):
        yield port


async def read_until_closed(
    reader: asyncio.StreamReader,
    limit: float = 10.0,
    while_sending: Callable[[], Awaitable[None]] | None = None,
) -> bytes:
    """Everything the server sends until it closes the connection (fails if it does not within
    ``limit``); ``while_sending`` runs meanwhile (a client trickling bytes) and is stopped after."""

    async def drain() -> bytes:
        data = b""
        while chunk := await reader.read(65536):
            data += chunk
        return data

    sender = asyncio.create_task(while_sending()) if while_sending is not None else None
    try:
        return await asyncio.wait_for(drain(), limit)
    finally:
        if sender is not None:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await sender


async def read_response(reader: asyncio.StreamReader, limit: float = 5.0) -> bytes:
    """One response with a Content-Length body."""

    async def one() -> bytes:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        return head + await reader.readexactly(length)

    return await asyncio.wait_for(one(), limit)


class FakeTransport:
    """What HttpProtocol uses of an asyncio transport; ``written`` keeps every write."""

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.closed = False

    def get_extra_info(self, name: str) -> Any:
        return ("127.0.0.1", 1) if name in ("sockname", "peername") else None

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def protocol(
    app: Any = None, default_headers: list[tuple[bytes, bytes]] | None = None, loop: Any = None
) -> tuple[HttpProtocol, SimpleNamespace]:
    """An HttpProtocol for ``app`` (uvicorn's config and server state as plain namespaces); returns it
    with its server state."""
    config = SimpleNamespace(
        loaded=True,
        loaded_app=app,
        access_log=False,
        root_path="",
        limit_concurrency=None,
        timeout_keep_alive=5,
    )
    state = SimpleNamespace(
        connections=set(), tasks=set(), total_requests=0, default_headers=default_headers or []
    )
    return HttpProtocol(config, state, {}, _loop=loop), state
