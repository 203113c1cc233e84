"""Routing strategies as pure functions of (candidates, stats, request), and through a Router with
mock responses: weighted distribution (seeded, statistical), least-busy, latency (p2c, lowest, buffer,
ttl, time to first token), usage limits, cost, custom strategies."""

from __future__ import annotations

import random
import time
from collections import Counter

import pytest

from litellm.router import Router
from litellm.router.deployments import Deployment
from litellm.router.state import DeploymentStats
from litellm.router.strategies import (
    CostBased,
    LatencyBased,
    LeastBusy,
    NoDeploymentWithinLimits,
    RoutingRequest,
    SimpleShuffle,
    UsageBasedV2,
    make_strategy,
)

MSGS = [{"role": "user", "content": "hi"}]


def d(i: int, **lp) -> Deployment:
    top = {k: lp.pop(k) for k in ("rpm", "tpm") if k in lp}
    return Deployment({"model_name": "g", "litellm_params": {"model": f"openai/m{i}", **lp}, **top})


def stats(**kw) -> DeploymentStats:
    s = DeploymentStats()
    for k, v in kw.items():
        setattr(s, k, v)
    return s


def shares(strategy, cands, st, n=20000, request=None):
    request = request or RoutingRequest("g")
    counts = Counter(strategy.pick(cands, st, request)[0] for _ in range(n))
    return [counts[i] / n for i in range(len(cands))]


@pytest.mark.parametrize("attr", ["weight", "rpm", "tpm"])
def test_simple_shuffle_follows_weights(attr):
    cands = [d(0, **{attr: 1}), d(1, **{attr: 2}), d(2, **{attr: 7})]
    got = shares(SimpleShuffle(rng=random.Random(1)), cands, [stats()] * 3)
    for share, want in zip(got, [0.1, 0.2, 0.7], strict=True):
        assert abs(share - want) < 0.015  # ~4 sigma at n=20000


def test_simple_shuffle_weight_wins_over_rpm_and_uniform_without_any():
    cands = [d(0, weight=1, rpm=1000), d(1, weight=3, rpm=1)]
    got = shares(SimpleShuffle(rng=random.Random(2)), cands, [stats()] * 2)
    assert abs(got[1] - 0.75) < 0.015
    got = shares(SimpleShuffle(rng=random.Random(3)), [d(0), d(1), d(2), d(3)], [stats()] * 4)
    assert all(abs(s - 0.25) < 0.015 for s in got)


def test_router_distribution_by_weight_end_to_end():
    model_list = [
        {
            "model_name": "g",
            "litellm_params": {"model": f"openai/m{i}", "api_key": "k", "mock_response": "x", "weight": w},
        }
        for i, w in enumerate((1, 3))
    ]
    router = Router(model_list=model_list)
    router.strategy.rng = random.Random(7)
    counts = Counter(router.completion(model="g", messages=MSGS).model for _ in range(2000))
    assert abs(counts["m1"] / 2000 - 0.75) < 0.04


def test_least_busy_picks_fewest_in_flight_and_breaks_ties_randomly():
    cands = [d(0), d(1), d(2)]
    st = [stats(in_flight=5), stats(in_flight=1), stats(in_flight=1)]
    got = shares(LeastBusy(rng=random.Random(4)), cands, st, n=4000)
    assert got[0] == 0 and abs(got[1] - 0.5) < 0.05


def test_latency_lowest_and_buffer():
    now = time.time()
    cands = [d(0), d(1), d(2)]
    st = [stats(latency=0.10, latency_n=5, latency_at=now), stats(latency=0.105, latency_n=5, latency_at=now),
          stats(latency=0.5, latency_n=5, latency_at=now)]  # fmt: skip
    lowest = LatencyBased({"probe": 0}, rng=random.Random(5))  # LiteLLM's rule is the default
    assert shares(lowest, cands, st, n=200) == [1.0, 0.0, 0.0]
    buffered = LatencyBased({"lowest_latency_buffer": 0.1, "probe": 0}, rng=random.Random(5))
    got = shares(buffered, cands, st, n=4000)
    assert got[2] == 0 and abs(got[0] - 0.5) < 0.05


def test_latency_probe_re_measures_the_deployment_measured_longest_ago():
    now = time.time()
    cands = [d(0), d(1)]
    st = [
        stats(latency=0.1, latency_n=5, latency_at=now),
        stats(latency=0.5, latency_n=5, latency_at=now - 30),
    ]
    got = shares(LatencyBased(rng=random.Random(8)), cands, st, n=20000)
    assert 0.015 < got[1] < 0.025  # 2 % probes go to the stale, slow-looking one
    assert shares(LatencyBased({"probe": 0}, rng=random.Random(8)), cands, st, n=2000)[1] == 0
    with pytest.raises(ValueError, match="probe"):
        LatencyBased({"probe": 1.5})


def test_latency_p2c_spreads_load_but_favours_the_fast():
    now = time.time()
    cands = [d(i) for i in range(4)]
    st = [stats(latency=lat, latency_n=5, latency_at=now) for lat in (0.1, 0.11, 0.12, 1.0)]
    got = shares(LatencyBased({"selection": "p2c", "probe": 0}, rng=random.Random(6)), cands, st, n=12000)
    # power of two choices: the slowest only wins when drawn twice (never: two distinct picks)
    assert got[3] == 0
    assert got[0] > got[1] > got[2] > 0.1  # no herding onto one deployment


def test_latency_unknown_or_stale_samples_are_measured_first_and_streams_use_ttft():
    now = time.time()
    cands = [d(0), d(1)]
    stale = [
        stats(latency=0.1, latency_n=5, latency_at=now - 100),
        stats(latency=0.5, latency_n=5, latency_at=now),
    ]
    i, reason = LatencyBased({"ttl": 60}).pick(cands, stale, RoutingRequest("g"))
    assert i == 0 and "measuring" in reason
    st = [
        stats(latency=0.1, ttft=0.9, latency_n=5, latency_at=now),
        stats(latency=0.5, ttft=0.05, latency_n=5, latency_at=now),
    ]
    strategy = LatencyBased({"selection": "lowest", "probe": 0})
    assert strategy.pick(cands, st, RoutingRequest("g", stream=False))[0] == 0
    i, reason = strategy.pick(cands, st, RoutingRequest("g", stream=True))
    assert i == 1 and "time to first token" in reason


def test_usage_based_skips_deployments_at_limits():
    cands = [d(0, rpm=10), d(1, tpm=1000), d(2)]
    st = [stats(rpm=10, tpm=0), stats(tpm=990), stats(tpm=5000)]
    i, reason = UsageBasedV2().pick(cands, st, RoutingRequest("g", input_tokens=20))
    assert i == 2 and "lowest tpm" in reason
    with pytest.raises(NoDeploymentWithinLimits):
        UsageBasedV2().pick(cands[:2], st[:2], RoutingRequest("g", input_tokens=20))
    st = [stats(rpm=3, tpm=100), stats(tpm=50), stats(tpm=5000)]
    assert UsageBasedV2().pick(cands, st, RoutingRequest("g", input_tokens=20))[0] == 1


def test_usage_based_router_enforces_rpm():
    import openai

    router = Router(
        model_list=[
            {
                "model_name": "g",
                "litellm_params": {"model": "openai/gpt-4o", "api_key": "k", "mock_response": "x", "rpm": 5},
            }
        ],
        routing_strategy="usage-based-routing-v2",
    )
    for _ in range(5):
        router.completion(model="g", messages=MSGS)
    with pytest.raises(openai.RateLimitError, match="rpm") as err:
        router.completion(model="g", messages=MSGS)
    assert 1 <= int(err.value.headers["retry-after"]) <= 60


def test_cost_based_prefers_the_cheapest_known_price():
    cands = [
        d(0, input_cost_per_token=5e-6, output_cost_per_token=15e-6),
        d(1),
        d(2, input_cost_per_token=1e-7, output_cost_per_token=4e-7),
    ]
    cands[1] = Deployment({"model_name": "g", "litellm_params": {"model": "openai/gpt-4o-mini"}})
    i, reason = CostBased().pick(cands, [stats()] * 3, RoutingRequest("g"))
    assert i == 2 and "price" in reason
    unknown = Deployment({"model_name": "g", "litellm_params": {"model": "openai/no-such-model-xyz"}})
    assert CostBased().pick([unknown, cands[1]], [stats()] * 2, RoutingRequest("g"))[0] == 1


def test_unknown_strategy_name_is_a_clear_error():
    with pytest.raises(ValueError, match="least-busy"):
        make_strategy("fastest")


def test_custom_routing_strategy_sync_and_async():
    class PickSecond:
        def get_available_deployment(
            self, model, messages=None, input=None, specific_deployment=False, request_kwargs=None
        ):
            return router.get_model_list(model)[1]

        async def async_get_available_deployment(
            self, model, messages=None, input=None, specific_deployment=False, request_kwargs=None
        ):
            return router.get_model_list(model)[1]

    router = Router(
        model_list=[
            {
                "model_name": "g",
                "litellm_params": {"model": f"openai/m{i}", "api_key": "k", "mock_response": "x"},
            }
            for i in range(3)
        ]
    )
    router.set_custom_routing_strategy(PickSecond())
    assert {router.completion(model="g", messages=MSGS).model for _ in range(5)} == {"m1"}

    import asyncio

    async def run():
        return {(await router.acompletion(model="g", messages=MSGS)).model for _ in range(5)}

    assert asyncio.run(run()) == {"m1"}
    with pytest.raises(TypeError, match="get_available_deployment"):
        router.set_custom_routing_strategy(object())

    from litellm.router import CustomRoutingStrategyBase

    class AsyncOnly(CustomRoutingStrategyBase):
        async def async_get_available_deployment(
            self, model, messages=None, input=None, specific_deployment=False, request_kwargs=None
        ):
            return router.get_model_list(model)[2]

    router.set_custom_routing_strategy(AsyncOnly())
    assert asyncio.run(router.acompletion(model="g", messages=MSGS)).model == "m2"
    with pytest.raises(NotImplementedError, match="AsyncOnly implements neither"):
        router.completion(model="g", messages=MSGS)


def test_routing_decision_is_in_the_metadata_the_call_receives(monkeypatch):
    seen = []
    import litellm.calls.registry as registry

    real = registry.get_call("completion")

    def spy(**kw):
        seen.append(kw["metadata"])
        return real(**kw)

    monkeypatch.setitem(registry._cache, "completion", spy)
    router = Router(
        model_list=[
            {
                "model_name": "g",
                "litellm_params": {"model": "openai/m0", "api_key": "k", "mock_response": "x"},
            }
        ]
    )
    router.completion(model="g", messages=MSGS, metadata={"mine": True})
    md = seen[0]
    assert md["mine"] is True and md["model_group"] == "g" and md["deployment"] == "openai/m0"
    assert (
        md["routing"]["chosen"] == router.get_model_ids("g")[0]
        and md["routing"]["reason"] == "only candidate"
    )


def test_shuffle_follows_a_deployment_replaced_with_a_new_weight():
    entry = {
        "model_name": "g",
        "litellm_params": {"model": "openai/m0", "api_key": "k", "mock_response": "x"},
    }
    router = Router(
        model_list=[
            {**entry, "litellm_params": {**entry["litellm_params"], "weight": 1}, "model_info": {"id": "a"}},
            {**entry, "litellm_params": {**entry["litellm_params"], "weight": 1}, "model_info": {"id": "b"}},
        ]
    )
    router.strategy.rng = random.Random(11)
    for _ in range(20):
        router.completion(model="g", messages=MSGS)
    router.upsert_deployment(
        {**entry, "litellm_params": {**entry["litellm_params"], "weight": 9}, "model_info": {"id": "b"}}
    )
    counts = Counter(
        router.completion(model="g", messages=MSGS)._hidden_params["model_id"] for _ in range(2000)
    )
    assert abs(counts["b"] / 2000 - 0.9) < 0.04
