"""The snippet registry: each snippet is a function ``fn(env) -> dict`` of what a user sees.

Families live in the sibling modules (one per kind of check) and register with :func:`snippet`; most are
generated in loops (one per model, provider row, hook, status code). ``env`` carries the fake provider's
URL. A snippet that raises is recorded as ``{"raised": <class>, ...}`` by the probe, which is itself a
comparable result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SNIPPETS: dict[str, Callable[[dict[str, Any]], Any]] = {}


def snippet(name: str) -> Callable[[Callable[[dict[str, Any]], Any]], Callable[[dict[str, Any]], Any]]:
    def register(fn: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], Any]:
        if name in SNIPPETS:
            raise ValueError(f"duplicate snippet id {name!r}")
        SNIPPETS[name] = fn
        return fn

    return register


def add(name: str, fn: Callable[[dict[str, Any]], Any]) -> None:
    snippet(name)(fn)


def load_all() -> dict[str, Callable[[dict[str, Any]], Any]]:
    from snippets import call_types, errors, function_schema, hooks, providers, public, stateful, surface  # noqa: F401

    return SNIPPETS
