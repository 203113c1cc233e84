"""Budget resets: one instance at a time (a lease in the database) moves ``budget_reset_at`` forward.

Enforcement does not depend on this job: budget periods are computed from each record's creation time
(:func:`~litellm.proxy.budgets.admission.period_of`), so every instance starts a new period at the same
moment. The job keeps the stored ``budget_reset_at`` (shown by /key/info, /user/info, ...) in step, and
the lease (``litellm_leases``: holder + expiry, taken with one conditional upsert) makes sure only one
instance does it per round. Must not: reset spend by deleting ledger rows (totals come from the rows).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from typing import Any

__all__ = ["reset_loop", "run_resets", "take_lease"]

_TABLES = (
    ("litellm_verificationtoken", "token"),
    ("litellm_usertable", "user_id"),
    ("litellm_teamtable", "team_id"),
    ("litellm_organizationtable", "organization_id"),
    ("litellm_endusertable", "user_id"),
)
HOLDER = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"


async def take_lease(db: Any, name: str, seconds: float, holder: str = HOLDER) -> bool:
    """True when this instance holds ``name`` for the next ``seconds`` (taken or renewed)."""
    now = time.time()
    n = await db.execute(
        "INSERT INTO litellm_leases (name, holder, expires_at) VALUES (?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at "
        "WHERE litellm_leases.expires_at < ? OR litellm_leases.holder = ?",
        (name, holder, now + seconds, now, holder),
    )
    return n == 1


async def run_resets(db: Any, now: float | None = None) -> int:
    """Move every due ``budget_reset_at`` to the end of its current period; returns rows changed."""
    from litellm.proxy.budgets.admission import period_of
    from litellm.proxy.keys.records import loads

    now = time.time() if now is None else now
    changed = 0
    for table, pk in _TABLES:
        rows = await db.fetchall(
            f"SELECT {pk} AS id, created_at, data FROM {table} WHERE budget_reset_at IS NOT NULL AND budget_reset_at <= ?",
            (now,),
        )
        for row in rows:
            duration = loads(row["data"]).get("budget_duration")
            if not duration:
                continue
            start, length = period_of(row["created_at"], duration, now)
            changed += await db.execute(
                f"UPDATE {table} SET budget_reset_at = ? WHERE {pk} = ?", (start + length, row["id"])
            )
    return changed


async def reset_loop(mgmt: Any, every: float = 30.0) -> None:
    while True:
        try:
            if await take_lease(mgmt.db, "budget_reset", every * 2):
                await run_resets(mgmt.db)
        except asyncio.CancelledError:
            raise
        except Exception:  # the database is down: next round
            pass
        await asyncio.sleep(every)
