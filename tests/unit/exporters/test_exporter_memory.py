"""Bounded memory: a full queue never blocks the caller, every drop is counted by reason and logged
once (rate-limited), and drop logging cannot loop back into the exporter."""

from __future__ import annotations

import logging
import threading

import pytest
from exporter_helpers import Recorder, balanced, wait_until

from litellm.exporters import _diag


def _block_worker(exp, recorder: Recorder, batch: int) -> None:
    """Put one batch in flight inside a send that does not return until the gate opens."""
    for i in range(batch):
        exp.submit({"id": f"inflight-{i}"})
    assert wait_until(lambda: recorder.calls == 1)


def test_full_queue_drops_new_items_and_counts_them(make_exporter, recorder: Recorder) -> None:
    recorder.gate = threading.Event()
    exp = make_exporter(recorder, max_batch_size=5, max_queue_size=10, flush_interval=60.0)
    _block_worker(exp, recorder, 5)
    accepted = [exp.submit({"id": i}) for i in range(13)]
    assert accepted == [True] * 10 + [False] * 3
    stats = exp.stats()
    assert stats["dropped"] == {"queue_full": 3}
    assert stats["queued"] == 15 and balanced(stats)
    recorder.gate.set()
    assert exp.flush(timeout=5)
    assert exp.stats()["sent"] == 15
    assert balanced(exp.stats())


def test_submit_does_not_block_while_the_receiver_hangs(make_exporter, recorder: Recorder) -> None:
    recorder.gate = threading.Event()
    exp = make_exporter(recorder, max_batch_size=10, max_queue_size=100, flush_interval=60.0)
    results = [exp.submit({"id": i}) for i in range(5000)]
    # A blocking submit would hang here (and pytest-timeout would fail the test).
    assert results.count(True) <= 110
    assert exp.stats()["dropped"]["queue_full"] == results.count(False)
    recorder.gate.set()


def test_full_queue_spills_to_the_spool_instead_of_dropping(make_exporter, recorder, tmp_path) -> None:
    recorder.gate = threading.Event()
    exp = make_exporter(
        recorder, max_batch_size=5, max_queue_size=10, flush_interval=60.0, spool_dir=tmp_path
    )
    _block_worker(exp, recorder, 5)
    assert all(exp.submit({"id": i}) for i in range(14))
    stats = exp.stats()
    assert stats["dropped"] == {} and stats["spooled"] == 4
    assert balanced(stats)
    recorder.gate.set()


def test_drops_are_logged_once_per_interval_not_per_item(make_exporter, recorder, monkeypatch) -> None:
    lines: list[tuple[str, str, dict]] = []
    monkeypatch.setattr(_diag, "_emit", lambda level, event, fields: lines.append((level, event, fields)))
    recorder.gate = threading.Event()
    exp = make_exporter(recorder, name="noisy", max_batch_size=5, max_queue_size=5, flush_interval=60.0)
    _block_worker(exp, recorder, 5)
    for i in range(5 + 200):
        exp.submit({"id": i})
    drop_lines = [fields for _, _, fields in lines if fields.get("reason") == "queue_full"]
    assert len(drop_lines) == 1
    assert drop_lines[0]["exporter"] == "noisy"
    assert exp.stats()["dropped"] == {"queue_full": 200}
    recorder.gate.set()


def test_drop_log_handler_that_submits_again_does_not_loop(make_exporter, recorder, monkeypatch) -> None:
    holder: dict = {}
    emitted: list[str] = []

    class Resubmit(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            emitted.append(record.getMessage())
            holder["exp"].submit({"id": "from-log-handler"})

    logger = logging.getLogger("test.exporters.loop")
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    handler = Resubmit()
    logger.addHandler(handler)
    monkeypatch.setattr(_diag, "_get_logger", lambda: logger)
    try:
        recorder.gate = threading.Event()
        exp = make_exporter(recorder, max_batch_size=1, max_queue_size=1, flush_interval=60.0)
        holder["exp"] = exp
        _block_worker(exp, recorder, 1)
        exp.submit({"id": "fills-queue"})
        exp.submit({"id": "dropped"})
        # The handler's own submit was dropped too, without a second log line.
        assert len(emitted) == 1
        assert exp.stats()["dropped"] == {"queue_full": 2}
        recorder.gate.set()
    finally:
        logger.removeHandler(handler)


def test_diagnostics_use_the_library_logger(make_exporter, recorder, caplog) -> None:
    recorder.gate = threading.Event()
    exp = make_exporter(recorder, name="diag", max_batch_size=1, max_queue_size=1, flush_interval=60.0)
    _block_worker(exp, recorder, 1)
    with caplog.at_level(logging.WARNING, logger="litellm"):
        exp.submit({"id": 1})
        exp.submit({"id": 2})
    recorder.gate.set()
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("litellm")]
    assert any("dropped" in m and "queue_full" in m for m in messages)


@pytest.mark.parametrize("bad", [object(), {"self": None}])
def test_unserializable_items_never_break_submit(make_exporter, recorder, bad) -> None:
    if isinstance(bad, dict):
        bad["self"] = bad  # a cycle json cannot encode
    exp = make_exporter(recorder, flush_interval=60.0, max_batch_bytes=10_000)
    assert exp.submit(bad) is True
    assert exp.flush(timeout=5)
