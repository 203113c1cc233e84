"""The ``logging_hook`` stage: loggers rewrite an event before any destination sees it.

Owns :class:`LoggingHookStage`, a part of :class:`~litellm.dispatch.dispatcher.Dispatcher` (its base class)
kept apart because it is the one place the router waits on user code: for a success or failure event,
each callback's ``logging_hook`` (or ``async_logging_hook`` on async calls, or when it is the only one)
runs in turn and may return new ``(kwargs, result)``. The router blocks on each for at most
``hook_timeout``: a sync hook runs on the dispatcher's worker pool, an async one on its event loop. A hook
that raises is counted as failed and logged once; one that times out is counted; a sync hook still
running after its timeout marks its callback stuck (its logging hook is skipped, its pool thread
replaced) until it returns.

Fail closed (privacy): a logging hook is where users mask what must not be logged, so when one raises,
times out, is skipped as stuck or returns something other than ``(kwargs, result)``, the event is not
delivered as it was: it goes on with message and response content removed
(:func:`litellm.dispatch.privacy.strip_content`), counted per callback under ``fail_closed`` with the
reason (``logging_hook_raised``, ``logging_hook_timed_out``, ``logging_hook_stuck``,
``logging_hook_bad_return``).

Must not: be used without the ``Dispatcher`` that provides the attributes declared below, import asyncio
before a hook needs it, or let a hook's exception reach the router.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from litellm.core import log as _log
from litellm.dispatch.privacy import strip_content

if TYPE_CHECKING:
    from litellm.dispatch.callbacks import _Target
    from litellm.dispatch.pool import WorkerPool
    from litellm.dispatch.stats import CallbackCounters

__all__ = ["LoggingHookStage"]


class _HookTimeout(Exception):
    pass


class LoggingHookStage:
    """Runs the logging hooks of one event on the router thread (mixed into ``Dispatcher``)."""

    if TYPE_CHECKING:  # provided by Dispatcher
        hook_timeout: float
        _hook_stuck: set[int]
        _pool: WorkerPool

        def _ensure_loop(self) -> Any: ...

        def _counters_for(self, name: str) -> CallbackCounters: ...

        def _report_error(self, name: str, hook: str, error: BaseException) -> None: ...

    def _run_logging_hooks(self, hooks: tuple, kwargs: dict, result: Any, ctx: Any, is_async: bool) -> tuple:
        call_type = getattr(ctx, "call_type", None)
        stripped = False

        def fail_closed(counters: CallbackCounters, reason: str) -> None:
            nonlocal kwargs, result, stripped
            counters.fail_closed(reason)
            if not stripped:
                kwargs, result = strip_content(kwargs, result)
                stripped = True

        for target in hooks:
            sync_name, async_name = target.logging_hooks
            use_async = async_name is not None and (is_async or sync_name is None)
            name = async_name if use_async else sync_name
            counters = self._counters_for(target.name)
            if id(target) in self._hook_stuck:
                fail_closed(counters, "logging_hook_stuck")
                continue
            try:
                fn = target.hook(name)
                if use_async:
                    out = self._run_coro_blocking(fn, (kwargs, result, call_type))
                else:
                    out = self._run_sync_blocking(fn, (kwargs, result, call_type), target)
            except _HookTimeout:
                counters.add("timed_out")
                _log.log_once(
                    ("hook_timeout", target.name, name),
                    "logging hook timed out; the event goes on with its content removed",
                    callback=target.name,
                    hook=name,
                    timeout=self.hook_timeout,
                )
                fail_closed(counters, "logging_hook_timed_out")
                continue
            except Exception as exc:
                counters.add("failed")
                self._report_error(target.name, name, exc)
                fail_closed(counters, "logging_hook_raised")
                continue
            if isinstance(out, tuple) and len(out) == 2 and isinstance(out[0], dict):
                kwargs, result = out
            else:
                _log.log_once(
                    ("hook_bad_return", target.name, name),
                    "logging hook must return (kwargs, result); the event goes on with its content removed",
                    callback=target.name,
                    hook=name,
                    returned=type(out).__name__,
                )
                fail_closed(counters, "logging_hook_bad_return")
        return kwargs, result

    def _run_sync_blocking(self, fn: Any, args: tuple, target: _Target) -> Any:
        box: dict = {}
        done = threading.Event()
        state = {"started": False, "abandoned": False}
        lock = threading.Lock()

        def job() -> None:
            with lock:
                if state["abandoned"]:
                    return
                state["started"] = True
            try:
                box["value"] = fn(*args)
            except Exception as exc:
                box["error"] = exc
            finally:
                done.set()
                with lock:
                    late = state["abandoned"]
                if late:
                    self._hook_stuck.discard(id(target))
                    self._pool.mark_stuck(-1)

        self._pool.submit(job)
        if not done.wait(self.hook_timeout):
            with lock:
                state["abandoned"] = True
                started = state["started"]
            if started:
                self._hook_stuck.add(id(target))
                self._pool.mark_stuck(+1)
            raise _HookTimeout
        if "error" in box:
            raise box["error"]
        return box.get("value")

    def _run_coro_blocking(self, fn: Any, args: tuple) -> Any:
        import asyncio
        import concurrent.futures

        async def call() -> Any:
            return await asyncio.wait_for(fn(*args), self.hook_timeout)

        future = asyncio.run_coroutine_threadsafe(call(), self._ensure_loop())
        try:
            return future.result(self.hook_timeout + 1.0)
        except (asyncio.TimeoutError, concurrent.futures.TimeoutError) as exc:
            future.cancel()
            raise _HookTimeout from exc
