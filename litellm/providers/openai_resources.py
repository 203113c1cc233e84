"""Requests for the OpenAI wire's stateful resources (files, batches, fine-tuning jobs, assistants,
threads, responses), for OpenAI and every OpenAI-compatible provider, and for Azure OpenAI.

URLs: OpenAI-compatible ``{api_base}/{path}`` (``api_base`` defaults to the provider's, e.g.
``https://api.openai.com/v1``); Azure ``{api_base}/openai/{path}?api-version=...``. Auth headers are the
chat adapter's (``Authorization: Bearer`` / Azure ``api-key`` or AD token).

Must not: send, read the environment or know about logging (pure functions over an adapter).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from litellm.providers.base import Credentials, ProviderRequest

__all__ = ["resource_request", "resource_url"]


def resource_url(adapter: Any, creds: Credentials, path: str, query: Mapping[str, Any] | None = None) -> str:
    """The URL of resource ``path`` ("files", "batches/batch_1/cancel", ...)."""
    params = {k: v for k, v in (query or {}).items() if v is not None}
    base = (creds.api_base or getattr(adapter, "default_api_base", None) or "").rstrip("/")
    if not base:
        from litellm.core.exceptions import make_error

        env = getattr(adapter, "api_base_env", None)
        raise make_error(
            "BadRequestError",
            f"{adapter.name} needs an api_base for /{path}: pass api_base=..."
            + (f" or set {env}." if env else ""),
            model=None,
            llm_provider=adapter.name,
        )
    if base.endswith("/chat/completions"):
        base = base[: -len("/chat/completions")]
    if adapter.name == "azure":
        if "/openai" in base:
            base = base[: base.index("/openai")]
        version = creds.api_version or getattr(adapter, "default_api_version", None)
        params = {**params, "api-version": version}
        url = f"{base}/openai/{path}"
    else:
        url = f"{base}/{path}"
    return url + ("?" + urlencode(params, quote_via=quote) if params else "")


def resource_request(
    adapter: Any,
    creds: Credentials,
    path: str,
    *,
    method: str = "POST",
    body: dict[str, Any] | None = None,
    files: list[tuple[str, Any]] | None = None,
    query: Mapping[str, Any] | None = None,
    extra_headers: Mapping[str, str] | None = None,
    beta: str | None = None,
) -> ProviderRequest:
    """A request for a resource: JSON ``body``, multipart ``files`` or neither (GET/DELETE);
    ``beta`` sets ``OpenAI-Beta`` (``assistants=v2``)."""
    headers = dict(adapter.auth_headers(creds))
    if body is None:
        headers.pop("Content-Type", None)
    if beta:
        headers["OpenAI-Beta"] = beta
    if extra_headers:
        headers.update(extra_headers)
    return ProviderRequest(
        url=resource_url(adapter, creds, path, query), headers=headers, body=body, method=method, files=files
    )
