"""``completion_with_retries`` / ``acompletion_with_retries``: LiteLLM's documented retry wrappers.

Owns the retry loop around one call function (``completion`` by default): ``num_retries`` attempts in all
(default 3), ``retry_strategy="constant_retry"`` (again at once, LiteLLM's default) or
``"exponential_backoff_retry"`` (1, 2, 4, 8, then 10 s between attempts, as tenacity's
``wait_exponential(multiplier=1, max=10)`` that LiteLLM uses), the last error re-raised unchanged.
The wrapped call's own retries are turned off (``num_retries=0``, ``max_retries=0``) so attempts do not
multiply. No tenacity dependency.

Must not: retry ``KeyboardInterrupt``/``CancelledError`` (only ``Exception``), or swallow the final error.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, Literal

RetryStrategy = Literal["constant_retry", "exponential_backoff_retry"]

__all__ = ["acompletion_with_retries", "backoff_seconds", "completion_with_retries"]


def backoff_seconds(strategy: str, failed_attempts: int) -> float:
    """Seconds to wait after ``failed_attempts`` (1 = the first failure) under ``strategy``."""
    if strategy == "exponential_backoff_retry":
        return float(min(10, 2 ** (failed_attempts - 1)))
    return 0.0


def _options(kwargs: dict[str, Any], default: Callable[..., Any]) -> tuple[int, str, Callable[..., Any]]:
    num_retries = kwargs.pop("num_retries", 3)
    strategy = kwargs.pop("retry_strategy", "constant_retry")
    function = kwargs.pop("original_function", default)
    if strategy not in ("constant_retry", "exponential_backoff_retry"):
        raise ValueError(
            f"retry_strategy={strategy!r} is not supported: use 'constant_retry' or 'exponential_backoff_retry'"
        )
    try:
        attempts = max(1, int(num_retries if num_retries is not None else 3))
    except (TypeError, ValueError):
        raise ValueError(f"num_retries must be an integer, got {num_retries!r}") from None
    kwargs["num_retries"] = 0  # the wrapper owns retrying: the call itself tries once
    kwargs["max_retries"] = 0
    return attempts, strategy, function


def completion_with_retries(*args: Any, **kwargs: Any) -> Any:
    """``completion(*args, **kwargs)`` tried up to ``num_retries`` times (default 3) on any exception."""
    from litellm.calls.pipeline import completion

    attempts, strategy, function = _options(kwargs, completion)
    for attempt in range(1, attempts + 1):
        try:
            return function(*args, **kwargs)
        except Exception:
            if attempt >= attempts:
                raise
            delay = backoff_seconds(strategy, attempt)
            if delay:
                time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


async def acompletion_with_retries(*args: Any, **kwargs: Any) -> Any:
    """The async form: ``await acompletion(...)`` (or ``original_function``) with the same retry rule."""
    from litellm.calls.pipeline import acompletion

    attempts, strategy, function = _options(kwargs, acompletion)
    for attempt in range(1, attempts + 1):
        try:
            result = function(*args, **kwargs)
            if asyncio.iscoroutine(result):
                result = await result
            return result
        except Exception:
            if attempt >= attempts:
                raise
            delay = backoff_seconds(strategy, attempt)
            if delay:
                await asyncio.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
