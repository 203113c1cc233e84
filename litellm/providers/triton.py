"""NVIDIA Triton Inference Server: ``triton/<model>`` through the generate extension or the KServe v2
``/infer`` protocol, and ``/infer`` embeddings.

Owns: :class:`TritonAdapter`. The ``api_base`` (or TRITON_API_BASE) is either a full endpoint URL, as
LiteLLM takes it (``.../v2/models/<model>/generate``, ``.../generate_stream`` or ``.../infer``), or the
server root, which gets ``/v2/models/<model>/generate``. Generate bodies are LiteLLM's
(``text_input`` + ``parameters`` with ``max_tokens`` defaulting to 2000 + ``stream``); a streamed call
uses ``/generate_stream`` (SSE events with ``text_output``, ``is_finished`` / ``stop_reason`` when the
backend sends them). ``/infer`` bodies carry ``text_input`` and each param as typed ``BYTES`` / ``INT32``
/ ``FP32`` tensors; the reply's first output tensor is the text. Embeddings send ``input_text`` as a
``BYTES`` tensor and split the output tensor by its ``[n, dim]`` shape. Triton reports no token counts,
so the pipeline counts them (and says so). An optional key is sent as a bearer token (for a gateway).

Must not: send, sleep, log or read the environment.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from litellm.providers._common import (
    error_fields,
    json_bearer_headers,
    kind_for_status,
    looks_like_context_window,
    make_error,
)
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamErrorEvent, StreamState

__all__ = ["DEFAULT_MAX_TOKENS", "TritonAdapter", "make_adapter"]

DEFAULT_MAX_TOKENS = 2000
_PARAMS = frozenset(
    {
        "max_tokens",
        "max_completion_tokens",
        "temperature",
        "top_p",
        "stop",
        "seed",
        "stream",
        "frequency_penalty",
        "presence_penalty",
    }
)
_RENAMES = {"max_completion_tokens": "max_tokens", "seed": "random_seed"}
_FINISH = {"stop": "stop", "length": "length", "eos": "stop", "max_tokens": "length", "abort": "stop"}


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        return "".join(str(p.get("text") or "") for p in content if isinstance(p, Mapping))
    return ""


def _registered_prompt(model: str, messages: Sequence[Mapping[str, Any]]) -> str | None:
    """The prompt from a template registered with ``litellm.register_prompt_template``, if any."""
    from litellm.providers import prompt_templates

    template = prompt_templates.prompt_template_for(model)
    return prompt_templates.render_prompt(list(messages), template) if template is not None else None


def render_prompt(messages: Sequence[Mapping[str, Any]]) -> str:
    """Messages -> the ``text_input`` string: one message is its text; several are their texts, one per
    line (Triton models apply their own chat template, if any, server-side)."""
    return "\n".join(_text(m.get("content")) for m in messages if _text(m.get("content")))


def _datatype(value: Any) -> str:
    if isinstance(value, bool):
        return "BOOL"
    if isinstance(value, int):
        return "INT32"
    if isinstance(value, float):
        return "FP32"
    return "BYTES"


def _tensor(name: str, value: Any) -> dict[str, Any]:
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    return {
        "name": name,
        "shape": [len(values)],
        "datatype": _datatype(values[0]) if values else "BYTES",
        "data": values,
    }


class TritonAdapter:
    """Triton text generation (generate extension or ``/infer``) and ``/infer`` embeddings."""

    name = "triton"
    api_key_env: str | None = None  # a local server: no key needed
    api_base_env = "TRITON_API_BASE"
    default_api_base: str | None = None
    env_vars: Mapping[str, tuple[str, ...]] = {
        "api_base": ("TRITON_API_BASE",),
        "api_key": ("TRITON_API_KEY",),
    }

    def __repr__(self) -> str:
        return "TritonAdapter()"

    def supported_params(self, model: str) -> frozenset[str]:
        return _PARAMS

    def missing_credentials(self, credentials: Credentials) -> list[str]:
        return [] if credentials.api_base else ["TRITON_API_BASE"]

    # ---- URLs ----------------------------------------------------------------------------------

    def endpoint(self, model: str, credentials: Credentials, *, stream: bool) -> tuple[str, str]:
        """(url, "generate" | "infer") for this call."""
        base = (credentials.api_base or "").rstrip("/")
        if not base:
            raise make_error(
                "BadRequestError",
                "triton/ needs the server's address: pass api_base='http://host:8000' (or the full "
                "'.../v2/models/<model>/generate' URL), or set TRITON_API_BASE.",
                model=model,
                provider=self.name,
            )
        if base.endswith("/infer"):
            return base, "infer"
        if base.endswith("/generate_stream"):
            base = base[: -len("_stream")]
        if not base.endswith("/generate"):
            base = f"{base}/v2/models/{quote(model, safe='')}/generate"
        return (base + "_stream" if stream else base), "generate"

    def _headers(self, credentials: Credentials, extra: Mapping[str, str] | None) -> dict[str, str]:
        return json_bearer_headers(credentials.api_key, extra)

    # ---- chat ----------------------------------------------------------------------------------

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
        url, kind = self.endpoint(model, credentials, stream=stream)
        params: dict[str, Any] = {}
        for key, value in optional_params.items():
            if value is not None and key not in ("stream", "stream_options"):
                params[_RENAMES.get(key, key)] = value
        params.setdefault("max_tokens", DEFAULT_MAX_TOKENS)
        prompt = _registered_prompt(model, messages) or render_prompt(messages)
        if kind == "infer":
            if stream:
                raise make_error(
                    "BadRequestError",
                    "Triton's /infer endpoint does not stream: use the generate endpoint "
                    "(api_base='http://host:8000' or '.../v2/models/<model>/generate') for stream=True.",
                    model=model,
                    provider=self.name,
                )
            body: dict[str, Any] = {
                "inputs": [_tensor("text_input", prompt), *(_tensor(k, v) for k, v in params.items())]
            }
        else:
            body = {"text_input": prompt, "parameters": params, "stream": stream}
        if extra_body:
            body.update(extra_body)
        return ProviderRequest(url=url, headers=self._headers(credentials, extra_headers), body=body)

    def _completion(self, model: str, text: str, finish: str = "stop") -> dict[str, Any]:
        return {
            "id": f"chatcmpl-{uuid.uuid4()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}
            ],
        }

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        if "text_output" in data:
            text = data["text_output"]
            return self._completion(model, "".join(text) if isinstance(text, list) else str(text or ""))
        outputs = data.get("outputs")
        if isinstance(outputs, list) and outputs:
            chosen = next((o for o in outputs if o.get("name") == "text_output"), outputs[0])
            values = chosen.get("data")
            text = "".join(str(v) for v in values) if isinstance(values, list) else str(values or "")
            return self._completion(model, text)
        raise ValueError(f"unexpected Triton reply (no text_output or outputs): {str(data)[:200]}")

    def new_stream_state(self, model: str) -> StreamState:
        return StreamState(model=model, response_id=f"chatcmpl-{uuid.uuid4()}", created=int(time.time()))

    def parse_stream_event(self, state: StreamState, event: str | None, data: str) -> list[dict[str, Any]]:
        if not data or data == "[DONE]":
            return []
        obj = json.loads(data)
        if not isinstance(obj, dict):
            return []
        if "error" in obj:
            raise StreamErrorEvent(500, obj)
        text = obj.get("text_output")
        delta: dict[str, Any] = {}
        if text:
            delta["content"] = "".join(text) if isinstance(text, list) else str(text)
            if not state.extra.get("role_sent"):
                delta["role"] = "assistant"
                state.extra["role_sent"] = True
        finish = None
        if obj.get("is_finished") or obj.get("stop_reason"):
            finish = _FINISH.get(str(obj.get("stop_reason") or "stop"), "stop")
        if not delta and finish is None:
            return []
        return [
            {
                "id": state.response_id,
                "object": "chat.completion.chunk",
                "created": state.created,
                "model": state.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
        ]

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo:
        message, code, _etype = error_fields(body)
        if not message:
            message = f"HTTP {status_code}"
        if status_code == 400 and looks_like_context_window(message, code):
            return ErrorInfo("ContextWindowExceededError", message)
        if status_code == 400 and "unknown model" in message.lower():
            return ErrorInfo("NotFoundError", message)
        return ErrorInfo(kind_for_status(status_code), message)

    # ---- embeddings ----------------------------------------------------------------------------

    def build_embedding_request(
        self, model: str, input: Any, params: Mapping[str, Any], credentials: Credentials
    ) -> ProviderRequest:
        base = (credentials.api_base or "").rstrip("/")
        if not base:
            raise make_error(
                "BadRequestError",
                "triton/ embeddings need api_base (the server root or '.../v2/models/<model>/infer').",
                model=model,
                provider=self.name,
            )
        url = base if base.endswith("/infer") else f"{base}/v2/models/{quote(model, safe='')}/infer"
        items = input if isinstance(input, list) else [input]
        body = {"inputs": [{"name": "input_text", "shape": [len(items)], "datatype": "BYTES", "data": items}]}
        return ProviderRequest(url=url, headers=self._headers(credentials, None), body=body)

    def parse_embedding_response(self, model: str, data: Any) -> dict[str, Any]:
        vectors: list[Any] = []
        for output in data.get("outputs") or ():
            values, shape = output.get("data") or [], output.get("shape") or []
            if len(shape) == 2:
                dim = int(shape[1])
                vectors += [values[i * dim : (i + 1) * dim] for i in range(int(shape[0]))]
            else:
                vectors.append(values)
        return {
            "object": "list",
            "model": data.get("model_name") or model,
            "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)],
            "usage": {"prompt_tokens": 0, "total_tokens": 0},
        }


def make_adapter(name: str = "triton") -> TritonAdapter:
    return TritonAdapter()
