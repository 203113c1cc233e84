"""Exceptions -> HTTP status and OpenAI's error shape ``{"error": {"message", "type", "param", "code"}}``.

Owns :class:`ProxyError` (an error the proxy itself raises: auth, bad input, unknown route) and
:func:`error_payload`, which keeps the upstream status (429 stays 429, a context-window error is a 400 with
the provider's ``code``), the provider's ``type``/``param``/``code`` when its body had them, and never a
secret (messages come from error bodies, which the pipeline already scrubbed). Must not import starlette.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["ProxyError", "error_body", "error_payload"]

_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    408: "timeout_error",
    413: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
    501: "not_implemented_error",
    503: "service_unavailable_error",
}


class ProxyError(Exception):
    """An error raised by the proxy itself, answered with ``status`` and OpenAI's shape."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str | None = None,
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status
        self.message = message
        self.type = type or _TYPES.get(status, "api_error")
        self.param = param
        self.code = code or str(status)
        self.headers = headers or {}


def error_body(
    status: int, message: str, type: str | None = None, param: Any = None, code: Any = None
) -> bytes:
    return json.dumps(
        {
            "error": {
                "message": message,
                "type": type or _TYPES.get(status, "api_error"),
                "param": param,
                "code": str(code) if code is not None else str(status),
            }
        }
    ).encode()


def _upstream_error_fields(exc: BaseException) -> dict[str, Any]:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            return err
    return {}


def error_payload(exc: BaseException) -> tuple[int, bytes, dict[str, str]]:
    """(status, JSON body, extra headers) for any exception reaching a route handler."""
    if isinstance(exc, ProxyError):
        return (
            exc.status_code,
            error_body(exc.status_code, exc.message, exc.type, exc.param, exc.code),
            exc.headers,
        )
    from litellm.proxy.backend import UnsupportedCallType

    if isinstance(exc, UnsupportedCallType):
        return 501, error_body(501, str(exc), "not_implemented_error"), {}
    status = getattr(exc, "status_code", None)
    if not isinstance(status, int) or not 400 <= status <= 599:
        name = type(exc).__name__
        if name == "BudgetExceededError":
            status = 400
        elif name in ("Timeout", "APITimeoutError"):
            status = 408
        else:
            status = 500
    upstream = _upstream_error_fields(exc)
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    exc_type = upstream.get("type") if isinstance(upstream.get("type"), str) else None
    code = upstream.get("code")
    if code is None and type(exc).__name__ == "ContextWindowExceededError":
        code = "context_length_exceeded"
    headers: dict[str, str] = {}
    exc_headers = getattr(exc, "headers", None) or {}
    for name in ("retry-after", "retry-after-ms"):
        value = exc_headers.get(name) if hasattr(exc_headers, "get") else None
        if value:
            headers[name] = str(value)
    return (
        status,
        error_body(
            status, str(message), exc_type, upstream.get("param"), code if code is not None else status
        ),
        headers,
    )
