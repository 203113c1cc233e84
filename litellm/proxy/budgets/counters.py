"""Budget counters that concurrency cannot overshoot: reserve-then-settle, atomic across instances.

A budget *scope* (``key:<hash>``, ``user:<id>``, ``team:<id>``, ``org:<id>``, ``end_user:<id>``,
``global``, ``key_model:<hash>:<model>``) has, per budget period, a settled spend and the open
reservations of requests in flight. :meth:`reserve` admits a request only if, for every scope with a
``max_budget``, ``spend + reserved < max_budget`` (LiteLLM's "refuse once spend reaches the budget",
with in-flight work counted as spent), and then reserves the request's worst-case cost on all of them --
in one Redis Lua script, or one database transaction holding the scopes' row locks. :meth:`settle`
replaces a reservation by the real cost. Reservations expire (``budget_reservation_ttl``), so an instance
killed mid-request cannot hold budget forever. The result: N concurrent requests on M instances overshoot
a budget by at most one request's cost, as one sequential request does in LiteLLM.

Must not: price requests or decide which budgets apply (:mod:`.admission` does).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from litellm.proxy.db.base import Database

__all__ = ["BudgetCheck", "DbBudgetCounters", "RedisBudgetCounters", "Refusal"]

# a budget counts as reached within this much (sums of float costs land a hair under a round budget)
_EPSILON = 1e-12


@dataclass(slots=True)
class BudgetCheck:
    scope: str
    period: float  # the period's start (0 for budgets without a duration)
    max_budget: float | None  # None: counted (for totals and soft alerts), never refused
    ttl: float  # how long the period's counter must live


@dataclass(slots=True)
class Refusal:
    scope: str
    spend: float
    reserved: float
    max_budget: float


_RESERVE = """
local now = tonumber(ARGV[1])
local amount = ARGV[2]
local expiry = now + tonumber(ARGV[3])
local call_id = ARGV[4]
local n = tonumber(ARGV[5])
for i = 1, n do
  local max = ARGV[5 + 2 * i - 1]
  if max ~= '' then
    local spend = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
    local reserved = 0
    local all = redis.call('HGETALL', KEYS[2 * i])
    for j = 1, #all, 2 do
      local sep = string.find(all[j + 1], ':', 1, true)
      local a = tonumber(string.sub(all[j + 1], 1, sep - 1))
      local e = tonumber(string.sub(all[j + 1], sep + 1))
      if e < now then redis.call('HDEL', KEYS[2 * i], all[j]) else reserved = reserved + a end
    end
    if spend + reserved >= tonumber(max) - 1e-12 then
      return {i, tostring(spend), tostring(reserved)}
    end
  end
end
for i = 1, n do
  redis.call('HSET', KEYS[2 * i], call_id, amount .. ':' .. tostring(expiry))
  redis.call('EXPIRE', KEYS[2 * i], math.ceil(tonumber(ARGV[5 + 2 * i])))
end
return {0}
"""

_SETTLE = """
local call_id = ARGV[1]
local actual = ARGV[2]
local n = tonumber(ARGV[3])
for i = 1, n do
  redis.call('HDEL', KEYS[2 * i], call_id)
  if tonumber(actual) ~= 0 then
    redis.call('INCRBYFLOAT', KEYS[2 * i - 1], actual)
  end
  redis.call('EXPIRE', KEYS[2 * i - 1], math.ceil(tonumber(ARGV[3 + i])))
end
return n
"""

_SPEND = """
local out = {}
for i = 1, #KEYS do out[i] = redis.call('GET', KEYS[i]) or '0' end
return out
"""


class RedisBudgetCounters:
    """Counters in Redis: ``<prefix>bud:<scope>:<period>`` (settled spend) and ``<prefix>res:...`` (a
    hash of call id -> ``amount:expiry``)."""

    def __init__(self, redis: Any, prefix: str, reservation_ttl: float) -> None:
        self.redis = redis
        self.prefix = prefix
        self.reservation_ttl = reservation_ttl
        self._reserve = redis.register_script(_RESERVE)
        self._settle = redis.register_script(_SETTLE)
        self._spend = redis.register_script(_SPEND)

    def _keys(self, checks: list[BudgetCheck]) -> list[str]:
        keys = []
        for c in checks:
            base = f"{c.scope}:{int(c.period)}"
            keys += [f"{self.prefix}bud:{base}", f"{self.prefix}res:{base}"]
        return keys

    async def reserve(self, call_id: str, checks: list[BudgetCheck], amount: float) -> Refusal | None:
        argv: list[Any] = [time.time(), repr(float(amount)), self.reservation_ttl, call_id, len(checks)]
        for c in checks:
            argv += ["" if c.max_budget is None else repr(float(c.max_budget)), c.ttl]
        return self._refusal(await self._reserve(keys=self._keys(checks), args=argv), checks)

    @staticmethod
    def _refusal(result: Any, checks: list[BudgetCheck]) -> Refusal | None:
        index = int(result[0])
        if index == 0:
            return None
        c = checks[index - 1]
        return Refusal(c.scope, float(result[1]), float(result[2]), float(c.max_budget or 0))

    async def settle(self, call_id: str, checks: list[BudgetCheck], actual: float) -> None:
        await self._settle(
            keys=self._keys(checks),
            args=[call_id, repr(float(actual)), len(checks), *[c.ttl for c in checks]],
        )

    async def spend(self, checks: list[BudgetCheck]) -> list[float]:
        keys = [f"{self.prefix}bud:{c.scope}:{int(c.period)}" for c in checks]
        return [float(v) for v in await self._spend(keys=keys, args=[])]


class DbBudgetCounters:
    """Counters in the database (no Redis): one transaction per reservation, rows locked in scope order
    (``SELECT .. FOR UPDATE`` on PostgreSQL; SQLite's write lock), so instances sharing the database
    serialise on the budgets they share and on nothing else."""

    def __init__(self, db: Database, reservation_ttl: float) -> None:
        self.db = db
        self.reservation_ttl = reservation_ttl
        self._for_update = " FOR UPDATE" if db.dialect == "postgresql" else ""

    async def reserve(self, call_id: str, checks: list[BudgetCheck], amount: float) -> Refusal | None:
        now = time.time()
        ordered = sorted(checks, key=lambda c: (c.scope, c.period))
        async with self.db.transaction() as tx:
            for c in ordered:
                await tx.execute(
                    "INSERT INTO litellm_budget_spend (scope, period, spend) VALUES (?, ?, 0) "
                    "ON CONFLICT (scope, period) DO NOTHING",
                    (c.scope, c.period),
                )
                row = await tx.fetchone(
                    "SELECT spend FROM litellm_budget_spend WHERE scope = ? AND period = ?"
                    + self._for_update,
                    (c.scope, c.period),
                )
                if c.max_budget is None:
                    continue
                res = await tx.fetchone(
                    "SELECT COALESCE(SUM(amount), 0) AS r FROM litellm_budget_reservations "
                    "WHERE scope = ? AND period = ? AND expires_at >= ?",
                    (c.scope, c.period, now),
                )
                spend = float(row["spend"]) if row else 0.0
                reserved = float(res["r"]) if res else 0.0
                if spend + reserved >= c.max_budget - _EPSILON:
                    return Refusal(c.scope, spend, reserved, c.max_budget)
            for c in ordered:
                await tx.execute(
                    "INSERT INTO litellm_budget_reservations (call_id, scope, period, amount, expires_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (call_id, scope) DO NOTHING",
                    (call_id, c.scope, c.period, float(amount), now + self.reservation_ttl),
                )
        return None

    async def settle(self, call_id: str, checks: list[BudgetCheck], actual: float) -> None:
        async with self.db.transaction() as tx:
            for c in sorted(checks, key=lambda c: (c.scope, c.period)):
                await tx.execute(
                    "INSERT INTO litellm_budget_spend (scope, period, spend) VALUES (?, ?, ?) "
                    "ON CONFLICT (scope, period) DO UPDATE SET spend = litellm_budget_spend.spend + excluded.spend",
                    (c.scope, c.period, float(actual)),
                )
            await tx.execute("DELETE FROM litellm_budget_reservations WHERE call_id = ?", (call_id,))
            await tx.execute(
                "DELETE FROM litellm_budget_reservations WHERE expires_at < ?", (time.time() - 60,)
            )

    async def spend(self, checks: list[BudgetCheck]) -> list[float]:
        out = []
        for c in checks:
            row = await self.db.fetchone(
                "SELECT spend FROM litellm_budget_spend WHERE scope = ? AND period = ?", (c.scope, c.period)
            )
            out.append(float(row["spend"]) if row else 0.0)
        return out
