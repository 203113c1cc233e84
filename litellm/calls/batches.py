"""Batches: ``create_batch``, ``retrieve_batch``, ``list_batches``, ``cancel_batch`` and their async twins
(OpenAI's ``/v1/batches``; Azure's ``/openai/batches``), on the one spine.

Cost: when ``retrieve_batch`` first sees a batch ``completed`` with an output file, it reads that file
and prices every answered line at the price map's batch prices (``input_cost_per_token_batches`` /
``output_cost_per_token_batches``; the regular prices when a model has none, said in the breakdown).
That cost is logged once per batch (per process), on that retrieve's event, and set on the batch's
``_hidden_params["response_cost"]``.

Must not: send on its own (resources go through the pipeline; the output file is read with the same
send path and credentials).
"""

from __future__ import annotations

import copy
import json
import threading
from typing import Any

from litellm.calls.resources import Resource, acall, call
from litellm.calls.spec import Prepared

__all__ = [
    "acancel_batch",
    "acreate_batch",
    "alist_batches",
    "aretrieve_batch",
    "batch_cost",
    "cancel_batch",
    "create_batch",
    "list_batches",
    "retrieve_batch",
]

_priced: set[str] = set()
_priced_lock = threading.Lock()


def batch_cost(output_jsonl: bytes | str, custom_llm_provider: str | None = None) -> dict[str, Any]:
    """Price a batch's output file: {"response_cost", "prompt_tokens", "completion_tokens", "lines",
    "models", "breakdown"}. Lines that failed (no body usage) cost nothing."""
    from litellm.cost.model_info import get_model_info

    text = output_jsonl.decode("utf-8") if isinstance(output_jsonl, bytes) else output_jsonl
    total = input_cost = output_cost = 0.0
    prompt = completion = lines = 0
    models: dict[str, int] = {}
    regular_prices: list[str] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        line = json.loads(raw)
        body = ((line.get("response") or {}).get("body")) or {}
        usage = body.get("usage") or {}
        model = body.get("model")
        if not usage or not model:
            continue
        lines += 1
        p_tok = int(usage.get("prompt_tokens") or usage.get("input_tokens") or 0)
        c_tok = int(usage.get("completion_tokens") or usage.get("output_tokens") or 0)
        info = get_model_info(model, custom_llm_provider=custom_llm_provider)
        in_price = info.get("input_cost_per_token_batches")
        out_price = info.get("output_cost_per_token_batches")
        if in_price is None or out_price is None:
            regular_prices.append(model)
            in_price = info.get("input_cost_per_token") or 0.0
            out_price = info.get("output_cost_per_token") or 0.0
        input_cost += p_tok * in_price
        output_cost += c_tok * out_price
        prompt += p_tok
        completion += c_tok
        models[model] = models.get(model, 0) + 1
    total = input_cost + output_cost
    breakdown: dict[str, Any] = {"input_cost": input_cost, "output_cost": output_cost, "total_cost": total}
    if regular_prices:
        breakdown["priced_at_regular_prices"] = sorted(set(regular_prices))
    return {
        "response_cost": total,
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "lines": lines,
        "models": models,
        "breakdown": breakdown,
    }


def _content_request(p: Prepared, file_id: str) -> Prepared:
    from litellm.providers.openai_resources import resource_request

    q = copy.copy(p)
    q.request = resource_request(p.adapter, p.creds, f"files/{file_id}/content", method="GET")
    q.body = None
    q.stream = False
    return q


def _claim(batch: Any) -> bool:
    if getattr(batch, "status", None) != "completed" or not getattr(batch, "output_file_id", None):
        return False
    with _priced_lock:
        if batch.id in _priced:
            return False
        _priced.add(batch.id)
        return True


def _apply(p: Prepared, batch: Any, content: bytes) -> None:
    from litellm.calls.costing import _NoCost

    priced = batch_cost(content, p.provider)
    p.ctx.cost = _NoCost(
        response_cost=priced["response_cost"],
        breakdown=priced["breakdown"],
        model_map_key=",".join(sorted(priced["models"])) or None,
    )
    p.ctx.raw_usage = {
        "prompt_tokens": priced["prompt_tokens"],
        "completion_tokens": priced["completion_tokens"],
        "total_tokens": priced["prompt_tokens"] + priced["completion_tokens"],
    }
    batch._hidden_params["response_cost"] = priced["response_cost"]
    batch._hidden_params["batch_lines_priced"] = priced["lines"]


def _price(p: Prepared, batch: Any) -> None:
    if not _claim(batch):
        return
    from litellm.calls.send import send

    try:
        _reply, content, _started = send(_content_request(p, batch.output_file_id))
    except Exception:
        with _priced_lock:
            _priced.discard(batch.id)  # priced by a later retrieve instead
        raise
    _apply(p, batch, content)


async def _aprice(p: Prepared, batch: Any) -> None:
    if not _claim(batch):
        return
    from litellm.calls.send import asend

    try:
        _reply, content, _started = await asend(_content_request(p, batch.output_file_id))
    except Exception:
        with _priced_lock:
            _priced.discard(batch.id)
        raise
    _apply(p, batch, content)


_ENDPOINTS = ("/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/responses")

_CREATE = Resource(
    "create_batch",
    "POST",
    lambda a: "batches",
    "batch",
    body=lambda a: {
        "completion_window": a["completion_window"],
        "endpoint": a["endpoint"],
        "input_file_id": a["input_file_id"],
        "metadata": a.get("metadata"),
    },
)
_RETRIEVE = Resource(
    "retrieve_batch", "GET", lambda a: f"batches/{a['batch_id']}", "batch", enrich=_price, aenrich=_aprice
)
_LIST = Resource(
    "list_batches",
    "GET",
    lambda a: "batches",
    "page:batch",
    query=lambda a: {"after": a.get("after"), "limit": a.get("limit")},
)
_CANCEL = Resource(
    "cancel_batch", "POST", lambda a: f"batches/{a['batch_id']}/cancel", "batch", body=lambda a: {}
)


def _create_inputs(
    completion_window: str, endpoint: str, input_file_id: str, metadata: Any
) -> dict[str, Any]:
    if endpoint not in _ENDPOINTS:
        raise ValueError(f"endpoint must be one of {', '.join(_ENDPOINTS)}; got {endpoint!r}")
    return {
        "completion_window": completion_window,
        "endpoint": endpoint,
        "input_file_id": input_file_id,
        "metadata": metadata,
    }


def create_batch(
    completion_window: str,
    endpoint: str,
    input_file_id: str,
    custom_llm_provider: str = "openai",
    metadata: dict[str, str] | None = None,
    **kwargs: Any,
) -> Any:
    """Start a batch over an uploaded ``purpose="batch"`` JSONL file."""
    return call(
        _CREATE,
        custom_llm_provider,
        _create_inputs(completion_window, endpoint, input_file_id, metadata),
        kwargs,
    )


async def acreate_batch(
    completion_window: str,
    endpoint: str,
    input_file_id: str,
    custom_llm_provider: str = "openai",
    metadata: dict[str, str] | None = None,
    **kwargs: Any,
) -> Any:
    inputs = _create_inputs(completion_window, endpoint, input_file_id, metadata)
    return await acall(_CREATE, custom_llm_provider, inputs, kwargs)


def retrieve_batch(batch_id: str, custom_llm_provider: str = "openai", **kwargs: Any) -> Any:
    """The batch's state; the first retrieve that sees it completed prices its output (module doc)."""
    return call(_RETRIEVE, custom_llm_provider, {"batch_id": batch_id}, kwargs)


async def aretrieve_batch(batch_id: str, custom_llm_provider: str = "openai", **kwargs: Any) -> Any:
    return await acall(_RETRIEVE, custom_llm_provider, {"batch_id": batch_id}, kwargs)


def list_batches(
    after: str | None = None, limit: int | None = None, custom_llm_provider: str = "openai", **kwargs: Any
) -> Any:
    return call(_LIST, custom_llm_provider, {"after": after, "limit": limit}, kwargs)


async def alist_batches(
    after: str | None = None, limit: int | None = None, custom_llm_provider: str = "openai", **kwargs: Any
) -> Any:
    return await acall(_LIST, custom_llm_provider, {"after": after, "limit": limit}, kwargs)


def cancel_batch(batch_id: str, custom_llm_provider: str = "openai", **kwargs: Any) -> Any:
    return call(_CANCEL, custom_llm_provider, {"batch_id": batch_id}, kwargs)


async def acancel_batch(batch_id: str, custom_llm_provider: str = "openai", **kwargs: Any) -> Any:
    return await acall(_CANCEL, custom_llm_provider, {"batch_id": batch_id}, kwargs)
