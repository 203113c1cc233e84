"""A stand-in for the pipeline's CallContext and recording callbacks, for the dispatcher's unit tests."""

from __future__ import annotations

import datetime
import threading
import time
import uuid
from typing import Any

from litellm.dispatch.dispatcher import resolve_callbacks
from litellm.integrations.custom_logger import CustomLogger

CANARY_CONTENT = "canary-content-5b1f0e"


class FakeCtx:
    """The attributes and methods the dispatcher reads from a call context (see core/context.py)."""

    def __init__(
        self,
        callbacks: Any = None,
        *,
        is_async: bool = False,
        stream: bool = False,
        call_type: str | None = None,
        model: str = "gpt-4o-mini",
        messages: list | None = None,
        result: Any = "RESULT",
        exception: BaseException | None = None,
        index: int = 0,
        build_gate: threading.Event | None = None,
        turn_off_message_logging: bool = False,
    ) -> None:
        self.litellm_call_id = str(uuid.uuid4())
        self.call_type = call_type or ("acompletion" if is_async else "completion")
        self.is_async = is_async
        self.stream = stream
        self.model = model
        self.messages = messages if messages is not None else [{"role": "user", "content": CANARY_CONTENT}]
        self.start_time = time.time()
        self.end_time = self.start_time + 0.5
        self.completion_start_time = None
        self.result = result if exception is None else None
        self.exception = exception
        self.callbacks = callbacks
        self.index = index
        self.turn_off_message_logging = turn_off_message_logging
        self.build_calls = 0
        self.build_threads: list[int] = []
        self._kwargs: dict | None = None
        self._gate = build_gate

    def pre_call_kwargs(self) -> dict:
        return {
            "model": self.model,
            "messages": self.messages,
            "litellm_call_id": self.litellm_call_id,
            "call_type": self.call_type,
            "stream": self.stream,
            "start_time": datetime.datetime.fromtimestamp(self.start_time),
            "index": self.index,
        }

    def stream_chunk_kwargs(self, chunk: Any) -> dict:
        kwargs = self.pre_call_kwargs()
        kwargs["chunk"] = chunk
        return kwargs

    def build_kwargs(self) -> dict:
        if self._gate is not None:
            self._gate.wait(10)
        self.build_calls += 1
        self.build_threads.append(threading.get_ident())
        if self._kwargs is None:
            kwargs = self.pre_call_kwargs()
            kwargs["end_time"] = datetime.datetime.fromtimestamp(self.end_time)
            failed = self.exception is not None
            if failed:
                kwargs["exception"] = self.exception
            kwargs["standard_logging_object"] = {
                "id": self.litellm_call_id,
                "status": "failure" if failed else "success",
                "messages": self.messages,
                "response": None if failed else {"choices": [{"message": {"content": CANARY_CONTENT}}]},
                "prompt_tokens": 3,
                "completion_tokens": 5,
                "total_tokens": 8,
                "response_cost": 0.25,
                "index": self.index,
            }
            self._kwargs = kwargs
        return self._kwargs


def ctx_for(*callbacks: Any, **kw: Any) -> FakeCtx:
    """A context whose callbacks are ``callbacks`` (per-call, on top of the empty global lists)."""
    return FakeCtx(resolve_callbacks(list(callbacks)), **kw)


class Recorder(CustomLogger):
    """Records (hook, kwargs, response_obj, start, end) for every hook it overrides."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.calls: list[tuple] = []
        self.cond = threading.Condition()

    def _add(self, *item: Any) -> None:
        with self.cond:
            self.calls.append(item)
            self.cond.notify_all()

    def hooks(self) -> list[str]:
        with self.cond:
            return [c[0] for c in self.calls]

    def wait_for(self, n: int, timeout: float = 5.0) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: len(self.calls) >= n, timeout)

    def log_pre_api_call(self, model, messages, kwargs):
        self._add("log_pre_api_call", kwargs, messages, model, None)

    def log_post_api_call(self, kwargs, response_obj, start_time, end_time):
        self._add("log_post_api_call", kwargs, response_obj, start_time, end_time)

    def log_stream_event(self, kwargs, response_obj, start_time, end_time):
        self._add("log_stream_event", kwargs, response_obj, start_time, end_time)

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self._add("log_success_event", kwargs, response_obj, start_time, end_time)

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self._add("log_failure_event", kwargs, response_obj, start_time, end_time)

    async def async_log_pre_api_call(self, model, messages, kwargs):
        self._add("async_log_pre_api_call", kwargs, messages, model, None)

    async def async_log_stream_event(self, kwargs, response_obj, start_time, end_time):
        self._add("async_log_stream_event", kwargs, response_obj, start_time, end_time)

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self._add("async_log_success_event", kwargs, response_obj, start_time, end_time)

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self._add("async_log_failure_event", kwargs, response_obj, start_time, end_time)


class FnRecorder:
    """A plain function callback (sync or async) that records its positional arguments."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.cond = threading.Condition()

    def record(self, *args: Any) -> None:
        with self.cond:
            self.calls.append(args)
            self.cond.notify_all()

    def wait_for(self, n: int, timeout: float = 5.0) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: len(self.calls) >= n, timeout)

    def sync_fn(self):
        def success_fn(kwargs, completion_response, start_time, end_time):
            self.record(kwargs, completion_response, start_time, end_time)

        return success_fn

    def async_fn(self):
        async def async_success_fn(kwargs, completion_response, start_time, end_time):
            self.record(kwargs, completion_response, start_time, end_time)

        return async_success_fn

    def input_fn(self):
        def input_fn(kwargs):
            self.record(kwargs)

        return input_fn

    def async_input_fn(self):
        async def async_input_fn(kwargs):
            self.record(kwargs)

        return async_input_fn


def wait_until(predicate: Any, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


class Sink(CustomLogger):
    """Overrides only the success/failure hooks (both modes): one delivery per terminal event."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.indexes: list = []
        self.cond = threading.Condition()

    def _add(self, kwargs: dict) -> None:
        with self.cond:
            self.indexes.append(kwargs.get("index"))
            self.cond.notify_all()

    def wait_for(self, n: int, timeout: float = 5.0) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: len(self.indexes) >= n, timeout)

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self._add(kwargs)

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self._add(kwargs)

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self._add(kwargs)

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self._add(kwargs)
