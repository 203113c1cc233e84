"""The ``litellm`` CLI as users run it: config errors at start, ``--model`` mode with ``--alias``, ``--test``,
``--health``, ``--version``, ``--num_workers 2`` with Prometheus summed across workers, and the direct
backend's retry/fallback headers."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from tests.integration.proxy._proxy import MASTER_KEY, free_port, running_proxy, start, stop, wait_ready

pytestmark = pytest.mark.integration


def _cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 30
) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "litellm.proxy", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            "model_list:\n  - model_name: a\n    litellm_params:\n      model: openai/x\n      api_key: os.environ/NOPE_NOT_SET_123\n",
            r"config\.yaml: model_list\[0\]\.litellm_params\.api_key: environment variable NOPE_NOT_SET_123 is not set",
        ),
        (
            "litellm_settings:\n  callbacks: [my_missing_module.handler]\n",
            r"litellm_settings\.callbacks\[0\]: cannot import module 'my_missing_module'",
        ),
        ("model_list: [\n", r"config\.yaml: \(file\): not valid YAML"),
        (
            "model_list:\n  - model_name: a\n    litellm_params: {model: openai/x, api_key: k}\n"
            "router_settings:\n  routing_strategy: nonsense-strategy\n",
            r"router_settings: the Router refused its settings: routing_strategy 'nonsense-strategy'",
        ),
        (
            "model_list:\n  - model_name: a\n    litellm_params: {model: openai/x}\nlitellm_settings:\n  fallbacks: [{a: [b]}]\n",
            r"litellm_settings\.fallbacks\[0\]: model 'b' is not a model_name",
        ),
    ],
)
def test_config_errors_stop_start_with_file_key_and_problem(  # more cases: tests/unit/proxy/test_config.py
    tmp_path: Path, config: str, expected: str
) -> None:
    (tmp_path / "config.yaml").write_text(config)
    result = _cli("--config", "config.yaml", "--port", str(free_port()), cwd=tmp_path)
    assert result.returncode != 0
    assert re.search(expected, result.stderr), result.stderr
    assert "listening" not in result.stdout  # nothing started half-configured


def test_include_and_environment_variables(tmp_path: Path, fake_provider) -> None:
    (tmp_path / "models.yaml").write_text(
        "model_list:\n  - model_name: included\n    litellm_params:\n"
        "      model: openai/gpt-4o-mini\n      api_base: os.environ/INC_BASE\n      api_key: sk-x\n"
    )
    config = (
        "include:\n  - models.yaml\n"
        f"environment_variables:\n  INC_BASE: {fake_provider.url}/v1\n"
        "general_settings:\n  master_key: sk-inc\n"
    )
    with running_proxy(tmp_path, config) as proxy:
        r = proxy.client("sk-inc").post(
            "/v1/chat/completions", json={"model": "included", "messages": [{"role": "user", "content": "x"}]}
        )
        assert r.status_code == 200, r.text


def test_model_flag_alias_test_health_and_version(tmp_path: Path, fake_provider) -> None:
    port = free_port()
    import os

    env = {**os.environ, "OPENAI_API_KEY": "sk-fake", "LITELLM_MASTER_KEY": MASTER_KEY}
    log = tmp_path / "proxy.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "litellm.proxy", "--model", "openai/gpt-4o-mini", "--api_base", fake_provider.url + "/v1",
         "--alias", "my-model", "--host", "127.0.0.1", "--port", str(port), "--max_tokens", "3", "--drop_params"],
        cwd=tmp_path, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip

    class P:
        pass

    proxy = P()
    proxy.proc, proxy.url, proxy.log = proc, f"http://127.0.0.1:{port}", log  # type: ignore[attr-defined]
    try:
        wait_ready(proxy)  # type: ignore[arg-type]
        banner = log.read_text()
        assert f"listening on http://127.0.0.1:{port}" in banner and "my-model" in banner
        client = openai.OpenAI(base_url=proxy.url, api_key=MASTER_KEY, max_retries=0)  # type: ignore[attr-defined]
        reply = client.chat.completions.create(model="my-model", messages=[{"role": "user", "content": "hi"}])
        assert reply.choices[0].finish_reason == "length"  # --max_tokens 3 reached the provider
        assert reply.usage.completion_tokens == 3
        env_run = {"LITELLM_MASTER_KEY": MASTER_KEY}
        tested = _cli("--test", "--port", str(port), "--host", "127.0.0.1", cwd=tmp_path, env=env_run)
        assert tested.returncode == 0, tested.stderr
        assert "model=my-model -> 200" in tested.stdout
        health = _cli("--health", "--port", str(port), "--host", "127.0.0.1", cwd=tmp_path, env=env_run)
        assert health.returncode == 0 and '"healthy_count": 1' in health.stdout
    finally:
        stop(proxy)  # type: ignore[arg-type]
    version = _cli("--version", cwd=tmp_path)
    assert version.returncode == 0 and re.match(r"litellm \d+\.\d+", version.stdout)


def _requests_by_worker(prom_dir: Path) -> dict[str, float]:
    """Each worker's own ``litellm_proxy_total_requests_metric`` count, read from its multiprocess file."""
    from prometheus_client.multiprocess import MultiProcessCollector

    counts: dict[str, float] = {}
    for path in sorted(prom_dir.glob("counter_*.db")):
        pid = path.stem.split("_", 1)[1]
        for metric in MultiProcessCollector._read_metrics([str(path)]).values():  # the test reads one file
            for sample in metric.samples:
                if sample.name == "litellm_proxy_total_requests_metric_total":
                    counts[pid] = counts.get(pid, 0.0) + sample.value
    return counts


def test_two_workers_serve_and_metrics_sum_across_them(tmp_path: Path, fake_provider) -> None:
    import concurrent.futures

    config = (
        "model_list:\n  - model_name: m\n    litellm_params:\n      model: openai/gpt-4o-mini\n"
        f"      api_base: {fake_provider.url}/v1\n      api_key: sk-x\n"
        "general_settings:\n  master_key: sk-workers\n"
    )
    prom_dir = tmp_path / "prom"
    prom_dir.mkdir()
    proxy = start(
        tmp_path, config, "--num_workers", "2", env={"PROMETHEUS_MULTIPROC_DIR": str(prom_dir)}, wait=False
    )
    try:
        wait_ready(proxy)
        body = {"model": "m", "messages": [{"role": "user", "content": "x"}]}

        def one(_: int) -> int:  # a new connection per request: both workers accept from the shared socket
            return httpx.post(
                proxy.url + "/v1/chat/completions", json=body, headers={"Authorization": "Bearer sk-workers"}
            ).status_code

        sent, by_worker = 0, {}
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            for _ in range(20):  # bounded: stop once both workers have answered some
                statuses = list(pool.map(one, range(16)))
                assert statuses == [200] * 16
                sent += 16
                by_worker = _requests_by_worker(prom_dir)
                if len([c for c in by_worker.values() if c > 0]) >= 2:
                    break
        assert len([c for c in by_worker.values() if c > 0]) == 2, by_worker  # both workers served
        assert sum(by_worker.values()) == sent, by_worker  # each request counted once, by its worker
        text = httpx.get(proxy.url + "/metrics").text
        total = sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("litellm_proxy_total_requests_metric_total{") and 'status_code="200"' in line
        )
        assert total == sent, text[:2000]  # every worker's samples, whichever worker answered /metrics
    finally:
        assert stop(proxy) in (0, -15)  # the multi-worker supervisor is uvicorn's own


def test_direct_backend_reports_exact_retries_and_fallbacks(tmp_path: Path, fake_provider) -> None:
    key = f"cli-{time.time_ns()}"
    base = fake_provider.url + "/v1"
    config = f"""
model_list:
  - model_name: good
    litellm_params: {{model: openai/gpt-4o-mini, api_base: {base}, api_key: sk-x}}
  - model_name: bad
    litellm_params: {{model: openai/fake-error-503, api_base: {base}, api_key: sk-x}}
  - model_name: once
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: {base}
      api_key: sk-x
      extra_headers: {{x-fake-fail-times: "1", x-fake-key: {key}, x-fake-error: "429"}}
router_settings:
  num_retries: 2
  fallbacks: [{{bad: [good]}}]
"""
    with running_proxy(tmp_path, config, env={"LITELLM_PROXY_BACKEND": "direct"}) as proxy:
        with proxy.client(None) as c:
            r = c.post(
                "/v1/chat/completions", json={"model": "once", "messages": [{"role": "user", "content": "x"}]}
            )
            assert r.status_code == 200 and r.headers["x-litellm-attempted-retries"] == "1"
            r = c.post(
                "/v1/chat/completions", json={"model": "bad", "messages": [{"role": "user", "content": "x"}]}
            )
            assert r.status_code == 200
            assert (
                r.headers["x-litellm-attempted-fallbacks"] == "1"
                and r.headers["x-litellm-model-group"] == "good"
            )
            assert (
                r.headers["x-litellm-attempted-retries"] == "2"
            )  # the bad group's two retries, then the fallback


def test_https_with_ssl_flags_and_debug_access_log(tmp_path: Path, fake_provider) -> None:
    """--ssl_keyfile_path/--ssl_certfile_path serve HTTPS (a self-signed certificate made here);
    --debug turns on the access log."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1)).sign(key, hashes.SHA256())
    )  # fmt: skip
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    config = (
        "model_list:\n  - model_name: m\n    litellm_params:\n      model: openai/gpt-4o-mini\n"
        f"      api_base: {fake_provider.url}/v1\n      api_key: sk-x\n"
    )
    proxy = start(
        tmp_path,
        config,
        "--ssl_keyfile_path",
        "key.pem",
        "--ssl_certfile_path",
        "cert.pem",
        "--debug",
        wait=False,
    )
    proxy.url = proxy.url.replace("http://", "https://")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.post(
                    proxy.url + "/v1/chat/completions",
                    json={"model": "m", "messages": [{"role": "user", "content": "x"}]},
                    verify=False,
                )
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proxy.proc.poll() is not None:
                    raise
                time.sleep(0.1)
        assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"].startswith("Hello")
        with pytest.raises(httpx.HTTPError):  # plain HTTP is not served on the HTTPS port
            httpx.get(proxy.url.replace("https://", "http://") + "/health/liveliness", timeout=2)
    finally:
        stop(proxy)
    log = proxy.log.read_text()
    assert "listening on https://127.0.0.1:" in log
    assert 'POST /v1/chat/completions HTTP/1.1" 200' in log  # --debug: uvicorn's access log


def test_a_worker_that_fails_to_start_makes_the_proxy_exit_non_zero(tmp_path: Path) -> None:
    # uvicorn's supervisor stops when a worker fails to start but returns as after a normal shutdown;
    # a restart policy (Docker on-failure, Kubernetes) must see the failure
    config = (
        "model_list:\n  - model_name: m\n    litellm_params: {model: openai/gpt-4o-mini, api_key: sk-x}\n"
        "general_settings:\n  master_key: sk-workers\n"
        f"  database_url: postgresql://postgres@127.0.0.1:{free_port()}/test\n"  # nothing listens there
    )
    (tmp_path / "config.yaml").write_text(config)
    for workers in ("1", "2"):
        done = _cli(
            "--config",
            "config.yaml",
            "--port",
            str(free_port()),
            "--num_workers",
            workers,
            cwd=tmp_path,
            timeout=60,
        )
        assert done.returncode == 3, (workers, done.stdout[-500:], done.stderr[-2000:])
        assert "cannot connect to the database" in done.stderr


def test_a_restarted_proxy_counts_metrics_from_zero_in_a_kept_multiprocess_dir(
    tmp_path: Path, fake_provider
) -> None:
    config = (
        "model_list:\n  - model_name: m\n    litellm_params:\n      model: openai/gpt-4o-mini\n"
        f"      api_base: {fake_provider.url}/v1\n      api_key: sk-x\n"
        "general_settings:\n  master_key: sk-workers\n"
    )
    prom_dir = tmp_path / "prom"  # kept across restarts, as a container's or a pod's volume is
    body = {"model": "m", "messages": [{"role": "user", "content": "x"}]}

    def requests_counted(proxy: Any) -> float:
        text = httpx.get(proxy.url + "/metrics").text
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("litellm_proxy_total_requests_metric_total{")
        )

    for sent in (3, 1):
        with running_proxy(tmp_path, config, env={"PROMETHEUS_MULTIPROC_DIR": str(prom_dir)}) as proxy:
            for _ in range(sent):
                r = httpx.post(
                    proxy.url + "/v1/chat/completions",
                    json=body,
                    headers={"Authorization": "Bearer sk-workers"},
                )
                assert r.status_code == 200
            assert requests_counted(proxy) == sent  # this run's requests only
