"""Router: load balancing, retries, fallbacks, cooldowns and shared state over a list of deployments.

``from litellm.router import Router`` (the package root re-exports it as ``litellm.Router``)::

    router = Router(
        model_list=[
            {"model_name": "gpt-4o", "litellm_params": {"model": "openai/gpt-4o", "api_key": "os.environ/OPENAI_API_KEY", "rpm": 600}},
            {"model_name": "gpt-4o", "litellm_params": {"model": "azure/gpt-4o-eu", "api_base": "...", "weight": 2}},
        ],
        routing_strategy="simple-shuffle",       # least-busy, latency-based-routing, usage-based-routing-v2, cost-based-routing
        num_retries=2, fallbacks=[{"gpt-4o": ["claude"]}], redis_url="redis://...",   # shared state
    )
    router.completion(model="gpt-4o", messages=[...])

Modules: ``router`` (the class and its public methods), ``flow`` (one request: pick, call, retry, cool
down, fall back), ``direct`` (a request's first attempt inline when no special rule applies),
``deployments`` (the table and name resolution), ``strategies``, ``state`` (in-memory store),
``redis_state`` (shared store; imports redis on first use), ``policies`` (RetryPolicy,
AllowedFailsPolicy, AlertingConfig), ``hooks`` (logging hand-off, CustomLogger router hooks, alerts),
``streams`` (the routed stream). Nothing here is imported by ``import litellm``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litellm.router.policies import AlertingConfig, AllowedFailsPolicy, RetryPolicy, RouterGeneralSettings
    from litellm.router.router import Router
    from litellm.router.strategies import CustomRoutingStrategyBase, RoutingStrategy

__all__ = [
    "AlertingConfig",
    "AllowedFailsPolicy",
    "CustomRoutingStrategyBase",
    "RetryPolicy",
    "Router",
    "RouterGeneralSettings",
    "RoutingStrategy",
]

_LAZY = {
    "Router": "litellm.router.router",
    "RetryPolicy": "litellm.router.policies",
    "AllowedFailsPolicy": "litellm.router.policies",
    "AlertingConfig": "litellm.router.policies",
    "RouterGeneralSettings": "litellm.router.policies",
    "RoutingStrategy": "litellm.router.strategies",
    "CustomRoutingStrategyBase": "litellm.router.strategies",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
