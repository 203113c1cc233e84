"""The process-wide registry: flush_all, all_stats, the exit timeout, and weak tracking."""

from __future__ import annotations

import gc
import threading

import pytest
from exporter_helpers import Recorder

from litellm.exporters import BatchExporter, all_stats, flush_all, registry, set_exit_timeout


def test_flush_all_flushes_every_exporter(make_exporter) -> None:
    first, second = Recorder(), Recorder()
    a = make_exporter(first, name="reg-a", flush_interval=60.0)
    b = make_exporter(second, name="reg-b", flush_interval=60.0)
    for i in range(3):
        a.submit({"id": i})
        b.submit({"id": i})
    assert flush_all(timeout=5)
    assert first.ids == [0, 1, 2] and second.ids == [0, 1, 2]


def test_flush_all_reports_an_exporter_that_cannot_finish(make_exporter) -> None:
    stuck = Recorder()
    stuck.gate = threading.Event()
    exp = make_exporter(stuck, name="reg-stuck", flush_interval=60.0)
    exp.submit({"id": 1})
    assert flush_all(timeout=0.1) is False
    stuck.gate.set()
    assert flush_all(timeout=5)


def test_all_stats_keys_by_name_and_numbers_repeats(make_exporter) -> None:
    make_exporter(Recorder(), name="reg-same")
    make_exporter(Recorder(), name="reg-same")
    stats = all_stats()
    assert stats["reg-same"]["name"] == "reg-same"
    assert stats["reg-same#2"]["name"] == "reg-same"


def test_registry_does_not_keep_an_idle_exporter_alive() -> None:
    exp = BatchExporter("reg-weak", Recorder())
    assert "reg-weak" in all_stats()
    del exp
    gc.collect()
    assert "reg-weak" not in all_stats()


def test_exit_timeout_is_settable_and_validated() -> None:
    before = registry.get_exit_timeout()
    assert before == 2.0
    try:
        set_exit_timeout(0.5)
        assert registry.get_exit_timeout() == 0.5
        with pytest.raises(ValueError):
            set_exit_timeout(-1)
    finally:
        set_exit_timeout(before)
