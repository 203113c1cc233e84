"""What the keys/ledger/budget layer reads from config.yaml, resolved once at start.

Owns :class:`StateSettings` (database URL or SQLite path, spool directory, batch interval, Redis
connection and key prefix, rate-limit window, DB-unavailable policy, global budget) and the defaults.
LiteLLM's names where LiteLLM has one (``database_url``, ``proxy_batch_write_at``,
``allow_requests_on_db_unavailable``, ``disable_spend_logs``, ``litellm_settings.max_budget`` /
``budget_duration``); ours are documented on the field. Must not: open connections.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from typing import Any

from litellm.proxy.db.base import resolve_database_url

__all__ = ["StateSettings", "redis_url_from", "sqlite_path"]


def sqlite_path(general: dict[str, Any]) -> str:
    """``general_settings.database_path`` or ``LITELLM_SQLITE_PATH``, else ``./litellm_proxy.sqlite3``."""
    return str(
        general.get("database_path") or os.environ.get("LITELLM_SQLITE_PATH") or "litellm_proxy.sqlite3"
    )


def redis_url_from(litellm_settings: dict[str, Any], router_settings: dict[str, Any]) -> str | None:
    """The Redis the proxy shares with other instances: router_settings redis_*, a redis cache's params,
    or REDIS_URL / REDIS_HOST (LiteLLM's order of precedence)."""
    if router_settings.get("redis_url"):
        return str(router_settings["redis_url"])
    if router_settings.get("redis_host"):
        return _url(
            router_settings.get("redis_host"),
            router_settings.get("redis_port"),
            router_settings.get("redis_password"),
        )
    params = litellm_settings.get("cache_params") or {}
    if litellm_settings.get("cache") and params.get("type") == "redis":
        if params.get("url") or params.get("redis_url"):
            return str(params.get("url") or params.get("redis_url"))
        if params.get("host"):
            return _url(params.get("host"), params.get("port"), params.get("password"))
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    if os.environ.get("REDIS_HOST"):
        return _url(os.environ["REDIS_HOST"], os.environ.get("REDIS_PORT"), os.environ.get("REDIS_PASSWORD"))
    return None


def _url(host: Any, port: Any, password: Any) -> str:
    auth = f":{password}@" if password else ""
    return f"redis://{auth}{host}:{port or 6379}/0"


@dataclass
class StateSettings:
    database_url: str | None
    sqlite_path: str
    spool_dir: str
    batch_write_at: float
    redis_url: str | None
    redis_prefix: str
    rate_limit_window: float
    allow_on_db_unavailable: bool
    disable_spend_logs: bool
    global_max_budget: float | None
    global_budget_duration: str | None
    key_cache_ttl: float
    reservation_ttl: float
    db_timeout: float
    db_pool_size: int

    @classmethod
    def from_config(
        cls, general: dict[str, Any], litellm_settings: dict[str, Any], router_settings: dict[str, Any]
    ) -> StateSettings:
        url = resolve_database_url(general)
        path = sqlite_path(general)
        ident = url or os.path.abspath(path)
        default_spool = os.path.join(
            tempfile.gettempdir(), "litellm-spool-" + hashlib.sha256(ident.encode()).hexdigest()[:12]
        )
        return cls(
            database_url=url,
            sqlite_path=path,
            # where unwritten ledger rows wait (shared by the instances of one database on one host)
            spool_dir=str(
                general.get("spend_spool_dir") or os.environ.get("LITELLM_SPEND_SPOOL_DIR") or default_spool
            ),
            batch_write_at=float(general.get("proxy_batch_write_at") or 10),
            redis_url=redis_url_from(litellm_settings, router_settings),
            # namespace for every Redis key this layer writes
            redis_prefix=str(
                general.get("redis_key_prefix") or os.environ.get("LITELLM_REDIS_PREFIX") or "litellm:"
            ),
            # the rpm/tpm window in seconds (60; shorter only for tests)
            rate_limit_window=float(general.get("rate_limit_window_seconds") or 60),
            allow_on_db_unavailable=bool(general.get("allow_requests_on_db_unavailable")),
            disable_spend_logs=bool(general.get("disable_spend_logs")),
            global_max_budget=litellm_settings.get("max_budget"),
            global_budget_duration=litellm_settings.get("budget_duration"),
            # how long a key record is trusted from memory before Redis/DB are asked again
            key_cache_ttl=float(general.get("user_api_key_cache_ttl") or 5),
            # how long a request's budget reservation lives if its instance dies before settling
            reservation_ttl=float(general.get("budget_reservation_ttl") or 900),
            # LiteLLM's names; how long a statement waits for a connection (bounds waits while the DB is down)
            db_timeout=float(general.get("database_connection_timeout") or 2),
            db_pool_size=int(general.get("database_connection_pool_limit") or 10),
        )
