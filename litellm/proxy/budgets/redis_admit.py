"""Limits and budget reservation in one Redis script per request (and release + settlement in one).

The same rules as :class:`~litellm.proxy.budgets.limits.RedisLimiter` and
:class:`~litellm.proxy.budgets.counters.RedisBudgetCounters` (same keys, so they can be mixed), fused so
that a request with both limits and budgets costs one ``EVALSHA`` at admission and one at the end:
redis-py's per-command cost (~80 us CPU here) dominates this path, and its pipelines re-check script
existence on every execute (measured slower than two plain calls). Nothing is written unless every limit
and every budget admits the request. Must not: decide which checks apply.
"""

from __future__ import annotations

import time
from typing import Any

from litellm.proxy.budgets.counters import BudgetCheck, Refusal
from litellm.proxy.budgets.limits import LimitCheck, _window, limit_error

__all__ = ["RedisAdmitter"]

_ADMIT = """
local nl = tonumber(ARGV[1])
local wttl = math.ceil(tonumber(ARGV[2]))
local b0 = 2 + 3 * nl
local now = tonumber(ARGV[b0 + 1])
local amount = ARGV[b0 + 2]
local expiry = now + tonumber(ARGV[b0 + 3])
local call_id = ARGV[b0 + 4]
local nb = tonumber(ARGV[b0 + 5])
local k0 = 3 * nl
for i = 1, nl do
  local rpm, tpm, par = ARGV[2 + 3 * i - 2], ARGV[2 + 3 * i - 1], ARGV[2 + 3 * i]
  if rpm ~= '' and tonumber(redis.call('GET', KEYS[3 * i - 2]) or '0') + 1 > tonumber(rpm) then
    return {1, i, 'requests', redis.call('GET', KEYS[3 * i - 2]) or '0'}
  end
  if tpm ~= '' and tonumber(redis.call('GET', KEYS[3 * i - 1]) or '0') >= tonumber(tpm) then
    return {1, i, 'tokens', redis.call('GET', KEYS[3 * i - 1]) or '0'}
  end
  if par ~= '' and tonumber(redis.call('GET', KEYS[3 * i]) or '0') + 1 > tonumber(par) then
    return {1, i, 'parallel', redis.call('GET', KEYS[3 * i]) or '0'}
  end
end
for i = 1, nb do
  local max = ARGV[b0 + 5 + 2 * i - 1]
  if max ~= '' then
    local spend = tonumber(redis.call('GET', KEYS[k0 + 2 * i - 1]) or '0')
    local reserved = 0
    local all = redis.call('HGETALL', KEYS[k0 + 2 * i])
    for j = 1, #all, 2 do
      local sep = string.find(all[j + 1], ':', 1, true)
      local a = tonumber(string.sub(all[j + 1], 1, sep - 1))
      local e = tonumber(string.sub(all[j + 1], sep + 1))
      if e < now then redis.call('HDEL', KEYS[k0 + 2 * i], all[j]) else reserved = reserved + a end
    end
    if spend + reserved >= tonumber(max) - 1e-12 then
      return {2, i, tostring(spend), tostring(reserved)}
    end
  end
end
for i = 1, nl do
  if ARGV[2 + 3 * i - 2] ~= '' then
    redis.call('INCR', KEYS[3 * i - 2]); redis.call('EXPIRE', KEYS[3 * i - 2], wttl)
  end
  if ARGV[2 + 3 * i] ~= '' then
    redis.call('INCR', KEYS[3 * i]); redis.call('EXPIRE', KEYS[3 * i], 600)
  end
end
for i = 1, nb do
  redis.call('HSET', KEYS[k0 + 2 * i], call_id, amount .. ':' .. tostring(expiry))
  redis.call('EXPIRE', KEYS[k0 + 2 * i], math.ceil(tonumber(ARGV[b0 + 5 + 2 * i])))
end
return {0}
"""

_FINISH = """
local nl = tonumber(ARGV[1])
local wttl = math.ceil(tonumber(ARGV[2]))
for i = 1, nl do
  if ARGV[2 + 2 * i - 1] == '1' then
    local left = redis.call('DECR', KEYS[2 * i - 1])
    if left < 0 then redis.call('SET', KEYS[2 * i - 1], 0) end
  end
  local tokens = tonumber(ARGV[2 + 2 * i])
  if tokens > 0 then
    redis.call('INCRBY', KEYS[2 * i], tokens); redis.call('EXPIRE', KEYS[2 * i], wttl)
  end
end
local b0 = 2 + 2 * nl
local call_id = ARGV[b0 + 1]
local actual = ARGV[b0 + 2]
local nb = tonumber(ARGV[b0 + 3])
local k0 = 2 * nl
for i = 1, nb do
  redis.call('HDEL', KEYS[k0 + 2 * i], call_id)
  if tonumber(actual) ~= 0 then redis.call('INCRBYFLOAT', KEYS[k0 + 2 * i - 1], actual) end
  redis.call('EXPIRE', KEYS[k0 + 2 * i - 1], math.ceil(tonumber(ARGV[b0 + 3 + i])))
end
return 0
"""


class RedisAdmitter:
    def __init__(self, redis: Any, prefix: str, window: float, reservation_ttl: float) -> None:
        self.prefix = prefix
        self.window = window
        self.reservation_ttl = reservation_ttl
        self._admit = redis.register_script(_ADMIT)
        self._finish = redis.register_script(_FINISH)

    def _budget_keys(self, checks: list[BudgetCheck]) -> list[str]:
        keys = []
        for c in checks:
            base = f"{c.scope}:{int(c.period)}"
            keys += [f"{self.prefix}bud:{base}", f"{self.prefix}res:{base}"]
        return keys

    async def admit(
        self, call_id: str, limits: list[LimitCheck], budgets: list[BudgetCheck], amount: float
    ) -> Refusal | None:
        """Raises the 429 for a limit; returns the Refusal for a budget; None when admitted."""
        index, left = _window(self.window, time.time())
        p = self.prefix
        keys: list[str] = []
        argv: list[Any] = [len(limits), self.window * 2]
        for c in limits:
            keys += [f"{p}rpm:{c.scope}:{index}", f"{p}tpm:{c.scope}:{index}", f"{p}par:{c.scope}"]
            argv += [_arg(c.rpm), _arg(c.tpm), _arg(c.parallel)]
        keys += self._budget_keys(budgets)
        argv += [time.time(), repr(float(amount)), self.reservation_ttl, call_id, len(budgets)]
        for b in budgets:
            argv += ["" if b.max_budget is None else repr(float(b.max_budget)), b.ttl]
        result = await self._admit(keys=keys, args=argv)
        kind = int(result[0])
        if kind == 0:
            return None
        i = int(result[1]) - 1
        if kind == 1:
            what = result[2].decode() if isinstance(result[2], bytes) else str(result[2])
            raise limit_error(limits[i], what, float(result[3]), left if what != "parallel" else 1)
        refused = budgets[i]
        return Refusal(refused.scope, float(result[2]), float(result[3]), float(refused.max_budget or 0))

    async def finish(
        self, call_id: str, limits: list[LimitCheck], budgets: list[BudgetCheck], actual: float, tokens: int
    ) -> None:
        index, _ = _window(self.window, time.time())
        keys: list[str] = []
        argv: list[Any] = [len(limits), self.window * 2]
        for c in limits:
            keys += [f"{self.prefix}par:{c.scope}", f"{self.prefix}tpm:{c.scope}:{index}"]
            argv += ["1" if c.parallel is not None else "0", int(tokens) if c.tpm is not None else 0]
        keys += self._budget_keys(budgets)
        argv += [call_id, repr(float(actual)), len(budgets), *[c.ttl for c in budgets]]
        await self._finish(keys=keys, args=argv)


def _arg(value: int | None) -> Any:
    return "" if value is None else value
