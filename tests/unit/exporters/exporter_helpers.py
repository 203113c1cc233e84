"""Test helpers for the delivery engine: a scriptable recording send, polling, the accounting check."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


class Recorder:
    """A send function that records batches and can be told to fail, block or raise per call."""

    def __init__(self) -> None:
        self.batches: list[list[dict]] = []
        self.calls = 0
        self.script: list[BaseException | None] = []  # outcome per call; None = success
        self.fail_with: Callable[[list[dict]], BaseException | None] | None = None
        self.gate: threading.Event | None = None
        self._lock = threading.Lock()

    def __call__(self, batch: list[dict]) -> None:
        with self._lock:
            self.calls += 1
            outcome = self.script.pop(0) if self.script else None
        if self.gate is not None:
            self.gate.wait()
        if outcome is None and self.fail_with is not None:
            outcome = self.fail_with(batch)
        if outcome is not None:
            raise outcome
        with self._lock:
            self.batches.append(list(batch))

    @property
    def ids(self) -> list[Any]:
        return [item["id"] for batch in self.batches for item in batch]

    @property
    def sizes(self) -> list[int]:
        return [len(b) for b in self.batches]


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


def balanced(stats: dict) -> bool:
    """The engine's accounting identity (see litellm.exporters.batch)."""
    inflow = stats["submitted"] + stats["restored"]
    outflow = stats["sent"] + stats["failed"] + stats["spooled"] + sum(stats["dropped"].values())
    return inflow == outflow + stats["queued"]
