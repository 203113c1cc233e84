"""Every live exporter in the process, for ``flush_all``, ``all_stats`` and delivery at exit.

Owns the weak set of exporters and the one ``atexit`` hook (registered with the first exporter, never
at import). At exit, each exporter gets a shared short deadline (2 s unless ``set_exit_timeout`` says
otherwise) to deliver what it holds; the rest goes to its spool, or is counted as dropped.
It must not hold exporters alive, read the environment, or import the engine at module import time.
"""

from __future__ import annotations

import atexit
import math
import os
import threading
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litellm.exporters.batch import BatchExporter

__all__ = ["all_stats", "flush_all", "get_exit_timeout", "register", "set_exit_timeout", "shutdown_all"]

_lock = threading.Lock()
_exporters: weakref.WeakSet[BatchExporter] = weakref.WeakSet()
_exit_timeout = 2.0
_hooked = False


def _reset_after_fork() -> None:
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def register(exporter: BatchExporter) -> None:
    """Track an exporter (weakly) so that flush_all, all_stats and the exit hook see it."""
    global _hooked
    with _lock:
        _exporters.add(exporter)
        if not _hooked:
            atexit.register(_at_exit)
            _hooked = True


def _snapshot() -> list[BatchExporter]:
    with _lock:
        return list(_exporters)


def flush_all(timeout: float | None = 10.0) -> bool:
    """Flush every exporter under one shared deadline; True when all of them finished."""
    deadline = math.inf if timeout is None else time.monotonic() + timeout
    exporters = _snapshot()
    # Ask all first so that they drain in parallel, then wait.
    targets = [(exp, exp._request_flush()) for exp in exporters]
    ok = True
    for exp, target in targets:
        if target is not None and not exp._wait_flushed(target, deadline):
            ok = False
    return ok


def shutdown_all(timeout: float | None = 10.0) -> None:
    """Shut every exporter down under one shared deadline (what the exit hook does)."""
    deadline = math.inf if timeout is None else time.monotonic() + timeout
    exporters = _snapshot()
    for exp in exporters:
        exp._begin_shutdown(deadline)
    for exp in exporters:
        exp._finish_shutdown(deadline)


def all_stats() -> dict[str, dict]:
    """Counters of every exporter, keyed by name (``name#2`` and so on when names repeat)."""
    out: dict[str, dict] = {}
    for exp in sorted(_snapshot(), key=lambda e: e.name):
        key, n = exp.name, 1
        while key in out:
            n += 1
            key = f"{exp.name}#{n}"
        out[key] = exp.stats()
    return out


def set_exit_timeout(seconds: float) -> None:
    """How long the exit hook lets exporters deliver before spooling or dropping the rest."""
    global _exit_timeout
    if seconds < 0:
        raise ValueError("exit timeout must be >= 0")
    _exit_timeout = float(seconds)


def get_exit_timeout() -> float:
    return _exit_timeout


_exit_drains: list[Callable[[], None]] = []


def register_exit_drain(drain: Callable[[], None]) -> None:
    """Run ``drain`` at exit before exporters shut down (the dispatcher hands its last events over).

    atexit runs hooks in reverse order of registration, so an exporter created after the dispatcher
    started would otherwise shut down before the dispatcher delivered its queue to it.
    """
    if drain not in _exit_drains:
        _exit_drains.append(drain)


def _at_exit() -> None:
    for drain in list(_exit_drains):
        try:
            drain()
        except Exception:
            pass
    try:
        shutdown_all(_exit_timeout)
    except Exception:
        # Nothing may fail the interpreter's exit.
        pass
