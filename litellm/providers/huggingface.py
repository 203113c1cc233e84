"""Hugging Face: the Inference Providers router, dedicated Inference Endpoints / TGI, feature-extraction.

Owns: :class:`HuggingFaceAdapter` for ``huggingface/<org>/<model>`` (the router picks a provider),
``huggingface/<provider>/<org>/<model>`` (sent as ``<org>/<model>:<provider>``, the router's documented
way to pin a provider; no Hub lookup on the request path), ``huggingface/<org>/<model>:<policy>`` as is,
and an ``api_base`` (a dedicated Inference Endpoint or TGI server: its OpenAI-compatible Messages API at
``/v1/chat/completions``). ``huggingface/tgi/<name>`` with an ``api_base`` speaks TGI's native
``/generate`` and ``/generate_stream`` (a prompt string and ``parameters``; replies with
``generated_text`` and ``details``). Embeddings use the ``feature-extraction`` pipeline
(``https://router.huggingface.co/hf-inference/models/<model>/pipeline/feature-extraction``, or the
``api_base`` given). Also the text-prompt rendering SageMaker's TGI containers share
(:func:`text_prompt`).

Keys: HUGGINGFACE_API_KEY, then HF_TOKEN (sent as a bearer token); bases: HF_API_BASE /
HUGGINGFACE_API_BASE. Must not: send, log, read the environment, or fetch provider mappings from the Hub.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from litellm.providers._common import error_fields, kind_for_status, looks_like_context_window, make_error
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamErrorEvent, StreamState
from litellm.providers.openai_compat import _OPENAI_ONLY, CompatProvider, OpenAICompatAdapter

__all__ = ["ROUTER_BASE", "HuggingFaceAdapter", "make_adapter", "parse_tgi_response", "text_prompt"]

ROUTER_BASE = "https://router.huggingface.co/v1"
_FEATURE_EXTRACTION = "https://router.huggingface.co/hf-inference/models/{model}/pipeline/feature-extraction"
_TGI_ROUTES = ("tgi/", "text-generation-inference/")
_TGI_PARAMS = frozenset(
    {"max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "seed", "n", "stream"}
)
_TGI_FINISH = {"length": "length", "eos_token": "stop", "stop_sequence": "stop"}

SPEC = CompatProvider(
    name="huggingface",
    default_api_base=ROUTER_BASE,
    api_key_env="HUGGINGFACE_API_KEY",
    api_base_env="HF_API_BASE",
    api_key_env_aliases=("HF_TOKEN",),
    api_base_env_aliases=("HUGGINGFACE_API_BASE",),
    unsupported=_OPENAI_ONLY - {"logprobs", "top_logprobs", "logit_bias"},
    source="https://huggingface.co/docs/inference-providers/index",
)


# --------------------------------------------------------------------------------------------------
# Text prompts (TGI /generate, SageMaker TGI containers)
# --------------------------------------------------------------------------------------------------


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content if isinstance(p, Mapping) and p.get("type") == "text")


def text_prompt(messages: Sequence[Mapping[str, Any]], model: str) -> str:
    """OpenAI messages -> one prompt string, as LiteLLM renders them: a template registered with
    ``litellm.register_prompt_template`` for this model first, then Llama-2 chat's ``[INST]`` template
    for llama-2 chat models, else the message texts joined by spaces."""
    from litellm.providers.prompt_templates import prompt_template_for, render_prompt

    template = prompt_template_for(model)
    if template is not None:
        return render_prompt(list(messages), template)
    low = model.lower()
    if "llama-2" in low and "chat" in low:
        out = "<s>"
        for m in messages:
            role, text = m.get("role"), _text(m.get("content"))
            if role == "system":
                out += f"[INST] <<SYS>>\n{text}\n<</SYS>>\n [/INST]\n"
            elif role == "assistant":
                out += f"{text}\n"
            else:
                out += f"[INST] {text} [/INST]\n"
        return out
    return " ".join(_text(m.get("content")) for m in messages)


def tgi_parameters(params: Mapping[str, Any]) -> dict[str, Any]:
    """OpenAI params -> TGI ``parameters`` (max_new_tokens, temperature > 0, best_of, stop...)."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None or key in ("stream", "stream_options", "user"):
            continue
        if key in ("max_tokens", "max_completion_tokens"):
            out["max_new_tokens"] = max(1, int(value))  # TGI refuses 0
        elif key == "temperature":
            out["temperature"] = value if value > 0 else 0.01  # TGI requires strictly positive
        elif key == "n":
            if value > 1:
                out["best_of"] = value
                out["do_sample"] = True
        elif key == "stop":
            out["stop"] = [value] if isinstance(value, str) else list(value)
        else:
            out[key] = value  # top_p, seed, top_k, repetition_penalty, details...
    return out


def _tgi_usage(prompt: str | None, completion_tokens: int | None, text: str) -> dict[str, Any] | None:
    try:
        from litellm.cost.tokens import token_counter

        prompt_tokens = token_counter(text=prompt, count_response_tokens=True) if prompt else 0
        if completion_tokens is None:
            completion_tokens = token_counter(text=text, count_response_tokens=True) if text else 0
    except Exception:  # an estimate must never break parsing
        return None
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def parse_tgi_response(model: str, data: Any, prompt: str | None = None) -> dict[str, Any]:
    """TGI / SageMaker reply (``{"generated_text", "details"}`` or a one-item list of it; LMI containers
    say ``generation``) -> an OpenAI chat.completion dict."""
    first = data[0] if isinstance(data, list) and data else data
    if not isinstance(first, Mapping):
        raise ValueError(f"unexpected TGI reply: {str(data)[:200]}")
    text = first.get("generated_text")
    if text is None:
        text = first.get("generation", "")
    if prompt and isinstance(text, str) and text.startswith(prompt) and "<s>" in prompt:
        text = text[len(prompt) :]
    details = first.get("details") or {}
    finish = _TGI_FINISH.get(details.get("finish_reason") or "", "stop")
    out: dict[str, Any] = {
        "id": f"chatcmpl-{uuid.uuid4()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
    }
    usage = _tgi_usage(prompt, details.get("generated_tokens"), text or "")
    if usage is not None:
        out["usage"] = usage
    return out


def tgi_stream_chunks(state: StreamState, obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One TGI ``/generate_stream`` event (``token``, and ``details`` on the last) -> OpenAI chunks."""
    if "error" in obj:
        raise StreamErrorEvent(500, {"error": obj.get("error"), "error_type": obj.get("error_type")})
    chunks: list[dict[str, Any]] = []
    token = obj.get("token") or {}
    text = token.get("text") if not token.get("special") else None
    if text:
        delta: dict[str, Any] = {"content": text}
        if not state.extra.get("role_sent"):
            delta["role"] = "assistant"
            state.extra["role_sent"] = True
        chunks.append(_tgi_chunk(state, delta, None))
    details = obj.get("details")
    if isinstance(details, Mapping):
        chunk = _tgi_chunk(state, {}, _TGI_FINISH.get(details.get("finish_reason") or "", "stop"))
        prompt, completion = details.get("input_length"), details.get("generated_tokens")
        if isinstance(prompt, int) and isinstance(completion, int):
            chunk["usage"] = {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            }
        chunks.append(chunk)
    return chunks


def _tgi_chunk(state: StreamState, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": state.response_id,
        "object": "chat.completion.chunk",
        "created": state.created,
        "model": state.model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def classify_hf_error(status_code: int, body: Any) -> ErrorInfo:
    """Router (OpenAI-style), hf-inference (``{"error": "...", "estimated_time"}``) and TGI
    (``{"error", "error_type"}``) errors."""
    message, code, _etype = error_fields(body)
    if not message:
        message = f"HTTP {status_code}"
    low = message.lower()
    if "is currently loading" in low:
        return ErrorInfo("ServiceUnavailableError", message)
    if status_code in (400, 413, 422) or (
        isinstance(body, Mapping) and body.get("error_type") == "validation"
    ):
        if (
            looks_like_context_window(message, code)
            or "must be <=" in low
            or "tokens + `max_new_tokens`" in low
        ):
            return ErrorInfo("ContextWindowExceededError", message)
        if status_code == 422:
            return ErrorInfo("BadRequestError", message)  # TGI answers 422 for input validation
    return ErrorInfo(kind_for_status(status_code), message)


# --------------------------------------------------------------------------------------------------
# The adapter
# --------------------------------------------------------------------------------------------------


def _route(model: str) -> tuple[str, str]:
    for prefix in _TGI_ROUTES:
        if model.startswith(prefix):
            return "tgi", model[len(prefix) :]
    return "chat", model


def wire_model(model: str) -> str:
    """``together/deepseek-ai/DeepSeek-R1`` -> ``deepseek-ai/DeepSeek-R1:together`` (router syntax)."""
    parts = model.split("/")
    if len(parts) >= 3 and ":" not in parts[-1] and not model.startswith(("http://", "https://")):
        return f"{'/'.join(parts[1:])}:{parts[0]}"
    return model


class HuggingFaceAdapter(OpenAICompatAdapter):
    """Chat through the router or a dedicated endpoint (OpenAI wire), TGI native, feature-extraction."""

    def __init__(self) -> None:
        super().__init__(SPEC)
        self.api_key_env = SPEC.api_key_env  # named in the error when the router is called without a key

    def supported_params(self, model: str) -> frozenset[str]:
        route, _ = _route(model)
        if route == "tgi":
            return _TGI_PARAMS
        return super().supported_params(model) | {"reasoning_effort"}

    def _custom_base(self, credentials: Credentials) -> str | None:
        base = credentials.api_base
        return base.rstrip("/") if base and base.rstrip("/") != ROUTER_BASE else None

    def missing_credentials(self, credentials: Credentials) -> list[str]:
        # a dedicated endpoint or a local TGI may run without a token; the router never does
        if credentials.api_key or self._custom_base(credentials):
            return []
        return ["HUGGINGFACE_API_KEY (or HF_TOKEN)"]

    def chat_url(self, model: str, credentials: Credentials) -> str:
        base = self._custom_base(credentials)
        if model.startswith(("http://", "https://")) and base is None:
            base = model.rstrip("/")
        if base is None:
            return ROUTER_BASE + "/chat/completions"
        if base.endswith("/chat/completions"):
            return base
        if base.endswith("/v1"):
            return base + "/chat/completions"
        return base + "/v1/chat/completions"

    def wire_model(self, model: str) -> str:
        return wire_model(model)

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
        route, name = _route(model)
        if route == "chat":
            return super().build_request(
                model,
                messages,
                optional_params,
                credentials,
                stream=stream,
                extra_headers=extra_headers,
                extra_body=extra_body,
            )
        base = self._custom_base(credentials)
        if base is None:
            raise make_error(
                "BadRequestError",
                "huggingface/tgi/ needs the TGI server's address: pass api_base='https://<endpoint>' "
                "(or set HF_API_BASE).",
                model=model,
                provider=self.name,
            )
        body: dict[str, Any] = {
            "inputs": text_prompt(messages, name),
            "parameters": {"details": True, "return_full_text": False, **tgi_parameters(optional_params)},
        }
        if stream:
            body["stream"] = True
        if extra_body:
            body.update(extra_body)
        headers = self.auth_headers(credentials)
        if extra_headers:
            headers.update(extra_headers)
        return ProviderRequest(
            url=f"{base}/generate_stream" if stream else f"{base}/generate", headers=headers, body=body
        )

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        route, name = _route(model)
        if route == "tgi":
            return parse_tgi_response(name, data)
        return super().parse_response(model, data)

    def new_stream_state(self, model: str) -> StreamState:
        state = super().new_stream_state(model)
        route, name = _route(model)
        if route == "tgi":
            state.model = name
            state.response_id = f"chatcmpl-{uuid.uuid4()}"
            state.extra["tgi"] = True
        return state

    def parse_stream_event(self, state: StreamState, event: str | None, data: str) -> list[dict[str, Any]]:
        if state.extra.get("tgi"):
            if not data or data == "[DONE]":
                return []
            return tgi_stream_chunks(state, json.loads(data))
        return super().parse_stream_event(state, event, data)

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo:
        return classify_hf_error(status_code, body)

    # ---- embeddings ----------------------------------------------------------------------------

    def build_embedding_request(
        self, model: str, input: Any, params: dict[str, Any], credentials: Credentials
    ) -> ProviderRequest:
        base = self._custom_base(credentials)
        url = base or _FEATURE_EXTRACTION.format(model=quote(model, safe="/"))
        body: dict[str, Any] = {"inputs": input}
        for key in ("normalize", "truncate", "prompt_name", "truncation_direction"):
            if params.get(key) is not None:
                body[key] = params[key]
        return ProviderRequest(url=url, headers=self.auth_headers(credentials), body=body)

    def parse_embedding_response(self, model: str, data: Any) -> dict[str, Any]:
        vectors = data
        if isinstance(data, Mapping):  # TEI / some endpoints: {"embeddings": [...]}
            vectors = data.get("embeddings") or data.get("data") or []
        if vectors and isinstance(vectors[0], (int, float)):
            vectors = [vectors]  # one input -> one vector
        out = []
        for vector in vectors:
            if vector and isinstance(vector[0], list):
                # token-level features (a model without pooling): mean-pool into one sentence vector
                width = len(vector[0])
                vector = [sum(tok[i] for tok in vector) / len(vector) for i in range(width)]
            out.append(vector)
        return {
            "object": "list",
            "model": model,
            "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(out)],
            "usage": {"prompt_tokens": 0, "total_tokens": 0},
        }


def make_adapter(name: str = "huggingface") -> HuggingFaceAdapter:
    return HuggingFaceAdapter()
