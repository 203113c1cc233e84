"""What a callback is to the dispatcher: each callback's routing, worked out once, and a call's set.

Owns:

* ``_Target``: one callback object with its routing worked out once (which hooks it overrides, which
  one an event of a sync or an async call gets, its name), kept in a registry by object id and held
  weakly, so the dispatcher's lane for it lives exactly as long as the user's object.
* :func:`build_callback_set` -> :class:`CallbackSet`: the four lists (``callbacks``, ``success_callback``,
  ``failure_callback``, ``input_callback``, each with a call's own added) resolved (string names through
  the integration registry), deduped and split by event kind. The cached front door the pipeline calls,
  ``resolve_callbacks``, is in ``litellm.dispatch.dispatcher`` with its cache.
* :func:`flush_loggers`: every live logger that buffers, then the shared exporters, send what they hold.
* The event kinds and hook names the dispatcher routes by; the routing rules are described there.

Must not: deliver events (the dispatcher does), read settings, start threads, import the integrations
or ``inspect`` before first use, or import the package root.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

__all__ = ["CallbackSet", "build_callback_set", "flush_loggers"]

# Event kinds, shared with the dispatcher (it queues them; a CallbackSet is split by them).
_PRE, _SUCCESS, _FAILURE, _CHUNK = 0, 1, 2, 3
_KIND_NAMES = ("pre_call", "success", "failure", "stream_chunk")

# (sync hook, async hook) per event kind; the pre-call hook has no async counterpart that fires.
_HOOKS = {
    _SUCCESS: ("log_success_event", "async_log_success_event"),
    _FAILURE: ("log_failure_event", "async_log_failure_event"),
    _CHUNK: ("log_stream_event", "async_log_stream_event"),
}
_LOGGING_HOOKS = ("logging_hook", "async_logging_hook")


class _Target:
    """One callback object with its routing worked out once: which hooks it overrides, its name.

    It refers to the object weakly (when it can), so the registry of targets, and the lane keyed by
    the target, live exactly as long as the user's object: a per-call logger leaves nothing behind,
    and a long-lived one keeps one lane (its order, its hung state) across every call.
    """

    __slots__ = (
        "__weakref__",
        "_ref",
        "is_logger",
        "lane_cache",
        "logging_hooks",
        "name",
        "post",
        "pre",
        "routes",
    )

    def __init__(self, obj: Any, custom_logger_cls: type, payload_logger_cls: type | None) -> None:
        try:
            self._ref: Any = weakref.ref(obj, _forget_target(id(obj)))
        except TypeError:  # not weak-referenceable (a builtin, a __slots__ class): kept for good
            self._ref = lambda: obj
        self.is_logger = isinstance(obj, custom_logger_cls)
        # (dispatcher token, lane) of the dispatcher that last delivered to it: saves a weak-dict lookup
        self.lane_cache: tuple | None = None
        if self.is_logger:
            cls_name = getattr(type(obj), "name", None)
            if (
                payload_logger_cls is not None
                and isinstance(obj, payload_logger_cls)
                and isinstance(cls_name, str)
            ):
                self.name = cls_name
            else:
                self.name = type(obj).__qualname__
            self.pre = "log_pre_api_call" if _overrides(obj, "log_pre_api_call", custom_logger_cls) else None
            self.post = (
                "log_post_api_call" if _overrides(obj, "log_post_api_call", custom_logger_cls) else None
            )
            self.routes = {}
            for kind, (sync_name, async_name) in _HOOKS.items():
                has_sync = _overrides(obj, sync_name, custom_logger_cls)
                has_async = _overrides(obj, async_name, custom_logger_cls)
                if has_async and payload_logger_cls is not None and has_sync:
                    # PayloadLogger's own async hooks just call on_event: take the sync path, no loop hop
                    if getattr(type(obj), async_name, None) is getattr(payload_logger_cls, async_name, None):
                        has_async = False
                sync_route = sync_name if has_sync else None
                async_route = async_name if has_async else None
                if has_sync and _is_async_callable(getattr(obj, sync_name)):
                    # ``async def log_success_event`` (a common slip): awaited, instead of never running
                    sync_route, async_route = None, async_route or sync_name
                self.routes[kind] = (sync_route, async_route)
            self.logging_hooks = (
                _LOGGING_HOOKS[0] if _overrides(obj, _LOGGING_HOOKS[0], custom_logger_cls) else None,
                _LOGGING_HOOKS[1] if _overrides(obj, _LOGGING_HOOKS[1], custom_logger_cls) else None,
            )
        else:
            self.name = (
                getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or type(obj).__qualname__
            )
            route = (None, "__call__") if _is_async_callable(obj) else ("__call__", None)
            self.pre = None
            self.post = None
            self.routes = dict.fromkeys(_HOOKS, route)
            self.logging_hooks = (None, None)

    @property
    def obj(self) -> Any:
        return self._ref()

    def hook(self, name: str) -> Any:
        """The callable for a hook name (``"__call__"``: the function itself)."""
        obj = self._ref()
        return obj if name == "__call__" else getattr(obj, name)

    def route(self, kind: int, is_async_call: bool) -> tuple[Any, bool, str] | None:
        """The callable for this event, whether it is a coroutine function, and the hook's name.

        A logger gets the hook of the call's mode, or the other mode's if that is all it overrides;
        a function is what it is.
        """
        sync_hook, async_hook = self.routes[kind]
        if is_async_call and async_hook is not None:
            return self.hook(async_hook), True, async_hook
        if sync_hook is not None:
            return self.hook(sync_hook), False, sync_hook
        if async_hook is not None:
            return self.hook(async_hook), True, async_hook
        return None

    def wants_redaction(self) -> bool:
        obj = self.obj
        return (
            bool(getattr(obj, "turn_off_message_logging", False))
            or getattr(obj, "message_logging", True) is False
        )

    def __repr__(self) -> str:
        return f"<callback {self.name}>"


def _overrides(obj: Any, name: str, base: type) -> bool:
    if name in getattr(obj, "__dict__", ()):  # patched on the instance
        return True
    impl = getattr(type(obj), name, None)
    return impl is not None and impl is not getattr(base, name, None)


def _is_async_callable(fn: Any) -> bool:
    import inspect

    if inspect.iscoroutinefunction(fn):
        return True
    call = getattr(fn, "__call__", None)  # noqa: B004 - callable objects with an async __call__
    return call is not None and inspect.iscoroutinefunction(call)


class CallbackSet:
    """The callbacks of one call. Public tuples hold the user's objects; private ones the routing."""

    __slots__ = (
        "_failure_lh",
        "_failure_t",
        "_post_t",
        "_pre_t",
        "_stream_t",
        "_success_lh",
        "_success_t",
        "empty",
        "failure",
        "pre",
        "stream",
        "success",
    )

    def __init__(self, pre: list[_Target], success: list[_Target], failure: list[_Target]) -> None:
        self.pre = tuple(t.obj for t in pre)
        self.success = tuple(t.obj for t in success)
        self.failure = tuple(t.obj for t in failure)
        stream = [t for t in success if t.is_logger and t.routes[_CHUNK] != (None, None)]
        self.stream = tuple(t.obj for t in stream)
        self.empty = not (self.pre or self.success or self.failure)
        self._pre_t = tuple(t for t in pre if t.pre is not None or not t.is_logger)
        self._post_t = tuple(t for t in pre if t.post is not None)
        self._success_t = tuple(t for t in success if t.routes[_SUCCESS] != (None, None))
        self._failure_t = tuple(t for t in failure if t.routes[_FAILURE] != (None, None))
        self._stream_t = tuple(stream)
        self._success_lh = tuple(t for t in success if t.logging_hooks != (None, None))
        self._failure_lh = tuple(t for t in failure if t.logging_hooks != (None, None))

    def __repr__(self) -> str:
        return f"CallbackSet(pre={self.pre!r}, success={self.success!r}, failure={self.failure!r})"


_targets: dict[int, _Target] = {}
_targets_lock = threading.Lock()


def _forget_target(key: int) -> Any:
    def forget(ref: Any) -> None:
        target = _targets.get(key)
        if target is not None and target._ref is ref:
            _targets.pop(key, None)

    return forget


def _target_for(obj: Any, custom_logger_cls: type, payload_logger_cls: type | None) -> _Target:
    # One target per live object matters: the target keys the callback's lane, which orders its events.
    with _targets_lock:
        target = _targets.get(id(obj))
        if target is None or target.obj is not obj:
            target = _Target(obj, custom_logger_cls, payload_logger_cls)
            _targets[id(obj)] = target
        return target


def build_callback_set(callbacks: tuple, success: tuple, failure: tuple, inputs: tuple) -> CallbackSet:
    """A CallbackSet from the four lists (names resolved through the integration registry, deduped).

    Raises ValueError for an unknown integration name (naming the valid ones), a logger class given
    instead of an instance, or anything that is not a callback; ImportError (naming the pip extra) for
    an integration whose SDK is missing.
    """
    from litellm.integrations.custom_logger import CustomLogger

    try:
        from litellm.integrations.base import PayloadLogger
    except ImportError:  # pragma: no cover - base.py ships with custom_logger.py
        PayloadLogger = None

    def target(item: Any) -> _Target:
        if isinstance(item, str):
            from litellm.integrations import registry

            item = registry.get_integration(item)
        elif isinstance(item, type) and issubclass(item, CustomLogger):
            raise ValueError(
                f"callback {item.__qualname__} is a class: register an instance, {item.__qualname__}()"
            )
        elif not isinstance(item, CustomLogger) and not callable(item):
            raise ValueError(f"callback {item!r} is not a CustomLogger, a function or an integration name")
        return _target_for(item, CustomLogger, PayloadLogger)

    def unique(items: list[_Target]) -> list[_Target]:
        seen: set[int] = set()
        out = []
        for t in items:
            if id(t) not in seen:
                seen.add(id(t))
                out.append(t)
        return out

    cb_t = [target(x) for x in callbacks]
    in_t = [target(x) for x in inputs]
    # Functions in ``callbacks`` take (kwargs, response, start, end): they go to success/failure only,
    # where LiteLLM would also call them as input callbacks with one argument and fail.
    pre = unique([t for t in cb_t if t.is_logger] + in_t)
    succ = unique(cb_t + [target(x) for x in success])
    fail = unique(cb_t + [target(x) for x in failure])
    return CallbackSet(pre, succ, fail)


def flush_loggers(
    remaining: Callable[[], float | None], report_error: Callable[[str, str, BaseException], Any]
) -> bool:
    """Every live CustomLogger that overrides ``flush``, then the shared exporters, send what they hold.

    ``remaining()`` is the time left for each; an exception is passed to ``report_error(name, hook, exc)``.
    True when all of them finished.
    """
    ok = True
    seen: set[int] = set()
    for target in list(_targets.values()):
        obj = target.obj
        if obj is None or not target.is_logger or id(obj) in seen:
            continue
        seen.add(id(obj))
        flush = getattr(obj, "flush", None)
        if flush is None or getattr(type(obj), "flush", None) is _base_flush():
            continue
        try:
            ok = bool(flush(remaining())) and ok
        except Exception as exc:
            ok = False
            report_error(target.name, "flush", exc)
    try:
        from litellm.exporters import registry as exporter_registry
    except ImportError:
        return ok
    flush_all = getattr(exporter_registry, "flush_all", None)
    if flush_all is not None:
        try:
            ok = bool(flush_all(remaining())) and ok
        except Exception as exc:
            ok = False
            report_error("exporters", "flush_all", exc)
    return ok


def _base_flush() -> Any:
    from litellm.integrations.custom_logger import CustomLogger

    return CustomLogger.flush
