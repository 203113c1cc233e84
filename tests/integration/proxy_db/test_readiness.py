"""/health/readiness checks the database with a ``SELECT 1`` through the proxy's own connection (bounded by
2 s), not a TCP connect: PostgreSQL up -> "connected"; a server that accepts TCP but does not answer
(SIGSTOPped) or whose port is closed -> "disconnected", status unhealthy, 503, in under 3 s; the SQLite
state file -> "connected" (and "disconnected" once it is unusable); no connection object -> TCP check."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psutil
import pytest

from litellm.proxy import app as app_module
from litellm.proxy.config import config_from_cli
from litellm.proxy.setup import apply_config
from tests.integration.proxy_db.conftest import MASTER, model_block, start_proxy, stop_proxy

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def readiness(url: str) -> tuple[int, dict[str, Any], float]:
    start = time.monotonic()
    r = httpx.get(url + "/health/readiness", timeout=10)
    return r.status_code, r.json(), time.monotonic() - start


def config(fake_url: str, database_url: str | None, tmp_path: Any) -> str:
    lines = [f"  master_key: {MASTER}", f"  database_path: {tmp_path}/state.sqlite3"]
    if database_url:
        lines.append(f"  database_url: {database_url}")
    lines.append(f"  spend_spool_dir: {tmp_path}/spool")
    return model_block(fake_url) + "general_settings:\n" + "\n".join(lines) + "\n"


def test_postgres_up_is_connected(fake_provider, tmp_path, pg_url) -> None:
    proxy = start_proxy(tmp_path, config(fake_provider.url, pg_url, tmp_path))
    try:
        status, body, _ = readiness(proxy.url)
        assert status == 200, body
        assert body["status"] == "healthy" and body["db"] == "connected"
        assert {"cache", "litellm_version", "success_callbacks"} <= body.keys()
    finally:
        stop_proxy(proxy)


def _processes(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def test_unanswering_and_stopped_postgres_are_disconnected_fast(fake_provider, tmp_path, private_pg) -> None:
    proxy = start_proxy(tmp_path, config(fake_provider.url, private_pg.url, tmp_path))
    try:
        status, body, _ = readiness(proxy.url)
        assert (status, body["db"], body["status"]) == (200, "connected", "healthy"), body

        # the server still accepts TCP connections (the kernel does) but answers no query: a TCP check
        # would say "connected"; the round trip times out at 2 s. Concurrent probes share one query.
        frozen = _processes(private_pg.pid())
        for p in frozen:
            p.send_signal(signal.SIGSTOP)
        try:
            with socket.create_connection(("127.0.0.1", private_pg.port), timeout=2):
                pass  # TCP alone still succeeds
            with ThreadPoolExecutor(4) as pool:
                results = list(pool.map(lambda _: readiness(proxy.url), range(4)))
        finally:
            for p in frozen:
                with contextlib.suppress(psutil.NoSuchProcess):
                    p.send_signal(signal.SIGCONT)
        for status, body, elapsed in results:
            assert (status, body["db"], body["status"]) == (503, "disconnected", "unhealthy"), body
            assert elapsed < 3.0, elapsed

        deadline = time.monotonic() + 15  # answered again once the server runs
        while True:
            status, body, _ = readiness(proxy.url)
            if body["db"] == "connected" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert (status, body["db"], body["status"]) == (200, "connected", "healthy"), body

        # the server is gone and its port closed
        private_pg.stop_by_pid()
        for _ in range(3):
            status, body, elapsed = readiness(proxy.url)
            assert (status, body["db"], body["status"]) == (503, "disconnected", "unhealthy"), body
            assert elapsed < 3.0, elapsed
    finally:
        stop_proxy(proxy)


def test_sqlite_state_is_connected(fake_provider, tmp_path) -> None:
    proxy = start_proxy(tmp_path, config(fake_provider.url, None, tmp_path))
    try:
        status, body, _ = readiness(proxy.url)
        assert (status, body["db"], body["status"]) == (200, "connected", "healthy"), body
    finally:
        stop_proxy(proxy)


def _app(general: dict[str, Any]) -> app_module.ProxyApp:
    cfg = config_from_cli("openai/gpt-4o-mini", api_base="http://127.0.0.1:9/v1")
    cfg.general_settings.update(general)
    return app_module.build_app(apply_config(cfg))


async def _ready(app: app_module.ProxyApp) -> tuple[int, dict[str, Any]]:
    import json

    response = await app.readiness(None)  # type: ignore[arg-type]  # the handler does not read the request
    return response.status_code, json.loads(response.body)


async def test_sqlite_unusable_is_disconnected(tmp_path) -> None:
    app = _app({"master_key": MASTER, "database_path": str(tmp_path / "s.sqlite3")})
    for hook in app.state.startup:
        await hook()
    mgmt = app.state.management
    status, body = await _ready(app)
    assert (status, body["db"]) == (200, "connected")
    if mgmt.ledger is not None:
        await mgmt.ledger.close()
        mgmt.ledger = None
    await mgmt.db.close()  # the connection and its thread are gone: SELECT 1 fails
    try:
        start = time.monotonic()
        status, body = await _ready(app)
        assert (status, body["db"], body["status"]) == (503, "disconnected", "unhealthy"), body
        assert time.monotonic() - start < 3.0
    finally:
        mgmt.db = None
        for hook in app.state.shutdown:
            await hook()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_no_connection_object_falls_back_to_tcp(monkeypatch) -> None:
    """Before start-up (or without the state store) there is no connection object: TCP connect only."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = f"postgresql://postgres@127.0.0.1:{_closed_port()}/none"
    app = _app({"master_key": MASTER, "database_url": url})
    assert app.state.management.db is None
    start = time.monotonic()
    status, body = await _ready(app)
    assert (status, body["db"], body["status"]) == (503, "disconnected", "unhealthy"), body
    assert time.monotonic() - start < 3.0
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
    except OSError:
        return  # the reachable half needs the shared PostgreSQL
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    app = _app({"master_key": MASTER})
    status, body = await _ready(app)
    assert (status, body["db"]) == (200, "connected"), body


async def test_round_trip_is_bounded_by_two_seconds(monkeypatch) -> None:
    """A ping that never returns is abandoned at READINESS_DB_TIMEOUT; concurrent probes share it."""
    calls = []

    class Hung:
        async def ping(self) -> bool:
            calls.append(1)
            await asyncio.sleep(60)
            return True

    monkeypatch.setattr(app_module, "READINESS_DB_TIMEOUT", 0.3)
    app = _app({})
    app.state.management = type("M", (), {"db": Hung()})()  # what the state store wiring provides
    start = time.monotonic()
    results = await asyncio.gather(*(_ready(app) for _ in range(5)))
    assert time.monotonic() - start < 1.5
    assert all(r[0] == 503 and r[1]["db"] == "disconnected" for r in results)
    assert len(calls) == 1
