"""Requests for the OpenAI wire's other endpoints (embeddings, images, audio, moderations, ...), built
from a chat adapter's URL and auth rules, so every OpenAI-compatible provider (Azure included) serves
them without a line of its own.

Must not: send, read the environment or know about logging (pure functions over an adapter).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litellm.providers.base import Credentials, ProviderRequest

__all__ = ["endpoint_url", "openai_endpoint_request"]


def endpoint_url(adapter: Any, model: str, creds: Credentials, path: str) -> str:
    """The URL of ``path`` ("embeddings", "images/generations", ...) beside the adapter's chat URL
    (keeps Azure's deployment path and ``api-version`` query)."""
    chat_url = getattr(adapter, "chat_url", None)
    if chat_url is None:
        raise _unsupported(adapter, model, path)
    url = chat_url(model, creds)
    base, sep, query = url.partition("?")
    if not base.endswith("/chat/completions"):
        raise _unsupported(adapter, model, path)
    return base[: -len("chat/completions")] + path + (sep + query if sep else "")


def _unsupported(adapter: Any, model: str, path: str) -> Exception:
    from litellm.core.exceptions import make_error

    return make_error(
        "BadRequestError",
        f"Provider '{adapter.name}' has no /{path} endpoint here. OpenAI, Azure and the OpenAI-compatible "
        "providers serve it (e.g. openai/<model>, azure/<deployment>, or openai/<model> with api_base).",
        model=model,
        llm_provider=adapter.name,
    )


def openai_endpoint_request(
    adapter: Any,
    model: str,
    creds: Credentials,
    path: str,
    *,
    body: dict[str, Any] | None = None,
    files: list[tuple[str, Any]] | None = None,
    method: str = "POST",
    extra_headers: Mapping[str, str] | None = None,
) -> ProviderRequest:
    """A request to ``path`` on the provider's OpenAI-compatible API: JSON ``body`` or multipart
    ``files`` (the transport sets the multipart content type)."""
    url = endpoint_url(adapter, model, creds, path)
    headers = dict(adapter.auth_headers(creds))
    if files is not None or body is None:
        headers.pop("Content-Type", None)
    if extra_headers:
        headers.update(extra_headers)
    return ProviderRequest(url=url, headers=headers, body=body, method=method, files=files)
