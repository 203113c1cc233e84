"""Real parts for the keys/ledger/budget tests: a PostgreSQL database per module (created and dropped
here), a Redis key prefix per module (its keys deleted after), a private PostgreSQL server from initdb
(for the outage test), and proxies started as a user starts them (the CLI on a config file)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.proxy import _proxy

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
MASTER = _proxy.MASTER_KEY


@contextlib.contextmanager
def fresh_database(prefix: str = "lp15") -> Iterator[str]:
    """A new PostgreSQL database on the shared server (its URL), dropped after; skips the test when the
    server is not there."""
    psycopg = pytest.importorskip("psycopg")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"CREATE DATABASE {name}")
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is not available: {exc}")
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with fresh_database() as url:
        yield url


@pytest.fixture(scope="module")
def redis_prefix() -> Iterator[str]:
    redis = pytest.importorskip("redis")
    client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis on 127.0.0.1:6379 is not available: {exc}")
    prefix = f"lp15:{uuid.uuid4().hex[:10]}:"
    yield prefix
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


class PrivatePostgres:
    """A PostgreSQL server of our own (initdb in a temp dir, a free port), stoppable by PID."""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="lp15-pg-")
        shutil.chown(self.dir, "postgres", "postgres")
        self.port = _proxy.free_port()
        self.data = os.path.join(self.dir, "data")
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")

    def _run(self, tool: str, *args: str) -> None:
        cmd = [shutil.which(tool) or f"/usr/lib/postgresql/15/bin/{tool}", *args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        opts = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c synchronous_commit=off"
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "log"), "-w", "-o", opts, "start")

    def pid(self) -> int:
        return int(Path(self.data, "postmaster.pid").read_text().splitlines()[0])

    def stop_by_pid(self) -> None:
        """Fast shutdown by signal to the postmaster (connections are cut at once)."""
        pid = self.pid()
        os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        raise RuntimeError("private PostgreSQL did not stop")

    def destroy(self) -> None:
        try:
            if Path(self.data, "postmaster.pid").exists():
                self.stop_by_pid()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def private_pg() -> Iterator[PrivatePostgres]:
    if not (shutil.which("initdb") or os.path.exists("/usr/lib/postgresql/15/bin/initdb")):
        pytest.skip("initdb is not installed")
    pg = PrivatePostgres()
    pg.start()
    try:
        yield pg
    finally:
        pg.destroy()


def model_block(fake_url: str) -> str:
    """Model groups on the fake provider: plain, a failing one, a slow-streaming one, access groups."""
    return f"""
model_list:
  - model_name: gpt-4o
    litellm_params: {{model: openai/gpt-4o, api_base: "{fake_url}/v1", api_key: fake}}
    model_info: {{access_groups: ["beta-models"]}}
  - model_name: gpt-4o-mini
    litellm_params: {{model: openai/gpt-4o-mini, api_base: "{fake_url}/v1", api_key: fake}}
  - model_name: broken
    litellm_params: {{model: openai/fake-error-500, api_base: "{fake_url}/v1", api_key: fake, input_cost_per_token: 0.000001, output_cost_per_token: 0.000002}}
  - model_name: slow
    litellm_params: {{model: openai/gpt-4o, api_base: "{fake_url}/v1", api_key: fake, extra_headers: {{x-fake-chunks: "20", x-fake-chunk-delay-ms: "40"}}}}
"""


def start_proxy(tmp: Path, config: str, env: dict[str, str] | None = None, wait: bool = True) -> _proxy.Proxy:
    return _proxy.start(
        tmp,
        config,
        env={"LITELLM_PROXY_BACKEND": os.environ.get("LITELLM_PROXY_BACKEND", ""), **(env or {})},
        wait=wait,
    )


stop_proxy = _proxy.stop
