"""Workers starting together on a fresh database: each applies the migrations at once, and none fails
(PostgreSQL's ``CREATE TABLE IF NOT EXISTS`` races a concurrent one into a unique violation on
``pg_type``, which stopped one of two ``--num_workers`` containers in about one start in five)."""

from __future__ import annotations

import asyncio

import pytest

from tests.integration.proxy_db.conftest import fresh_database

pytestmark = pytest.mark.integration


def test_concurrent_first_migrations_on_a_fresh_database_all_succeed() -> None:
    from litellm.proxy.db import open_database
    from litellm.proxy.db.migrate import migration_files

    expected = [version for version, _name, _path in migration_files()]

    async def start_together(url: str, n: int) -> list[list[int]]:
        from litellm.proxy.db.migrate import apply_migrations

        dbs = [await open_database(url, migrate=False, pool_size=2) for _ in range(n)]
        try:
            return await asyncio.gather(*(apply_migrations(db) for db in dbs))
        finally:
            for db in dbs:
                await db.close()

    for _ in range(5):  # the race is a narrow window: several fresh databases, six starts on each
        with fresh_database("lp15_mig") as url:
            applied = asyncio.run(start_together(url, 6))
            assert sorted(v for one in applied for v in one) == expected  # each migration once, by one
