"""Cost truth: the price map, model info and capabilities, token counting, the cost calculator, budgets.

Modules: ``price_map`` (the data and lookups), ``model_info`` (``get_model_info``, ``supports_*``),
``calculator`` (``compute_cost``, ``cost_per_token``, ``completion_cost``), ``tokens`` (``token_counter``,
``encode``/``decode``, ``trim_messages``), ``budget`` (``BudgetManager``).

Importing this package loads nothing: every public name is resolved on first attribute access, and the price
map and tokenizer load on first use. Must not import the package root.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    # price_map
    "get_model_cost_map": "price_map",
    "register_model": "price_map",
    "lookup_provider": "price_map",
    "load_remote_cost_map": "price_map",
    "reset_model_cost_map": "price_map",
    # model_info
    "ModelNotMappedError": "model_info",
    "get_model_info": "model_info",
    "get_max_tokens": "model_info",
    "supports_function_calling": "model_info",
    "supports_parallel_function_calling": "model_info",
    "supports_tool_choice": "model_info",
    "supports_vision": "model_info",
    "supports_pdf_input": "model_info",
    "supports_audio_input": "model_info",
    "supports_audio_output": "model_info",
    "supports_video_input": "model_info",
    "supports_web_search": "model_info",
    "supports_url_context": "model_info",
    "supports_response_schema": "model_info",
    "supports_prompt_caching": "model_info",
    "supports_reasoning": "model_info",
    "supports_system_messages": "model_info",
    "supports_computer_use": "model_info",
    "supports_embedding_image_input": "model_info",
    "supports_native_streaming": "model_info",
    # calculator
    "CostResult": "calculator",
    "compute_cost": "calculator",
    "cost_per_token": "calculator",
    "completion_cost": "calculator",
    # tokens
    "token_counter": "tokens",
    "encode": "tokens",
    "decode": "tokens",
    "create_pretrained_tokenizer": "tokens",
    "create_tokenizer": "tokens",
    "trim_messages": "tokens",
    "get_modified_max_tokens": "tokens",
    # budget
    "BudgetManager": "budget",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'litellm.cost' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"litellm.cost.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
