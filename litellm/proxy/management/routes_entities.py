"""The management routes for users, teams (members), organisations, end users, budgets and spend reports.

Owns :class:`EntityApi` (the key routes' :class:`~litellm.proxy.management.routes.Api` plus these):
LiteLLM's bodies (``/user/new`` creates a key unless ``auto_create_key: false``; ``/team/member_add``
takes ``member`` as one or a list of ``{role, user_id}``; deletes take lists of ids), role checks on each
(admins everything, viewers read, internal users their own user, teams and spend, team admins their
team's members). Must not: bypass :mod:`.roles`.
"""

from __future__ import annotations

from typing import Any

from litellm.proxy.errors import ProxyError
from litellm.proxy.keys.records import check_fields
from litellm.proxy.management.entities import BUDGETS, CUSTOMERS, ORGS, TEAMS, USERS, Entity
from litellm.proxy.management.roles import Caller, forbid
from litellm.proxy.management.routes import Api
from litellm.proxy.spend import reports

__all__ = ["EntityApi"]


class EntityApi(Api):
    def entity_routes(self) -> dict[tuple[str, str], Any]:
        r: dict[tuple[str, str], Any] = {}
        for entity, prefix, spend_kind in (
            (USERS, "/user", "user"), (TEAMS, "/team", "team"), (ORGS, "/organization", "org"),
            (CUSTOMERS, "/customer", "end_user"), (BUDGETS, "/budget", None),
        ):  # fmt: skip
            r[("POST", f"{prefix}/new")] = self._new(entity, prefix)
            r[("GET", f"{prefix}/info")] = self._info(entity, prefix, spend_kind)
            r[("POST", f"{prefix}/info")] = self._info(entity, prefix, spend_kind)
            r[("POST", f"{prefix}/update")] = self._update(entity, prefix)
            r[("PATCH", f"{prefix}/update")] = self._update(entity, prefix)
            r[("POST", f"{prefix}/delete")] = self._delete(entity, prefix)
            r[("DELETE", f"{prefix}/delete")] = self._delete(entity, prefix)
            r[("GET", f"{prefix}/list")] = self._list(entity, prefix, spend_kind)
        r[("POST", "/team/member_add")] = self.member_add
        r[("POST", "/team/member_delete")] = self.member_delete
        r[("POST", "/customer/block")] = self._block(True)
        r[("POST", "/customer/unblock")] = self._block(False)
        r[("GET", "/spend/logs")] = self.spend_logs
        r[("GET", "/global/spend/report")] = self.global_report
        r[("GET", "/spend/daily")] = self.spend_daily
        return r

    # -- generic ----------------------------------------------------------------------------------

    def _id_param(self, entity: Entity, query: dict[str, Any], body: dict[str, Any]) -> str | None:
        names = {
            "litellm_endusertable": ("end_user_id", "user_id"),
            "litellm_budgettable": ("budget_id",),
        }.get(entity.table, (entity.pk,))
        for n in names:
            if query.get(n) or body.get(n):
                return query.get(n) or body.get(n)
        budgets = body.get("budgets")
        if entity is BUDGETS and isinstance(budgets, list) and budgets:
            return budgets[0]
        return None

    async def _may_read(self, caller: Caller, entity: Entity, record: dict[str, Any], route: str) -> None:
        if caller.viewer:
            return
        if entity is USERS and record.get("user_id") == caller.user_id and caller.user_id:
            return
        if entity is TEAMS and caller.team_member(record):
            return
        forbid(route, caller, f"you may read only your own {entity.name}")

    def _new(self, entity: Entity, prefix: str) -> Any:
        async def fn(caller: Caller, body: dict[str, Any], query: dict[str, Any], request: Any) -> Any:
            route = f"{prefix}/new"
            check_fields(body, entity.fields, route)
            if entity is CUSTOMERS and not body.get("user_id"):
                raise ProxyError(
                    400,
                    "/customer/new: user_id (the end user's id, as sent in 'user') is required",
                    param="user_id",
                )
            if entity is TEAMS:
                members = list(body.get("members_with_roles") or [])
                for uid in body.pop("members", None) or []:
                    members.append({"user_id": uid, "role": "user"})
                for uid in body.pop("admins", None) or []:
                    members.append({"user_id": uid, "role": "admin"})
                body["members_with_roles"] = members
                if body.get("organization_id") and await ORGS.get(self.db, body["organization_id"]) is None:
                    raise ProxyError(
                        400,
                        f"organization_id {body['organization_id']!r} does not exist",
                        param="organization_id",
                    )
            if entity is USERS and body.get("user_role") not in (
                None,
                "proxy_admin",
                "proxy_admin_viewer",
                "internal_user",
                "internal_user_viewer",
            ):
                raise ProxyError(
                    400,
                    f"user_role must be one of proxy_admin, proxy_admin_viewer, internal_user, internal_user_viewer; got {body['user_role']!r}",
                    param="user_role",
                )
            auto_key = body.pop("auto_create_key", True)
            key_fields: dict[str, Any] = {k: body.pop(k) for k in ("key_alias", "duration") if k in body}
            record = await entity.create(self.db, body)
            if entity is USERS and auto_key:
                key = await self._create_key(
                    {"user_id": record["user_id"], "models": body.get("models") or [], **key_fields},
                    created_by=caller.user_id,
                )
                record = {**record, "key": key["key"], "token": key["token"]}
            if entity is TEAMS:
                record["team_id"] = record["team_id"]
            return record

        return fn

    def _info(self, entity: Entity, prefix: str, spend_kind: str | None) -> Any:
        async def fn(caller: Caller, body: dict[str, Any], query: dict[str, Any], request: Any) -> Any:
            route = f"{prefix}/info"
            ident = self._id_param(entity, query, body)
            if ident is None and entity is USERS and caller.user_id:
                ident = caller.user_id
            if entity is CUSTOMERS and ident and await entity.get(self.db, ident) is None:
                # an end user seen only as a request's `user` (no /customer/new): its ledger spend
                spend = await reports.total_spend(self.db, "end_user", ident)
                if spend or await self.db.fetchone(
                    "SELECT 1 AS x FROM litellm_spendlogs WHERE end_user = ? LIMIT 1", (ident,)
                ):
                    if not caller.viewer:
                        forbid(route, caller, "only admins read end users")
                    return {"user_id": ident, "spend": spend, "blocked": False, "budget_id": None}
            record = await entity.require(self.db, ident)
            await self._may_read(caller, entity, record, route)
            if spend_kind:
                record["spend"] = await self._spend(spend_kind, record)
            if entity is USERS:
                keys = await self.keys.list("WHERE user_id = ?", (ident,), limit=1000)
                teams = [
                    t
                    for t in await TEAMS.list(self.db, limit=1000)
                    if any(m.get("user_id") == ident for m in t.get("members_with_roles") or [])
                ]
                return {
                    "user_id": ident,
                    "user_info": record,
                    "keys": [_key_brief(k) for k in keys],
                    "teams": teams,
                }
            if entity is TEAMS:
                keys = await self.keys.list("WHERE team_id = ?", (ident,), limit=1000)
                return {"team_id": ident, "team_info": record, "keys": [_key_brief(k) for k in keys]}
            if entity is BUDGETS:
                return [record]
            return record

        return fn

    def _update(self, entity: Entity, prefix: str) -> Any:
        async def fn(caller: Caller, body: dict[str, Any], query: dict[str, Any], request: Any) -> Any:
            route = f"{prefix}/update"
            check_fields(body, entity.fields | {"end_user_id", "id"}, route)
            ident = self._id_param(entity, query, body) or body.get("id")
            current = await entity.require(self.db, ident)
            if not caller.admin:
                if entity is TEAMS and caller.team_admin(current):
                    if any(
                        k in body
                        for k in ("max_budget", "models", "organization_id", "tpm_limit", "rpm_limit")
                    ):
                        forbid(
                            route, caller, "a team admin may not change the team's budget, models or limits"
                        )
                elif entity is USERS and ident == caller.user_id and caller.can_write_own:
                    if any(
                        k in body for k in ("user_role", "max_budget", "models", "tpm_limit", "rpm_limit")
                    ):
                        forbid(route, caller, "you may not change your own role, budget, models or limits")
                else:
                    forbid(route, caller, f"you may not change this {entity.name}")
            changes = {k: v for k, v in body.items() if k not in ("end_user_id", "id", entity.pk)}
            ident = str(current[entity.pk])
            record = await entity.update(self.db, ident, changes)
            await self._invalidate(entity, ident)
            return record

        return fn

    def _delete(self, entity: Entity, prefix: str) -> Any:
        async def fn(caller: Caller, body: dict[str, Any], query: dict[str, Any], request: Any) -> Any:
            plural = {"litellm_usertable": "user_ids", "litellm_teamtable": "team_ids", "litellm_organizationtable": "organization_ids",
                      "litellm_endusertable": "user_ids", "litellm_budgettable": "id"}[entity.table]  # fmt: skip
            ids = body.get(plural)
            if isinstance(ids, str):
                ids = [ids]
            if not ids:
                raise ProxyError(400, f"{prefix}/delete: pass {plural!r}", param=plural)
            for ident in ids:
                await self._invalidate(entity, ident)
            if entity is USERS:
                for ident in ids:
                    await self.keys.delete(
                        [k["token"] for k in await self.keys.list("WHERE user_id = ?", (ident,), limit=10000)]
                    )
            if entity is TEAMS:
                for ident in ids:
                    await self.keys.delete(
                        [k["token"] for k in await self.keys.list("WHERE team_id = ?", (ident,), limit=10000)]
                    )
            deleted = await entity.delete(self.db, ids)
            return {"deleted": deleted, f"deleted_{plural}": deleted}

        return fn

    def _list(self, entity: Entity, prefix: str, spend_kind: str | None) -> Any:
        async def fn(caller: Caller, body: dict[str, Any], query: dict[str, Any], request: Any) -> Any:
            page, size = (
                max(1, int(query.get("page") or 1)),
                min(max(1, int(query.get("page_size") or query.get("size") or 100)), 1000),
            )
            records = await entity.list(self.db, limit=size, offset=(page - 1) * size)
            if not caller.viewer:
                if entity is USERS:
                    records = [r for r in records if r["user_id"] == caller.user_id]
                elif entity is TEAMS:
                    records = [r for r in records if caller.team_member(r)]
                else:
                    forbid(f"{prefix}/list", caller, f"only admins may list {entity.name}s")
            if spend_kind:
                for r in records:
                    r["spend"] = await self._spend(spend_kind, r)
            if entity is USERS:
                return {"users": records, "total": len(records), "page": page, "page_size": size}
            return records

        return fn

    async def _invalidate(self, entity: Entity, ident: str) -> None:
        column = {
            "litellm_usertable": "user_id",
            "litellm_teamtable": "team_id",
            "litellm_organizationtable": "organization_id",
        }.get(entity.table)
        if column:
            await self.keys.invalidate_where(column, ident)
        if entity is CUSTOMERS:
            self.mgmt._customers.pop(ident, None)

    def _block(self, blocked: bool) -> Any:
        async def fn(caller: Caller, body: dict[str, Any], query: dict[str, Any], request: Any) -> Any:
            ids = body.get("user_ids") or []
            for ident in ids:
                await CUSTOMERS.update(self.db, ident, {"blocked": blocked})
                self.mgmt._customers.pop(ident, None)
            return {"blocked_users" if blocked else "unblocked_users": ids}

        return fn

    # -- teams ------------------------------------------------------------------------------------

    async def _team_for_members(self, caller: Caller, body: dict[str, Any], route: str) -> dict[str, Any]:
        team = await TEAMS.require(self.db, body.get("team_id"))
        if not (caller.admin or caller.team_admin(team)):
            forbid(route, caller, "only a proxy_admin or the team's admin may change its members")
        return team

    async def member_add(
        self, caller: Caller, body: dict[str, Any], query: dict[str, Any], request: Any
    ) -> Any:
        team = await self._team_for_members(caller, body, "/team/member_add")
        members = body.get("member")
        members = members if isinstance(members, list) else [members]
        current = list(team.get("members_with_roles") or [])
        for m in members:
            if not isinstance(m, dict) or not (m.get("user_id") or m.get("user_email")):
                raise ProxyError(
                    400, "/team/member_add: member must be {role, user_id} (or user_email)", param="member"
                )
            uid = m.get("user_id")
            if uid is None:
                found = await self.db.fetchone(
                    "SELECT user_id FROM litellm_usertable WHERE user_email = ?", (m["user_email"],)
                )
                uid = found["user_id"] if found else None
                if uid is None:
                    uid = (await USERS.create(self.db, {"user_email": m["user_email"]}))["user_id"]
            elif await USERS.get(self.db, uid) is None:
                await USERS.create(self.db, {"user_id": uid})
            current = [c for c in current if c.get("user_id") != uid]
            current.append(
                {"user_id": uid, "role": m.get("role") or "user", "user_email": m.get("user_email")}
            )
        record = await TEAMS.update(self.db, team["team_id"], {"members_with_roles": current})
        await self._invalidate(TEAMS, team["team_id"])
        return {"team_id": team["team_id"], **record}

    async def member_delete(
        self, caller: Caller, body: dict[str, Any], query: dict[str, Any], request: Any
    ) -> Any:
        team = await self._team_for_members(caller, body, "/team/member_delete")
        uid, email = body.get("user_id"), body.get("user_email")
        if not (uid or email):
            raise ProxyError(400, "/team/member_delete: pass user_id or user_email", param="user_id")
        current = [
            m
            for m in team.get("members_with_roles") or []
            if not (m.get("user_id") == uid or (email and m.get("user_email") == email))
        ]
        record = await TEAMS.update(self.db, team["team_id"], {"members_with_roles": current})
        await self._invalidate(TEAMS, team["team_id"])
        return {"team_id": team["team_id"], **record}

    # -- spend ------------------------------------------------------------------------------------

    def _own(self, caller: Caller, route: str) -> dict[str, str] | None:
        if caller.viewer:
            return None
        if caller.user_id:
            return {"user_id": caller.user_id}
        if caller.key_hash:
            return {"api_key": caller.key_hash}
        forbid(route, caller, "no user to report on")
        return None

    async def spend_logs(
        self, caller: Caller, body: dict[str, Any], query: dict[str, Any], request: Any
    ) -> Any:
        if query.get("api_key"):
            query["api_key"] = (
                query["api_key"]
                if len(query["api_key"]) == 64 and not query["api_key"].startswith("sk-")
                else __import__("litellm.proxy.auth", fromlist=["hash_token"]).hash_token(query["api_key"])
            )
        return await reports.spend_logs(self.db, query, self._own(caller, "/spend/logs"))

    async def global_report(
        self, caller: Caller, body: dict[str, Any], query: dict[str, Any], request: Any
    ) -> Any:
        if not caller.viewer:
            forbid("/global/spend/report", caller, "only admins see the global report")
        return await reports.global_report(self.db, query)

    async def spend_daily(
        self, caller: Caller, body: dict[str, Any], query: dict[str, Any], request: Any
    ) -> Any:
        return await reports.daily(
            self.db, query.get("group_by") or "key", query, self._own(caller, "/spend/daily")
        )


def _key_brief(record: dict[str, Any]) -> dict[str, Any]:
    return {
        k: record.get(k)
        for k in ("token", "key_name", "key_alias", "team_id", "user_id", "blocked", "models", "max_budget")
    }
