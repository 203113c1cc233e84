"""NLP Cloud text generation: ``nlp_cloud/<model>`` -> ``POST <base>/<model>/generation``.

Owns: :class:`NLPCloudAdapter`. The base is ``https://api.nlpcloud.io/v1/gpu`` (NLP_CLOUD_API_BASE or
``api_base`` to change it, e.g. without ``/gpu`` for CPU plans); the key (NLP_CLOUD_API_KEY) is sent as
``Authorization: Token <key>``. The body is the generation endpoint's: ``text`` (the message texts joined
by spaces, as LiteLLM sends them) with ``max_length``, ``temperature``, ``top_p``, ``presence_penalty``,
``frequency_penalty``, ``num_return_sequences`` (from ``n``) and ``stop_sequences``; the reply's
``generated_text`` is the answer and ``nb_input_tokens`` / ``nb_generated_tokens`` the usage. NLP Cloud
streams raw text without framing or usage; this adapter does not stream (a streamed call is refused
before sending, naming why).

Must not: send, sleep, log or read the environment.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from litellm.providers._common import error_fields, kind_for_status, looks_like_context_window, make_error
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamState

__all__ = ["DEFAULT_API_BASE", "NLPCloudAdapter", "make_adapter"]

DEFAULT_API_BASE = "https://api.nlpcloud.io/v1/gpu"
_RENAMES = {
    "max_tokens": "max_length",
    "max_completion_tokens": "max_length",
    "n": "num_return_sequences",
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


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(p.get("text") or "") for p in content if isinstance(p, Mapping) and p.get("type") == "text"
        )
    return ""


class NLPCloudAdapter:
    """NLP Cloud's generation endpoint as chat completions."""

    name = "nlp_cloud"
    api_key_env = "NLP_CLOUD_API_KEY"
    api_base_env = "NLP_CLOUD_API_BASE"
    default_api_base = DEFAULT_API_BASE
    env_vars: Mapping[str, tuple[str, ...]] = {
        "api_key": ("NLP_CLOUD_API_KEY",),
        "api_base": ("NLP_CLOUD_API_BASE",),
    }

    def __repr__(self) -> str:
        return "NLPCloudAdapter()"

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
                "nlp_cloud/ does not stream here: NLP Cloud streams unframed text with no usage. "
                "Call it without stream=True.",
                model=model,
                provider=self.name,
            )
        body: dict[str, Any] = {"text": " ".join(t for t in (_text(m.get("content")) for m in messages) if t)}
        for key, value in optional_params.items():
            if value is not None and key not in ("stream", "stream_options"):
                body[_RENAMES.get(key, key)] = value
        if extra_body:
            body.update(extra_body)
        base = (credentials.api_base or DEFAULT_API_BASE).rstrip("/")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if credentials.api_key:
            headers["Authorization"] = f"Token {credentials.api_key}"
        if extra_headers:
            headers.update(extra_headers)
        return ProviderRequest(url=f"{base}/{quote(model, safe='')}/generation", headers=headers, body=body)

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        if "generated_text" not in data:
            raise ValueError(f"NLP Cloud reply has no generated_text: {str(data)[:200]}")
        out: dict[str, Any] = {
            "id": f"chatcmpl-{uuid.uuid4()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": data.get("generated_text") or ""},
                    "finish_reason": "stop",
                }
            ],
        }
        prompt, completion = data.get("nb_input_tokens"), data.get("nb_generated_tokens")
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
        if isinstance(body, Mapping) and isinstance(body.get("detail"), str):
            message = body["detail"]
        if not message:
            message = f"HTTP {status_code}"
        if status_code in (400, 422) and looks_like_context_window(message, code):
            return ErrorInfo("ContextWindowExceededError", message)
        return ErrorInfo(kind_for_status(status_code), message)


def make_adapter(name: str = "nlp_cloud") -> NLPCloudAdapter:
    return NLPCloudAdapter()
