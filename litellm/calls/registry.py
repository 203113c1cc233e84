"""Every public call function by name, resolved on first use: what Router, caching and the proxy call.

``get_call("acompletion")`` returns the function the facade exports as ``litellm.acompletion``, without
importing the package root (layers above :mod:`litellm.calls` must not). New call types add one row.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

__all__ = ["CALLS", "get_call"]

#: public name -> "module:attribute"
CALLS: dict[str, str] = {
    "completion": "litellm.calls.pipeline:completion",
    "acompletion": "litellm.calls.pipeline:acompletion",
    "embedding": "litellm.calls.pipeline:embedding",
    "aembedding": "litellm.calls.pipeline:aembedding",
}

_cache: dict[str, Callable[..., Any]] = {}


def get_call(name: str) -> Callable[..., Any]:
    """The call function named ``name`` ("completion", "aembedding", "image_generation", ...)."""
    fn = _cache.get(name)
    if fn is None:
        target = CALLS.get(name)
        if target is None:
            raise ValueError(f"unknown call type {name!r}; known: {', '.join(sorted(CALLS))}")
        module, _, attr = target.partition(":")
        fn = _cache[name] = getattr(import_module(module), attr)
    return fn
