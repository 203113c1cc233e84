"""The disk spool: failed items kept and restored (by the next exporter, or by the same one when the
receiver comes back), write-ahead segments removed once sent, live segments never claimed twice."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from exporter_helpers import Recorder, balanced, wait_until

from litellm.exporters import RetryableExportError
from litellm.exporters import batch as batch_module
from litellm.exporters.spool import Spool


def _segments(root: Path) -> list[Path]:
    return sorted(root.rglob("*.jsonl"))


def _lines_on_disk(root: Path) -> int:
    return sum(len(p.read_bytes().splitlines()) for p in _segments(root))


def _down(batch: list[dict]) -> None:
    raise RetryableExportError("receiver down")


def test_failed_items_are_spooled_and_the_next_exporter_delivers_them(make_exporter, tmp_path) -> None:
    items = [{"id": f"ev-{i}", "model": "gpt-4o-mini", "cost": i / 10} for i in range(25)]
    first = make_exporter(_down, name="dest", max_retries=0, flush_interval=60.0, spool_dir=tmp_path)
    for item in items:
        first.submit(item)
    assert first.flush(timeout=5)
    first.shutdown(timeout=5)
    stats = first.stats()
    assert stats["spooled"] == 25 and stats["failed"] == 0 and balanced(stats)
    assert _lines_on_disk(tmp_path) == 25

    recorder = Recorder()
    second = make_exporter(recorder, name="dest", flush_interval=60.0, spool_dir=tmp_path)
    assert second.stats()["restored"] == 25
    assert second.flush(timeout=5)
    # Items come back byte for byte: ids are never rewritten, so receivers can dedupe on them.
    assert [item for b in recorder.batches for item in b] == items
    assert _segments(tmp_path) == []
    assert balanced(second.stats())


def test_spool_is_per_exporter_name(make_exporter, tmp_path) -> None:
    first = make_exporter(_down, name="alpha", max_retries=0, flush_interval=60.0, spool_dir=tmp_path)
    first.submit({"id": 1})
    first.shutdown(timeout=5)
    other = make_exporter(Recorder(), name="beta", spool_dir=tmp_path)
    assert other.stats()["restored"] == 0
    same = make_exporter(Recorder(), name="alpha", spool_dir=tmp_path)
    assert same.stats()["restored"] == 1


def test_items_queued_at_shutdown_with_receiver_down_are_spooled(make_exporter, tmp_path) -> None:
    exp = make_exporter(_down, name="dest", flush_interval=60.0, spool_dir=tmp_path, backoff_base=10.0)
    for i in range(10):
        exp.submit({"id": i})
    exp.shutdown(timeout=5)
    stats = exp.stats()
    assert stats["spooled"] == 10 and stats["dropped"] == {} and balanced(stats)
    assert _lines_on_disk(tmp_path) == 10


def test_hung_send_at_shutdown_keeps_inflight_and_queued_items(make_exporter, tmp_path) -> None:
    hung = Recorder()
    hung.gate = threading.Event()
    exp = make_exporter(hung, name="dest", max_batch_size=4, flush_interval=0.01, spool_dir=tmp_path)
    for i in range(10):
        exp.submit({"id": i})
    assert wait_until(lambda: hung.calls == 1)
    exp.shutdown(timeout=0.2)
    stats = exp.stats()
    assert stats["spooled"] == 10 and stats["queued"] == 0 and balanced(stats)

    recorder = Recorder()
    nxt = make_exporter(recorder, name="dest", flush_interval=60.0, spool_dir=tmp_path)
    assert nxt.flush(timeout=5)
    assert sorted(recorder.ids) == list(range(10))
    hung.gate.set()


def test_same_exporter_redelivers_spooled_items_when_the_receiver_is_back(make_exporter, tmp_path) -> None:
    up = threading.Event()
    recorder = Recorder()
    recorder.fail_with = lambda batch: None if up.is_set() else RetryableExportError("down")
    exp = make_exporter(recorder, name="dest", max_retries=0, flush_interval=0.01, spool_dir=tmp_path)
    for i in range(20):
        exp.submit({"id": i})
    assert exp.flush(timeout=5)
    assert exp.stats()["spooled"] == 20
    up.set()
    exp.submit({"id": 20})
    assert wait_until(lambda: sorted(recorder.ids) == list(range(21)))
    assert exp.stats()["restored"] == 20
    assert wait_until(lambda: _segments(tmp_path) == [])


def test_spooled_items_are_retried_after_a_probe_interval_without_new_traffic(
    make_exporter, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(batch_module, "_RESTORE_PROBE", 0.1)
    up = threading.Event()
    recorder = Recorder()
    recorder.fail_with = lambda batch: None if up.is_set() else RetryableExportError("down")
    exp = make_exporter(recorder, name="dest", max_retries=0, flush_interval=0.01, spool_dir=tmp_path)
    for i in range(10):
        exp.submit({"id": i})
    assert exp.flush(timeout=5)
    assert exp.stats()["spooled"] == 10
    up.set()
    # Nothing new is submitted: only the probe can bring the spooled items back.
    assert wait_until(lambda: sorted(recorder.ids) == list(range(10)))
    assert wait_until(lambda: _segments(tmp_path) == [])


def test_write_ahead_keeps_queued_items_on_disk_until_sent(make_exporter, tmp_path) -> None:
    recorder = Recorder()
    recorder.gate = threading.Event()
    exp = make_exporter(
        recorder,
        name="wal",
        max_batch_size=5,
        flush_interval=0.01,
        spool_dir=tmp_path,
        spool_mode="write_ahead",
    )
    for i in range(20):
        exp.submit({"id": i})
    # Even with the send hung, every item reaches disk.
    assert wait_until(lambda: _lines_on_disk(tmp_path) == 20)
    recorder.gate.set()
    assert exp.flush(timeout=5)
    assert recorder.ids == list(range(20))
    assert wait_until(lambda: _segments(tmp_path) == [])
    stats = exp.stats()
    assert stats["spooled"] == 0 and balanced(stats)


def test_live_segments_are_not_claimed_by_another_exporter(make_exporter, tmp_path) -> None:
    recorder = Recorder()
    recorder.gate = threading.Event()
    owner = make_exporter(
        recorder,
        name="wal",
        max_batch_size=5,
        flush_interval=0.01,
        spool_dir=tmp_path,
        spool_mode="write_ahead",
    )
    for i in range(10):
        owner.submit({"id": i})
    assert wait_until(lambda: _lines_on_disk(tmp_path) == 10)
    other = make_exporter(Recorder(), name="wal", spool_dir=tmp_path)
    assert other.stats()["restored"] == 0
    recorder.gate.set()
    assert owner.flush(timeout=5)
    assert recorder.ids == list(range(10))


def test_torn_last_line_is_skipped_and_the_rest_restored(make_exporter, tmp_path) -> None:
    seg_dir = tmp_path / "dest"
    seg_dir.mkdir()
    good = b"".join(json.dumps({"id": i}).encode() + b"\n" for i in range(3))
    (seg_dir / "00000000000000000001-1-0.wal.jsonl").write_bytes(good + b'{"id": 3, "mod')
    recorder = Recorder()
    exp = make_exporter(recorder, name="dest", flush_interval=60.0, spool_dir=tmp_path)
    assert exp.stats()["restored"] == 3
    assert exp.flush(timeout=5)
    assert recorder.ids == [0, 1, 2]
    assert _segments(tmp_path) == []


def test_spool_over_its_byte_budget_drops_and_counts(make_exporter, tmp_path) -> None:
    exp = make_exporter(
        _down, name="dest", max_retries=0, flush_interval=60.0, spool_dir=tmp_path, max_spool_bytes=200
    )
    for i in range(10):
        exp.submit({"id": i, "pad": "x" * 40})
    assert exp.flush(timeout=5)
    stats = exp.stats()
    assert stats["spooled"] >= 1 and stats["dropped"]["spool_full"] >= 1
    assert stats["spooled"] + stats["dropped"]["spool_full"] == 10
    assert balanced(stats)


def test_spool_segments_rotate_with_fsync_and_become_claimable(tmp_path) -> None:
    spool = Spool(tmp_path)
    assert spool.write([{"id": 1}, {"id": 2}]) == (2, 0)
    # While this process writes it, the segment is locked: a second spool cannot claim it.
    assert Spool(tmp_path).claim() is None
    spool.rotate()
    claimed = Spool(tmp_path).claim()
    assert claimed is not None
    seg, items = claimed
    assert items == [{"id": 1}, {"id": 2}]
    seg.discard()
    assert _segments(tmp_path) == []


def test_a_spool_that_cannot_be_written_counts_drops_and_keeps_the_worker_alive(
    make_exporter, tmp_path, monkeypatch
) -> None:
    exp = make_exporter(_down, name="dest", max_retries=0, flush_interval=60.0, spool_dir=tmp_path)

    def disk_full(items):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exp._spool, "write", disk_full)
    for i in range(4):
        exp.submit({"id": i})
    assert exp.flush(timeout=5)
    stats = exp.stats()
    assert stats["dropped"] == {"spool_error": 4} and stats["queued"] == 0
    assert balanced(stats)
