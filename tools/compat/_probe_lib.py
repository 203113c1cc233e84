"""Helpers every snippet uses, identical in both interpreters (ours and LiteLLM 1.110.2).

Owns: the recording CustomLogger, waiting for callbacks to be delivered, resetting module settings
between snippets, and turning what users see (responses, payloads, kwargs, exceptions) into JSON-able
dicts. Imports only ``litellm``'s public API, so it runs unchanged against either implementation.

Must not: reach into either implementation's internals, or depend on timing beyond a bounded wait.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import litellm
from litellm.integrations.custom_logger import CustomLogger

MESSAGES = [{"role": "user", "content": "hello there friend"}]

# the running snippet's id: calls carry it in metadata, and recorders keep only events carrying it (a
# late event of an earlier snippet, delivered by a background logger, must not count for this one)
CURRENT = {"sid": ""}


def tag(metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return {**(metadata or {}), "compat_sid": CURRENT["sid"]}


def is_current(kwargs: Any) -> bool:
    try:
        meta = (kwargs.get("litellm_params") or {}).get("metadata") or kwargs.get("metadata") or {}
    except AttributeError:
        return False
    return meta.get("compat_sid") == CURRENT["sid"]


# the documented kwargs keys a logger reads (LiteLLM's docs, "Custom Callbacks")
KWARGS_KEYS = (
    "model",
    "messages",
    "optional_params",
    "litellm_params",
    "start_time",
    "end_time",
    "response_cost",
    "standard_logging_object",
    "litellm_call_id",
    "call_type",
    "stream",
    "custom_llm_provider",
    "complete_streaming_response",
    "exception",
    "traceback_exception",
    "log_event_type",
    "user",
)

PAYLOAD_FIELDS = (
    "call_type",
    "stream",
    "status",
    "model",
    "model_group",
    "custom_llm_provider",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "response_cost",
    "saved_cache_cost",
    "cache_hit",
    "request_tags",
    "end_user",
    "messages",
    "model_parameters",
    "error_str_present",
)


class Recorder(CustomLogger):
    """Records every hook call: its name, and the logger-visible values of its arguments."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, Any, Any]] = []

    def _add(self, name: str, kwargs: Any, response: Any = None) -> None:
        if is_current(kwargs):
            self.events.append((name, kwargs, response))

    def log_pre_api_call(self, model, messages, kwargs):
        self._add("log_pre_api_call", {"model_arg": model, **kwargs})

    def log_post_api_call(self, kwargs, response_obj, start_time, end_time):
        self._add("log_post_api_call", kwargs, response_obj)

    def log_stream_event(self, kwargs, response_obj, start_time, end_time):
        self._add("log_stream_event", kwargs, response_obj)

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self._add("log_success_event", kwargs, response_obj)

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self._add("log_failure_event", kwargs, response_obj)

    async def async_log_pre_api_call(self, model, messages, kwargs):
        self._add("async_log_pre_api_call", {"model_arg": model, **kwargs})

    async def async_log_stream_event(self, kwargs, response_obj, start_time, end_time):
        self._add("async_log_stream_event", kwargs, response_obj)

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self._add("async_log_success_event", kwargs, response_obj)

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self._add("async_log_failure_event", kwargs, response_obj)

    def names(self) -> list[str]:
        return [e[0] for e in self.events]

    def first(self, *names: str) -> tuple[Any, Any] | None:
        for name, kwargs, response in self.events:
            if name in names:
                return kwargs, response
        return None


def reset() -> None:
    """Module settings back to defaults between snippets (only the ones snippets touch)."""
    litellm.callbacks = []
    litellm.success_callback = []
    litellm.failure_callback = []
    litellm.input_callback = []
    litellm.drop_params = False
    litellm.turn_off_message_logging = False
    litellm.model_alias_map = {}


def settle(predicate: Any = None, timeout: float = 3.0) -> None:
    """Wait until queued callbacks ran: flush where the implementation offers it, then poll (bounded)."""
    flush = getattr(litellm, "flush_callbacks", None)
    if flush is not None:
        flush(timeout)
    deadline = time.monotonic() + timeout
    while predicate is not None and not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)
    if predicate is None:
        time.sleep(0.05)


def run_async(coro: Any) -> Any:
    """Run ``coro``, then let the tasks it left (loggers' async hooks) finish before the loop closes."""

    async def main() -> Any:
        result = await coro
        pending = {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}
        if pending:
            await asyncio.wait(pending, timeout=3)
        return result

    return asyncio.run(main())


def rnd(value: Any) -> Any:
    """Floats to 1e-9 (costs), recursively."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: rnd(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rnd(v) for v in value]
    return value


def jsonable(value: Any, depth: int = 0) -> Any:
    if depth > 6:
        return "<deep>"
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {str(k): jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v, depth + 1) for v in value]
    dump = getattr(value, "model_dump", None)
    if dump is not None:
        try:
            return jsonable(dump(), depth + 1)
        except Exception:
            pass
    return f"<{type(value).__name__}>"


def response_view(response: Any) -> dict[str, Any]:
    """What a caller reads off a ModelResponse."""
    if response is None:
        return {"type": None}
    out: dict[str, Any] = {"type": type(response).__name__, "object": getattr(response, "object", None)}
    choices = getattr(response, "choices", None) or []
    out["n_choices"] = len(choices)
    if choices:
        c = choices[0]
        msg = getattr(c, "message", None)
        out["finish_reason"] = getattr(c, "finish_reason", None)
        if msg is not None:
            out["role"] = getattr(msg, "role", None)
            out["content"] = getattr(msg, "content", None)
            tcs = getattr(msg, "tool_calls", None) or []
            out["tool_calls"] = [
                {"type": t.type, "name": t.function.name, "arguments": t.function.arguments} for t in tcs
            ]
    usage = getattr(response, "usage", None)
    if usage is not None:
        out["usage"] = {
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "total_tokens": usage.total_tokens,
        }
    out["model"] = getattr(response, "model", None)
    hidden = getattr(response, "_hidden_params", None) or {}
    out["hidden_response_cost"] = rnd(hidden.get("response_cost"))
    out["hidden_custom_llm_provider"] = hidden.get("custom_llm_provider")
    out["hidden_litellm_model_name"] = hidden.get("litellm_model_name")
    return out


def payload_view(payload: dict[str, Any] | None) -> dict[str, Any]:
    if payload is None:
        return {"payload": None}
    out = {k: jsonable(payload.get(k)) for k in PAYLOAD_FIELDS if k != "error_str_present"}
    out["error_str_present"] = bool(payload.get("error_str"))
    out["payload_keys"] = sorted(payload)
    mmi = payload.get("model_map_information") or {}
    out["model_map_key"] = mmi.get("model_map_key")
    hidden = payload.get("hidden_params") or {}
    out["hidden.litellm_model_name"] = hidden.get("litellm_model_name")
    out["hidden.response_cost"] = rnd(hidden.get("response_cost"))
    err = payload.get("error_information") or {}
    out["error_class"] = err.get("error_class") or None
    out["error_code"] = err.get("error_code") or None
    response = payload.get("response")
    if isinstance(response, dict):
        choices = response.get("choices") or [{}]
        out["response.content"] = ((choices[0] or {}).get("message") or {}).get("content")
    return out


def kwargs_view(kwargs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"kwargs_keys": sorted(k for k in KWARGS_KEYS if k in kwargs)}
    out["model"] = kwargs.get("model")
    out["call_type"] = kwargs.get("call_type")
    out["stream"] = kwargs.get("stream")
    out["response_cost"] = rnd(kwargs.get("response_cost"))
    out["custom_llm_provider"] = kwargs.get("custom_llm_provider") or (
        kwargs.get("litellm_params") or {}
    ).get("custom_llm_provider")
    csr = kwargs.get("complete_streaming_response")
    out["complete_streaming_response"] = type(csr).__name__ if csr is not None else None
    exc = kwargs.get("exception")
    out["exception"] = type(exc).__name__ if exc is not None else None
    return out


def error_view(exc: BaseException) -> dict[str, Any]:
    import openai

    return {
        "raised": type(exc).__name__,
        "status_code": getattr(exc, "status_code", None),
        "llm_provider": getattr(exc, "llm_provider", None),
        "is_openai_error": isinstance(exc, openai.OpenAIError),
        "openai_base": next(
            (c.__name__ for c in type(exc).__mro__ if c.__module__.startswith("openai")), None
        ),
    }
