"""A child process that queues events into a write-ahead spool and is then killed with SIGKILL.

The "process killed with events queued" fault tests share this: start ``script`` (which must print
``ready`` once its calls are made), wait until ``lines`` spooled items are on disk, SIGKILL it, and
return it. The next process in the test then proves the spooled events are delivered.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tests.integration.receivers import ROOT


def spooled_lines(spool: Path) -> int:
    """Items waiting in a spool directory (one JSON line each)."""
    return sum(p.read_bytes().count(b"\n") for p in spool.rglob("*.jsonl"))


def kill_after_spooling(
    script: str, args: list[str], spool: Path, lines: int, timeout: float = 15.0
) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + timeout
        while spooled_lines(spool) < lines and time.monotonic() < deadline:
            time.sleep(0.05)
        assert spooled_lines(spool) == lines
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
    return proc
