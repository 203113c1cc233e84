"""One pooled HTTP client for every exporter, and the mapping of its outcomes to export errors.

Owns ``post``: encode (JSON, optional gzip), send through a shared ``httpx.Client``, and turn the
answer into a return or an ``ExportError`` the engine knows how to handle:

    2xx                          -> the response
    413                          -> PayloadTooLargeError (the engine splits the batch)
    408, 429, 5xx                -> RetryableExportError, retry_after from Retry-After / retry-after-ms
    other statuses               -> PermanentExportError
    timeouts, connection errors  -> RetryableExportError
    bad URL or scheme            -> PermanentExportError

It must never put headers, query strings or credentials into an error message, and it runs on exporter
worker threads only, so it never touches the request path's clients. It marks its requests as
non-instrumented for OpenTelemetry when OpenTelemetry is already loaded, so an instrumented httpx does
not trace the exporter's own traffic into a loop.
"""

from __future__ import annotations

import email.utils
import gzip as _gzip
import json
import os
import sys
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from litellm.exporters.errors import PayloadTooLargeError, PermanentExportError, RetryableExportError

if TYPE_CHECKING:
    import httpx

__all__ = ["close_client", "parse_retry_after", "post"]

_client: httpx.Client | None = None
_client_lock = threading.Lock()
_SENSITIVE = ("auth", "key", "token", "secret", "signature", "cookie", "password")
_BODY_SNIPPET = 200


def _reset_after_fork() -> None:
    # A pooled connection shared with the parent would interleave bytes on one socket.
    global _client, _client_lock
    _client = None
    _client_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def _get_client() -> httpx.Client:
    global _client
    client = _client
    if client is not None:
        return client
    import httpx

    with _client_lock:
        if _client is None:
            _client = httpx.Client(
                limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
                follow_redirects=False,
            )
        return _client


def close_client() -> None:
    """Close the shared client (tests, or an application tearing the library down)."""
    global _client
    with _client_lock:
        client, _client = _client, None
    if client is not None:
        client.close()


def _safe_url(url: str) -> str:
    """scheme://host[:port]/path: no user info, no query, no fragment (they may carry keys)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    except ValueError:
        return "<invalid url>"


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms``, or ``Retry-After`` as seconds or an HTTP-date."""
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _snippet(body: bytes, secrets: list[str]) -> str:
    text = body[: _BODY_SNIPPET * 2].decode("utf-8", errors="replace").strip()
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    text = " ".join(text.split())
    return text[:_BODY_SNIPPET]


def _secret_values(headers: Mapping[str, str]) -> list[str]:
    out = []
    for name, value in headers.items():
        if any(s in name.lower() for s in _SENSITIVE) and len(value) >= 4:
            out.append(value)
            # "Bearer xyz" / "Basic xyz": the bare credential may be echoed on its own.
            _, _, bare = value.partition(" ")
            if len(bare) >= 4:
                out.append(bare)
    return out


def _suppress_otel() -> Any:
    """Attach OpenTelemetry's 'suppress instrumentation' flag, only if OpenTelemetry is loaded."""
    ctx_mod = sys.modules.get("opentelemetry.context")
    if ctx_mod is None:
        return None
    try:
        ctx = None
        for key_name in ("_SUPPRESS_INSTRUMENTATION_KEY", "_SUPPRESS_HTTP_INSTRUMENTATION_KEY"):
            key = getattr(ctx_mod, key_name, None)
            if key is not None:
                ctx = ctx_mod.set_value(key, True, ctx)
        return ctx_mod.attach(ctx) if ctx is not None else None
    except Exception:
        return None


def _unsuppress_otel(token: Any) -> None:
    if token is None:
        return
    ctx_mod = sys.modules.get("opentelemetry.context")
    if ctx_mod is not None:
        try:
            ctx_mod.detach(token)
        except Exception:
            pass


def post(
    url: str,
    *,
    json_body: Any = None,
    content: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    gzip: bool = False,
    timeout: float = 10.0,
) -> httpx.Response:
    """POST ``json_body`` (encoded compactly) or raw ``content``; raise an ExportError unless 2xx."""
    import httpx

    hdrs: dict[str, str] = dict(headers or {})
    lower = {k.lower() for k in hdrs}
    if content is None:
        content = (
            b"" if json_body is None else json.dumps(json_body, separators=(",", ":"), default=str).encode()
        )
        if json_body is not None and "content-type" not in lower:
            hdrs["Content-Type"] = "application/json"
    if gzip:
        content = _gzip.compress(content, compresslevel=6)
        hdrs["Content-Encoding"] = "gzip"
    where = _safe_url(url)
    token = _suppress_otel()
    try:
        response = _get_client().post(url, content=content, headers=hdrs, timeout=timeout)
    except (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.InvalidURL) as exc:
        raise PermanentExportError(f"cannot send to {where}: {type(exc).__name__}") from None
    except httpx.TimeoutException as exc:
        raise RetryableExportError(f"timeout sending to {where}: {type(exc).__name__}") from None
    except httpx.TransportError as exc:
        # The message of a transport error is the OS error ("connection refused"), never headers.
        raise RetryableExportError(f"cannot reach {where}: {type(exc).__name__}: {exc}") from None
    finally:
        _unsuppress_otel(token)
    status = response.status_code
    if 200 <= status < 300:
        return response
    body = response.content
    message = f"HTTP {status} from {where}: {_snippet(body, _secret_values(hdrs))}"
    if status == 413:
        raise PayloadTooLargeError(message, status_code=status)
    if status in (408, 429) or status >= 500:
        raise RetryableExportError(message, parse_retry_after(response.headers), status_code=status)
    raise PermanentExportError(message, status_code=status)
