"""Each callback keeps a small backlog: beyond it its events are dropped (counted) until it drains to half;
an event every callback of which would drop it is dropped at emit, without queueing. The backlog and the
per-hook timeout come from LITELLM_CALLBACK_BACKLOG and LITELLM_CALLBACK_TIMEOUT."""

from __future__ import annotations

import threading

from logging_fakes import ctx_for, wait_until

from litellm.dispatch import dispatcher as dispatch_mod
from litellm.integrations.custom_logger import CustomLogger


class Blocking(CustomLogger):
    def __init__(self):
        super().__init__()
        self.release = threading.Event()
        self.started = threading.Event()
        self.n = 0

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.started.set()
        self.release.wait(10)
        self.n += 1


def test_a_full_backlog_drops_counted_then_accepts_again_once_half_drained():
    d = dispatch_mod.Dispatcher(max_lane=4, hook_timeout=30)
    try:
        slow = Blocking()
        d.emit_success(ctx_for(slow, index=0))
        assert slow.started.wait(5)
        assert wait_until(lambda: d._lane_for(dispatch_mod._targets[id(slow)]).running)
        for i in range(1, 20):
            d.emit_success(ctx_for(slow, index=i))
        assert wait_until(lambda: d.stats()["queued"] == 0)
        stats = d.stats()
        assert stats["per_callback"]["Blocking"]["dropped"] == {"backlog_full": 15}
        # once full, later events never reach the router's queue: dropped at emit
        routed_before = d._routed
        d.emit_success(ctx_for(slow, index=99))
        assert d._routed == routed_before
        assert d.stats()["per_callback"]["Blocking"]["dropped"] == {"backlog_full": 16}
        slow.release.set()
        assert d.flush(10)
        assert slow.n == 5  # the running one and the backlog of 4
        d.emit_success(ctx_for(slow, index=100))  # drained: accepted again
        assert d.flush(10) and slow.n == 6
    finally:
        slow.release.set()
        d.shutdown(5)


def test_the_backlog_size_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("LITELLM_CALLBACK_BACKLOG", "17")
    d = dispatch_mod.Dispatcher()
    try:
        assert d.max_lane == 17
    finally:
        d.shutdown(1)
    monkeypatch.delenv("LITELLM_CALLBACK_BACKLOG")
    d = dispatch_mod.Dispatcher()
    try:
        assert d.max_lane == 1_000
    finally:
        d.shutdown(1)


def test_the_hook_timeout_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("LITELLM_CALLBACK_TIMEOUT", "0.75")
    d = dispatch_mod.Dispatcher()
    try:
        assert d.hook_timeout == 0.75
    finally:
        d.shutdown(1)
    monkeypatch.setenv("LITELLM_CALLBACK_TIMEOUT", "soon")
    d = dispatch_mod.Dispatcher()
    try:
        assert d.hook_timeout == 5.0
    finally:
        d.shutdown(1)
