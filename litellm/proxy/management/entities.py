"""Users, teams, organisations, end users (customers) and budgets in the database: one generic repository.

Owns :class:`Entity` (a table with an id column, a few indexed columns and the rest of LiteLLM's fields
in the ``data`` JSON column): create (400 on a duplicate id), get, update (merge), delete, list; and
:func:`load_customer` (an end user with its budget-table limits, for admission). Must not: check
permissions (the routes do) or cache (the key store and admission do).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from litellm.proxy.errors import ProxyError
from litellm.proxy.keys.records import dumps, iso, next_reset, row_to_record

__all__ = ["BUDGETS", "CUSTOMERS", "ORGS", "TEAMS", "USERS", "Entity", "load_customer"]


@dataclass(frozen=True)
class Entity:
    name: str  # for messages: "user", "team", ...
    table: str
    pk: str
    columns: tuple[str, ...]  # indexed columns besides the id (taken from the body)
    fields: frozenset[str]  # everything the create/update bodies accept

    async def create(self, db: Any, body: dict[str, Any], id_value: str | None = None) -> dict[str, Any]:
        now = time.time()
        ident = id_value or body.get(self.pk) or str(uuid.uuid4())
        cols = {self.pk: ident}
        for c in self.columns:
            if c == "blocked":
                cols[c] = int(bool(body.get(c)))
            elif c == "budget_reset_at":
                cols[c] = next_reset(body.get("budget_duration"), now)
            elif c == "user_role":
                cols[c] = body.get(c) or "internal_user"
            else:
                cols[c] = body.get(c)
        data = {k: v for k, v in body.items() if k not in cols and k != self.pk}
        names = [*cols, "created_at", "updated_at", "data"]
        try:
            await db.execute(
                f"INSERT INTO {self.table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
                (*cols.values(), now, now, dumps(data)),
            )
        except Exception as exc:
            if "unique" in str(exc).lower() or "duplicate" in str(exc).lower():
                raise ProxyError(400, f"{self.name} {ident!r} already exists", param=self.pk) from None
            raise
        return await self.get(db, ident)  # type: ignore[return-value]

    async def get(self, db: Any, ident: str) -> dict[str, Any] | None:
        row = await db.fetchone(f"SELECT * FROM {self.table} WHERE {self.pk} = ?", (ident,))
        return view(row_to_record(row)) if row else None

    async def require(self, db: Any, ident: str | None) -> dict[str, Any]:
        if not ident:
            raise ProxyError(400, f"{self.pk} is required", param=self.pk)
        record = await self.get(db, ident)
        if record is None:
            raise ProxyError(404, f"{self.name} {ident!r} not found", type="not_found_error", param=self.pk)
        return record

    async def update(self, db: Any, ident: str, changes: dict[str, Any]) -> dict[str, Any]:
        row = await db.fetchone(f"SELECT * FROM {self.table} WHERE {self.pk} = ?", (ident,))
        if row is None:
            raise ProxyError(404, f"{self.name} {ident!r} not found", type="not_found_error", param=self.pk)
        record = row_to_record(row)
        sets, params = [], []
        data = {
            k: v
            for k, v in record.items()
            if k not in self.columns and k not in (self.pk, "created_at", "updated_at")
        }
        for k, v in changes.items():
            if k == self.pk:
                continue
            if k in self.columns:
                sets.append(f"{k} = ?")
                params.append(int(bool(v)) if k == "blocked" else v)
            else:
                data[k] = v
        if "budget_duration" in changes and "budget_reset_at" in self.columns:
            sets.append("budget_reset_at = ?")
            params.append(next_reset(changes["budget_duration"]))
        sets += ["updated_at = ?", "data = ?"]
        params += [time.time(), dumps(data)]
        await db.execute(f"UPDATE {self.table} SET {', '.join(sets)} WHERE {self.pk} = ?", (*params, ident))
        return await self.get(db, ident)  # type: ignore[return-value]

    async def delete(self, db: Any, ids: list[str]) -> list[str]:
        deleted = []
        for ident in ids:
            if await db.execute(f"DELETE FROM {self.table} WHERE {self.pk} = ?", (ident,)):
                deleted.append(ident)
        return deleted

    async def list(
        self, db: Any, where: str = "", params: tuple[Any, ...] = (), limit: int = 100, offset: int = 0
    ) -> list[dict[str, Any]]:
        rows = await db.fetchall(
            f"SELECT * FROM {self.table} {where} ORDER BY created_at LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [view(row_to_record(r)) for r in rows]


def view(record: dict[str, Any]) -> dict[str, Any]:
    out = dict(record)
    for k in ("created_at", "updated_at", "budget_reset_at"):
        if k in out:
            out[k] = iso(out[k])
    out.setdefault("spend", 0.0)
    return out


_LIMITS = {
    "max_budget",
    "soft_budget",
    "budget_duration",
    "tpm_limit",
    "rpm_limit",
    "max_parallel_requests",
    "model_max_budget",
    "metadata",
    "models",
}

USERS = Entity(
    "user", "litellm_usertable", "user_id", ("user_email", "user_role", "organization_id", "budget_reset_at"),
    frozenset(_LIMITS | {"user_id", "user_email", "user_role", "user_alias", "teams", "organization_id", "auto_create_key", "send_invite_email", "key_alias", "duration", "aliases", "config", "allowed_cache_controls", "blocked", "sso_user_id", "password", "spend"}),
)  # fmt: skip
TEAMS = Entity(
    "team", "litellm_teamtable", "team_id", ("team_alias", "organization_id", "blocked", "budget_reset_at"),
    frozenset(_LIMITS | {"team_id", "team_alias", "members_with_roles", "members", "organization_id", "blocked", "tags", "team_member_budget", "team_member_permissions", "guardrails", "model_aliases", "admins"}),
)  # fmt: skip
ORGS = Entity(
    "organization", "litellm_organizationtable", "organization_id", ("organization_alias", "budget_reset_at"),
    frozenset(_LIMITS | {"organization_id", "organization_alias", "budget_id"}),
)  # fmt: skip
CUSTOMERS = Entity(
    "end user", "litellm_endusertable", "user_id", ("alias", "blocked", "budget_id", "budget_reset_at"),
    frozenset(_LIMITS | {"user_id", "alias", "blocked", "budget_id", "allowed_model_region", "default_model", "spend"}),
)  # fmt: skip
BUDGETS = Entity(
    "budget", "litellm_budgettable", "budget_id", (),
    frozenset({"budget_id", "max_budget", "soft_budget", "budget_duration", "tpm_limit", "rpm_limit", "max_parallel_requests", "model_max_budget", "budget_reset_at"}),
)  # fmt: skip


async def load_customer(db: Any, end_user_id: str) -> dict[str, Any] | None:
    """An end user with its limits (its own, else its budget's), for admission; None if unknown."""
    row = await db.fetchone("SELECT * FROM litellm_endusertable WHERE user_id = ?", (end_user_id,))
    if row is None:
        return None
    record = row_to_record(row)
    if record.get("budget_id"):
        budget = await db.fetchone(
            "SELECT * FROM litellm_budgettable WHERE budget_id = ?", (record["budget_id"],)
        )
        if budget is not None:
            b = row_to_record(budget)
            for k in (
                "max_budget",
                "soft_budget",
                "budget_duration",
                "tpm_limit",
                "rpm_limit",
                "max_parallel_requests",
            ):
                if record.get(k) is None and b.get(k) is not None:
                    record[k] = b[k]
    return record
