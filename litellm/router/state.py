"""The Router's state store: usage counters, in-flight counts, latency statistics, failures, cooldowns and
deployment spend, behind one small interface.

``MemoryState`` (the default) keeps everything in this process; ``litellm.router.redis_state.RedisState``
keeps the same facts in Redis so several Router processes share one view. Every operation exists sync and
async (``a``-prefixed); the Router batches its work into a few calls per request (``snapshot`` before
picking, ``acquire`` for the pick, ``release`` / ``record_failure`` after), so a remote store costs a few
round trips, not one per fact.

Windows: rpm/tpm and failures count per wall-clock minute (as LiteLLM does); spend per
``budget_duration`` bucket. Must not pick deployments or know about strategies.
"""

from __future__ import annotations

import threading
import time
from typing import Any

__all__ = ["BLANK_STATS", "DeploymentStats", "MemoryState", "RouterState"]

#: weight of a new latency sample in the moving averages
EWMA_ALPHA = 0.3


class DeploymentStats:
    """What a strategy may read about one deployment (values for the current minute)."""

    __slots__ = (
        "cooldown_reason",
        "cooldown_until",
        "in_flight",
        "latency",
        "latency_at",
        "latency_n",
        "rpm",
        "spend",
        "tpm",
        "ttft",
    )

    def __init__(self) -> None:
        self.cooldown_until = 0.0
        self.cooldown_reason: str | None = None
        self.in_flight = 0
        self.rpm = 0
        self.tpm = 0
        self.latency: float | None = None  # EWMA seconds (per completion token when known)
        self.ttft: float | None = None  # EWMA seconds to first token (streams)
        self.latency_n = 0
        self.latency_at = 0.0
        self.spend = 0.0

    def __repr__(self) -> str:
        return "DeploymentStats(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__) + ")"


class RouterState:
    """Interface of a state store. Sync methods; async twins default to calling them."""

    #: True when the store lives in this process (no I/O): the Router may call it inline
    local = True
    #: a time after which no cooldown set so far is active (a local store that tracks it lets callers
    #: that read only cooldowns skip ``snapshot`` while it has passed); infinity = not tracked
    cooled_until = float("inf")

    def snapshot(
        self, ids: list[str], spend_periods: dict[str, float] | None = None, full: bool = True
    ) -> list[DeploymentStats]:
        """Stats for ``ids``, current minute and budget period. Read-only for the caller (a store may
        return its live records); ``full=False`` says the caller reads only cooldowns and spend."""
        raise NotImplementedError

    def acquire(self, dep_id: str, rpm_limit: float | None, max_parallel: int | None) -> str | None:
        """Count one request (rpm, in flight) on the deployment; None when done, else the limit that
        refused it ("rpm" or "parallel")."""
        raise NotImplementedError

    def release(
        self,
        dep_id: str,
        *,
        tokens: int = 0,
        latency: float | None = None,
        ttft: float | None = None,
        spend: float = 0.0,
        spend_period: float | None = None,
    ) -> None:
        """End a request on the deployment. Must not block (a remote store queues the update)."""
        raise NotImplementedError

    def release_nowait(self, dep_id: str, **kw: Any) -> None:
        """``release`` from code that cannot wait (a stream's end): remote stores queue it."""
        self.release(dep_id, **kw)

    def record_failure(self, dep_id: str) -> int:
        """Count a failure; returns the failures in the current minute."""
        raise NotImplementedError

    def set_cooldown(self, dep_id: str, seconds: float, reason: str) -> None:
        raise NotImplementedError

    def clear_cooldown(self, dep_id: str) -> None:
        raise NotImplementedError

    def stats(self) -> dict[str, Any]:
        return {}

    async def asnapshot(
        self, ids: list[str], spend_periods: dict[str, float] | None = None
    ) -> list[DeploymentStats]:
        return self.snapshot(ids, spend_periods)

    async def aacquire(self, dep_id: str, rpm_limit: float | None, max_parallel: int | None) -> str | None:
        return self.acquire(dep_id, rpm_limit, max_parallel)

    async def arelease(self, dep_id: str, **kw: Any) -> None:
        self.release(dep_id, **kw)

    async def arecord_failure(self, dep_id: str) -> int:
        return self.record_failure(dep_id)

    async def aset_cooldown(self, dep_id: str, seconds: float, reason: str) -> None:
        self.set_cooldown(dep_id, seconds, reason)

    def close(self) -> None:
        return None


class _Entry(DeploymentStats):
    """The live record behind a deployment's stats (``snapshot`` returns it, windows rolled)."""

    __slots__ = ("fails", "fails_minute", "minute", "spend_bucket")

    def __init__(self) -> None:
        super().__init__()
        self.minute = 0
        self.fails_minute = 0
        self.fails = 0
        self.spend_bucket = -1


#: the stats of a deployment nothing was recorded for (shared, read-only)
BLANK_STATS = _BLANK = DeploymentStats()


def ewma(old: float | None, sample: float) -> float:
    return sample if old is None else old + EWMA_ALPHA * (sample - old)


class MemoryState(RouterState):
    """In-process state; a lock keeps sync callers on several threads consistent."""

    local = True

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self.cooled_until = 0.0
        # re-entrant: an abandoned stream finalised by the GC inside a locked section releases its slot
        self._lock = threading.RLock()

    def _entry(self, dep_id: str) -> _Entry:
        entry = self._entries.get(dep_id)
        if entry is None:
            entry = self._entries[dep_id] = _Entry()
        return entry

    @staticmethod
    def _roll(entry: _Entry, minute: int) -> None:
        if entry.minute != minute:
            entry.minute, entry.rpm, entry.tpm = minute, 0, 0

    def snapshot(
        self, ids: list[str], spend_periods: dict[str, float] | None = None, full: bool = True
    ) -> list[DeploymentStats]:
        # the live records, their windows rolled forward (no copies: strategies only read them)
        now = time.time()
        if not full and not spend_periods and now >= self.cooled_until:
            # only cooldowns and spend are read, no cooldown is active and no spend is kept
            return [_BLANK] * len(ids)
        minute = int(now) // 60
        out: list[DeploymentStats] = []
        entries = self._entries
        for dep_id in ids:
            entry = entries.get(dep_id)
            if entry is None:
                out.append(_BLANK)
                continue
            if entry.minute != minute:
                with self._lock:
                    self._roll(entry, minute)
            if entry.cooldown_until and entry.cooldown_until <= now:
                entry.cooldown_until, entry.cooldown_reason = 0.0, None
            if spend_periods:
                period = spend_periods.get(dep_id)
                if period and entry.spend_bucket != int(now // period):
                    with self._lock:
                        entry.spend_bucket, entry.spend = int(now // period), 0.0
            out.append(entry)
        return out

    def acquire(self, dep_id: str, rpm_limit: float | None, max_parallel: int | None) -> str | None:
        minute = int(time.time()) // 60
        with self._lock:
            entry = self._entries.get(dep_id)
            if entry is None:
                entry = self._entries[dep_id] = _Entry()
            if entry.minute != minute:
                entry.minute, entry.rpm, entry.tpm = minute, 0, 0
            if rpm_limit is not None and entry.rpm >= rpm_limit:
                return "rpm"
            if max_parallel is not None and entry.in_flight >= max_parallel:
                return "parallel"
            entry.in_flight += 1
            entry.rpm += 1
            return None

    def release(
        self,
        dep_id: str,
        *,
        tokens: int = 0,
        latency: float | None = None,
        ttft: float | None = None,
        spend: float = 0.0,
        spend_period: float | None = None,
    ) -> None:
        now = time.time()
        with self._lock:
            entry = self._entries.get(dep_id)
            if entry is None:
                entry = self._entries[dep_id] = _Entry()
            if entry.in_flight > 0:
                entry.in_flight -= 1
            if tokens:
                minute = int(now) // 60
                if entry.minute != minute:
                    entry.minute, entry.rpm, entry.tpm = minute, 0, 0
                entry.tpm += tokens
            if latency is not None:
                old = entry.latency
                entry.latency = latency if old is None else old + EWMA_ALPHA * (latency - old)
                entry.latency_n += 1
                entry.latency_at = now
            if ttft is not None:
                entry.ttft = ewma(entry.ttft, ttft)
            if spend and spend_period:
                bucket = int(now // spend_period)
                if entry.spend_bucket != bucket:
                    entry.spend_bucket, entry.spend = bucket, 0.0
                entry.spend += spend

    def record_failure(self, dep_id: str) -> int:
        minute = int(time.time()) // 60
        with self._lock:
            entry = self._entry(dep_id)
            if entry.fails_minute != minute:
                entry.fails_minute, entry.fails = minute, 0
            entry.fails += 1
            return entry.fails

    def set_cooldown(self, dep_id: str, seconds: float, reason: str) -> None:
        with self._lock:
            entry = self._entry(dep_id)
            entry.cooldown_until = time.time() + seconds
            entry.cooldown_reason = reason
            self.cooled_until = max(self.cooled_until, entry.cooldown_until)
            entry.fails = 0  # a cooled deployment starts counting afresh when it returns

    def clear_cooldown(self, dep_id: str) -> None:
        with self._lock:
            entry = self._entries.get(dep_id)
            if entry is not None:
                entry.cooldown_until, entry.cooldown_reason = 0.0, None

    def stats(self) -> dict[str, Any]:
        return {"backend": "memory", "deployments": len(self._entries)}
