"""The interface both database backends implement, and URL handling that never shows a password.

A :class:`Database` runs parameterised SQL (``?`` placeholders) and transactions; rows come back as
dicts. :class:`DatabaseUnavailable` is the one error callers see when the server cannot be reached (its
message names the host and port, never the password). Must not import a driver.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

__all__ = ["Database", "DatabaseUnavailable", "Tx", "resolve_database_url", "safe_url"]


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached (or refused us); the message is safe to print and log."""


def safe_url(url: str) -> str:
    """``url`` with any password replaced by ``****`` (the form every message uses)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable database url>"
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit((parts.scheme, f"{user}:****@{netloc}", parts.path, parts.query, parts.fragment))


def host_of(url: str) -> str:
    try:
        parts = urlsplit(url)
        return f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
    except ValueError:
        return "<unparseable host>"


def resolve_database_url(general_settings: dict[str, Any]) -> str | None:
    """``general_settings.database_url`` or ``DATABASE_URL`` (LiteLLM's order), else None (SQLite)."""
    url = general_settings.get("database_url") or os.environ.get("DATABASE_URL")
    return url or None


class Tx(Protocol):
    """One transaction: statements run in order on one connection."""

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int: ...

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None: ...


class Database(Protocol):
    """A connected backend. ``dialect`` is ``"postgresql"`` or ``"sqlite"``."""

    dialect: str
    description: str  # what to show people: the safe URL or the file path

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int: ...

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None: ...

    def transaction(self, *, lock: str | None = None) -> AbstractAsyncContextManager[Tx]:
        """A transaction; ``lock`` names an advisory lock held for its duration (PostgreSQL), SQLite
        takes its write lock up front (``BEGIN IMMEDIATE``)."""
        ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...
