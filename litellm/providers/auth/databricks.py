"""Databricks OAuth machine-to-machine tokens (a service principal's client id and secret), cached until
shortly before they expire.

Owns: :class:`DatabricksOAuth` (a ``RequestAuth``: ``POST <workspace>/oidc/v1/token`` with HTTP basic auth
``client_id:client_secret`` and the form ``grant_type=client_credentials&scope=all-apis`` ->
``access_token`` / ``expires_in``; one exchange per expiry however many threads or tasks ask at once),
:func:`oauth_client_from_env` (DATABRICKS_CLIENT_ID / DATABRICKS_CLIENT_SECRET, read through ``env_value``)
and :func:`clear_token_cache`.

Must not: log, put the secret or a token in an exception or repr, or exchange on every request. Network
I/O happens only on a refresh (sync: the shared httpx client; async: the same call off the loop).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from litellm.providers import environment
from litellm.providers.auth._bearer import CachedBearerAuth

__all__ = ["DatabricksOAuth", "clear_token_cache", "oauth_client_from_env", "workspace_root"]


def clear_token_cache() -> None:
    DatabricksOAuth.clear_cache()


def oauth_client_from_env() -> tuple[str, str] | None:
    """(client id, client secret) when both DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET are set."""
    client_id = environment.env_value("DATABRICKS_CLIENT_ID")
    secret = environment.env_value("DATABRICKS_CLIENT_SECRET")
    return (client_id, secret) if client_id and secret else None


def workspace_root(api_base: str) -> str:
    """``https://adb-1.2.azuredatabricks.net/serving-endpoints`` -> ``https://adb-1.2.azuredatabricks.net``."""
    parts = urlsplit(api_base)
    return f"{parts.scheme}://{parts.netloc}"


def _auth_error(message: str) -> Exception:
    from litellm.providers._common import make_error

    return make_error("AuthenticationError", message, model=None, provider="databricks")


class DatabricksOAuth(CachedBearerAuth):
    """Bearer token from a Databricks service principal, exchanged at most once per expiry."""

    __slots__ = ("_secret", "client_id", "timeout", "token_url")

    def __init__(self, api_base: str, client_id: str, client_secret: str, timeout: float = 30.0) -> None:
        self.token_url = workspace_root(api_base) + "/oidc/v1/token"
        self.client_id = client_id
        self._secret = client_secret
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"DatabricksOAuth(token_url={self.token_url!r}, client_id={self.client_id!r})"

    def _key(self) -> tuple[str, str, str]:
        return (self.token_url, self.client_id, hashlib.sha256(self._secret.encode()).hexdigest())

    def _exchange(self) -> tuple[str, float]:
        from litellm.core.http import sync_client

        client = sync_client(self.token_url)
        try:
            response = client.post(
                self.token_url,
                data={"grant_type": "client_credentials", "scope": "all-apis"},
                auth=(self.client_id, self._secret),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
                timeout=self.timeout,
            )
        except Exception as exc:  # unreachable token endpoint: say which, never with the secret
            raise _auth_error(
                f"Could not reach the Databricks OAuth token endpoint {self.token_url}: {type(exc).__name__}"
            ) from exc
        try:
            data: Any = response.json()
        except ValueError:
            data = {}
        if response.status_code >= 400 or not isinstance(data, Mapping) or not data.get("access_token"):
            detail = ""
            if isinstance(data, Mapping):
                detail = str(data.get("error_description") or data.get("error") or "")
            raise _auth_error(
                f"Databricks refused the OAuth client credentials (HTTP {response.status_code})"
                f"{': ' + detail if detail else ''}. Check DATABRICKS_CLIENT_ID / DATABRICKS_CLIENT_SECRET "
                "(a service principal's OAuth secret), or use a personal access token in DATABRICKS_API_KEY."
            )
        expires_in = data.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, (int, float)) and expires_in > 0 else 3600.0
        return str(data["access_token"]), time.time() + lifetime
