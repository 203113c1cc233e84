"""The pipeline's one door to the cost module (imported on first use, so core stays below cost)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class _NoCost:
    response_cost: float | None = None
    breakdown: dict[str, float] = field(default_factory=dict)
    model_map_key: str | None = None
    model_map_value: dict[str, Any] | None = None
    failure_reason: str | None = None


def cost_for(ctx: Any, response: Any) -> Any:
    """Cost of a finished call from its context and (assembled) response; never raises."""
    if response is None:
        return _NoCost(failure_reason="no response to price")
    try:
        from litellm.cost.calculator import compute_cost
    except ImportError as exc:  # pragma: no cover - the cost module ships with the package
        return _NoCost(failure_reason=f"cost module unavailable: {exc}")
    extra: dict[str, Any] = {}
    try:
        return compute_cost(
            model=ctx.provider_model or ctx.model,
            custom_llm_provider=ctx.custom_llm_provider,
            call_type=ctx.call_type,
            usage=ctx.raw_usage if ctx.raw_usage is not None and not ctx.stream else getattr(response, "usage", None),
            response=response,
            custom_pricing=ctx.custom_pricing,
            base_model=(ctx.metadata or {}).get("base_model") or (ctx.custom_pricing or {}).get("base_model"),
            service_tier=(ctx.optional_params or {}).get("service_tier"),
            extra=extra,
        )
    except Exception as exc:  # a pricing bug must never fail a call or lose the event
        return _NoCost(failure_reason=f"{type(exc).__name__}: {exc}")
