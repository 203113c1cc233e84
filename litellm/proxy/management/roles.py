"""Who may do what on the management API: LiteLLM's roles, one table, checked on every route.

Roles (``LitellmUserRoles``): ``proxy_admin`` (the master key, or a user with that role) may do
everything; ``proxy_admin_viewer`` may read everything and change nothing; ``internal_user`` manages its
own keys and reads its own user, teams and spend; ``internal_user_viewer`` only reads its own; a team
member with the team role ``admin`` manages that team's members and keys. A key without a user may read
only itself (/key/info of its own hash). Must not: look anything up (callers pass the records).
"""

from __future__ import annotations

from typing import Any

from litellm.proxy.errors import ProxyError

__all__ = ["ADMIN_ONLY", "READ_ANY", "Caller", "caller_of", "forbid"]

PROXY_ADMIN = "proxy_admin"
PROXY_ADMIN_VIEWER = "proxy_admin_viewer"
INTERNAL_USER = "internal_user"
INTERNAL_USER_VIEWER = "internal_user_viewer"
ROLES = (PROXY_ADMIN, PROXY_ADMIN_VIEWER, INTERNAL_USER, INTERNAL_USER_VIEWER, "team", "customer")

# routes only a proxy admin may call
ADMIN_ONLY = frozenset(
    {
        "/user/new", "/user/delete", "/team/new", "/team/delete", "/organization/new", "/organization/update",
        "/organization/delete", "/customer/new", "/customer/update", "/customer/delete", "/customer/block",
        "/customer/unblock", "/budget/new", "/budget/update", "/budget/delete", "/key/block", "/key/unblock",
        "/team/block", "/team/unblock",
    }
)  # fmt: skip
# routes a proxy admin viewer may call (reads)
READ_ANY = frozenset(
    {
        "/key/info", "/key/list", "/user/info", "/user/list", "/team/info", "/team/list", "/organization/info",
        "/organization/list", "/customer/info", "/customer/list", "/budget/info", "/budget/list", "/spend/logs",
        "/global/spend/report", "/spend/daily", "/global/spend/keys", "/global/spend/models",
    }
)  # fmt: skip


class Caller:
    """The authenticated caller of a management route."""

    def __init__(self, auth: Any) -> None:
        self.auth = auth
        self.is_master = bool(getattr(auth, "is_master", False))
        self.role = PROXY_ADMIN if self.is_master else (getattr(auth, "user_role", None) or None)
        self.user_id = getattr(auth, "user_id", None)
        self.key_hash = getattr(auth, "api_key", None)

    @property
    def admin(self) -> bool:
        return self.role == PROXY_ADMIN

    @property
    def viewer(self) -> bool:
        return self.role in (PROXY_ADMIN, PROXY_ADMIN_VIEWER)

    @property
    def can_write_own(self) -> bool:
        return self.role in (PROXY_ADMIN, INTERNAL_USER)

    def team_admin(self, team: dict[str, Any] | None) -> bool:
        if team is None or self.user_id is None:
            return False
        return any(
            m.get("user_id") == self.user_id and m.get("role") == "admin"
            for m in team.get("members_with_roles") or []
        )

    def team_member(self, team: dict[str, Any] | None) -> bool:
        if team is None or self.user_id is None:
            return False
        return any(m.get("user_id") == self.user_id for m in team.get("members_with_roles") or [])

    def check_route(self, route: str) -> None:
        """The coarse check every management route runs first."""
        if self.admin:
            return
        if route in ADMIN_ONLY:
            forbid(route, self, "only a proxy_admin may call it")
        if self.role == PROXY_ADMIN_VIEWER and route not in READ_ANY:
            forbid(route, self, "proxy_admin_viewer is read-only")


def caller_of(auth: Any) -> Caller:
    return Caller(auth)


def forbid(route: str, caller: Caller, why: str) -> None:
    role = caller.role or "key without a user"
    raise ProxyError(
        403,
        f"Not allowed: {route} for role {role}: {why}. Ask a proxy_admin, or use a key with the right role.",
        type="auth_error",
    )
