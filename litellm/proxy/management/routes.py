"""The management API LiteLLM documents: /key/*, /user/*, /team/*, /organization/*, /customer/*,
/budget/*, /spend/logs, /global/spend/report, /spend/daily -- request and response bodies as LiteLLM's.

Owns :func:`register` (adds every route to the app's route table) and each handler: parse, check the
caller's role (:mod:`.roles`; every route, no exceptions), act through the key store / entity
repository, answer. Errors are OpenAI-shaped (400 bad field, 401, 403 role, 404 unknown id, 503 database
down). Must not: return a stored secret (only a key being created or regenerated is shown, once).
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

from litellm.proxy.auth import hash_token
from litellm.proxy.db.base import DatabaseUnavailable
from litellm.proxy.errors import ProxyError, error_body
from litellm.proxy.keys.records import (
    KEY_DATA_FIELDS,
    KEY_FIELDS,
    check_fields,
    key_name,
    key_view,
    new_secret,
    next_reset,
    parse_duration,
)  # fmt: skip
from litellm.proxy.management.entities import TEAMS, USERS
from litellm.proxy.management.roles import Caller, forbid

__all__ = ["register"]


def _json(data: Any, status: int = 200) -> Any:
    from starlette.responses import Response

    return Response(json.dumps(data, default=str), status_code=status, media_type="application/json")


def _token_of(value: str | None) -> str | None:
    if not value:
        return None
    return hash_token(value) if value.startswith("sk-") or len(value) != 64 else value


class Api:
    def __init__(self, app: Any, mgmt: Any) -> None:
        self.app, self.mgmt = app, mgmt

    @property
    def db(self) -> Any:
        return self.mgmt.db

    @property
    def keys(self) -> Any:
        return self.mgmt.keys

    def route(self, path: str, fn: Any) -> Any:
        async def handler(request: Any) -> Any:
            try:
                auth = await self.app.state.auth.authenticate(request, path)
                caller = Caller(auth)
                caller.check_route(path)
                body: dict[str, Any] = {}
                if request.method in ("POST", "PATCH", "PUT", "DELETE"):
                    raw = await request.body()
                    if raw:
                        try:
                            body = json.loads(raw)
                        except ValueError as exc:
                            raise ProxyError(400, f"Invalid JSON body: {exc}") from None
                        if not isinstance(body, dict):
                            raise ProxyError(400, "The body must be a JSON object")
                query = dict(request.query_params)
                return _json(await fn(caller, body, query, request))
            except ProxyError as exc:
                return _err(exc.status_code, exc.message, exc.type, exc.param)
            except DatabaseUnavailable as exc:
                return _err(503, f"The proxy's database is unavailable: {exc}", "no_db_connection")

        return handler

    # -- keys -------------------------------------------------------------------------------------

    async def _key_record(self, caller: Caller, value: str | None, route: str, write: bool) -> dict[str, Any]:
        token = _token_of(value)
        if token is None:
            raise ProxyError(400, f"{route}: 'key' is required (the key or its hash)", param="key")
        record = await self.keys.get(token)
        if record is None:
            raise ProxyError(404, f"{route}: key not found", type="not_found_error", param="key")
        await self._may_touch_key(caller, record, route, write)
        return record

    async def _may_touch_key(self, caller: Caller, record: dict[str, Any], route: str, write: bool) -> None:
        if caller.admin or (caller.viewer and not write):
            return
        if caller.user_id is None:
            if not write and record["token"] == caller.key_hash:
                return
            forbid(route, caller, "a key without a user may only read itself")
        if record.get("user_id") == caller.user_id and (caller.can_write_own or not write):
            return
        if record.get("team_id"):
            team = await TEAMS.get(self.db, record["team_id"])
            if caller.team_admin(team):
                return
        forbid(route, caller, "this key belongs to someone else")

    async def key_generate(
        self, caller: Caller, body: dict[str, Any], query: dict[str, Any], request: Any
    ) -> Any:
        route = "/key/generate"
        check_fields(body, KEY_FIELDS, route)
        if not caller.admin:
            if not caller.can_write_own or caller.user_id is None:
                forbid(route, caller, "only proxy_admin and internal_user may create keys")
            body.setdefault("user_id", caller.user_id)
            if body["user_id"] != caller.user_id:
                forbid(route, caller, "you may only create keys for yourself")
            if body.get("team_id"):
                team = await TEAMS.get(self.db, body["team_id"])
                if not caller.team_member(team):
                    forbid(route, caller, f"you are not a member of team {body['team_id']}")
        return await self._create_key(
            body, created_by=caller.user_id or ("master" if caller.is_master else None)
        )

    async def _create_key(self, body: dict[str, Any], created_by: str | None) -> dict[str, Any]:
        secret = body.get("key") or new_secret()
        if not secret.startswith("sk-"):
            raise ProxyError(400, "key must start with 'sk-'", param="key")
        team = None
        if body.get("team_id"):
            team = await TEAMS.get(self.db, body["team_id"])
            if team is None:
                raise ProxyError(
                    400,
                    f"team_id {body['team_id']!r} does not exist; create it with /team/new",
                    param="team_id",
                )
            if team.get("models") and body.get("models"):
                outside = [m for m in body["models"] if not self.mgmt.admission.allowed(team["models"], m)]
                if outside:
                    raise ProxyError(
                        400, f"models {outside} are not in team {team['team_id']}'s models", param="models"
                    )
        if body.get("user_id") and await USERS.get(self.db, body["user_id"]) is None:
            await USERS.create(self.db, {"user_id": body["user_id"]})
        if body.get("key_alias") and await self.keys.by_alias(body["key_alias"]) is not None:
            raise ProxyError(
                400, f"key_alias {body['key_alias']!r} is already used by another key", param="key_alias"
            )
        now = time.time()
        token = hash_token(secret)
        record = {
            "token": token, "key_name": key_name(secret), "key_alias": body.get("key_alias"),
            "user_id": body.get("user_id"), "team_id": body.get("team_id"),
            "organization_id": body.get("organization_id") or (team or {}).get("organization_id"),
            "blocked": bool(body.get("blocked")),
            "expires": now + parse_duration(body["duration"]) if body.get("duration") else None,
            "budget_reset_at": next_reset(body.get("budget_duration"), now),
            "created_at": now, "updated_at": now, "created_by": created_by,
        }  # fmt: skip
        data = {k: body[k] for k in KEY_DATA_FIELDS if body.get(k) is not None}
        await self.keys.insert(record, data)
        view = key_view({**record, **data}, 0.0)
        view.update({"key": secret, "token_id": token, "token": token})
        return view

    async def _spend(self, entity: str, record: dict[str, Any], created: Any = None) -> float:
        from litellm.proxy.budgets.admission import period_of
        from litellm.proxy.spend.reports import total_spend

        ident = record.get(
            {
                "key": "token",
                "user": "user_id",
                "team": "team_id",
                "org": "organization_id",
                "end_user": "user_id",
            }[entity]
        )
        start = 0.0
        if record.get("budget_duration"):
            anchor = created if created is not None else record.get("created_at")
            if isinstance(anchor, str):
                from datetime import datetime

                anchor = datetime.fromisoformat(anchor).timestamp()
            start, _ = period_of(anchor, record["budget_duration"], time.time())
        return await total_spend(self.db, entity, str(ident), start)

    async def key_info(
        self, caller: Caller, body: dict[str, Any], query: dict[str, Any], request: Any
    ) -> Any:
        value = query.get("key") or body.get("key")
        if not value:
            if caller.key_hash is None or caller.is_master:
                raise ProxyError(400, "/key/info: pass ?key=<key or hash>", param="key")
            value = caller.key_hash
        record = await self._key_record(caller, value, "/key/info", write=False)
        return {"key": record["token"], "info": key_view(record, await self._spend("key", record))}

    async def key_update(
        self, caller: Caller, body: dict[str, Any], query: dict[str, Any], request: Any
    ) -> Any:
        check_fields(body, KEY_FIELDS, "/key/update")
        record = await self._key_record(caller, body.get("key"), "/key/update", write=True)
        columns: dict[str, Any] = {}
        for c in ("key_alias", "user_id", "team_id", "blocked"):
            if c in body:
                columns[c] = body[c]
        if not caller.admin and ("user_id" in columns or "team_id" in columns):
            forbid("/key/update", caller, "only a proxy_admin may move a key to another user or team")
        if body.get("duration"):
            columns["expires"] = time.time() + parse_duration(body["duration"])
        if body.get("budget_duration"):
            columns["budget_reset_at"] = next_reset(body["budget_duration"])
        data = {k: record[k] for k in KEY_DATA_FIELDS if k in record}
        data.update({k: body[k] for k in KEY_DATA_FIELDS if k in body})
        await self.keys.update(record["token"], columns, data)
        updated = await self.keys.get(record["token"])
        return key_view(updated, await self._spend("key", updated))

    async def key_delete(
        self, caller: Caller, body: dict[str, Any], query: dict[str, Any], request: Any
    ) -> Any:
        tokens = []
        for value in body.get("keys") or []:
            tokens.append((await self._key_record(caller, value, "/key/delete", write=True))["token"])
        for alias in body.get("key_aliases") or []:
            record = await self.keys.by_alias(alias)
            if record is None:
                raise ProxyError(404, f"/key/delete: no key with alias {alias!r}", type="not_found_error")
            await self._may_touch_key(caller, record, "/key/delete", write=True)
            tokens.append(record["token"])
        if not tokens:
            raise ProxyError(400, "/key/delete: pass 'keys' (keys or hashes) or 'key_aliases'", param="keys")
        await self.keys.delete(tokens)
        return {"deleted_keys": body.get("keys") or body.get("key_aliases")}

    async def key_regenerate(
        self, caller: Caller, body: dict[str, Any], query: dict[str, Any], request: Any
    ) -> Any:
        record = await self._key_record(caller, body.get("key"), "/key/regenerate", write=True)
        secret = body.get("new_key") or new_secret()
        token = hash_token(secret)
        await self.keys.replace_token(record["token"], token, key_name(secret))
        changes = {k: body[k] for k in KEY_DATA_FIELDS if k in body}
        if changes:
            data = {k: record[k] for k in KEY_DATA_FIELDS if k in record}
            data.update(changes)
            await self.keys.update(token, {}, data)
        updated = await self.keys.get(token)
        view = key_view(updated, await self._spend("key", updated))
        view.update({"key": secret, "token_id": token, "token": token})
        return view

    async def key_list(
        self, caller: Caller, body: dict[str, Any], query: dict[str, Any], request: Any
    ) -> Any:
        where, params = [], []
        for column in ("user_id", "team_id", "key_alias"):
            if query.get(column):
                where.append(f"{column} = ?")
                params.append(query[column])
        if query.get("organization_id"):
            where.append("organization_id = ?")
            params.append(query["organization_id"])
        if not caller.viewer:
            if caller.user_id is None:
                forbid("/key/list", caller, "a key without a user cannot list keys")
            where.append("user_id = ?")
            params.append(caller.user_id)
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        page, size = max(1, int(query.get("page") or 1)), min(max(1, int(query.get("size") or 10)), 100)
        total = await self.keys.count(clause, tuple(params))
        records = await self.keys.list(clause, tuple(params), limit=size, offset=(page - 1) * size)
        full = str(query.get("return_full_object", "")).lower() == "true"
        keys = [key_view(r, await self._spend("key", r)) if full else r["token"] for r in records]
        return {
            "keys": keys,
            "total_count": total,
            "current_page": page,
            "total_pages": max(1, math.ceil(total / size)),
        }

    async def _set_blocked(self, body: dict[str, Any], blocked: bool, route: str) -> Any:
        token = _token_of(body.get("key"))
        record = await self.keys.get(token) if token else None
        if record is None:
            raise ProxyError(404, f"{route}: key not found", type="not_found_error", param="key")
        await self.keys.update(record["token"], {"blocked": blocked}, None)
        return key_view({**record, "blocked": blocked}, await self._spend("key", record))

    async def key_block(
        self, caller: Caller, body: dict[str, Any], query: dict[str, Any], request: Any
    ) -> Any:
        return await self._set_blocked(body, True, "/key/block")

    async def key_unblock(
        self, caller: Caller, body: dict[str, Any], query: dict[str, Any], request: Any
    ) -> Any:
        return await self._set_blocked(body, False, "/key/unblock")


def _err(status: int, message: str, type: str | None, param: Any = None) -> Any:
    from starlette.responses import Response

    return Response(
        error_body(status, message, type, param), status_code=status, media_type="application/json"
    )


def register(app: Any, mgmt: Any) -> None:
    from litellm.proxy.management.routes_entities import EntityApi

    api = EntityApi(app, mgmt)
    table = {
        ("POST", "/key/generate"): api.key_generate,
        ("GET", "/key/info"): api.key_info,
        ("POST", "/key/update"): api.key_update,
        ("POST", "/key/delete"): api.key_delete,
        ("POST", "/key/regenerate"): api.key_regenerate,
        ("GET", "/key/list"): api.key_list,
        ("POST", "/key/block"): api.key_block,
        ("POST", "/key/unblock"): api.key_unblock,
        **api.entity_routes(),
    }
    for (method, path), fn in table.items():
        app.add_route(method, path, api.route(path, fn))
