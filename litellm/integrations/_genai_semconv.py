"""The GenAI semantic conventions applied to a StandardLoggingPayload: span name, span attributes,
message content records, metric attributes and the exception event, as pure functions.

Shared by the OpenTelemetry logger (:mod:`litellm.integrations.opentelemetry`, which re-exports the public
names) and the Langfuse logger. Also holds the conventions' constants: content capture modes, the content
event name, metric attribute keys and histogram bucket advice.

Must not: import OpenTelemetry or any other SDK, read the environment, or put headers or keys into
attributes (``server.address``/``server.port`` only, never the URL's user info, path or query).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "CAPTURE_MODES",
    "CONTENT_EVENT",
    "EVENT_ONLY",
    "NO_CONTENT",
    "SPAN_AND_EVENT",
    "SPAN_ONLY",
    "content_attributes",
    "input_messages",
    "metric_attributes",
    "operation_name",
    "output_messages",
    "provider_name",
    "request_model",
    "server_address",
    "span_attributes",
    "span_name",
    "usage_details",
]

NO_CONTENT, SPAN_ONLY, EVENT_ONLY, SPAN_AND_EVENT = "NO_CONTENT", "SPAN_ONLY", "EVENT_ONLY", "SPAN_AND_EVENT"
CAPTURE_MODES = (NO_CONTENT, SPAN_ONLY, EVENT_ONLY, SPAN_AND_EVENT)
# The event the GenAI conventions define for content kept out of span attributes.
CONTENT_EVENT = "gen_ai.client.inference.operation.details"

# LiteLLM provider -> gen_ai.provider.name well-known value; anything else is passed through as is.
_PROVIDER_NAMES = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "azure": "azure.ai.openai",
    "azure_text": "azure.ai.openai",
    "azure_ai": "azure.ai.inference",
    "anthropic": "anthropic",
    "bedrock": "aws.bedrock",
    "sagemaker": "aws.sagemaker",
    "vertex_ai": "gcp.vertex_ai",
    "vertex_ai_beta": "gcp.vertex_ai",
    "gemini": "gcp.gemini",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "watsonx": "ibm.watsonx.ai",
    "perplexity": "perplexity",
    "xai": "x_ai",
    "deepseek": "deepseek",
    "groq": "groq",
    "mistral": "mistral_ai",
}

# call_type (without the async "a" prefix) -> gen_ai.operation.name
_OPERATIONS = {
    "completion": "chat",
    "text_completion": "text_completion",
    "embedding": "embeddings",
    "responses": "chat",
    "generate_content": "generate_content",
    "image_generation": "image_generation",
    "transcription": "transcription",
    "speech": "speech",
    "rerank": "rerank",
    "moderation": "moderation",
}

# model_parameters key -> gen_ai.request.* attribute
_REQUEST_PARAMS = {
    "temperature": "gen_ai.request.temperature",
    "max_tokens": "gen_ai.request.max_tokens",
    "max_completion_tokens": "gen_ai.request.max_tokens",
    "top_p": "gen_ai.request.top_p",
    "top_k": "gen_ai.request.top_k",
    "frequency_penalty": "gen_ai.request.frequency_penalty",
    "presence_penalty": "gen_ai.request.presence_penalty",
    "seed": "gen_ai.request.seed",
}

# Metric attributes: the conventions' low-cardinality set (never ids, costs or content).
_METRIC_KEYS = (
    "gen_ai.operation.name",
    "gen_ai.provider.name",
    "gen_ai.request.model",
    "gen_ai.response.model",
    "server.address",
    "server.port",
    "error.type",
)

# Bucket advice from the GenAI metric conventions.
_DURATION_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)
_TOKEN_BUCKETS = (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864)

_MAX_STATUS_CHARS = 1024


# ------------------------------------------------------------------------- payload -> GenAI attributes


def operation_name(call_type: str | None) -> str:
    """``gen_ai.operation.name`` for a LiteLLM call type (``acompletion`` -> ``chat``)."""
    name = (call_type or "completion").strip()
    if name not in _OPERATIONS and name.startswith("a") and name[1:] in _OPERATIONS:
        name = name[1:]
    return _OPERATIONS.get(name, name)


def provider_name(custom_llm_provider: str | None) -> str:
    """``gen_ai.provider.name``: the conventions' well-known value, else LiteLLM's provider name."""
    provider = (custom_llm_provider or "").strip()
    return _PROVIDER_NAMES.get(provider, provider or "unknown")


def request_model(payload: Mapping[str, Any]) -> str:
    """The model name as sent to the provider (``openai/gpt-4o`` -> ``gpt-4o``): the payload's ``model``,
    which has no provider prefix (``hidden_params.litellm_model_name`` is the name as the caller passed
    it, prefix included, as in LiteLLM)."""
    model = str(payload.get("model") or "")
    provider = payload.get("custom_llm_provider")
    if provider and model.startswith(f"{provider}/"):
        return model[len(provider) + 1 :]
    return model


def server_address(api_base: str | None) -> tuple[str | None, int | None]:
    """Host and port of the provider endpoint (never user info, path or query)."""
    if not api_base:
        return None, None
    try:
        parts = urlsplit(api_base if "://" in api_base else f"https://{api_base}")
        port = parts.port or (443 if parts.scheme == "https" else 80 if parts.scheme == "http" else None)
        return parts.hostname, port
    except ValueError:
        return None, None


def _get(obj: Any, key: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key)
    return getattr(obj, key, None)


def usage_details(payload: Mapping[str, Any]) -> dict[str, int]:
    """Token counts: input, output, total, and cache_read / cache_creation / reasoning when non-zero."""
    out = {
        "input": int(payload.get("prompt_tokens") or 0),
        "output": int(payload.get("completion_tokens") or 0),
        "total": int(payload.get("total_tokens") or 0),
    }
    usage = (payload.get("hidden_params") or {}).get("usage_object")
    if usage is None:
        usage = _get(payload.get("response"), "usage")
    if usage is None:
        return out
    cache_read = _get(usage, "cache_read_input_tokens") or _get(
        _get(usage, "prompt_tokens_details"), "cached_tokens"
    )
    cache_creation = _get(usage, "cache_creation_input_tokens")
    reasoning = _get(_get(usage, "completion_tokens_details"), "reasoning_tokens")
    for key, value in (
        ("cache_read", cache_read),
        ("cache_creation", cache_creation),
        ("reasoning", reasoning),
    ):
        try:
            if value and int(value) > 0:
                out[key] = int(value)
        except (TypeError, ValueError):
            pass
    return out


def _response(payload: Mapping[str, Any]) -> Mapping[str, Any] | None:
    response = payload.get("response")
    return response if isinstance(response, Mapping) else None


def span_name(payload: Mapping[str, Any]) -> str:
    model = request_model(payload)
    op = operation_name(payload.get("call_type"))
    return f"{op} {model}" if model else op


def span_attributes(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The span's attributes for one call, without message content (see :func:`content_attributes`)."""
    attrs: dict[str, Any] = {
        "gen_ai.operation.name": operation_name(payload.get("call_type")),
        "gen_ai.provider.name": provider_name(payload.get("custom_llm_provider")),
        "gen_ai.request.model": request_model(payload),
    }
    params = payload.get("model_parameters") or {}
    for key, attr in _REQUEST_PARAMS.items():
        value = params.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and attr not in attrs:
            attrs[attr] = value
    stop = params.get("stop")
    if stop:
        attrs["gen_ai.request.stop_sequences"] = [stop] if isinstance(stop, str) else [str(s) for s in stop]
    n = params.get("n")
    if isinstance(n, int) and n != 1:
        attrs["gen_ai.request.choice.count"] = n
    if payload.get("stream"):
        attrs["gen_ai.request.stream"] = True
    response = _response(payload)
    if response is not None:
        if response.get("model"):
            attrs["gen_ai.response.model"] = str(response["model"])
        if response.get("id"):
            attrs["gen_ai.response.id"] = str(response["id"])
        reasons = [c.get("finish_reason") for c in response.get("choices") or () if isinstance(c, Mapping)]
        reasons = [str(r) for r in reasons if r]
        if reasons:
            attrs["gen_ai.response.finish_reasons"] = reasons
    if payload.get("status") != "failure":
        usage = usage_details(payload)
        attrs["gen_ai.usage.input_tokens"] = usage["input"]
        attrs["gen_ai.usage.output_tokens"] = usage["output"]
        for key, attr in (
            ("cache_read", "gen_ai.usage.cache_read.input_tokens"),
            ("cache_creation", "gen_ai.usage.cache_creation.input_tokens"),
            ("reasoning", "gen_ai.usage.reasoning.output_tokens"),
        ):
            if key in usage:
                attrs[attr] = usage[key]
    cost = payload.get("response_cost")
    if isinstance(cost, (int, float)) and not isinstance(cost, bool):
        attrs["gen_ai.usage.cost"] = float(cost)
    host, port = server_address(payload.get("api_base") or None)
    if host:
        attrs["server.address"] = host
    if port:
        attrs["server.port"] = port
    if payload.get("status") == "failure":
        info = payload.get("error_information") or {}
        attrs["error.type"] = str(info.get("error_class") or info.get("error_code") or "_OTHER")
        if info.get("error_code"):
            attrs["litellm.error.code"] = str(info["error_code"])
    if payload.get("stream"):
        start, first = payload.get("startTime"), payload.get("completionStartTime")
        if isinstance(start, (int, float)) and isinstance(first, (int, float)) and first >= start:
            attrs["gen_ai.response.time_to_first_chunk"] = float(first) - float(start)
    call_id = payload.get("litellm_call_id") or payload.get("id")
    if call_id:
        attrs["litellm.call_id"] = str(call_id)
    if payload.get("session_id"):
        attrs["gen_ai.conversation.id"] = str(payload["session_id"])
    if payload.get("call_type"):
        attrs["litellm.call_type"] = str(payload["call_type"])
    if payload.get("model"):
        attrs["litellm.model"] = str(payload["model"])
    if payload.get("model_group"):
        attrs["litellm.model_group"] = str(payload["model_group"])
    if payload.get("cache_hit") is not None:
        attrs["litellm.cache_hit"] = bool(payload["cache_hit"])
    tags = payload.get("request_tags")
    if tags:
        attrs["litellm.request.tags"] = [str(t) for t in tags]
    if payload.get("end_user"):
        attrs["user.id"] = str(payload["end_user"])
    return attrs


def _text_parts(content: Any) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "content": content}]
    parts: list[dict[str, Any]] = []
    if isinstance(content, list):
        for item in content:
            if not isinstance(item, Mapping):
                parts.append({"type": "text", "content": str(item)})
                continue
            kind = item.get("type")
            if kind == "text":
                parts.append({"type": "text", "content": item.get("text", "")})
            elif kind == "image_url":
                url = item.get("image_url")
                url = url.get("url") if isinstance(url, Mapping) else url
                if isinstance(url, str) and url.startswith("data:"):
                    # inline bytes would balloon every span; keep the kind, not the data
                    parts.append({"type": "blob", "modality": "image", "mime_type": url[5:].split(";")[0]})
                else:
                    parts.append({"type": "uri", "modality": "image", "uri": url})
            else:
                parts.append({"type": str(kind or "unknown")})
        return parts
    return [{"type": "text", "content": str(content)}]


def _arguments(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _tool_call_parts(tool_calls: Any) -> list[dict[str, Any]]:
    parts = []
    for call in tool_calls or ():
        if not isinstance(call, Mapping):
            continue
        function = call.get("function") or {}
        parts.append(
            {
                "type": "tool_call",
                "id": call.get("id"),
                "name": function.get("name"),
                "arguments": _arguments(function.get("arguments")),
            }
        )
    return parts


def input_messages(messages: Any) -> list[dict[str, Any]]:
    """OpenAI-format messages -> the GenAI conventions' ``gen_ai.input.messages`` structure."""
    out: list[dict[str, Any]] = []
    if isinstance(messages, str):
        return [{"role": "user", "parts": _text_parts(messages)}]
    for message in messages or ():
        if not isinstance(message, Mapping):
            continue
        role = str(message.get("role") or "user")
        if role == "tool":
            parts: list[dict[str, Any]] = [
                {
                    "type": "tool_call_response",
                    "id": message.get("tool_call_id"),
                    "response": message.get("content"),
                }
            ]
        else:
            parts = _text_parts(message.get("content")) + _tool_call_parts(message.get("tool_calls"))
        out.append({"role": role, "parts": parts})
    return out


def output_messages(response: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """A chat response's choices -> ``gen_ai.output.messages``."""
    out: list[dict[str, Any]] = []
    if not isinstance(response, Mapping):
        return out
    for choice in response.get("choices") or ():
        if not isinstance(choice, Mapping):
            continue
        message = choice.get("message") or choice.get("delta") or {}
        parts = _text_parts(message.get("content")) if isinstance(message, Mapping) else []
        if isinstance(message, Mapping):
            parts += _tool_call_parts(message.get("tool_calls"))
        if not parts and choice.get("text") is not None:  # text completion
            parts = _text_parts(choice.get("text"))
        out.append(
            {
                "role": (message.get("role") if isinstance(message, Mapping) else None) or "assistant",
                "parts": parts,
                "finish_reason": choice.get("finish_reason") or "",
            }
        )
    return out


def content_attributes(payload: Mapping[str, Any]) -> dict[str, str]:
    """Message content as JSON text attributes (``gen_ai.input.messages``, ``gen_ai.output.messages``)."""
    attrs: dict[str, str] = {}
    messages = input_messages(payload.get("messages"))
    if messages:
        attrs["gen_ai.input.messages"] = json.dumps(messages, default=str, ensure_ascii=False)
    outputs = output_messages(_response(payload))
    if outputs:
        attrs["gen_ai.output.messages"] = json.dumps(outputs, default=str, ensure_ascii=False)
    return attrs


def metric_attributes(span_attrs: Mapping[str, Any]) -> dict[str, Any]:
    """The low-cardinality subset of a span's attributes that metrics carry."""
    return {k: span_attrs[k] for k in _METRIC_KEYS if k in span_attrs}


def _failure_message(payload: Mapping[str, Any]) -> str:
    info = payload.get("error_information") or {}
    return str(payload.get("error_str") or info.get("error_message") or "")[:_MAX_STATUS_CHARS]


def _exception_attributes(payload: Mapping[str, Any]) -> dict[str, str]:
    info = payload.get("error_information") or {}
    return {
        "exception.type": str(info.get("error_class") or "Exception"),
        "exception.message": _failure_message(payload),
    }
