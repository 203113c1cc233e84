"""Router load balancing: how each strategy spreads load over deployments of unequal speed, and what the
caller sees (throughput, p50 / p99 latency), in one run against the fake provider in its own process.

Three deployments of one group answer after 5, 10 and 40 ms (``x-fake-latency-ms``). 32 coroutines send
``--requests`` calls in all through ``Router.acompletion``, once per strategy:

- simple-shuffle with weights 7:2:1 (the share should follow the weights: checked against them);
- least-busy;
- latency-based-routing, LiteLLM's selection and the default (the global minimum: herds onto the fastest);
- latency-based-routing, ``selection: "p2c"`` (power-of-two-choices over an EWMA, in-flight aware);
- usage-based-routing-v2.

The floor is the same load sent straight to the fastest deployment with ``acompletion`` (no Router): what
a perfect oracle without queueing effects would get.

"Recovery": two deployments, A (5 ms) and B (20 ms); A turns slow (80 ms) for a while, then recovers.
After the recovery, how much traffic goes back to A and what latency callers see, for latency routing
with LiteLLM's rule alone (``probe: 0``) and with this package's 2 % probe of the deployment measured
longest ago (the default). Run: ``python bench/router_load_balance.py
[--requests N]``. Prints a table and one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from router_overhead import start_server  # noqa: E402

from litellm.calls.pipeline import acompletion  # noqa: E402
from litellm.router import Router  # noqa: E402

MSGS = [{"role": "user", "content": "Say hello."}]
LATENCIES_MS = (5, 10, 40)
CONCURRENCY = 32


def model_list(url: str, weights: tuple[int, ...] | None = None) -> list[dict[str, Any]]:
    out = []
    for i, ms in enumerate(LATENCIES_MS):
        params: dict[str, Any] = {
            "model": f"openai/fake-{ms}ms",
            "api_base": f"{url}/v1",
            "api_key": "sk-bench",
            "extra_headers": {"x-fake-latency-ms": str(ms)},
        }
        if weights:
            params["weight"] = weights[i]
        out.append({"model_name": "g", "litellm_params": params, "model_info": {"id": f"{ms}ms"}})
    return out


async def drive(call: Any, total: int, concurrency: int = CONCURRENCY) -> dict[str, Any]:
    latencies: list[float] = []
    chosen: Counter[str] = Counter()
    queue = iter(range(total))

    async def worker() -> None:
        for _ in queue:
            t0 = time.perf_counter()
            r = await call()
            latencies.append(time.perf_counter() - t0)
            chosen[r._hidden_params.get("model_id") or r.model] += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - t0
    latencies.sort()
    return {
        "calls_per_s": total / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "share": {k: round(v / total, 3) for k, v in sorted(chosen.items())},
    }


async def run(url: str, total: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    fastest = model_list(url)[0]["litellm_params"]
    await drive(lambda: acompletion(messages=MSGS, num_retries=0, **fastest), 200)  # warm-up
    results["floor: straight to the 5 ms deployment"] = await drive(
        lambda: acompletion(messages=MSGS, num_retries=0, **fastest), total
    )
    cases = [
        ("simple-shuffle, weights 7:2:1", "simple-shuffle", {}, (7, 2, 1)),
        ("least-busy", "least-busy", {}, None),
        ("latency-based, global minimum (default)", "latency-based-routing", {}, None),
        ("latency-based, p2c over EWMA", "latency-based-routing", {"selection": "p2c"}, None),
        ("usage-based-routing-v2", "usage-based-routing-v2", {}, None),
    ]
    for name, strategy, args, weights in cases:
        router = Router(
            model_list=model_list(url, weights),
            routing_strategy=strategy,
            routing_strategy_args=args,
            num_retries=0,
        )
        results[name] = await drive(lambda router=router: router.acompletion(model="g", messages=MSGS), total)
        if weights:
            expected = {f"{ms}ms": w / sum(weights) for ms, w in zip(LATENCIES_MS, weights, strict=True)}
            share = results[name]["share"]
            results[name]["max_share_error"] = round(
                max(abs(share.get(k, 0) - v) for k, v in expected.items()), 3
            )
    return results


async def recovery(url: str, per_phase: int) -> dict[str, Any]:
    """Latency routing when the fastest deployment is slow for a while, then fast again."""
    out: dict[str, Any] = {}
    for name, args in (
        ("global minimum, no probe (LiteLLM)", {"probe": 0}),
        ("global minimum + 2 % probe (default)", {}),
    ):
        a_headers = {"x-fake-latency-ms": "5"}
        deps = [
            {
                "model_name": "g",
                "litellm_params": {
                    "model": "openai/a",
                    "api_base": f"{url}/v1",
                    "api_key": "k",
                    "extra_headers": a_headers,
                },
                "model_info": {"id": "A"},
            },
            {
                "model_name": "g",
                "litellm_params": {
                    "model": "openai/b",
                    "api_base": f"{url}/v1",
                    "api_key": "k",
                    "extra_headers": {"x-fake-latency-ms": "20"},
                },
                "model_info": {"id": "B"},
            },
        ]
        router = Router(
            model_list=deps,
            routing_strategy="latency-based-routing",
            routing_strategy_args=args,
            num_retries=0,
        )
        a_headers = router.table.by_id["A"].params["extra_headers"]  # the dict A's calls send
        call = lambda router=router: router.acompletion(model="g", messages=MSGS)  # noqa: E731
        # 4 at a time: latencies reflect the deployments, not a saturated client
        await drive(call, per_phase, 4)  # A fast
        a_headers["x-fake-latency-ms"] = "80"  # A turns slow
        await drive(call, per_phase, 4)
        a_headers["x-fake-latency-ms"] = "5"  # A recovers
        await drive(call, per_phase // 2, 4)  # time to notice
        out[name] = await drive(call, per_phase, 4)
    return out


def main() -> None:
    total = int(sys.argv[sys.argv.index("--requests") + 1]) if "--requests" in sys.argv else 3000
    proc, url = start_server()
    try:
        results = asyncio.run(run(url, total))
        recovered = asyncio.run(recovery(url, max(200, total // 6)))
    finally:
        proc.terminate()
        proc.wait(5)
    floor = results["floor: straight to the 5 ms deployment"]["calls_per_s"]
    print(f"{'strategy':42} {'calls/s':>8} {'of floor':>8} {'p50 ms':>7} {'p99 ms':>7}  share 5ms/10ms/40ms")
    for name, r in results.items():
        share = "/".join(f"{r['share'].get(k, 0):.2f}" for k in ("5ms", "10ms", "40ms"))
        extra = f"  (max error vs weights {r['max_share_error']:.3f})" if "max_share_error" in r else ""
        print(
            f"{name:42} {r['calls_per_s']:8.0f} {r['calls_per_s'] / floor:8.2f} {r['p50_ms']:7.1f} "
            f"{r['p99_ms']:7.1f}  {share}{extra}"
        )
    print("recovery: A was slow (80 ms) for a phase and is fast (5 ms) again; B answers in 20 ms")
    for name, r in recovered.items():
        print(
            f"  {name:40} share to A {r['share'].get('A', 0):.2f}, p50 {r['p50_ms']:.1f} ms, {r['calls_per_s']:.0f} calls/s"
        )
    print(json.dumps({"router_load_balance": results, "recovery": recovered}))


if __name__ == "__main__":
    main()
