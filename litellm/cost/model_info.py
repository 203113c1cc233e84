"""Model information and capability flags read from the price map: ``get_model_info``, ``get_max_tokens``
and the ``supports_*`` family, with ``model_alias_map`` and ``base_model`` handling.

Must not: price anything (``calculator`` does), fetch anything, or import the package root. Unknown models
raise :class:`ModelNotMappedError` (a plain ``Exception`` subclass, as in LiteLLM) from ``get_model_info``;
the ``supports_*`` helpers answer False for them instead, as LiteLLM's do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litellm.cost import price_map

__all__ = [
    "MODEL_INFO_KEYS",
    "ModelNotMappedError",
    "get_max_tokens",
    "get_model_info",
    "supports_audio_input",
    "supports_audio_output",
    "supports_computer_use",
    "supports_embedding_image_input",
    "supports_function_calling",
    "supports_native_streaming",
    "supports_parallel_function_calling",
    "supports_pdf_input",
    "supports_prompt_caching",
    "supports_reasoning",
    "supports_response_schema",
    "supports_system_messages",
    "supports_tool_choice",
    "supports_url_context",
    "supports_video_input",
    "supports_vision",
    "supports_web_search",
]


class ModelNotMappedError(Exception):
    """The model has no price-map entry. Carries ``model`` and ``custom_llm_provider``."""

    def __init__(self, model: str, custom_llm_provider: str | None = None, detail: str | None = None) -> None:
        self.model = model
        self.custom_llm_provider = custom_llm_provider
        message = (
            f"This model isn't mapped yet. model={model}, custom_llm_provider={custom_llm_provider}. "
            "Register its prices with litellm.register_model({"
            f'"{model}": {{"input_cost_per_token": ..., "output_cost_per_token": ..., '
            f'"litellm_provider": "{custom_llm_provider or "<provider>"}", "mode": "chat"}}}}), '
            "or pass input_cost_per_token / output_cost_per_token on the call."
        )
        if detail:
            message = f"{message} {detail}"
        super().__init__(message)


# LiteLLM's documented ModelInfo keys: always present in get_model_info's answer (None when the entry has no
# value), so callers can index them without a KeyError. Every other field of the entry is passed through.
MODEL_INFO_KEYS: tuple[str, ...] = (
    "key",
    "max_tokens",
    "max_input_tokens",
    "max_output_tokens",
    "input_cost_per_token",
    "input_cost_per_token_flex",
    "input_cost_per_token_priority",
    "cache_creation_input_token_cost",
    "cache_creation_input_token_cost_above_1hr",
    "cache_creation_input_token_cost_above_200k_tokens",
    "cache_read_input_token_cost",
    "cache_read_input_token_cost_flex",
    "cache_read_input_token_cost_priority",
    "cache_read_input_token_cost_above_200k_tokens",
    "cache_read_input_audio_token_cost",
    "input_cost_per_character",
    "input_cost_per_character_above_128k_tokens",
    "input_cost_per_token_above_128k_tokens",
    "input_cost_per_token_above_200k_tokens",
    "input_cost_per_query",
    "input_cost_per_second",
    "input_cost_per_audio_token",
    "input_cost_per_image_token",
    "input_cost_per_image",
    "input_cost_per_pixel",
    "input_cost_per_audio_per_second",
    "input_cost_per_video_per_second",
    "input_cost_per_token_batches",
    "output_cost_per_token_batches",
    "output_cost_per_token",
    "output_cost_per_token_flex",
    "output_cost_per_token_priority",
    "output_cost_per_audio_token",
    "output_cost_per_character",
    "output_cost_per_reasoning_token",
    "output_cost_per_token_above_128k_tokens",
    "output_cost_per_character_above_128k_tokens",
    "output_cost_per_token_above_200k_tokens",
    "output_cost_per_second",
    "output_cost_per_image",
    "output_cost_per_image_token",
    "output_cost_per_pixel",
    "output_vector_size",
    "citation_cost_per_token",
    "tiered_pricing",
    "litellm_provider",
    "mode",
    "supported_endpoints",
    "supported_modalities",
    "supported_output_modalities",
    "supports_system_messages",
    "supports_response_schema",
    "supports_vision",
    "supports_function_calling",
    "supports_parallel_function_calling",
    "supports_tool_choice",
    "supports_assistant_prefill",
    "supports_prompt_caching",
    "supports_audio_input",
    "supports_audio_output",
    "supports_video_input",
    "supports_pdf_input",
    "supports_embedding_image_input",
    "supports_native_streaming",
    "supports_web_search",
    "supports_url_context",
    "supports_reasoning",
    "supports_computer_use",
    "search_context_cost_per_query",
    "tpm",
    "rpm",
    "supported_openai_params",
)
_EMPTY_INFO: dict[str, Any] = dict.fromkeys(MODEL_INFO_KEYS)


def _alias(model: str, model_alias_map: Mapping[str, str] | None) -> str:
    if model_alias_map is None:
        from litellm.core.settings import settings

        model_alias_map = getattr(settings, "model_alias_map", None) or {}
    target = model_alias_map.get(model) if model_alias_map else None
    return target if isinstance(target, str) and target else model


def _rule_fill(model: str, entry_provider: str | None, info: dict[str, Any], mapped: bool) -> None:
    """Apply the map's fallback rules: on unmapped ids they give the family's facts (never prices); on mapped
    ids of the listed providers they only fill keys the entry leaves out."""
    for pattern, rule in price_map.compiled_rules():
        if not pattern.search(model):
            continue
        providers = rule.get("fill_missing_for_providers")
        if mapped and not (isinstance(providers, list) and entry_provider in providers):
            continue
        for field, value in rule["model_info"].items():
            if info.get(field) is None:
                info[field] = value


def get_model_info(
    model: str,
    custom_llm_provider: str | None = None,
    *,
    model_alias_map: Mapping[str, str] | None = None,
    base_model: str | None = None,
) -> dict[str, Any]:
    """LiteLLM's ModelInfo for ``model``: every documented key (None when not set) plus the entry's other
    fields, ``key`` naming the price-map entry used. ``base_model`` prices a deployment under another key
    (Azure deployment names); ``model_alias_map`` (default ``litellm.model_alias_map``) renames first.

    Raises :class:`ModelNotMappedError` when nothing in the map (nor a family rule) describes the model.
    """
    name = _alias(model, model_alias_map)
    found = None
    if base_model:
        found = price_map.resolve_entry(base_model, custom_llm_provider)
    if found is None:
        found = price_map.resolve_entry(name, custom_llm_provider)
    info = dict(_EMPTY_INFO)
    if found is None:
        _rule_fill(name, custom_llm_provider, info, mapped=False)
        if all(info[k] is None for k in ("mode", "litellm_provider", "max_input_tokens")):
            raise ModelNotMappedError(model, custom_llm_provider)
        if info.get("litellm_provider") is None:
            info["litellm_provider"] = custom_llm_provider or price_map.lookup_provider(name)
        info["key"] = name
    else:
        key, entry = found
        info.update(entry)
        info["key"] = key
        _rule_fill(name, entry.get("litellm_provider"), info, mapped=True)
    if info.get("max_tokens") is None:
        info["max_tokens"] = info.get("max_output_tokens") or info.get("max_input_tokens")
    if info.get("mode") in _NO_OUTPUT_MODES and info.get("output_cost_per_token") is None:
        info["output_cost_per_token"] = 0.0  # nothing is generated, so output is free (as LiteLLM says)
    return info


# modes whose models produce no output tokens: output is priced 0 and there is no output limit
_NO_OUTPUT_MODES = frozenset({"embedding", "rerank", "moderation"})


def get_max_tokens(model: str, custom_llm_provider: str | None = None) -> int | None:
    """The model's maximum output tokens (LiteLLM's ``max_tokens``), falling back to its input window;
    None for models that generate nothing (embedding, rerank, moderation), as in LiteLLM.
    Raises :class:`ModelNotMappedError` for an unknown model."""
    info = get_model_info(model, custom_llm_provider)
    if info.get("mode") in _NO_OUTPUT_MODES:
        return None
    value = info.get("max_tokens")
    return int(value) if isinstance(value, (int, float)) else None


def _supports(flag: str, model: str, custom_llm_provider: str | None) -> bool:
    """The entry's flag; when a provider's entry leaves the flag out (``azure/gpt-4o`` and PDF input),
    the same model's bare entry (``gpt-4o``) answers, as LiteLLM does. An explicit False stays False."""
    try:
        info = get_model_info(model, custom_llm_provider)
    except ModelNotMappedError:
        return False
    value = info.get(flag)
    if value is None:
        key = str(info.get("key") or "")
        bare = key.split("/", 1)[1] if "/" in key else None
        entry = price_map.get_model_cost_map().get(bare) if bare else None
        if isinstance(entry, Mapping):
            value = entry.get(flag)
    return value is True


def supports_function_calling(model: str, custom_llm_provider: str | None = None) -> bool:
    """True when the price map says the model takes ``tools`` / ``functions``; False when unknown."""
    return _supports("supports_function_calling", model, custom_llm_provider)


def supports_parallel_function_calling(model: str, custom_llm_provider: str | None = None) -> bool:
    """True when the model can return several tool calls in one turn."""
    return _supports("supports_parallel_function_calling", model, custom_llm_provider)


def supports_tool_choice(model: str, custom_llm_provider: str | None = None) -> bool:
    """True when the model honours ``tool_choice``."""
    return _supports("supports_tool_choice", model, custom_llm_provider)


def supports_vision(model: str, custom_llm_provider: str | None = None) -> bool:
    """True when the model accepts image input."""
    return _supports("supports_vision", model, custom_llm_provider)


def supports_pdf_input(model: str, custom_llm_provider: str | None = None) -> bool:
    """True when the model accepts PDF documents."""
    return _supports("supports_pdf_input", model, custom_llm_provider)


def supports_audio_input(model: str, custom_llm_provider: str | None = None) -> bool:
    """True when the model accepts audio input."""
    return _supports("supports_audio_input", model, custom_llm_provider)


def supports_audio_output(model: str, custom_llm_provider: str | None = None) -> bool:
    """True when the model can answer with audio."""
    return _supports("supports_audio_output", model, custom_llm_provider)


def supports_video_input(model: str, custom_llm_provider: str | None = None) -> bool:
    """True when the model accepts video input."""
    return _supports("supports_video_input", model, custom_llm_provider)


def supports_web_search(model: str, custom_llm_provider: str | None = None) -> bool:
    """True when the model has a built-in web search tool."""
    return _supports("supports_web_search", model, custom_llm_provider)


def supports_url_context(model: str, custom_llm_provider: str | None = None) -> bool:
    """True when the model can read URLs given in the prompt (Gemini URL context)."""
    return _supports("supports_url_context", model, custom_llm_provider)


def supports_response_schema(model: str, custom_llm_provider: str | None = None) -> bool:
    """True when the model honours a JSON schema ``response_format``."""
    return _supports("supports_response_schema", model, custom_llm_provider)


def supports_prompt_caching(model: str, custom_llm_provider: str | None = None) -> bool:
    """True when the provider caches prompts for this model (cached input billed at a lower rate)."""
    return _supports("supports_prompt_caching", model, custom_llm_provider)


def supports_reasoning(model: str, custom_llm_provider: str | None = None) -> bool:
    """True when the model reasons before answering (``reasoning_effort`` / thinking)."""
    return _supports("supports_reasoning", model, custom_llm_provider)


def supports_system_messages(model: str, custom_llm_provider: str | None = None) -> bool:
    """True when the model takes a ``system`` message."""
    return _supports("supports_system_messages", model, custom_llm_provider)


def supports_computer_use(model: str, custom_llm_provider: str | None = None) -> bool:
    """True when the model has a computer-use tool."""
    return _supports("supports_computer_use", model, custom_llm_provider)


def supports_embedding_image_input(model: str, custom_llm_provider: str | None = None) -> bool:
    """True when an embedding model embeds images."""
    return _supports("supports_embedding_image_input", model, custom_llm_provider)


def supports_native_streaming(model: str, custom_llm_provider: str | None = None) -> bool:
    """True when the provider streams this model natively."""
    return _supports("supports_native_streaming", model, custom_llm_provider)
