"""Callback hooks: which hooks fire, and what their kwargs / payload / response_obj hold, for each mode."""

from __future__ import annotations

from typing import Any

from _probe_lib import (
    MESSAGES,
    Recorder,
    is_current,
    kwargs_view,
    payload_view,
    response_view,
    run_async,
    settle,
    tag,
)

import litellm
from snippets import add

SUCCESS = ("log_success_event", "async_log_success_event")
FAILURE = ("log_failure_event", "async_log_failure_event")


def _call(model: str, is_async: bool, stream: bool, fail: bool, **extra: Any) -> Any:
    kw: dict[str, Any] = {"model": model, "messages": [dict(m) for m in MESSAGES], **extra}
    kw["metadata"] = tag(extra.get("metadata"))
    kw["mock_response"] = (
        litellm.RateLimitError("mock rate limit", llm_provider="openai", model=model)
        if fail
        else "Hello world, this is a test"
    )
    if stream:
        kw["stream"] = True

    def sync() -> Any:
        r = litellm.completion(**kw)
        return list(r) if stream else r

    async def async_() -> Any:
        r = await litellm.acompletion(**kw)
        if stream:
            return [c async for c in r]
        return r

    try:
        return run_async(async_()) if is_async else sync(), None
    except Exception as exc:
        return None, exc


def _hooks_snippet(model: str, is_async: bool, stream: bool, fail: bool, **extra: Any) -> Any:
    def run(env: dict[str, Any]) -> Any:
        rec = Recorder()
        litellm.callbacks = [rec]
        _result, exc = _call(model, is_async, stream, fail, **extra)
        want = FAILURE if fail else SUCCESS
        settle(lambda: rec.first(*want) is not None)
        out: dict[str, Any] = {
            "raised": type(exc).__name__ if exc else None,
            # LiteLLM may fire hooks of both kinds on async calls; the ones a logger sees
            "hooks_fired": sorted(
                set(n for n in rec.names() if n not in ("log_stream_event", "async_log_stream_event"))
            ),
        }
        got = rec.first(*want)
        if got is not None:
            kwargs, response = got
            out["kwargs"] = kwargs_view(kwargs)
            out["payload"] = payload_view(kwargs.get("standard_logging_object"))
            if not fail:
                out["response_obj"] = response_view(response)
        return out

    return run


for _async in (False, True):
    for _stream in (False, True):
        for _fail in (False, True):
            name = f"hooks[{'async' if _async else 'sync'},{'stream' if _stream else 'plain'},{'failure' if _fail else 'success'}]"
            add(name, _hooks_snippet("gpt-4o", _async, _stream, _fail))

for _model in [
    "openai/gpt-4o",
    "anthropic/claude-sonnet-4-5",
    "claude-sonnet-4-5",
    "azure/my-deployment",
    "groq/llama-3.3-70b-versatile",
]:
    add(f"hooks_model[{_model}]", _hooks_snippet(_model, False, False, False))
    add(f"hooks_model_stream[{_model}]", _hooks_snippet(_model, False, True, False))

add(
    "hooks[metadata+tags+user]",
    _hooks_snippet("gpt-4o", False, False, False, metadata={"tags": ["a", "b"], "foo": 1}, user="u-1"),
)


def _pre_call(is_async: bool) -> Any:
    def run(env: dict[str, Any]) -> Any:
        rec = Recorder()
        litellm.callbacks = [rec]
        _call("openai/gpt-4o", is_async, False, False)
        settle(lambda: rec.first(*SUCCESS) is not None)
        got = rec.first("log_pre_api_call", "async_log_pre_api_call")
        if got is None:
            return {"pre_call": None}
        kwargs = got[0]
        return {
            "model_arg": kwargs.get("model_arg"),
            "kwargs_model": kwargs.get("model"),
            "has_messages": "messages" in kwargs,
        }

    return run


add("hooks_pre_call[sync]", _pre_call(False))
add("hooks_pre_call[async]", _pre_call(True))


def _function_callbacks(stream: bool, fail: bool) -> Any:
    def run(env: dict[str, Any]) -> Any:
        seen: list[Any] = []

        def cb(kwargs: Any, response: Any, start: Any, end: Any) -> None:
            if is_current(kwargs):
                seen.append((kwargs, response))

        if fail:
            litellm.failure_callback = [cb]
        else:
            litellm.success_callback = [cb]
        _result, _exc = _call("gpt-4o", False, stream, fail)
        settle(lambda: bool(seen))
        if not seen:
            return {"called": False}
        kwargs, response = seen[0]
        out = {"called": True, "kwargs": kwargs_view(kwargs), "response_type": type(response).__name__}
        if not fail:
            out["response"] = response_view(response)
        return out

    return run


for _stream in (False, True):
    for _fail in (False, True):
        add(
            f"function_callback[{'stream' if _stream else 'plain'},{'failure' if _fail else 'success'}]",
            _function_callbacks(_stream, _fail),
        )


def _streamed_cost(env: dict[str, Any]) -> Any:
    rec = Recorder()
    litellm.callbacks = [rec]
    _call("gpt-4o", False, True, False)
    settle(lambda: rec.first(*SUCCESS) is not None)
    kwargs, response = rec.first(*SUCCESS)
    return {
        "kwargs_cost": round(kwargs["response_cost"], 9),
        "completion_cost_of_response_obj": round(litellm.completion_cost(completion_response=response), 9),
    }


add("stream_mock_cost_equals_completion_cost", _streamed_cost)


def _redacted(env: dict[str, Any]) -> Any:
    rec = Recorder()
    litellm.callbacks = [rec]
    litellm.turn_off_message_logging = True
    _call("gpt-4o", False, False, False)
    settle(lambda: rec.first(*SUCCESS) is not None)
    kwargs, _ = rec.first(*SUCCESS)
    p = kwargs["standard_logging_object"]
    return {"messages": p["messages"], "response_has_hello": "Hello" in str(p["response"])}


add("turn_off_message_logging", _redacted)


def _stream_events(is_async: bool) -> Any:
    def run(env: dict[str, Any]) -> Any:
        rec = Recorder()
        litellm.callbacks = [rec]
        _call("gpt-4o", is_async, True, False)
        settle(lambda: rec.first(*SUCCESS) is not None)
        names = rec.names()
        chunk_hooks = [n for n in names if n in ("log_stream_event", "async_log_stream_event")]
        first = rec.first("log_stream_event", "async_log_stream_event")
        return {
            "stream_hook_fired": bool(chunk_hooks),
            "stream_hook_names": sorted(set(chunk_hooks)),
            "chunk_type": type(first[1]).__name__ if first else None,
        }

    return run


add("hooks_stream_event[sync]", _stream_events(False))
add("hooks_stream_event[async]", _stream_events(True))


def _input_callback(env: dict[str, Any]) -> Any:
    seen: list[Any] = []

    def on_input(kwargs: Any) -> None:
        if is_current(kwargs):
            seen.append(kwargs)

    litellm.input_callback = [on_input]
    _call("openai/gpt-4o", False, False, False)
    settle(lambda: bool(seen))
    if not seen:
        return {"called": False}
    return {"called": True, "model": seen[0].get("model"), "has_messages": "messages" in seen[0]}


add("input_callback[function]", _input_callback)
