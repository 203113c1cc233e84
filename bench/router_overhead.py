"""Router overhead: the µs a Router adds over the same plain ``completion`` call.

Budget (DESIGN.md): Router, added over the same ``completion`` (2 deployments, any strategy, in-memory
state) under 30 µs. Measured in one run, contenders alternating inside each round, the added figure being
the median over rounds of the paired difference (router - plain in the same round):

- against the fake provider in its own process (``python -m litellm.fake_provider``), sync and async;
- with ``mock_response`` (no network: the pipeline's own work only), which isolates the Router's cost
  from server noise;
- for every built-in strategy.

Mock rows and the "(CPU)" row use this thread's CPU time (``time.thread_time``), which other jobs on a
shared 2-core box disturb far less than wall time; "(wall)" rows use wall time and are noisy there.

Run: ``python bench/router_overhead.py [--quick]``. Prints a table and one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import selectors
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from litellm.calls.pipeline import acompletion, completion  # noqa: E402
from litellm.router import Router  # noqa: E402

MSGS = [{"role": "user", "content": "Say hello."}]
STRATEGIES = [
    "simple-shuffle",
    "least-busy",
    "latency-based-routing",
    "usage-based-routing-v2",
    "cost-based-routing",
]
BUDGET_US = 30.0


def start_server() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "litellm.fake_provider", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    sel.select(timeout=20)
    line = proc.stdout.readline().strip()
    if not line.startswith("fake provider listening on "):
        proc.kill()
        raise RuntimeError(f"fake provider did not start: {line!r}")
    return proc, line.rsplit(" ", 1)[1]


def make_router(params: dict[str, Any], strategy: str) -> Router:
    model_list = [
        {
            "model_name": "g",
            "litellm_params": {**params, "model": f"openai/fake-{i}", "rpm": 10**9, "tpm": 10**12},
        }
        for i in range(2)
    ]
    return Router(model_list=model_list, routing_strategy=strategy, num_retries=0)


# CPU time of this thread: other jobs on the box disturb it far less than wall time (the Router's work
# is all CPU; with mock responses so is the whole call). Network rows use wall time.
_clock = time.thread_time


def per_call_us(fn: Any, n: int, clock: Any = None) -> float:
    clock = clock or _clock
    t0 = clock()
    for _ in range(n):
        fn()
    return (clock() - t0) / n * 1e6


async def per_call_us_async(fn: Any, n: int, clock: Any = None) -> float:
    clock = clock or _clock
    t0 = clock()
    for _ in range(n):
        await fn()
    return (clock() - t0) / n * 1e6


def paired(rounds: int, n: int, plain: Any, routed: Any, clock: Any = None) -> dict[str, float]:
    diffs, plains, routeds = [], [], []
    for r in range(rounds):
        order = [(0, plain), (1, routed)] if r % 2 == 0 else [(1, routed), (0, plain)]
        got = {}
        for key, fn in order:
            got[key] = per_call_us(fn, n, clock)
        plains.append(got[0])
        routeds.append(got[1])
        diffs.append(got[1] - got[0])
    return {
        "plain_us": statistics.median(plains),
        "router_us": statistics.median(routeds),
        "added_us": statistics.median(diffs),
    }


def paired_async(rounds: int, n: int, plain: Any, routed: Any, clock: Any = None) -> dict[str, float]:
    async def run() -> dict[str, float]:
        diffs, plains, routeds = [], [], []
        for r in range(rounds):
            order = [(0, plain), (1, routed)] if r % 2 == 0 else [(1, routed), (0, plain)]
            got = {}
            for key, fn in order:
                got[key] = await per_call_us_async(fn, n, clock)
            plains.append(got[0])
            routeds.append(got[1])
            diffs.append(got[1] - got[0])
        return {
            "plain_us": statistics.median(plains),
            "router_us": statistics.median(routeds),
            "added_us": statistics.median(diffs),
        }

    return asyncio.run(run())


def main() -> None:
    quick = "--quick" in sys.argv
    rounds, n_net, n_mock = (5, 300, 1000) if quick else (9, 1500, 4000)
    proc, url = start_server()
    results: dict[str, Any] = {}
    try:
        net = {"api_base": f"{url}/v1", "api_key": "sk-bench"}
        mock = {"api_key": "sk-bench", "mock_response": "hi"}
        for _ in range(200):  # warm up connections, imports, price map
            completion(model="openai/fake-0", messages=MSGS, **net)
        for strategy in STRATEGIES:
            router = make_router(mock, strategy)
            results[f"mock sync, {strategy}"] = paired(
                rounds,
                n_mock,
                lambda: completion(model="openai/fake-0", messages=MSGS, num_retries=0, **mock),
                lambda router=router: router.completion(model="g", messages=MSGS),
            )
        router = make_router(net, "simple-shuffle")
        results["fake provider sync, simple-shuffle (wall)"] = paired(
            rounds,
            n_net,
            lambda: completion(model="openai/fake-0", messages=MSGS, num_retries=0, **net),
            lambda: router.completion(model="g", messages=MSGS),
            time.perf_counter,
        )
        results["fake provider sync, simple-shuffle (CPU)"] = paired(
            rounds,
            n_net,
            lambda: completion(model="openai/fake-0", messages=MSGS, num_retries=0, **net),
            lambda: router.completion(model="g", messages=MSGS),
        )
        arouter = make_router(net, "simple-shuffle")
        results["fake provider async, simple-shuffle (wall)"] = paired_async(
            rounds,
            n_net,
            lambda: acompletion(model="openai/fake-0", messages=MSGS, num_retries=0, **net),
            lambda: arouter.acompletion(model="g", messages=MSGS),
            time.perf_counter,
        )
        mrouter = make_router(mock, "simple-shuffle")
        results["mock async, simple-shuffle"] = paired_async(
            rounds,
            n_mock,
            lambda: acompletion(model="openai/fake-0", messages=MSGS, num_retries=0, **mock),
            lambda: mrouter.acompletion(model="g", messages=MSGS),
        )
    finally:
        proc.terminate()
        proc.wait(5)
    print(
        f"{'measurement':42} {'plain µs':>9} {'router µs':>10} {'added µs':>9}  budget < {BUDGET_US:.0f} µs"
    )
    for name, r in results.items():
        verdict = "PASS" if r["added_us"] < BUDGET_US else "FAIL"
        ratio = r["router_us"] / r["plain_us"]
        print(
            f"{name:42} {r['plain_us']:9.1f} {r['router_us']:10.1f} {r['added_us']:9.1f}  {verdict} (x{ratio:.3f})"
        )
    print(json.dumps({"router_overhead": results}))


if __name__ == "__main__":
    main()
