"""Which hook each callback gets, with which arguments, on which thread: the dispatcher's routing rules."""

from __future__ import annotations

import asyncio
import datetime
import threading

from logging_fakes import CANARY_CONTENT, FnRecorder, Recorder, ctx_for, wait_until

from litellm.core.redact import REDACTED_MARKER
from litellm.core.settings import settings
from litellm.integrations.custom_logger import CustomLogger
from litellm.integrations.memory import MemoryLogger


def run_call(d, ctx, *, chunks=(), fail=False):
    d.emit_pre_call(ctx)
    for chunk in chunks:
        d.emit_stream_chunk(ctx, chunk)
    (d.emit_failure if fail else d.emit_success)(ctx)


def test_sync_call_reaches_pre_post_and_sync_success_hooks_in_order(dispatcher):
    logger = Recorder()
    ctx = ctx_for(logger)
    run_call(dispatcher, ctx)
    assert dispatcher.flush(5)
    assert logger.hooks() == ["log_pre_api_call", "log_post_api_call", "log_success_event"]


def test_sync_failure_reaches_the_sync_failure_hook_with_the_exception(dispatcher):
    logger = Recorder()
    error = RuntimeError("boom")
    run_call(dispatcher, ctx_for(logger, exception=error), fail=True)
    assert dispatcher.flush(5)
    assert logger.hooks() == ["log_pre_api_call", "log_post_api_call", "log_failure_event"]
    _, kwargs, response_obj, _, _ = logger.calls[-1]
    assert kwargs["exception"] is error
    assert response_obj is None


def test_async_call_reaches_async_success_hook_and_never_the_sync_one(dispatcher):
    logger = Recorder()
    run_call(dispatcher, ctx_for(logger, is_async=True))
    assert dispatcher.flush(5)
    assert logger.hooks() == ["log_pre_api_call", "log_post_api_call", "async_log_success_event"]


def test_async_failure_reaches_async_failure_hook(dispatcher):
    logger = Recorder()
    run_call(dispatcher, ctx_for(logger, is_async=True, exception=ValueError("x")), fail=True)
    assert dispatcher.flush(5)
    assert logger.hooks()[-1] == "async_log_failure_event"
    assert "log_failure_event" not in logger.hooks()


def test_async_log_pre_api_call_is_never_called_as_in_litellm(dispatcher):
    logger = Recorder()
    run_call(dispatcher, ctx_for(logger, is_async=True))
    run_call(dispatcher, ctx_for(logger, is_async=False))
    assert dispatcher.flush(5)
    assert "async_log_pre_api_call" not in logger.hooks()
    assert logger.hooks().count("log_pre_api_call") == 2


def test_stream_chunks_reach_the_stream_hook_of_the_calls_mode(dispatcher):
    sync_logger, async_logger = Recorder(), Recorder()
    run_call(dispatcher, ctx_for(sync_logger, stream=True), chunks=["c1", "c2"])
    run_call(dispatcher, ctx_for(async_logger, stream=True, is_async=True), chunks=["c1", "c2"])
    assert dispatcher.flush(5)
    assert [c[2] for c in sync_logger.calls if c[0] == "log_stream_event"] == ["c1", "c2"]
    assert [c[2] for c in async_logger.calls if c[0] == "async_log_stream_event"] == ["c1", "c2"]
    assert "log_stream_event" not in async_logger.hooks()
    chunk_kwargs = sync_logger.calls[1][1]
    assert chunk_kwargs["chunk"] == "c1"
    assert isinstance(sync_logger.calls[1][4], datetime.datetime)


class SyncOnly(CustomLogger):
    def __init__(self):
        super().__init__()
        self.got: list[str] = []

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.got.append("sync")


class AsyncOnly(CustomLogger):
    def __init__(self):
        super().__init__()
        self.got: list[str] = []

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.got.append("async")


def test_a_logger_overriding_only_one_mode_gets_that_hook_for_both_call_modes(dispatcher):
    sync_only, async_only = SyncOnly(), AsyncOnly()
    for is_async in (False, True):
        run_call(dispatcher, ctx_for(sync_only, async_only, is_async=is_async))
    assert dispatcher.flush(5)
    assert sync_only.got == ["sync", "sync"]
    assert async_only.got == ["async", "async"]


class RenamedParams(CustomLogger):
    def __init__(self):
        super().__init__()
        self.got: list[tuple] = []

    def log_pre_api_call(self, mdl, msgs, kw):
        self.got.append(("pre", mdl))

    def log_success_event(self, kw, resp, t0, t1):
        self.got.append(("success", resp))

    async def async_log_failure_event(self, kw, resp, t0, t1):
        self.got.append(("afailure", kw["exception"].args[0]))


def test_hooks_are_called_positionally_so_renamed_parameters_still_receive_events(dispatcher):
    logger = RenamedParams()
    run_call(dispatcher, ctx_for(logger, result="R1"))
    run_call(dispatcher, ctx_for(logger, is_async=True, exception=KeyError("E1")), fail=True)
    assert dispatcher.flush(5)
    assert logger.got == [
        ("pre", "gpt-4o-mini"),
        ("success", "R1"),
        ("pre", "gpt-4o-mini"),
        ("afailure", "E1"),
    ]


def test_hooks_receive_start_and_end_as_datetimes(dispatcher):
    logger = Recorder()
    run_call(dispatcher, ctx_for(logger))
    assert dispatcher.flush(5)
    _, _, _, start, end = logger.calls[-1]
    assert isinstance(start, datetime.datetime) and isinstance(end, datetime.datetime)
    assert end >= start


def test_sync_function_callback_gets_kwargs_response_start_end(dispatcher):
    rec = FnRecorder()
    run_call(dispatcher, ctx_for(rec.sync_fn(), result="RESP"))
    assert dispatcher.flush(5)
    [(kwargs, response, start, end)] = rec.calls
    assert response == "RESP"
    assert kwargs["standard_logging_object"]["status"] == "success"
    assert kwargs["log_event_type"] == "post_api_call"
    assert isinstance(start, datetime.datetime) and isinstance(end, datetime.datetime)


def test_async_function_callback_is_awaited_for_sync_and_async_calls(dispatcher):
    rec = FnRecorder()
    fn = rec.async_fn()
    run_call(dispatcher, ctx_for(fn, index=1))
    run_call(dispatcher, ctx_for(fn, is_async=True, index=2))
    assert dispatcher.flush(5)
    assert [c[0]["index"] for c in rec.calls] == [1, 2]


def test_function_failure_callback_gets_none_response_and_the_exception(dispatcher):
    rec = FnRecorder()
    settings.failure_callback = [rec.sync_fn()]
    from logging_fakes import FakeCtx

    from litellm.dispatch.dispatcher import resolve_callbacks

    error = TimeoutError("slow")
    ctx = FakeCtx(resolve_callbacks(), exception=error)
    dispatcher.emit_failure(ctx)
    assert dispatcher.flush(5)
    [(kwargs, response, _, _)] = rec.calls
    assert response is None and kwargs["exception"] is error


def test_input_callbacks_get_one_kwargs_argument_with_model_messages_and_event_type(dispatcher):
    rec = FnRecorder()
    settings.input_callback = [rec.input_fn(), rec.async_input_fn()]
    from logging_fakes import FakeCtx

    from litellm.dispatch.dispatcher import resolve_callbacks

    ctx = FakeCtx(resolve_callbacks())
    dispatcher.emit_pre_call(ctx)
    dispatcher.emit_success(ctx)  # input callbacks take no part in the terminal event
    assert dispatcher.flush(5)
    assert len(rec.calls) == 2
    for (kwargs,) in rec.calls:
        assert kwargs["log_event_type"] == "pre_api_call"
        assert kwargs["model"] == "gpt-4o-mini"
        assert kwargs["messages"] == ctx.messages


def test_two_instances_of_one_logger_class_each_get_every_event(dispatcher):
    a, b = Recorder(), Recorder()
    for i in range(3):
        run_call(dispatcher, ctx_for(a, b, index=i))
    assert dispatcher.flush(5)
    assert a.hooks().count("log_success_event") == 3
    assert b.hooks().count("log_success_event") == 3


class Masker(CustomLogger):
    def __init__(self, tag):
        super().__init__()
        self.tag = tag
        self.seen_tags: list[list] = []

    def logging_hook(self, kwargs, result, call_type):
        self.seen_tags.append(list(kwargs.get("tags", [])))
        kwargs = {**kwargs, "tags": [*kwargs.get("tags", []), self.tag], "messages": "masked"}
        return kwargs, f"{result}+{self.tag}"

    async def async_logging_hook(self, kwargs, result, call_type):
        kwargs = {
            **kwargs,
            "tags": [*kwargs.get("tags", []), f"async-{self.tag}"],
            "call_type_seen": call_type,
        }
        return kwargs, result


def test_logging_hooks_run_in_order_before_any_destination_sees_the_event(dispatcher):
    first, second, dest = Masker("a"), Masker("b"), Recorder()
    rec = FnRecorder()
    run_call(dispatcher, ctx_for(first, second, dest, rec.sync_fn(), result="R"))
    assert dispatcher.flush(5)
    assert first.seen_tags == [[]] and second.seen_tags == [["a"]]
    _, kwargs, response_obj, _, _ = dest.calls[-1]
    assert kwargs["tags"] == ["a", "b"] and kwargs["messages"] == "masked"
    assert response_obj == "R+a+b"
    fn_kwargs, fn_response, _, _ = rec.calls[0]
    assert fn_kwargs["tags"] == ["a", "b"] and fn_response == "R+a+b"


def test_async_calls_run_async_logging_hooks_with_the_call_type(dispatcher):
    first, dest = Masker("a"), Recorder()
    run_call(dispatcher, ctx_for(first, dest, is_async=True))
    assert dispatcher.flush(5)
    kwargs = dest.calls[-1][1]
    assert kwargs["tags"] == ["async-a"] and kwargs["call_type_seen"] == "acompletion"
    assert first.seen_tags == []  # the sync hook did not run as well


def test_a_logger_with_message_logging_off_gets_a_redacted_copy_and_others_the_original(dispatcher):
    private, regular = Recorder(turn_off_message_logging=True), Recorder()
    ctx = ctx_for(private, regular, result={"choices": [{"message": {"content": CANARY_CONTENT}}]})
    run_call(dispatcher, ctx)
    assert dispatcher.flush(5)
    built = ctx.build_kwargs()
    _, p_kwargs, p_response, _, _ = private.calls[-1]
    _, r_kwargs, r_response, _, _ = regular.calls[-1]
    assert CANARY_CONTENT not in repr(p_kwargs) and CANARY_CONTENT not in repr(p_response)
    assert p_kwargs["messages"][0]["content"] == REDACTED_MARKER
    assert p_kwargs["standard_logging_object"]["total_tokens"] == 8
    assert p_kwargs["standard_logging_object"]["response_cost"] == 0.25
    assert r_kwargs is built  # shared, built once
    assert r_kwargs["messages"][0]["content"] == CANARY_CONTENT
    assert r_response["choices"][0]["message"]["content"] == CANARY_CONTENT
    pre_messages = private.calls[0][2]
    assert pre_messages[0]["content"] == REDACTED_MARKER


def test_deprecated_message_logging_false_also_redacts(dispatcher):
    private = Recorder(message_logging=False)
    run_call(dispatcher, ctx_for(private))
    assert dispatcher.flush(5)
    assert CANARY_CONTENT not in repr(private.calls[-1][1])


def test_global_turn_off_message_logging_redacts_for_every_callback(dispatcher):
    settings.turn_off_message_logging = True
    logger, rec = Recorder(), FnRecorder()
    run_call(dispatcher, ctx_for(logger, rec.sync_fn()))
    assert dispatcher.flush(5)
    assert CANARY_CONTENT not in repr(logger.calls)
    assert CANARY_CONTENT not in repr(rec.calls)


def test_per_call_turn_off_message_logging_redacts_for_every_callback(dispatcher):
    logger = Recorder()
    run_call(dispatcher, ctx_for(logger, turn_off_message_logging=True))
    assert dispatcher.flush(5)
    assert CANARY_CONTENT not in repr(logger.calls)


def test_kwargs_are_built_once_and_never_on_the_callers_thread(dispatcher):
    loggers = [Recorder(), Recorder(turn_off_message_logging=True), FnRecorder().sync_fn()]
    ctx = ctx_for(*loggers)
    run_call(dispatcher, ctx)
    assert dispatcher.flush(5)
    assert ctx.build_calls == 1
    assert threading.get_ident() not in ctx.build_threads


def test_memory_logger_receives_the_payload_once_for_sync_and_async_calls(dispatcher):
    memory = MemoryLogger()
    run_call(dispatcher, ctx_for(memory, index=1))
    run_call(dispatcher, ctx_for(memory, is_async=True, index=2))
    run_call(dispatcher, ctx_for(memory, is_async=True, index=3, exception=OSError("x")), fail=True)
    assert dispatcher.flush(5)
    assert [p["index"] for p in memory.payloads] == [1, 2, 3]
    assert [p["status"] for p in memory.payloads] == ["success", "success", "failure"]


def test_memory_logger_with_message_logging_off_stores_redacted_payloads(dispatcher):
    memory = MemoryLogger(turn_off_message_logging=True)
    run_call(dispatcher, ctx_for(memory))
    assert dispatcher.flush(5)
    [payload] = memory.payloads
    assert CANARY_CONTENT not in repr(payload)
    assert payload["total_tokens"] == 8


def test_events_are_delivered_while_the_callers_event_loop_runs(dispatcher):
    logger = Recorder()

    async def main():
        run_call(dispatcher, ctx_for(logger, is_async=True))
        # the hook runs on the dispatcher's loop, so it arrives while this loop is still running
        for _ in range(500):
            if "async_log_success_event" in logger.hooks():
                return True
            await asyncio.sleep(0.01)
        return False

    assert asyncio.run(main())


def test_callbacks_registered_after_a_call_do_not_see_earlier_events(dispatcher):
    early, late = Recorder(), Recorder()
    run_call(dispatcher, ctx_for(early))
    assert wait_until(lambda: len(early.calls) == 3)
    run_call(dispatcher, ctx_for(early, late))
    assert dispatcher.flush(5)
    assert len(early.calls) == 6 and len(late.calls) == 3


def test_stream_chunks_for_a_redacting_logger_carry_no_content(dispatcher):
    private = Recorder(turn_off_message_logging=True)
    chunk = {"choices": [{"delta": {"content": CANARY_CONTENT}}]}
    run_call(dispatcher, ctx_for(private, stream=True), chunks=[chunk])
    assert dispatcher.flush(5)
    [chunk_call] = [c for c in private.calls if c[0] == "log_stream_event"]
    assert CANARY_CONTENT not in repr(chunk_call)


class AsyncDefInSyncSlot(CustomLogger):
    def __init__(self):
        super().__init__()
        self.got: list[int] = []

    async def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.got.append(kwargs["index"])


def test_a_sync_hook_written_as_async_def_is_awaited_not_lost(dispatcher):
    logger = AsyncDefInSyncSlot()
    run_call(dispatcher, ctx_for(logger, index=1))
    run_call(dispatcher, ctx_for(logger, index=2, is_async=True))
    assert dispatcher.flush(5)
    assert logger.got == [1, 2]
