"""Predibase (LoRAX serving): ``predibase/<deployment>`` through the TGI-shaped ``/generate`` API.

Owns: :class:`PredibaseAdapter`. The URL is ``<base>/<tenant id>/deployments/v2/llms/<deployment>/generate``
(``/generate_stream`` when streamed) on ``https://serving.app.predibase.com`` (PREDIBASE_API_BASE or
``api_base`` to change it); the tenant id comes from ``tenant_id=`` / ``predibase_tenant_id=`` or
PREDIBASE_TENANT_ID; the key (PREDIBASE_API_KEY) is a bearer token. The body is TGI's
(``inputs`` + ``parameters``) with LoRAX's ``adapter_id`` / ``adapter_source`` passed through, and
``max_new_tokens`` defaulted to 256 (Predibase holds a request without it, as LiteLLM notes). Replies,
streams and errors are TGI's, parsed by the shared helpers in :mod:`litellm.providers.huggingface`.

Must not: send, sleep or log; the environment is read only through ``env_value`` (the tenant id).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from litellm.providers import environment
from litellm.providers._common import json_bearer_headers, make_error
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamState
from litellm.providers.huggingface import (
    classify_hf_error,
    parse_tgi_response,
    text_prompt,
    tgi_parameters,
    tgi_stream_chunks,
)

__all__ = ["DEFAULT_API_BASE", "PredibaseAdapter", "make_adapter"]

DEFAULT_API_BASE = "https://serving.app.predibase.com"
_DEFAULT_MAX_NEW_TOKENS = 256
_PARAMS = frozenset(
    {
        "max_tokens",
        "max_completion_tokens",
        "temperature",
        "top_p",
        "stop",
        "seed",
        "n",
        "stream",
        "response_format",
    }
)


class PredibaseAdapter:
    """Predibase serverless / dedicated deployments (text generation, LoRA adapters)."""

    name = "predibase"
    api_key_env = "PREDIBASE_API_KEY"
    api_base_env = "PREDIBASE_API_BASE"
    default_api_base = DEFAULT_API_BASE
    env_vars: Mapping[str, tuple[str, ...]] = {
        "api_key": ("PREDIBASE_API_KEY",),
        "api_base": ("PREDIBASE_API_BASE",),
    }

    def __repr__(self) -> str:
        return "PredibaseAdapter()"

    def supported_params(self, model: str) -> frozenset[str]:
        return _PARAMS

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
        params = dict(optional_params)
        tenant = params.pop("tenant_id", None) or params.pop("predibase_tenant_id", None)
        tenant = tenant or environment.env_value("PREDIBASE_TENANT_ID")
        if not tenant:
            raise make_error(
                "AuthenticationError",
                "Predibase needs your tenant id: set PREDIBASE_TENANT_ID or pass tenant_id=... "
                "(Settings > My profile in the Predibase app).",
                model=model,
                provider=self.name,
            )
        response_format = params.pop("response_format", None)
        parameters = tgi_parameters(params)
        parameters.setdefault("max_new_tokens", _DEFAULT_MAX_NEW_TOKENS)
        parameters.setdefault("details", True)
        if isinstance(response_format, Mapping) and response_format.get("type") in (
            "json_object",
            "json_schema",
        ):
            schema = (response_format.get("json_schema") or {}).get("schema")
            parameters["response_format"] = {"type": "json_object", **({"schema": schema} if schema else {})}
        body: dict[str, Any] = {"inputs": text_prompt(messages, model), "parameters": parameters}
        if stream:
            body["stream"] = True
        if extra_body:
            body.update(extra_body)
        base = (credentials.api_base or DEFAULT_API_BASE).rstrip("/")
        url = f"{base}/{quote(str(tenant), safe='')}/deployments/v2/llms/{quote(model, safe='')}"
        url += "/generate_stream" if stream else "/generate"
        headers = json_bearer_headers(credentials.api_key, extra_headers)
        return ProviderRequest(url=url, headers=headers, body=body)

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        return parse_tgi_response(model, data)

    def new_stream_state(self, model: str) -> StreamState:
        return StreamState(model=model, response_id=f"chatcmpl-{uuid.uuid4()}", created=int(time.time()))

    def parse_stream_event(self, state: StreamState, event: str | None, data: str) -> list[dict[str, Any]]:
        if not data or data == "[DONE]":
            return []
        return tgi_stream_chunks(state, json.loads(data))

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo:
        return classify_hf_error(status_code, body)


def make_adapter(name: str = "predibase") -> PredibaseAdapter:
    return PredibaseAdapter()
