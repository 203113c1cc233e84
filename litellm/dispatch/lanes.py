"""Running a call's hooks: on the router thread when a logger is fast, else on its lane.

Owns :class:`LaneRunner`, a part of :class:`~litellm.dispatch.dispatcher.Dispatcher` (its base class), and the
task, lane and run records it works with. For each event the router hands it the tasks (one per
callback), and :meth:`LaneRunner._deliver` runs each sync hook of an idle logger right there, inline, in
callback order: no thread hand-off, no per-hook lock. Everything else goes to the callback's *lane*, a
serial queue run by one thread or task at a time, in call order: sync hooks on the worker pool
(:mod:`litellm.dispatch.pool`), async hooks and ``async def`` functions on the background loop.

Isolation without a thread per hook:

* a logger whose inline hook took longer than ``_SLOW_HOOK`` runs on the pool from then on, so it cannot
  delay the others; after ``_FAST_RUNS_TO_INLINE`` quick runs there it comes back inline;
* a *watchdog* thread ticks while hooks run (and sleeps when none has run for a tick). An inline hook
  still running after ``_OVERRUN`` is taken over: its lane is marked running (later events queue behind
  it, in order), the rest of its event goes to the other lanes, a new router starts, and the stuck
  router becomes that lane's runner when the hook returns, then ends;
* a sync hook running longer than ``hook_timeout`` (inline or pooled) is counted as timed out and its
  lane drops events (reason ``hung``, counted) until the hook returns;
* an async hook running longer than ``hook_timeout`` is cancelled and counted as timed out; its lane's
  backlog is dropped (reason ``hung``, counted) and for the next ``hook_timeout`` seconds new events for
  it are dropped the same way, then the next event gets a fresh chance. A logger whose async hook never
  returns so costs one pending event and one timer, never a growing backlog;
* every lane holds at most ``max_lane`` events (a small backlog, 1,000 by default); beyond that events
  for that logger are dropped with reason ``backlog_full``, counted, until it has drained to half. While
  every callback of an event would drop it (hung or full), ``emit`` drops the event at once
  (:func:`lane_refusal`), so it neither waits in the router's queue nor costs the router any work.
  Memory stays bounded whatever a logger does.

Must not: be used without the ``Dispatcher`` that provides the attributes declared below, let a hook's
exception reach a router or worker, or import asyncio before an async hook needs it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any, Literal

from litellm.core import log as _log

if TYPE_CHECKING:
    from litellm.dispatch.callbacks import _Target
    from litellm.dispatch.pool import WorkerPool
    from litellm.dispatch.stats import CallbackCounters

__all__ = ["LaneRunner"]

_LANE_SLICE_TASKS = 256
_LANE_SLICE_SECONDS = 0.05
# A sync hook runs inline on the router (no thread hand-off) while its logger is fast. One that takes
# longer than _SLOW_HOOK moves its logger to the worker pool for good (a slow logger must not delay the
# others); one still running after _OVERRUN has its lane and the rest of the event taken off the router
# by the watchdog, which starts a new router, so others continue.
_SLOW_HOOK = 0.002
_OVERRUN = 0.05
_FAST_RUNS_TO_INLINE = 32


class _Task:
    __slots__ = ("args", "fn", "hook", "is_async", "lane", "seq")

    def __init__(self, seq: int, lane: _Lane, fn: Any, args: tuple, is_async: bool, hook: str) -> None:
        self.seq = seq
        self.lane = lane
        self.fn = fn
        self.args = args
        self.is_async = is_async
        self.hook = hook


class _Lane:
    """One callback's serial queue of tasks; ``running`` while a pool thread or loop task owns it."""

    # No reference to the target: lanes live in a WeakKeyDictionary keyed by it, so a per-call logger's
    # lane goes away with the logger.
    __slots__ = (
        "__weakref__",
        "async_task",
        "counters",
        "current",
        "expired",
        "fast_runs",
        "guard",
        "hook_cancelling",
        "hook_deadline",
        "hung_until",
        "lock",
        "name",
        "offload",
        "pending",
        "running",
        "saturated",
        "stuck",
    )

    def __init__(self, target: _Target, counters: CallbackCounters) -> None:
        self.name = target.name
        self.counters = counters
        self.lock = threading.Lock()
        self.pending: deque[_Task] = deque()
        self.running = False
        self.stuck = False
        self.offload = False  # its sync hooks go to the pool (it was slow inline), not the router
        self.fast_runs = 0
        self.hung_until = 0.0  # after an async hook timed out: events are dropped until then (monotonic)
        self.saturated = False  # its backlog was full: emit drops its events at once until half drained
        self.current: _Task | None = None  # the task its pool thread or loop task is running (for exit)
        # (loop thread only) the async hook deadline, see LaneRunner._run_async_lane
        self.async_task: Any = None  # the asyncio task running this lane's async hooks, while it runs
        self.guard: Any = None  # the TimerHandle that times out this lane's async hooks, while armed
        self.hook_deadline = 0.0  # when the async hook being awaited times out (monotonic); 0: none
        self.hook_cancelling = 0  # async_task.cancelling() when that hook started
        self.expired = False  # the guard cancelled async_task for the hook being awaited


def lane_refusal(lane: _Lane) -> str | None:
    """Why a new event for this lane would be dropped right now (``hung``, ``backlog_full``), or None.

    Read without the lane's lock by ``emit`` (a stale answer only moves one drop earlier or later)."""
    if lane.stuck:
        return "hung"
    if lane.hung_until and time.monotonic() < lane.hung_until:
        return "hung"
    if lane.saturated:
        return "backlog_full"
    return None


def _still_hung(lane: _Lane) -> bool:
    """(lane lock held) Whether an async hook's timeout still holds the lane's new events off."""
    if time.monotonic() < lane.hung_until:
        return True
    lane.hung_until = 0.0
    return False


class _Run:
    """One sync hook running; the watchdog reads it to time it out (and, inline, to take it over)."""

    __slots__ = ("deadline", "finished", "pooled", "started", "task", "timed_out")

    def __init__(self, task: _Task, started: float, deadline: float, pooled: bool) -> None:
        self.task = task
        self.started = started
        self.deadline = deadline
        self.pooled = pooled  # on a pool thread (a timeout lets the pool replace it) or a router
        self.finished = False
        self.timed_out = False


class _Retired(BaseException):
    """Raised on a router thread whose hook overran: a new router took over, this thread ends."""


class LaneRunner:
    """Delivers an event's tasks inline or through lanes, and watches running hooks (mixed into Dispatcher)."""

    if TYPE_CHECKING:  # provided by Dispatcher
        hook_timeout: float
        max_lane: int
        watch_interval: float
        _closed: bool
        _lock: threading.Lock
        _run_lock: threading.Lock
        _incomplete: dict[int, int]
        _in_transit: int | None
        _running: dict[int | None, tuple[_Lane, _Run]]
        _inline: tuple | None
        _inline_count: int
        _async_batch: list[_Lane]
        _watch_idle: bool
        _watch_wake: threading.Event
        _router: threading.Thread | None
        _pool: WorkerPool
        _async_tasks: set

        def _ensure_loop(self) -> Any: ...

        def _spawn_router(self) -> None: ...

        def _task_done(self, seq: int) -> None: ...

    def _deliver(self, seq: int, tasks: list[_Task]) -> None:
        """Run the event's sync hooks of idle, fast loggers here; hand the others to their lanes.

        The event stays ``_in_transit`` while this runs, so only handed-off tasks are counted in
        ``_incomplete`` (registered before the hand-off: they may finish at once). Async lanes that
        became busy join the router's batch (``_async_batch``), started on the loop with one wake-up
        for many events (:meth:`_start_async_batch`), never later than before the next inline hook.
        """
        monotonic = time.monotonic
        run_lock = self._run_lock
        for index, task in enumerate(tasks):
            lane = task.lane
            if task.is_async or lane.running or lane.stuck or lane.offload:
                with self._lock:
                    self._incomplete[seq] = self._incomplete.get(seq, 0) + 1
                if task.is_async:
                    self._push(task, self._async_batch)
                else:
                    self._push(task)
                continue
            if self._async_batch:  # before a hook that might hang this thread
                self._start_async_batch()
            started = monotonic()
            # a bare tuple, not a _Run: the watchdog makes the _Run only for a hook it takes over
            inline = (task, started, tasks, index)
            self._inline = inline
            self._inline_count += 1
            if self._watch_idle:
                self._wake_watchdog()
            error: Exception | None = None
            try:
                task.fn(*task.args)
            except Exception as exc:
                error = exc
            with run_lock:
                taken = self._inline is not inline
                if not taken:
                    self._inline = None
            if taken:
                self._after_take_over(lane, error)
            if error is None:
                lane.counters.delivered_by_router += 1  # one writer: the router (see CallbackCounters)
            else:
                lane.counters.add("failed")
                self._report_error(lane.name, task.hook, error)
            if monotonic() - started > _SLOW_HOOK:
                lane.offload = True

    def _start_async_batch(self) -> None:
        """(router) Start the async lanes the events routed since the last call made busy: one
        ``call_soon_threadsafe`` (one wake-up of the loop's thread) for all of them."""
        lanes = self._async_batch
        if lanes:
            self._async_batch = []
            self._ensure_loop().call_soon_threadsafe(self._start_async_lanes, lanes)

    def _after_take_over(self, lane: _Lane, error: Exception | None) -> None:
        """(old router) The watchdog gave this lane and the rest of the event to others and started a
        new router: finish the task as the lane's runner, serve what queued behind it, and end."""
        entry = self._running.pop(threading.get_ident(), None)
        if entry is not None:
            run = entry[1]
            with self._run_lock:
                run.finished = True
            self._finish_run(lane, run, error)  # as on a pool thread: a late hook counts as timed out only
        self._run_sync_lane(lane)
        raise _Retired

    def _take_over_inline(self, inline: tuple) -> bool:
        """(watchdog) Move an overrunning inline hook's lane, and the rest of its event, off the router."""
        task, started, tasks, index = inline
        lane = task.lane
        router = self._router
        ident = router.ident if router is not None else None
        run = _Run(task, started, started + self.hook_timeout, False)
        with self._run_lock:
            if self._inline is not inline:
                return False
            self._inline = None
            # from here the hook is timed like one on a pool thread (it is not one: no pool replacement)
            self._running[ident] = (lane, run)
            lane.running = True  # later events queue behind the running hook, in order
        lane.offload = True
        rest = tasks[index + 1 :]
        with self._lock:
            self._incomplete[task.seq] = self._incomplete.get(task.seq, 0) + 1 + len(rest)
            if self._in_transit == task.seq:
                self._in_transit = None
        for other in rest:
            self._push(other)
        try:
            self._spawn_router()
        except RuntimeError:  # interpreter shutdown: events left queued are counted by flush's timeout
            pass
        return True

    # -- lanes ------------------------------------------------------------------------------------------

    def _push(self, task: _Task, async_starts: list[_Lane] | None = None, replayed: bool = False) -> None:
        """Queue a task on its lane and start the lane if idle (an async one into ``async_starts``, if given).

        ``replayed`` (events an earlier process spooled, read back from disk) skips the backlog limit:
        dropping them now would lose them for good.
        """
        lane = task.lane
        reason = None
        with lane.lock:
            if lane.stuck or (lane.hung_until and _still_hung(lane)):
                reason = "hung"
            elif len(lane.pending) >= self.max_lane and not replayed:
                reason = "backlog_full"
                lane.saturated = True
            else:
                lane.pending.append(task)
                if lane.running:
                    return
                lane.running = True
        if reason is not None:
            lane.counters.drop(reason)
            self._task_done(task.seq)
            return
        if async_starts is not None and task.is_async:
            async_starts.append(lane)
            return
        self._start_lane(lane, task.is_async)

    def _start_lane(self, lane: _Lane, is_async: bool) -> None:
        if is_async:
            self._ensure_loop().call_soon_threadsafe(self._start_async_lane, lane)
        else:
            self._pool.submit(lambda: self._run_sync_lane(lane))

    def _next_task(self, lane: _Lane, want_async: bool) -> _Task | Literal[False] | None:
        """Pop the lane's next task of the wanted kind; None when empty (lane released), False to hand off."""
        with lane.lock:
            if not lane.pending:
                lane.running = False
                lane.saturated = False
                return None
            task = lane.pending[0]
            if task.is_async != want_async:
                return False
            if lane.saturated and len(lane.pending) <= self.max_lane // 2:
                lane.saturated = False
            return lane.pending.popleft()

    def _run_sync_lane(self, lane: _Lane) -> None:
        # A busy lane gives its thread back after a slice, so a few loggers with a constant backlog
        # cannot hold every worker while another logger's first event waits in the pool queue.
        slice_end = time.monotonic() + _LANE_SLICE_SECONDS
        for _ in range(_LANE_SLICE_TASKS):
            task = self._next_task(lane, want_async=False)
            if task is None:
                return
            if task is False:
                self._ensure_loop().call_soon_threadsafe(self._start_async_lane, lane)
                return
            self._exec_sync(lane, task)
            if time.monotonic() >= slice_end:
                break
        self._pool.submit(lambda: self._run_sync_lane(lane))  # still ``running``: back of the queue

    def _exec_sync(self, lane: _Lane, task: _Task) -> None:
        started = time.monotonic()
        run = _Run(task, started, started + self.hook_timeout, True)
        ident = threading.get_ident()
        self._running[ident] = (lane, run)
        if self._watch_idle:
            self._wake_watchdog()
        error: Exception | None = None
        lane.current = task
        try:
            task.fn(*task.args)
        except Exception as exc:
            error = exc
        finally:
            lane.current = None
            self._running.pop(ident, None)
        with self._run_lock:
            run.finished = True
        if lane.offload:
            # a logger moved off the router for one slow hook comes back once it is fast again
            if time.monotonic() - started <= _SLOW_HOOK:
                lane.fast_runs += 1
                if lane.fast_runs >= _FAST_RUNS_TO_INLINE:
                    lane.offload = False
                    lane.fast_runs = 0
            else:
                lane.fast_runs = 0
        self._finish_run(lane, run, error)

    def _finish_run(self, lane: _Lane, run: _Run, error: Exception | None) -> None:
        """Count a finished hook handed off from the router (``run.finished`` already set)."""
        task = run.task
        if run.timed_out:
            # the watchdog already counted this task as timed out (and replaced a pool thread)
            with lane.lock:
                lane.stuck = False
            if run.pooled:
                self._pool.mark_stuck(-1)
            _log.log_once(
                ("hook_recovered", lane.name, task.hook), "hung callback hook returned", callback=lane.name
            )
            return
        self._account(lane, task, error)

    def _start_async_lanes(self, lanes: list[_Lane]) -> None:
        for lane in lanes:
            self._start_async_lane(lane)

    def _start_async_lane(self, lane: _Lane) -> None:
        import asyncio

        # the loop holds tasks weakly: keep each lane's task until it ends, or it may vanish mid-hook
        # (the task drops itself from the set as it ends: a done callback would cost a loop iteration)
        task = asyncio.get_running_loop().create_task(self._run_async_lane(lane))
        self._async_tasks.add(task)

    async def _run_async_lane(self, lane: _Lane) -> None:
        import asyncio

        current = asyncio.current_task()
        # 3.11+: one timer per lane (the guard, armed about once per ``hook_timeout`` while the lane is
        # busy) times its hooks out, instead of an ``asyncio.timeout`` per hook (a Timeout and a
        # TimerHandle scheduled and cancelled: ~15 calls per event). The guard cancels this task as
        # ``asyncio.timeout`` would, and the cancellation becomes a TimeoutError by the same rule: only
        # when no other cancellation of the task came in meanwhile (``uncancel``).
        guarded = current is not None and hasattr(current, "uncancel")
        cancelled_error = asyncio.CancelledError
        monotonic = time.monotonic
        lane.async_task = current
        try:
            while True:
                task = self._next_task(lane, want_async=True)
                if task is None:
                    return
                if task is False:
                    self._pool.submit(lambda: self._run_sync_lane(lane))
                    return
                error: Exception | None = None
                lane.current = task
                try:
                    awaitable = task.fn(*task.args)
                    if not hasattr(awaitable, "__await__"):
                        pass
                    elif guarded:
                        lane.hook_deadline = monotonic() + self.hook_timeout
                        lane.hook_cancelling = current.cancelling()  # type: ignore[union-attr]
                        if lane.guard is None:
                            lane.guard = current.get_loop().call_later(  # type: ignore[union-attr]
                                self.hook_timeout, self._guard_lane, lane
                            )
                        try:
                            await awaitable
                        except BaseException as exc:
                            lane.hook_deadline = 0.0
                            if lane.expired:
                                lane.expired = False
                                expired = current.uncancel() <= lane.hook_cancelling  # type: ignore[union-attr]
                                if expired and type(exc) is cancelled_error:
                                    raise TimeoutError from exc
                            raise
                        lane.hook_deadline = 0.0
                        if lane.expired:  # the hook swallowed the guard's cancellation and returned
                            lane.expired = False
                            current.uncancel()  # type: ignore[union-attr]
                    else:
                        await asyncio.wait_for(awaitable, self.hook_timeout)
                except asyncio.TimeoutError:
                    self._async_timed_out(lane, task)
                    continue
                except Exception as exc:
                    error = exc
                finally:
                    lane.current = None
                if error is None:
                    lane.counters.delivered_by_loop += 1  # one writer: this loop (see CallbackCounters)
                    self._task_done(task.seq)
                else:
                    self._account(lane, task, error)
        finally:
            lane.async_task = None
            self._async_tasks.discard(current)

    def _guard_lane(self, lane: _Lane) -> None:
        """(loop) The lane's guard fired: cancel the hook being awaited if it is past its deadline, else
        wait for the deadline of the one running now, if any (a lane between runs needs no guard)."""
        lane.guard = None
        deadline = lane.hook_deadline
        task = lane.async_task
        if not deadline or task is None or lane.expired:
            return
        left = deadline - time.monotonic()
        if left > 0:
            lane.guard = task.get_loop().call_later(left, self._guard_lane, lane)
            return
        lane.expired = True
        task.cancel()

    def _async_timed_out(self, lane: _Lane, task: _Task) -> None:
        lane.counters.add("timed_out")
        with lane.lock:
            abandoned = list(lane.pending)
            lane.pending.clear()
            lane.hung_until = time.monotonic() + self.hook_timeout
        if abandoned:
            lane.counters.drop("hung", len(abandoned))
            for dropped in abandoned:
                self._task_done(dropped.seq)
        _log.log_once(
            ("hook_timeout", lane.name, task.hook),
            "async callback hook timed out and was cancelled; its backlog is dropped and its "
            "events are dropped (counted, reason 'hung') for one timeout period",
            callback=lane.name,
            hook=task.hook,
            timeout=self.hook_timeout,
            dropped=len(abandoned),
        )
        self._task_done(task.seq)

    def _account(self, lane: _Lane, task: _Task, error: Exception | None) -> None:
        if error is None:
            lane.counters.add("delivered")
        else:
            lane.counters.add("failed")
            self._report_error(lane.name, task.hook, error)
        self._task_done(task.seq)

    def _report_error(self, name: str, hook: str, error: BaseException) -> None:
        _log.log_once(
            ("hook_error", name, hook),
            "callback raised; the call is unaffected (logged once per callback and hook)",
            level="error",
            callback=name,
            hook=hook,
            error=f"{type(error).__name__}: {error}",
            exc_info=error,
        )

    # -- watchdog ---------------------------------------------------------------------------------------

    def _wake_watchdog(self) -> None:
        # cleared here, not by the watchdog when it gets the GIL: until then every hook would set again
        self._watch_idle = False
        self._watch_wake.set()

    def _watch_main(self) -> None:
        # Ticks while hooks run (inline or on the pool), sleeps when none has run for a tick, so an
        # idle process has no thread waking and a busy one pays one wake per tick, not per event.
        wake = self._watch_wake
        seen = -1
        while not self._closed:
            count = self._inline_count
            if count == seen and self._inline is None and not self._running:
                self._watch_idle = True
                if self._inline_count == count and self._inline is None and not self._running:
                    wake.wait()
                self._watch_idle = False
            wake.clear()
            seen = self._inline_count
            wake.wait(min(self.watch_interval, _OVERRUN))
            try:
                inline = self._inline
                if inline is not None and time.monotonic() - inline[1] >= min(_OVERRUN, self.hook_timeout):
                    self._take_over_inline(inline)
                self._check_timeouts()
            except Exception:
                _log.log_once(
                    ("dispatch", "watchdog"), "callback watchdog failed", level="error", exc_info=True
                )

    def _check_timeouts(self) -> None:
        if not self._running:
            return
        now = time.monotonic()
        for lane, run in list(self._running.values()):
            if now < run.deadline:
                continue
            with self._run_lock:
                if run.finished or run.timed_out:
                    continue
                run.timed_out = True
            lane.counters.add("timed_out")
            with lane.lock:
                lane.stuck = True
                abandoned = list(lane.pending)
                lane.pending.clear()
            if abandoned:
                lane.counters.drop("hung", len(abandoned))
            for task in abandoned:
                self._task_done(task.seq)
            self._task_done(run.task.seq)
            if run.pooled:
                self._pool.mark_stuck(+1)
            _log.log_once(
                ("hook_timeout", lane.name, run.task.hook),
                "callback hook timed out; its events are dropped (counted) until it returns",
                callback=lane.name,
                hook=run.task.hook,
                timeout=self.hook_timeout,
            )
