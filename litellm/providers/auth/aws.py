"""AWS Signature Version 4 and AWS credentials, for Bedrock and SageMaker.

Owns: :func:`sigv4_headers` (AWS's published SigV4 algorithm over hashlib/hmac: canonical request,
string to sign, derived key; checked against botocore's signer in the tests), :class:`AwsAuthParams`
(the ``aws_*`` call arguments LiteLLM documents, with their env fallbacks), :func:`resolve_region`,
credential resolution in LiteLLM's order (web identity + role, role assumption, profile, explicit keys,
then botocore's default chain) with assumed-role credentials cached until five minutes before they
expire, :class:`SigV4Auth` and :class:`BearerAuth` (the ``RequestAuth`` objects the pipeline runs on the
exact bytes it sends).

botocore is imported only when a profile, a role or the default chain is needed (``litellm[bedrock]``);
explicit keys and env keys sign with the standard library alone.

Must not: read the environment except through ``env_value``, put a secret in an exception, a log line or
a repr, or call AWS for anything but STS role assumption (and only when a cached credential expires).
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import hashlib
import hmac
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from litellm.providers.environment import env_value

__all__ = [
    "AWS_PARAM_NAMES",
    "AwsAuthParams",
    "AwsCredentials",
    "BearerAuth",
    "SigV4Auth",
    "pop_aws_params",
    "resolve_credentials",
    "resolve_region",
    "sigv4_headers",
]

_ALGORITHM = "AWS4-HMAC-SHA256"
# headers SigV4 covers here: the ones AWS requires (host, x-amz-*) and content-type; anything else the
# caller adds (extra_headers, tracing) stays unsigned so a proxy that rewrites it cannot break the call
_SIGNED_EXTRA = frozenset({"content-type", "date"})
_REFRESH_MARGIN_S = 300.0
_DEFAULT_REGION = "us-west-2"  # LiteLLM's default when nothing names a region
_REGION_RE = re.compile(r"\A[a-z0-9-]+\Z")
_ARN_REGION = re.compile(r"^arn:aws[\w-]*:[\w-]+:([a-z0-9-]+):")


# --------------------------------------------------------------------------------------------------
# The signer
# --------------------------------------------------------------------------------------------------


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    k_date = _hmac(("AWS4" + secret).encode("utf-8"), date)
    return _hmac(_hmac(_hmac(k_date, region), service), "aws4_request")


def _canonical_uri(path: str) -> str:
    # non-S3 services sign the path URI-encoded once more than it is sent ("%3A" -> "%253A")
    return quote(path or "/", safe="/~")


def _canonical_query(query: str) -> str:
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    encoded = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def _host(url_parts: Any) -> str:
    host = url_parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = url_parts.port
    default = 443 if url_parts.scheme == "https" else 80
    return f"{host}:{port}" if port and port != default else host


def _collapse(value: str) -> str:
    return " ".join(str(value).split())


def sigv4_headers(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    access_key: str,
    secret_key: str,
    session_token: str | None,
    region: str,
    service: str,
    now: _dt.datetime | None = None,
) -> dict[str, str]:
    """The headers that authorise this exact request: ``X-Amz-Date``, ``Authorization`` and, with a
    session token, ``X-Amz-Security-Token``. ``headers`` are the ones that will be sent."""
    moment = (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc)
    amz_date = moment.strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    parts = urlsplit(url)
    out: dict[str, str] = {"X-Amz-Date": amz_date}
    if session_token:
        out["X-Amz-Security-Token"] = session_token
    to_sign: dict[str, str] = {"host": _host(parts)}
    for name, value in headers.items():
        low = name.lower()
        if low in _SIGNED_EXTRA or (low.startswith(("x-amz-", "x-amzn-")) and low != "x-amzn-trace-id"):
            to_sign[low] = _collapse(value)
    for name, value in out.items():
        to_sign[name.lower()] = value
    signed = sorted(to_sign)
    canonical_headers = "".join(f"{name}:{to_sign[name]}\n" for name in signed)
    signed_headers = ";".join(signed)
    canonical_request = "\n".join(
        [
            method.upper(),
            _canonical_uri(parts.path),
            _canonical_query(parts.query),
            canonical_headers,
            signed_headers,
            hashlib.sha256(body or b"").hexdigest(),
        ]
    )
    scope = f"{date}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(
        [_ALGORITHM, amz_date, scope, hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()]
    )
    signature = hmac.new(
        _signing_key(secret_key, date, region, service), string_to_sign.encode("utf-8"), hashlib.sha256
    ).hexdigest()
    out["Authorization"] = (
        f"{_ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"
    )
    return out


# --------------------------------------------------------------------------------------------------
# Call arguments
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AwsAuthParams:
    """The ``aws_*`` arguments of one call (after env fallbacks). ``repr`` hides the secrets."""

    aws_access_key_id: str | None = None
    aws_secret_access_key: str | None = None
    aws_session_token: str | None = None
    aws_region_name: str | None = None
    aws_session_name: str | None = None
    aws_profile_name: str | None = None
    aws_role_name: str | None = None
    aws_web_identity_token: str | None = None
    aws_sts_endpoint: str | None = None
    aws_external_id: str | None = None
    aws_bedrock_runtime_endpoint: str | None = None
    aws_sagemaker_runtime_endpoint: str | None = None

    def __repr__(self) -> str:
        shown = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) and f.name not in _SECRET_PARAMS
        }
        return f"AwsAuthParams({shown})"

    def cache_key(self) -> tuple[Any, ...]:
        # the secret is hashed, not kept as a key, so a dump of the cache shows no secret
        secret = self.aws_secret_access_key or ""
        return (
            self.aws_access_key_id,
            hashlib.sha256(secret.encode()).hexdigest() if secret else None,
            hashlib.sha256((self.aws_session_token or "").encode()).hexdigest(),
            self.aws_profile_name,
            self.aws_role_name,
            self.aws_session_name,
            hashlib.sha256((self.aws_web_identity_token or "").encode()).hexdigest(),
            self.aws_sts_endpoint,
            self.aws_external_id,
        )


_SECRET_PARAMS = frozenset({"aws_secret_access_key", "aws_session_token", "aws_web_identity_token"})
AWS_PARAM_NAMES = frozenset(f.name for f in fields(AwsAuthParams))
# the env var LiteLLM reads for each argument that is not given
_ENV_FALLBACK = {
    "aws_access_key_id": ("AWS_ACCESS_KEY_ID",),
    "aws_secret_access_key": ("AWS_SECRET_ACCESS_KEY",),
    "aws_session_token": ("AWS_SESSION_TOKEN",),
    "aws_region_name": ("AWS_REGION_NAME", "AWS_REGION", "AWS_DEFAULT_REGION"),
    "aws_session_name": ("AWS_SESSION_NAME",),
    "aws_profile_name": ("AWS_PROFILE_NAME",),
    "aws_role_name": ("AWS_ROLE_NAME",),
    "aws_web_identity_token": ("AWS_WEB_IDENTITY_TOKEN",),
    "aws_sts_endpoint": ("AWS_STS_ENDPOINT",),
    "aws_external_id": ("AWS_EXTERNAL_ID",),
    "aws_bedrock_runtime_endpoint": ("AWS_BEDROCK_RUNTIME_ENDPOINT",),
    "aws_sagemaker_runtime_endpoint": ("AWS_SAGEMAKER_RUNTIME_ENDPOINT",),
}


def _env_ref(value: Any) -> Any:
    # LiteLLM configs spell secrets as "os.environ/NAME"
    if isinstance(value, str) and value.startswith("os.environ/"):
        return env_value(value[len("os.environ/") :])
    return value


def pop_aws_params(params: dict[str, Any]) -> AwsAuthParams:
    """Take every ``aws_*`` argument out of ``params`` (they never reach a request body) and fill the
    missing ones from the environment, as LiteLLM does."""
    given = {name: _env_ref(params.pop(name)) for name in list(params) if name in AWS_PARAM_NAMES}
    values: dict[str, Any] = {}
    explicit_keys = bool(given.get("aws_access_key_id"))
    for name in AWS_PARAM_NAMES:
        value = given.get(name)
        if not value:
            # a session token from the env belongs to the env's keys, not to keys passed as arguments
            if name == "aws_session_token" and explicit_keys:
                continue
            for env_name in _ENV_FALLBACK.get(name, ()):
                value = env_value(env_name)
                if value:
                    break
        if value:
            values[name] = str(value)
    region = values.get("aws_region_name")
    if region is not None and not _REGION_RE.match(region):
        raise ValueError(f"aws_region_name={region!r} is not an AWS region name (like 'us-east-1').")
    return AwsAuthParams(**values)


def resolve_region(params: AwsAuthParams, model: str | None = None) -> str:
    """The region to call and sign for: the argument/env, else the one in a model ARN, else the profile's
    configured region (botocore), else us-west-2 (LiteLLM's default)."""
    if params.aws_region_name:
        return params.aws_region_name
    if model:
        m = _ARN_REGION.match(model)
        if m:
            return m.group(1)
    if params.aws_profile_name:
        try:
            session = _botocore_session(params.aws_profile_name)
            region = session.get_config_variable("region")
        except Exception:  # an unreadable profile: the credentials step reports it
            region = None
        if region:
            return str(region)
    return _DEFAULT_REGION


# --------------------------------------------------------------------------------------------------
# Credentials
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AwsCredentials:
    access_key: str
    secret_key: str
    token: str | None = None
    #: epoch seconds after which these must not be used (None: they do not expire)
    expires_at: float | None = None

    def __repr__(self) -> str:
        return f"AwsCredentials(access_key={self.access_key[:4]}..., expires_at={self.expires_at})"

    def fresh(self, now: float) -> bool:
        return self.expires_at is None or now < self.expires_at - _REFRESH_MARGIN_S


class AwsCredentialsError(Exception):
    """No usable AWS credentials; the message names what to set (never a secret)."""


_cache: dict[tuple[Any, ...], Any] = {}
_cache_lock = threading.Lock()
_CACHE_MAX = 256


def _botocore_session(profile: str | None = None) -> Any:
    try:
        import botocore.session
    except ImportError as exc:  # pragma: no cover - botocore ships with the bedrock extra
        raise AwsCredentialsError(
            "AWS profiles, role assumption and the default credential chain need botocore: "
            "pip install 'litellm[bedrock]' (or pass aws_access_key_id= and aws_secret_access_key=)."
        ) from exc
    session = botocore.session.Session(profile=profile) if profile else botocore.session.Session()
    return session


def _from_botocore(creds: Any) -> AwsCredentials:
    frozen = creds.get_frozen_credentials()
    expiry = getattr(creds, "_expiry_time", None)
    expires_at = expiry.timestamp() if isinstance(expiry, _dt.datetime) else None
    return AwsCredentials(frozen.access_key, frozen.secret_key, frozen.token, expires_at)


def _from_sts(response: Mapping[str, Any]) -> AwsCredentials:
    c = response["Credentials"]
    expiration = c.get("Expiration")
    if isinstance(expiration, _dt.datetime):
        expires_at: float | None = expiration.timestamp()
    elif isinstance(expiration, str):
        expires_at = _dt.datetime.fromisoformat(expiration.replace("Z", "+00:00")).timestamp()
    else:
        expires_at = None
    return AwsCredentials(c["AccessKeyId"], c["SecretAccessKey"], c.get("SessionToken"), expires_at)


def _sts_client(params: AwsAuthParams, region: str, base: AwsCredentials | None) -> Any:
    session = _botocore_session(params.aws_profile_name if base is None else None)
    kwargs: dict[str, Any] = {"region_name": region}
    if params.aws_sts_endpoint:
        kwargs["endpoint_url"] = params.aws_sts_endpoint
    if base is not None:
        kwargs.update(
            aws_access_key_id=base.access_key,
            aws_secret_access_key=base.secret_key,
            aws_session_token=base.token,
        )
    return session.create_client("sts", **kwargs)


def _session_name(params: AwsAuthParams) -> str:
    return params.aws_session_name or f"litellm-session-{int(time.time())}"


def _resolve_uncached(params: AwsAuthParams, region: str) -> AwsCredentials:
    if params.aws_web_identity_token and params.aws_role_name:
        sts = _sts_client(params, region, None)
        response = sts.assume_role_with_web_identity(
            RoleArn=params.aws_role_name,
            RoleSessionName=_session_name(params),
            WebIdentityToken=params.aws_web_identity_token,
        )
        return _from_sts(response)
    if params.aws_role_name:
        base: AwsCredentials | None = None
        if params.aws_access_key_id and params.aws_secret_access_key:
            base = AwsCredentials(
                params.aws_access_key_id, params.aws_secret_access_key, params.aws_session_token
            )
        kwargs: dict[str, Any] = {"RoleArn": params.aws_role_name, "RoleSessionName": _session_name(params)}
        if params.aws_external_id:
            kwargs["ExternalId"] = params.aws_external_id
        return _from_sts(_sts_client(params, region, base).assume_role(**kwargs))
    if params.aws_profile_name:
        creds = _botocore_session(params.aws_profile_name).get_credentials()
        if creds is None:
            raise AwsCredentialsError(
                f"AWS profile {params.aws_profile_name!r} has no credentials (check ~/.aws/credentials)."
            )
        return _from_botocore(creds)
    if params.aws_access_key_id and params.aws_secret_access_key:
        return AwsCredentials(
            params.aws_access_key_id, params.aws_secret_access_key, params.aws_session_token
        )
    if params.aws_access_key_id or params.aws_secret_access_key:
        missing = "aws_secret_access_key" if params.aws_access_key_id else "aws_access_key_id"
        raise AwsCredentialsError(
            f"AWS credentials are incomplete: {missing} is missing (pass it, or set "
            f"{_ENV_FALLBACK[missing][0]})."
        )
    creds = _botocore_session().get_credentials()
    if creds is None:
        raise AwsCredentialsError(
            "No AWS credentials found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN "
            "for temporary keys), pass aws_access_key_id= / aws_secret_access_key=, aws_profile_name= or "
            "aws_role_name=, or for Bedrock set AWS_BEARER_TOKEN_BEDROCK (or pass api_key=)."
        )
    return _from_botocore(creds)


def _cached(params: AwsAuthParams, now: float) -> AwsCredentials | None:
    hit = _cache.get(params.cache_key())
    if hit is not None and hit.fresh(now):
        return hit
    return None


def resolve_credentials(params: AwsAuthParams, region: str) -> AwsCredentials:
    """Credentials for ``params``: from the cache while fresh, else resolved (STS/botocore as needed)."""
    now = time.time()
    hit = _cached(params, now)
    if hit is not None:
        return hit
    if params.aws_access_key_id and params.aws_secret_access_key and not params.aws_role_name:
        return AwsCredentials(
            params.aws_access_key_id, params.aws_secret_access_key, params.aws_session_token
        )
    with _cache_lock:  # one refresh per expiry, even with many threads asking at once
        hit = _cached(params, time.time())
        if hit is not None:
            return hit
        creds = _resolve_uncached(params, region)
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        _cache[params.cache_key()] = creds
        return creds


def clear_credentials_cache() -> None:
    """Forget every cached credential (tests; a rotated key)."""
    with _cache_lock:
        _cache.clear()


# --------------------------------------------------------------------------------------------------
# RequestAuth implementations
# --------------------------------------------------------------------------------------------------


class SigV4Auth:
    """Signs each attempt with SigV4 for ``service`` in ``region`` (credentials resolved on first use)."""

    __slots__ = ("params", "provider", "region", "service")

    def __init__(self, params: AwsAuthParams, region: str, service: str, provider: str = "bedrock") -> None:
        self.params = params
        self.region = region
        self.service = service
        self.provider = provider

    def __repr__(self) -> str:
        return f"SigV4Auth(service={self.service!r}, region={self.region!r})"

    def _sign(
        self, creds: AwsCredentials, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> dict[str, str]:
        return sigv4_headers(
            method,
            url,
            headers,
            body,
            access_key=creds.access_key,
            secret_key=creds.secret_key,
            session_token=creds.token,
            region=self.region,
            service=self.service,
        )

    def credentials(self) -> AwsCredentials:
        """Resolved credentials; a failure is our ``AuthenticationError`` naming what to set."""
        from litellm.providers._common import make_error

        try:
            return resolve_credentials(self.params, self.region)
        except AwsCredentialsError as exc:
            raise make_error("AuthenticationError", str(exc), model=None, provider=self.provider) from exc
        except Exception as exc:  # botocore / STS failures: name the cause, never the secret
            message = f"Could not get AWS credentials: {type(exc).__name__}: {exc}"
            raise make_error("AuthenticationError", message, model=None, provider=self.provider) from exc

    def apply(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        return self._sign(self.credentials(), method, url, headers, body)

    async def aapply(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        creds = _cached(self.params, time.time())
        if creds is None:
            p = self.params
            if p.aws_access_key_id and p.aws_secret_access_key and not p.aws_role_name:
                creds = self.credentials()  # static keys: no I/O
            else:
                creds = await asyncio.to_thread(self.credentials)  # botocore / STS block
        return self._sign(creds, method, url, headers, body)


class BearerAuth:
    """A fixed bearer token (Bedrock API keys)."""

    __slots__ = ("_token",)

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "BearerAuth(***)"

    def apply(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    async def aapply(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        return self.apply(method, url, headers, body)
