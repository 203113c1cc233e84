"""Petals: ``petals/<model>`` through a Petals chat server's HTTP API (``POST <api_base>``, the
``/api/v1/generate`` endpoint of ``petals-infra/chat.petals.dev``).

Owns: :class:`PetalsAdapter`: a form-encoded body of ``model``, ``inputs`` (the prompt: the message texts
joined by spaces; a Llama-2 chat model gets its ``[INST]`` template, as LiteLLM renders prompts) and
``max_new_tokens`` (LiteLLM's default of 256 when none is given: the server requires it),
``temperature``, ``top_p``, ``do_sample``...; the reply ``{"ok": true, "outputs": "..."}`` is the answer
and ``{"ok": false, "traceback": ...}`` an error. There is no default server: the public swarm's
endpoint is volunteer-run, so ``api_base`` (or PETALS_API_BASE) must name the one to use (LiteLLM's
other mode, running the model in-process with the ``petals`` package and torch, is not offered). No key.
Not streamed (the HTTP API streams over a websocket only; refused before sending).

Must not: send, sleep, log or read the environment.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from litellm.providers._common import error_fields, kind_for_status, make_error
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamState
from litellm.providers.huggingface import text_prompt

__all__ = ["PetalsAdapter", "make_adapter"]

_RENAMES = {"max_tokens": "max_new_tokens", "max_completion_tokens": "max_new_tokens"}
_PARAMS = frozenset({"max_tokens", "max_completion_tokens", "temperature", "top_p"})
_DEFAULT_MAX_NEW_TOKENS = 256


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


class PetalsAdapter:
    """A Petals chat server's ``/api/v1/generate``."""

    name = "petals"
    api_key_env: str | None = None
    api_base_env = "PETALS_API_BASE"
    default_api_base: str | None = None
    env_vars: Mapping[str, tuple[str, ...]] = {"api_base": ("PETALS_API_BASE",)}

    def __repr__(self) -> str:
        return "PetalsAdapter()"

    def supported_params(self, model: str) -> frozenset[str]:
        return _PARAMS

    def missing_credentials(self, credentials: Credentials) -> list[str]:
        return [] if credentials.api_base else ["PETALS_API_BASE"]

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
        if stream:
            raise make_error(
                "BadRequestError",
                "petals/ does not stream here (the Petals HTTP API streams only over its websocket); "
                "call it without stream=True.",
                model=model,
                provider=self.name,
            )
        if not credentials.api_base:
            raise make_error(
                "BadRequestError",
                "petals/ needs the Petals chat server to use: pass api_base='https://<host>/api/v1/generate' "
                "or set PETALS_API_BASE.",
                model=model,
                provider=self.name,
            )
        form: dict[str, Any] = {"model": model, "inputs": text_prompt(messages, model)}
        for key, value in optional_params.items():
            if value is not None and key not in ("stream", "stream_options"):
                form[_RENAMES.get(key, key)] = value
        form.setdefault("max_new_tokens", _DEFAULT_MAX_NEW_TOKENS)
        if extra_body:
            form.update(extra_body)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        if extra_headers:
            headers.update(extra_headers)
        content = urlencode({k: _form_value(v) for k, v in form.items()}).encode()
        return ProviderRequest(url=credentials.api_base, headers=headers, content=content)

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        if not data.get("ok", True) or "outputs" not in data:
            raise ValueError(f"Petals server error: {str(data.get('traceback') or data)[:300]}")
        return {
            "id": f"chatcmpl-{uuid.uuid4()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": str(data["outputs"])},
                    "finish_reason": "stop",
                }
            ],
        }

    def new_stream_state(self, model: str) -> StreamState:
        return StreamState(model=model)

    def parse_stream_event(self, state: StreamState, event: str | None, data: str) -> list[dict[str, Any]]:
        return []

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo:
        message = ""
        if isinstance(body, Mapping) and body.get("traceback"):
            message = str(body["traceback"]).strip().splitlines()[-1]
        if not message:
            message = error_fields(body)[0] or f"HTTP {status_code}"
        return ErrorInfo(kind_for_status(status_code), message)


def make_adapter(name: str = "petals") -> PetalsAdapter:
    return PetalsAdapter()
