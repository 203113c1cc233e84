"""The Responses API: ``responses`` / ``aresponses`` (plain and streamed), ``get_responses``,
``delete_responses``, ``list_input_items`` and their async twins, on the one spine.

OpenAI and Azure are called natively (``POST /v1/responses``; Azure ``/openai/responses``), their typed
SSE events passed through as typed objects. Every other provider goes through the bridge LiteLLM
documents (:mod:`litellm.providers.responses_bridge`): input items become chat messages, the chat reply
becomes output items, and a chat stream becomes Responses events; ``previous_response_id`` on the bridge
replays the earlier turn from an in-process store (the last 1,000 bridged responses). Usage (input,
output, cached and reasoning tokens) is priced as for chat; one event per call with ``call_type``
``responses`` / ``aresponses``.

Must not: send on its own (the pipeline's ``run``/``arun`` does), or build a second stream wrapper for
chat chunks (the bridge wraps the pipeline's).
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from functools import cache
from typing import Any

from litellm.calls.event_stream import SSEEventStream
from litellm.calls.resources import Resource, acall, call
from litellm.calls.spec import CallSpec, Prepared

__all__ = [
    "adelete_responses",
    "aget_responses",
    "alist_input_items",
    "aresponses",
    "delete_responses",
    "get_responses",
    "list_input_items",
    "responses",
]

RESPONSE_PARAMS = frozenset(
    {
        "instructions", "tools", "tool_choice", "previous_response_id", "reasoning", "text", "store",
        "temperature", "top_p", "max_output_tokens", "parallel_tool_calls", "truncation", "user", "include",
        "service_tier", "background", "prompt_cache_key", "safety_identifier", "top_logprobs",
        "stream_options", "prompt", "conversation", "max_tool_calls",
    }
)  # fmt: skip

#: providers with a native /responses endpoint
NATIVE = frozenset({"openai", "azure"})

_HISTORY_MAX = 1000
_history: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
_history_lock = threading.Lock()


@cache
def _types() -> tuple[Any, Any]:
    from openai.types.responses import Response, ResponseStreamEvent
    from pydantic import PrivateAttr

    class ResponsesAPIResponse(Response):
        _hidden_params: dict[str, Any] = PrivateAttr(default_factory=dict)

    ResponsesAPIResponse.__module__ = __name__
    return ResponsesAPIResponse, ResponseStreamEvent


def _remember(response: Mapping[str, Any], messages: list[dict[str, Any]]) -> None:
    from litellm.providers.responses_bridge import output_messages

    with _history_lock:
        _history[response["id"]] = [*messages, *output_messages(response)]
        while len(_history) > _HISTORY_MAX:
            _history.popitem(last=False)


def _native(p: Prepared) -> bool:
    return p.provider in NATIVE


def _params(p: Prepared) -> dict[str, Any]:
    params = dict(p.params)
    metadata = p.inputs.get("response_metadata")
    if metadata:
        params["metadata"] = metadata
    return params


def _build(p: Prepared) -> Any:
    lp = p.call.lp
    params = _params(p)
    if _native(p):
        from litellm.providers.openai_resources import resource_request

        body: dict[str, Any] = {"model": p.model, "input": p.inputs["input"], **params}
        if p.stream:
            body["stream"] = True
        if lp.get("extra_body"):
            body.update(lp["extra_body"])
        return resource_request(
            p.adapter, p.creds, "responses", body=body, extra_headers=lp.get("extra_headers")
        )
    from litellm.providers.params import split_params
    from litellm.providers.responses_bridge import input_to_messages, params_to_chat

    history = None
    previous = params.get("previous_response_id")
    if previous:
        with _history_lock:
            history = _history.get(previous)
        if history is None:
            raise ValueError(
                f"previous_response_id {previous!r} is unknown to this process: the Responses bridge for "
                f"{p.provider} keeps the last {_HISTORY_MAX} responses in memory; send the earlier turns in input"
            )
    messages = input_to_messages(p.inputs["input"], params.get("instructions"), history)
    p.inputs["__messages__"] = messages
    chat = params_to_chat({k: v for k, v in params.items() if k not in ("instructions", "metadata")})
    from litellm.core.settings import settings

    drop = bool(lp["drop_params"]) if lp.get("drop_params") is not None else settings.drop_params
    chat_params = split_params(p.adapter, p.model, chat, drop)
    if p.stream and "stream_options" in p.adapter.supported_params(p.model):
        chat_params["stream_options"] = {"include_usage": True}  # exact usage, kept out of sight
        p.hide_usage = True
    return p.adapter.build_request(
        p.model,
        messages,
        chat_params,
        p.creds,
        stream=p.stream,
        extra_headers=lp.get("extra_headers"),
        extra_body=lp.get("extra_body"),
    )


def _typed(p: Prepared, data: dict[str, Any]) -> Any:
    from litellm.calls.resources import construct

    response_type, _ = _types()
    out = construct(response_type, data)
    out._hidden_params.update(
        {
            "custom_llm_provider": p.provider,
            "api_base": p.ctx.api_base,
            "litellm_call_id": p.ctx.litellm_call_id,
            "model_id": p.ctx.model_id,
        }
    )
    p.ctx.raw_response = data
    p.ctx.raw_usage = data.get("usage")
    return out


def _bridged(p: Prepared, chat: dict[str, Any]) -> Any:
    from litellm.providers.responses_bridge import chat_to_response

    data = chat_to_response(chat, _params(p))
    _remember(data, p.inputs.get("__messages__") or [])
    return _typed(p, data)


def _parse(p: Prepared, content: bytes, headers: Mapping[str, str], started: float) -> Any:
    data = json.loads(content)
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object from {p.provider}, got {type(data).__name__}")
    if _native(p):
        return _typed(p, data)
    return _bridged(p, p.adapter.parse_response(p.model, data))


def _mock(p: Prepared, mock: Any) -> Any:
    from litellm.calls.pipeline import _mock_chunks, _mock_dict

    if isinstance(mock, Mapping) and mock.get("object") == "response":
        return _typed(p, dict(mock))
    chat = _mock_dict(mock, p.model)
    if p.stream:
        return _mock_chunks(chat, True)
    from litellm.providers.responses_bridge import input_to_messages

    p.inputs["__messages__"] = input_to_messages(p.inputs["input"], p.params.get("instructions"))
    return _bridged(p, chat)


def _make_stream(p: Prepared, reply: Any, mock_chunks: Any) -> Any:
    if reply is not None and _native(p):
        return NativeResponsesStream(p, reply)
    from litellm.calls.pipeline import _stream_wrapper

    chat_stream = _stream_wrapper(p, reply=reply, mock_chunks=mock_chunks)
    return BridgedResponsesStream(p, chat_stream)


def _log_input(inputs: dict[str, Any]) -> Any:
    value = inputs["input"]
    return [{"role": "user", "content": value}] if isinstance(value, str) else value


RESPONSES = CallSpec(
    name="responses",
    build=_build,
    parse=_parse,
    mock=_mock,
    log_input=_log_input,
    openai_params=RESPONSE_PARAMS,
    streamable=True,
    cacheable=False,
    make_stream=_make_stream,
)


# ---------------------------------------------------------------------------------------------------
# Streams
# ---------------------------------------------------------------------------------------------------


class _EventObject(dict):
    """An event the openai types do not know yet: dict and attribute access."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def _event(data: dict[str, Any]) -> Any:
    """A typed stream event as the openai SDK builds it; an event type it does not know yet stays
    readable by attribute and key."""
    from openai._models import construct_type

    _, event_union = _types()
    try:
        out = construct_type(type_=event_union, value=data)
    except Exception:
        return _EventObject(data)
    return out if not isinstance(out, dict) else _EventObject(out)


class NativeResponsesStream(SSEEventStream):
    """OpenAI / Azure Responses SSE, event by event (``for`` or ``async for``); the call is logged once
    when the stream ends, fails or is closed, with the final response's usage and cost."""

    def __init__(self, p: Prepared, reply: Any) -> None:
        super().__init__(p, reply)
        self.response: Any = None
        self._hidden_params = {"custom_llm_provider": p.provider, "litellm_call_id": p.ctx.litellm_call_id}

    def _handle(self, name: str | None, text: str) -> None:
        if not text or text == "[DONE]":
            return
        data = json.loads(text)
        kind = data.get("type") or name
        if kind == "error":
            from litellm.providers.base import StreamErrorEvent

            raise StreamErrorEvent(
                int(data.get("code") or 500) if str(data.get("code") or "").isdigit() else 500,
                {"error": data},
            )
        if self._p.ctx.completion_start_time is None:
            self._p.ctx.completion_start_time = time.time()
        if kind in ("response.completed", "response.incomplete", "response.failed") and data.get("response"):
            self.response = _typed(self._p, data["response"])
        self._pending.append(_event(data))

    def _result(self) -> Any:
        return self.response


class BridgedResponsesStream:
    """A chat stream presented as Responses events (the bridge); logging is the chat stream's."""

    def __init__(self, p: Prepared, chat_stream: Any) -> None:
        from litellm.providers.responses_bridge import EventBuilder

        self._p = p
        self._chat = chat_stream
        self._builder = EventBuilder(p.model, _params(p))
        self._pending: list[Any] = [_event(e) for e in self._builder.start()]
        self._finished = False
        self.response: Any = None

    def _finish(self) -> None:
        self._finished = True
        if self._builder._usage is None:  # the provider sent none: count, as the chat stream does
            assembled = self._p.ctx.complete_streaming_response() if self._p.ctx.chunks else None
            if assembled is not None and assembled.usage is not None:
                self._builder._usage = assembled.usage.model_dump()
        self._pending.extend(_event(e) for e in self._builder.finish())
        data = self._builder.response
        _remember(data, self._p.inputs.get("__messages__") or [])
        self.response = _typed(self._p, data)

    def _feed(self, chunk: Any) -> None:
        self._pending.extend(_event(e) for e in self._builder.feed(chunk.model_dump()))
        hidden_usage = (chunk.__pydantic_private__.get("_hidden_params") or {}).get("usage")
        if hidden_usage:
            self._builder._usage = dict(hidden_usage)

    def __iter__(self) -> BridgedResponsesStream:
        return self

    def __next__(self) -> Any:
        while not self._pending:
            if self._finished:
                raise StopIteration
            try:
                self._feed(next(self._chat))
            except StopIteration:
                self._finish()
        return self._pending.pop(0)

    def __aiter__(self) -> BridgedResponsesStream:
        return self

    async def __anext__(self) -> Any:
        while not self._pending:
            if self._finished:
                raise StopAsyncIteration
            try:
                self._feed(await self._chat.__anext__())
            except StopAsyncIteration:
                self._finish()
        return self._pending.pop(0)

    def close(self) -> None:
        self._chat.close()

    async def aclose(self) -> None:
        await self._chat.aclose()


# ---------------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------------


def _split(model: str, input: Any, kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    if not isinstance(input, (str, list)):
        raise TypeError(f"input must be a string or a list of items, not {type(input).__name__}")
    kwargs = dict(kwargs)
    inputs: dict[str, Any] = {"input": input}
    # the Responses API's own metadata goes to the provider; LiteLLM's logging metadata stays ours too
    if isinstance(kwargs.get("metadata"), Mapping):
        inputs["response_metadata"] = dict(kwargs["metadata"])
    return inputs, kwargs


def responses(input: Any, model: str, **kwargs: Any) -> Any:
    """Create a model response (OpenAI's Responses API) with any provider; ``stream=True`` yields the
    typed events (``response.created``, ``response.output_text.delta``, ..., ``response.completed``)."""
    from litellm.calls.pipeline import run

    inputs, kwargs = _split(model, input, kwargs)
    return run(RESPONSES, model, inputs, kwargs)


async def aresponses(input: Any, model: str, **kwargs: Any) -> Any:
    from litellm.calls.pipeline import arun

    inputs, kwargs = _split(model, input, kwargs)
    return await arun(RESPONSES, model, inputs, kwargs)


def _stored_type(kind: str) -> str:
    return kind


_GET = Resource("get_responses", "GET", lambda a: f"responses/{a['response_id']}", "json")
_DELETE = Resource("delete_responses", "DELETE", lambda a: f"responses/{a['response_id']}", "json")
_ITEMS = Resource(
    "list_input_items",
    "GET",
    lambda a: f"responses/{a['response_id']}/input_items",
    "json",
    query=lambda a: {k: a.get(k) for k in ("after", "before", "limit", "order")},
)


def _as_response(data: Any) -> Any:
    from litellm.calls.resources import construct

    response_type, _ = _types()
    return (
        construct(response_type, data)
        if isinstance(data, Mapping) and data.get("object") == "response"
        else data
    )


def get_responses(response_id: str, custom_llm_provider: str | None = None, **kwargs: Any) -> Any:
    """A stored response by id (OpenAI / Azure)."""
    return _as_response(call(_GET, custom_llm_provider, {"response_id": response_id}, kwargs))


async def aget_responses(response_id: str, custom_llm_provider: str | None = None, **kwargs: Any) -> Any:
    return _as_response(await acall(_GET, custom_llm_provider, {"response_id": response_id}, kwargs))


def delete_responses(response_id: str, custom_llm_provider: str | None = None, **kwargs: Any) -> Any:
    return call(_DELETE, custom_llm_provider, {"response_id": response_id}, kwargs)


async def adelete_responses(response_id: str, custom_llm_provider: str | None = None, **kwargs: Any) -> Any:
    return await acall(_DELETE, custom_llm_provider, {"response_id": response_id}, kwargs)


def list_input_items(
    response_id: str,
    after: str | None = None,
    before: str | None = None,
    limit: int = 20,
    order: str = "desc",
    custom_llm_provider: str | None = None,
    **kwargs: Any,
) -> Any:
    inputs = {"response_id": response_id, "after": after, "before": before, "limit": limit, "order": order}
    return call(_ITEMS, custom_llm_provider, inputs, kwargs)


async def alist_input_items(
    response_id: str,
    after: str | None = None,
    before: str | None = None,
    limit: int = 20,
    order: str = "desc",
    custom_llm_provider: str | None = None,
    **kwargs: Any,
) -> Any:
    inputs = {"response_id": response_id, "after": after, "before": before, "limit": limit, "order": order}
    return await acall(_ITEMS, custom_llm_provider, inputs, kwargs)
