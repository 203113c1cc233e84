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
            if dead._map is not None:  # the mapping holds its own descriptor (and so the flock)
                dead._map.close()  # not truncated: a dead writer's segment keeps its reserved tail
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


_KILLED_WRITER = """
import os, signal, sys
sys.path.insert(0, {tests!r})
from integration.proxy_db.test_counters_and_spool import _row
from litellm.proxy.spend.ledger import Ledger

class NoDb:  # never reached: the process dies before its first flush
    pass

ledger = Ledger(NoDb(), {spool!r}, 3600)
for i in range(40):
    ledger.append(_row(100 + i))
assert ledger._map is not None, "expected the mapped spool on this file system"
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_rows_copied_into_a_mapped_segment_survive_sigkill(tmp_path) -> None:
    """The spool's promise, for real: rows appended (copied into the shared mapping, no write(2)) by a
    process that is then SIGKILLed are all replayed by the next instance, the reserved tail ignored."""
    import subprocess
    import sys

    spool = str(tmp_path / "spool")
    tests = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    code = _KILLED_WRITER.format(tests=tests, spool=spool)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -9, proc.stderr
    (segment,) = [n for n in os.listdir(spool) if n.endswith(".wal")]
    assert os.path.getsize(os.path.join(spool, segment)) > 40 * 100  # the reserved (NUL) tail is there

    async def run() -> list:
        db = await open_database(None, str(tmp_path / "ledger.sqlite3"))
        try:
            live = Ledger(db, spool, 0.05)
            assert await live.flush()
            await live.close()
            return await db.fetchall("SELECT request_id FROM litellm_spendlogs ORDER BY request_id")
        finally:
            await db.close()

    rows = asyncio.run(run())
    assert sorted(r["request_id"] for r in rows) == sorted(f"r{100 + i}" for i in range(40))
    assert not [n for n in os.listdir(spool) if n.endswith(".wal")]


def test_full_segments_close_early_and_unreservable_file_systems_fall_back(tmp_path, monkeypatch) -> None:
    import errno

    from litellm.proxy.spend import ledger as ledger_mod

    monkeypatch.setattr(ledger_mod, "_SEGMENT_BYTES", 1024)  # a few rows per segment

    async def run(spool: str) -> tuple[list, Ledger]:
        db = await open_database(None, str(tmp_path / f"{os.path.basename(spool)}.sqlite3"))
        try:
            ledger = Ledger(db, spool, 3600)
            for i in range(30):
                ledger.append(_row(i))
            closed_early = len(ledger._closed)
            assert await ledger.flush()
            await ledger.close()
            rows = await db.fetchall("SELECT request_id FROM litellm_spendlogs")
            return [closed_early, sorted(r["request_id"] for r in rows)], ledger
        finally:
            await db.close()

    (closed_early, ids), mapped = asyncio.run(run(str(tmp_path / "mapped")))
    assert mapped._mappable and closed_early == 3  # 8 rows of ~120 bytes fill 1 KiB
    assert ids == sorted(f"r{i}" for i in range(30))

    def refuse(fd: int, offset: int, length: int) -> None:
        raise OSError(errno.EOPNOTSUPP, "Operation not supported")

    monkeypatch.setattr(ledger_mod.os, "posix_fallocate", refuse)
    (closed_early, ids), plain = asyncio.run(run(str(tmp_path / "plain")))
    assert not plain._mappable and closed_early == 0  # write(2) per row: no segment fills up
    assert ids == sorted(f"r{i}" for i in range(30))


def test_without_posix_fallocate_rows_are_written(tmp_path, monkeypatch) -> None:
    """macOS has no os.posix_fallocate: the ledger writes each row with write(2) there."""
    from litellm.proxy.spend import ledger as ledger_mod

    monkeypatch.delattr(ledger_mod.os, "posix_fallocate")

    async def run() -> list:
        db = await open_database(None, str(tmp_path / "nofalloc.sqlite3"))
        try:
            ledger = Ledger(db, str(tmp_path / "spool"), 3600)
            assert not ledger._mappable and ledger._map is None
            for i in range(3):
                ledger.append(_row(i))
            assert await ledger.flush()
            await ledger.close()
            return await db.fetchall("SELECT request_id FROM litellm_spendlogs ORDER BY request_id")
        finally:
            await db.close()

    assert [r["request_id"] for r in asyncio.run(run())] == ["r0", "r1", "r2"]


def test_a_row_larger_than_a_segment_is_spooled(tmp_path, monkeypatch) -> None:
    from litellm.proxy.spend import ledger as ledger_mod

    monkeypatch.setattr(ledger_mod, "_SEGMENT_BYTES", 1024)

    async def run() -> list:
        db = await open_database(None, str(tmp_path / "big.sqlite3"))
        try:
            ledger = Ledger(db, str(tmp_path / "spool"), 3600)
            ledger.append(_row(0))
            big = _row(1)
            big["metadata"] = '{"note":"' + "x" * 3000 + '"}'
            ledger.append(big)  # closes the segment of row 0, then goes into a fresh one by write(2)
            ledger.append(_row(2))
            assert await ledger.flush()
            await ledger.close()
            return await db.fetchall("SELECT request_id, metadata FROM litellm_spendlogs ORDER BY request_id")
        finally:
            await db.close()

    rows = asyncio.run(run())
    assert [r["request_id"] for r in rows] == ["r0", "r1", "r2"]
    assert len(rows[1]["metadata"]) > 3000
