"""What happens to events still undelivered when the process exits: reported, and spooled when asked.

At a normal exit the dispatcher flushes for at most :func:`exit_flush_timeout` seconds
(``LITELLM_EXIT_FLUSH_TIMEOUT``, default 5). Whatever a callback has not received by then is handed here:

* :func:`report` prints one line per callback to stderr: how many events it did not receive, and what
  became of them (spooled to a path, or dropped with the hint to set ``LITELLM_SPOOL_DIR``); a hook
  still running at the deadline is named too: it may or may not finish before the interpreter stops, so
  with a spool its event is spooled as well (at least once: it may arrive twice, with the same id).
* :func:`spool` (when ``LITELLM_SPOOL_DIR`` is set) writes each callback's undelivered success/failure
  events to ``<LITELLM_SPOOL_DIR>/callbacks/<callback name>/<time>-<pid>-<n>.json``. Any callback counts,
  the user's own CustomLoggers and functions too, not only the built-in destinations (whose exporters
  keep their own spool). Records hold JSON: the kwargs (with ``standard_logging_object``), the response
  as a dict, start/end times, the event kind, and ``replayed_from_spool: true`` is added on replay.
* :func:`claim` (in the next process, when a callback of the same name gets its first event) takes that
  callback's spooled records: each file is renamed to ``.claimed-<pid>`` first, so two processes never
  both take it, then read and removed. The dispatcher delivers the records before the new event.

Delivery is at least once across normal exits: a replayed event not delivered by that process's exit is
spooled again. A process killed (SIGKILL) while replaying loses what it had claimed.

Must not: import anything above ``litellm.core``, raise (every step is best effort at exit), or write
anything when no spool directory is configured.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import re
import sys
import time
from typing import Any

from litellm.core.settings import env

__all__ = ["SpoolRecord", "claim", "exit_flush_timeout", "report", "spool", "spool_dir"]

DEFAULT_EXIT_FLUSH_TIMEOUT = 5.0
_counter = itertools.count()
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")
# Hooks whose events are spooled (the terminal ones); pre-call and stream-chunk events are only counted.
_TERMINAL_HOOKS = frozenset(
    {
        "log_success_event",
        "async_log_success_event",
        "log_failure_event",
        "async_log_failure_event",
        "log_post_api_call",
        "__call__",
    }
)


def exit_flush_timeout(default: float = DEFAULT_EXIT_FLUSH_TIMEOUT) -> float:
    """Seconds the exit flush may take: ``LITELLM_EXIT_FLUSH_TIMEOUT`` (default 5; 0 waits for nothing)."""
    value = env("LITELLM_EXIT_FLUSH_TIMEOUT")
    if value is None:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        sys.stderr.write(
            f"litellm: LITELLM_EXIT_FLUSH_TIMEOUT={value!r} is not a number of seconds; using {default}\n"
        )
        return default


def spool_dir() -> str | None:
    """The root spool directory (``LITELLM_SPOOL_DIR``), or None when spooling is off."""
    return env("LITELLM_SPOOL_DIR")


def _callback_dir(root: str, name: str) -> str:
    return os.path.join(root, "callbacks", _SAFE.sub("_", name)[:120] or "_")


class SpoolRecord:
    """One spooled event: enough to call the callback's terminal hook again in another process."""

    __slots__ = ("end", "failed", "is_async", "kwargs", "result", "start")

    def __init__(self, kwargs: dict, result: Any, start: Any, end: Any, failed: bool, is_async: bool) -> None:
        self.kwargs = kwargs
        self.result = result
        self.start = start
        self.end = end
        self.failed = failed
        self.is_async = is_async


def is_terminal(hook: str, args: tuple) -> bool:
    """Whether a task (hook name and positional args) is a success/failure delivery worth spooling."""
    return hook in _TERMINAL_HOOKS and len(args) == 4 and isinstance(args[0], dict)


def record_from_args(hook: str, args: tuple, is_async: bool) -> SpoolRecord:
    kwargs, result, start, end = args
    failed = "failure" in hook or (hook in ("__call__", "log_post_api_call") and "exception" in kwargs)
    return SpoolRecord(kwargs, result, start, end, failed, is_async)


# -- writing ---------------------------------------------------------------------------------------------


def _jsonable(value: Any, depth: int = 0) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if depth > 24:
        return repr(value)
    if isinstance(value, datetime.datetime):
        return {"__datetime__": value.timestamp()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v, depth + 1) for v in value]
    if isinstance(value, BaseException):
        return {"__exception__": [type(value).__name__, str(value)]}
    if isinstance(value, (bytes, bytearray)):
        return {"__bytes__": len(value)}
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        try:
            return _jsonable(dump(), depth + 1)
        except Exception:
            return repr(value)
    return None  # an object that cannot travel (a client, a span context): left out


def spool(root: str, name: str, records: list[SpoolRecord]) -> str | None:
    """Write ``records`` for callback ``name`` under ``root``; the file's path, or None on failure."""
    if not records:
        return None
    folder = _callback_dir(root, name)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)  # records may hold prompts: owner only
        data = [
            {
                "kwargs": _jsonable(r.kwargs),
                "result": _jsonable(r.result),
                "start": _jsonable(r.start),
                "end": _jsonable(r.end),
                "failed": r.failed,
                "is_async": r.is_async,
            }
            for r in records
        ]
        stamp = f"{time.time():.6f}-{os.getpid()}-{next(_counter)}"
        path = os.path.join(folder, f"{stamp}.json")
        tmp = path + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"callback": name, "records": data}, fh, default=repr)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return path
    except Exception as exc:
        sys.stderr.write(f"litellm: could not spool {len(records)} event(s) of {name!r} at exit: {exc}\n")
        return None


def report(name: str, undelivered: int, in_progress: int, timeout: float, spooled_to: str | None) -> str:
    """Print (to stderr) and return the one exit line about callback ``name``."""
    parts = [
        f"litellm: at exit, callback {name!r} had {undelivered} event(s) not delivered within "
        f"LITELLM_EXIT_FLUSH_TIMEOUT={timeout:g}s"
    ]
    if undelivered:
        if spooled_to:
            parts.append(f"; spooled to {os.path.dirname(spooled_to)} (delivered by the next process)")
        else:
            parts.append("; dropped (set LITELLM_SPOOL_DIR to keep them for the next process)")
    if in_progress:
        if spooled_to:
            parts.append(
                f"; {in_progress} more being delivered at the deadline, spooled too (it may arrive twice, "
                "with the same id)"
            )
        else:
            parts.append(f"; {in_progress} hook(s) still running at the deadline may not complete")
    line = "".join(parts)
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except Exception:
        pass
    return line


# -- reading (the next process) ---------------------------------------------------------------------------


def _revive(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            if "__datetime__" in value:
                return datetime.datetime.fromtimestamp(value["__datetime__"])
            if "__exception__" in value:
                cls, message = value["__exception__"]
                return ReplayedException(f"{cls}: {message}")
        return {k: _revive(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_revive(v) for v in value]
    return value


class ReplayedException(Exception):
    """Stands for a spooled failure event's exception (its class name and message) in a later process."""


def claim(root: str, name: str) -> list[SpoolRecord]:
    """Take every record spooled for callback ``name`` (oldest first); each file is claimed, then removed."""
    folder = _callback_dir(root, name)
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".json"))
    except OSError:
        return []
    out: list[SpoolRecord] = []
    for file_name in names:
        path = os.path.join(folder, file_name)
        claimed = f"{path}.claimed-{os.getpid()}"
        try:
            os.rename(path, claimed)  # atomic: another process claiming the same file gets an error
        except OSError:
            continue
        try:
            with open(claimed, encoding="utf-8") as fh:
                data = json.load(fh)
            for item in data.get("records", []):
                kwargs = _revive(item.get("kwargs") or {})
                if not isinstance(kwargs, dict):
                    continue
                kwargs["replayed_from_spool"] = True
                out.append(
                    SpoolRecord(
                        kwargs,
                        _revive(item.get("result")),
                        _revive(item.get("start")),
                        _revive(item.get("end")),
                        bool(item.get("failed")),
                        bool(item.get("is_async")),
                    )
                )
        except Exception as exc:
            sys.stderr.write(f"litellm: spooled events in {claimed} could not be read: {exc}\n")
            continue
        try:
            os.unlink(claimed)
        except OSError:
            pass
    return out
