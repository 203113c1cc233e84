"""The library's own diagnostics: structlog loggers over the stdlib logger named ``litellm``.

Owns: building loggers (:func:`get_logger`), the one-time lazy setup of the ``litellm`` stdlib logger
(a stderr handler unless the user already attached one, and a level from ``LITELLM_LOG``), debug mode
(:func:`turn_on_debug`), JSON vs text rendering (``settings.json_logs``, read per line so it can be
flipped at any time), secret masking of every line, and "say it once" helpers for noisy conditions.

Must not: configure anything at import, touch the root logger, call ``structlog.configure`` or change
any other global structlog state, or import the package root. Every line passes the secret mask, so a
key that reaches a log call by accident is still not written.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Hashable
from typing import Any

from litellm.core import redact
from litellm.core.settings import env, settings

__all__ = ["get_logger", "log_once", "log_rate_limited", "turn_on_debug"]

ROOT_LOGGER_NAME = "litellm"

_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "exception": logging.ERROR,
    "critical": logging.CRITICAL,
    "fatal": logging.CRITICAL,
}

_lock = threading.Lock()
_configured = False
_owns_level = False  # we only move the level when we set it ourselves, never a user's choice
_loggers: dict[str, Any] = {}
_once: set[Hashable] = set()
_ONCE_MAX = 10_000  # bounds memory if keys are ever built from unbounded data
_last_emit: dict[Hashable, list] = {}
_verbose_on = False
_fork_hook = False
_level_before_verbose = logging.NOTSET
_logger_class: Any = None


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at emit time (test capture and redirection keep working)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            stream = sys.stderr
            if stream is None:
                return
            stream.write(self.format(record) + "\n")
            stream.flush()
        except Exception:
            self.handleError(record)


def _level_from_env() -> int:
    """The one place ``LITELLM_LOG`` is read: a level name, default WARNING."""
    name = (env("LITELLM_LOG") or "WARNING").strip().lower()
    return _LEVELS.get(name, logging.WARNING)


def _configure() -> logging.Logger:
    global _configured, _owns_level, _fork_hook
    std = logging.getLogger(ROOT_LOGGER_NAME)
    if _configured:
        return std
    with _lock:
        if _configured:
            return std
        if not std.handlers:
            handler = _StderrHandler()
            handler.setFormatter(logging.Formatter("%(message)s"))
            std.addHandler(handler)
            # our handler already prints the line; propagating would print it again under a root config
            std.propagate = False
        if std.level == logging.NOTSET:
            std.setLevel(_level_from_env())
            _owns_level = True
        if not _fork_hook and hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=_reinit_lock_after_fork)
            _fork_hook = True
        _configured = True
    return std


def _reinit_lock_after_fork() -> None:
    # another thread may have held the lock at fork time; the child's copy would never be released
    global _lock
    _lock = threading.Lock()


def turn_on_debug() -> None:
    """Debug lines on from now on (``litellm._turn_on_debug()``)."""
    global _owns_level
    std = _configure()
    std.setLevel(logging.DEBUG)
    _owns_level = True


# -- processors (plain callables, run in order by structlog) ----------------------------------------


def _sync_verbose() -> None:
    """Follow LiteLLM's deprecated ``set_verbose`` switch (debug lines on while it is True).

    Only when the level is ours: a level the user set on the ``litellm`` logger is never overridden.
    """
    global _verbose_on, _level_before_verbose
    verbose = bool(settings.set_verbose)
    if verbose == _verbose_on or not _owns_level:
        return
    std = logging.getLogger(ROOT_LOGGER_NAME)
    if verbose:
        _level_before_verbose = std.level
        std.setLevel(logging.DEBUG)
    else:
        std.setLevel(_level_before_verbose)
    _verbose_on = verbose


def _filter_by_level(logger: logging.Logger, method_name: str, event_dict: dict) -> dict:
    if not logger.isEnabledFor(_LEVELS.get(method_name, logging.INFO)):
        import structlog  # already loaded: get_logger imported it

        raise structlog.DropEvent
    return event_dict


def _add_meta(logger: logging.Logger, method_name: str, event_dict: dict) -> dict:
    event_dict["level"] = "error" if method_name == "exception" else method_name
    event_dict["logger"] = logger.name
    event_dict["timestamp"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")
    return event_dict


def _format_exc_info(logger: logging.Logger, method_name: str, event_dict: dict) -> dict:
    exc_info = event_dict.pop("exc_info", None)
    if method_name == "exception" and exc_info is None:
        exc_info = True
    if exc_info:
        if exc_info is True:
            exc_info = sys.exc_info()
        elif isinstance(exc_info, BaseException):
            exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
        if isinstance(exc_info, tuple) and exc_info[0] is not None:
            event_dict["exception"] = "".join(traceback.format_exception(*exc_info)).rstrip()
    return event_dict


def _mask_value(key: Any, value: Any, depth: int = 0) -> Any:
    if redact.is_secret_key(key) and value not in (None, ""):
        return redact.mask_secret(value) if isinstance(value, str) else "****"
    if isinstance(value, str):
        return redact.scrub_text(value)
    if depth > 6:
        return value
    if isinstance(value, dict):
        return {k: _mask_value(k, v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mask_value(None, v, depth + 1) for v in value]
    return value


def _mask_secrets(logger: logging.Logger, method_name: str, event_dict: dict) -> dict:
    return {k: _mask_value(k, v) for k, v in event_dict.items()}


def _render(logger: logging.Logger, method_name: str, event_dict: dict) -> tuple:
    if settings.json_logs:
        text = json.dumps(event_dict, default=repr, ensure_ascii=False)
    else:
        ed = dict(event_dict)
        head = f"{ed.pop('timestamp', '')} [{ed.pop('level', method_name):<7}] {ed.pop('logger', '')}: {ed.pop('event', '')}"
        exc = ed.pop("exception", None)
        tail = " ".join(f"{k}={v!r}" for k, v in ed.items())
        text = f"{head} {tail}" if tail else head
        if exc:
            text = f"{text}\n{exc}"
    # last line of defence: objects rendered by repr() were not visible to the key-based mask.
    # exc_info=False: the traceback is already in the text; stdlib must not append it a second time.
    return (redact.scrub_text(text),), {"exc_info": False}


_PROCESSORS = (
    _filter_by_level,
    _add_meta,
    _format_exc_info,
    _mask_secrets,
    _render,
)


def get_logger(name: str = ROOT_LOGGER_NAME) -> Any:
    """A structlog ``BoundLogger`` writing through the stdlib logger ``name`` (a ``litellm.*`` child).

    The first call configures the ``litellm`` stdlib logger and imports structlog (about 80 ms, which is
    why it is not imported with the package); later calls are a dict lookup.
    """
    logger = _loggers.get(name)
    if logger is not None:
        return logger
    _configure()
    if name != ROOT_LOGGER_NAME and not name.startswith(ROOT_LOGGER_NAME + "."):
        name = f"{ROOT_LOGGER_NAME}.{name}"
    logger = _bound_logger_class()(logging.getLogger(name), processors=list(_PROCESSORS), context={})
    _loggers[name] = logger
    return logger


def _bound_logger_class() -> Any:
    """structlog's stdlib BoundLogger with a level check before the processor chain for debug/info.

    Without it a disabled ``debug`` line costs a trip through the processors and an exception
    (about 3 µs); with it, a dict lookup. Built on first use because structlog is imported lazily.
    """
    global _logger_class
    if _logger_class is None:
        import structlog.stdlib

        class _BoundLogger(structlog.stdlib.BoundLogger):
            def debug(self, event: Any = None, *args: Any, **kw: Any) -> Any:
                _sync_verbose()
                if not self._logger.isEnabledFor(logging.DEBUG):
                    return None
                return super().debug(event, *args, **kw)

            def info(self, event: Any = None, *args: Any, **kw: Any) -> Any:
                _sync_verbose()
                if not self._logger.isEnabledFor(logging.INFO):
                    return None
                return super().info(event, *args, **kw)

        _logger_class = _BoundLogger
    return _logger_class


def log_once(key: Hashable, event: str, level: str = "warning", **fields: Any) -> bool:
    """Log ``event`` the first time ``key`` is seen in this process; later calls are silent.

    Returns whether the line was emitted.
    """
    with _lock:
        if key in _once:
            return False
        if len(_once) < _ONCE_MAX:
            _once.add(key)
    getattr(get_logger(), level)(event, **fields)
    return True


def log_rate_limited(
    key: Hashable, event: str, interval: float = 60.0, level: str = "warning", **fields: Any
) -> bool:
    """Log ``event`` at most once per ``interval`` seconds per ``key``, reporting how many were held back."""
    now = time.monotonic()
    with _lock:
        state = _last_emit.get(key)
        if state is not None and now - state[0] < interval:
            state[1] += 1
            return False
        suppressed = state[1] if state is not None else 0
        if state is None and len(_last_emit) >= _ONCE_MAX:
            return False
        _last_emit[key] = [now, 0]
    if suppressed:
        fields["suppressed_since_last"] = suppressed
    getattr(get_logger(), level)(event, **fields)
    return True


def _reset_for_tests() -> None:
    """Forget the lazy setup and the once-keys (tests only)."""
    global _configured, _owns_level, _verbose_on
    with _lock:
        std = logging.getLogger(ROOT_LOGGER_NAME)
        for handler in list(std.handlers):
            if isinstance(handler, _StderrHandler):
                std.removeHandler(handler)
                std.propagate = True
        if _owns_level:
            std.setLevel(logging.NOTSET)
        _configured = False
        _owns_level = False
        _verbose_on = False
        _loggers.clear()
        _once.clear()
        _last_emit.clear()
