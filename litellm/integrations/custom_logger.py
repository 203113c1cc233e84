"""``CustomLogger``: the plugin interface users subclass to receive logging events.

Owns the hook names and signatures LiteLLM documents (``log_success_event``, ``async_log_failure_event``,
``logging_hook``, the proxy hooks, ...), each a no-op here so a subclass overrides only what it needs.
The dispatcher (``litellm.dispatch.dispatcher``) decides which hook runs, when and where: it calls hooks
positionally, sync hooks for sync calls and async hooks for async calls, on its own worker and loop.

Must not: import anything heavy or anything from the package root (users import this module directly
to subclass it), hold state beyond the two redaction flags, or do I/O.

Routing summary (see ``litellm.dispatch.dispatcher`` for the full rules):

* ``log_pre_api_call`` fires once per call, sync or async; ``async_log_pre_api_call`` is kept for
  signature compatibility but, as in LiteLLM, is not called.
* success / failure / stream: the hook matching the call's mode (``completion`` -> ``log_*``,
  ``acompletion`` -> ``async_log_*``); a logger that overrides only the other one gets that one. One
  hook per event, never both.
* ``logging_hook`` / ``async_logging_hook`` run before any destination sees the event and may return
  changed ``(kwargs, result)``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

__all__ = ["CustomLogger"]


class CustomLogger:
    """Base class for user loggers; every hook is a no-op (see the module docstring for routing)."""

    def __init__(
        self, turn_off_message_logging: bool = False, message_logging: bool = True, **kwargs: Any
    ) -> None:
        # ``message_logging=False`` is LiteLLM's older spelling of ``turn_off_message_logging=True``.
        self.message_logging = message_logging
        self.turn_off_message_logging = turn_off_message_logging

    # -- per-call logging hooks (SDK and proxy) ----------------------------------------------------

    def log_pre_api_call(self, model: Any, messages: Any, kwargs: Any) -> None:
        pass

    def log_post_api_call(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        pass

    def log_stream_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        pass

    def log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        pass

    def log_failure_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        pass

    async def async_log_pre_api_call(self, model: Any, messages: Any, kwargs: Any) -> None:
        pass

    async def async_log_stream_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        pass

    async def async_log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        pass

    async def async_log_failure_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        pass

    def logging_hook(self, kwargs: dict, result: Any, call_type: str) -> tuple[dict, Any]:
        """Change or mask what gets logged; runs before any destination sees the event."""
        return kwargs, result

    async def async_logging_hook(self, kwargs: dict, result: Any, call_type: str) -> tuple[dict, Any]:
        """Async twin of :meth:`logging_hook`, used for async calls."""
        return kwargs, result

    def flush(self, timeout: float | None = None) -> bool:
        """Deliver anything buffered; integration loggers override it. True when nothing is left."""
        return True

    # -- LiteLLM's single-use helpers, kept for code that calls them directly ----------------------

    def log_input_event(
        self, model: Any, messages: Any, kwargs: dict, print_verbose: Any, callback_func: Any
    ) -> None:
        callback_func(_as_input_event(kwargs, model, messages))

    async def async_log_input_event(
        self, model: Any, messages: Any, kwargs: dict, print_verbose: Any, callback_func: Any
    ) -> None:
        await callback_func(_as_input_event(kwargs, model, messages))

    def log_event(
        self,
        kwargs: dict,
        response_obj: Any,
        start_time: Any,
        end_time: Any,
        print_verbose: Any,
        callback_func: Any,
    ) -> None:
        kwargs["log_event_type"] = "post_api_call"
        callback_func(kwargs, response_obj, start_time, end_time)

    async def async_log_event(
        self,
        kwargs: dict,
        response_obj: Any,
        start_time: Any,
        end_time: Any,
        print_verbose: Any,
        callback_func: Any,
    ) -> None:
        kwargs["log_event_type"] = "post_api_call"
        await callback_func(kwargs, response_obj, start_time, end_time)

    # -- proxy / router hooks: no-ops here so subclasses written for LiteLLM's proxy keep working ---

    async def async_pre_call_hook(
        self, user_api_key_dict: Any, cache: Any, data: dict, call_type: Any
    ) -> Any:
        return None

    async def async_post_call_success_hook(self, data: dict, user_api_key_dict: Any, response: Any) -> Any:
        return None

    async def async_post_call_failure_hook(
        self,
        request_data: dict,
        original_exception: Exception,
        user_api_key_dict: Any,
        traceback_str: str | None = None,
    ) -> Any:
        return None

    async def async_moderation_hook(self, data: dict, user_api_key_dict: Any, call_type: Any) -> Any:
        return None

    async def async_post_call_streaming_hook(self, user_api_key_dict: Any, response: Any) -> Any:
        return None

    async def async_post_call_streaming_iterator_hook(
        self, user_api_key_dict: Any, response: Any, request_data: dict
    ) -> AsyncGenerator[Any, None]:
        async for item in response:
            yield item

    async def async_post_call_response_headers_hook(
        self,
        data: dict,
        user_api_key_dict: Any,
        response: Any,
        request_headers: dict | None = None,
        litellm_call_info: dict | None = None,
    ) -> dict | None:
        return None

    async def async_pre_request_hook(self, model: str, messages: list, kwargs: dict) -> dict | None:
        return None

    async def async_pre_routing_hook(
        self,
        model: str,
        request_kwargs: dict,
        messages: list | None = None,
        input: Any = None,
        specific_deployment: bool | None = False,
    ) -> Any:
        return None

    async def async_filter_deployments(
        self,
        model: str,
        healthy_deployments: list,
        messages: list | None,
        request_kwargs: dict | None = None,
        parent_otel_span: Any = None,
    ) -> list:
        return healthy_deployments

    async def async_pre_call_deployment_hook(self, kwargs: dict, call_type: Any) -> dict | None:
        return None

    async def async_pre_call_check(self, deployment: dict, parent_otel_span: Any = None) -> dict | None:
        return None

    def pre_call_check(self, deployment: dict) -> dict | None:
        return None

    async def async_post_call_success_deployment_hook(
        self, request_data: dict, response: Any, call_type: Any
    ) -> Any:
        return None

    async def async_post_call_failure_deployment_hook(
        self, request_data: Any, exception: Exception, call_type: Any, fallback_depth: int | None = None
    ) -> None:
        return None

    async def async_post_call_streaming_deployment_hook(
        self, request_data: dict, response_chunk: Any, call_type: Any
    ) -> Any:
        return None

    async def async_filter_listed_models(self, user_api_key_dict: Any, model_names: Any) -> Any:
        return model_names

    async def log_model_group_rate_limit_error(self, exception: Exception, original_kwargs: dict) -> None:
        return None

    async def log_success_fallback_event(
        self, original_model_group: str, kwargs: dict, original_exception: Exception
    ) -> None:
        return None

    async def log_failure_fallback_event(
        self, original_model_group: str, kwargs: dict, original_exception: Exception
    ) -> None:
        return None

    async def async_log_audit_log_event(self, audit_log: Any) -> None:
        return None

    async def async_dataset_hook(self, logged_item: Any, standard_logging_payload: Any) -> Any:
        return logged_item

    def get_chat_completion_prompt(
        self,
        model: str,
        messages: list,
        non_default_params: dict,
        prompt_id: str | None = None,
        prompt_variables: dict | None = None,
        dynamic_callback_params: Any = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[str, list, dict]:
        return model, messages, non_default_params

    async def async_get_chat_completion_prompt(
        self,
        model: str,
        messages: list,
        non_default_params: dict,
        prompt_id: str | None = None,
        prompt_variables: dict | None = None,
        dynamic_callback_params: Any = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[str, list, dict]:
        return model, messages, non_default_params

    def translate_completion_input_params(self, kwargs: dict) -> Any:
        return None

    def translate_completion_output_params(self, response: Any) -> Any:
        return None

    def translate_completion_output_params_streaming(self, completion_stream: Any) -> Any:
        return None


def _as_input_event(kwargs: dict, model: Any, messages: Any) -> dict:
    # One place for what the sync and async input-event helpers add: the same dict, filled in place.
    kwargs["model"] = model
    kwargs["messages"] = messages
    kwargs["log_event_type"] = "pre_api_call"
    return kwargs
