"""A Router process for the multi-instance tests and bench: N requests against one rpm-limited deployment
whose state lives in Redis. Prints one JSON line: {"ok": {minute: count}, "limited": n, "errors": n}.

Usage: python redis_worker.py <redis_url> <key_prefix> <rpm> <requests> <go_file>
(prints READY once set up, then starts when <go_file> exists, so both processes start together)
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time


async def main() -> None:
    url, prefix, rpm, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    go_file = sys.argv[5]
    import openai

    from litellm.router import Router

    router = Router(
        model_list=[
            {
                "model_name": "g",
                "litellm_params": {
                    "model": "openai/gpt-4o-mini",
                    "api_key": "k",
                    "mock_response": "hi",
                    "rpm": rpm,
                },
                "model_info": {"id": "shared-deployment"},
            }
        ],
        routing_strategy="usage-based-routing-v2",
        redis_url=url,
        redis_key_prefix=prefix,
        num_retries=0,
    )
    ok: dict[int, int] = {}
    limited = errors = 0
    print("READY", flush=True)
    while not os.path.exists(go_file):  # both processes start together
        await asyncio.sleep(0.002)

    async def one() -> None:
        nonlocal limited, errors
        minute = int(time.time() // 60)
        try:
            await router.acompletion(model="g", messages=[{"role": "user", "content": "hi"}])
        except openai.RateLimitError:
            limited += 1
            return
        except Exception:
            errors += 1
            return
        ok[minute] = ok.get(minute, 0) + 1

    for start in range(0, n, 16):
        await asyncio.gather(*(one() for _ in range(min(16, n - start))))
    print(json.dumps({"ok": ok, "limited": limited, "errors": errors, "state": router.router_state_stats()}))


if __name__ == "__main__":
    asyncio.run(main())
