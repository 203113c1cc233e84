"""Virtual keys in the database, and the per-request lookup: memory (short TTL) -> Redis -> database.

Owns :class:`KeyAuth` (the AuthContext of a virtual key, carrying the key, user, team and organisation
records admission needs), :class:`KeyStore` (``lookup(token_hash)``, the seam
:class:`~litellm.proxy.auth.Authenticator` calls, plus create/update/delete/list) and cache invalidation:
a change on this instance drops the memory and Redis entries at once; other instances see it within
``user_api_key_cache_ttl`` seconds (5). Expired and blocked keys (or keys of a blocked team) are refused
here with 401 and LiteLLM's messages.

Must not: store, cache or log a secret (only the SHA-256 hash), or decide budgets and limits (admission).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import operator
import time
from dataclasses import dataclass, field
from typing import Any

from litellm.proxy.auth import AuthContext
from litellm.proxy.db.base import Database, DatabaseUnavailable
from litellm.proxy.errors import ProxyError
from litellm.proxy.keys.records import dumps, iso, row_to_record

__all__ = ["KeyAuth", "KeyStore"]


@dataclass(slots=True)
class KeyAuth(AuthContext):
    """A virtual key's caller: the AuthContext fields plus the records behind them."""

    key: dict[str, Any] = field(default_factory=dict)
    user: dict[str, Any] | None = None
    team: dict[str, Any] | None = None
    org: dict[str, Any] | None = None
    team_member_role: str | None = None

    def derive(self, end_user_id: str | None) -> KeyAuth:
        """A per-request copy (the cached object is shared by concurrent requests)."""
        copy = KeyAuth(*_init_values(self))
        copy.end_user_id = end_user_id
        return copy


# every field, in __init__'s order: one C call reads them all for the positional copy in derive()
_init_values = operator.attrgetter(*(f.name for f in dataclasses.fields(KeyAuth)))

_KEY_COLUMNS = (
    "token, key_name, key_alias, user_id, team_id, organization_id, blocked, expires, budget_reset_at, "
    "created_at, updated_at, created_by, data"
)


class KeyStore:
    def __init__(
        self, db: Database, redis: Any = None, *, prefix: str = "litellm:", ttl: float = 5.0
    ) -> None:
        self.db = db
        self.redis = redis
        self.prefix = prefix
        self.ttl = ttl
        self.allow_on_db_unavailable = False
        self._memory: dict[str, tuple[float, KeyAuth | None]] = {}
        self._loading: dict[str, asyncio.Future[KeyAuth | None]] = {}

    # -- the request path ---------------------------------------------------------------------------

    async def lookup(self, token_hash: str) -> AuthContext | None:
        now = time.monotonic()
        hit = self._memory.get(token_hash)
        if hit is not None and hit[0] > now:
            auth = hit[1]
        else:
            auth = await self._load_once(token_hash)
            if len(self._memory) > 50_000:
                self._memory.clear()
            self._memory[token_hash] = (now + (self.ttl if auth is not None else 1.0), auth)
        if auth is None:
            return None
        check_usable(auth)
        return auth

    async def _load_once(self, token_hash: str) -> KeyAuth | None:
        """One load per key at a time: concurrent misses for the same key wait for the first one
        (a new key hit by 100 requests at once costs one database read, not 100)."""
        pending = self._loading.get(token_hash)
        if pending is not None:
            return await asyncio.shield(pending)
        future = asyncio.get_running_loop().create_future()
        self._loading[token_hash] = future
        try:
            auth = await self._load(token_hash)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody else waited
            raise
        finally:
            self._loading.pop(token_hash, None)
        future.set_result(auth)
        return auth

    async def _load(self, token_hash: str) -> KeyAuth | None:
        bundle = None
        rkey = f"{self.prefix}key:{token_hash}"
        if self.redis is not None:
            try:
                raw = await self.redis.get(rkey)
                if raw:
                    bundle = json.loads(raw)
            except Exception:  # Redis down: the database answers
                bundle = None
        if bundle is None:
            try:
                bundle = await self.bundle(token_hash)
            except DatabaseUnavailable:
                if self.allow_on_db_unavailable:  # LiteLLM: let the request through unchecked
                    return KeyAuth(api_key=token_hash, metadata={"db_unavailable": True})
                raise ProxyError(
                    503,
                    "Authentication Error: the key database is unavailable; try again shortly",
                    type="no_db_connection",
                ) from None
            if bundle is None:
                return None
            if self.redis is not None:
                try:
                    await self.redis.set(rkey, dumps(bundle), ex=60)
                except Exception:  # a cache write is best effort
                    pass
        return _auth_from(bundle)

    async def bundle(self, token_hash: str) -> dict[str, Any] | None:
        """The key with its user, team and organisation records (what a lookup caches)."""
        row = await self.db.fetchone(
            f"SELECT {_KEY_COLUMNS} FROM litellm_verificationtoken WHERE token = ?", (token_hash,)
        )
        if row is None:
            return None
        key = row_to_record(row)
        out: dict[str, Any] = {"key": key, "user": None, "team": None, "org": None}
        if key.get("user_id"):
            r = await self.db.fetchone("SELECT * FROM litellm_usertable WHERE user_id = ?", (key["user_id"],))
            out["user"] = row_to_record(r) if r else None
        if key.get("team_id"):
            r = await self.db.fetchone("SELECT * FROM litellm_teamtable WHERE team_id = ?", (key["team_id"],))
            out["team"] = row_to_record(r) if r else None
        org_id = key.get("organization_id") or (out["team"] or {}).get("organization_id")
        if org_id:
            r = await self.db.fetchone(
                "SELECT * FROM litellm_organizationtable WHERE organization_id = ?", (org_id,)
            )
            out["org"] = row_to_record(r) if r else None
        return out

    async def invalidate(self, token_hashes: list[str]) -> None:
        for h in token_hashes:
            self._memory.pop(h, None)
        if self.redis is not None and token_hashes:
            try:
                await self.redis.delete(*[f"{self.prefix}key:{h}" for h in token_hashes])
            except Exception:  # the TTL bounds a stale entry
                pass

    async def invalidate_where(self, column: str, value: str) -> None:
        """Drop cached keys of a user/team/org whose record changed."""
        rows = await self.db.fetchall(
            f"SELECT token FROM litellm_verificationtoken WHERE {column} = ?", (value,)
        )
        await self.invalidate([r["token"] for r in rows])

    # -- management ---------------------------------------------------------------------------------

    async def insert(self, record: dict[str, Any], data: dict[str, Any]) -> None:
        await self.db.execute(
            f"INSERT INTO litellm_verificationtoken ({_KEY_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                record["token"], record.get("key_name"), record.get("key_alias"), record.get("user_id"),
                record.get("team_id"), record.get("organization_id"), int(bool(record.get("blocked"))),
                record.get("expires"), record.get("budget_reset_at"), record["created_at"], record["updated_at"],
                record.get("created_by"), dumps(data),
            ),
        )  # fmt: skip
        await self.invalidate([record["token"]])

    async def get(self, token_hash: str) -> dict[str, Any] | None:
        row = await self.db.fetchone(
            f"SELECT {_KEY_COLUMNS} FROM litellm_verificationtoken WHERE token = ?", (token_hash,)
        )
        return row_to_record(row) if row else None

    async def by_alias(self, alias: str) -> dict[str, Any] | None:
        row = await self.db.fetchone(
            f"SELECT {_KEY_COLUMNS} FROM litellm_verificationtoken WHERE key_alias = ?", (alias,)
        )
        return row_to_record(row) if row else None

    async def update(self, token_hash: str, columns: dict[str, Any], data: dict[str, Any] | None) -> None:
        sets = [f"{c} = ?" for c in columns] + ["updated_at = ?"]
        params = [int(v) if isinstance(v, bool) else v for v in columns.values()] + [time.time()]
        if data is not None:
            sets.append("data = ?")
            params.append(dumps(data))
        await self.db.execute(
            f"UPDATE litellm_verificationtoken SET {', '.join(sets)} WHERE token = ?", (*params, token_hash)
        )
        await self.invalidate([token_hash])

    async def replace_token(self, old: str, new: str, key_name: str) -> None:
        await self.db.execute(
            "UPDATE litellm_verificationtoken SET token = ?, key_name = ?, updated_at = ? WHERE token = ?",
            (new, key_name, time.time(), old),
        )
        await self.invalidate([old, new])

    async def delete(self, token_hashes: list[str]) -> int:
        n = 0
        for h in token_hashes:
            n += await self.db.execute("DELETE FROM litellm_verificationtoken WHERE token = ?", (h,))
        await self.invalidate(token_hashes)
        return n

    async def list(
        self, where: str = "", params: tuple[Any, ...] = (), limit: int = 100, offset: int = 0
    ) -> list[dict[str, Any]]:
        sql = f"SELECT {_KEY_COLUMNS} FROM litellm_verificationtoken {where} ORDER BY created_at LIMIT ? OFFSET ?"
        return [row_to_record(r) for r in await self.db.fetchall(sql, (*params, limit, offset))]

    async def count(self, where: str = "", params: tuple[Any, ...] = ()) -> int:
        row = await self.db.fetchone(f"SELECT COUNT(*) AS n FROM litellm_verificationtoken {where}", params)
        return int(row["n"]) if row else 0


def check_usable(auth: KeyAuth) -> None:
    key = auth.key
    if key.get("blocked"):
        raise ProxyError(
            401, "Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin.",
            type="auth_error",
        )  # fmt: skip
    expires = key.get("expires")
    if expires is not None and expires < time.time():
        raise ProxyError(
            401,
            f"Authentication Error - Expired Key. Key Expiry time {iso(expires)} and current time {iso(time.time())}",
            type="expired_key",
        )
    if auth.team and auth.team.get("blocked"):
        raise ProxyError(
            401, f"Authentication Error, Team={auth.team_id} is blocked. Update via `/team/unblock` if you're an admin.",
            type="auth_error",
        )  # fmt: skip


def _auth_from(bundle: dict[str, Any]) -> KeyAuth:
    key, user, team, org = bundle["key"], bundle.get("user"), bundle.get("team"), bundle.get("org")
    role = (user or {}).get("user_role")
    member_role = None
    if team:
        for m in team.get("members_with_roles") or []:
            if key.get("user_id") and m.get("user_id") == key.get("user_id"):
                member_role = m.get("role")
    return KeyAuth(
        api_key=key["token"],
        key_alias=key.get("key_alias"),
        user_id=key.get("user_id"),
        user_email=(user or {}).get("user_email"),
        user_role=role,
        team_id=key.get("team_id"),
        team_alias=(team or {}).get("team_alias"),
        org_id=key.get("organization_id") or (team or {}).get("organization_id"),
        models=list(key.get("models") or []),
        metadata=dict(key.get("metadata") or {}),
        max_budget=key.get("max_budget"),
        tpm_limit=key.get("tpm_limit"),
        rpm_limit=key.get("rpm_limit"),
        key=key,
        user=user,
        team=team,
        org=org,
        team_member_role=member_role,
    )
