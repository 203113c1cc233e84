"""The per-call logging context: what the pipeline records about one call, and the kwargs/payload
built from it for callbacks.

The pipeline only fills slots (cheap). ``build_kwargs`` (which builds the StandardLoggingPayload,
assembles streamed chunks and computes cost when the request path did not) is called by the dispatcher
on its worker, once, and memoised. Nothing here does I/O.
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from datetime import datetime
from typing import Any, Literal

from litellm.calls.payload import StandardLoggingPayload, error_information, scrub, usage_numbers

# params that never reach a payload, kwargs or log line
SECRET_PARAMS = frozenset(
    {
        "api_key",
        "azure_ad_token",
        "azure_ad_token_provider",
        "aws_secret_access_key",
        "aws_session_token",
        "client_secret",
        "vertex_credentials",
        "headers",
        "extra_headers",
    }
)


# Call ids: UUID-shaped, unique across processes (random per-process prefix, re-drawn after fork) and
# cheap (a counter, not uuid4's ~3 µs per call on the request path).
_id_state: list[Any] = []


def _reseed_ids() -> None:
    _id_state[:] = [os.urandom(8).hex(), itertools.count(1)]


def new_call_id() -> str:
    if not _id_state:
        _reseed_ids()
    prefix, counter = _id_state
    tail = f"{next(counter):016x}"
    return f"{prefix[:8]}-{prefix[8:12]}-{prefix[12:16]}-{tail[:4]}-{tail[4:]}"


os.register_at_fork(after_in_child=_reseed_ids)


def _dumped(usage: Any) -> Any:
    dump = getattr(usage, "model_dump", None)
    return dump() if dump is not None else usage


def _own_copy(response: Any, raw: dict[str, Any] | None) -> Any:
    """A response equal to ``response`` sharing nothing with it (rebuilt from the provider's dict when
    there is one: cheaper than a deep copy)."""
    try:
        copy = type(response).model_validate(raw) if raw is not None else response.model_copy(deep=True)
        copy._hidden_params = dict(response._hidden_params.items())
        copy._response_ms = getattr(response, "_response_ms", None)
    except Exception:  # an unusual response type: hand the original rather than lose the event
        return response
    return copy


_ATOMS = frozenset({str, int, float, bool, type(None), bytes})


def snapshot(value: Any) -> Any:
    """A copy of a call's JSON-like arguments (messages, input) that shares no container with the caller.

    Taken on the caller's thread when the call starts and only when callbacks will see it: hooks then
    own what they receive (a hook rewriting ``kwargs["messages"]`` never touches the caller's list) and
    a caller reusing its list after the call never changes the record. Dicts and lists are rebuilt;
    everything else (str, numbers, pydantic models, bytes) is shared, as it is immutable or not ours
    to copy. Costs less than serialising the same messages with ``json.dumps`` (measured 0.4x for a
    two-message chat, 0.25x for 50 text messages).
    """
    t = type(value)
    if t is list:
        return [_dict_copy(v) if type(v) is dict else snapshot(v) for v in value]
    if t is dict:
        return _dict_copy(value)
    if t is tuple:
        return tuple(snapshot(v) for v in value)
    if isinstance(value, dict):
        return {k: snapshot(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snapshot(v) for v in value]
    return value


def _dict_copy(d: dict[Any, Any]) -> dict[Any, Any]:
    copied = d.copy()  # one C-level copy; only nested containers are rebuilt
    for key, v in d.items():
        if type(v) not in _ATOMS:
            copied[key] = snapshot(v)
    return copied


class CallContext:
    """Everything about one call that logging needs. Slots keep it small and fast."""

    __slots__ = (
        "_assembled",
        "_kwargs",
        "_messages",
        "api_base",
        "attempt",
        "cache_hit",
        "cache_key",
        "cache_pending",
        "call_type",
        "callbacks",
        "chunks",
        "completion_start_time",
        "cost",
        "custom_llm_provider",
        "custom_pricing",
        "end_time",
        "exception",
        "incomplete",
        "is_async",
        "litellm_call_id",
        "metadata",
        "model",
        "model_id",
        "optional_params",
        "otel_parent",
        "provider_model",
        "raw_response",
        "raw_usage",
        "response_headers",
        "result",
        "saved_cache_cost",
        "start_time",
        "stream",
        "trace_id",
        "turn_off_message_logging",
        "user",
    )

    def __init__(
        self,
        *,
        call_type: str,
        is_async: bool,
        model: str,
        messages: Any,
        stream: bool,
        callbacks: Any,
        metadata: dict[str, Any] | None,
        optional_params: dict[str, Any],
        litellm_call_id: str | None = None,
        user: str | None = None,
        turn_off_message_logging: bool = False,
    ) -> None:
        self.call_type = call_type
        self.is_async = is_async
        self.model = model
        self.stream = stream
        self.callbacks = callbacks
        # the ``messages`` setter's rule, without the property call on the request path
        self._messages = snapshot(messages) if callbacks is not None else messages
        self.metadata = metadata or {}
        self.optional_params = optional_params
        self.litellm_call_id = litellm_call_id or new_call_id()
        self.trace_id = (
            self.metadata.get("trace_id") or self.metadata.get("litellm_trace_id") or self.litellm_call_id
        )
        self.user = user
        self.turn_off_message_logging = turn_off_message_logging
        self.start_time = time.time()
        self.end_time: float | None = None
        self.completion_start_time: float | None = None
        self.result: Any = None
        self.exception: BaseException | None = None
        self.custom_llm_provider: str | None = None
        self.provider_model: str | None = None
        self.api_base: str | None = None
        self.model_id: str | None = None
        self.custom_pricing: dict[str, Any] | None = None
        self.cost: Any = None
        self.chunks: list[dict[str, Any]] | None = None
        self.response_headers: dict[str, str] | None = None
        self.raw_usage: dict[str, Any] | None = None
        self.raw_response: dict[str, Any] | None = (
            None  # the provider's usage dict, cheaper to price than the model
        )
        self._assembled: tuple[int, Any] | None = None
        self.cache_hit: bool | None = None
        self.cache_key: str | None = None
        self.saved_cache_cost: float = 0.0
        #: (call type, cache kwargs, key): stored once the stream ends
        self.cache_pending: tuple[str, dict[str, Any], str] | None = None
        #: the Router's attempt object (its metadata joins the event; it may defer a failure event)
        self.attempt: Any = None
        #: why a stream ended before the provider finished it ("closed", "cancelled", "interrupted")
        self.incomplete: str | None = None
        self._kwargs: dict[str, Any] | None = None
        # the caller's trace context, captured on the caller's thread (logging runs elsewhere); only
        # when the application already uses OpenTelemetry, so we never import it ourselves
        self.otel_parent: Any = None
        if "opentelemetry.context" in sys.modules:
            self.otel_parent = sys.modules["opentelemetry.context"].get_current()

    @property
    def messages(self) -> Any:
        return self._messages

    @messages.setter
    def messages(self, value: Any) -> None:
        # what callbacks will be shown is fixed when it is set, on the caller's thread (see ``snapshot``)
        self._messages = snapshot(value) if self.callbacks is not None else value

    # ------------------------------------------------------------------ cheap views for the request path

    @property
    def start_dt(self) -> datetime:
        return datetime.fromtimestamp(self.start_time)

    @property
    def end_dt(self) -> datetime:
        return datetime.fromtimestamp(self.end_time or time.time())

    def _litellm_params(self) -> dict[str, Any]:
        params = {
            "metadata": self.metadata,
            "litellm_call_id": self.litellm_call_id,
            "litellm_trace_id": self.trace_id,
            "api_base": self.api_base,
            "custom_llm_provider": self.custom_llm_provider,
            "model_id": self.model_id,
            "stream": self.stream,
            "otel_parent_context": self.otel_parent,
        }
        if self.custom_pricing:
            params["custom_pricing"] = True
        return params

    def _messages_for_logging(self) -> Any:
        if not self.turn_off_message_logging:
            return self._messages
        from litellm.core.redact import redact_messages

        return redact_messages(self._messages)

    @property
    def logged_model(self) -> str:
        """The model name every record carries: without the provider prefix, as LiteLLM logs it
        (``gpt-4o`` for ``openai/gpt-4o``; the deployment for ``azure/<deployment>``); the provider
        is in ``custom_llm_provider`` and the name as passed in ``hidden_params.litellm_model_name``."""
        return self.provider_model or self.model

    def pre_call_kwargs(self) -> dict[str, Any]:
        return {
            "model": self.provider_model or self.model,
            "messages": self._messages_for_logging(),
            "optional_params": self.optional_params,
            "litellm_params": self._litellm_params(),
            "litellm_call_id": self.litellm_call_id,
            "call_type": self.call_type,
            "stream": self.stream,
            "start_time": datetime.fromtimestamp(self.start_time),  # self.start_dt, without the property
            "custom_llm_provider": self.custom_llm_provider,
            "api_base": self.api_base,
            "user": self.user,
            "metadata": self.metadata,
        }

    def stream_chunk_kwargs(self, chunk: Any) -> dict[str, Any]:
        kwargs = self.pre_call_kwargs()
        kwargs["chunk"] = chunk
        return kwargs

    # ------------------------------------------------------------------ built once, off the request path

    def complete_streaming_response(self) -> Any:
        """The streamed chunks assembled into one response, built once per set of chunks (the budget,
        the cache and the logging worker all read it)."""
        if not self.chunks:
            return None
        cached = self._assembled
        if cached is not None and cached[0] == len(self.chunks):
            return cached[1]
        from litellm.calls.streaming import assemble_chunks

        assembled = assemble_chunks(self.chunks, self.messages, incomplete=self.incomplete is not None)
        self._assembled = (len(self.chunks), assembled)
        return assembled

    def _compute_cost(self, response: Any) -> Any:
        if self.cost is not None:
            return self.cost
        from litellm.calls.costing import cost_for

        self.cost = cost_for(self, response)
        return self.cost

    def build_kwargs(self) -> dict[str, Any]:
        if self._kwargs is not None:
            return self._kwargs
        fromtimestamp = datetime.fromtimestamp
        kwargs = self.pre_call_kwargs()
        kwargs["end_time"] = fromtimestamp(self.end_time or time.time())
        kwargs["completion_start_time"] = (
            fromtimestamp(self.completion_start_time) if self.completion_start_time else None
        )
        response = self.result
        assembled_now = None
        if response is not None and not self.stream and getattr(self.callbacks, "_success_lh", None):
            # a logging_hook may rewrite what it is handed (masking): it gets a response of its own,
            # never the caller's object (issue 9 item 2); built here, on the logging worker
            response = self.result = _own_copy(response, self.raw_response)
        if self.exception is None and self.stream:
            assembled = self.complete_streaming_response()
            if assembled is not None:
                # every success hook gets the assembled response as response_obj (the dispatcher
                # reads ctx.result after this), the same object as complete_streaming_response
                response = assembled_now = assembled
                self.result = assembled
                kwargs["complete_streaming_response"] = assembled
                kwargs["async_complete_streaming_response"] = assembled
        cost = self._compute_cost(response) if self.exception is None else None
        if assembled_now is not None:
            # the assembled response carries what a non-streamed one does (LiteLLM sets both)
            hidden = assembled_now._hidden_params
            hidden["custom_llm_provider"] = self.custom_llm_provider
            hidden["response_cost"] = cost.response_cost if cost is not None else None
        # LiteLLM hands a failed call's hooks response_cost 0.0 (nothing was billed)
        kwargs["response_cost"] = (
            cost.response_cost if cost is not None else (0.0 if self.exception else None)
        )
        if self.exception is not None:
            kwargs["exception"] = self.exception
            kwargs["traceback_exception"] = scrub(
                "".join(
                    __import__("traceback").format_exception(
                        type(self.exception), self.exception, self.exception.__traceback__
                    )
                )
            )
        kwargs["standard_logging_object"] = self.build_payload(response, cost, kwargs["messages"])
        self._kwargs = kwargs
        return kwargs

    def _model_parameters(self) -> dict[str, Any]:
        params = {k: v for k, v in self.optional_params.items() if k not in SECRET_PARAMS}
        if self.stream:
            params.setdefault("stream", True)  # as LiteLLM records it
        return params

    def build_payload(self, response: Any, cost: Any, messages: Any = None) -> StandardLoggingPayload:
        failed = self.exception is not None
        usage = (
            (getattr(response, "usage", None) or self.raw_usage)
            if response is not None and not failed
            else None
        )
        prompt_tokens, completion_tokens, total_tokens = usage_numbers(usage)
        end = self.end_time or time.time()
        # pydantic private attributes read through the store directly: its __getattr__ costs µs
        private = getattr(response, "__pydantic_private__", None) or {} if response is not None else {}
        hidden_src = private.get("_hidden_params") or {}
        usage_source: Literal["provider", "counted", "none"] = "none"
        if usage is not None:
            usage_source = "counted" if dict.get(hidden_src, "usage_counted") else "provider"
        metadata = dict(self.metadata)
        metadata_get = metadata.get
        tags = metadata_get("tags") or []
        if response is not None and not failed:
            if self.turn_off_message_logging:
                from litellm.core.redact import redact_response_obj

                raw = self.raw_response if (self.raw_response is not None and not self.stream) else response
                response_obj: Any = redact_response_obj(raw)
            else:
                # the provider's OpenAI-format dict the response was validated from: same content,
                # JSON-ready, and no second serialisation per event
                raw = self.raw_response if not self.stream else None
                dump = getattr(response, "model_dump", None)
                response_obj = raw if raw is not None else (dump() if dump else response)
        else:
            response_obj = None
        hidden = hidden_src
        cache_key = self.cache_key or hidden.get("cache_key")
        response_cost = cost.response_cost if cost is not None else (0.0 if failed else None)
        optional_params = self.optional_params
        if type(optional_params) is dict and not optional_params and not self.stream:
            model_parameters: dict[str, Any] = {}  # what _model_parameters() makes of no params
        else:
            model_parameters = self._model_parameters()
        payload: StandardLoggingPayload = {
            "id": self.litellm_call_id,
            "trace_id": self.trace_id,
            "session_id": metadata_get("session_id"),
            "litellm_call_id": self.litellm_call_id,
            "call_type": self.call_type,
            "stream": self.stream,
            # why a stream ended before the provider finished it ("closed", "cancelled", "interrupted")
            "stream_incomplete": self.incomplete,
            "status": "failure" if failed else "success",
            "response_cost": response_cost,
            "cost_breakdown": cost.breakdown if cost is not None else None,
            "response_cost_failure_debug_info": (
                {
                    "error_message": cost.failure_reason,
                    "model": self.model,
                    "custom_llm_provider": self.custom_llm_provider,
                }
                if cost is not None and cost.failure_reason
                else None
            ),
            "custom_llm_provider": self.custom_llm_provider,
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": total_tokens,
            "usage_source": usage_source,
            "startTime": self.start_time,
            "endTime": end,
            "completionStartTime": self.completion_start_time or end,
            "response_time": end - self.start_time,
            "model_map_information": {
                "model_map_key": getattr(cost, "model_map_key", None),
                "model_map_value": getattr(cost, "model_map_value", None),
            },
            "model": self.provider_model or self.model,
            "model_id": self.model_id,
            # LiteLLM: the Router's model group, "" outside a Router (dashboards group by it)
            "model_group": metadata_get("model_group") or "",
            "api_base": self.api_base or "",
            "metadata": metadata,
            "cache_hit": self.cache_hit,  # None when no cache was consulted (as LiteLLM)
            "cache_key": cache_key,
            "saved_cache_cost": self.saved_cache_cost,
            "request_tags": list(tags) if isinstance(tags, (list, tuple)) else [str(tags)],
            "end_user": self.user or metadata_get("user_api_key_end_user_id"),
            "requester_ip_address": metadata_get("requester_ip_address"),
            "user_agent": metadata_get("user_agent"),
            "messages": messages if messages is not None else self._messages_for_logging(),
            "response": response_obj,
            "error_str": scrub(str(self.exception)) if failed else None,
            "error_information": error_information(self.exception, self.custom_llm_provider)
            if failed
            else None,
            "model_parameters": model_parameters,
            "guardrail_information": None,
            "standard_built_in_tools_params": {
                "web_search_options": optional_params.get("web_search_options"),
                "file_search": None,
            },
            "status_fields": {
                "llm_api_status": "failure" if failed else "success",
                "guardrail_status": "not_run",
            },
            "request_model_access_groups": [],
            "hidden_params": {
                "model_id": self.model_id,
                "cache_key": cache_key,
                "api_base": self.api_base,
                "response_cost": response_cost,
                "additional_headers": hidden.get("additional_headers") or {},
                "litellm_model_name": self.model,  # as the caller passed it, prefix included
                "usage_object": (
                    self.raw_usage if self.raw_usage is not None and not self.stream else _dumped(usage)
                ),
            },
        }
        return payload
