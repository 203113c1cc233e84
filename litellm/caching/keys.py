"""Cache keys: a stable sha256 over the parameters of a call that change its answer.

Owns :func:`get_cache_key` (the documented key function), the per-item keys of an embedding request,
the "scope" key of the semantic caches (everything but the prompt) and the text a semantic cache embeds.
Pure functions: no I/O, no settings reads beyond what the caller passes, no imports above ``core``.

What counts (the key material)
------------------------------
Every keyword argument of the call **except** the ones in :data:`NON_SEMANTIC_PARAMS` and except those
whose value is ``None``. So ``model``, ``messages`` / ``input`` / ``prompt``, every OpenAI parameter that
shapes the answer (``temperature``, ``top_p``, ``n``, ``max_tokens``, ``max_completion_tokens``, ``stop``,
``seed``, ``tools``, ``tool_choice``, ``response_format``, ``logit_bias``, ``logprobs``, ``reasoning_effort``,
``dimensions``, ``encoding_format``, ...), provider-specific extras sent as-is (``top_k``, ``extra_body``)
and ``custom_llm_provider`` / ``mock_response`` count. Credentials, endpoints, transport settings,
logging and bookkeeping arguments never count, and neither do ``stream`` / ``stream_options`` (a streamed
answer is stored whole and replayed, so streamed and non-streamed calls share entries) nor ``user`` (an
end-user id for abuse tracking; use ``cache={"namespace": ...}`` to keep users apart).

``model`` is replaced by the Router's caching group or model group when ``metadata`` carries them
(``metadata["caching_groups"]`` / ``metadata["model_group"]``), so every deployment of a group shares
entries, and ``model_id`` is appended when given (LiteLLM does the same).

The material is canonical JSON (sorted keys, no whitespace, pydantic objects as their dumps) hashed with
sha256; the hex digest is prefixed with ``<namespace>:`` where the namespace comes from the call's
``cache={"namespace": ...}``, then ``metadata["redis_namespace"]``, then the cache's own ``namespace``.
``litellm_params={"preset_cache_key": k}`` (or a top-level ``preset_cache_key``) returns ``k`` unchanged.
Sync and async twins (``completion`` / ``acompletion``) produce the same key: the call type is not part of
the material.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = [
    "NON_SEMANTIC_PARAMS",
    "PROMPT_PARAMS",
    "embedding_item_keys",
    "get_cache_key",
    "key_material",
    "namespace_of",
    "prompt_text",
    "semantic_scope_key",
]

#: kwargs that never enter the key: credentials, endpoints, transport, logging, cache control, bookkeeping
NON_SEMANTIC_PARAMS: frozenset[str] = frozenset(
    {
        # credentials and endpoints
        "api_key", "api_base", "base_url", "api_version", "organization", "azure_ad_token",
        "azure_ad_token_provider", "aws_access_key_id", "aws_secret_access_key", "aws_session_token",
        "vertex_credentials", "extra_headers", "headers", "client",
        # transport
        "timeout", "request_timeout", "stream_timeout", "num_retries", "max_retries", "retry_after",
        "drop_params", "stream", "stream_options",
        # logging and bookkeeping
        "metadata", "litellm_metadata", "callbacks", "success_callback", "failure_callback",
        "input_callback", "logger_fn", "litellm_logging_obj", "litellm_call_id", "litellm_trace_id",
        "litellm_session_id", "turn_off_message_logging", "no-log", "tags", "user", "proxy_server_request",
        "input_cost_per_token", "output_cost_per_token", "input_cost_per_second", "output_cost_per_second",
        "base_model", "model_info", "model_id", "model_list", "acompletion", "aembedding",
        "litellm_params", "preset_cache_key", "caching", "cache",
        # the Router's per-request attempt (a new object each time) and per-deployment limits
        "litellm_attempt", "max_parallel_requests", "verbose",
    }
)  # fmt: skip

_TENANT_FIELDS = ("user_api_key", "user_api_key_team_id", "user_api_key_org_id")

#: the kwargs that carry the prompt itself (left out of a semantic cache's scope key)
PROMPT_PARAMS: frozenset[str] = frozenset({"messages", "input", "prompt"})


def _default(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(exclude_none=True)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    name = getattr(value, "name", None)  # a file object (transcription): its name stands for it
    if isinstance(name, str):
        return {"file": name}
    return repr(value)


# one shared encoder: json.dumps with options builds a new one per call (same bytes either way)
_encode_key = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
).encode


def _model_value(kwargs: Mapping[str, Any]) -> Any:
    metadata = kwargs.get("metadata") or {}
    lp_meta = (kwargs.get("litellm_params") or {}).get("metadata") or {}
    model_group = metadata.get("model_group") or lp_meta.get("model_group")
    groups = metadata.get("caching_groups") or lp_meta.get("caching_groups") or ()
    if model_group:
        for group in groups:
            if model_group in group:
                return sorted(group)
        return model_group
    model = kwargs.get("model")
    model_id = kwargs.get("model_id")
    return f"{model} model_id: {model_id}" if model_id is not None else model


def key_material(kwargs: Mapping[str, Any], exclude: frozenset[str] = frozenset()) -> str:
    """The canonical JSON the key hashes (exposed so users can see exactly what counted)."""
    material: dict[str, Any] = {}
    for name, value in kwargs.items():
        if value is None or name in NON_SEMANTIC_PARAMS or name in exclude:
            continue
        material[name] = value
    if "model" not in exclude:
        material["model"] = _model_value(kwargs)
    return _encode_key(material)


def namespace_of(kwargs: Mapping[str, Any], default: str | None = None) -> str | None:
    control = kwargs.get("cache")
    if isinstance(control, Mapping) and control.get("namespace"):
        return str(control["namespace"])
    metadata = kwargs.get("metadata") or {}
    return metadata.get("redis_namespace") or default


def _preset(kwargs: Mapping[str, Any]) -> str | None:
    lp = kwargs.get("litellm_params")
    if isinstance(lp, Mapping) and lp.get("preset_cache_key"):
        return str(lp["preset_cache_key"])
    preset = kwargs.get("preset_cache_key")
    return str(preset) if preset else None


def _hashed(material: str, kwargs: Mapping[str, Any], namespace: str | None) -> str:
    digest = hashlib.sha256(material.encode()).hexdigest()
    ns = namespace_of(kwargs, namespace)
    return f"{ns}:{digest}" if ns else digest


def get_cache_key(namespace: str | None = None, **kwargs: Any) -> str:
    """The cache key of a call made with ``kwargs`` (see the module docstring for what counts).

    ``namespace`` is the cache's default namespace; a per-call ``cache={"namespace": ...}`` wins.
    """
    preset = _preset(kwargs)
    if preset is not None:
        return preset
    return _hashed(key_material(kwargs), kwargs, namespace)


def embedding_item_keys(kwargs: Mapping[str, Any], namespace: str | None = None) -> list[str]:
    """One key per input item of an embedding call: the key of the same call made with that item alone.

    A list of token ids (``[1, 2, 3]``) is one item; a list of strings or of token lists is one item each.
    """
    items = embedding_items(kwargs.get("input"))
    base = dict(kwargs)
    keys = []
    for item in items:
        base["input"] = item
        keys.append(_hashed(key_material(base), kwargs, namespace))
    return keys


def embedding_items(value: Any) -> list[Any]:
    if isinstance(value, list) and value and not all(isinstance(x, int) for x in value):
        return list(value)
    return [value]


def semantic_scope_key(kwargs: Mapping[str, Any], namespace: str | None = None) -> str:
    """The key of everything but the prompt: a semantic cache only matches entries with the same scope.

    The proxy's tenant (``metadata["user_api_key"]``, ``user_api_key_team_id``, ``user_api_key_org_id``)
    is part of the scope, so a similar prompt from another key, team or organisation never matches.
    """
    material = key_material(kwargs, exclude=PROMPT_PARAMS)
    metadata = kwargs.get("metadata") or {}
    tenant = [str(metadata.get(name) or "") for name in _TENANT_FIELDS]
    if any(tenant):
        material += "|tenant:" + "|".join(tenant)
    return _hashed(material, kwargs, namespace)


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, Mapping) and isinstance(part.get("text"), str):
                parts.append(part["text"])
            elif isinstance(part, str):
                parts.append(part)
        return " ".join(parts)
    return ""


def prompt_text(kwargs: Mapping[str, Any]) -> str:
    """The text a semantic cache embeds: every message's text content in order, or the prompt / input."""
    messages = kwargs.get("messages")
    if messages:
        texts = []
        for message in messages:
            content = (
                message.get("content") if isinstance(message, Mapping) else getattr(message, "content", None)
            )
            text = _content_text(content)
            if text:
                texts.append(text)
        return "\n".join(texts)
    for name in ("prompt", "input"):
        value = kwargs.get(name)
        if isinstance(value, str):
            return value
        if isinstance(value, list) and all(isinstance(x, str) for x in value):
            return "\n".join(value)
    return ""
