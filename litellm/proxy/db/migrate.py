"""Versioned schema migrations: ``litellm/proxy/migrations/NNNN_name.sql``, applied in order, once.

Owns :func:`apply_migrations` (run at proxy start, and by ``litellm migrate``): the applied versions are
recorded in ``litellm_schema_migrations``; each pending file runs in one transaction under an advisory
lock (PostgreSQL) or the write lock (SQLite), so instances starting together apply each file exactly
once. A migration that fails rolls back and is reported with its file name. Must not: edit a file that
has been released (add a new one).
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

from litellm.proxy.db.base import Database

__all__ = ["apply_migrations", "main", "migration_files"]

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def migration_files() -> list[tuple[int, str, Path]]:
    out = []
    for path in sorted(MIGRATIONS_DIR.iterdir()):
        match = _NAME.match(path.name)
        if match:
            out.append((int(match.group(1)), match.group(2), path))
    return out


def _statements(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if not line.strip().startswith("--")]
    body = "\n".join(line.split("--", 1)[0] if "--" in line else line for line in lines)
    return [s.strip() for s in body.split(";") if s.strip()]


async def apply_migrations(db: Database) -> list[int]:
    """Apply every pending migration; returns the versions applied now."""
    # under the lock too: PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against a concurrent one
    async with db.transaction(lock="litellm_schema_migrations") as tx:
        await tx.execute(
            "CREATE TABLE IF NOT EXISTS litellm_schema_migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)"
        )
    applied: list[int] = []
    for version, name, path in migration_files():
        async with db.transaction(lock="litellm_schema_migrations") as tx:
            done = await tx.fetchone(
                "SELECT version FROM litellm_schema_migrations WHERE version = ?", (version,)
            )
            if done is not None:
                continue
            for statement in _statements(path.read_text()):
                try:
                    await tx.execute(statement)
                except Exception as exc:
                    raise RuntimeError(f"migration {path.name} failed: {exc}") from None
            await tx.execute(
                "INSERT INTO litellm_schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, time.time()),
            )
            applied.append(version)
    return applied


def main(argv: list[str] | None = None) -> int:
    """``litellm migrate [--config config.yaml]``: apply pending migrations to the configured database."""
    import argparse
    import asyncio

    from litellm.proxy.db import DatabaseUnavailable, open_database, resolve_database_url

    parser = argparse.ArgumentParser(prog="litellm migrate", description="Apply database migrations.")
    parser.add_argument("--config", "-c", default=os.environ.get("CONFIG_FILE_PATH"))
    args = parser.parse_args(argv)
    general: dict = {}
    if args.config:
        from litellm.proxy.config import load_config

        general = load_config(args.config).general_settings
    url = resolve_database_url(general)
    from litellm.proxy.management.settings import sqlite_path

    async def run() -> list[int]:
        db = await open_database(url, sqlite_path(general), migrate=False)
        try:
            return await apply_migrations(db)
        finally:
            await db.close()

    try:
        applied = asyncio.run(run())
    except DatabaseUnavailable as exc:
        print(f"litellm migrate: {exc}", file=sys.stderr)
        return 1
    print(f"litellm migrate: applied {applied or 'nothing (up to date)'}")
    return 0
