"""The dispatcher's worker threads: a small pool that replaces a thread stuck in a hung hook.

Owns :class:`WorkerPool`: ``submit`` queues a job and wakes an idle thread or starts one (up to
``max_workers`` not counted as stuck); ``mark_stuck(+1)`` lets the pool start a replacement for a thread
the dispatcher gave up on, ``mark_stuck(-1)`` lets that thread retire when it comes back. Each thread
records its ident in the owning dispatcher's ``_own_threads`` so ``flush()`` called from a hook does not
wait for itself. At interpreter shutdown, when no thread can start, queued jobs run on the caller's thread.

Must not: know about events, lanes or timeouts (the dispatcher decides what a job is and when a thread
is stuck), let a job's exception end a worker, keep the dispatcher alive (it is held weakly), or start
a thread before the first job.
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from typing import TYPE_CHECKING, Any

from litellm.core import log as _log

if TYPE_CHECKING:
    from litellm.dispatch.dispatcher import Dispatcher

__all__ = ["WorkerPool"]


class WorkerPool:
    """A few worker threads running jobs; a thread stuck in a hung hook is replaced, not waited for."""

    def __init__(self, max_workers: int, owner: Dispatcher) -> None:
        self._max = max_workers
        self._owner = weakref.ref(owner)
        self._cv = threading.Condition()
        self._jobs: deque = deque()
        self._idle = 0
        self._threads = 0
        self._stuck = 0
        self._closed = False

    def submit(self, job: Any) -> None:
        with self._cv:
            self._jobs.append(job)
            if self._idle > len(self._jobs) - 1:
                self._cv.notify()
                return
            if self._threads - self._stuck >= self._max:
                return
            self._threads += 1
        if not self._spawn():
            # no new threads at interpreter shutdown: run what is queued on this thread instead
            self._drain_inline()

    def _spawn(self) -> bool:
        """Start a worker already counted in ``_threads``; if none can start, uncount it and return False."""
        try:
            thread = threading.Thread(target=self._work, name="litellm-callbacks-worker", daemon=True)
            thread.start()
        except RuntimeError:
            with self._cv:
                self._threads -= 1
            return False
        return True

    def _drain_inline(self) -> None:
        while True:
            with self._cv:
                if not self._jobs:
                    return
                job = self._jobs.popleft()
            job()

    def mark_stuck(self, delta: int) -> None:
        with self._cv:
            self._stuck += delta
            spawn = delta > 0 and self._jobs and self._idle == 0 and self._threads - self._stuck < self._max
            if spawn:
                self._threads += 1
        if spawn:
            self._spawn()

    def shutdown(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify_all()

    def _work(self) -> None:
        owner = self._owner()
        if owner is not None:  # recorded by the thread itself: it may run a job before start() returns
            owner._own_threads.add(threading.get_ident())
        del owner
        while True:
            with self._cv:
                while not self._jobs:
                    if self._closed or self._threads - self._stuck > self._max:
                        self._threads -= 1  # a stuck thread came back and the pool has its replacement
                        owner = self._owner()
                        if owner is not None:  # idents are reused: a stranger must not pass for ours
                            owner._own_threads.discard(threading.get_ident())
                        return
                    self._idle += 1
                    self._cv.wait()
                    self._idle -= 1
                job = self._jobs.popleft()
            try:
                job()
            except Exception:  # jobs guard themselves; this is the last net so the worker survives
                _log.log_once(
                    ("dispatch", "pool_job"), "callback worker job raised", level="error", exc_info=True
                )
