"""Router state shared through the real Redis on 127.0.0.1:6379 (a unique key prefix per test, deleted
after), and a private redis-server killed mid-run."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import openai
import pytest

from litellm.router import Router

pytestmark = pytest.mark.integration

redis = pytest.importorskip("redis")
MSGS = [{"role": "user", "content": "hi"}]
REDIS_URL = "redis://127.0.0.1:6379"
WORKER = Path(__file__).with_name("redis_worker.py")


@pytest.fixture
def prefix():
    name = f"test-router:{uuid.uuid4().hex}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{name}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def _shared_router(prefix: str, url: str = REDIS_URL, **kw) -> Router:
    model_list = kw.pop(
        "model_list",
        [
            {
                "model_name": "g",
                "litellm_params": {"model": "openai/gpt-4o-mini", "api_key": "k", "mock_response": "hi"},
                "model_info": {"id": "a"},
            },
            {
                "model_name": "g",
                "litellm_params": {"model": "openai/gpt-4o", "api_key": "k", "mock_response": "hi"},
                "model_info": {"id": "b"},
            },
        ],
    )
    router = Router(model_list=model_list, redis_url=url, redis_key_prefix=prefix, **kw)
    router.state.snapshot_ttl = 0  # every read goes to Redis: the assertions read what the other wrote
    return router


def test_two_processes_share_one_rpm_limit(prefix, tmp_path):
    rpm, per_process = 60, 90
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), REDIS_URL, prefix, str(rpm), str(per_process), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for _ in range(2)
    ]
    for p in procs:  # both set up (imports done, Router built) before either sends
        assert p.stdout is not None
        assert p.stdout.readline().strip() == b"READY"
    go.touch()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()[-2000:]
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    per_minute: dict[str, int] = {}
    for r in results:
        assert r["errors"] == 0
        assert r["state"]["redis_errors"] == 0
        for minute, count in r["ok"].items():
            per_minute[minute] = per_minute.get(minute, 0) + count
    assert all(r["ok"] for r in results), "both processes got a share"
    # the limit holds across both processes (atomic in Redis) and is used up: within 5 %
    assert max(per_minute.values()) >= rpm * 0.95
    assert all(count <= rpm * 1.05 for count in per_minute.values()), per_minute
    total_ok = sum(per_minute.values())
    assert sum(r["limited"] for r in results) == 2 * per_process - total_ok


def test_snapshot_cache_is_short_and_own_cooldowns_invalidate_it(prefix):
    router = _shared_router(prefix)
    router.state.snapshot_ttl = 30.0
    assert router.state.snapshot(["a", "b"])[0].rpm == 0
    router.completion(model="a", messages=MSGS)
    assert router.state.snapshot(["a", "b"])[0].rpm == 0  # cached view, at most snapshot_ttl old
    router.state.set_cooldown("b", 5, "own change")
    assert router.state.flush()  # the call's start and end travel in the background batch
    fresh = router.state.snapshot(["a", "b"])
    assert fresh[0].rpm == 1 and fresh[1].cooldown_reason == "own change"


def test_cooldown_and_latency_are_seen_by_another_router(prefix):
    one, two = _shared_router(prefix), _shared_router(prefix, routing_strategy="latency-based-routing")
    one.state.set_cooldown("a", 30, "test cooldown")
    for _ in range(10):
        r = two.completion(model="g", messages=MSGS)
        assert r._hidden_params["model_id"] == "b"
    two.state.flush()  # call ends reach Redis in batches
    stats = one.state.snapshot(["a", "b"])
    assert stats[0].cooldown_reason == "test cooldown"
    assert stats[1].latency_n == 10 and stats[1].latency is not None and stats[1].rpm == 10


def test_failures_counted_across_routers_cool_down_once(prefix, fake_url):
    bad = {
        "model_name": "g",
        "litellm_params": {"model": "openai/fake-error-500", "api_base": f"{fake_url}/v1", "api_key": "k"},
        "model_info": {"id": "bad"},
    }
    routers = [_shared_router(prefix, model_list=[bad], num_retries=0, allowed_fails=3) for _ in range(2)]
    for i in range(4):
        with pytest.raises(openai.InternalServerError):
            routers[i % 2].completion(model="g", messages=MSGS)
    # 2 failures per router, 4 in Redis: over allowed_fails=3 only because the count is shared
    assert routers[0].state.snapshot(["bad"])[0].cooldown_until > time.time()
    assert routers[1].state.snapshot(["bad"])[0].cooldown_until > time.time()


async def test_async_path_uses_redis(prefix):
    router = _shared_router(prefix, routing_strategy="least-busy")
    for _ in range(6):
        await router.acompletion(model="g", messages=MSGS)
    assert router.state.flush()
    stats = router.state.snapshot(["a", "b"])
    assert stats[0].rpm + stats[1].rpm == 6
    assert stats[0].in_flight == stats[1].in_flight == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 15  # a busy machine can take seconds to start it
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError(f"redis-server on port {port} did not start") from None
            time.sleep(0.01)
    client.close()
    return proc


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server binary not installed")
async def test_redis_killed_mid_run_falls_back_to_local_state(prefix):
    port = _free_port()
    proc = _start_redis(port)
    try:
        router = _shared_router(prefix, url=f"redis://127.0.0.1:{port}")
        router.state.retry_interval = 0.2
        for _ in range(5):
            await router.acompletion(model="g", messages=MSGS)
            router.completion(model="g", messages=MSGS)
        assert router.router_state_stats()["redis_errors"] == 0
        proc.kill()
        proc.wait(timeout=5)
        for _ in range(20):  # never fails a call
            r = await router.acompletion(model="g", messages=MSGS)
            assert r.choices[0].message.content == "hi"
            router.completion(model="g", messages=MSGS)
        stats = router.router_state_stats()
        assert stats["redis_errors"] >= 1 and stats["local_fallbacks"] >= 1
        # cooldowns keep working from local state during the outage
        router.state.set_cooldown("a", 30, "during outage")
        for _ in range(5):
            assert (await router.acompletion(model="g", messages=MSGS))._hidden_params["model_id"] == "b"
        # Redis comes back: the Router uses it again after retry_interval
        proc = _start_redis(port)
        time.sleep(0.25)
        errors = router.router_state_stats()["redis_errors"]
        await router.acompletion(model="g", messages=MSGS)
        assert router.router_state_stats()["redis_errors"] == errors
        assert not router.router_state_stats()["redis_down"]
    finally:
        proc.kill()
        proc.wait(timeout=5)


def test_deployment_budget_spend_is_shared(prefix, fake_url):
    pricey = {
        "model_name": "g",
        "litellm_params": {
            "model": "openai/gpt-4o",
            "api_base": f"{fake_url}/v1",
            "api_key": "k",
            "max_budget": 1e-9,
            "budget_duration": "1h",
        },
        "model_info": {"id": "pricey"},
    }
    cheap = {
        "model_name": "g",
        "litellm_params": {"model": "openai/gpt-4o-mini", "api_base": f"{fake_url}/v1", "api_key": "k"},
        "model_info": {"id": "cheap"},
    }
    one, two = (_shared_router(prefix, model_list=[pricey, cheap]) for _ in range(2))
    one.completion(model="pricey", messages=MSGS)  # spends past the budget, in Redis
    assert one.state.flush()
    assert two.state.snapshot(["pricey"], {"pricey": 3600.0})[0].spend > 1e-9
    for _ in range(5):
        assert two.completion(model="g", messages=MSGS)._hidden_params["model_id"] == "cheap"
