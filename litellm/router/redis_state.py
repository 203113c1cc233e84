"""Router state in Redis, so N Router processes share usage, in-flight counts, latency, failures,
cooldowns and deployment spend.

Atomic where it matters: taking an rpm slot is one Lua script (read the minute's count, refuse at the
limit, else increment), so concurrent processes never overshoot a limit; counters are INCR/INCRBY with
TTL keys (a minute window lives 120 s, so nothing needs cleaning up). Reads for a pick are one pipelined
round trip. Keys: ``<prefix>:{rpm,tpm,fails}:<id>:<minute>``, ``<prefix>:inflight:<id>``,
``<prefix>:cooldown:<id>`` (value ``until|reason``, expiring with the cooldown), ``<prefix>:lat:<id>``
(hash: EWMA latency / ttft, sample count, time), ``<prefix>:spend:<id>:<bucket>``.

Call ends (in-flight decrement, tpm, latency, spend) are applied locally at once and sent to Redis in
batches by one background thread every ``flush_interval`` (50 ms), and so are call starts when no rpm
limit has to be checked. A routed call costs one synchronous round trip only when it takes an rpm slot
(the atomic acquire), plus a pipelined snapshot read at most every ``snapshot_ttl`` (50 ms) per group.

Outage rule: every operation also updates a local :class:`MemoryState`; when Redis fails (refused, timed
out, any RedisError) the operation is answered from local state, a warning is logged (rate-limited),
``stats()["redis_errors"]`` counts it, and Redis is not tried again for ``retry_interval`` seconds. A
Redis problem never fails a call. During an outage limits hold per process only.

``redis`` is imported on first use (extra ``router``/``redis``). Must not pick deployments.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from typing import Any

from litellm.router.state import EWMA_ALPHA, DeploymentStats, MemoryState, RouterState

__all__ = ["RedisState"]

_ACQUIRE = """
local lim = tonumber(ARGV[1])
if lim >= 0 and tonumber(redis.call('GET', KEYS[1]) or '0') >= lim then return 1 end
redis.call('INCR', KEYS[1]); redis.call('EXPIRE', KEYS[1], 120)
redis.call('INCR', KEYS[2]); redis.call('EXPIRE', KEYS[2], 300)
return 0
"""

_RELEASE = """
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
if tonumber(ARGV[1]) > 0 then redis.call('INCRBY', KEYS[2], ARGV[1]); redis.call('EXPIRE', KEYS[2], 120) end
local a = tonumber(ARGV[6])
for i, field in ipairs({'latency', 'ttft'}) do
  local v = ARGV[1 + i]
  if v ~= '' then
    local x = tonumber(v)
    local old = redis.call('HGET', KEYS[3], field)
    if old then x = tonumber(old) + a * (x - tonumber(old)) end
    redis.call('HSET', KEYS[3], field, tostring(x))
    if field == 'latency' then
      redis.call('HINCRBY', KEYS[3], 'n', 1); redis.call('HSET', KEYS[3], 'at', ARGV[7])
    end
    redis.call('EXPIRE', KEYS[3], 86400)
  end
end
if tonumber(ARGV[4]) > 0 then
  redis.call('INCRBYFLOAT', KEYS[4], ARGV[4]); redis.call('EXPIRE', KEYS[4], math.ceil(tonumber(ARGV[5])))
end
return 1
"""


def _num(value: Any, cast: type = float) -> Any:
    if value is None:
        return None
    try:
        return cast(value.decode() if isinstance(value, bytes) else value)
    except (TypeError, ValueError):
        return None


class RedisState(RouterState):
    """Shared state in Redis (``url`` or ``host``/``port``/``password``/``db``), local state as fallback."""

    local = False

    def __init__(
        self,
        *,
        url: str | None = None,
        host: str | None = None,
        port: int | None = None,
        password: str | None = None,
        db: int | None = None,
        key_prefix: str | None = None,
        socket_timeout: float = 0.5,
        retry_interval: float = 1.0,
        snapshot_ttl: float = 0.05,
    ) -> None:
        if not (url or host):
            raise ValueError("RedisState needs redis_url, or redis_host (and redis_port / redis_password)")
        self._conn: dict[str, Any] = {  # redis connection arguments (str, int, float or None by key)
            "url": url,
            "host": host,
            "port": int(port or 6379),
            "password": password,
            "db": int(db or 0),
            "socket_timeout": socket_timeout,
            "socket_connect_timeout": socket_timeout,
        }
        self.prefix = key_prefix or "litellm:router"
        self.retry_interval = retry_interval
        #: a pick's view of shared stats may be this many seconds old (the rpm limit itself is always
        #: taken atomically in Redis); 0 reads Redis on every pick
        self.snapshot_ttl = snapshot_ttl
        self._snapshots: dict[tuple[str, ...], tuple[float, list[DeploymentStats]]] = {}
        self.local_state = MemoryState()
        self._sync: Any = None
        self._sync_scripts: tuple[Any, Any] | None = None
        self._async: weakref.WeakKeyDictionary[Any, tuple[Any, Any, Any]] = weakref.WeakKeyDictionary()
        self._down_until = 0.0
        self.counters = {"redis_errors": 0, "local_fallbacks": 0}
        self.flush_interval = 0.05
        self._pending: list[tuple[bool, list[str], list[Any]]] = []
        self._pending_lock = threading.RLock()
        self._flush_lock = threading.Lock()
        if hasattr(os, "register_at_fork"):  # a child starts with fresh locks, queue and flusher
            ref = weakref.ref(self)

            def after_fork_in_child() -> None:
                state = ref()
                if state is not None:
                    state._after_fork()

            os.register_at_fork(after_in_child=after_fork_in_child)
        self._flusher: threading.Thread | None = None
        self._stop = threading.Event()

    # -- clients ---------------------------------------------------------------------------------

    def _client_kwargs(self) -> dict[str, Any]:
        c = self._conn
        return {"socket_timeout": c["socket_timeout"], "socket_connect_timeout": c["socket_connect_timeout"]}

    def _sync_client(self) -> tuple[Any, Any, Any]:
        if self._sync is None:
            import redis

            c = self._conn
            if c["url"]:
                client = redis.Redis.from_url(c["url"], **self._client_kwargs())
            else:
                client = redis.Redis(
                    host=c["host"],
                    port=c["port"],
                    password=c["password"],
                    db=c["db"],
                    **self._client_kwargs(),
                )
            self._sync_scripts = (client.register_script(_ACQUIRE), client.register_script(_RELEASE))
            self._sync = client
        assert self._sync_scripts is not None
        return self._sync, *self._sync_scripts

    def _async_client(self) -> tuple[Any, Any, Any]:
        import asyncio

        loop = asyncio.get_running_loop()
        found = self._async.get(loop)
        if found is None:
            import redis.asyncio as aredis

            c = self._conn
            if c["url"]:
                client = aredis.Redis.from_url(c["url"], **self._client_kwargs())
            else:
                client = aredis.Redis(
                    host=c["host"],
                    port=c["port"],
                    password=c["password"],
                    db=c["db"],
                    **self._client_kwargs(),
                )
            found = (client, client.register_script(_ACQUIRE), client.register_script(_RELEASE))
            self._async[loop] = found
        return found

    # -- outage handling ----------------------------------------------------------------------------

    def _up(self) -> bool:
        if self._down_until and time.monotonic() < self._down_until:
            self.counters["local_fallbacks"] += 1
            return False
        return True

    def _failed(self, op: str, exc: BaseException) -> None:
        self.counters["redis_errors"] += 1
        self.counters["local_fallbacks"] += 1
        self._down_until = time.monotonic() + self.retry_interval
        from litellm.core.log import log_rate_limited

        log_rate_limited(
            ("router-redis-down", self.prefix),
            "router: Redis unavailable, using this process's local state (limits hold per process)",
            operation=op,
            error=f"{type(exc).__name__}: {str(exc)[:200]}",
            redis_errors=self.counters["redis_errors"],
            interval=30.0,
        )

    # -- snapshot cache -------------------------------------------------------------------------------

    def _cached(self, ids: list[str]) -> list[DeploymentStats] | None:
        if not self.snapshot_ttl:
            return None
        found = self._snapshots.get(tuple(ids))
        if found is None or found[0] < time.monotonic() or not self._up():
            return None
        return found[1]

    def _keep(self, ids: list[str], stats: list[DeploymentStats]) -> list[DeploymentStats]:
        if self.snapshot_ttl:
            if len(self._snapshots) > 256:
                self._snapshots.clear()
            self._snapshots[tuple(ids)] = (time.monotonic() + self.snapshot_ttl, stats)
        return stats

    # -- keys ----------------------------------------------------------------------------------------

    def _k(self, kind: str, dep_id: str, window: int | None = None) -> str:
        return (
            f"{self.prefix}:{kind}:{dep_id}" if window is None else f"{self.prefix}:{kind}:{dep_id}:{window}"
        )

    def _snapshot_cmds(self, pipe: Any, ids: list[str], periods: dict[str, float] | None, now: float) -> None:
        minute = int(now // 60)
        for dep_id in ids:
            pipe.get(self._k("cooldown", dep_id))
            pipe.get(self._k("inflight", dep_id))
            pipe.get(self._k("rpm", dep_id, minute))
            pipe.get(self._k("tpm", dep_id, minute))
            pipe.hmget(self._k("lat", dep_id), "latency", "ttft", "n", "at")
            period = periods.get(dep_id) if periods else None
            if period:
                pipe.get(self._k("spend", dep_id, int(now // period)))
            else:
                pipe.echo("0")

    @staticmethod
    def _parse_snapshot(raw: list[Any], ids: list[str], now: float) -> list[DeploymentStats]:
        out = []
        for i in range(len(ids)):
            cooldown, inflight, rpm, tpm, lat, spend = raw[i * 6 : i * 6 + 6]
            s = DeploymentStats()
            if cooldown:
                text = cooldown.decode() if isinstance(cooldown, bytes) else str(cooldown)
                until, _, reason = text.partition("|")
                if (_num(until) or 0.0) > now:
                    s.cooldown_until, s.cooldown_reason = float(until), reason
            s.in_flight = max(0, _num(inflight, int) or 0)
            s.rpm = _num(rpm, int) or 0
            s.tpm = _num(tpm, int) or 0
            s.latency, s.ttft = _num(lat[0]), _num(lat[1])
            s.latency_n, s.latency_at = _num(lat[2], int) or 0, _num(lat[3]) or 0.0
            s.spend = _num(spend) or 0.0
            out.append(s)
        return out

    def _release_args(self, dep_id: str, kw: dict[str, Any], now: float) -> tuple[list[str], list[Any]]:
        period = kw.get("spend_period") or 0
        minute = int(now // 60)
        keys = [
            self._k("inflight", dep_id),
            self._k("tpm", dep_id, minute),
            self._k("lat", dep_id),
            self._k("spend", dep_id, int(now // period) if period else 0),
        ]
        latency, ttft = kw.get("latency"), kw.get("ttft")
        args = [
            int(kw.get("tokens") or 0),
            "" if latency is None else repr(float(latency)),
            "" if ttft is None else repr(float(ttft)),
            repr(float(kw.get("spend") or 0.0)) if period else "0",
            period or 1,
            EWMA_ALPHA,
            repr(now),
        ]
        return keys, args

    # -- sync ----------------------------------------------------------------------------------------

    def snapshot(
        self, ids: list[str], spend_periods: dict[str, float] | None = None, full: bool = True
    ) -> list[DeploymentStats]:
        cached = self._cached(ids)
        if cached is not None:
            return cached
        if self._up():
            try:
                client, _, _ = self._sync_client()
                now = time.time()
                pipe = client.pipeline(transaction=False)
                self._snapshot_cmds(pipe, ids, spend_periods, now)
                return self._keep(ids, self._parse_snapshot(pipe.execute(), ids, now))
            except Exception as exc:
                self._failed("snapshot", exc)
        return self.local_state.snapshot(ids, spend_periods)

    def acquire(self, dep_id: str, rpm_limit: float | None, max_parallel: int | None) -> str | None:
        up = self._up()
        refused = self.local_state.acquire(dep_id, None if up else rpm_limit, max_parallel)
        if refused is not None or not up:
            return refused
        minute = int(time.time() // 60)
        keys = [self._k("rpm", dep_id, minute), self._k("inflight", dep_id)]
        if rpm_limit is None:  # nothing to refuse: counted in the next background batch, no round trip
            with self._pending_lock:
                self._pending.append((True, keys, [-1]))
            self._ensure_flusher()
            return None
        try:
            client, acquire, _ = self._sync_client()
            code = acquire(keys=keys, args=[int(rpm_limit)], client=client)
        except Exception as exc:
            self._failed("acquire", exc)
            return None
        if int(code):
            self.local_state.release(dep_id)
            return "rpm"
        return None

    def release(self, dep_id: str, **kw: Any) -> None:
        """Local state now; Redis in the next batch (a background flush every ``flush_interval``), so a
        call's end costs no round trip. Only the rpm acquire has to be synchronous."""
        self.local_state.release(dep_id, **kw)
        keys, args = self._release_args(dep_id, kw, time.time())
        with self._pending_lock:
            self._pending.append((False, keys, args))
            if len(self._pending) > 100_000:  # Redis down for long: keep the newest, count the rest
                del self._pending[:50_000]
                self.counters["dropped_updates"] = self.counters.get("dropped_updates", 0) + 50_000
        self._ensure_flusher()

    release_nowait = release

    def _ensure_flusher(self) -> None:
        thread = self._flusher
        if thread is not None and thread.is_alive():
            return
        with self._pending_lock:
            if self._flusher is not None and self._flusher.is_alive():
                return
            import threading

            ref = weakref.ref(self)
            self._flusher = threading.Thread(
                target=_flush_loop, args=(ref, self._stop), name="litellm-router-redis", daemon=True
            )
            self._flusher.start()

    def flush(self) -> bool:
        """Send queued updates now (also called by the background thread). True when all were sent,
        including a batch the background thread was sending at the time."""
        with self._flush_lock:
            return self._flush_locked()

    def _flush_locked(self) -> bool:
        with self._pending_lock:
            batch, self._pending = self._pending, []
        if not batch:
            return True
        if not self._up():
            with self._pending_lock:
                self._pending[:0] = batch
            return False
        try:
            client, acquire, release = self._sync_client()
            pipe = client.pipeline(transaction=False)
            for is_acquire, keys, args in batch:
                (acquire if is_acquire else release)(keys=keys, args=args, client=pipe)
            pipe.execute()
        except Exception as exc:
            self._failed("release", exc)
            with self._pending_lock:
                self._pending[:0] = batch
            return False
        return True

    def record_failure(self, dep_id: str) -> int:
        local = self.local_state.record_failure(dep_id)
        if not self._up():
            return local
        try:
            client, _, _ = self._sync_client()
            key = self._k("fails", dep_id, int(time.time() // 60))
            pipe = client.pipeline(transaction=True)
            pipe.incr(key)
            pipe.expire(key, 120)
            return int(pipe.execute()[0])
        except Exception as exc:
            self._failed("record_failure", exc)
            return local

    def set_cooldown(self, dep_id: str, seconds: float, reason: str) -> None:
        self.local_state.set_cooldown(dep_id, seconds, reason)
        self._snapshots.clear()
        if not self._up():
            return
        try:
            client, _, _ = self._sync_client()
            pipe = client.pipeline(transaction=True)
            pipe.set(
                self._k("cooldown", dep_id),
                f"{time.time() + seconds!r}|{reason}",
                px=max(1, int(seconds * 1000)),
            )
            pipe.delete(self._k("fails", dep_id, int(time.time() // 60)))
            pipe.execute()
        except Exception as exc:
            self._failed("set_cooldown", exc)

    def clear_cooldown(self, dep_id: str) -> None:
        self.local_state.clear_cooldown(dep_id)
        self._snapshots.clear()
        if self._up():
            try:
                client, _, _ = self._sync_client()
                client.delete(self._k("cooldown", dep_id))
            except Exception as exc:
                self._failed("clear_cooldown", exc)

    # -- async ---------------------------------------------------------------------------------------

    async def asnapshot(
        self, ids: list[str], spend_periods: dict[str, float] | None = None, full: bool = True
    ) -> list[DeploymentStats]:
        cached = self._cached(ids)
        if cached is not None:
            return cached
        if self._up():
            try:
                client, _, _ = self._async_client()
                now = time.time()
                pipe = client.pipeline(transaction=False)
                self._snapshot_cmds(pipe, ids, spend_periods, now)
                return self._keep(ids, self._parse_snapshot(await pipe.execute(), ids, now))
            except Exception as exc:
                self._failed("snapshot", exc)
        return self.local_state.snapshot(ids, spend_periods)

    async def aacquire(self, dep_id: str, rpm_limit: float | None, max_parallel: int | None) -> str | None:
        up = self._up()
        refused = self.local_state.acquire(dep_id, None if up else rpm_limit, max_parallel)
        if refused is not None or not up:
            return refused
        minute = int(time.time() // 60)
        keys = [self._k("rpm", dep_id, minute), self._k("inflight", dep_id)]
        if rpm_limit is None:  # nothing to refuse: counted in the next background batch, no round trip
            with self._pending_lock:
                self._pending.append((True, keys, [-1]))
            self._ensure_flusher()
            return None
        try:
            client, acquire, _ = self._async_client()
            code = await acquire(keys=keys, args=[int(rpm_limit)], client=client)
        except Exception as exc:
            self._failed("acquire", exc)
            return None
        if int(code):
            self.local_state.release(dep_id)
            return "rpm"
        return None

    async def arelease(self, dep_id: str, **kw: Any) -> None:
        self.release(dep_id, **kw)

    async def arecord_failure(self, dep_id: str) -> int:
        local = self.local_state.record_failure(dep_id)
        if not self._up():
            return local
        try:
            client, _, _ = self._async_client()
            key = self._k("fails", dep_id, int(time.time() // 60))
            pipe = client.pipeline(transaction=True)
            pipe.incr(key)
            pipe.expire(key, 120)
            return int((await pipe.execute())[0])
        except Exception as exc:
            self._failed("record_failure", exc)
            return local

    async def aset_cooldown(self, dep_id: str, seconds: float, reason: str) -> None:
        self.local_state.set_cooldown(dep_id, seconds, reason)
        self._snapshots.clear()
        if not self._up():
            return
        try:
            client, _, _ = self._async_client()
            pipe = client.pipeline(transaction=True)
            pipe.set(
                self._k("cooldown", dep_id),
                f"{time.time() + seconds!r}|{reason}",
                px=max(1, int(seconds * 1000)),
            )
            pipe.delete(self._k("fails", dep_id, int(time.time() // 60)))
            await pipe.execute()
        except Exception as exc:
            self._failed("set_cooldown", exc)

    def stats(self) -> dict[str, Any]:
        return {
            "backend": "redis",
            "key_prefix": self.prefix,
            "redis_down": bool(self._down_until and time.monotonic() < self._down_until),
            "pending_updates": len(self._pending),
            **self.counters,
        }

    def _after_fork(self) -> None:
        self._pending_lock = threading.RLock()
        self._flush_lock = threading.Lock()
        self._pending = []
        self._flusher = None
        self._snapshots = {}
        self._async = weakref.WeakKeyDictionary()

    async def aclose(self) -> None:
        """Close the async client of the running loop (others close with their loops)."""
        import asyncio

        found = self._async.pop(asyncio.get_running_loop(), None)
        if found is not None:
            try:
                await found[0].aclose()
            except Exception:
                pass

    def close(self) -> None:
        self._stop.set()
        self.flush()
        if self._sync is not None:
            try:
                self._sync.close()
            except Exception:
                pass
            self._sync = None


def _flush_loop(ref: weakref.ref[RedisState], stop: threading.Event) -> None:
    while not stop.is_set():
        state = ref()
        if state is None:
            return
        interval = state.flush_interval
        state.flush()
        del state
        stop.wait(interval)
