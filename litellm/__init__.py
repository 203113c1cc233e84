"""litellm: call any LLM in the OpenAI format; every call yields one typed, costed logging record.

This module is a facade. It holds LiteLLM's documented module settings (``litellm.callbacks``,
``litellm.drop_params``, ...) by forwarding them to :mod:`litellm.core.settings`, and re-exports the
public functions and types lazily: nothing heavy is imported, no environment is read, no thread is
started and no logging is configured by ``import litellm``.
"""

from __future__ import annotations

import sys
import types as _types
from importlib import import_module
from typing import TYPE_CHECKING, Any

from litellm.calls.registry import CALLS as _CALLS
from litellm.core.settings import settings as _settings

__version__ = "0.1.0"

# public name -> "module:attribute"; resolved on first access, then cached in the module dict
_LAZY: dict[str, str] = {
    # every call function (chat, embeddings, images, audio, rerank, batch helpers, Responses, files,
    # batches, fine-tuning, assistants) comes from the one call registry, below; these are the rest
    "stream_chunk_builder": "litellm.calls.streaming:stream_chunk_builder",
    "CustomStreamWrapper": "litellm.calls.streaming:CustomStreamWrapper",
    "flush_callbacks": "litellm.calls.pipeline:flush_callbacks",
    "callback_stats": "litellm.calls.pipeline:callback_stats",
    "modify_integration": "litellm.integrations.registry:modify_integration",
    "CallbackConfigWarning": "litellm.dispatch.callbacks:CallbackConfigWarning",
    "_turn_on_debug": "litellm.core.log:turn_on_debug",
    "ModelResponse": "litellm.core.types:ModelResponse",
    "ModelResponseStream": "litellm.core.types:ModelResponseStream",
    "Message": "litellm.core.types:Message",
    "Choices": "litellm.core.types:Choices",
    "StreamingChoices": "litellm.core.types:StreamingChoices",
    "Delta": "litellm.core.types:Delta",
    "Usage": "litellm.core.types:Usage",
    "Function": "litellm.core.types:Function",
    "ChatCompletionMessageToolCall": "litellm.core.types:ChatCompletionMessageToolCall",
    "ChatCompletionDeltaToolCall": "litellm.core.types:ChatCompletionDeltaToolCall",
    "EmbeddingResponse": "litellm.core.types:EmbeddingResponse",
    "PromptTokensDetailsWrapper": "litellm.core.types:PromptTokensDetailsWrapper",
    "CompletionTokensDetailsWrapper": "litellm.core.types:CompletionTokensDetailsWrapper",
    "get_supported_openai_params": "litellm.providers.params:get_supported_openai_params",
    "validate_environment": "litellm.providers.environment:validate_environment",
    "get_valid_models": "litellm.providers.environment:get_valid_models",
    "check_valid_key": "litellm.calls.pipeline:check_valid_key",
    "get_llm_provider": "litellm.providers.registry:get_llm_provider",
    "provider_list": "litellm.providers.registry:PROVIDER_LIST",
    "completion_cost": "litellm.cost.calculator:completion_cost",
    "cost_per_token": "litellm.cost.calculator:cost_per_token",
    "get_model_info": "litellm.cost.model_info:get_model_info",
    "get_max_tokens": "litellm.cost.model_info:get_max_tokens",
    "supports_function_calling": "litellm.cost.model_info:supports_function_calling",
    "supports_parallel_function_calling": "litellm.cost.model_info:supports_parallel_function_calling",
    "supports_vision": "litellm.cost.model_info:supports_vision",
    "supports_pdf_input": "litellm.cost.model_info:supports_pdf_input",
    "supports_audio_input": "litellm.cost.model_info:supports_audio_input",
    "supports_audio_output": "litellm.cost.model_info:supports_audio_output",
    "supports_web_search": "litellm.cost.model_info:supports_web_search",
    "supports_response_schema": "litellm.cost.model_info:supports_response_schema",
    "supports_prompt_caching": "litellm.cost.model_info:supports_prompt_caching",
    "supports_reasoning": "litellm.cost.model_info:supports_reasoning",
    "supports_system_messages": "litellm.cost.model_info:supports_system_messages",
    "supports_tool_choice": "litellm.cost.model_info:supports_tool_choice",
    "register_model": "litellm.cost.price_map:register_model",
    "token_counter": "litellm.cost.tokens:token_counter",
    "encode": "litellm.cost.tokens:encode",
    "decode": "litellm.cost.tokens:decode",
    "create_pretrained_tokenizer": "litellm.cost.tokens:create_pretrained_tokenizer",
    "create_tokenizer": "litellm.cost.tokens:create_tokenizer",
    "trim_messages": "litellm.cost.tokens:trim_messages",
    "BudgetManager": "litellm.cost.budget:BudgetManager",
    "TextCompletionResponse": "litellm.core.types_calls:TextCompletionResponse",
    "TextChoices": "litellm.core.types_calls:TextChoices",
    "ImageResponse": "litellm.core.types_calls:ImageResponse",
    "ImageObject": "litellm.core.types_calls:ImageObject",
    "ModerationResponse": "litellm.core.types_calls:ModerationResponse",
    "TranscriptionResponse": "litellm.core.types_calls:TranscriptionResponse",
    "HttpxBinaryResponseContent": "litellm.core.types_calls:HttpxBinaryResponseContent",
    "RerankResponse": "litellm.core.types_calls:RerankResponse",
    "alist_files": "litellm.calls.files:alist_files",
    "aretrieve_file": "litellm.calls.files:aretrieve_file",
    "adelete_file": "litellm.calls.files:adelete_file",
    "list_input_items": "litellm.calls.responses:list_input_items",
    "alist_input_items": "litellm.calls.responses:alist_input_items",
    "run_thread_stream": "litellm.calls.assistants:run_thread_stream",
    "arun_thread_stream": "litellm.calls.assistants:arun_thread_stream",
    "Router": "litellm.router.router:Router",
    "Cache": "litellm.caching.caching:Cache",
    "enable_cache": "litellm.caching.caching:enable_cache",
    "disable_cache": "litellm.caching.caching:disable_cache",
    "update_cache": "litellm.caching.caching:update_cache",
    "function_to_dict": "litellm.utils:function_to_dict",
    "register_prompt_template": "litellm.prompt_templates:register_prompt_template",
    "custom_prompt_dict": "litellm.prompt_templates:custom_prompt_dict",
    "completion_with_retries": "litellm.calls.retries:completion_with_retries",
    "acompletion_with_retries": "litellm.calls.retries:acompletion_with_retries",
    "DualCache": "litellm.caching.dual_cache:DualCache",
    "RedisCache": "litellm.caching.redis_cache:RedisCache",
    "InMemoryCache": "litellm.caching.in_memory_cache:InMemoryCache",
}
# the call functions, by the same table the Router, cache and proxy resolve them with
_LAZY.update(_CALLS)

# subpackages reachable as attributes (``litellm.caching.Cache``) without an explicit import; the
# value is the module to load ("fine_tuning" is LiteLLM's ``litellm.fine_tuning.jobs`` namespace)
_SUBMODULES: dict[str, str] = {
    "caching": "litellm.caching",
    "router": "litellm.router",
    "utils": "litellm.utils",
    "types": "litellm.types",
    "fine_tuning": "litellm.calls.fine_tuning",
    "experimental_mcp_client": "litellm.experimental_mcp_client",
    "integrations": "litellm.integrations",
    "proxy": "litellm.proxy",
}

_EXCEPTIONS = (
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "AuthenticationError",
    "BadGatewayError",
    "BadRequestError",
    "BudgetExceededError",
    "ContentPolicyViolationError",
    "ContextWindowExceededError",
    "InternalServerError",
    "JSONSchemaValidationError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServiceUnavailableError",
    "Timeout",
    "UnprocessableEntityError",
    "UnsupportedParamsError",
)
# exceptions subclass openai's: their module imports openai, so it loads on first touch only
_LAZY.update({name: f"litellm.core.exceptions:{name}" for name in _EXCEPTIONS})

_SETTING_NAMES = _settings.names()

__all__ = sorted([*_LAZY, *_SETTING_NAMES, *_SUBMODULES, "model_cost", "__version__"])


def __getattr__(name: str) -> Any:
    if name in _SETTING_NAMES:
        return getattr(_settings, name)
    target = _LAZY.get(name)
    if target is not None:
        module_name, _, attr = target.partition(":")
        value = getattr(import_module(module_name), attr)
        globals()[name] = value
        return value
    if name == "model_cost":
        return import_module("litellm.cost.price_map").get_model_cost_map()
    module = _SUBMODULES.get(name)
    if module is not None:
        return import_module(module)
    raise AttributeError(f"module 'litellm' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__


def _reset_for_tests() -> None:
    """Restore every module setting to its default (test isolation)."""
    _settings.reset()


class _Facade(_types.ModuleType):
    """Writes to setting names land in the shared settings object the core reads."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SETTING_NAMES:
            setattr(_settings, name, value)
        else:
            super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        if name in _SETTING_NAMES:  # deleting a setting restores its default (monkeypatch undo)
            _settings.reset_one(name)
        else:
            super().__delattr__(name)


sys.modules[__name__].__class__ = _Facade

if TYPE_CHECKING:  # pragma: no cover - names for type checkers and IDEs
    from litellm.calls.pipeline import acompletion, completion, embedding  # noqa: F401
    from litellm.core.exceptions import *  # noqa: F403
    from litellm.core.types import *  # noqa: F403
