"""Budget counters without Redis (database transactions) under concurrency, on PostgreSQL and SQLite; the
ledger's spool: idempotent replay and a dead writer's segments picked up by another."""

from __future__ import annotations

import asyncio
import json
import os
import time

import pytest

from litellm.proxy.budgets.counters import BudgetCheck, DbBudgetCounters
from litellm.proxy.budgets.resets import take_lease
from litellm.proxy.db import open_database
from litellm.proxy.spend.ledger import COLUMNS, Ledger

pytestmark = pytest.mark.integration


def _row(i: int, spend: float = 0.25) -> dict:
    row = dict.fromkeys(COLUMNS)
    row.update(request_id=f"r{i}", status="success", spend=spend, start_time=1.0, end_time=2.0, day="1970-01-01",
               prompt_tokens=1, completion_tokens=1, total_tokens=2, cache_hit=0, request_tags="[]", metadata="{}")  # fmt: skip
    return row


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return None, str(tmp_path / "state.sqlite3")
    return request.getfixturevalue("pg_url"), None


def test_db_counters_admit_within_budget_under_concurrency(db_url) -> None:
    async def run() -> tuple[int, float]:
        db = await open_database(*db_url)
        try:
            counters = DbBudgetCounters(db, reservation_ttl=60)
            scope = f"key:conc-{time.time_ns()}"
            checks = [BudgetCheck(scope, 0.0, 1.0, 3600), BudgetCheck("global-" + scope, 0.0, None, 3600)]

            async def one(i: int) -> bool:
                refusal = await counters.reserve(f"c{i}", checks, 0.1)
                if refusal is not None:
                    return False
                await asyncio.sleep(0.01)
                await counters.settle(f"c{i}", checks, 0.1)
                return True

            admitted = sum(await asyncio.gather(*(one(i) for i in range(60))))
            spent = (await counters.spend(checks))[0]
            return admitted, spent
        finally:
            await db.close()

    admitted, spent = asyncio.run(run())
    assert admitted == 10 and abs(spent - 1.0) < 1e-9  # 0.1 x 10 reaches 1.0; nothing more admitted


def test_spool_replay_is_idempotent_and_dead_writers_are_picked_up(tmp_path) -> None:
    async def run() -> list:
        db = await open_database(None, str(tmp_path / "ledger.sqlite3"))
        spool = str(tmp_path / "spool")
        try:
            dead = Ledger(db, spool, 0.05)
            for i in range(5):
                dead.append(_row(i))
            # the writer "dies": its lock goes, its file stays (as after SIGKILL); its pid is faked dead
            path = dead._path
            os.close(dead._fd)
            dead._fd = None
            orphan = path.replace(f"ledger-{dead.instance}", "ledger-999999999-dead")
            os.rename(path, orphan)
            with open(orphan, "ab") as fh:
                fh.write(json.dumps(_row(2)).encode() + b"\n")  # a duplicate: counted once
                fh.write(b'{"request_id": "torn')  # a torn last line: the process died inside write(2)
            live = Ledger(db, spool, 0.05)
            live.append(_row(10))
            assert await live.flush()
            await live.close()
            return await db.fetchall("SELECT request_id, spend FROM litellm_spendlogs ORDER BY request_id")
        finally:
            await db.close()

    rows = asyncio.run(run())
    assert [r["request_id"] for r in rows] == ["r0", "r1", "r10", "r2", "r3", "r4"]
    assert sum(r["spend"] for r in rows) == 1.5
    assert not [n for n in os.listdir(tmp_path / "spool") if n.endswith(".wal")]


def test_lease_has_one_holder(tmp_path) -> None:
    async def run() -> list[bool]:
        db = await open_database(None, str(tmp_path / "lease.sqlite3"))
        try:
            first = await take_lease(db, "budget_reset", 60, holder="one")
            second = await take_lease(db, "budget_reset", 60, holder="two")
            renew = await take_lease(db, "budget_reset", 60, holder="one")
            return [first, second, renew]
        finally:
            await db.close()

    assert asyncio.run(run()) == [True, False, True]
