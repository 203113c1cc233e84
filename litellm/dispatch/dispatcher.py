"""The callback dispatcher: delivering a call's events to its callbacks off the request path.

Owns :class:`Dispatcher` (one per process, :func:`get_dispatcher`). ``emit_*`` only append to a bounded
queue, and wake the router only when it said it is asleep (a bare lock release, no per-event notify);
after its queue empties the router lingers ~20 ms, looking every 10 ms, before it says so, so a busy
process routes its events in batches without a wake-up per event.
The router thread takes events in order, builds the call's kwargs and payload (``ctx.build_kwargs()``),
runs the ``logging_hook``\\s, makes a redacted copy for loggers that asked for one, and makes one task
per callback. Fast sync hooks then run right there on the router, in callback order; the others go to
that callback's *lane* (see :mod:`litellm.dispatch.lanes`): sync hooks on a small thread pool, async
hooks and ``async def`` functions on one background event loop in a daemon thread (never the caller's
loop, so the end of a user's ``asyncio.run()`` neither loses nor repeats events).

Also owns :func:`resolve_callbacks`, the cached front door the pipeline calls for a call's
:class:`CallbackSet`. Around it: what a callback is, how a set is built and flushing loggers are
:mod:`litellm.dispatch.callbacks`; per-callback counters and the ``stats()`` totals are
:mod:`litellm.dispatch.stats`; running tasks inline or on lanes, and the watchdog, are
:mod:`litellm.dispatch.lanes`; the threads that run sync hooks are :mod:`litellm.dispatch.pool`;
the ``logging_hook`` stage the router runs before delivery is :mod:`litellm.dispatch.hooks`.

Failure rules (DESIGN promise 2 and 3): a hook that raises is caught, counted and logged once per
(callback, hook); a slow logger leaves the router for the pool, and an inline hook that overruns is
taken off the router by the watchdog (a new router continues); a sync hook running longer than
``hook_timeout`` is counted as timed out and its lane stops taking events (dropped with reason ``hung``,
counted) until the hook returns, so a hung logger costs one thread and never blocks others; async hooks
are cancelled at the timeout (and their backlog dropped as ``hung``, see :mod:`litellm.dispatch.lanes`).
A full queue drops the event, counted per callback with reason ``queue_full``; a full per-callback
backlog (``LITELLM_CALLBACK_BACKLOG``, 1,000) drops with reason ``backlog_full``. ``flush()`` waits for
everything emitted so far. At exit the dispatcher flushes for at most ``LITELLM_EXIT_FLUSH_TIMEOUT``
seconds (default 5), then prints one line per callback that missed events and, with
``LITELLM_SPOOL_DIR``, spools them for the next process (:mod:`litellm.dispatch.exit_spool`). A forked
child starts with fresh threads and an empty queue.

Before any hook sees an event, secrets in its URLs and metadata are masked
(:mod:`litellm.dispatch.privacy`); a ``logging_hook`` that fails makes the event go on with its content
removed (fail closed, :mod:`litellm.dispatch.hooks`). A misconfigured destination never fails a call:
:func:`resolve_callbacks` reports it once and its events are dropped as ``misconfigured`` (strict mode,
``LITELLM_STRICT_CALLBACKS=1`` or ``litellm.strict_callbacks = True``, raises instead).

Routing (LiteLLM's documented behaviour, made total): a CustomLogger gets the hook matching the call's
mode (``log_success_event`` for ``completion``, ``async_log_success_event`` for ``acompletion``); one
that overrides only the other mode's hook gets that one; never both. ``log_pre_api_call`` fires once for
sync and async calls; ``async_log_pre_api_call`` is not called (as in LiteLLM). ``log_post_api_call``
fires for pre-call loggers just before their success/failure hook. Hooks are called positionally.
Functions get ``fn(kwargs, response, start_time, end_time)``, input callbacks ``fn(kwargs)``; ``async
def`` functions are awaited on the background loop for sync and async calls alike.

Must not: block or raise in ``emit_*``, build payloads on the caller's thread, start threads or read
settings at import, import asyncio or the integrations before first use, or import the package root.
"""

from __future__ import annotations

import atexit
import itertools
import os
import sys
import threading
import time
import weakref
from collections import deque
from typing import Any

from litellm.core import log as _log
from litellm.core import redact as _redact
from litellm.core.settings import env, settings
from litellm.dispatch import exit_spool
from litellm.dispatch.callbacks import (
    _CHUNK,
    _FAILURE,
    _KIND_NAMES,
    _PRE,
    _SUCCESS,
    CallbackSet,
    _Target,
    build_callback_set,
    config_errors,
    flush_loggers,
)
from litellm.dispatch.callbacks import _targets as _targets  # re-exported: tests count live targets
from litellm.dispatch.hooks import LoggingHookStage
from litellm.dispatch.lanes import LaneRunner, _Lane, _Retired, _Run, _Task, lane_refusal
from litellm.dispatch.pool import WorkerPool
from litellm.dispatch.privacy import mask_event_secrets
from litellm.dispatch.settle import ExitSettlement
from litellm.dispatch.stats import CallbackCounters, summarize

__all__ = ["CallbackSet", "Dispatcher", "get_dispatcher", "resolve_callbacks"]

# -- resolution, cached (the request path) -------------------------------------------------------------

_resolve_cache: tuple[tuple, CallbackSet, bool, tuple] | None = None
# Per-call lists (``completion(..., callbacks=[...])``) are usually the same few lists call after call.
_per_call_cache: dict[tuple, CallbackSet] = {}
_PER_CALL_CACHE_MAX = 64


def _as_tuple(value: Any) -> tuple:
    if type(value) is list:  # the common case, on every call: skip the checks below
        return tuple(value)
    if not value:
        return ()
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        return (value,)
    return tuple(value)


def resolve_callbacks(
    per_call_callbacks: Any = None, per_call_success: Any = None, per_call_failure: Any = None
) -> CallbackSet:
    """The callbacks for one call: the global lists (read now) plus this call's own lists.

    Cached while the global lists hold the same items, so the common case is four ``tuple()`` calls
    and a comparison. A misconfigured destination (an unknown name, missing keys, a missing SDK) never
    fails the call: it is reported once and its events are dropped, counted with reason
    ``misconfigured``. In strict mode (:func:`strict_callbacks`) the error is raised instead:
    ValueError (naming the valid names or what is missing) or ImportError (naming the pip extra).
    """
    global _resolve_cache
    s = settings
    key = (
        _as_tuple(s.callbacks),
        _as_tuple(s.success_callback),
        _as_tuple(s.failure_callback),
        _as_tuple(s.input_callback),
        _registry_generation(),
    )
    cached = _resolve_cache
    if cached is not None and cached[0] == key and (not cached[2] or cached[3] == _list_ids(s)):
        base = cached[1]
    else:
        if cached is not None and cached[0][4] != key[4]:
            _per_call_cache.clear()  # an integration changed (modify_integration): resolve again
        base = build_callback_set(*key[:4], strict=strict_callbacks())
        # a set with a misconfigured destination is resolved again when a list is assigned anew
        # (``litellm.callbacks = ["langfuse"]`` after fixing the environment), not only when it changes
        _resolve_cache = (key, base, base.has_broken, _list_ids(s))
    if not (per_call_callbacks or per_call_success or per_call_failure):
        return base
    extra = (_as_tuple(per_call_callbacks), _as_tuple(per_call_success), _as_tuple(per_call_failure))
    try:
        cache_key: Any = (key, extra)
        found = _per_call_cache.get(cache_key)
    except TypeError:  # an unhashable callback object: build every time
        cache_key = found = None
    if found is not None:
        return found
    built = build_callback_set(
        key[0] + extra[0], key[1] + extra[1], key[2] + extra[2], key[3], strict=strict_callbacks()
    )
    if cache_key is not None:
        if len(_per_call_cache) >= _PER_CALL_CACHE_MAX:
            try:  # oldest first; bounded memory (another thread may be evicting at the same time)
                _per_call_cache.pop(next(iter(_per_call_cache)), None)
            except (RuntimeError, StopIteration):
                pass
        _per_call_cache[cache_key] = built
    return built


def _env_int(name: str, default: int) -> int:
    value = env(name)
    if value is None:
        return default
    try:
        return max(1, int(value))
    except ValueError:
        _log.log_once(("dispatch", "env", name), f"{name} is not an integer; using {default}", value=value)
        return default


def _env_float(name: str, default: float) -> float:
    value = env(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not number > 0:
        _log.log_once(
            ("dispatch", "env", name),
            f"{name} must be a positive number of seconds; using {default}",
            value=value,
        )
        return default
    return number


def _list_ids(s: Any) -> tuple:
    return (id(s.callbacks), id(s.success_callback), id(s.failure_callback), id(s.input_callback))


def strict_callbacks() -> bool:
    """Whether a misconfigured destination fails the call: ``litellm.strict_callbacks = True`` or
    ``LITELLM_STRICT_CALLBACKS=1`` (read when callbacks are resolved, i.e. when the lists change)."""
    if getattr(settings, "strict_callbacks", False):
        return True
    value = env("LITELLM_STRICT_CALLBACKS")
    return value is not None and value.strip().lower() in ("1", "true", "yes", "on")


def _registry_generation() -> int:
    registry = sys.modules.get("litellm.integrations.registry")
    return getattr(registry, "generation", 0) if registry is not None else 0


# -- delivery machinery ---------------------------------------------------------------------------------


_lane_tokens = itertools.count(1)

# After its queue empties the router looks again _LINGER_LOOKS times, _LINGER seconds apart, before it
# sleeps until an emit wakes it: under load events are then routed in batches, with no wake-up per
# event (each costs the emitting thread a syscall and both threads a switch; measured ~20-40 µs of CPU
# per event on a 2-core box). Each look takes the GIL from the request path, so looks are few: 10 ms
# apart (5 looks 2 ms apart cost ~8 µs more CPU per proxied request at 1,700 requests/s). Delivery waits
# at most _LINGER; an idle process sleeps after ~20 ms.
_LINGER = 0.01
_LINGER_LOOKS = 2
_BATCH_EVENTS = 64  # async lanes are started at least every this many events


class Dispatcher(LaneRunner, LoggingHookStage, ExitSettlement):
    """Delivers call events to callbacks off the request path (see the module docstring).

    ``emit_*`` enqueue in O(1) and never block or raise; everything else happens on the dispatcher's
    router thread, its worker pool and its event loop, all started on the first event.
    """

    def __init__(
        self,
        *,
        max_queue: int = 10_000,
        max_lane: int | None = None,
        hook_timeout: float | None = None,
        max_workers: int = 4,
        exit_timeout: float = 5.0,
        watch_interval: float = 0.2,
    ) -> None:
        self.max_queue = max_queue
        # per-callback backlog: LITELLM_CALLBACK_BACKLOG events (default 1,000), beyond which that
        # callback's events are dropped with reason ``backlog_full`` (counted) until it drains to half
        self.max_lane = max_lane if max_lane is not None else _env_int("LITELLM_CALLBACK_BACKLOG", 1_000)
        # per-hook timeout, sync and async alike: LITELLM_CALLBACK_TIMEOUT seconds (default 5)
        self.hook_timeout = (
            hook_timeout if hook_timeout is not None else _env_float("LITELLM_CALLBACK_TIMEOUT", 5.0)
        )
        self.max_workers = max_workers
        self.exit_timeout = exit_timeout
        self.watch_interval = watch_interval
        self._start_lock = threading.Lock()
        self._reset_state()
        _live_dispatchers.add(self)

    def configure(self, **options: Any) -> None:
        """Change ``max_queue``, ``max_lane``, ``hook_timeout``, ``exit_timeout`` (applies to new events)."""
        for name, value in options.items():
            if name not in (
                "max_queue",
                "max_lane",
                "hook_timeout",
                "exit_timeout",
                "watch_interval",
                "max_workers",
            ):
                raise TypeError(f"unknown dispatcher option {name!r}")
            setattr(self, name, value)

    def _reset_state(self) -> None:
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._queue: deque = deque()
        # The router sleeps by acquiring a lock it already holds; an emit releases it only when the
        # router said it is asleep. A bare lock costs the caller far less than an Event (a Condition).
        self._wake = threading.Lock()
        self._wake.acquire()
        self._router_asleep = False
        self._async_batch: list[_Lane] = []  # async lanes to start on the loop (router thread only)
        self._seq = itertools.count(1)
        self._started = False
        self._in_transit: int | None = None
        self._incomplete: dict[int, int] = {}
        self._waiters = 0
        self._routed = 0
        self._events_dropped = 0
        self._lanes: weakref.WeakKeyDictionary[_Target, _Lane] = weakref.WeakKeyDictionary()
        self._lanes_token = next(_lane_tokens)  # new lanes after a fork: cached ones are the parent's
        self._counters: dict[str, CallbackCounters] = {}
        self._running: dict[int | None, tuple[_Lane, _Run]] = {}
        self._run_lock = threading.Lock()
        self._pool = WorkerPool(self.max_workers, self)
        self._loop: Any = None
        self._async_tasks: set = set()  # lane tasks on the loop (touched on the loop thread only)
        self._own_threads: set[int | None] = set()
        self._hook_stuck: set[int] = set()  # ids of targets whose logging hook is stuck in a thread
        self._router: threading.Thread | None = None
        self._closed = False
        self._inline: tuple | None = None  # (task, started, tasks, index) of the hook run inline
        self._inline_count = 0  # inline hooks started (the watchdog stays awake while it moves)
        self._watch_idle = True
        self._watch_wake = threading.Event()
        self._exit_done = False

    # -- emit (the request path) ------------------------------------------------------------------------

    def emit_pre_call(self, ctx: Any) -> None:
        cbs = ctx.callbacks
        if cbs is not None and cbs._pre_t:
            self._enqueue(_PRE, ctx, None)

    def emit_success(self, ctx: Any) -> None:
        cbs = ctx.callbacks
        if cbs is not None and (cbs._success_t or cbs._post_t):
            if cbs._post_t or not self._all_refuse(cbs._success_t):
                self._enqueue(_SUCCESS, ctx, None)

    def emit_failure(self, ctx: Any) -> None:
        cbs = ctx.callbacks
        if cbs is not None and (cbs._failure_t or cbs._post_t):
            if cbs._post_t or not self._all_refuse(cbs._failure_t):
                self._enqueue(_FAILURE, ctx, None)

    def _all_refuse(self, targets: tuple) -> bool:
        """(request path) True, with the drops counted, when every target would drop this event anyway
        (misconfigured, hung or backlog full): it is not queued and the router does no work for it."""
        token = self._lanes_token
        for target in targets:
            if target.config_error is not None:
                continue
            cached = target.lane_cache
            if cached is None or cached[0] != token:
                return False
            lane = cached[1]
            # a lane with none of lane_refusal's flags set accepts: the usual answer, without the call
            if not (lane.stuck or lane.hung_until or lane.saturated) or lane_refusal(lane) is None:
                return False
        for target in targets:
            if target.config_error is not None:
                reason = target.config_reason
            else:
                reason = lane_refusal(target.lane_cache[1]) or "backlog_full"
            self._counters_for(target.name).drop(reason)
        with self._lock:
            self._events_dropped += 1
        return True

    def emit_stream_chunk(self, ctx: Any, chunk: Any) -> None:
        cbs = ctx.callbacks
        if cbs is not None and cbs._stream_t:
            self._enqueue(_CHUNK, ctx, chunk)

    def _enqueue(self, kind: int, ctx: Any, chunk: Any) -> None:
        try:
            if not self._started:
                if self._closed:
                    self._drop_event(kind, ctx, "closed")
                    return
                self._start()
            seq = next(self._seq)
            queue = self._queue
            if len(queue) >= self.max_queue:
                self._drop_event(kind, ctx, "queue_full")
                return
            queue.append((seq, kind, ctx, chunk, time.time() if kind == _CHUNK else None))
            if self._router_asleep:
                self._wake_router()
        except Exception:  # never let logging break the call
            _log.log_once(
                ("dispatch", "enqueue"), "could not enqueue a logging event", level="error", exc_info=True
            )

    def _wake_router(self) -> None:
        self._router_asleep = False
        try:
            self._wake.release()
        except RuntimeError:  # another thread woke it first (the lock was already released)
            pass

    def _drop_event(self, kind: int, ctx: Any, reason: str) -> None:
        with self._lock:
            self._events_dropped += 1
        cbs = ctx.callbacks
        if kind == _PRE:
            targets = cbs._pre_t
        elif kind == _CHUNK:
            targets = cbs._stream_t
        else:
            targets = (cbs._success_t if kind == _SUCCESS else cbs._failure_t) + cbs._post_t
        for target in dict.fromkeys(targets):  # a callback with two hooks in the event missed one event
            self._counters_for(target.name).drop(reason)
        _log.log_rate_limited(
            ("dispatch", reason),
            "logging event dropped",
            reason=reason,
            max_queue=self.max_queue,
            kind=_KIND_NAMES[kind],
        )

    # -- threads ----------------------------------------------------------------------------------------

    def _start(self) -> None:
        with self._start_lock:
            if self._started:
                return
            _register_process_hooks()
            self._spawn_router()
            watchdog = threading.Thread(
                target=self._watch_main, name="litellm-callbacks-watchdog", daemon=True
            )
            watchdog.start()
            self._started = True

    def _spawn_router(self) -> None:
        router = threading.Thread(target=self._router_main, name="litellm-callbacks-router", daemon=True)
        router.start()
        self._router = router

    def _ensure_loop(self) -> Any:
        loop = self._loop
        if loop is not None:
            return loop
        with self._start_lock:
            if self._loop is None:
                import asyncio

                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def run() -> None:
                    self._own_threads.add(threading.get_ident())
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    try:
                        loop.run_forever()
                    finally:
                        loop.close()

                thread = threading.Thread(target=run, name="litellm-callbacks-loop", daemon=True)
                thread.start()
                ready.wait(5.0)
                self._loop = loop
        return self._loop

    # -- router -----------------------------------------------------------------------------------------

    def _router_main(self) -> None:
        ident = threading.get_ident()
        self._own_threads.add(ident)
        try:
            self._route_loop()
        except _Retired:
            self._own_threads.discard(ident)  # idents are reused: a stranger must not pass for ours

    def _route_loop(self) -> None:
        queue = self._queue
        wake = self._wake
        lock = self._lock  # the lock under self._cond: entered directly (Condition's are Python calls)
        lingering = 0  # empty looks in a row since the last event (see _LINGER)
        batched = 0  # events routed since the async lanes were last started
        while True:
            with lock:
                item = queue.popleft() if queue else None
                self._in_transit = item[0] if item is not None else None
                if item is None and self._waiters:
                    self._cond.notify_all()
            if item is None:
                self._start_async_batch()
                batched = 0
                if self._closed:
                    return
                if lingering < _LINGER_LOOKS:
                    # Busy a moment ago: look again after a short pause without asking to be woken, so
                    # emitters skip the wake-up (a syscall on the caller's thread and a thread switch per
                    # event) and a burst is routed in batches. An event waits at most _LINGER seconds.
                    lingering += 1
                    wake.acquire(timeout=_LINGER)
                    continue
                self._router_asleep = True
                if queue or self._closed:  # an emit may have missed the flag: look again first
                    self._router_asleep = False
                    continue
                wake.acquire()  # a spurious wake (a late second release) only costs one more look
                self._router_asleep = False
                continue
            lingering = 0
            self._routed += 1
            try:
                self._route(*item)
            except Exception:
                _log.log_once(
                    ("dispatch", "route"), "logging event routing failed", level="error", exc_info=True
                )
                self._finish_event(item[0])
            batched += 1
            if batched >= _BATCH_EVENTS:  # a queue that never empties still starts its async lanes
                self._start_async_batch()
                batched = 0

    def _route(self, seq: int, kind: int, ctx: Any, chunk: Any, chunk_time: float | None) -> None:
        cbs = ctx.callbacks
        is_async = bool(getattr(ctx, "is_async", False))
        post: tuple = ()
        if kind == _PRE:
            targets = cbs._pre_t
        elif kind == _CHUNK:
            targets = cbs._stream_t
        else:
            targets = cbs._success_t if kind == _SUCCESS else cbs._failure_t
            post = cbs._post_t
        try:
            if kind == _PRE:
                kwargs = ctx.pre_call_kwargs()
                kwargs.setdefault("model", getattr(ctx, "provider_model", None) or ctx.model)
                kwargs.setdefault("messages", ctx.messages)
                kwargs["log_event_type"] = "pre_api_call"
                result = None
            elif kind == _CHUNK:
                kwargs = ctx.stream_chunk_kwargs(chunk)
                result = chunk
            else:
                kwargs = ctx.build_kwargs()
                kwargs.setdefault("log_event_type", "post_api_call")
                result = ctx.result
            # secrets in URLs and metadata are masked before any hook or destination sees the event
            kwargs = mask_event_secrets(kwargs)
            if kind == _SUCCESS or kind == _FAILURE:
                hooks = cbs._success_lh if kind == _SUCCESS else cbs._failure_lh
                if hooks:
                    kwargs, result = self._run_logging_hooks(hooks, kwargs, result, ctx, is_async)
        except Exception:
            # the event cannot be built: every callback of it misses it, counted as failed for each
            for target in dict.fromkeys((*post, *targets)):
                self._counters_for(target.name).add("failed")
            _log.log_once(
                ("dispatch", "kwargs", kind), "building logging kwargs failed", level="error", exc_info=True
            )
            return

        # hooks get datetimes, as in LiteLLM; the kwargs carry them (the context keeps epoch floats)
        start = kwargs.get("start_time", ctx.start_time)
        if kind == _CHUNK:
            import datetime

            end = datetime.datetime.fromtimestamp(chunk_time if chunk_time is not None else time.time())
        else:
            end = kwargs.get("end_time", ctx.end_time)
        redact_all = bool(
            settings.turn_off_message_logging or getattr(ctx, "turn_off_message_logging", False)
        )
        plain = (kwargs, result, start, end)
        redacted: tuple | None = None  # the content-free copy, made once for the loggers that want it
        tasks: list[_Task] = []
        lane_for = self._lane_for

        for target in post:
            if redact_all or target.wants_redaction():
                args = redacted = redacted or _redacted_args(plain)
            else:
                args = plain
            tasks.append(_Task(seq, lane_for(target), target.hook(target.post), args, False, target.post))
        for target in targets:
            if target.config_error is not None:  # a misconfigured destination: dropped, counted
                self._counters_for(target.name).drop(target.config_reason)
                continue
            if kind == _PRE:
                if redact_all or target.wants_redaction():
                    redacted = redacted or _redacted_args(plain)
                    kw = redacted[0]
                else:
                    kw = kwargs
                lane = lane_for(target)
                if target.is_logger:
                    messages = kw.get("messages", ctx.messages)
                    fn = target.hook(target.pre)
                    tasks.append(
                        _Task(
                            seq,
                            lane,
                            fn,
                            (getattr(ctx, "provider_model", None) or ctx.model, messages, kw),
                            False,
                            target.pre,
                        )
                    )
                else:
                    is_async_fn = target.routes[_SUCCESS][1] is not None
                    tasks.append(_Task(seq, lane, target.hook("__call__"), (kw,), is_async_fn, "__call__"))
                continue
            picked = target.route(kind, is_async)
            if picked is None:
                continue
            fn, fn_is_async, hook = picked
            if redact_all or target.wants_redaction():
                args = redacted = redacted or _redacted_args(plain)
            else:
                args = plain
            tasks.append(_Task(seq, lane_for(target), fn, args, fn_is_async, hook))
        if tasks:
            self._deliver(seq, tasks)

    def _lane_for(self, target: _Target) -> _Lane:
        cached = target.lane_cache
        if cached is not None and cached[0] == self._lanes_token:
            return cached[1]
        lane = self._lanes.get(target)
        if lane is None:
            lane = _Lane(target, self._counters_for(target.name))
            self._lanes[target] = lane
            root = exit_spool.spool_dir()
            if root:  # an earlier process may have spooled events for this callback at its exit
                try:
                    self._replay_spooled(target, lane, root)
                except Exception:
                    _log.log_once(
                        ("dispatch", "replay", target.name),
                        "spooled events could not be replayed",
                        level="error",
                        callback=target.name,
                        exc_info=True,
                    )
        target.lane_cache = (self._lanes_token, lane)
        return lane

    def _counters_for(self, name: str) -> CallbackCounters:
        counters = self._counters.get(name)
        if counters is None:
            with self._lock:
                counters = self._counters.setdefault(name, CallbackCounters())
        return counters

    # -- completion tracking and flush ------------------------------------------------------------------

    def _task_done(self, seq: int) -> None:
        with self._lock:
            left = self._incomplete.get(seq)
            if left is None:
                return
            if left <= 1:
                del self._incomplete[seq]
                if self._waiters:
                    self._cond.notify_all()
            else:
                self._incomplete[seq] = left - 1

    def _finish_event(self, seq: int) -> None:
        with self._lock:
            if self._incomplete.pop(seq, None) is not None and self._waiters:
                self._cond.notify_all()

    def _pending_before(self, mark: int) -> bool:
        """Whether any event emitted before ``mark`` is still queued or being delivered (lock held)."""
        if self._in_transit is not None and self._in_transit < mark:
            return True
        queue = self._queue
        if queue:
            if queue[0][0] < mark:
                return True
            if any(item[0] < mark for item in list(queue)):
                return True
        incomplete = self._incomplete
        if incomplete:
            if next(iter(incomplete)) < mark:
                return True
            if any(seq < mark for seq in list(incomplete)):
                return True
        return False

    def flush(self, timeout: float | None = 10.0) -> bool:
        """Wait until every event emitted so far reached every callback, then flush integration exporters.

        Returns True when everything was handled within ``timeout`` (None waits without limit).
        """
        deadline = None if timeout is None else time.monotonic() + timeout

        def remaining() -> float | None:
            return None if deadline is None else max(0.0, deadline - time.monotonic())

        ok = True
        if self._started:
            if threading.get_ident() in self._own_threads:
                # called from a hook: waiting for ourselves would deadlock; report instead
                with self._lock:
                    ok = not self._pending_before(next(self._seq))
            else:
                mark = next(self._seq)
                self._wake_router()  # not waiting out the router's linger (see _route_loop)
                with self._cond:
                    self._waiters += 1
                    try:
                        while self._pending_before(mark):
                            left = remaining()
                            if left is not None and left <= 0:
                                ok = False
                                break
                            self._cond.wait(0.05 if left is None else min(left, 0.05))
                    finally:
                        self._waiters -= 1
        ok = flush_loggers(remaining, self._report_error) and ok
        return ok

    def stats(self) -> dict:
        """Counters: events emitted and, per callback, delivered / failed / dropped by reason / timed out."""
        per_callback = {name: c.snapshot() for name, c in list(self._counters.items())}
        with self._lock:
            emitted = self._routed + len(self._queue) + self._events_dropped
            queued = len(self._queue)
            events_dropped = self._events_dropped
            in_flight = len(self._incomplete)
        out = summarize(
            per_callback, emitted=emitted, queued=queued, events_dropped=events_dropped, in_flight=in_flight
        )
        out["config_errors"] = config_errors()
        return out

    # -- process lifecycle ------------------------------------------------------------------------------

    def shutdown(self, timeout: float | None = 5.0) -> bool:
        """Flush, then stop this dispatcher's threads and loop for good (later events are dropped, counted)."""
        ok = self.flush(timeout)
        with self._start_lock:
            self._closed = True
            self._started = False
        self._wake_router()
        self._watch_wake.set()
        self._pool.shutdown()
        loop = self._loop
        if loop is not None:
            try:
                loop.call_soon_threadsafe(loop.stop)
            except RuntimeError:
                pass
        _live_dispatchers.discard(self)
        return ok

    def _after_fork_in_child(self) -> None:
        # The parent's threads do not exist here and its queued events are the parent's to deliver.
        self._start_lock = threading.Lock()
        self._reset_state()


def _redacted_args(plain: tuple) -> tuple:
    """(kwargs, result, start, end) with message and response content removed."""
    kwargs, result, start, end = plain
    return (_redact.redact_kwargs(kwargs), _redact.redact_response_obj(result), start, end)


_live_dispatchers: weakref.WeakSet[Dispatcher] = weakref.WeakSet()
_hooks_registered = False
_singleton: Dispatcher | None = None
_singleton_lock = threading.Lock()


def _register_process_hooks() -> None:
    global _hooks_registered
    if _hooks_registered:
        return
    _hooks_registered = True
    atexit.register(_flush_all_at_exit)
    try:  # exporters created later must not shut down before we hand them our last events
        from litellm.exporters.registry import register_exit_drain

        register_exit_drain(_flush_all_at_exit)
    except ImportError:
        pass
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)


def _flush_all_at_exit() -> None:
    for dispatcher in list(_live_dispatchers):
        dispatcher._at_exit()


def _after_fork_in_child() -> None:
    global _singleton_lock
    _singleton_lock = threading.Lock()
    for dispatcher in list(_live_dispatchers):
        dispatcher._after_fork_in_child()


def get_dispatcher() -> Dispatcher:
    """The process's dispatcher, created on first use (its threads start on the first event)."""
    global _singleton
    dispatcher = _singleton
    if dispatcher is None:
        with _singleton_lock:
            if _singleton is None:
                _singleton = Dispatcher()
            dispatcher = _singleton
    return dispatcher
