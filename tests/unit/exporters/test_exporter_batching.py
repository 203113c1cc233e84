"""Batching by count, by JSON bytes and by interval; flush; the worker's lifecycle; counters."""

from __future__ import annotations

import json
import threading
import time

import pytest
from exporter_helpers import Recorder, balanced, wait_until

from litellm.exporters import BatchExporter


def _worker_threads(name: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == f"litellm-exporter-{name}"]


def test_full_batches_leave_without_waiting_for_the_interval(make_exporter, recorder: Recorder) -> None:
    exp = make_exporter(recorder, max_batch_size=10, flush_interval=60.0)
    for i in range(30):
        assert exp.submit({"id": i})
    assert wait_until(lambda: recorder.sizes == [10, 10, 10])
    assert recorder.ids == list(range(30))


def test_partial_batch_leaves_once_the_interval_passes(make_exporter, recorder: Recorder) -> None:
    exp = make_exporter(recorder, max_batch_size=100, flush_interval=0.05)
    for i in range(3):
        exp.submit({"id": i})
    assert wait_until(lambda: recorder.sizes == [3])


def test_item_submitted_after_an_idle_spell_leaves_within_the_interval(make_exporter, recorder) -> None:
    exp = make_exporter(recorder, max_batch_size=100, flush_interval=0.05)
    exp.submit({"id": 0})
    assert wait_until(lambda: recorder.ids == [0])
    time.sleep(0.1)  # the worker is now idle, waiting for work
    exp.submit({"id": 1})
    assert wait_until(lambda: recorder.ids == [0, 1])


def test_partial_batch_waits_for_the_interval_or_a_flush(make_exporter, recorder: Recorder) -> None:
    exp = make_exporter(recorder, max_batch_size=100, flush_interval=60.0)
    for i in range(3):
        exp.submit({"id": i})
    time.sleep(0.2)
    assert recorder.batches == []
    assert exp.flush(timeout=5)
    assert recorder.sizes == [3]


def test_flush_returns_true_once_everything_queued_is_sent_in_order(make_exporter, recorder) -> None:
    exp = make_exporter(recorder, max_batch_size=7, flush_interval=60.0)
    for i in range(100):
        exp.submit({"id": i})
    assert exp.flush(timeout=5)
    assert recorder.ids == list(range(100))
    assert max(recorder.sizes) == 7
    stats = exp.stats()
    assert stats["sent"] == 100 and stats["batches_sent"] == len(recorder.batches)
    assert stats["queued"] == 0 and balanced(stats)


def test_flush_with_nothing_queued_returns_true_at_once(make_exporter, recorder: Recorder) -> None:
    exp = make_exporter(recorder)
    assert exp.flush(timeout=0)


def test_flush_returns_false_when_its_deadline_passes(make_exporter, recorder: Recorder) -> None:
    recorder.gate = threading.Event()
    exp = make_exporter(recorder, flush_interval=60.0)
    exp.submit({"id": 1})
    assert exp.flush(timeout=0.1) is False
    recorder.gate.set()
    assert exp.flush(timeout=5)
    assert recorder.ids == [1]


def test_max_batch_bytes_keeps_each_batch_under_the_json_size(make_exporter, recorder: Recorder) -> None:
    exp = make_exporter(recorder, max_batch_size=100, flush_interval=60.0, max_batch_bytes=400)
    for i in range(20):
        exp.submit({"id": i, "pad": "x" * 80})
    assert exp.flush(timeout=5)
    assert recorder.ids == list(range(20))
    assert len(recorder.batches) > 1
    for batch in recorder.batches:
        assert len(json.dumps(batch, separators=(",", ":"))) <= 400


def test_item_larger_than_max_batch_bytes_is_sent_alone(make_exporter, recorder: Recorder) -> None:
    exp = make_exporter(recorder, max_batch_size=100, flush_interval=60.0, max_batch_bytes=200)
    exp.submit({"id": 0})
    exp.submit({"id": 1, "pad": "x" * 500})
    exp.submit({"id": 2})
    assert exp.flush(timeout=5)
    assert [[item["id"] for item in b] for b in recorder.batches] == [[0], [1], [2]]


def test_worker_thread_starts_on_first_submit_and_stops_on_shutdown(recorder: Recorder) -> None:
    exp = BatchExporter("lazy-start", recorder, flush_interval=60.0)
    assert _worker_threads("lazy-start") == []
    exp.submit({"id": 1})
    assert len(_worker_threads("lazy-start")) == 1
    exp.shutdown(timeout=5)
    assert recorder.ids == [1]
    assert wait_until(lambda: _worker_threads("lazy-start") == [])


def test_shutdown_delivers_what_is_queued(make_exporter, recorder: Recorder) -> None:
    exp = make_exporter(recorder, max_batch_size=50, flush_interval=60.0)
    for i in range(120):
        exp.submit({"id": i})
    exp.shutdown(timeout=5)
    assert recorder.ids == list(range(120))


def test_submit_after_shutdown_is_refused_and_counted(make_exporter, recorder: Recorder) -> None:
    exp = make_exporter(recorder)
    exp.shutdown(timeout=1)
    assert exp.submit({"id": 1}) is False
    stats = exp.stats()
    assert stats["dropped"] == {"shutdown": 1}
    assert balanced(stats)


def test_stats_has_the_documented_keys(make_exporter, recorder: Recorder) -> None:
    exp = make_exporter(recorder, name="keys")
    stats = exp.stats()
    for key in (
        "name",
        "submitted",
        "sent",
        "batches_sent",
        "retried",
        "failed",
        "spooled",
        "restored",
        "dropped",
        "queued",
    ):
        assert key in stats
    assert stats["name"] == "keys"


def test_send_calling_flush_does_not_deadlock(make_exporter) -> None:
    holder: dict = {}
    results: list[bool] = []

    def send(batch: list[dict]) -> None:
        results.append(holder["exp"].flush(timeout=1))

    exp = make_exporter(send, flush_interval=60.0)
    holder["exp"] = exp
    exp.submit({"id": 1})
    assert exp.flush(timeout=5)
    assert results == [False]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_batch_size": 0}, "max_batch_size"),
        ({"flush_interval": 0}, "flush_interval"),
        ({"spool_mode": "sometimes"}, "spool_mode"),
        ({"spool_mode": "write_ahead"}, "spool_dir"),
    ],
)
def test_invalid_configuration_is_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BatchExporter("bad", lambda batch: None, **kwargs)
