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
* Misconfigured destinations (an unknown name, ``"langfuse"`` without keys, ``"s3"`` without a bucket,
  a logger class instead of an instance): by default they never fail a call. The error is reported once,
  loudly (a :class:`CallbackConfigWarning` and an error log line naming the destination, what is
  missing and how to fix it), remembered in :func:`config_errors`, and the destination becomes a
  *broken target* whose events the dispatcher drops with reason ``misconfigured`` (counted). With
  ``strict=True`` (``LITELLM_STRICT_CALLBACKS=1`` or ``litellm.strict_callbacks = True``, read by the
  caller) the error is raised instead, at the first call.
* The event kinds and hook names the dispatcher routes by; the routing rules are described there.

Must not: deliver events (the dispatcher does), read settings, start threads, import the integrations
or ``inspect`` before first use, or import the package root.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

__all__ = [
    "CallbackConfigWarning",
    "CallbackSet",
    "build_callback_set",
    "config_errors",
    "flush_loggers",
]

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
        "config_error",
        "config_reason",
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
        self.config_error: str | None = None  # set on a broken target only (see _BrokenTarget)
        self.config_reason = ""
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
            name, is_async = async_hook, True
        elif sync_hook is not None:
            name, is_async = sync_hook, False
        elif async_hook is not None:
            name, is_async = async_hook, True
        else:
            return None
        obj = self._ref()  # (hook() inlined: this runs for every callback of every event)
        return (obj if name == "__call__" else getattr(obj, name)), is_async, name

    def wants_redaction(self) -> bool:
        obj = self._ref()
        return (
            bool(getattr(obj, "turn_off_message_logging", False))
            or getattr(obj, "message_logging", True) is False
        )

    def __repr__(self) -> str:
        return f"<callback {self.name}>"


class CallbackConfigWarning(UserWarning):
    """A logging destination is misconfigured: the call goes through, the destination gets no events."""


class _BrokenTarget(_Target):
    """A destination that could not be set up: every event for it is dropped with ``config_reason``.

    It stands where the logger would have been in a :class:`CallbackSet` (so its drops are counted
    under its name) but has no object, no hooks and no lane.
    """

    __slots__ = ()

    def __init__(self, name: str, error: str, reason: str = "misconfigured") -> None:
        self._ref = _no_object
        self.config_error = error
        self.config_reason = reason
        self.is_logger = False
        self.lane_cache = None
        self.name = name
        self.pre = None
        self.post = None
        self.routes = dict.fromkeys(_HOOKS, (None, None))
        self.logging_hooks = (None, None)

    def wants_redaction(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"<misconfigured callback {self.name}: {self.config_error}>"


def _no_object() -> None:
    return None


# name -> the message of its configuration error; one broken target per (name, message)
_config_errors: dict[str, str] = {}
_broken: dict[tuple[str, str], _BrokenTarget] = {}


def config_errors() -> dict[str, str]:
    """Destinations that are misconfigured right now, by name, with what is wrong and how to fix it."""
    return dict(_config_errors)


def _broken_target(name: str, exc: BaseException) -> _BrokenTarget:
    detail = str(exc) or type(exc).__name__
    key = (name, detail)
    target = _broken.get(key)
    if target is not None:
        return target
    from litellm.integrations import registry

    if name in registry.INTEGRATIONS:
        fix = (
            f"set what is missing, then set litellm.callbacks again or pass it with "
            f"litellm.modify_integration({name!r}, {{...}})"
        )
    else:
        fix = "fix the entry in litellm.callbacks (or the per-call callbacks list)"
    message = (
        f"logging destination {name!r} is misconfigured and gets no events: {detail}. "
        f"Calls are not affected; this destination's events are dropped and counted in "
        f"callback_stats()['per_callback'][{name!r}]['dropped']['misconfigured']. To fix: {fix}. "
        f"Set LITELLM_STRICT_CALLBACKS=1 (or litellm.strict_callbacks = True) to make this error "
        f"fail the call instead."
    )
    with _targets_lock:
        target = _broken.get(key)
        if target is not None:
            return target
        target = _BrokenTarget(name, detail)
        _broken[key] = target
        _config_errors[name] = detail
    import warnings

    from litellm.core import log as _log

    warnings.warn(CallbackConfigWarning(message), stacklevel=_caller_stacklevel())
    _log.log_once(
        ("callback_config", name, detail),
        "logging destination misconfigured; its events are dropped (the call is unaffected)",
        level="error",
        callback=name,
        problem=detail,
        fix=fix,
    )
    return target


def _caller_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside this package."""
    import os
    import sys

    package_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame: Any = sys._getframe(1)
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package_dir):
        frame = frame.f_back
        level += 1
    return level


def _forget_fixed(name: str) -> None:
    with _targets_lock:
        _config_errors.pop(name, None)


def forget_config_errors(name: str | None = None) -> None:
    """Forget recorded configuration errors (all, or one name's): the next resolution tries again."""
    with _targets_lock:
        for key in [k for k in _broken if name is None or k[0] == name]:
            del _broken[key]
        if name is None:
            _config_errors.clear()
        else:
            _config_errors.pop(name, None)


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
        "has_broken",
        "pre",
        "stream",
        "success",
    )

    def __init__(self, pre: list[_Target], success: list[_Target], failure: list[_Target]) -> None:
        self.pre = tuple(t.obj for t in pre if t.config_error is None)
        self.success = tuple(t.obj for t in success if t.config_error is None)
        self.failure = tuple(t.obj for t in failure if t.config_error is None)
        stream = [t for t in success if t.is_logger and t.routes[_CHUNK] != (None, None)]
        self.stream = tuple(t.obj for t in stream)
        # a broken target keeps the set non-empty: its events are emitted so their drops are counted
        self.empty = not (pre or success or failure)
        self.has_broken = any(t.config_error is not None for t in (*pre, *success, *failure))
        self._pre_t = tuple(t for t in pre if t.pre is not None or not t.is_logger)
        self._post_t = tuple(t for t in pre if t.post is not None)
        self._success_t = tuple(
            t for t in success if t.routes[_SUCCESS] != (None, None) or t.config_error is not None
        )
        self._failure_t = tuple(
            t for t in failure if t.routes[_FAILURE] != (None, None) or t.config_error is not None
        )
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


def build_callback_set(
    callbacks: tuple, success: tuple, failure: tuple, inputs: tuple, *, strict: bool = False
) -> CallbackSet:
    """A CallbackSet from the four lists (names resolved through the integration registry, deduped).

    A destination that cannot be set up (an unknown integration name, a logger whose constructor says
    what is missing, an integration whose SDK is not installed, a logger class given instead of an
    instance, anything that is not a callback) becomes a broken target: reported once, its events
    dropped and counted. With ``strict`` the error is raised instead: ValueError (naming the valid
    names, or what is missing) or ImportError (naming the pip extra).
    """
    from litellm.integrations.base import PayloadLogger
    from litellm.integrations.custom_logger import CustomLogger

    def target(item: Any) -> _Target:
        original = item
        try:
            if isinstance(item, str):
                from litellm.integrations import registry

                item = registry.get_integration(item)
            elif isinstance(item, type) and issubclass(item, CustomLogger):
                raise ValueError(
                    f"callback {item.__qualname__} is a class: register an instance, {item.__qualname__}()"
                )
            elif not isinstance(item, CustomLogger) and not callable(item):
                raise ValueError(
                    f"callback {item!r} is not a CustomLogger, a function or an integration name"
                )
        except Exception as exc:
            if strict:
                raise
            return _broken_target(_display_name(original), exc)
        if _config_errors and isinstance(original, str):
            _forget_fixed(_display_name(original))
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


def _display_name(item: Any) -> str:
    if isinstance(item, str):
        return item.strip().lower()
    if isinstance(item, type):
        return item.__qualname__
    return type(item).__qualname__


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
