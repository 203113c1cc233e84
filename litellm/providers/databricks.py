"""Databricks Model Serving: the OpenAI-compatible ``/serving-endpoints`` API with Databricks' auth and
reply quirks.

Owns: :class:`DatabricksAdapter` (the ``databricks`` table row of ``openai_compat`` plus: OAuth M2M
service-principal tokens when DATABRICKS_CLIENT_ID / DATABRICKS_CLIENT_SECRET are set, LiteLLM's
documented priority over a personal access token in DATABRICKS_API_KEY; a workspace URL without a path
gets ``/serving-endpoints``; Claude and other reasoning endpoints answer ``content`` as a list of
``{"type": "reasoning", "summary": [...]}`` / ``{"type": "text"}`` blocks, flattened to ``content`` and
``reasoning_content``; embeddings carry the same auth).

Must not: send or sleep; the OAuth exchange lives in ``litellm.providers.auth.databricks`` (which reads
the two env vars through ``env_value``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from litellm.providers.base import Credentials, ProviderRequest
from litellm.providers.openai_compat import PROVIDERS, OpenAICompatAdapter

__all__ = ["DatabricksAdapter", "flatten_content", "make_adapter"]


def flatten_content(message: dict[str, Any]) -> None:
    """A message / delta whose ``content`` is a list of Databricks blocks -> text ``content`` plus
    ``reasoning_content`` (and ``thinking_blocks`` carrying the signatures Claude needs back)."""
    blocks = message.get("content")
    if not isinstance(blocks, list):
        return
    texts: list[str] = []
    reasoning: list[str] = []
    thinking: list[dict[str, Any]] = []
    for block in blocks:
        if not isinstance(block, Mapping):
            continue
        kind = block.get("type")
        if kind == "text":
            texts.append(str(block.get("text") or ""))
        elif kind == "reasoning":
            for part in block.get("summary") or ():
                if isinstance(part, Mapping) and part.get("type") == "summary_text":
                    text = str(part.get("text") or "")
                    reasoning.append(text)
                    entry: dict[str, Any] = {"type": "thinking", "thinking": text}
                    if part.get("signature"):
                        entry["signature"] = part["signature"]
                    thinking.append(entry)
    message["content"] = "".join(texts) if texts or not reasoning else None
    if reasoning:
        message["reasoning_content"] = "".join(reasoning)
        message["thinking_blocks"] = thinking


class DatabricksAdapter(OpenAICompatAdapter):
    """``databricks/<serving endpoint name>``: chat, streaming, embeddings."""

    def __init__(self, name: str = "databricks") -> None:
        super().__init__(PROVIDERS["databricks"])

    # ---- credentials ---------------------------------------------------------------------------

    def _oauth(self, credentials: Credentials) -> Any:
        from litellm.providers.auth.databricks import DatabricksOAuth, oauth_client_from_env

        client = oauth_client_from_env()
        base = credentials.api_base
        if client is None or not base:
            return None
        return DatabricksOAuth(base, client[0], client[1])

    def missing_credentials(self, credentials: Credentials) -> list[str]:
        from litellm.providers.auth.databricks import oauth_client_from_env

        missing: list[str] = []
        if not credentials.api_base:
            missing.append("DATABRICKS_API_BASE")
        if not credentials.api_key and oauth_client_from_env() is None:
            # env var names only (validate_environment lists them): a PAT, or the OAuth client pair
            missing += ["DATABRICKS_API_KEY", "DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET"]
        return missing

    def _authorise(self, request: ProviderRequest, credentials: Credentials) -> ProviderRequest:
        auth = self._oauth(credentials)
        if auth is not None:
            request.headers.pop("Authorization", None)
            request.auth = auth
        return request

    # ---- request -------------------------------------------------------------------------------

    def chat_url(self, model: str, credentials: Credentials) -> str:
        base = credentials.api_base
        if base and urlsplit(base).path.strip("/") == "":
            credentials = Credentials(
                api_key=credentials.api_key,
                api_base=base.rstrip("/") + "/serving-endpoints",
                api_version=credentials.api_version,
            )
        return super().chat_url(model, credentials)

    def build_request(
        self,
        model: str,
        messages: list[dict[str, Any]],
        optional_params: dict[str, Any],
        credentials: Credentials,
        *,
        stream: bool,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ProviderRequest:
        request = super().build_request(
            model,
            messages,
            optional_params,
            credentials,
            stream=stream,
            extra_headers=extra_headers,
            extra_body=extra_body,
        )
        return self._authorise(request, credentials)

    def build_embedding_request(
        self, model: str, input: Any, params: Mapping[str, Any], credentials: Credentials
    ) -> ProviderRequest:
        from litellm.providers.openai_endpoints import openai_endpoint_request

        body = {"model": model, "input": input, **{k: v for k, v in params.items() if v is not None}}
        request = openai_endpoint_request(self, model, credentials, "embeddings", body=body)
        return self._authorise(request, credentials)

    # ---- response ------------------------------------------------------------------------------

    def normalise_message(self, message: dict[str, Any]) -> None:
        flatten_content(message)
        super().normalise_message(message)


def make_adapter(name: str = "databricks") -> DatabricksAdapter:
    return DatabricksAdapter(name)
