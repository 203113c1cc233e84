"""Fixtures for the caching integration tests: no process-wide cache between tests, a unique Redis
namespace per test on the shared Redis (its keys deleted after, never a FLUSH), and a private
``redis-server`` on a free port that a test may stop by PID to play an outage."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest

from litellm.core.settings import settings
from tests.integration.receivers import free_port, start, stop

SHARED_REDIS = {"host": "127.0.0.1", "port": 6379}


@pytest.fixture(autouse=True)
def _no_cache_configured() -> Iterator[None]:
    settings.cache = None
    yield
    settings.cache = None
    settings.reset_one("callbacks")


def _redis_client():
    import redis

    return redis.Redis(**SHARED_REDIS, socket_timeout=2)


@pytest.fixture
def redis_ns() -> Iterator[str]:
    """A namespace no other test uses; every key starting with it is deleted afterwards."""
    ns = f"test-cache-{uuid.uuid4().hex[:12]}"
    client = _redis_client()
    try:
        client.ping()
    except Exception as exc:  # the shared Redis is part of the test environment
        pytest.fail(f"Redis on 127.0.0.1:6379 is not reachable: {exc}")
    yield ns
    keys = list(client.scan_iter(match=f"{ns}*", count=500))
    if keys:
        client.delete(*keys)
    client.close()


class PrivateRedis:
    """One ``redis-server`` (no persistence) on a free port; ``stop()`` ends exactly that PID."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        cmd = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.proc = start(cmd)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.02)
        raise TimeoutError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis().start()
    yield server
    server.stop()
