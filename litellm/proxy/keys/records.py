"""Key, user, team, organisation, end-user and budget records: LiteLLM's field names, durations, validation.

Owns :func:`parse_duration` (``"30s" "10m" "1h" "1d" "30d" "1mo"``), :func:`new_secret`, the field lists
each entity accepts (an unknown field is a 400 naming it), JSON (de)serialisation of a row's ``data``
column, and the shape of a key as LiteLLM returns it (``LiteLLM_VerificationToken``). Must not: touch the
database or a secret other than the one being created.
"""

from __future__ import annotations

import calendar
import json
import re
import secrets
import time
from datetime import datetime, timezone
from typing import Any

from litellm.proxy.errors import ProxyError

__all__ = [
    "KEY_FIELDS",
    "iso",
    "new_secret",
    "next_reset",
    "parse_duration",
    "row_to_record",
]

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d|w|mo)\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

# what /key/generate and /key/update accept (LiteLLM's GenerateKeyRequest / UpdateKeyRequest)
KEY_FIELDS = frozenset(
    {
        "key", "key_alias", "duration", "models", "spend", "max_budget", "user_id", "team_id",
        "organization_id", "max_parallel_requests", "metadata", "tpm_limit", "rpm_limit", "budget_duration",
        "allowed_cache_controls", "config", "permissions", "model_max_budget", "model_rpm_limit",
        "model_tpm_limit", "guardrails", "blocked", "aliases", "soft_budget", "tags", "allowed_routes",
        "budget_id", "enforced_params", "key_type", "send_invite_email", "prompts", "object_permission",
        "key_name", "expires", "team_alias",
    }
)  # fmt: skip
# stored in the data column (the rest are columns or derived)
KEY_DATA_FIELDS = (
    "models", "max_budget", "soft_budget", "budget_duration", "model_max_budget", "rpm_limit", "tpm_limit",
    "max_parallel_requests", "metadata", "allowed_routes", "permissions", "tags", "aliases", "config",
    "allowed_cache_controls", "model_rpm_limit", "model_tpm_limit", "guardrails", "budget_id",
    "enforced_params",
)  # fmt: skip

NUMERIC = {
    "max_budget": float,
    "soft_budget": float,
    "rpm_limit": int,
    "tpm_limit": int,
    "max_parallel_requests": int,
}


def parse_duration(value: str, field: str = "duration") -> float:
    """Seconds in a LiteLLM duration string; ``"1mo"`` is one calendar month from now."""
    match = _DURATION.match(str(value))
    if not match:
        raise ProxyError(
            400,
            f"Invalid {field} {value!r}: use a number and a unit, e.g. '30s', '10m', '1h', '1d', '30d', '1mo'",
            param=field,
        )
    n, unit = int(match.group(1)), match.group(2)
    if unit == "mo":
        return _months_ahead(time.time(), n) - time.time()
    return float(n * _UNIT[unit])


def _months_ahead(ts: float, months: int) -> float:
    dt = datetime.fromtimestamp(ts, timezone.utc)
    month0 = dt.month - 1 + months
    year, month = dt.year + month0 // 12, month0 % 12 + 1
    day = min(dt.day, calendar.monthrange(year, month)[1])
    return dt.replace(year=year, month=month, day=day).timestamp()


def next_reset(duration: str | None, now: float | None = None) -> float | None:
    """When a budget with ``duration`` that starts now resets (None: never)."""
    if not duration:
        return None
    now = time.time() if now is None else now
    match = _DURATION.match(str(duration))
    if match and match.group(2) == "mo":
        return _months_ahead(now, int(match.group(1)))
    return now + parse_duration(duration, "budget_duration")


def new_secret() -> str:
    """A new key secret: ``sk-`` + 22 url-safe random characters (LiteLLM's shape, 128 bits)."""
    return "sk-" + secrets.token_urlsafe(16)


def key_name(secret: str) -> str:
    return f"sk-...{secret[-4:]}"


def iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, timezone.utc).isoformat()


def parse_time(value: Any, field: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise ProxyError(400, f"Invalid {field} {value!r}: use an ISO-8601 time", param=field) from None


def check_fields(body: dict[str, Any], allowed: frozenset[str], route: str) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ProxyError(
            400,
            f"{route}: unknown field(s) {', '.join(unknown)}; accepted: {', '.join(sorted(allowed))}",
            param=unknown[0],
        )
    for name, kind in NUMERIC.items():
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ProxyError(400, f"{route}: {name} must be a non-negative number, got {value!r}", param=name)
        body[name] = kind(value)
    for name in ("models", "allowed_routes", "tags", "members", "team_ids"):
        value = body.get(name)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise ProxyError(400, f"{route}: {name} must be a list of strings", param=name)
    for name in ("metadata", "permissions", "model_max_budget", "aliases", "config"):
        value = body.get(name)
        if value is not None and not isinstance(value, dict):
            raise ProxyError(400, f"{route}: {name} must be an object", param=name)
    mmb = body.get("model_max_budget") or {}
    for model, spec in mmb.items():
        budget = spec.get("max_budget") if isinstance(spec, dict) else spec
        if isinstance(budget, bool) or not isinstance(budget, (int, float)) or budget < 0:
            raise ProxyError(
                400,
                f"{route}: model_max_budget[{model!r}] must be a number or "
                "{{'max_budget': n, 'budget_duration': '1d'}}",
                param="model_max_budget",
            )
    for name in ("budget_duration", "duration"):
        if body.get(name):
            parse_duration(body[name], name)


def loads(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), default=str, sort_keys=True)


def row_to_record(row: dict[str, Any]) -> dict[str, Any]:
    """A DB row (columns + data JSON) as one flat dict of LiteLLM field names."""
    out = {k: v for k, v in row.items() if k != "data"}
    out.update(loads(row.get("data")))
    if "blocked" in out:
        out["blocked"] = bool(out["blocked"])
    return out


def key_view(record: dict[str, Any], spend: float) -> dict[str, Any]:
    """A key as /key/info, /key/list and /key/update return it (no secret, hash as ``token``)."""
    view = {
        "token": record["token"],
        "key_name": record.get("key_name"),
        "key_alias": record.get("key_alias"),
        "spend": spend,
        "expires": iso(record.get("expires")),
        "models": record.get("models") or [],
        "aliases": record.get("aliases") or {},
        "config": record.get("config") or {},
        "user_id": record.get("user_id"),
        "team_id": record.get("team_id"),
        "org_id": record.get("organization_id"),
        "organization_id": record.get("organization_id"),
        "max_parallel_requests": record.get("max_parallel_requests"),
        "metadata": record.get("metadata") or {},
        "tpm_limit": record.get("tpm_limit"),
        "rpm_limit": record.get("rpm_limit"),
        "max_budget": record.get("max_budget"),
        "soft_budget": record.get("soft_budget"),
        "budget_duration": record.get("budget_duration"),
        "budget_reset_at": iso(record.get("budget_reset_at")),
        "allowed_routes": record.get("allowed_routes") or [],
        "permissions": record.get("permissions") or {},
        "model_max_budget": record.get("model_max_budget") or {},
        "model_rpm_limit": record.get("model_rpm_limit"),
        "model_tpm_limit": record.get("model_tpm_limit"),
        "tags": record.get("tags") or [],
        "blocked": bool(record.get("blocked")),
        "budget_id": record.get("budget_id"),
        "created_at": iso(record.get("created_at")),
        "updated_at": iso(record.get("updated_at")),
        "created_by": record.get("created_by"),
    }
    return view
