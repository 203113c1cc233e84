"""The proxy's state store: PostgreSQL when a database URL is configured, an embedded SQLite file otherwise.

Owns :func:`open_database` (config -> a connected :class:`~litellm.proxy.db.base.Database` with the
schema migrated), the two backends (:mod:`.postgres` on psycopg 3's async pool, :mod:`.sqlite` on the
stdlib driver in one dedicated thread) and the migration runner (:mod:`.migrate`, also ``litellm
migrate``). SQL is written once with ``?`` placeholders; the PostgreSQL backend rewrites them.

Must not: log or raise a URL with its password (:func:`~litellm.proxy.db.base.safe_url` is the only way a
URL is shown), or be imported by ``import litellm``.
"""

from __future__ import annotations

from litellm.proxy.db.base import Database, DatabaseUnavailable, resolve_database_url, safe_url

__all__ = ["Database", "DatabaseUnavailable", "open_database", "resolve_database_url", "safe_url"]


async def open_database(
    url: str | None,
    sqlite_path: str | None = None,
    *,
    migrate: bool = True,
    timeout: float = 2.0,
    pool_size: int = 10,
) -> Database:
    """Connect (PostgreSQL for ``postgres://``/``postgresql://`` URLs, else SQLite at ``sqlite_path``) and
    apply pending migrations (``timeout``: how long a statement waits for a pooled connection -- while the
    server is down this bounds each attempt); raises :class:`DatabaseUnavailable` naming the host when it cannot."""
    if url:
        from litellm.proxy.db.postgres import PostgresDatabase

        db: Database = await PostgresDatabase.connect(url, max_size=pool_size, timeout=timeout)
    else:
        from litellm.proxy.db.sqlite import SqliteDatabase

        db = await SqliteDatabase.connect(sqlite_path or "litellm_proxy.sqlite3")
    if migrate:
        from litellm.proxy.db.migrate import apply_migrations

        await apply_migrations(db)
    return db
