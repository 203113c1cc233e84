"""Embedded SQLite for the proxy: the stdlib driver on one thread (ours) vs aiosqlite, same workload.

Usage::

    python bench/proxy_ledger_sqlite.py [--n 3000]

Measures CPU (process time, all threads) and wall time per operation for what the proxy does with its
database: a key lookup (one-row SELECT by primary key, concurrently from 50 coroutines) and a ledger batch
(INSERT .. ON CONFLICT DO NOTHING of 500 rows in one transaction). Prints ratios aiosqlite / ours.
(``pip install aiosqlite`` for the comparison; it is not a dependency.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time

from litellm.proxy.db.sqlite import SqliteDatabase

SCHEMA = "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)"
INSERT = "INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING"


async def ours(path: str, n: int) -> dict[str, float]:
    db = await SqliteDatabase.connect(path)
    await db.execute(SCHEMA)
    await db.executemany(INSERT, [(f"k{i}", "x" * 200) for i in range(1000)])
    sem = asyncio.Semaphore(50)

    async def one(i: int) -> None:
        async with sem:
            await db.fetchone("SELECT v FROM t WHERE k = ?", (f"k{i % 1000}",))

    c0, w0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    c1, w1 = time.process_time(), time.perf_counter()
    for b in range(10):
        await db.executemany(INSERT, [(f"b{b}-{i}", "y" * 200) for i in range(500)])
    c2 = time.process_time()
    await db.close()
    return {"lookup_cpu_us": (c1 - c0) / n * 1e6, "lookup_wall_us": (w1 - w0) / n * 1e6,
            "batch_cpu_us_per_row": (c2 - c1) / 5000 * 1e6}  # fmt: skip


async def theirs(path: str, n: int) -> dict[str, float]:
    import aiosqlite

    db = await aiosqlite.connect(path, isolation_level=None)
    await db.execute("PRAGMA journal_mode=WAL")
    await db.execute(SCHEMA)
    await db.execute("BEGIN")
    await db.executemany(INSERT, [(f"k{i}", "x" * 200) for i in range(1000)])
    await db.execute("COMMIT")
    sem = asyncio.Semaphore(50)

    async def one(i: int) -> None:
        async with sem:
            async with db.execute("SELECT v FROM t WHERE k = ?", (f"k{i % 1000}",)) as cur:
                await cur.fetchone()

    c0, w0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    c1, w1 = time.process_time(), time.perf_counter()
    for b in range(10):
        await db.execute("BEGIN")
        await db.executemany(INSERT, [(f"b{b}-{i}", "y" * 200) for i in range(500)])
        await db.execute("COMMIT")
    c2 = time.process_time()
    await db.close()
    return {"lookup_cpu_us": (c1 - c0) / n * 1e6, "lookup_wall_us": (w1 - w0) / n * 1e6,
            "batch_cpu_us_per_row": (c2 - c1) / 5000 * 1e6}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="sqlite-bench-")
    results = {"stdlib_thread": asyncio.run(ours(os.path.join(tmp, "a.sqlite3"), args.n))}
    try:
        results["aiosqlite"] = asyncio.run(theirs(os.path.join(tmp, "b.sqlite3"), args.n))
    except ImportError:
        print("aiosqlite not installed: only ours measured")
    print(f"{'':16}{'lookup CPU us':>15}{'lookup wall us':>16}{'batch CPU us/row':>18}")
    for name, r in results.items():
        print(
            f"{name:16}{r['lookup_cpu_us']:>15.1f}{r['lookup_wall_us']:>16.1f}{r['batch_cpu_us_per_row']:>18.2f}"
        )
    if "aiosqlite" in results:
        a, o = results["aiosqlite"], results["stdlib_thread"]
        print(f"aiosqlite / ours: lookup CPU x{a['lookup_cpu_us'] / o['lookup_cpu_us']:.2f}, "
              f"batch CPU x{a['batch_cpu_us_per_row'] / o['batch_cpu_us_per_row']:.2f}")  # fmt: skip
    print("RESULT " + json.dumps(results))


if __name__ == "__main__":
    main()
