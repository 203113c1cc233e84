"""Each strategy through a Router against the fake provider: where the traffic goes."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from litellm.router import Router

pytestmark = pytest.mark.integration

MSGS = [{"role": "user", "content": "hello"}]


def dep(fake_url, model, latency_ms=0, **extra):
    params = {"model": model, "api_base": f"{fake_url}/v1", "api_key": "k", **extra}
    if latency_ms:
        params["extra_headers"] = {"x-fake-latency-ms": str(latency_ms)}
    return {"model_name": "g", "litellm_params": params}


async def measure_each(router: Router, stream: bool) -> None:
    """Two samples per deployment, after a first call whose cold-start time is forgotten."""
    for rounds in (1, 2):
        for dep_id in router.get_model_ids("g"):
            for _ in range(rounds):
                r = await router.acompletion(model=dep_id, messages=MSGS, stream=stream)
                if stream:
                    async for _ in r:
                        pass
        if rounds == 1:
            router.reset()


async def test_least_busy_spreads_concurrent_requests(fake_url):
    router = Router(
        model_list=[dep(fake_url, f"openai/m{i}", latency_ms=300) for i in range(3)],  # all 9 start first
        routing_strategy="least-busy",
    )
    results = await asyncio.gather(*(router.acompletion(model="g", messages=MSGS) for _ in range(9)))
    counts = Counter(r.model for r in results)
    assert sorted(counts.values()) == [3, 3, 3]  # in flight 0,0,0 -> 1,1,1 -> ... never two ahead


async def test_latency_based_prefers_the_faster_deployment(fake_url):
    router = Router(
        model_list=[dep(fake_url, "openai/slow", latency_ms=60), dep(fake_url, "openai/fast", latency_ms=1)],
        routing_strategy="latency-based-routing",
        routing_strategy_args={"probe": 0},  # ranking only: no re-measuring probes
    )
    await measure_each(router, stream=False)
    counts = Counter()
    for _ in range(10):
        counts[(await router.acompletion(model="g", messages=MSGS)).model] += 1
    assert counts["fast"] == 10


async def test_latency_based_streams_rank_by_time_to_first_token(fake_url):
    slow_first = dep(fake_url, "openai/slow-first")
    slow_first["litellm_params"]["extra_headers"] = {"x-fake-latency-ms": "80"}
    slow_chunks = dep(fake_url, "openai/slow-chunks")
    slow_chunks["litellm_params"]["extra_headers"] = {"x-fake-chunk-delay-ms": "15"}
    router = Router(
        model_list=[slow_first, slow_chunks],
        routing_strategy="latency-based-routing",
        routing_strategy_args={"probe": 0},
    )
    await measure_each(router, stream=True)
    picked = Counter()
    for _ in range(6):
        stream = await router.acompletion(model="g", messages=MSGS, stream=True)
        async for _ in stream:
            pass
        picked[stream.model] += 1
    # the whole stream is slower on "slow-chunks" (9 x 15 ms), but its first token comes first
    assert picked == {"slow-chunks": 6}


def test_cost_based_routes_to_the_cheaper_model(fake_url):
    router = Router(
        model_list=[dep(fake_url, "openai/gpt-4o"), dep(fake_url, "openai/gpt-4o-mini")],
        routing_strategy="cost-based-routing",
    )
    assert {router.completion(model="g", messages=MSGS).model for _ in range(5)} == {"gpt-4o-mini"}
