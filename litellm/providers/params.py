"""Which OpenAI params a provider takes, and the filter the pipeline runs before building a request.

Owns: :func:`get_supported_openai_params` (LiteLLM's public function) and :func:`split_params` (keep what
the provider takes, drop or refuse the rest with ``UnsupportedParamsError``, pass provider-specific params
through untouched). The rules are LiteLLM's: only OpenAI params are checked; ``user``, ``stream``,
``stream_options`` and ``max_retries`` are silently left out when a provider does not take them, and so is
``n=1``; ``allowed_openai_params`` lets a caller force a param through.

Must not: translate param names or values (adapters do that in ``build_request``), read the environment,
or import the exception module before an error has to be raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from litellm.providers.openai_compat import OPENAI_CHAT_PARAMS

if TYPE_CHECKING:
    from litellm.providers.base import ProviderAdapter

__all__ = ["CHECKED_PARAMS", "CONTROL_PARAMS", "get_supported_openai_params", "split_params"]

#: OpenAI-level params checked against the provider's list (LiteLLM's DEFAULT_CHAT_COMPLETION_PARAM_VALUES
#: minus the call controls). Any other key is provider-specific and passes through untouched.
CHECKED_PARAMS: frozenset[str] = OPENAI_CHAT_PARAMS | {"thinking", "context_management"}

#: Keys that steer the call and never reach the provider's body.
CONTROL_PARAMS: frozenset[str] = frozenset(
    {
        "model",
        "messages",
        "custom_llm_provider",
        "drop_params",
        "allowed_openai_params",
        "additional_drop_params",
        "metadata",
        "max_retries",
        "extra_headers",
        "extra_body",
        "api_key",
        "api_base",
        "base_url",
        "api_version",
        "organization",
        "timeout",
        "num_retries",
        "mock_response",
    }
)

# dropped without complaint when the provider does not take them (LiteLLM's PROVIDER_UNVALIDATED_PARAMS)
_SILENT = frozenset({"user", "stream", "stream_options", "max_retries"})


def get_supported_openai_params(
    model: str, custom_llm_provider: str | None = None, request_type: str = "chat_completion"
) -> list[str] | None:
    """The OpenAI params ``model`` takes through its provider, sorted; None when it cannot be routed."""
    from litellm.providers.registry import resolve

    if request_type != "chat_completion":
        return None
    try:
        resolved = resolve(model, custom_llm_provider)
    except Exception:  # LiteLLM returns None for a model it cannot route
        return None
    return sorted(resolved.adapter.supported_params(resolved.model))


def split_params(
    adapter: ProviderAdapter,
    model: str,
    params: Mapping[str, Any],
    drop_params: bool,
    *,
    allowed_openai_params: Iterable[str] | None = None,
    additional_drop_params: Iterable[str] | None = None,
) -> dict[str, Any]:
    """The params to send to ``adapter`` for ``model`` (still in OpenAI names; the adapter maps them).

    ``None`` values are "not set". Unsupported OpenAI params are dropped when ``drop_params`` is true,
    else raise ``UnsupportedParamsError`` naming the params, the provider and the fix.
    ``allowed_openai_params`` / ``additional_drop_params`` may also arrive inside ``params`` (as LiteLLM
    callers pass them).
    """
    allowed = set(allowed_openai_params or ())
    allowed.update(params.get("allowed_openai_params") or ())
    extra_drop = set(additional_drop_params or ())
    extra_drop.update(params.get("additional_drop_params") or ())
    supported = adapter.supported_params(model)
    problem_of = getattr(adapter, "param_problem", None)

    out: dict[str, Any] = {}
    refused: list[str] = []
    reasons: list[str] = []
    for key, value in params.items():
        if value is None or key in CONTROL_PARAMS or key in extra_drop:
            continue
        if key not in CHECKED_PARAMS or key in allowed:
            out[key] = value
            continue
        if key in supported:
            reason = problem_of(model, key, value, params) if problem_of is not None else None
            if reason is None:
                out[key] = value
            elif not drop_params:
                refused.append(key)
                reasons.append(reason)
            continue
        if key in _SILENT or (key == "n" and value == 1) or drop_params:
            continue
        refused.append(key)
    if refused:
        raise _unsupported(adapter.name, model, refused, reasons)
    return out


def _unsupported(provider: str, model: str, refused: list[str], reasons: list[str]) -> Exception:
    from litellm.core.exceptions import UnsupportedParamsError

    detail = " ".join(reasons) + " " if reasons else ""
    message = (
        f"{detail}{provider} does not support parameters: {refused}, for model={model}. To drop these, pass "
        f"`drop_params=True` to the call or set `litellm.drop_params = True`; to send them anyway, pass "
        f"allowed_openai_params={refused}."
    )
    return UnsupportedParamsError(message=message, llm_provider=provider, model=model)
