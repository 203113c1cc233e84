"""rpm / tpm / max_parallel_requests per key, user, team and end user, atomic across instances.

Fixed windows of ``rate_limit_window_seconds`` (60) aligned to the clock, so every instance counts into
the same window. :meth:`acquire` checks every scope's limits and, only if all pass, counts the request
and one parallel slot on each -- in one Redis Lua script (several instances), or in process memory (one
instance: the event loop makes the check-and-count atomic). :meth:`release` frees the parallel slot and
adds the request's tokens to the tpm window. A refusal is a 429 with ``Retry-After`` and LiteLLM's
``x-ratelimit-*`` headers.

Must not: know about budgets or HTTP.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from litellm.proxy.errors import ProxyError

__all__ = ["LimitCheck", "LocalLimiter", "RedisLimiter", "limit_error"]


@dataclass(slots=True)
class LimitCheck:
    scope: str
    rpm: int | None
    tpm: int | None
    parallel: int | None


_ACQUIRE = """
local n = tonumber(ARGV[1])
local ttl = math.ceil(tonumber(ARGV[2]))
for i = 1, n do
  local rpm, tpm, par = ARGV[2 + 3 * i - 2], ARGV[2 + 3 * i - 1], ARGV[2 + 3 * i]
  if rpm ~= '' and tonumber(redis.call('GET', KEYS[3 * i - 2]) or '0') + 1 > tonumber(rpm) then
    return {i, 'requests', redis.call('GET', KEYS[3 * i - 2]) or '0'}
  end
  if tpm ~= '' and tonumber(redis.call('GET', KEYS[3 * i - 1]) or '0') >= tonumber(tpm) then
    return {i, 'tokens', redis.call('GET', KEYS[3 * i - 1]) or '0'}
  end
  if par ~= '' and tonumber(redis.call('GET', KEYS[3 * i]) or '0') + 1 > tonumber(par) then
    return {i, 'parallel', redis.call('GET', KEYS[3 * i]) or '0'}
  end
end
for i = 1, n do
  if ARGV[2 + 3 * i - 2] ~= '' then
    redis.call('INCR', KEYS[3 * i - 2]); redis.call('EXPIRE', KEYS[3 * i - 2], ttl)
  end
  if ARGV[2 + 3 * i] ~= '' then
    redis.call('INCR', KEYS[3 * i]); redis.call('EXPIRE', KEYS[3 * i], 600)
  end
end
return {0}
"""

_RELEASE = """
local n = tonumber(ARGV[1])
local ttl = math.ceil(tonumber(ARGV[2]))
for i = 1, n do
  if ARGV[2 + 2 * i - 1] == '1' then
    local left = redis.call('DECR', KEYS[2 * i - 1])
    if left < 0 then redis.call('SET', KEYS[2 * i - 1], 0) end
  end
  local tokens = tonumber(ARGV[2 + 2 * i])
  if tokens > 0 then
    redis.call('INCRBY', KEYS[2 * i], tokens); redis.call('EXPIRE', KEYS[2 * i], ttl)
  end
end
return n
"""


def _window(window: float, now: float) -> tuple[int, float]:
    index = int(now // window)
    return index, (index + 1) * window - now


def limit_error(check: LimitCheck, kind: str, current: float, retry_after: float) -> ProxyError:
    limit = {"requests": check.rpm, "tokens": check.tpm, "parallel": check.parallel}[kind]
    what = {
        "requests": "requests per minute (rpm_limit)",
        "tokens": "tokens per minute (tpm_limit)",
        "parallel": "parallel requests (max_parallel_requests)",
    }[kind]
    entity, _, ident = check.scope.partition(":")
    headers = {"retry-after": str(max(1, math.ceil(retry_after)))}
    if kind in ("requests", "tokens"):
        headers[f"x-ratelimit-limit-{kind}"] = str(limit)
        headers[f"x-ratelimit-remaining-{kind}"] = "0"
        headers[f"x-ratelimit-reset-{kind}"] = f"{retry_after:.1f}s"
    return ProxyError(
        429,
        f"Rate limit exceeded for {entity} {ident[:16]}: {what} limit {limit} reached "
        f"(current {int(current)}); retry after {headers['retry-after']}s",
        type="rate_limit_error",
        headers=headers,
    )


class RedisLimiter:
    def __init__(self, redis: Any, prefix: str, window: float) -> None:
        self.prefix = prefix
        self.window = window
        self._acquire = redis.register_script(_ACQUIRE)
        self._release = redis.register_script(_RELEASE)

    def _acquire_args(self, checks: list[LimitCheck]) -> tuple[list[str], list[Any], float]:
        index, left = _window(self.window, time.time())
        keys: list[str] = []
        argv: list[Any] = [len(checks), self.window * 2]
        for c in checks:
            p = self.prefix
            keys += [f"{p}rpm:{c.scope}:{index}", f"{p}tpm:{c.scope}:{index}", f"{p}par:{c.scope}"]
            argv += [_arg(c.rpm), _arg(c.tpm), _arg(c.parallel)]
        return keys, argv, left

    @staticmethod
    def _check(result: Any, checks: list[LimitCheck], left: float) -> None:
        if int(result[0]):
            kind = result[1].decode() if isinstance(result[1], bytes) else str(result[1])
            raise limit_error(
                checks[int(result[0]) - 1], kind, float(result[2]), left if kind != "parallel" else 1
            )

    def _release_args(self, checks: list[LimitCheck], tokens: int) -> tuple[list[str], list[Any]]:
        index, _ = _window(self.window, time.time())
        keys: list[str] = []
        argv: list[Any] = [len(checks), self.window * 2]
        for c in checks:
            keys += [f"{self.prefix}par:{c.scope}", f"{self.prefix}tpm:{c.scope}:{index}"]
            argv += ["1" if c.parallel is not None else "0", int(tokens) if c.tpm is not None else 0]
        return keys, argv

    async def acquire(self, checks: list[LimitCheck]) -> None:
        keys, argv, left = self._acquire_args(checks)
        self._check(await self._acquire(keys=keys, args=argv), checks, left)

    async def release(self, checks: list[LimitCheck], tokens: int) -> None:
        keys, argv = self._release_args(checks, tokens)
        await self._release(keys=keys, args=argv)


def _arg(value: int | None) -> Any:
    return "" if value is None else value


class LocalLimiter:
    """The same rules in this process's memory (one instance, no Redis)."""

    def __init__(self, window: float) -> None:
        self.window = window
        self.requests: dict[tuple[str, int], int] = {}
        self.tokens: dict[tuple[str, int], int] = {}
        self.parallel: dict[str, int] = {}

    def _gc(self, index: int) -> None:
        if len(self.requests) > 10_000:
            self.requests = {k: v for k, v in self.requests.items() if k[1] >= index - 1}
            self.tokens = {k: v for k, v in self.tokens.items() if k[1] >= index - 1}

    async def acquire(self, checks: list[LimitCheck]) -> None:
        index, left = _window(self.window, time.time())
        self._gc(index)
        for c in checks:
            used = self.requests.get((c.scope, index), 0)
            if c.rpm is not None and used + 1 > c.rpm:
                raise limit_error(c, "requests", used, left)
            tokens = self.tokens.get((c.scope, index), 0)
            if c.tpm is not None and tokens >= c.tpm:
                raise limit_error(c, "tokens", tokens, left)
            running = self.parallel.get(c.scope, 0)
            if c.parallel is not None and running + 1 > c.parallel:
                raise limit_error(c, "parallel", running, 1)
        for c in checks:
            if c.rpm is not None:
                self.requests[(c.scope, index)] = self.requests.get((c.scope, index), 0) + 1
            if c.parallel is not None:
                self.parallel[c.scope] = self.parallel.get(c.scope, 0) + 1

    async def release(self, checks: list[LimitCheck], tokens: int) -> None:
        index, _ = _window(self.window, time.time())
        for c in checks:
            if c.parallel is not None:
                self.parallel[c.scope] = max(0, self.parallel.get(c.scope, 0) - 1)
            if c.tpm is not None and tokens:
                self.tokens[(c.scope, index)] = self.tokens.get((c.scope, index), 0) + int(tokens)
