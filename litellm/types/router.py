"""LiteLLM's import path for the Router's types (``from litellm.types.router import RetryPolicy``)."""

from litellm.router.policies import AlertingConfig, AllowedFailsPolicy, RetryPolicy, RouterGeneralSettings
from litellm.router.strategies import CustomRoutingStrategyBase

__all__ = [
    "AlertingConfig",
    "AllowedFailsPolicy",
    "CustomRoutingStrategyBase",
    "RetryPolicy",
    "RouterGeneralSettings",
]
