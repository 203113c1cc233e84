"""Who is calling: ``await authenticator.authenticate(request) -> AuthContext``, or a 401/403 ProxyError.

Owns the credential sources LiteLLM documents (``Authorization: Bearer``, ``x-litellm-api-key``,
``api-key``), the master key compared in constant time, ``general_settings.custom_auth`` (LiteLLM's
``async def user_api_key_auth(request, api_key) -> UserAPIKeyAuth``), public and allowed routes, and the
seam for virtual keys: a :class:`KeyStore` whose ``lookup(token_hash)`` returns an AuthContext (issue 15
plugs a database-backed store in here; nothing else changes).

Must not: log or return a key (only its SHA-256 hash leaves this module), or import starlette.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
from dataclasses import dataclass, field
from typing import Any, Protocol

from litellm.proxy.errors import ProxyError

__all__ = ["AuthContext", "Authenticator", "KeyStore", "hash_token"]

DEFAULT_PUBLIC_ROUTES = frozenset(
    {"/health/liveliness", "/health/liveness", "/health/readiness", "/metrics", "/openapi.json", "/docs", "/"}
)


def _sha256(token: str) -> Any:
    return hashlib.sha256(token.encode())


def hash_token(token: str) -> str:
    """LiteLLM's key hash: SHA-256 hex of the raw key (what logs, metrics and the DB see)."""
    return _sha256(token).hexdigest()


@dataclass(slots=True)
class AuthContext:
    """The authenticated caller (LiteLLM's ``UserAPIKeyAuth`` field names), given to hooks and logging."""

    api_key: str | None = None  # the SHA-256 hash, never the raw key
    key_alias: str | None = None
    user_id: str | None = None
    user_email: str | None = None
    user_role: str | None = None
    team_id: str | None = None
    team_alias: str | None = None
    org_id: str | None = None
    end_user_id: str | None = None
    models: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    spend: float = 0.0
    max_budget: float | None = None
    tpm_limit: int | None = None
    rpm_limit: int | None = None
    is_master: bool = False

    @property
    def token(self) -> str | None:
        return self.api_key

    def logging_metadata(self) -> dict[str, Any]:
        """The ``user_api_key_*`` metadata fields LiteLLM's loggers read (only those that are set:
        every metadata string is scanned for secrets once per event)."""
        md = {}
        if self.api_key is not None:
            md["user_api_key_hash"] = self.api_key
        if self.key_alias is not None:
            md["user_api_key_alias"] = self.key_alias
        if self.user_id is not None:
            md["user_api_key_user_id"] = self.user_id
        if self.user_email is not None:
            md["user_api_key_user_email"] = self.user_email
        if self.team_id is not None:
            md["user_api_key_team_id"] = self.team_id
        if self.team_alias is not None:
            md["user_api_key_team_alias"] = self.team_alias
        if self.org_id is not None:
            md["user_api_key_org_id"] = self.org_id
        if self.end_user_id is not None:
            md["user_api_key_end_user_id"] = self.end_user_id
        return md


class KeyStore(Protocol):
    """Virtual keys: an AuthContext for a key hash, or None when the key is unknown."""

    async def lookup(self, token_hash: str) -> AuthContext | None: ...


_FIELDS = frozenset(AuthContext.__slots__)


def _from_custom(result: Any, raw_key: str | None) -> AuthContext:
    if isinstance(result, AuthContext):
        return result
    data = result if isinstance(result, dict) else getattr(result, "__dict__", {}) or {}
    if hasattr(result, "model_dump"):
        data = result.model_dump()
    ctx = AuthContext(**{k: v for k, v in data.items() if k in _FIELDS and k != "api_key"})
    raw = data.get("api_key") or data.get("token") or raw_key
    ctx.api_key = (
        raw if raw and len(raw) == 64 and not raw.startswith("sk-") else (hash_token(raw) if raw else None)
    )
    return ctx


def extract_key(headers: Any) -> str | None:
    """The caller's key from ``Authorization: Bearer``, ``x-litellm-api-key`` or ``api-key``."""
    value = headers.get("authorization")
    if value:
        scheme, _, rest = value.partition(" ")
        return rest.strip() if scheme.lower() == "bearer" and rest.strip() else value.strip()
    for name in ("x-litellm-api-key", "api-key"):
        value = headers.get(name)
        if value:
            value = value.strip()
            return value[7:].strip() if value.lower().startswith("bearer ") else value
    return None


class Authenticator:
    def __init__(
        self,
        master_key: str | None,
        *,
        custom_auth: Any = None,
        public_routes: list[str] | None = None,
        allowed_routes: list[str] | None = None,
        key_store: KeyStore | None = None,
    ) -> None:
        self._master_digest = hashlib.sha256(master_key.encode()).digest() if master_key else None
        self._master_hash = hash_token(master_key) if master_key else None
        self.custom_auth = custom_auth
        self.public_routes: frozenset[str] = DEFAULT_PUBLIC_ROUTES | frozenset(public_routes or ())
        self.allowed_routes = frozenset(allowed_routes) if allowed_routes else None
        self.key_store = key_store
        self._open = AuthContext(is_master=True)  # no master key configured: every caller is admin

    @property
    def enabled(self) -> bool:
        return self._master_digest is not None or self.custom_auth is not None

    def is_master(self, key: str) -> bool:
        return self._master_digest is not None and self._is_master_digest(_sha256(key).digest())

    def _is_master_digest(self, digest: bytes) -> bool:
        """Constant time, and independent of the key's length: two 32-byte digests are compared."""
        return hmac.compare_digest(digest, self._master_digest)  # type: ignore[arg-type]

    def check_route(self, path: str) -> None:
        if (
            self.allowed_routes is not None
            and path not in self.allowed_routes
            and path not in self.public_routes
        ):
            raise ProxyError(
                403,
                f"Route {path} is not allowed on this proxy (general_settings.allowed_routes)",
                type="auth_error",
            )

    async def authenticate(self, request: Any, path: str, headers: Any = None) -> AuthContext:
        """The caller of ``request`` (anything with ``.headers``), or ProxyError(401). ``headers``: the
        request's headers (anything with their ``get``) when the caller read them already."""
        if self.allowed_routes is not None:
            self.check_route(path)
        if path in self.public_routes:
            return self._open if not self.enabled else AuthContext()
        key = extract_key(request.headers if headers is None else headers)
        if self.custom_auth is not None:
            try:
                result = self.custom_auth(request, key)
                if inspect.isawaitable(result):
                    result = await result
            except ProxyError:
                raise
            except Exception as exc:
                raise ProxyError(401, f"Authentication Error, {exc}", type="auth_error") from None
            return _from_custom(result, key)
        if self._master_digest is None:
            return self._open
        if not key:
            raise ProxyError(
                401,
                "Authentication Error, No api key passed in. Send it as 'Authorization: Bearer <key>'.",
                type="auth_error",
            )
        # hashed once: the digest is checked against the master key's, the hex is the virtual key's hash
        presented = _sha256(key)
        if self._is_master_digest(presented.digest()):
            return AuthContext(api_key=self._master_hash, user_role="proxy_admin", is_master=True)
        if self.key_store is not None:
            ctx = await self.key_store.lookup(presented.hexdigest())
            if ctx is not None:
                return ctx
        raise ProxyError(401, "Authentication Error, Invalid proxy server token passed.", type="auth_error")
