"""StandardLoggingPayload: the one record every destination is built from, and its builder.

Field names follow LiteLLM's so existing user loggers keep working. The builder runs once per call, on
the dispatcher's worker (never on the caller's thread), and returns plain JSON-serialisable data.
Secrets never enter it: params are scrubbed and headers are not copied.
"""

from __future__ import annotations

import traceback as _traceback
from typing import Any, Literal, TypedDict


class CostBreakdown(TypedDict, total=False):
    input_cost: float
    cache_read_cost: float
    cache_creation_cost: float
    output_cost: float
    reasoning_cost: float
    tool_use_cost: float
    total_cost: float


class StandardLoggingModelInformation(TypedDict):
    model_map_key: str | None
    model_map_value: dict[str, Any] | None


class StandardLoggingPayloadErrorInformation(TypedDict, total=False):
    error_code: str | None
    error_class: str | None
    llm_provider: str | None
    traceback: str | None
    error_message: str | None


class StandardLoggingHiddenParams(TypedDict, total=False):
    model_id: str | None
    cache_key: str | None
    api_base: str | None
    response_cost: float | None
    litellm_overhead_time_ms: float | None
    additional_headers: dict[str, str] | None
    litellm_model_name: str | None
    usage_object: dict[str, Any] | None


class StandardLoggingPayload(TypedDict, total=False):
    id: str
    trace_id: str
    session_id: str | None
    litellm_call_id: str
    call_type: str
    stream: bool
    stream_incomplete: str | None
    status: Literal["success", "failure"]
    response_cost: float | None
    cost_breakdown: CostBreakdown | None
    response_cost_failure_debug_info: dict[str, Any] | None
    custom_llm_provider: str | None
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    usage_source: Literal["provider", "counted", "none"]
    startTime: float
    endTime: float
    completionStartTime: float
    response_time: float
    model_map_information: StandardLoggingModelInformation
    model: str
    model_id: str | None
    model_group: str | None
    api_base: str
    metadata: dict[str, Any]
    cache_hit: bool | None
    cache_key: str | None
    saved_cache_cost: float
    request_tags: list[str]
    end_user: str | None
    requester_ip_address: str | None
    user_agent: str | None
    messages: Any
    response: Any
    error_str: str | None
    error_information: StandardLoggingPayloadErrorInformation | None
    model_parameters: dict[str, Any]
    # LiteLLM's fields for features this package does not run (guardrails, access groups); kept so
    # loggers that read them keep working
    guardrail_information: Any
    standard_built_in_tools_params: dict[str, Any]
    status_fields: dict[str, str]
    request_model_access_groups: list[str]
    hidden_params: StandardLoggingHiddenParams


def error_information(
    exc: BaseException | None, llm_provider: str | None
) -> StandardLoggingPayloadErrorInformation:
    if exc is None:
        return {}
    status = getattr(exc, "status_code", None)
    tb = scrub("".join(_traceback.format_exception(type(exc), exc, exc.__traceback__)))
    return {
        "error_code": str(status) if status is not None else None,
        "error_class": type(exc).__name__,
        "llm_provider": getattr(exc, "llm_provider", None) or llm_provider,
        "traceback": tb,
        "error_message": scrub(str(exc)),
    }


def scrub(text: str) -> str:
    """Mask key-like strings: tracebacks quote the caller's source lines, which may hold a literal key."""
    from litellm.core.redact import scrub_text

    return scrub_text(text)


def usage_numbers(usage: Any) -> tuple[int, int, int]:
    if usage is None:
        return 0, 0, 0
    # chat usage names the parts prompt/completion; the Responses API names them input/output
    if isinstance(usage, dict):
        get = usage.get
        p = int(get("prompt_tokens") or get("input_tokens") or 0)
        c = int(get("completion_tokens") or get("output_tokens") or 0)
        return p, c, int(get("total_tokens") or (p + c))
    p = int(getattr(usage, "prompt_tokens", None) or getattr(usage, "input_tokens", None) or 0)
    c = int(getattr(usage, "completion_tokens", None) or getattr(usage, "output_tokens", None) or 0)
    return p, c, int(getattr(usage, "total_tokens", None) or (p + c))
