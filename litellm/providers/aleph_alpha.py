"""Aleph Alpha's completion API: ``aleph_alpha/<model>`` -> ``POST <base>/complete``.

LiteLLM 1.110.2 keeps this provider among its deprecated ones: Aleph Alpha retired the public Luminous
models, and the same ``/complete`` API now serves self-hosted PhariaAI / Aleph Alpha inference
deployments. So the base (ALEPH_ALPHA_API_BASE or ``api_base``; ``https://api.aleph-alpha.com`` by
default, as LiteLLM has it) is usually the caller's own server.

Owns: :class:`AlephAlphaAdapter`: the body is ``model`` + ``prompt`` (LiteLLM's rendering: the
``###Instruction`` / ``###Input`` / ``###Response`` format for ``*control*`` models, else the message texts
joined by spaces) with ``maximum_tokens``, ``temperature``, ``top_p``, ``presence_penalty``,
``frequency_penalty``, ``n`` and ``stop_sequences``; every ``completions[]`` item becomes a choice
(``maximum_tokens`` -> ``length``, ``end_of_text`` / ``stop_sequence_reached`` -> ``stop``); usage is
``num_tokens_prompt_total`` / ``num_tokens_generated``. The token (ALEPH_ALPHA_API_KEY, then
ALEPHALPHA_API_KEY) is a bearer token. Not streamed (refused before sending).

Must not: send, sleep, log or read the environment.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

from litellm.providers._common import (
    error_fields,
    json_bearer_headers,
    kind_for_status,
    looks_like_context_window,
    make_error,
)
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamState

__all__ = ["DEFAULT_API_BASE", "AlephAlphaAdapter", "make_adapter", "render_prompt"]

DEFAULT_API_BASE = "https://api.aleph-alpha.com"
_RENAMES = {
    "max_tokens": "maximum_tokens",
    "max_completion_tokens": "maximum_tokens",
    "stop": "stop_sequences",
}
_PARAMS = frozenset(
    {
        "max_tokens",
        "max_completion_tokens",
        "temperature",
        "top_p",
        "presence_penalty",
        "frequency_penalty",
        "n",
        "stop",
    }
)
_FINISH = {"maximum_tokens": "length", "end_of_text": "stop", "stop_sequence_reached": "stop"}
_DEFAULT_MAXIMUM_TOKENS = 256  # the API requires maximum_tokens


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(p.get("text") or "") for p in content if isinstance(p, Mapping) and p.get("type") == "text"
        )
    return ""


def render_prompt(model: str, messages: list[dict[str, Any]]) -> str:
    from litellm.providers import prompt_templates

    template = prompt_templates.prompt_template_for(model)
    if template is not None:  # litellm.register_prompt_template for this model wins
        return prompt_templates.render_prompt(messages, template)
    if "control" not in model:
        return " ".join(_text(m.get("content")) for m in messages)
    out = ""
    for i, message in enumerate(messages):
        text, role = _text(message.get("content")), message.get("role")
        if i == 0 or role == "system":
            out += f"###Instruction: {text}"
        elif role == "user":
            out += f"###Input: {text}"
        else:
            out += f"###Response: {text}"
    return out


class AlephAlphaAdapter:
    """Aleph Alpha ``/complete`` as chat completions."""

    name = "aleph_alpha"
    api_key_env = "ALEPH_ALPHA_API_KEY"
    api_base_env = "ALEPH_ALPHA_API_BASE"
    default_api_base = DEFAULT_API_BASE
    env_vars: Mapping[str, tuple[str, ...]] = {
        "api_key": ("ALEPH_ALPHA_API_KEY", "ALEPHALPHA_API_KEY"),
        "api_base": ("ALEPH_ALPHA_API_BASE",),
    }

    def __repr__(self) -> str:
        return "AlephAlphaAdapter()"

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
        if stream:
            raise make_error(
                "BadRequestError",
                "aleph_alpha/ does not stream here; call it without stream=True.",
                model=model,
                provider=self.name,
            )
        body: dict[str, Any] = {"model": model, "prompt": render_prompt(model, messages)}
        for key, value in optional_params.items():
            if value is not None and key not in ("stream", "stream_options"):
                value = [value] if key == "stop" and isinstance(value, str) else value
                body[_RENAMES.get(key, key)] = value
        body.setdefault("maximum_tokens", _DEFAULT_MAXIMUM_TOKENS)
        if extra_body:
            body.update(extra_body)
        base = (credentials.api_base or DEFAULT_API_BASE).rstrip("/")
        url = base if base.endswith("/complete") else base + "/complete"
        headers = json_bearer_headers(credentials.api_key, extra_headers, accept=True)
        return ProviderRequest(url=url, headers=headers, body=body)

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        completions = data.get("completions")
        if not isinstance(completions, list):
            raise ValueError(f"Aleph Alpha reply has no completions: {str(data)[:200]}")
        out: dict[str, Any] = {
            "id": f"chatcmpl-{uuid.uuid4()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": i,
                    "message": {"role": "assistant", "content": item.get("completion") or ""},
                    "finish_reason": _FINISH.get(str(item.get("finish_reason")), "stop"),
                }
                for i, item in enumerate(completions)
            ],
        }
        prompt, completion = data.get("num_tokens_prompt_total"), data.get("num_tokens_generated")
        if isinstance(prompt, int) and isinstance(completion, int):
            out["usage"] = {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            }
        return out

    def new_stream_state(self, model: str) -> StreamState:
        return StreamState(model=model)

    def parse_stream_event(self, state: StreamState, event: str | None, data: str) -> list[dict[str, Any]]:
        return []  # never streamed (build_request refuses it)

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo:
        message, code, _etype = error_fields(body)
        if isinstance(body, Mapping) and isinstance(body.get("error"), str):
            message = body["error"]
            code = str(body.get("code") or "") or None
        if not message:
            message = f"HTTP {status_code}"
        if status_code == 400 and (looks_like_context_window(message, code) or code == "PROMPT_TOO_LONG"):
            return ErrorInfo("ContextWindowExceededError", message)
        return ErrorInfo(kind_for_status(status_code), message)


def make_adapter(name: str = "aleph_alpha") -> AlephAlphaAdapter:
    return AlephAlphaAdapter()
