"""Shared test parts for the proxy's HTTP server protocol: a real uvicorn server on 127.0.0.1 with
``http=HttpProtocol``, and an in-memory transport for driving the protocol without a socket."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import uvicorn

from litellm.proxy.http_server import HttpProtocol


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[int]:
    """uvicorn serving ``app`` with our protocol in this loop; yields its port."""
    port = free_port()
    cfg = uvicorn.Config(app, host="127.0.0.1", port=port, http=HttpProtocol, lifespan="off", log_config=None)
    server = uvicorn.Server(cfg)
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield port
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


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
