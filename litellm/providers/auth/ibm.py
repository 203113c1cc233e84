"""IBM Cloud IAM bearer tokens for watsonx.ai, exchanged from an API key and cached until expiry.

Owns: :class:`IAMTokenAuth` (a ``RequestAuth``: ``POST <iam_url>`` form
``grant_type=urn:ibm:params:oauth:grant-type:apikey&apikey=...`` -> ``access_token`` with ``expires_in`` /
``expiration``; the token is reused until 60 s before it expires, one exchange per expiry however many
threads or tasks ask at once), :class:`StaticAuth` (a ready token, or a Cloud Pak for Data ``ZenApiKey``)
and :func:`clear_token_cache`.

Must not: log, put the API key or a token in an exception or repr, or exchange a key on every request.
Network I/O happens only on a refresh (sync: the shared httpx client; async: the same call off the loop).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from typing import Any

from litellm.providers.auth._bearer import CachedBearerAuth

__all__ = ["DEFAULT_IAM_URL", "IAMTokenAuth", "StaticAuth", "clear_token_cache"]

DEFAULT_IAM_URL = "https://iam.cloud.ibm.com/identity/token"
_GRANT = "urn:ibm:params:oauth:grant-type:apikey"


def clear_token_cache() -> None:
    IAMTokenAuth.clear_cache()


def _fingerprint(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def _auth_error(message: str, provider: str) -> Exception:
    from litellm.providers._common import make_error

    return make_error("AuthenticationError", message, model=None, provider=provider)


class IAMTokenAuth(CachedBearerAuth):
    """Bearer token from an IBM Cloud API key, exchanged at most once per expiry."""

    __slots__ = ("_api_key", "iam_url", "provider", "timeout")

    def __init__(
        self, api_key: str, iam_url: str | None = None, provider: str = "watsonx", timeout: float = 30.0
    ) -> None:
        self._api_key = api_key
        self.iam_url = iam_url or DEFAULT_IAM_URL
        self.provider = provider
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"IAMTokenAuth(iam_url={self.iam_url!r})"

    def _key(self) -> tuple[str, str]:
        return (self.iam_url, _fingerprint(self._api_key))

    def _exchange(self) -> tuple[str, float]:
        from litellm.core.http import sync_client

        client = sync_client(self.iam_url)
        try:
            response = client.post(
                self.iam_url,
                data={"grant_type": _GRANT, "apikey": self._api_key},
                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
                timeout=self.timeout,
            )
        except Exception as exc:  # the IAM endpoint is unreachable: say so, never with the key
            raise _auth_error(
                f"Could not reach the IBM IAM token endpoint {self.iam_url}: {type(exc).__name__}",
                self.provider,
            ) from exc
        try:
            data: Any = response.json()
        except ValueError:
            data = {}
        if response.status_code >= 400 or not isinstance(data, Mapping) or not data.get("access_token"):
            detail = ""
            if isinstance(data, Mapping):
                detail = str(data.get("errorMessage") or data.get("message") or "")
            raise _auth_error(
                f"IBM IAM refused the API key (HTTP {response.status_code}){': ' + detail if detail else ''}. "
                "Check WATSONX_APIKEY (or pass api_key=).",
                self.provider,
            )
        now = time.time()
        expiration = data.get("expiration")
        if isinstance(expiration, (int, float)) and expiration > now:
            expires_at = float(expiration)
        else:
            expires_at = now + float(data.get("expires_in") or 3600)
        return str(data["access_token"]), expires_at


class StaticAuth:
    """A ready credential: ``Bearer <token>`` (WATSONX_TOKEN) or ``ZenApiKey <key>`` (Cloud Pak for Data)."""

    __slots__ = ("_value",)

    def __init__(self, scheme: str, secret: str) -> None:
        self._value = f"{scheme} {secret}"

    def __repr__(self) -> str:
        return f"StaticAuth({self._value.split(' ', 1)[0]} ***)"

    def apply(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        return {"Authorization": self._value}

    async def aapply(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        return {"Authorization": self._value}
