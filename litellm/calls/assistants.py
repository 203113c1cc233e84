"""Assistants v2: assistants, threads, messages and runs, with LiteLLM's signatures
(``custom_llm_provider`` first, ``thread_id`` / ``assistant_id``), on the one spine.

``run_thread`` creates a run and polls it until it stops (``completed``, ``requires_action``, ``failed``,
``cancelled``, ``expired``, ``incomplete``), bounded by ``timeout`` (default 600 s); ``run_thread_stream``
returns the openai SDK's ``AssistantStreamManager``, so an ``AssistantEventHandler`` subclass receives
its callbacks (``on_text_delta``, ``on_message_done``, ...). A run's usage is priced with the run's model;
every other call costs 0. OpenAI (``OpenAI-Beta: assistants=v2``) and Azure (``/openai/...``).

Must not: send on its own (resources and the run stream go through the pipeline).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from typing import Any

from litellm.calls.event_stream import SSEEventStream
from litellm.calls.resources import Resource, acall, call, construct
from litellm.calls.spec import CallSpec, Prepared

__all__ = [
    "a_add_message",
    "acreate_assistants",
    "acreate_thread",
    "add_message",
    "adelete_assistant",
    "adelete_thread",
    "aget_assistants",
    "aget_messages",
    "aget_thread",
    "arun_thread",
    "arun_thread_events",
    "arun_thread_stream",
    "create_assistants",
    "create_thread",
    "delete_assistant",
    "delete_thread",
    "get_assistants",
    "get_messages",
    "get_thread",
    "run_thread",
    "run_thread_stream",
]

_BETA = "assistants=v2"
_STOPPED = frozenset({"completed", "requires_action", "failed", "cancelled", "expired", "incomplete"})


def _body(*names: str) -> Any:
    return lambda a: {name: a.get(name) for name in names}


_CREATE_ASSISTANT = Resource(
    "create_assistants",
    "POST",
    lambda a: "assistants",
    "assistant",
    body=_body(
        "model", "name", "description", "instructions", "tools", "tool_resources", "metadata", "temperature",
        "top_p", "response_format",
    ),
    beta=_BETA,
)  # fmt: skip
_LIST_ASSISTANTS = Resource(
    "get_assistants",
    "GET",
    lambda a: "assistants",
    "page:assistant",
    query=lambda a: {k: a.get(k) for k in ("limit", "order", "after", "before")},
    beta=_BETA,
)
_DELETE_ASSISTANT = Resource(
    "delete_assistant", "DELETE", lambda a: f"assistants/{a['assistant_id']}", "assistant_deleted", beta=_BETA
)
_CREATE_THREAD = Resource(
    "create_thread",
    "POST",
    lambda a: "threads",
    "thread",
    body=_body("messages", "metadata", "tool_resources"),
    beta=_BETA,
)
_GET_THREAD = Resource("get_thread", "GET", lambda a: f"threads/{a['thread_id']}", "thread", beta=_BETA)
_DELETE_THREAD = Resource(
    "delete_thread", "DELETE", lambda a: f"threads/{a['thread_id']}", "thread_deleted", beta=_BETA
)
_ADD_MESSAGE = Resource(
    "add_message",
    "POST",
    lambda a: f"threads/{a['thread_id']}/messages",
    "message",
    body=_body("role", "content", "attachments", "metadata"),
    beta=_BETA,
)
_GET_MESSAGES = Resource(
    "get_messages",
    "GET",
    lambda a: f"threads/{a['thread_id']}/messages",
    "page:message",
    query=lambda a: {k: a.get(k) for k in ("limit", "order", "after", "before", "run_id")},
    beta=_BETA,
)
_RUN_FIELDS = (
    "assistant_id", "additional_instructions", "instructions", "metadata", "model", "tools", "temperature",
    "top_p", "max_prompt_tokens", "max_completion_tokens", "response_format", "tool_choice",
    "parallel_tool_calls", "additional_messages",
)  # fmt: skip


# ---------------------------------------------------------------------------------------------------
# Runs: create, then poll to a stop (sync and async twins of the same decisions)
# ---------------------------------------------------------------------------------------------------


def _poll_request(p: Prepared, run: Any) -> Prepared:
    import copy

    from litellm.providers.openai_resources import resource_request

    q = copy.copy(p)
    q.request = resource_request(
        p.adapter, p.creds, f"threads/{run.thread_id}/runs/{run.id}", method="GET", beta=_BETA
    )
    q.body = None
    q.stream = False
    return q


def _settle(p: Prepared, run: Any) -> None:
    """The run's final state is the call's result; its usage is priced with the run's model."""
    p.ctx.raw_response = run.model_dump() if hasattr(run, "model_dump") else run
    usage = getattr(run, "usage", None)
    if usage is not None and getattr(run, "model", None):
        p.ctx.provider_model = run.model
        p.ctx.raw_usage = usage.model_dump() if hasattr(usage, "model_dump") else dict(usage)
        p.ctx.cost = None  # priced by the event builder from the run's usage


def _poll_delay(attempt: int) -> float:
    return min(0.05 * (2**attempt), 1.0)


def _deadline(p: Prepared) -> float:
    return p.deadline or (p.ctx.start_time + float(p.timeout if not hasattr(p.timeout, "read") else 600.0))


def _finish_run(p: Prepared, run: Any) -> None:
    from litellm.calls.send import send

    attempt = 0
    while run.status not in _STOPPED:
        if time.time() >= _deadline(p):
            from litellm.core.exceptions import Timeout

            raise Timeout(
                f"run {run.id} still {run.status} when the call's timeout ran out", p.model, p.provider
            )
        time.sleep(_poll_delay(attempt))
        attempt += 1
        _reply, content, _ = send(_poll_request(p, run))
        fresh = construct(type(run), json.loads(content))
        fresh._hidden_params.update(run._hidden_params)
        run.__dict__.update(fresh.__dict__)
    _settle(p, run)


async def _afinish_run(p: Prepared, run: Any) -> None:
    from litellm.calls.send import asend

    attempt = 0
    while run.status not in _STOPPED:
        if time.time() >= _deadline(p):
            from litellm.core.exceptions import Timeout

            raise Timeout(
                f"run {run.id} still {run.status} when the call's timeout ran out", p.model, p.provider
            )
        await asyncio.sleep(_poll_delay(attempt))
        attempt += 1
        _reply, content, _ = await asend(_poll_request(p, run))
        fresh = construct(type(run), json.loads(content))
        fresh._hidden_params.update(run._hidden_params)
        run.__dict__.update(fresh.__dict__)
    _settle(p, run)


_RUN = Resource(
    "run_thread",
    "POST",
    lambda a: f"threads/{a['thread_id']}/runs",
    "run",
    body=_body(*_RUN_FIELDS),
    beta=_BETA,
    enrich=_finish_run,
    aenrich=_afinish_run,
)


# ---------------------------------------------------------------------------------------------------
# Streamed runs
# ---------------------------------------------------------------------------------------------------


def _stream_build(p: Prepared) -> Any:
    from litellm.providers.openai_resources import resource_request

    body = {k: p.inputs.get(k) for k in _RUN_FIELDS if p.inputs.get(k) is not None}
    body["stream"] = True
    return resource_request(
        p.adapter, p.creds, f"threads/{p.inputs['thread_id']}/runs", body=body, beta=_BETA,
        extra_headers=p.call.lp.get("extra_headers"),
    )  # fmt: skip


class _RunEvents(SSEEventStream):
    """The run's SSE as openai ``AssistantStreamEvent`` objects (what ``AssistantEventHandler`` reads);
    logged once at the end with the final run's usage."""

    def __init__(self, p: Prepared, reply: Any) -> None:
        super().__init__(p, reply)
        self.final_run: Any = None

    def _handle(self, name: str | None, text: str) -> None:
        if not text or text == "[DONE]":
            return
        from openai._models import construct_type
        from openai.types.beta import AssistantStreamEvent

        data = json.loads(text)
        if name and name.startswith("thread.run.") and isinstance(data, Mapping):
            from litellm.calls.resources import result_type

            run = construct(result_type("run"), data)
            if run.status in _STOPPED:
                self.final_run = run
        if name == "error":
            from litellm.providers.base import StreamErrorEvent

            raise StreamErrorEvent(500, {"error": data})
        if self._p.ctx.completion_start_time is None:
            self._p.ctx.completion_start_time = time.time()
        self._pending.append(construct_type(type_=AssistantStreamEvent, value={"event": name, "data": data}))

    def _result(self) -> Any:
        if self.final_run is not None:
            _settle(self._p, self.final_run)
        return self.final_run


def _stream_parse(p: Prepared, content: bytes, headers: Any, started: float) -> Any:  # pragma: no cover
    raise TypeError("run_thread_stream is always streamed")


def _stream_mock(p: Prepared, mock: Any) -> Any:
    raise TypeError("run_thread_stream has no mock_response; mock run_thread instead")


_RUN_STREAM = CallSpec(
    name="run_thread_stream",
    build=_stream_build,
    parse=_stream_parse,
    mock=_stream_mock,
    log_input=lambda inputs: [{k: v for k, v in inputs.items() if k in ("thread_id", "assistant_id")}],
    streamable=True,
    cacheable=False,
    make_stream=lambda p, reply, mock_chunks: _RunEvents(p, reply),
)


# ---------------------------------------------------------------------------------------------------
# Public functions (LiteLLM's signatures)
# ---------------------------------------------------------------------------------------------------


def _provider(custom_llm_provider: str | None) -> str:
    return custom_llm_provider or "openai"


def create_assistants(custom_llm_provider: str, model: str, **kwargs: Any) -> Any:
    inputs = {"model": model, **{k: kwargs.pop(k) for k in list(kwargs) if k in _CREATE_FIELDS}}
    return call(_CREATE_ASSISTANT, _provider(custom_llm_provider), inputs, kwargs)


async def acreate_assistants(custom_llm_provider: str, model: str, **kwargs: Any) -> Any:
    inputs = {"model": model, **{k: kwargs.pop(k) for k in list(kwargs) if k in _CREATE_FIELDS}}
    return await acall(_CREATE_ASSISTANT, _provider(custom_llm_provider), inputs, kwargs)


_CREATE_FIELDS = frozenset(
    {
        "name",
        "description",
        "instructions",
        "tools",
        "tool_resources",
        "metadata",
        "temperature",
        "top_p",
        "response_format",
    }
)
_PAGE_FIELDS = frozenset({"limit", "order", "after", "before"})


def get_assistants(custom_llm_provider: str, **kwargs: Any) -> Any:
    inputs = {k: kwargs.pop(k) for k in list(kwargs) if k in _PAGE_FIELDS}
    return call(_LIST_ASSISTANTS, _provider(custom_llm_provider), inputs, kwargs)


async def aget_assistants(custom_llm_provider: str, **kwargs: Any) -> Any:
    inputs = {k: kwargs.pop(k) for k in list(kwargs) if k in _PAGE_FIELDS}
    return await acall(_LIST_ASSISTANTS, _provider(custom_llm_provider), inputs, kwargs)


def delete_assistant(custom_llm_provider: str, assistant_id: str, **kwargs: Any) -> Any:
    return call(_DELETE_ASSISTANT, _provider(custom_llm_provider), {"assistant_id": assistant_id}, kwargs)


async def adelete_assistant(custom_llm_provider: str, assistant_id: str, **kwargs: Any) -> Any:
    return await acall(
        _DELETE_ASSISTANT, _provider(custom_llm_provider), {"assistant_id": assistant_id}, kwargs
    )


def create_thread(
    custom_llm_provider: str,
    messages: list[Any] | None = None,
    metadata: dict[str, Any] | None = None,
    tool_resources: Any = None,
    **kwargs: Any,
) -> Any:
    inputs = {"messages": messages, "thread_metadata": metadata, "tool_resources": tool_resources}
    return call(_CREATE_THREAD, _provider(custom_llm_provider), _thread_inputs(inputs), kwargs)


async def acreate_thread(
    custom_llm_provider: str,
    messages: list[Any] | None = None,
    metadata: dict[str, Any] | None = None,
    tool_resources: Any = None,
    **kwargs: Any,
) -> Any:
    inputs = {"messages": messages, "thread_metadata": metadata, "tool_resources": tool_resources}
    return await acall(_CREATE_THREAD, _provider(custom_llm_provider), _thread_inputs(inputs), kwargs)


def _thread_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    out = dict(inputs)
    out["metadata"] = out.pop("thread_metadata")  # the thread's own metadata, sent to the provider
    return out


def get_thread(custom_llm_provider: str, thread_id: str, **kwargs: Any) -> Any:
    return call(_GET_THREAD, _provider(custom_llm_provider), {"thread_id": thread_id}, kwargs)


async def aget_thread(custom_llm_provider: str, thread_id: str, **kwargs: Any) -> Any:
    return await acall(_GET_THREAD, _provider(custom_llm_provider), {"thread_id": thread_id}, kwargs)


def delete_thread(custom_llm_provider: str, thread_id: str, **kwargs: Any) -> Any:
    return call(_DELETE_THREAD, _provider(custom_llm_provider), {"thread_id": thread_id}, kwargs)


async def adelete_thread(custom_llm_provider: str, thread_id: str, **kwargs: Any) -> Any:
    return await acall(_DELETE_THREAD, _provider(custom_llm_provider), {"thread_id": thread_id}, kwargs)


def add_message(
    custom_llm_provider: str,
    thread_id: str,
    role: str,
    content: Any,
    attachments: list[Any] | None = None,
    metadata: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    inputs = {
        "thread_id": thread_id,
        "role": role,
        "content": content,
        "attachments": attachments,
        "metadata": metadata,
    }
    return call(_ADD_MESSAGE, _provider(custom_llm_provider), inputs, kwargs)


async def a_add_message(
    custom_llm_provider: str,
    thread_id: str,
    role: str,
    content: Any,
    attachments: list[Any] | None = None,
    metadata: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    inputs = {
        "thread_id": thread_id,
        "role": role,
        "content": content,
        "attachments": attachments,
        "metadata": metadata,
    }
    return await acall(_ADD_MESSAGE, _provider(custom_llm_provider), inputs, kwargs)


def get_messages(custom_llm_provider: str, thread_id: str, **kwargs: Any) -> Any:
    inputs = {
        "thread_id": thread_id,
        **{k: kwargs.pop(k) for k in list(kwargs) if k in (*_PAGE_FIELDS, "run_id")},
    }
    return call(_GET_MESSAGES, _provider(custom_llm_provider), inputs, kwargs)


async def aget_messages(custom_llm_provider: str, thread_id: str, **kwargs: Any) -> Any:
    inputs = {
        "thread_id": thread_id,
        **{k: kwargs.pop(k) for k in list(kwargs) if k in (*_PAGE_FIELDS, "run_id")},
    }
    return await acall(_GET_MESSAGES, _provider(custom_llm_provider), inputs, kwargs)


def _run_inputs(thread_id: str, assistant_id: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    inputs = {"thread_id": thread_id, "assistant_id": assistant_id}
    for name in _RUN_FIELDS:
        if name in kwargs and name != "assistant_id":
            inputs[name] = kwargs.pop(name)
    if "metadata" in inputs:  # the run's metadata goes to the provider; LiteLLM's logging metadata too
        kwargs["metadata"] = inputs["metadata"]
    return inputs


def run_thread(
    custom_llm_provider: str, thread_id: str, assistant_id: str, stream: bool | None = None, **kwargs: Any
) -> Any:
    """Run the assistant on the thread and poll until the run stops; returns the final Run."""
    if stream:
        return run_thread_stream(
            custom_llm_provider=custom_llm_provider, thread_id=thread_id, assistant_id=assistant_id, **kwargs
        )
    inputs = _run_inputs(thread_id, assistant_id, kwargs)
    return call(_RUN, _provider(custom_llm_provider), inputs, kwargs)


async def arun_thread(
    custom_llm_provider: str, thread_id: str, assistant_id: str, stream: bool | None = None, **kwargs: Any
) -> Any:
    if stream:
        return await arun_thread_stream(
            custom_llm_provider=custom_llm_provider, thread_id=thread_id, assistant_id=assistant_id, **kwargs
        )
    inputs = _run_inputs(thread_id, assistant_id, kwargs)
    return await acall(_RUN, _provider(custom_llm_provider), inputs, kwargs)


def run_thread_stream(*, event_handler: Any = None, **kwargs: Any) -> Any:
    """Start a streamed run; ``with run_thread_stream(...) as stream: stream.until_done()``. The
    handler (an ``openai.AssistantEventHandler`` subclass, default the base class) gets every event."""
    from openai.lib.streaming import AssistantEventHandler, AssistantStreamManager

    from litellm.calls.pipeline import run

    provider = _provider(kwargs.pop("custom_llm_provider", None))
    inputs = _run_inputs(kwargs.pop("thread_id"), kwargs.pop("assistant_id"), kwargs)
    kwargs.update(stream=True, custom_llm_provider=provider)

    def api_request() -> Any:
        return run(_RUN_STREAM, f"{provider}/{inputs.get('model') or 'run_thread_stream'}", inputs, kwargs)

    return AssistantStreamManager(api_request, event_handler=event_handler or AssistantEventHandler())


class _AsyncStreamManager:
    """``async with arun_thread_stream(...) as stream: await stream.until_done()``."""

    def __init__(self, api_request: Any, handler: Any) -> None:
        self._api_request = api_request
        self._handler = handler
        self._events: Any = None

    async def __aenter__(self) -> Any:
        self._events = await self._api_request()
        self._handler._init(self._events)
        return self._handler

    async def __aexit__(self, *exc: object) -> None:
        if self._events is not None:
            await self._events.aclose()


async def arun_thread_events(**kwargs: Any) -> Any:
    """Start a streamed run and return its events as they arrive: ``async for`` gives openai
    ``AssistantStreamEvent`` objects (no handler, no snapshots; what the proxy relays), ``aclose()``
    drops the upstream connection. An error reply raises here, before any event."""
    from litellm.calls.pipeline import arun

    provider = _provider(kwargs.pop("custom_llm_provider", None))
    inputs = _run_inputs(kwargs.pop("thread_id"), kwargs.pop("assistant_id"), kwargs)
    kwargs.update(stream=True, custom_llm_provider=provider)
    return await arun(_RUN_STREAM, f"{provider}/{inputs.get('model') or 'run_thread_stream'}", inputs, kwargs)


async def arun_thread_stream(*, event_handler: Any = None, **kwargs: Any) -> Any:
    from openai.lib.streaming import AsyncAssistantEventHandler

    return _AsyncStreamManager(
        lambda: arun_thread_events(**kwargs), event_handler or AsyncAssistantEventHandler()
    )
