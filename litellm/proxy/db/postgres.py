"""PostgreSQL through psycopg 3's async connection pool (``pip install 'litellm-observe[proxy]'``).

Owns connecting (a clear :class:`DatabaseUnavailable` naming host and port when the server is not there),
the ``?`` -> ``%s`` placeholder rewrite, transactions with advisory locks, and turning every driver
connection error into :class:`DatabaseUnavailable` so callers (the ledger, admission) can spool or fail
over without knowing psycopg. Must not: put the URL's password in any message.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

from litellm.proxy.db.base import DatabaseUnavailable, host_of, safe_url

__all__ = ["PostgresDatabase"]


@lru_cache(maxsize=512)
def _sql(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


def _scrub(message: str, url: str) -> str:
    from urllib.parse import urlsplit

    password = urlsplit(url).password
    return message.replace(password, "****") if password else message


class _PgTx:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        cur = await self.conn.execute(_sql(sql), params)
        return cur.rowcount

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = await self.conn.execute(_sql(sql), params)
        return await cur.fetchall()

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        cur = await self.conn.execute(_sql(sql), params)
        return await cur.fetchone()


class PostgresDatabase:
    dialect = "postgresql"

    def __init__(
        self, url: str, pool: Any, *, max_size: int = 10, timeout: float = 2.0, connect_timeout: float = 3.0
    ) -> None:
        self.url = url
        self.description = safe_url(url)
        self.host = host_of(url)
        self.pool = pool
        self._down_until = 0.0  # after a failure, fail fast for a moment instead of waiting each time
        self.last_error: str | None = None
        self._pool_args = (max_size, timeout, connect_timeout)

    async def _new_pool(self) -> Any:
        from psycopg.rows import dict_row
        from psycopg_pool import AsyncConnectionPool

        max_size, timeout, connect_timeout = self._pool_args

        async def failed(_pool: Any) -> None:  # psycopg_pool reconnect_failed callback
            return None

        pool = AsyncConnectionPool(
            self.url.replace("postgres://", "postgresql://", 1),
            min_size=1,
            max_size=max_size,
            open=False,
            timeout=timeout,
            kwargs={"autocommit": True, "row_factory": dict_row, "connect_timeout": int(connect_timeout)},
            reconnect_timeout=3600 * 24 * 365,  # keep trying while the server is down; never give up
            reconnect_failed=failed,
            check=AsyncConnectionPool.check_connection,  # a server restart leaves dead connections behind
        )
        await pool.open(wait=False)
        return pool

    async def _renew_pool(self) -> None:
        """After an outage: a fresh pool (the old one's reconnect backoff can grow to many seconds)."""
        old, self.pool = self.pool, await self._new_pool()
        try:
            await old.close(timeout=0.5)
        except Exception:  # closing a broken pool is best effort
            pass

    @classmethod
    async def connect(
        cls, url: str, *, max_size: int = 10, timeout: float = 2.0, connect_timeout: float = 3.0
    ) -> PostgresDatabase:
        try:
            import psycopg
            import psycopg_pool  # noqa: F401
        except ImportError:
            raise DatabaseUnavailable(
                "DATABASE_URL is set but psycopg is not installed: pip install 'litellm-observe[proxy]' "
                "(psycopg[binary], psycopg-pool)"
            ) from None
        import logging

        import psycopg

        conninfo = url.replace("postgres://", "postgresql://", 1)
        try:  # one direct attempt first: a fast, specific error instead of a pool timeout
            probe = await psycopg.AsyncConnection.connect(conninfo, connect_timeout=int(connect_timeout))
            await probe.close()
        except Exception as exc:
            reason = _scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, url)
            raise DatabaseUnavailable(
                f"cannot connect to the database at {host_of(url)} ({safe_url(url)}): {reason}. "
                "Is PostgreSQL running, and are DATABASE_URL / general_settings.database_url right?"
            ) from None
        pool_log = logging.getLogger("psycopg.pool")
        if pool_log.level == logging.NOTSET:  # one line per failed reconnect while the server is down
            pool_log.setLevel(logging.ERROR)

        db = cls(url, None, max_size=max_size, timeout=timeout, connect_timeout=connect_timeout)
        db.pool = await db._new_pool()
        return db

    @asynccontextmanager
    async def _conn(self) -> AsyncIterator[Any]:
        import time

        import psycopg
        from psycopg_pool import PoolTimeout

        if self._down_until:
            if time.monotonic() < self._down_until:
                raise DatabaseUnavailable(f"database at {self.host} unavailable: {self.last_error}")
            self._down_until = time.monotonic() + 3.0  # one caller probes; the rest fail fast meanwhile
            await self._renew_pool()
        try:
            async with self.pool.connection() as conn:
                yield conn
        except (psycopg.OperationalError, PoolTimeout, OSError) as exc:
            self.last_error = _scrub(str(exc), self.url) or type(exc).__name__
            busy = isinstance(exc, PoolTimeout) and self.pool.get_stats().get("pool_size", 0) > 0
            if not busy:  # the server is gone (not merely every connection in use): fail fast a while
                self._down_until = time.monotonic() + 3.0
            raise DatabaseUnavailable(f"database at {self.host} unavailable: {self.last_error}") from None
        self._down_until = 0.0

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._conn() as conn:
            cur = await conn.execute(_sql(sql), params)
            return cur.rowcount

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        async with self._conn() as conn:
            async with conn.transaction():
                async with conn.cursor() as cur:
                    await cur.executemany(_sql(sql), rows)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        async with self._conn() as conn:
            cur = await conn.execute(_sql(sql), params)
            return await cur.fetchall()

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        async with self._conn() as conn:
            cur = await conn.execute(_sql(sql), params)
            return await cur.fetchone()

    @asynccontextmanager
    async def transaction(self, *, lock: str | None = None) -> AsyncIterator[_PgTx]:
        async with self._conn() as conn:
            async with conn.transaction():
                if lock is not None:
                    await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (lock,))
                yield _PgTx(conn)

    async def ping(self) -> bool:
        try:
            await self.fetchone("SELECT 1 AS ok")
            return True
        except DatabaseUnavailable:
            return False

    async def close(self) -> None:
        await self.pool.close()
