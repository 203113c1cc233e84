"""LiteLLM's batch helpers over ``completion``: many message lists to one model, or one request to many.

- :func:`batch_completion`: one model, many message lists, on a bounded thread pool; results in the
  order given, a failed call's exception in its place (as LiteLLM returns them); one event per call.
- :func:`batch_completion_models`: the same request to several models (``models=[...]``, or
  ``deployments=[{"model": ..., <params>}]``); the first successful answer wins and the other calls
  are cancelled (they run as async calls on a private event loop, so cancellation is real: each
  cancelled call leaves its one record, marked cancelled). None when every model fails.
- :func:`batch_completion_models_all_responses`: every model's successful answer, in ``models`` order.

Each call is an ordinary ``completion`` / ``acompletion`` through the pipeline; this module owns only the
fan-out. Must not: send, retry or log by itself.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from litellm.calls.pipeline import acompletion, completion

__all__ = ["batch_completion", "batch_completion_models", "batch_completion_models_all_responses"]


def batch_completion(
    model: str,
    messages: list[list[dict[str, Any]]] | None = None,
    max_workers: int | None = 100,
    **kwargs: Any,
) -> list[Any]:
    """``completion(model, m, **kwargs)`` for every message list ``m`` in ``messages``, concurrently
    (at most ``max_workers`` at a time). Returns the responses in order; a call that failed is
    represented by its exception."""
    batch = list(messages or [])
    if not batch:
        return []
    if kwargs.get("stream"):
        from litellm.core.exceptions import BadRequestError

        raise BadRequestError(
            "batch_completion does not stream: call completion(stream=True) per request.", model
        )
    workers = max(1, min(int(max_workers or 100), len(batch)))

    def one(message_list: list[dict[str, Any]]) -> Any:
        try:
            return completion(model=model, messages=message_list, **kwargs)
        except Exception as exc:  # LiteLLM returns a failed call's exception in its slot
            return exc

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="litellm-batch") as pool:
        return list(pool.map(one, batch))


def _call(args: tuple[Any, ...], model: str, kwargs: dict[str, Any]) -> Any:
    # LiteLLM passes positional args through after the model: (messages,) when given positionally
    if args:
        return completion(model, *args, **kwargs)
    return completion(model=model, **kwargs)


async def _acall(args: tuple[Any, ...], model: str, kwargs: dict[str, Any]) -> Any:
    if args:
        return await acompletion(model, *args, **kwargs)
    return await acompletion(model=model, **kwargs)


def _targets(kwargs: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(model, per-model kwargs) from ``models=`` or ``deployments=``."""
    if "models" in kwargs:
        models = kwargs.pop("models")
        if isinstance(models, str):
            models = [models]
        if not isinstance(models, (list, tuple)) or not all(isinstance(m, str) for m in models):
            raise TypeError("models must be a model name or a list of model names")
        return [(m, {}) for m in models]
    if "deployments" in kwargs:
        deployments = kwargs.pop("deployments")
        out = []
        for d in deployments or []:
            if not isinstance(d, dict) or not d.get("model"):
                raise TypeError("each deployment must be a dict with a 'model' and its params")
            params = {k: v for k, v in d.items() if k != "model"}
            out.append((d["model"], params))
        return out
    raise ValueError("pass models=[...] (model names) or deployments=[{'model': ..., ...}]")


def _run_on_private_loop(coro: Any) -> Any:
    """Run ``coro`` to completion on a fresh event loop in a helper thread (safe to call from a
    thread that already runs a loop)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised on the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="litellm-batch-models", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


async def _first_answer(
    targets: list[tuple[str, dict[str, Any]]], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    # one httpx client for this private loop, closed with it (unless the caller brought a client)
    own = None
    if kwargs.get("client") is None:
        import httpx

        own = httpx.AsyncClient(timeout=None)
        kwargs = {**kwargs, "client": own}
    tasks = [asyncio.create_task(_acall(args, m, {**kwargs, **extra})) for m, extra in targets]
    pending = set(tasks)
    try:
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:  # ties go to the model listed first
                if task in done and not task.cancelled() and task.exception() is None:
                    return task.result()
        return None
    finally:
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        if own is not None:
            await own.aclose()


def batch_completion_models(*args: Any, **kwargs: Any) -> Any:
    """The same request to several models at once; the first successful answer is returned and the
    rest are cancelled. None when every model fails."""
    targets = _targets(kwargs)
    if not targets:
        return None
    return _run_on_private_loop(_first_answer(targets, args, kwargs))


def batch_completion_models_all_responses(*args: Any, **kwargs: Any) -> list[Any]:
    """The same request to several models at once; every successful answer, in ``models`` order
    (failed models are left out, as LiteLLM does)."""
    targets = _targets(kwargs)
    if not targets:
        return []

    def one(target: tuple[str, dict[str, Any]]) -> Any:
        model, extra = target
        try:
            return _call(args, model, {**kwargs, **extra})
        except Exception:  # LiteLLM leaves a failed model out of the list
            return None

    with ThreadPoolExecutor(max_workers=len(targets), thread_name_prefix="litellm-batch") as pool:
        return [r for r in pool.map(one, targets) if r is not None]
