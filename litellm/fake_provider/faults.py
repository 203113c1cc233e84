"""Per-request fault controls of the fake provider and the providers' real error bodies.

Owns: reading the ``x-fake-*`` headers and magic model names into a :class:`Controls` value, the
"fail the first N requests with key K" counter, and the error JSON each provider really returns for a
status (OpenAI ``{"error": {message, type, param, code}}``, Azure's variants of it, Anthropic
``{"type": "error", "error": {type, message}}``). The header and model vocabulary is documented in the
package docstring (``litellm.fake_provider``).

Must not import aiohttp, sleep, or send anything: ``app`` applies what this module decides.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Flavour = Literal["openai", "azure", "anthropic"]

CONTEXT_WINDOW = "context_window"
CONTENT_POLICY = "content_policy"

_MODEL_ERROR = re.compile(r"fake-error-(\d{3})")
_DEFAULT_HANG_S = 300.0


@dataclass(slots=True)
class Controls:
    """What the request asked the fake provider to do besides answering."""

    error: int | str | None = None  # a status code, CONTEXT_WINDOW or CONTENT_POLICY
    retry_after_s: float | None = None
    retry_after_ms: float | None = None
    fail_times: int = 0
    fail_key: str | None = None
    latency_ms: float = 0.0
    hang_s: float | None = None
    chunks: int | None = None
    chunk_delay_ms: float = 0.0
    disconnect_after: int | None = None
    stream_error_after: int | None = None
    stream_hang_after: int | None = None
    cache: str | None = None  # Anthropic prompt caching: "read", "write" or "none"
    cached_tokens: int | None = None  # OpenAI prompt_tokens_details.cached_tokens


def _int(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        return None


def parse_controls(headers: Mapping[str, str], model: str) -> Controls:
    """Read the ``x-fake-*`` headers (case-insensitive mapping) and the magic model names."""
    c = Controls()
    get = headers.get
    raw_error = get("x-fake-error")
    if raw_error:
        raw_error = raw_error.strip().lower()
        c.error = int(raw_error) if raw_error.isdigit() else raw_error
    elif model:
        match = _MODEL_ERROR.search(model)
        if match:
            c.error = int(match.group(1))
        elif "fake-context-window" in model:
            c.error = CONTEXT_WINDOW
        elif "fake-content-policy" in model:
            c.error = CONTENT_POLICY
    c.retry_after_s = _float(get("x-fake-retry-after"))
    c.retry_after_ms = _float(get("x-fake-retry-after-ms"))
    c.fail_times = _int(get("x-fake-fail-times")) or 0
    c.fail_key = get("x-fake-key")
    c.latency_ms = _float(get("x-fake-latency-ms")) or 0.0
    hang = get("x-fake-hang")
    if hang is not None:
        c.hang_s = _float(hang) or _DEFAULT_HANG_S
    c.chunks = _int(get("x-fake-chunks"))
    c.chunk_delay_ms = _float(get("x-fake-chunk-delay-ms")) or 0.0
    c.disconnect_after = _int(get("x-fake-stream-disconnect-after"))
    c.stream_error_after = _int(get("x-fake-stream-error-after"))
    c.stream_hang_after = _int(get("x-fake-stream-hang-after"))
    cache = get("x-fake-cache")
    c.cache = cache.strip().lower() if cache else None
    c.cached_tokens = _int(get("x-fake-cached-tokens"))
    return c


class FailCounter:
    """Counts requests per ``x-fake-key`` so that the first N fail and the rest succeed.

    Lives on the server's event loop thread only, so it needs no lock. Bounded: when it holds too many
    keys it forgets them all, which at worst makes a long-finished test's key fail again.
    """

    def __init__(self, max_keys: int = 10_000) -> None:
        self._seen: dict[str, int] = {}
        self._max_keys = max_keys

    def should_fail(self, key: str, times: int) -> bool:
        count = self._seen.get(key, 0) + 1
        if len(self._seen) >= self._max_keys and key not in self._seen:
            self._seen.clear()
        self._seen[key] = count
        return count <= times

    def clear(self) -> None:
        self._seen.clear()


def retry_headers(c: Controls) -> dict[str, str]:
    """``retry-after`` (whole seconds, as HTTP requires) and ``retry-after-ms`` as the request asked."""
    out: dict[str, str] = {}
    if c.retry_after_s is not None:
        out["retry-after"] = str(math.ceil(c.retry_after_s))
        out["retry-after-ms"] = str(int(c.retry_after_s * 1000))
    if c.retry_after_ms is not None:
        out["retry-after-ms"] = str(int(c.retry_after_ms))
    return out


# --- OpenAI and Azure error bodies --------------------------------------------------------------------

# status -> (message, type, code); "{model}" is filled in. Messages follow what the API returns.
_OPENAI_ERRORS: dict[int, tuple[str, str, str | None]] = {
    400: ("Invalid request (injected by the fake provider).", "invalid_request_error", None),
    401: (
        "Incorrect API key provided: sk-****. You can find your API key at https://platform.openai.com/account/api-keys.",
        "invalid_request_error",
        "invalid_api_key",
    ),
    403: (
        "Country, region, or territory not supported",
        "request_forbidden",
        "unsupported_country_region_territory",
    ),
    404: (
        "The model `{model}` does not exist or you do not have access to it.",
        "invalid_request_error",
        "model_not_found",
    ),
    408: ("Request timed out.", "timeout", None),
    409: ("The request conflicted with another request.", "conflict", None),
    413: ("Request too large.", "invalid_request_error", "request_too_large"),
    422: ("Unprocessable entity.", "invalid_request_error", None),
    429: (
        "Rate limit reached for {model} in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.",
        "requests",
        "rate_limit_exceeded",
    ),
    500: ("The server had an error while processing your request. Sorry about that!", "server_error", None),
    502: ("Bad gateway.", "server_error", None),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
    504: ("Gateway timeout.", "server_error", None),
}


def openai_error(status: int, model: str, message: str | None = None) -> dict[str, Any]:
    text, kind, code = _OPENAI_ERRORS.get(
        status, (f"Error {status} (injected by the fake provider).", "api_error", None)
    )
    return {
        "error": {"message": message or text.format(model=model), "type": kind, "param": None, "code": code}
    }


def openai_missing_param(param: str) -> dict[str, Any]:
    return {
        "error": {
            "message": f"Missing required parameter: '{param}'.",
            "type": "invalid_request_error",
            "param": param,
            "code": "missing_required_parameter",
        }
    }


def openai_context_window(tokens: int, limit: int) -> dict[str, Any]:
    return {
        "error": {
            "message": f"This model's maximum context length is {limit} tokens. However, your messages resulted in {tokens} tokens. Please reduce the length of the messages.",
            "type": "invalid_request_error",
            "param": "messages",
            "code": "context_length_exceeded",
        }
    }


def openai_content_policy() -> dict[str, Any]:
    return {
        "error": {
            "message": "Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.",
            "type": "invalid_request_error",
            "param": None,
            "code": "content_policy_violation",
        }
    }


def azure_error(status: int, model: str) -> dict[str, Any]:
    """Azure OpenAI's gateway errors carry the status as a string ``code`` and no ``type``."""
    if status == 401:
        message = (
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid "
            "key for an active subscription and use a correct regional API endpoint for your resource."
        )
    elif status == 404:
        message = "Resource not found"
    elif status == 429:
        message = (
            "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have "
            "exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after 1 second."
        )
    else:
        return openai_error(status, model)
    return {"error": {"code": str(status), "message": message}}


def azure_content_policy() -> dict[str, Any]:
    categories = {"hate": "safe", "self_harm": "safe", "sexual": "safe", "violence": "high"}
    return {
        "error": {
            "message": "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
            "type": None,
            "param": "prompt",
            "code": "content_filter",
            "status": 400,
            "innererror": {
                "code": "ResponsibleAIPolicyViolation",
                "content_filter_result": {
                    name: {"filtered": severity != "safe", "severity": severity}
                    for name, severity in categories.items()
                },
            },
        }
    }


# --- Anthropic error bodies ---------------------------------------------------------------------------

_ANTHROPIC_ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "Invalid request (injected by the fake provider)."),
    401: ("authentication_error", "invalid x-api-key"),
    402: ("billing_error", "Your credit balance is too low to access the Anthropic API."),
    403: ("permission_error", "Your API key does not have permission to use the specified resource."),
    404: ("not_found_error", "model: {model}"),
    409: ("conflict_error", "The request conflicted with another request."),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: ("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit."),
    500: ("api_error", "Internal server error"),
    504: ("timeout_error", "Request timed out."),
    529: ("overloaded_error", "Overloaded"),
}


def anthropic_error(
    status: int, model: str = "", message: str | None = None, kind: str | None = None
) -> dict[str, Any]:
    default_kind, text = _ANTHROPIC_ERRORS.get(
        status, ("api_error", f"Error {status} (injected by the fake provider).")
    )
    return {
        "type": "error",
        "error": {"type": kind or default_kind, "message": message or text.format(model=model)},
        "request_id": "req_fake",
    }


def anthropic_context_window(tokens: int, limit: int) -> dict[str, Any]:
    return anthropic_error(400, message=f"prompt is too long: {tokens} tokens > {limit} maximum")


def anthropic_content_policy() -> dict[str, Any]:
    return anthropic_error(400, message="Output blocked by content filtering policy")


def error_for(flavour: Flavour, status: int, model: str) -> dict[str, Any]:
    if flavour == "anthropic":
        return anthropic_error(status, model)
    if flavour == "azure":
        return azure_error(status, model)
    return openai_error(status, model)


def context_window_error(flavour: Flavour, tokens: int, limit: int) -> dict[str, Any]:
    if flavour == "anthropic":
        return anthropic_context_window(tokens, limit)
    return openai_context_window(tokens, limit)


def content_policy_error(flavour: Flavour) -> dict[str, Any]:
    if flavour == "anthropic":
        return anthropic_content_policy()
    if flavour == "azure":
        return azure_content_policy()
    return openai_content_policy()
