"""Small pure helpers shared by the provider adapters.

Owns: the exception *kind* table for HTTP statuses as LiteLLM maps them, error-body message extraction,
``data:`` URL parsing, response_format normalisation (pydantic classes -> json_schema dicts), the lazy
price-map lookup adapters use for per-model facts, and OpenAI chunk/response skeletons.

Must not: send requests, read the environment, log, or import heavy modules at import time. The price map
and the exception module are imported inside functions, on first use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Status -> exception kind, as LiteLLM 1.110.2 maps OpenAI-format provider errors (checked against the
# reference install): 502 is BadGatewayError and 504 is Timeout there, 413 a BadRequestError.
STATUS_KIND: dict[int, str] = {
    400: "BadRequestError",
    401: "AuthenticationError",
    403: "PermissionDeniedError",
    404: "NotFoundError",
    408: "Timeout",
    413: "BadRequestError",
    422: "UnprocessableEntityError",
    429: "RateLimitError",
    500: "InternalServerError",
    502: "BadGatewayError",
    503: "ServiceUnavailableError",
    504: "Timeout",
}

# Phrases providers use when the prompt does not fit the model's window. Matched lower-case.
_CONTEXT_WINDOW_PHRASES = (
    "context_length_exceeded",
    "maximum context length",
    "context length",
    "context window",
    "prompt is too long",
    "input is too long",
    "too many tokens",
    "reduce the length of the messages",
    "exceed context limit",
    "exceeds the context",
    "maximum number of tokens",
)
_CONTENT_POLICY_PHRASES = (
    "content management policy",
    "content_policy_violation",
    "content policy",
    "safety system",
    "content filtering policy",
    "responsibleaipolicyviolation",
)
_CONTENT_POLICY_CODES = frozenset(
    {"content_filter", "content_policy_violation", "ResponsibleAIPolicyViolation"}
)


def kind_for_status(status_code: int) -> str:
    """Exception kind for a bare status: the table, else APIError (LiteLLM maps 409, 418, 529... there)."""
    kind = STATUS_KIND.get(status_code)
    if kind is not None:
        return kind
    return "APIError"


def error_fields(body: Any) -> tuple[str, str | None, str | None]:
    """(message, code, type) from an OpenAI-style ``{"error": {...}}`` body, a bare dict, or text.

    The message has anything key-like masked: OpenAI echoes a (partly masked) key in 401 messages, and
    the message becomes the exception text.
    """
    message, code, etype = _error_fields(body)
    if message:
        from litellm.core.redact import scrub_text

        message = scrub_text(message)
    return message, code, etype


def _error_fields(body: Any) -> tuple[str, str | None, str | None]:
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8", "replace")
    if isinstance(body, Mapping):
        err = body.get("error", body)
        if isinstance(err, Mapping):
            message = err.get("message") or body.get("message") or err.get("detail") or ""
            code = err.get("code")
            etype = err.get("type")
            inner = err.get("innererror")
            if isinstance(inner, Mapping) and inner.get("code") and not code:
                code = inner.get("code")
            return str(message) if message else _compact(body), _str_or_none(code), _str_or_none(etype)
        if isinstance(err, str):
            return err, _str_or_none(body.get("code")), _str_or_none(body.get("type"))
        return _compact(body), None, None
    if body is None:
        return "", None, None
    return str(body), None, None


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _compact(body: Any) -> str:
    import json

    try:
        return json.dumps(body, separators=(",", ":"), default=str)[:2000]
    except (TypeError, ValueError):
        return str(body)[:2000]


def looks_like_context_window(message: str, code: str | None) -> bool:
    if code == "context_length_exceeded":
        return True
    low = message.lower()
    return any(p in low for p in _CONTEXT_WINDOW_PHRASES)


def looks_like_content_policy(body: Any, message: str, code: str | None) -> bool:
    if code in _CONTENT_POLICY_CODES:
        return True
    if isinstance(body, Mapping):
        err = body.get("error")
        if isinstance(err, Mapping) and isinstance(err.get("innererror"), Mapping):
            return True  # Azure puts the content filter verdict in innererror
    low = message.lower()
    return any(p in low for p in _CONTENT_POLICY_PHRASES)


_DATA_URL = re.compile(
    r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(?:;[\w-]+=[^;,]*)*)(?P<b64>;base64)?,", re.I
)


def parse_data_url(url: str) -> tuple[str, str, bool] | None:
    """``data:<mime>;base64,<payload>`` -> (mime, payload, is_base64); None when not a data URL."""
    m = _DATA_URL.match(url)
    if m is None:
        return None
    return (m.group("mime") or "text/plain").lower(), url[m.end() :], m.group("b64") is not None


def normalize_response_format(value: Any) -> Any:
    """LiteLLM accepts a pydantic model class as ``response_format``: turn it into the json_schema dict."""
    schema_fn = getattr(value, "model_json_schema", None)
    if isinstance(value, type) and callable(schema_fn):
        schema = schema_fn()
        return {
            "type": "json_schema",
            "json_schema": {"name": value.__name__, "schema": schema, "strict": True},
        }
    return value


def price_entry(model: str, provider: str) -> Mapping[str, Any] | None:
    """The price-map entry for ``model`` under ``provider``, or None (never raises: the map is optional)."""
    try:
        from litellm.cost.price_map import resolve_entry
    except ImportError:  # the cost package is optional for adapters
        return None
    try:
        found = resolve_entry(model, provider)
    except Exception:  # a broken or missing map must not break request building
        return None
    return found[1] if found else None


def pop_max_tokens(params: dict[str, Any]) -> Any:
    """The output limit a call asked for: ``max_tokens``, else ``max_completion_tokens`` (both removed)."""
    max_tokens = params.pop("max_tokens", None)
    max_completion = params.pop("max_completion_tokens", None)
    return max_completion if max_tokens is None else max_tokens


def stop_list(stop: Any) -> list[str]:
    """OpenAI's ``stop`` (a string or a list) as the list every native API takes."""
    return [stop] if isinstance(stop, str) else list(stop)


def json_bearer_headers(
    api_key: str | None, extra: Mapping[str, str] | None = None, *, accept: bool = False
) -> dict[str, str]:
    """The headers of a JSON request authorised by ``Authorization: Bearer <key>`` (when there is a key),
    ``Accept: application/json`` when asked, then the caller's extra headers."""
    headers = {"Content-Type": "application/json"}
    if accept:
        headers["Accept"] = "application/json"
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    if extra:
        headers.update(extra)
    return headers


def make_error(kind: str, message: str, *, model: str | None, provider: str) -> Exception:
    """Build one of our exceptions for a configuration problem found while building a request."""
    from litellm.core import exceptions

    cls = getattr(exceptions, kind)
    return cls(message, model=model, llm_provider=provider)
