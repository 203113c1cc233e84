"""Loggers that raise, hang or fall behind never affect the caller or each other; every loss is counted."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from logging_fakes import FakeCtx, FnRecorder, Recorder, Sink, ctx_for, wait_until

from litellm.core import log
from litellm.dispatch import dispatcher as dispatch_mod
from litellm.integrations.custom_logger import CustomLogger


class Raiser(CustomLogger):
    def __init__(self):
        super().__init__()
        self.attempts = 0

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.attempts += 1
        raise RuntimeError("logger bug")

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.attempts += 1
        raise RuntimeError("async logger bug")


class Hanger(CustomLogger):
    """Blocks in its hook until released; records what it got."""

    def __init__(self):
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()
        self.got: list[int] = []

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.entered.set()
        self.release.wait(30)
        self.got.append(kwargs["index"])


class AsyncHanger(CustomLogger):
    def __init__(self):
        super().__init__()
        self.cancelled = 0

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise


@pytest.fixture
def errors(monkeypatch):
    """Collect log_once calls made by the dispatcher (what would be written to the log)."""
    seen: list[tuple] = []
    real = log.log_once

    def spy(key, event, level="warning", **fields):
        emitted = real(key, event, level=level, **fields)
        if emitted:
            seen.append((key, event, fields))
        return emitted

    monkeypatch.setattr(dispatch_mod._log, "log_once", spy)
    log._reset_for_tests()
    yield seen
    log._reset_for_tests()


def test_a_raising_logger_does_not_affect_others_is_logged_once_and_counted(dispatcher, errors, capsys):
    raiser, good = Raiser(), Sink()
    for i in range(3):
        ctx = ctx_for(raiser, good, index=i, is_async=bool(i % 2))
        dispatcher.emit_success(ctx)  # returns normally: the caller is unaffected
    assert dispatcher.flush(5)
    assert raiser.attempts == 3
    assert len(good.indexes) == 3
    stats = dispatcher.stats()["per_callback"]
    assert stats["Raiser"]["failed"] == 3
    assert stats["Sink"]["delivered"] == 3
    hook_errors = [e for e in errors if e[0][0] == "hook_error"]
    # once per (logger, hook): the sync hook and the async hook
    assert sorted(e[2]["hook"] for e in hook_errors) == ["async_log_success_event", "log_success_event"]
    assert all(e[2]["callback"] == "Raiser" for e in hook_errors)
    err = capsys.readouterr().err
    assert err.count("callback raised") == 2 and "Raiser" in err


def test_a_raising_function_callback_is_counted_under_its_name(dispatcher, errors):
    def broken_callback(kwargs, response, start, end):
        raise ValueError("nope")

    for _ in range(2):
        dispatcher.emit_success(ctx_for(broken_callback))
    assert dispatcher.flush(5)
    assert (
        dispatcher.stats()["per_callback"][
            "test_a_raising_function_callback_is_counted_under_its_name.<locals>.broken_callback"
        ]["failed"]
        == 2
    )


def test_emit_returns_while_a_hook_is_still_blocked_and_others_are_served(dispatcher):
    hanger, good = Hanger(), Sink()
    dispatcher.emit_success(ctx_for(hanger, good, index=0))
    assert hanger.entered.wait(5)
    # the hook is blocked now; the caller's next emits return and the other logger keeps receiving
    for i in range(1, 4):
        dispatcher.emit_success(ctx_for(hanger, good, index=i))
    assert not hanger.release.is_set()
    assert good.wait_for(4)
    hanger.release.set()
    assert dispatcher.flush(5)
    assert hanger.got == [0, 1, 2, 3]


def test_a_hung_sync_hook_times_out_its_lane_drops_counted_and_it_recovers():
    d = dispatch_mod.Dispatcher(hook_timeout=0.3, watch_interval=0.05)
    try:
        hanger, good = Hanger(), Sink()
        d.emit_success(ctx_for(hanger, good, index=0))
        assert hanger.entered.wait(5)
        assert wait_until(lambda: d.stats()["per_callback"].get("Hanger", {}).get("timed_out") == 1)
        for i in range(1, 4):
            d.emit_success(ctx_for(hanger, good, index=i))
        assert d.flush(5)  # does not wait for the hung hook
        stats = d.stats()["per_callback"]
        assert stats["Hanger"]["dropped"] == {"hung": 3}
        assert stats["Sink"]["delivered"] == 4
        hanger.release.set()
        assert wait_until(lambda: hanger.got == [0])
        d.emit_success(ctx_for(hanger, index=9))
        assert d.flush(5)
        assert hanger.got == [0, 9]
        assert d.stats()["per_callback"]["Hanger"]["delivered"] == 1
    finally:
        hanger.release.set()
        d.shutdown(5)


def test_many_hung_loggers_do_not_starve_the_others():
    d = dispatch_mod.Dispatcher(hook_timeout=0.2, watch_interval=0.05, max_workers=2)
    hangers = [Hanger() for _ in range(4)]
    try:
        good = Sink()
        d.emit_success(ctx_for(*hangers, good))
        assert wait_until(lambda: all(h.entered.is_set() for h in hangers))
        assert good.wait_for(1)
        d.emit_success(ctx_for(*hangers, good))
        assert good.wait_for(2)
    finally:
        for h in hangers:
            h.release.set()
        d.shutdown(5)


def test_a_hung_async_hook_is_cancelled_at_the_timeout_its_backlog_dropped_and_counted():
    d = dispatch_mod.Dispatcher(hook_timeout=0.2)
    try:
        hanger, good = AsyncHanger(), Sink()
        for _ in range(3):
            d.emit_success(ctx_for(hanger, good, is_async=True))
        assert d.flush(5)
        assert hanger.cancelled == 1  # the first hangs; the two behind it are dropped, not each waited for
        stats = d.stats()["per_callback"]
        assert stats["AsyncHanger"]["timed_out"] == 1
        assert stats["AsyncHanger"]["dropped"] == {"hung": 2}
        assert stats["Sink"]["delivered"] == 3
        d.emit_success(ctx_for(hanger, good, is_async=True))  # within one timeout period: dropped at once
        assert d.flush(5) and d.stats()["per_callback"]["AsyncHanger"]["dropped"] == {"hung": 3}
        time.sleep(0.25)  # the period is over: the next event gets its own chance
        d.emit_success(ctx_for(hanger, good, is_async=True))
        assert d.flush(5)
        assert hanger.cancelled == 2 and d.stats()["per_callback"]["AsyncHanger"]["timed_out"] == 2
    finally:
        d.shutdown(5)


class AsyncSleeper(CustomLogger):
    """Each hook sleeps ``delay`` (well within the timeout, but several add up to more than it)."""

    def __init__(self, delay):
        super().__init__()
        self.delay = delay
        self.done = 0

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        await asyncio.sleep(self.delay)
        self.done += 1


class AsyncSwallower(CustomLogger):
    """Its first hook swallows the cancellation and returns; the hooks after it are quick."""

    def __init__(self):
        super().__init__()
        self.calls = 0
        self.swallowed = 0

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.calls += 1
        if self.calls == 1:
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                self.swallowed += 1


class AsyncTimeoutRaiser(CustomLogger):
    """Raises TimeoutError itself (a client's own timeout): handled like a hook that timed out."""

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        raise asyncio.TimeoutError


def test_async_hooks_are_timed_each_not_by_their_sum():
    # five hooks of 0.08 s in one lane run take 0.4 s together: none of them is past the 0.2 s timeout
    d = dispatch_mod.Dispatcher(hook_timeout=0.2)
    try:
        sleeper = AsyncSleeper(0.08)
        for _ in range(5):
            d.emit_success(ctx_for(sleeper, is_async=True))
        assert d.flush(5)
        stats = d.stats()["per_callback"]["AsyncSleeper"]
        assert sleeper.done == 5 and stats["delivered"] == 5 and stats["timed_out"] == 0
    finally:
        d.shutdown(5)


def test_a_hung_async_hook_is_cancelled_no_sooner_than_the_timeout():
    d = dispatch_mod.Dispatcher(hook_timeout=0.3)
    try:
        hanger = AsyncHanger()
        started = time.monotonic()
        d.emit_success(ctx_for(hanger, is_async=True))
        assert d.flush(5)
        took = time.monotonic() - started
        assert hanger.cancelled == 1 and 0.3 <= took < 2.0
        assert d.stats()["per_callback"]["AsyncHanger"]["timed_out"] == 1
    finally:
        d.shutdown(5)


def test_an_async_hook_that_swallows_the_cancellation_stands_and_its_lane_goes_on():
    # as under asyncio.timeout: no TimeoutError when the hook returns normally after the cancellation
    d = dispatch_mod.Dispatcher(hook_timeout=0.2)
    try:
        swallower = AsyncSwallower()
        for _ in range(3):
            d.emit_success(ctx_for(swallower, is_async=True))
        assert d.flush(5)
        stats = d.stats()["per_callback"]["AsyncSwallower"]
        assert swallower.swallowed == 1 and swallower.calls == 3
        assert stats["delivered"] == 3 and stats["timed_out"] == 0
        d.emit_success(ctx_for(swallower, is_async=True))  # the lane's task was not left cancelled
        assert d.flush(5) and swallower.calls == 4
    finally:
        d.shutdown(5)


def test_an_async_hook_raising_timeout_error_counts_as_timed_out():
    d = dispatch_mod.Dispatcher(hook_timeout=5.0)
    try:
        raiser, good = AsyncTimeoutRaiser(), Sink()
        d.emit_success(ctx_for(raiser, good, is_async=True))
        assert d.flush(5)
        stats = d.stats()["per_callback"]
        assert stats["AsyncTimeoutRaiser"]["timed_out"] == 1 and stats["Sink"]["delivered"] == 1
    finally:
        d.shutdown(5)


def test_a_hung_logging_hook_times_out_and_the_event_still_reaches_destinations():
    release = threading.Event()

    class HungMasker(CustomLogger):
        def logging_hook(self, kwargs, result, call_type):
            release.wait(30)
            return kwargs, result

    d = dispatch_mod.Dispatcher(hook_timeout=0.2)
    try:
        good = Sink()
        d.emit_success(ctx_for(HungMasker(), good))
        assert good.wait_for(1)
        assert (
            d.stats()["per_callback"][
                "test_a_hung_logging_hook_times_out_and_the_event_still_reaches_destinations.<locals>.HungMasker"
            ]["timed_out"]
            == 1
        )
    finally:
        release.set()
        d.shutdown(5)


def test_a_full_queue_drops_without_blocking_and_counts_per_callback(capsys, fresh_log):
    d = dispatch_mod.Dispatcher(max_queue=5)
    gate = threading.Event()
    try:
        logger, rec = Sink(), FnRecorder()
        callbacks = ctx_for(logger, rec.sync_fn()).callbacks
        # the first event holds the router inside build_kwargs, so the queue behind it fills up
        d.emit_success(FakeCtx(callbacks, build_gate=gate))
        assert wait_until(lambda: d.stats()["queued"] == 0)
        for i in range(12):
            d.emit_success(FakeCtx(callbacks, index=i))
        stats = d.stats()
        assert stats["per_callback"]["Sink"]["dropped"] == {"queue_full": 7}
        assert stats["per_callback"]["FnRecorder.sync_fn.<locals>.success_fn"]["dropped"] == {"queue_full": 7}
        assert stats["events_dropped"] == 7 and stats["emitted"] == 13
        err = capsys.readouterr().err
        assert err.count("logging event dropped") == 1 and "queue_full" in err  # rate-limited: said once
        gate.set()
        assert d.flush(5)
        assert len(logger.indexes) == 6
    finally:
        gate.set()
        d.shutdown(5)


def test_a_logger_that_falls_behind_hits_its_backlog_cap_and_counts_drops():
    d = dispatch_mod.Dispatcher(max_lane=3)
    hanger, good = Hanger(), Sink()
    try:
        d.emit_success(ctx_for(hanger, good, index=0))
        assert hanger.entered.wait(5)
        for i in range(1, 8):
            d.emit_success(ctx_for(hanger, good, index=i))
            assert good.wait_for(i + 1)  # one at a time: only the hung logger falls behind
        assert wait_until(lambda: d.stats()["per_callback"]["Hanger"]["dropped"].get("backlog_full") == 4)
        hanger.release.set()
        assert d.flush(5)
        assert hanger.got == [0, 1, 2, 3]
    finally:
        hanger.release.set()
        d.shutdown(5)


class Slow(CustomLogger):
    def __init__(self, delay):
        super().__init__()
        self.delay = delay
        self.order: list[int] = []

    def log_pre_api_call(self, model, messages, kwargs):
        self.order.append(("pre", kwargs["index"]))

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        time.sleep(self.delay)
        self.order.append(("success", kwargs["index"]))

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        await asyncio.sleep(self.delay)
        self.order.append(("success", kwargs["index"]))


def test_each_logger_receives_events_in_call_order_across_sync_and_async_calls(dispatcher):
    slow, fast = Slow(0.002), Slow(0)
    expected = []
    for i in range(60):
        ctx = ctx_for(slow, fast, index=i, is_async=(i % 3 == 0))
        dispatcher.emit_pre_call(ctx)
        dispatcher.emit_success(ctx)
        expected += [("pre", i), ("success", i)]
    assert dispatcher.flush(10)
    assert slow.order == expected
    assert fast.order == expected


def test_flush_waits_for_every_event_emitted_so_far(dispatcher):
    slow = Slow(0.01)
    for i in range(30):
        dispatcher.emit_success(ctx_for(slow, index=i, is_async=bool(i % 2)))
    assert dispatcher.flush(10)
    assert len(slow.order) == 30


def test_flush_returns_false_when_the_timeout_passes_first(dispatcher):
    hanger = Hanger()
    dispatcher.emit_success(ctx_for(hanger))
    assert hanger.entered.wait(5)
    assert dispatcher.flush(0.1) is False
    hanger.release.set()
    assert dispatcher.flush(5)


def test_flush_with_nothing_emitted_returns_true_at_once(dispatcher):
    assert dispatcher.flush(0)


def test_flush_also_flushes_integration_loggers(dispatcher):
    class Buffered(CustomLogger):
        flushed: list = []

        def log_success_event(self, kwargs, response_obj, start_time, end_time):
            pass

        def flush(self, timeout=None):
            self.flushed.append(timeout)
            return True

    logger = Buffered()
    dispatcher.emit_success(ctx_for(logger))
    assert dispatcher.flush(5)
    assert len(Buffered.flushed) >= 1 and Buffered.flushed[-1] is not None


def test_stats_count_emitted_delivered_failed_per_callback(dispatcher):
    good, raiser = Recorder(), Raiser()
    for i in range(4):
        ctx = ctx_for(good, raiser, index=i)
        dispatcher.emit_pre_call(ctx)
        dispatcher.emit_success(ctx)
    assert dispatcher.flush(5)
    stats = dispatcher.stats()
    assert stats["emitted"] == 8
    assert stats["per_callback"]["Recorder"] == {
        "delivered": 12,
        "failed": 0,
        "dropped": {},
        "timed_out": 0,
        "fail_closed": {},
    }
    assert stats["per_callback"]["Raiser"]["failed"] == 4
    assert stats["delivered"] == 12 and stats["failed"] == 4 and stats["dropped"] == 0


def test_a_broken_context_is_counted_as_failed_for_its_callbacks_and_does_not_stop_the_dispatcher(dispatcher):
    logger = Recorder()

    class BrokenCtx(FakeCtx):
        def build_kwargs(self):
            raise RuntimeError("payload bug")

    ctx = ctx_for(logger)
    dispatcher.emit_success(BrokenCtx(ctx.callbacks))
    dispatcher.emit_success(ctx_for(logger, index=2))
    assert dispatcher.flush(5)
    assert dispatcher.stats()["per_callback"]["Recorder"]["failed"] == 1
    assert logger.calls[-1][1]["index"] == 2


def test_emit_never_raises_even_for_a_malformed_context(dispatcher):
    class NoCallbacks:
        callbacks = None

    dispatcher.emit_success(NoCallbacks())
    dispatcher.emit_pre_call(NoCallbacks())
    dispatcher.emit_stream_chunk(NoCallbacks(), "c")
    dispatcher.emit_failure(NoCallbacks())
    assert dispatcher.flush(1)


def test_a_shut_down_dispatcher_drops_new_events_and_counts_them():
    d = dispatch_mod.Dispatcher()
    logger = Recorder()
    d.emit_success(ctx_for(logger))
    d.shutdown(5)
    d.emit_success(ctx_for(logger))
    assert d.stats()["per_callback"]["Recorder"]["dropped"] == {"closed": 1}


def test_per_call_loggers_do_not_accumulate_state_after_their_calls(dispatcher):
    import gc

    for i in range(500):
        dispatcher.emit_success(ctx_for(Sink(), index=i))
    assert dispatcher.flush(5)
    gc.collect()
    bound = dispatch_mod._PER_CALL_CACHE_MAX + 5  # the per-call resolution cache keeps the latest few
    assert len(dispatcher._lanes) < bound
    assert len([t for t in dispatch_mod._targets.values() if isinstance(t.obj, Sink)]) < bound
    assert dispatcher.stats()["per_callback"]["Sink"]["delivered"] == 500


def test_a_logger_with_a_long_backlog_does_not_keep_others_waiting_for_a_worker():
    d = dispatch_mod.Dispatcher(max_workers=1)
    try:
        busy, other = Slow(0.005), Sink()
        for i in range(300):
            d.emit_success(ctx_for(busy, index=i))
        d.emit_success(ctx_for(other, index=0))
        assert other.wait_for(1, timeout=10)
        assert len(busy.order) < 300  # served while the busy logger still had work queued
        assert d.flush(20)
        assert [i for _, i in busy.order] == list(range(300))
    finally:
        d.shutdown(5)
