"""Google OAuth access tokens for Vertex AI, cached until shortly before they expire.

Owns: :func:`token_source` (one cached :class:`GoogleTokenSource` per credential: a service-account or
authorized-user JSON given as a dict, a JSON string or a file path, or application default credentials
from ``GOOGLE_APPLICATION_CREDENTIALS`` / the gcloud login / the metadata server), the token refresh over
our shared httpx client (google-auth's ``Request`` interface; neither ``requests`` nor urllib3 is needed),
and :class:`GoogleBearerAuth`, the ``RequestAuth`` the pipeline runs on each request.

A refresh happens at most once per expiry: under a lock, the first caller that finds the token due
refreshes it and the others wait for that result. The async path refreshes in a worker thread so the
event loop never blocks on the token endpoint.

google-auth is imported on first use (``pip install 'litellm-observe[vertex]'``). Must not: log, repr or
raise a token or a private key; read the environment except through ``env_value`` (google-auth's own
default-credentials lookup reads GOOGLE_APPLICATION_CREDENTIALS itself).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import threading
import time
from collections.abc import Mapping
from typing import Any

__all__ = [
    "CLOUD_PLATFORM_SCOPE",
    "GoogleBearerAuth",
    "GoogleTokenSource",
    "load_credentials_info",
    "token_source",
]

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
_INSTALL_HINT = "Vertex AI needs google-auth for OAuth tokens: pip install 'litellm-observe[vertex]'"
#: refresh this long before the token's expiry (google-auth itself treats tokens as expired 3-4 min early)
_REFRESH_MARGIN_S = 300.0
_MAX_SOURCES = 64


def GoogleAuthError(message: str, *, kind: str = "AuthenticationError") -> Exception:
    """Our exception of ``kind`` for credentials that cannot produce a token; the message names the fix
    and never carries a secret."""
    from litellm.providers._common import make_error

    return make_error(kind, message, model=None, provider="vertex_ai")


class _HttpxRequest:
    """google-auth's transport callable over the shared pooled httpx client."""

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        import httpx
        from google.auth import exceptions as gexc

        from litellm.core import http as _http

        try:
            response = _http.sync_client(url).request(
                method, url, content=body, headers=dict(headers or {}), timeout=timeout or 30.0
            )
        except httpx.HTTPError as exc:
            raise gexc.TransportError(f"Google token request failed: {type(exc).__name__}") from None
        return _Response(response)


class _Response:
    __slots__ = ("data", "headers", "status")

    def __init__(self, response: Any) -> None:
        self.status = response.status_code
        self.headers = dict(response.headers)
        self.data = response.content


def load_credentials_info(spec: Any) -> dict[str, Any] | None:
    """``vertex_credentials`` as LiteLLM takes it (a dict, a JSON string or a path) -> the JSON dict.

    None means "use application default credentials". Raises GoogleAuthError naming what is wrong.
    """
    if spec is None or spec == "":
        return None
    if isinstance(spec, Mapping):
        return dict(spec)
    if not isinstance(spec, str):
        raise GoogleAuthError(
            f"vertex_credentials must be a service-account JSON (dict or string) or a file path, not "
            f"{type(spec).__name__}",
            kind="BadRequestError",
        )
    text = spec.strip()
    if text.startswith("{"):
        try:
            info = json.loads(text)
        except ValueError:
            raise GoogleAuthError(
                "vertex_credentials looks like JSON but does not parse; pass the service-account key file's "
                "contents unchanged, or its path",
                kind="BadRequestError",
            ) from None
        if not isinstance(info, dict):
            raise GoogleAuthError("vertex_credentials JSON must be an object", kind="BadRequestError")
        return info
    path = os.path.expanduser(text)
    try:
        with open(path, encoding="utf-8") as fh:
            info = json.load(fh)
    except OSError as exc:
        raise GoogleAuthError(
            f"vertex_credentials file {path!r} cannot be read ({exc.strerror or type(exc).__name__})",
            kind="BadRequestError",
        ) from None
    except ValueError:
        raise GoogleAuthError(
            f"vertex_credentials file {path!r} is not JSON; pass a service-account key file",
            kind="BadRequestError",
        ) from None
    if not isinstance(info, dict):
        raise GoogleAuthError(
            f"vertex_credentials file {path!r} must hold a JSON object", kind="BadRequestError"
        )
    return info


class GoogleTokenSource:
    """Bearer tokens for one credential, refreshed at most once per expiry."""

    def __init__(
        self, info: Mapping[str, Any] | None, scopes: tuple[str, ...] = (CLOUD_PLATFORM_SCOPE,)
    ) -> None:
        self._info = dict(info) if info is not None else None
        self._scopes = scopes
        self._credentials: Any = None
        self._project: str | None = (info or {}).get("project_id") or (info or {}).get("quota_project_id")
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()
        self.refreshes = 0  # how many times a token was fetched (tests and diagnostics)

    def __repr__(self) -> str:
        kind = (self._info or {}).get("type", "application-default")
        return f"GoogleTokenSource({kind})"

    @property
    def project_id(self) -> str | None:
        """The project named by the credential (service-account JSON, or what ADC found)."""
        if self._project is None and self._info is None and self._credentials is None:
            try:
                self._load()
            except Exception:  # no usable default credentials: the caller names what to set
                return None
        return self._project

    def _load(self) -> Any:
        if self._credentials is not None:
            return self._credentials
        try:
            import google.auth
            from google.auth import exceptions as gexc
        except ImportError:
            raise GoogleAuthError(_INSTALL_HINT, kind="BadRequestError") from None
        try:
            if self._info is not None:
                creds, project = _from_info(self._info, list(self._scopes))
            else:
                creds, project = google.auth.default(scopes=list(self._scopes))
        except gexc.DefaultCredentialsError as exc:
            hint = (
                "pass vertex_credentials (a service-account JSON string or path), set "
                "GOOGLE_APPLICATION_CREDENTIALS, or run `gcloud auth application-default login`"
            )
            reason = (
                str(exc).split("\n", 1)[0][:200] if self._info is not None else "no default credentials found"
            )
            raise GoogleAuthError(f"Vertex AI credentials unusable: {reason}; {hint}") from None
        except (ValueError, TypeError) as exc:
            raise GoogleAuthError(
                f"Vertex AI credentials unusable ({type(exc).__name__}): the JSON is not a Google credential "
                "file (service_account, authorized_user or external_account)"
            ) from None
        self._credentials = creds
        if project and not self._project:
            self._project = project
        return creds

    def _fresh(self, now: float) -> str | None:
        """The cached token while it is not yet due for a refresh, else None."""
        token = self._token
        if token is None or now >= self._expires_at - _REFRESH_MARGIN_S:
            return None
        return token

    def token(self) -> str:
        """A valid access token; fetches one only when none is cached or the cached one is due."""
        cached = self._fresh(time.time())
        if cached is not None:
            return cached
        with self._lock:
            cached = self._fresh(time.time())
            if cached is not None:
                return cached
            creds = self._load()
            from google.auth import exceptions as gexc

            try:
                creds.refresh(_HttpxRequest())
            except gexc.RefreshError as exc:
                # the token endpoint refused (revoked key, wrong audience): retrying will not help
                reason = _refresh_reason(exc)
                raise GoogleAuthError(f"Google refused the Vertex AI token request: {reason}") from None
            except gexc.TransportError as exc:
                raise GoogleAuthError(f"{exc}", kind="APIConnectionError") from None
            token = getattr(creds, "token", None)
            if not token:
                raise GoogleAuthError("Google returned no access token for the Vertex AI credentials")
            expiry = getattr(creds, "expiry", None)
            if expiry is not None:
                # google-auth keeps expiry as a naive UTC datetime
                import calendar

                expires_at = float(calendar.timegm(expiry.timetuple()))
            else:
                expires_at = time.time() + 3600.0
            self._token, self._expires_at = token, expires_at
            self.refreshes += 1
            return token

    async def atoken(self) -> str:
        cached = self._fresh(time.time())
        if cached is not None:
            return cached
        return await asyncio.to_thread(self.token)


def _from_info(info: dict[str, Any], scopes: list[str]) -> tuple[Any, str | None]:
    """Credentials for a credential JSON by its declared type (the type-specific loaders google-auth
    recommends; other types go through its generic loader)."""
    kind = info.get("type")
    if kind == "service_account":
        from google.oauth2 import service_account

        return service_account.Credentials.from_service_account_info(info, scopes=scopes), info.get(
            "project_id"
        )
    if kind == "authorized_user":
        from google.oauth2 import credentials as user_credentials

        creds = user_credentials.Credentials.from_authorized_user_info(info, scopes=scopes)
        return creds, info.get("quota_project_id")
    if kind == "external_account":
        source = info.get("credential_source") or {}
        if str(source.get("environment_id", "")).startswith("aws"):
            from google.auth import aws as external
        else:
            from google.auth import identity_pool as external  # type: ignore[no-redef]
        return external.Credentials.from_info(info, scopes=scopes), None
    import google.auth

    return google.auth.load_credentials_from_dict(info, scopes=scopes)


def _refresh_reason(exc: Exception) -> str:
    args = getattr(exc, "args", ())
    first = str(args[0]) if args else type(exc).__name__
    # google-auth puts the token endpoint's JSON after a colon; keep the error code, never the assertion
    return first.split("\n", 1)[0][:200]


_sources: dict[str, GoogleTokenSource] = {}
_sources_lock = threading.Lock()


def token_source(credentials: Any) -> GoogleTokenSource:
    """The shared token source for ``credentials`` (see :func:`load_credentials_info`); one per distinct
    credential, so every call with the same key reuses one cached token."""
    info = load_credentials_info(credentials)
    key = "adc" if info is None else hashlib.sha256(json.dumps(info, sort_keys=True).encode()).hexdigest()
    source = _sources.get(key)
    if source is not None:
        return source
    with _sources_lock:
        source = _sources.get(key)
        if source is None:
            if len(_sources) >= _MAX_SOURCES:
                _sources.clear()
            source = GoogleTokenSource(info)
            _sources[key] = source
    return source


def clear_token_cache() -> None:
    """Forget every cached credential and token (tests; a rotated key file)."""
    with _sources_lock:
        _sources.clear()


class GoogleBearerAuth:
    """``RequestAuth``: ``Authorization: Bearer <token>`` from a :class:`GoogleTokenSource`."""

    __slots__ = ("source",)

    def __init__(self, source: GoogleTokenSource) -> None:
        self.source = source

    def __repr__(self) -> str:
        return f"GoogleBearerAuth({self.source!r})"

    def apply(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.source.token()}"}

    async def aapply(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.source.atoken()}"}
