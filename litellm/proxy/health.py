"""``GET /health``: probe each deployment with one minimal real call, concurrently, bounded by a timeout.

Owns the probe per deployment mode (``model_info.mode``: chat -> a 1-token completion, embedding -> one
short embedding, others -> skipped as healthy-unknown is not claimed: they are reported unhealthy with
"no probe for mode X"), and the LiteLLM-shaped entries (masked ``litellm_params`` plus ``error`` for the
unhealthy). Probes call the pipeline directly (no retries, no fallbacks), so each deployment is judged
on its own. Must not: reveal keys (entries go through the caller's mask function).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

__all__ = ["probe_all"]

_ROUTING_KEYS = frozenset(
    {"rpm", "tpm", "weight", "order", "max_parallel_requests", "stream_timeout", "tags"}
)


async def _probe(d: dict[str, Any], timeout: float) -> None:
    from litellm.calls.registry import get_call

    params = {k: v for k, v in d["litellm_params"].items() if k not in _ROUTING_KEYS}
    mode = (d.get("model_info") or {}).get("mode") or "chat"
    params["num_retries"] = 0
    params["timeout"] = timeout
    params["metadata"] = {"health_check": True, "model_group": d["model_name"]}
    if mode == "embedding":
        await get_call("aembedding")(input=["health check"], **params)
    elif mode in ("chat", "completion"):
        params.setdefault("max_tokens", 1)
        await get_call("acompletion")(messages=[{"role": "user", "content": "ping"}], **params)
    else:
        raise ValueError(f"no health probe for mode {mode!r} yet")


async def probe_all(
    deployments: list[dict[str, Any]], timeout: float, mask: Callable[[dict[str, Any]], dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    async def one(d: dict[str, Any]) -> BaseException | None:
        try:
            await asyncio.wait_for(_probe(d, timeout), timeout)
        except Exception as exc:
            return exc
        return None

    results = await asyncio.gather(*(one(d) for d in deployments))
    healthy: list[dict[str, Any]] = []
    unhealthy: list[dict[str, Any]] = []
    for d, error in zip(deployments, results, strict=True):
        entry = {**mask(d["litellm_params"]), "model_id": (d.get("model_info") or {}).get("id")}
        if error is None:
            healthy.append(entry)
        else:
            message = str(error) or type(error).__name__
            unhealthy.append({**entry, "error": f"{type(error).__name__}: {message}"[:1000]})
    return healthy, unhealthy
