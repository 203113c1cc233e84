"""Process lifecycle: fork, normal exit, exit with a dead or hung receiver, and SIGKILL.

Each scenario runs in a real child process (``os.fork`` or a subprocess of this interpreter) so that
the exit hook, the fork hook and the kernel's release of file locks are the real ones.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from exporter_helpers import Recorder, wait_until

from litellm.exporters import BatchExporter

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX process semantics")


def _run_script(code: str, *args: str, timeout: float = 30.0) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _read_ids(path: Path) -> list:
    if not path.exists():
        return []
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


def _lines_on_disk(root: Path) -> int:
    return sum(len(p.read_bytes().splitlines()) for p in root.rglob("*.jsonl"))


# A send that appends each item as a JSON line to the file named by argv[1].
_FILE_SEND = """
import json, sys
def send(batch, _path=sys.argv[1]):
    with open(_path, "a") as f:
        for item in batch:
            f.write(json.dumps(item) + "\\n")
"""


def test_forked_child_gets_a_fresh_exporter_and_delivers_its_own_items(tmp_path: Path) -> None:
    def send(batch: list[dict]) -> None:
        with open(tmp_path / f"{os.getpid()}.out", "a") as f:
            for item in batch:
                f.write(json.dumps(item) + "\n")

    exp = BatchExporter("forky", send, max_batch_size=100, flush_interval=60.0)
    try:
        for i in range(5):
            exp.submit({"id": f"parent-{i}"})
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            code = 1
            try:
                fresh = exp.stats()["queued"] == 0 and exp.stats()["submitted"] == 0
                for i in range(7):
                    exp.submit({"id": f"child-{i}"})
                if fresh and exp.flush(timeout=5) and exp.stats()["sent"] == 7:
                    code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert _read_ids(tmp_path / f"{pid}.out") == [f"child-{i}" for i in range(7)]
        assert exp.flush(timeout=5)
        assert _read_ids(tmp_path / f"{os.getpid()}.out") == [f"parent-{i}" for i in range(5)]
    finally:
        exp.shutdown(timeout=2)


def test_normal_exit_delivers_everything_queued(tmp_path: Path) -> None:
    out = tmp_path / "delivered.jsonl"
    result = _run_script(
        _FILE_SEND
        + """
from litellm.exporters import BatchExporter
# Batches bigger than what is submitted and a long interval: only the exit hook can send them.
exp = BatchExporter("atexit", send, max_batch_size=5000, flush_interval=3600)
for i in range(1000):
    exp.submit({"id": i})
print("sent before exit:", exp.stats()["sent"])
""",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert "sent before exit: 0" in result.stdout
    assert _read_ids(out) == list(range(1000))


def test_exit_with_receiver_down_spools_and_the_next_process_delivers(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    result = _run_script(
        """
import sys
from litellm.exporters import BatchExporter, RetryableExportError, set_exit_timeout
def send(batch):
    raise RetryableExportError("receiver down")
set_exit_timeout(1.0)
exp = BatchExporter("dest", send, flush_interval=0.01, backoff_base=5.0, spool_dir=sys.argv[1])
for i in range(300):
    exp.submit({"id": i})
""",
        str(spool),
    )
    assert result.returncode == 0, result.stderr
    assert _lines_on_disk(spool) == 300

    recorder = Recorder()
    exp = BatchExporter("dest", recorder, flush_interval=60.0, spool_dir=spool)
    try:
        assert exp.flush(timeout=10)
        assert sorted(recorder.ids) == list(range(300))
    finally:
        exp.shutdown(timeout=2)


def test_exit_with_a_hung_receiver_is_bounded_and_keeps_the_events(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    result = _run_script(
        """
import sys, threading
from litellm.exporters import BatchExporter, set_exit_timeout
def send(batch):
    threading.Event().wait()   # a receiver that never answers
set_exit_timeout(0.5)
exp = BatchExporter("dest", send, max_batch_size=10, flush_interval=0.01, spool_dir=sys.argv[1])
for i in range(50):
    exp.submit({"id": i})
""",
        str(spool),
        timeout=20,
    )
    assert result.returncode == 0, result.stderr
    recorder = Recorder()
    exp = BatchExporter("dest", recorder, flush_interval=60.0, spool_dir=spool)
    try:
        assert exp.flush(timeout=10)
        assert sorted(recorder.ids) == list(range(50))
    finally:
        exp.shutdown(timeout=2)


def test_sigkill_with_write_ahead_loses_nothing(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    code = """
import sys, threading, time
from litellm.exporters import BatchExporter
def send(batch):
    threading.Event().wait()   # hung receiver: nothing is ever delivered by this process
exp = BatchExporter("wal-dest", send, max_batch_size=50, flush_interval=0.01,
                    spool_dir=sys.argv[1], spool_mode="write_ahead")
for i in range(500):
    exp.submit({"id": i, "payload": "x" * 100})
print("ready", flush=True)
time.sleep(60)
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), str(spool)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        assert wait_until(lambda: _lines_on_disk(spool) == 500, timeout=10)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]
    assert proc.returncode == -signal.SIGKILL

    recorder = Recorder()
    exp = BatchExporter("wal-dest", recorder, flush_interval=60.0, spool_dir=spool, spool_mode="write_ahead")
    try:
        assert exp.stats()["restored"] == 500
        assert exp.flush(timeout=10)
        assert sorted(recorder.ids) == list(range(500))
        assert wait_until(lambda: list(spool.rglob("*.jsonl")) == [])
    finally:
        exp.shutdown(timeout=2)


def test_sigkill_with_spooled_failures_delivers_them_next_time(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    code = """
import sys, time
from litellm.exporters import BatchExporter, RetryableExportError
def send(batch):
    raise RetryableExportError("down")
exp = BatchExporter("dest", send, max_retries=0, flush_interval=0.01, spool_dir=sys.argv[1])
for i in range(40):
    exp.submit({"id": i})
exp.flush(timeout=5)
print("ready", exp.stats()["spooled"], flush=True)
time.sleep(60)
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), str(spool)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready 40"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]
    # The killed process still held its segment open and locked: the kernel released the lock.
    recorder = Recorder()
    exp = BatchExporter("dest", recorder, flush_interval=60.0, spool_dir=spool)
    try:
        assert exp.stats()["restored"] == 40
        assert exp.flush(timeout=10)
        assert sorted(recorder.ids) == list(range(40))
    finally:
        exp.shutdown(timeout=2)
