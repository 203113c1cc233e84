"""Router policy types: RetryPolicy, AllowedFailsPolicy, AlertingConfig, RouterGeneralSettings.

Owns the per-exception-class knobs LiteLLM documents (``RetryPolicy(RateLimitErrorRetries=3)``) and the
lookup "which field applies to this exception". Pure data and pure functions: no I/O, no state, and no
import of the exception module at import time (it imports openai); the lookup walks the exception's MRO by
class name instead.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = [
    "AlertingConfig",
    "AllowedFailsPolicy",
    "RetryPolicy",
    "RouterGeneralSettings",
    "policy_value",
]


class RetryPolicy(BaseModel):
    """Retries per exception class; ``None`` means "use the Router's num_retries"."""

    model_config = ConfigDict(extra="forbid")

    BadRequestErrorRetries: int | None = None
    AuthenticationErrorRetries: int | None = None
    TimeoutErrorRetries: int | None = None
    RateLimitErrorRetries: int | None = None
    ContentPolicyViolationErrorRetries: int | None = None
    InternalServerErrorRetries: int | None = None
    ServiceUnavailableErrorRetries: int | None = None
    NotFoundErrorRetries: int | None = None
    DefaultRetries: int | None = None


class AllowedFailsPolicy(BaseModel):
    """Failures per minute a deployment may have, per exception class, before it is cooled down."""

    model_config = ConfigDict(extra="forbid")

    BadRequestErrorAllowedFails: int | None = None
    AuthenticationErrorAllowedFails: int | None = None
    TimeoutErrorAllowedFails: int | None = None
    RateLimitErrorAllowedFails: int | None = None
    ContentPolicyViolationErrorAllowedFails: int | None = None
    InternalServerErrorAllowedFails: int | None = None
    ServiceUnavailableErrorAllowedFails: int | None = None
    BadGatewayErrorAllowedFails: int | None = None
    NotFoundErrorAllowedFails: int | None = None


class AlertingConfig(BaseModel):
    """Slack alerts for deployment failures and cooldowns (``webhook_url`` or ``SLACK_WEBHOOK_URL``)."""

    model_config = ConfigDict(extra="allow")

    webhook_url: str | None = None
    alerting_threshold: float = 300.0
    alert_types: list[str] | None = None


class RouterGeneralSettings(BaseModel):
    model_config = ConfigDict(extra="allow")

    async_only_mode: bool = False
    pass_through_all_models: bool = False


# exception class name -> the policy field stem; the first match along the MRO wins, so
# ContextWindowExceededError (a BadRequestError) uses BadRequestError's field.
_STEMS = {
    "ContentPolicyViolationError": "ContentPolicyViolationError",
    "AuthenticationError": "AuthenticationError",
    "RateLimitError": "RateLimitError",
    "Timeout": "TimeoutError",
    "APITimeoutError": "TimeoutError",
    "NotFoundError": "NotFoundError",
    "ServiceUnavailableError": "ServiceUnavailableError",
    "BadGatewayError": "BadGatewayError",
    "InternalServerError": "InternalServerError",
    "BadRequestError": "BadRequestError",
}


def policy_value(policy: BaseModel | dict[str, Any] | None, exc: BaseException, suffix: str) -> int | None:
    """The policy's number for ``exc`` (``suffix`` "Retries" or "AllowedFails"), or None when unset."""
    if policy is None:
        return None
    get = policy.get if isinstance(policy, dict) else lambda k: getattr(policy, k, None)
    for cls in type(exc).__mro__:
        stem = _STEMS.get(cls.__name__)
        if stem is not None:
            value = get(stem + suffix)
            if value is not None:
                return int(value)
            break
    if suffix == "Retries":
        value = get("DefaultRetries")
        return None if value is None else int(value)
    return None


def coerce_policy(value: Any, cls: type[BaseModel], arg: str) -> BaseModel | None:
    """Accept the model, a dict of its fields, or None; a clear error for anything else."""
    if value is None or isinstance(value, cls):
        return value
    if isinstance(value, dict):
        try:
            return cls(**value)
        except Exception as exc:
            fields = ", ".join(cls.model_fields)
            raise ValueError(f"Router({arg}=...): {exc}. Known fields: {fields}") from None
    raise TypeError(f"Router({arg}=...) takes a {cls.__name__} or a dict, not {type(value).__name__}")
