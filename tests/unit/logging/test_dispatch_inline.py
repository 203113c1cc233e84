"""Sync hooks of fast loggers run on the router; slow or overrunning ones move off it, nothing lost or reordered.

What counts as "slow" is a scheduling matter (2 ms on the router, 50 ms before the watchdog takes a hook
over). On a busy 2-core machine a 10 µs hook is sometimes descheduled for longer than that, so the tests
that assert the routing rule widen the thresholds (``calm_thresholds``) far beyond any preemption, and make
the slow hook slower than the widened threshold: they assert what the rule does, not what the scheduler
happened to do.
"""

from __future__ import annotations

import threading
import time

import pytest
from logging_fakes import Sink, ctx_for, wait_until

from litellm.dispatch import dispatcher as dispatch_mod
from litellm.dispatch import lanes as dispatch_lanes
from litellm.integrations.custom_logger import CustomLogger


class ThreadRecorder(CustomLogger):
    """Records (index, thread ident) per success event; sleeps ``delays[index]`` seconds when listed."""

    def __init__(self, delays: dict[int, float] | None = None, fail: set[int] | None = None):
        super().__init__()
        self.delays = delays or {}
        self.fail = fail or set()
        self.seen: list[tuple[int, int]] = []

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        index = kwargs["index"]
        time.sleep(self.delays.get(index, 0))
        self.seen.append((index, threading.get_ident()))
        if index in self.fail:
            raise RuntimeError("logger bug after a long wait")


# Widened thresholds: a hook is "slow" after 0.25 s, taken over after 1 s (no preemption lasts that long).
CALM_SLOW_HOOK = 0.25
CALM_OVERRUN = 1.0


@pytest.fixture
def calm_thresholds(monkeypatch):
    monkeypatch.setattr(dispatch_lanes, "_SLOW_HOOK", CALM_SLOW_HOOK)
    monkeypatch.setattr(dispatch_lanes, "_OVERRUN", CALM_OVERRUN)


@pytest.fixture
def patient_dispatcher(calm_thresholds):
    d = dispatch_mod.Dispatcher(hook_timeout=30.0)
    yield d
    d.shutdown(timeout=5.0)


def test_fast_sync_loggers_of_one_event_run_on_one_thread_without_a_hand_off(patient_dispatcher):
    dispatcher = patient_dispatcher
    first, second = ThreadRecorder(), ThreadRecorder()
    for i in range(20):
        dispatcher.emit_success(ctx_for(first, second, index=i))
    assert dispatcher.flush(5)
    threads = {t for _, t in first.seen} | {t for _, t in second.seen}
    assert len(threads) == 1
    assert [i for i, _ in first.seen] == list(range(20)) == [i for i, _ in second.seen]
    lanes = [dispatcher._lane_for(dispatch_mod._targets[id(x)]) for x in (first, second)]
    assert not any(lane.offload for lane in lanes)


def test_a_logger_slow_once_moves_off_the_router_comes_back_and_keeps_order_and_counts(patient_dispatcher):
    dispatcher = patient_dispatcher
    n = dispatch_lanes._FAST_RUNS_TO_INLINE * 2 + 10
    slow_once, other = ThreadRecorder(delays={0: CALM_SLOW_HOOK * 1.6}), Sink()
    for i in range(n):
        dispatcher.emit_success(ctx_for(slow_once, other, index=i))
    assert dispatcher.flush(10)
    assert [i for i, _ in slow_once.seen] == list(range(n))
    assert len({t for _, t in slow_once.seen}) >= 2  # it left the router for a while
    assert dispatcher._lane_for(dispatch_mod._targets[id(slow_once)]).offload is False  # and came back
    stats = dispatcher.stats()["per_callback"]
    assert stats["ThreadRecorder"]["delivered"] == n
    assert stats["Sink"]["delivered"] == n


def test_an_overrunning_hook_that_then_raises_is_counted_once_as_failed_and_others_are_served():
    d = dispatch_mod.Dispatcher(hook_timeout=5.0, watch_interval=0.05)
    try:
        slow, good = ThreadRecorder(delays={0: dispatch_lanes._OVERRUN * 4}, fail={0}), Sink()
        d.emit_success(ctx_for(slow, good, index=0))
        for i in range(1, 4):
            d.emit_success(ctx_for(slow, good, index=i))
        assert good.wait_for(4)
        assert d.flush(5)
        stats = d.stats()["per_callback"]
        assert stats["ThreadRecorder"]["failed"] == 1
        assert stats["ThreadRecorder"]["delivered"] == 3
        assert stats["Sink"]["delivered"] == 4
        assert [i for i, _ in slow.seen] == [0, 1, 2, 3]
    finally:
        d.shutdown(5)


def test_the_watchdog_sleeps_when_no_hook_runs(calm_thresholds):
    d = dispatch_mod.Dispatcher(watch_interval=0.05)
    try:
        sink = Sink()
        d.emit_success(ctx_for(sink))
        assert d.flush(5)
        assert wait_until(lambda: d._watch_idle)
        count = d._inline_count
        d.emit_success(ctx_for(sink, index=1))
        assert d.flush(5) and sink.indexes == [0, 1]
        assert d._inline_count == count + 1
    finally:
        d.shutdown(5)


def test_a_router_replaced_after_an_overrun_ends_once_its_hook_returns():
    d = dispatch_mod.Dispatcher(hook_timeout=5.0, watch_interval=0.05)
    try:
        slow = ThreadRecorder(delays={0: dispatch_lanes._OVERRUN * 10})
        d.emit_success(ctx_for(slow, index=0))
        first = d._router
        assert first is not None
        assert wait_until(lambda: d._router is not first)  # taken over while the hook still runs
        assert first.is_alive()
        assert d.flush(5)
        assert wait_until(lambda: not first.is_alive())
        assert d._router.is_alive()
        d.emit_success(ctx_for(slow, index=1))
        assert d.flush(5) and [i for i, _ in slow.seen] == [0, 1]
    finally:
        d.shutdown(5)


class AsyncOnly(CustomLogger):
    def __init__(self):
        super().__init__()
        self.got = threading.Event()

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.got.set()


class BlockingSync(CustomLogger):
    def __init__(self):
        super().__init__()
        self.release = threading.Event()

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.release.wait(10)


def test_async_loggers_of_an_event_start_before_a_sync_hook_of_it_that_blocks(dispatcher):
    async_logger, blocking = AsyncOnly(), BlockingSync()
    try:
        dispatcher.emit_success(ctx_for(async_logger, blocking, is_async=True))
        assert async_logger.got.wait(5)  # not held back until the blocking hook returns
    finally:
        blocking.release.set()
    assert dispatcher.flush(5)
