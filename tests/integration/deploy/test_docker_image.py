"""The proxy's Docker images as a user builds and runs them: docker/Dockerfile, docker/Dockerfile.non_root and
docker/Dockerfile.database built from this tree, started on a config whose model is the fake provider,
healthy by their own HEALTHCHECK, answering a chat completion with the master key; the non-root images run
the proxy as uid 10001, and the database image keeps keys in PostgreSQL.

Skips when no Docker daemon answers ``docker info``, or when the base image is missing: Docker Hub is out
of reach here, so the base is ``litellm-local/python:3.11-slim`` made by tools/docker/make_local_base.sh,
or the image LITELLM_TEST_DOCKER_BASE names (``python:3.11-slim`` where Docker Hub is reachable).

Builds and containers use the host network: pip reaches the package index the way the machine does, and
the container reaches the fake provider and PostgreSQL on 127.0.0.1; each container listens on a free port
through PORT. Images are tagged per run and removed with ``--no-prune`` and the build context is a copy of
just pyproject.toml, README.md and litellm/, so the layer cache stays valid and a rerun rebuilds only what
changed (the first build installs the dependencies from the index: about a minute).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.integration.proxy._proxy import MASTER_KEY, free_port
from tests.integration.proxy_db.conftest import fresh_database

if TYPE_CHECKING:
    from litellm.fake_provider.server import FakeProvider

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[3]
LOCAL_BASE = "litellm-local/python:3.11-slim"
NON_ROOT_UID = 10001


def _docker(*args: str, timeout: float = 60, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} exited {result.returncode}:\n{result.stderr[-4000:]}")
    return result


@pytest.fixture(scope="module")
def base_image() -> str:
    if shutil.which("docker") is None:
        pytest.skip("no docker client on PATH")
    info = _docker("info", "--format", "{{.ServerVersion}}", timeout=20, check=False)
    if info.returncode != 0:
        pytest.skip(f"no Docker daemon: `docker info` failed: {info.stderr.strip()[-300:]}")
    base = os.environ.get("LITELLM_TEST_DOCKER_BASE", LOCAL_BASE)
    if _docker("image", "inspect", base, check=False).returncode != 0:
        pytest.skip(
            f"base image {base} is missing: run tools/docker/make_local_base.sh, or set "
            "LITELLM_TEST_DOCKER_BASE=python:3.11-slim where Docker Hub is reachable"
        )
    return base


@pytest.fixture(scope="module")
def build_context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the Dockerfiles COPY, and nothing else (no .venv, .git or caches sent to the daemon)."""
    context = tmp_path_factory.mktemp("docker-context")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, context / name)
    shutil.copytree(
        ROOT / "litellm", context / "litellm", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    return context


@pytest.fixture(scope="module")
def build(base_image: str, build_context: Path) -> Iterator[Callable[[str], str]]:
    """``build("Dockerfile.non_root")`` -> an image tag, built once per module and removed at its end."""
    tags: dict[str, str] = {}
    run_id = uuid.uuid4().hex[:8]

    def _build(dockerfile: str) -> str:
        if dockerfile not in tags:
            tag = f"litellm-proxy-test:{dockerfile.lower().replace('.', '-')}-{run_id}"
            _docker(
                "build", "--network", "host", "--build-arg", f"PYTHON_IMAGE={base_image}",
                "-f", str(ROOT / "docker" / dockerfile), "-t", tag, str(build_context),
                timeout=600,
            )  # fmt: skip
            tags[dockerfile] = tag
        return tags[dockerfile]

    yield _build
    for tag in tags.values():  # --no-prune: the parent layers stay as the build cache
        _docker("rmi", "--no-prune", tag, check=False)


class Container:
    def __init__(self, name: str, port: int) -> None:
        self.name, self.url = name, f"http://127.0.0.1:{port}"

    def logs(self) -> str:
        result = _docker("logs", "--tail", "80", self.name, check=False)
        return result.stdout + result.stderr

    def state(self) -> dict:
        return json.loads(_docker("inspect", "--format", "{{json .State}}", self.name).stdout)

    def wait_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.state()
            if not state["Running"]:
                raise AssertionError(f"container exited {state['ExitCode']}:\n{self.logs()}")
            if state.get("Health", {}).get("Status") == "healthy":
                return
            time.sleep(0.5)
        raise AssertionError(f"not healthy within {timeout}s: {self.state().get('Health')}\n{self.logs()}")

    def stop_gracefully(self) -> None:
        """``docker stop`` sends SIGTERM to PID 1, the proxy itself (exec-form ENTRYPOINT): it must drain
        and exit 0 well before docker's SIGKILL (exit 137)."""
        started = time.monotonic()
        _docker("stop", "--time", "20", self.name)
        assert time.monotonic() - started < 15
        assert self.state()["ExitCode"] == 0, self.logs()

    def proxy_uid(self) -> int:
        """The real uid of the container's PID 1 (the proxy), not merely the image's USER setting."""
        status = _docker("exec", self.name, "cat", "/proc/1/status").stdout
        return int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])


@pytest.fixture
def run_container(tmp_path: Path) -> Iterator[Callable[..., Container]]:
    """``run_container(image, config_yaml, **env)`` -> a started :class:`Container`, removed after the test."""
    names: list[str] = []

    def _run(image: str, config: str, **env: str) -> Container:
        config_file = tmp_path / f"config-{len(names)}.yaml"
        config_file.write_text(config)
        config_file.chmod(0o644)  # readable by the non-root images' uid
        name, port = f"litellm-proxy-test-{uuid.uuid4().hex[:10]}", free_port()
        env = {"PORT": str(port), "HOST": "127.0.0.1", **env}
        flags = [f"--env={k}={v}" for k, v in env.items()]
        # the image's own health check command, polled every second instead of every 15 s
        _docker(
            "run", "--detach", "--name", name, "--network", "host", "--health-interval", "1s", *flags,
            "--volume", f"{config_file}:/app/config.yaml:ro", image,
        )  # fmt: skip
        names.append(name)
        return Container(name, port)

    yield _run
    for name in names:
        _docker("rm", "--force", "--volumes", name, check=False)


def _config(fake: FakeProvider, *, prometheus: bool = False) -> str:
    callbacks = 'litellm_settings:\n  callbacks: ["prometheus"]\n' if prometheus else ""
    return (
        "model_list:\n  - model_name: gpt-4o\n    litellm_params:\n      model: openai/gpt-4o-mini\n"
        f"      api_base: {fake.url}/v1\n      api_key: sk-fake\n{callbacks}"
        f"general_settings:\n  master_key: {MASTER_KEY}\n"
    )


def _chat(url: str, key: str) -> httpx.Response:
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi from a container"}]}
    return httpx.post(
        f"{url}/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {key}"}, timeout=30
    )


@pytest.mark.parametrize(("dockerfile", "uid"), [("Dockerfile", 0), ("Dockerfile.non_root", NON_ROOT_UID)])
def test_image_turns_healthy_and_answers_a_chat_completion_with_the_master_key(
    build: Callable[[str], str],
    run_container: Callable[..., Container],
    fake_provider: FakeProvider,
    dockerfile: str,
    uid: int,
) -> None:
    image = build(dockerfile)
    fake_provider.clear_requests()
    container = run_container(image, _config(fake_provider))
    container.wait_healthy()

    assert httpx.get(container.url + "/health/liveliness", timeout=5).status_code == 200
    assert _chat(container.url, "sk-not-the-master").status_code == 401
    reply = _chat(container.url, MASTER_KEY)
    assert reply.status_code == 200, reply.text
    assert reply.json()["choices"][0]["message"]["content"].startswith("Hello from the fake provider!")
    sent = [r for r in fake_provider.requests if r["path"].endswith("/chat/completions")]
    assert [r["json"]["messages"][-1]["content"] for r in sent] == ["hi from a container"]
    assert container.proxy_uid() == uid
    container.stop_gracefully()


@pytest.fixture
def pg_database() -> Iterator[str]:
    with fresh_database("docker") as url:
        yield url


def test_database_image_is_ready_with_postgres_and_keeps_generated_keys_there(
    build: Callable[[str], str],
    run_container: Callable[..., Container],
    fake_provider: FakeProvider,
    pg_database: str,
) -> None:
    image = build("Dockerfile.database")
    container = run_container(image, _config(fake_provider), DATABASE_URL=pg_database)
    container.wait_healthy()  # the image checks /health/readiness, which needs the database

    assert httpx.get(container.url + "/health/readiness", timeout=5).status_code == 200
    admin = {"Authorization": f"Bearer {MASTER_KEY}"}
    generated = httpx.post(
        container.url + "/key/generate", json={"key_alias": "docker"}, headers=admin, timeout=30
    )
    assert generated.status_code == 200, generated.text
    reply = _chat(container.url, generated.json()["key"])
    assert reply.status_code == 200, reply.text
    import psycopg

    with psycopg.connect(pg_database) as conn:
        rows = conn.execute("SELECT key_alias FROM litellm_verificationtoken").fetchall()
    assert rows == [("docker",)]
    assert container.proxy_uid() == NON_ROOT_UID
    # the client tools the image adds, against the same database
    assert _docker("exec", container.name, "pg_isready", "-d", pg_database).returncode == 0
    container.stop_gracefully()  # two workers: the supervisor is PID 1


def _requests_counted(url: str) -> float:
    metrics = httpx.get(url + "/metrics", headers={"Authorization": f"Bearer {MASTER_KEY}"}, timeout=10)
    assert metrics.status_code == 200, metrics.text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.text.splitlines()
        if line.startswith("litellm_proxy_total_requests_metric_total{")
    )


def test_restarted_container_counts_metrics_from_zero(
    build: Callable[[str], str],
    run_container: Callable[..., Container],
    fake_provider: FakeProvider,
) -> None:
    """Two workers keep Prometheus counters in per-PID files; a restarted container reuses the same PIDs,
    so files left from the last run would be read (and added to) as if they were this run's."""
    image = build("Dockerfile.non_root")
    container = run_container(image, _config(fake_provider, prometheus=True), NUM_WORKERS="2")
    container.wait_healthy()
    for _ in range(3):
        assert _chat(container.url, MASTER_KEY).status_code == 200
    deadline = time.monotonic() + 10
    while _requests_counted(container.url) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)  # metrics are recorded after the response is sent
    assert _requests_counted(container.url) == 3

    _docker("restart", "--time", "20", container.name)
    container.wait_healthy()
    assert _requests_counted(container.url) == 0
    assert _chat(container.url, MASTER_KEY).status_code == 200
    deadline = time.monotonic() + 10
    while _requests_counted(container.url) < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _requests_counted(container.url) == 1
