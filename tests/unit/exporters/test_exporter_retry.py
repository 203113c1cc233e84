"""Retry with jittered exponential backoff, Retry-After, permanent errors, 413 splitting, and sends
that raise anything at all."""

from __future__ import annotations

import threading

import pytest
from exporter_helpers import Recorder, balanced, wait_until

from litellm.exporters import PayloadTooLargeError, PermanentExportError, RetryableExportError


def _record_pauses(exp) -> list[tuple[float, bool]]:
    """Replace the engine's backoff sleep with a recorder (no real waiting)."""
    pauses: list[tuple[float, bool]] = []
    exp._pause = lambda delay, mandated: pauses.append((delay, mandated))
    return pauses


def test_retryable_failures_back_off_exponentially_with_jitter(make_exporter, recorder: Recorder) -> None:
    recorder.script = [RetryableExportError("503")] * 4
    exp = make_exporter(recorder, flush_interval=60.0, backoff_base=0.5, backoff_max=30.0)
    pauses = _record_pauses(exp)
    exp.submit({"id": 1})
    assert exp.flush(timeout=5)
    assert recorder.ids == [1]
    assert recorder.calls == 5
    assert len(pauses) == 4
    for attempt, (delay, mandated) in enumerate(pauses, start=1):
        step = 0.5 * 2 ** (attempt - 1)
        assert step * 0.5 <= delay <= step
        assert mandated is False
    stats = exp.stats()
    assert stats["retried"] == 4 and stats["sent"] == 1


def test_backoff_is_capped_at_backoff_max(make_exporter, recorder: Recorder) -> None:
    recorder.script = [RetryableExportError("503")] * 6
    exp = make_exporter(recorder, flush_interval=60.0, backoff_base=1.0, backoff_max=2.0, retry_deadline=1e6)
    pauses = _record_pauses(exp)
    exp.submit({"id": 1})
    assert exp.flush(timeout=5)
    assert all(delay <= 2.0 for delay, _ in pauses)
    assert pauses[-1][0] >= 1.0


def test_retry_after_from_the_receiver_sets_the_wait(make_exporter, recorder: Recorder) -> None:
    recorder.script = [RetryableExportError("429", retry_after=7.5)]
    exp = make_exporter(recorder, flush_interval=60.0, backoff_base=0.01)
    pauses = _record_pauses(exp)
    exp.submit({"id": 1})
    assert exp.flush(timeout=5)
    assert pauses == [(7.5, True)]
    assert recorder.ids == [1]


def test_real_backoff_sleeps_then_delivers(make_exporter, recorder: Recorder) -> None:
    recorder.script = [RetryableExportError("500"), ConnectionError("reset")]
    exp = make_exporter(recorder, flush_interval=60.0, backoff_base=0.01, backoff_max=0.02)
    exp.submit({"id": 1})
    assert exp.flush(timeout=5)
    assert recorder.ids == [1]
    assert exp.stats()["retried"] == 2


def test_gives_up_after_max_retries_and_counts_failed(make_exporter, recorder: Recorder) -> None:
    recorder.fail_with = lambda batch: RetryableExportError("down")
    exp = make_exporter(recorder, flush_interval=60.0, max_retries=3)
    _record_pauses(exp)
    for i in range(5):
        exp.submit({"id": i})
    assert exp.flush(timeout=5)
    assert recorder.calls == 4
    stats = exp.stats()
    assert stats["failed"] == 5 and stats["retried"] == 3 and stats["sent"] == 0
    assert balanced(stats)


def test_gives_up_when_retry_after_exceeds_the_retry_deadline(make_exporter, recorder: Recorder) -> None:
    recorder.fail_with = lambda batch: RetryableExportError("429", retry_after=120.0)
    exp = make_exporter(recorder, flush_interval=60.0, retry_deadline=60.0)
    pauses = _record_pauses(exp)
    exp.submit({"id": 1})
    assert exp.flush(timeout=5)
    assert recorder.calls == 1 and pauses == []
    assert exp.stats()["failed"] == 1


def test_permanent_error_is_not_retried(make_exporter, recorder: Recorder) -> None:
    recorder.script = [PermanentExportError("HTTP 400")]
    exp = make_exporter(recorder, flush_interval=60.0)
    pauses = _record_pauses(exp)
    for i in range(3):
        exp.submit({"id": i})
    assert exp.flush(timeout=5)
    assert recorder.calls == 1 and pauses == []
    stats = exp.stats()
    assert stats["failed"] == 3 and stats["retried"] == 0


@pytest.mark.parametrize("error", [ValueError("bug"), KeyError("x"), SystemExit(3), KeyboardInterrupt()])
def test_unexpected_exception_from_send_is_retried_and_counted(make_exporter, recorder, error) -> None:
    recorder.script = [error]
    exp = make_exporter(recorder, flush_interval=60.0)
    _record_pauses(exp)
    assert exp.submit({"id": 1})
    assert exp.flush(timeout=5)
    assert recorder.ids == [1]
    assert exp.stats()["send_errors"] == 1


def test_a_send_that_always_raises_never_escapes_and_the_worker_survives(make_exporter) -> None:
    calls = []

    def send(batch):
        calls.append(len(batch))
        raise RuntimeError("always broken")

    exp = make_exporter(send, flush_interval=60.0, max_retries=1, backoff_base=0.001)
    for i in range(3):
        assert exp.submit({"id": i})
    assert exp.flush(timeout=5)
    assert exp.submit({"id": 3})
    assert exp.flush(timeout=5)
    stats = exp.stats()
    assert stats["failed"] == 4 and stats["send_errors"] == 4
    assert balanced(stats)


def test_payload_too_large_splits_the_batch_in_halves(make_exporter, recorder: Recorder) -> None:
    recorder.fail_with = lambda batch: PayloadTooLargeError("413") if len(batch) > 3 else None
    exp = make_exporter(recorder, max_batch_size=20, flush_interval=60.0)
    for i in range(20):
        exp.submit({"id": i})
    assert exp.flush(timeout=5)
    assert recorder.ids == list(range(20))
    assert max(recorder.sizes) <= 3
    stats = exp.stats()
    assert stats["sent"] == 20 and stats["dropped"] == {}


def test_single_item_still_too_large_is_dropped_as_too_large(make_exporter, recorder: Recorder) -> None:
    recorder.fail_with = lambda batch: (
        PayloadTooLargeError("413") if any(item["id"] == 3 for item in batch) else None
    )
    exp = make_exporter(recorder, max_batch_size=8, flush_interval=60.0)
    for i in range(8):
        exp.submit({"id": i})
    assert exp.flush(timeout=5)
    assert recorder.ids == [0, 1, 2, 4, 5, 6, 7]
    stats = exp.stats()
    assert stats["dropped"] == {"too_large": 1} and stats["sent"] == 7
    assert balanced(stats)


def test_flush_cuts_a_backoff_wait_short(make_exporter, recorder: Recorder) -> None:
    recorder.script = [RetryableExportError("503")]
    exp = make_exporter(recorder, flush_interval=0.01, backoff_base=30.0, backoff_max=30.0)
    exp.submit({"id": 1})
    assert wait_until(lambda: recorder.calls == 1)
    # Without the interruption the retry would wait at least 15 s.
    assert exp.flush(timeout=5)
    assert recorder.ids == [1]


def test_flush_does_not_cut_a_retry_after_wait_but_shutdown_does(make_exporter, recorder: Recorder) -> None:
    recorder.script = [RetryableExportError("429", retry_after=30.0)]
    exp = make_exporter(recorder, flush_interval=0.01)
    exp.submit({"id": 1})
    assert wait_until(lambda: recorder.calls == 1)
    assert exp.flush(timeout=0.2) is False
    assert recorder.calls == 1
    exp.shutdown(timeout=5)
    # Shutdown makes one final attempt at once, which succeeds here.
    assert recorder.ids == [1]


def test_batch_still_failing_at_shutdown_is_dropped_as_shutdown(make_exporter, recorder: Recorder) -> None:
    recorder.fail_with = lambda batch: RetryableExportError("down", retry_after=30.0)
    exp = make_exporter(recorder, max_batch_size=2, flush_interval=0.01)
    for i in range(5):
        exp.submit({"id": i})
    assert wait_until(lambda: recorder.calls >= 1)
    exp.shutdown(timeout=5)
    stats = exp.stats()
    assert stats["dropped"] == {"shutdown": 5}
    assert stats["queued"] == 0 and balanced(stats)


def test_shutdown_with_a_hung_send_returns_by_its_deadline(make_exporter, recorder: Recorder) -> None:
    recorder.gate = threading.Event()
    exp = make_exporter(recorder, max_batch_size=2, flush_interval=0.01)
    for i in range(5):
        exp.submit({"id": i})
    assert wait_until(lambda: recorder.calls == 1)
    exp.shutdown(timeout=0.2)
    stats = exp.stats()
    assert stats["dropped"] == {"shutdown": 5}
    assert stats["queued"] == 0 and balanced(stats)
    recorder.gate.set()
