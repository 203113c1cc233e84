"""Our async HTTP/1.1 transport (litellm.core.aio_http) against aiohttp, in the same run.

Starts ``python -m litellm.fake_provider --port 0`` in its own process (the server's CPU never shares
this process's GIL), then measures, in alternating rounds (the order rotates every round):

* transport rows: ``send`` + ``read`` of one non-streamed chat reply (~700 bytes of JSON, keep-alive)
  through ``aio_http.send`` and through ``AiohttpTransport.send`` (what the default was), at
  concurrency 1 and 32: client CPU per request (``time.process_time``) and wall requests/s;
* a bare ``aiohttp.ClientSession.post`` floor at the same concurrency (info);
* ``litellm.acompletion`` at 32 concurrent with each transport as the default (calls/s, CPU per call).

Prints the medians over rounds and the ratios ours/aiohttp (the target: CPU per request at most 0.40,
throughput at 32 concurrent at least 1.0). Usage::

    .venv/bin/python bench/aio_transport.py [--rounds 9] [--n 3000] [--loop asyncio|uvloop]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = [{"role": "user", "content": "Say hello"}]


def start_server() -> tuple[subprocess.Popen[str], str]:
    cmd = [sys.executable, "-m", "litellm.fake_provider", "--port", "0"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("fake provider listening on "):
        proc.kill()
        raise RuntimeError(f"fake provider did not start: {line!r}")
    return proc, line.rsplit(" ", 1)[1]


async def run_round(call: Callable[[], Awaitable[Any]], n: int, concurrency: int) -> tuple[float, float]:
    """(CPU µs per request, requests per wall second) for ``n`` calls at ``concurrency``."""
    left = n

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await call()

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu / n * 1e6, n / wall


async def measure(url: str, rounds: int, n: int) -> dict[str, Any]:
    import aiohttp

    import litellm
    from litellm.core import aio_http, transport
    from litellm.core.transport import AiohttpTransport, WireRequest

    endpoint = url + "/v1/chat/completions"
    body = json.dumps({"model": "fake", "messages": MESSAGES}).encode()
    headers = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench"}
    request = WireRequest("POST", endpoint, headers, body)
    target = aio_http.target_of(endpoint)
    assert target is not None
    via_aiohttp = AiohttpTransport()
    session = aiohttp.ClientSession()

    async def ours() -> None:
        reply = await aio_http.send(request, target, 600.0, False)
        await reply.read()

    async def theirs() -> None:
        reply = await via_aiohttp.send(request, timeout=600.0, stream=False)
        await reply.read()

    async def bare() -> None:
        async with session.post(endpoint, data=body, headers=headers) as response:
            await response.read()

    kwargs: dict[str, Any] = {
        "model": "openai/fake",
        "messages": MESSAGES,
        "api_base": url + "/v1",
        "api_key": "sk-bench",
    }
    default = transport._DEFAULT_ASYNC

    async def acompletion_ours() -> None:
        transport._DEFAULT_ASYNC = default
        await litellm.acompletion(**kwargs)

    async def acompletion_aiohttp() -> None:
        transport._DEFAULT_ASYNC = via_aiohttp  # type: ignore[assignment]
        await litellm.acompletion(**kwargs)

    size = len(await (await aio_http.send(request, target, 600.0, False)).read())
    rows: dict[str, dict[str, list[float]]] = {}
    plan: list[tuple[str, int, dict[str, Callable[[], Awaitable[Any]]]]] = [
        ("transport", 1, {"ours": ours, "aiohttp": theirs, "bare aiohttp": bare}),
        ("transport", 32, {"ours": ours, "aiohttp": theirs, "bare aiohttp": bare}),
        ("acompletion", 32, {"ours": acompletion_ours, "aiohttp": acompletion_aiohttp}),
    ]
    for _kind, concurrency, contenders in plan:  # warm-up: pools filled, code paths hot
        for call in contenders.values():
            await run_round(call, max(200, concurrency * 10), concurrency)
    for r in range(rounds):
        for kind, concurrency, contenders in plan:
            names = list(contenders)
            names = names[r % len(names) :] + names[: r % len(names)]
            calls = n if kind == "transport" else max(300, n // 5)
            for name in names:
                cpu, rps = await run_round(contenders[name], calls, concurrency)
                row = rows.setdefault(f"{kind} c={concurrency} {name}", {"cpu": [], "rps": []})
                row["cpu"].append(cpu)
                row["rps"].append(rps)
    transport._DEFAULT_ASYNC = default
    await session.close()
    return {"reply_bytes": size, "rows": rows}


def report(result: dict[str, Any], loop_name: str) -> None:
    rows = result["rows"]
    print(f"event loop: {loop_name}; reply body {result['reply_bytes']} bytes; medians over rounds")
    print(f"{'row':34} {'CPU µs/req':>11} {'req/s':>9}")
    med = {name: (statistics.median(v["cpu"]), statistics.median(v["rps"])) for name, v in rows.items()}
    for name, (cpu, rps) in med.items():
        print(f"{name:34} {cpu:11.1f} {rps:9.0f}")
    print()
    for prefix in ("transport c=1", "transport c=32", "acompletion c=32"):
        ours, theirs = rows[f"{prefix} ours"], rows[f"{prefix} aiohttp"]
        cpu_ratios = [a / b for a, b in zip(ours["cpu"], theirs["cpu"], strict=True)]  # paired, same round
        rps_ratios = [a / b for a, b in zip(ours["rps"], theirs["rps"], strict=True)]
        print(
            f"{prefix:18} ours/aiohttp: CPU per request {statistics.median(cpu_ratios):.2f}x "
            f"(rounds {min(cpu_ratios):.2f}-{max(cpu_ratios):.2f}), "
            f"throughput {statistics.median(rps_ratios):.2f}x"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--n", type=int, default=3000, help="requests per transport round")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--json", action="store_true", help="print the raw rounds as JSON too")
    args = parser.parse_args()
    proc, url = start_server()
    try:
        if args.loop == "uvloop":
            import uvloop

            result = uvloop.run(measure(url, args.rounds, args.n))
        else:
            result = asyncio.run(measure(url, args.rounds, args.n))
    finally:
        proc.terminate()
        proc.wait(10)
    report(result, args.loop)
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
