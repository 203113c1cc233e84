"""Spend reports, all computed from the ledger rows (so every total reconciles with the rows).

Owns: the spend of a key/user/team/org/end user (optionally since its budget period began), /spend/logs
(filters: api_key, user_id, request_id, team_id, end_user, start_date, end_date), /global/spend/report
(per day, grouped by team, customer or api_key) and the daily aggregates per key, user, team, model or
tag. Must not: keep counters of its own.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from litellm.proxy.errors import ProxyError
from litellm.proxy.keys.records import iso

__all__ = ["daily", "global_report", "spend_logs", "total_spend"]

_ENTITY_COLUMN = {
    "key": "api_key",
    "user": "user_id",
    "team": "team_id",
    "org": "organization_id",
    "end_user": "end_user",
}
_GROUP = {"key": "api_key", "api_key": "api_key", "user": "user_id", "team": "team_id", "customer": "end_user",
          "end_user": "end_user", "model": "model_group", "org": "organization_id"}  # fmt: skip


async def total_spend(db: Any, entity: str, ident: str, since: float = 0.0) -> float:
    column = _ENTITY_COLUMN[entity]
    row = await db.fetchone(
        f"SELECT COALESCE(SUM(spend), 0) AS s FROM litellm_spendlogs WHERE {column} = ? AND start_time >= ?",
        (ident, since),
    )
    return float(row["s"]) if row else 0.0


def _date(value: str | None, field: str, end: bool = False) -> float | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ProxyError(
            400, f"{field} must be a date (YYYY-MM-DD) or ISO time, got {value!r}", param=field
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    ts = dt.timestamp()
    if end and len(value) == 10:  # a whole day: include it
        ts += 86400
    return ts


def _log_view(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out["startTime"], out["endTime"] = iso(row["start_time"]), iso(row["end_time"])
    out["request_tags"] = json.loads(row.get("request_tags") or "[]")
    out["metadata"] = json.loads(row.get("metadata") or "{}")
    out["cache_hit"] = "True" if row.get("cache_hit") else "False"
    out["model_id"] = row.get("model_id")
    return out


async def spend_logs(
    db: Any, query: dict[str, str], restrict: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    filters = {
        **{k: query.get(k) for k in ("api_key", "user_id", "request_id", "team_id", "end_user")},
        **(restrict or {}),
    }
    for column, value in filters.items():
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    start, end = (
        _date(query.get("start_date"), "start_date"),
        _date(query.get("end_date"), "end_date", end=True),
    )
    if start is not None:
        where.append("start_time >= ?")
        params.append(start)
    if end is not None:
        where.append("start_time < ?")
        params.append(end)
    limit = min(int(query.get("limit") or 1000), 10000)
    rows = await db.fetchall(
        f"SELECT * FROM litellm_spendlogs WHERE {' AND '.join(where)} ORDER BY start_time LIMIT ?",
        (*params, limit),
    )
    return [_log_view(r) for r in rows]


async def daily(
    db: Any, group_by: str, query: dict[str, str], restrict: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Per UTC day and group: spend, requests, tokens (``group_by``: key, user, team, model, tag, customer)."""
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    for column, value in (restrict or {}).items():
        where.append(f"{column} = ?")
        params.append(value)
    start, end = (
        _date(query.get("start_date"), "start_date"),
        _date(query.get("end_date"), "end_date", end=True),
    )
    if start is not None:
        where.append("start_time >= ?")
        params.append(start)
    if end is not None:
        where.append("start_time < ?")
        params.append(end)
    cond = " AND ".join(where)
    if group_by == "tag":  # tags are a JSON list per row: aggregate in Python from the same rows
        rows = await db.fetchall(
            f"SELECT day, request_tags, spend, total_tokens FROM litellm_spendlogs WHERE {cond}",
            tuple(params),
        )
        acc: dict[tuple[str, str], dict[str, Any]] = {}
        for r in rows:
            for tag in json.loads(r["request_tags"] or "[]"):
                a = acc.setdefault(
                    (r["day"], tag),
                    {"date": r["day"], "group": tag, "spend": 0.0, "requests": 0, "total_tokens": 0},
                )
                a["spend"] += r["spend"]
                a["requests"] += 1
                a["total_tokens"] += r["total_tokens"]
        return sorted(acc.values(), key=lambda a: (a["date"], str(a["group"])))
    found = _GROUP.get(group_by)
    if found is None:
        raise ProxyError(
            400,
            f"group_by must be one of key, user, team, model, tag, customer; got {group_by!r}",
            param="group_by",
        )
    rows = await db.fetchall(
        f"SELECT day AS date, {found} AS grp, SUM(spend) AS spend, COUNT(*) AS requests, "
        f"SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens, "
        f"SUM(total_tokens) AS total_tokens FROM litellm_spendlogs WHERE {cond} GROUP BY day, {found} ORDER BY day",
        tuple(params),
    )
    out = []
    for r in rows:
        r = dict(r)
        r["group"] = r.pop("grp")
        for k in ("requests", "prompt_tokens", "completion_tokens", "total_tokens"):
            r[k] = int(r[k] or 0)
        r["spend"] = float(r["spend"] or 0.0)
        out.append(r)
    return out


async def global_report(db: Any, query: dict[str, str]) -> list[dict[str, Any]]:
    """LiteLLM's /global/spend/report shape: per day, the groups (team/customer/api_key) and their spend."""
    group_by = query.get("group_by") or "team"
    if group_by not in ("team", "customer", "api_key"):
        raise ProxyError(400, "group_by must be team, customer or api_key", param="group_by")
    rows = await daily(db, group_by, query)
    by_day: dict[str, dict[str, Any]] = {}
    for r in rows:
        day = by_day.setdefault(r["date"], {"group_by_day": r["date"], "teams": [], "total_spend": 0.0})
        day["teams"].append({"team_name" if group_by == "team" else group_by: r["group"], "total_spend": r["spend"],
                             "requests": r["requests"], "total_tokens": r["total_tokens"]})  # fmt: skip
        day["total_spend"] += r["spend"]
    return list(by_day.values())
