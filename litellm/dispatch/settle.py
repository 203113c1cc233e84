"""The dispatcher's exit: what was not delivered in time is reported, spooled, and replayed next time.

Owns :class:`ExitSettlement`, a part of :class:`~litellm.dispatch.dispatcher.Dispatcher` (its base class):
``_at_exit`` flushes for at most ``LITELLM_EXIT_FLUSH_TIMEOUT`` seconds, then ``_settle_undelivered``
takes every event still queued or waiting in a callback's lane, counts it per callback (reason
``exit_spooled`` or ``exit``), spools terminal events when ``LITELLM_SPOOL_DIR`` is set, and prints one
line per callback; ``_replay_spooled`` (called when a callback gets its first lane in a new process)
delivers what an earlier process spooled for a callback of the same name, ahead of new events. The file
format, the timeout setting and the report line are :mod:`litellm.dispatch.exit_spool`.

Events queued before their ``logging_hook`` ran are spooled with their content removed (fail closed):
the hooks that would have masked them never ran.

Must not: be used without the ``Dispatcher`` that provides the attributes declared below, raise from
``_at_exit`` (the interpreter is exiting), or spool anything when no spool directory is configured.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from litellm.core.settings import settings
from litellm.dispatch import exit_spool
from litellm.dispatch.callbacks import _CHUNK, _FAILURE, _PRE, _SUCCESS
from litellm.dispatch.lanes import _Task
from litellm.dispatch.privacy import mask_event_secrets, strip_content

if TYPE_CHECKING:
    from collections import deque

    from litellm.dispatch.callbacks import _Target
    from litellm.dispatch.lanes import _Lane
    from litellm.dispatch.stats import CallbackCounters

__all__ = ["ExitSettlement"]

_RUNNING_GRACE = 0.25  # seconds a hook running at the exit deadline may still take to finish


class ExitSettlement:
    """Exit-time accounting and spooling, and replay of spooled events (mixed into Dispatcher)."""

    if TYPE_CHECKING:  # provided by Dispatcher
        exit_timeout: float
        _started: bool
        _exit_done: bool
        _lock: threading.Lock
        _queue: deque
        _lanes: Any
        _inline: tuple | None
        _incomplete: dict[int, int]
        _seq: Any

        def flush(self, timeout: float | None = ...) -> bool: ...

        def _finish_event(self, seq: int) -> None: ...

        def _task_done(self, seq: int) -> None: ...

        def _counters_for(self, name: str) -> CallbackCounters: ...

        def _push(self, task: _Task, async_starts: list | None = None, replayed: bool = False) -> None: ...

    def _at_exit(self) -> None:
        """Flush within ``LITELLM_EXIT_FLUSH_TIMEOUT``; then report (and spool) what was not delivered."""
        if not self._started or self._exit_done:
            return
        self._exit_done = True
        timeout = exit_spool.exit_flush_timeout(self.exit_timeout)
        try:
            ok = self.flush(timeout)
        except Exception:
            ok = False
        if not ok:
            try:
                self._settle_undelivered(timeout)
            except Exception as exc:  # best effort: the process is exiting
                sys.stderr.write(
                    f"litellm: could not account for undelivered logging events at exit: {exc}\n"
                )

    def _settle_undelivered(self, timeout: float) -> dict[str, int]:
        """(exit) Take every event not yet delivered, spool it when a spool is configured, print a line
        per callback, and count it (reason ``exit_spooled`` or ``exit``). Returns undelivered by name."""
        records: dict[str, list] = {}
        counts: dict[str, int] = {}
        busy: dict[str, int] = {}
        with self._lock:
            queued = list(self._queue)
            self._queue.clear()
        redact_all = bool(settings.turn_off_message_logging)
        for seq, kind, ctx, _chunk, _t in queued:
            self._settle_queued(kind, ctx, records, counts, redact_all)
            self._finish_event(seq)
        running: list[tuple[str, _Task, Any]] = []  # hooks being delivered at the deadline
        for lane in list(self._lanes.values()):
            with lane.lock:
                tasks = list(lane.pending)
                lane.pending.clear()
                current = lane.current
            if current is not None:
                running.append((lane.name, current, lane))
            for task in tasks:
                counts[lane.name] = counts.get(lane.name, 0) + 1
                if exit_spool.is_terminal(task.hook, task.args):
                    records.setdefault(lane.name, []).append(
                        exit_spool.record_from_args(task.hook, task.args, task.is_async)
                    )
                self._task_done(task.seq)
        inline = self._inline
        if inline is not None:
            running.append((inline[0].lane.name, inline[0], None))
        running = self._let_running_hooks_finish(running, inline)
        # A hook still running may or may not finish before the interpreter stops: its event is spooled
        # as well (at least once; the record keeps its id, so a destination can drop a second copy).
        extra: dict[str, list] = {}
        for name, task, _lane in running:
            busy[name] = busy.get(name, 0) + 1
            if exit_spool.is_terminal(task.hook, task.args):
                extra.setdefault(name, []).append(
                    exit_spool.record_from_args(task.hook, task.args, task.is_async)
                )
        root = exit_spool.spool_dir()
        for name in sorted(set(counts) | set(busy)):
            pending = records.get(name, [])
            to_spool = pending + extra.get(name, [])
            path = exit_spool.spool(root, name, to_spool) if root else None
            n = counts.get(name, 0)
            if n:
                spooled = len(pending) if path else 0
                counters = self._counters_for(name)
                if spooled:
                    counters.drop("exit_spooled", spooled)
                if n - spooled:
                    counters.drop("exit", n - spooled)
            exit_spool.report(name, n, busy.get(name, 0), timeout, path)
        return counts

    def _let_running_hooks_finish(self, running: list, inline: tuple | None) -> list:
        """Give hooks running at the deadline a short grace (nothing new starts: their lanes were
        emptied); those that finish are delivered, not spooled a second time. Returns those still running."""
        deadline = time.monotonic() + _RUNNING_GRACE
        while running:
            running = [
                (name, task, lane)
                for name, task, lane in running
                if (lane.current is task if lane is not None else self._inline is inline)
            ]
            if not running or time.monotonic() >= deadline:
                break
            time.sleep(0.005)
        return running

    def _settle_queued(self, kind: int, ctx: Any, records: dict, counts: dict, redact_all: bool) -> None:
        cbs = ctx.callbacks
        if kind == _PRE:
            targets: tuple = cbs._pre_t
        elif kind == _CHUNK:
            targets = cbs._stream_t
        else:
            targets = (cbs._success_t if kind == _SUCCESS else cbs._failure_t) + cbs._post_t
        targets = tuple(t for t in dict.fromkeys(targets) if t.config_error is None)
        if not targets:
            return
        args: tuple | None = None
        if kind in (_SUCCESS, _FAILURE):
            try:
                kwargs = mask_event_secrets(ctx.build_kwargs())
                result = ctx.result
                hooks = cbs._success_lh if kind == _SUCCESS else cbs._failure_lh
                if hooks or redact_all or getattr(ctx, "turn_off_message_logging", False):
                    # the logging hooks that would have masked it did not run: never spool content
                    kwargs, result = strip_content(kwargs, result)
                args = (kwargs, result, kwargs.get("start_time"), kwargs.get("end_time"))
            except Exception:
                args = None
        plain = args
        for target in targets:
            counts[target.name] = counts.get(target.name, 0) + 1
            if plain is None:
                continue
            kwargs, result, start, end = plain
            if target.wants_redaction():
                kwargs, result = strip_content(kwargs, result)
            records.setdefault(target.name, []).append(
                exit_spool.SpoolRecord(
                    kwargs, result, start, end, kind == _FAILURE, bool(getattr(ctx, "is_async", False))
                )
            )

    def _replay_spooled(self, target: _Target, lane: _Lane, root: str) -> None:
        """(router) Deliver what an earlier process spooled for this callback, ahead of new events."""
        for record in exit_spool.claim(root, target.name):
            picked = target.route(_FAILURE if record.failed else _SUCCESS, record.is_async)
            if picked is None:
                continue
            fn, fn_is_async, hook = picked
            seq = next(self._seq)
            with self._lock:
                self._incomplete[seq] = self._incomplete.get(seq, 0) + 1
            args = (record.kwargs, record.result, record.start, record.end)
            self._push(_Task(seq, lane, fn, args, fn_is_async, hook), replayed=True)
