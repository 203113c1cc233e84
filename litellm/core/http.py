"""Shared HTTP transport for every provider: pooled clients, timeouts, error mapping, retry delays.

Sync calls go through one keep-alive ``httpx.Client`` per origin. Async calls go through our own
HTTP/1.1 client (:mod:`litellm.core.aio_http`, its pools keyed by event loop and origin, its timeouts
from :func:`async_timeouts`), or, for what it does not cover (multipart, httptools missing), one
``aiohttp.ClientSession`` per (event loop, origin): on this project's 2-core machine a shared
``httpx.AsyncClient`` (httpcore) pool collapses at 32 concurrent calls while aiohttp does not (see
DESIGN.md and the README's benchmark table). aiohttp is imported on its first use only.

This module owns transport concerns only; it knows nothing about providers or logging.
"""

from __future__ import annotations

import asyncio
import atexit
import email.utils
import random
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

_lock = threading.Lock()
_sync_clients: dict[str, httpx.Client] = {}
# id(loop) -> (loop, {origin: session}); strong refs so sessions are closed by us, never by GC warnings
_async_sessions: dict[int, tuple[asyncio.AbstractEventLoop, dict[str, Any], dict[str, Any]]] = {}

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 520, 522, 524, 529})


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


_timeouts: dict[float, httpx.Timeout] = {}


def to_httpx_timeout(timeout: Any) -> httpx.Timeout:
    if isinstance(timeout, httpx.Timeout):
        return timeout
    seconds = float(timeout) if timeout is not None else 600.0
    cached = _timeouts.get(seconds)
    if cached is None:
        cached = _timeouts[seconds] = httpx.Timeout(seconds, connect=min(seconds, 10.0))
    return cached


_clients_by_url: dict[str, httpx.Client] = {}


def ssl_config() -> Any:
    """What every client we create verifies TLS with: ``False`` (SSL_VERIFY / ``litellm.ssl_verify``
    false), or an ``ssl.SSLContext`` honouring ``ssl_certificate`` (a CA bundle path, also
    SSL_CERTIFICATE) and ``ssl_security_level`` (an OpenSSL cipher string such as ``DEFAULT@SECLEVEL=1``,
    also SSL_SECURITY_LEVEL). Env vars win over the module settings, as LiteLLM documents."""
    import os

    from litellm.core.settings import settings

    verify_env = os.environ.get("SSL_VERIFY")
    verify: Any = settings.ssl_verify
    if verify_env not in (None, ""):
        verify = verify_env.strip().lower() not in ("false", "0", "no", "off")
    if verify is False:
        return False
    cafile = os.environ.get("SSL_CERTIFICATE") or settings.ssl_certificate
    if isinstance(verify, str):  # ssl_verify may itself be a CA bundle path
        cafile = cafile or verify
    level = os.environ.get("SSL_SECURITY_LEVEL") or settings.ssl_security_level
    if not cafile and not level:
        return True
    import ssl

    context = ssl.create_default_context(cafile=cafile or None)
    if level:
        context.set_ciphers(str(level))
    return context


class _CookiesWhenSet(httpx.Cookies):
    """The pooled clients' cookie jar: a reply without a Set-Cookie header cannot change it, so it is
    not handed to the stdlib cookie machinery (httpx builds two urllib adapter objects per reply
    first: ~10 % of a sync call's CPU here). Replies that set cookies are handled exactly as before."""

    def extract_cookies(self, response: httpx.Response) -> None:
        raw = getattr(response.headers, "_list", None)
        if raw is not None and not any(key in _SET_COOKIE for _, key, _ in raw):
            return
        super().extract_cookies(response)


_SET_COOKIE = (b"set-cookie", b"set-cookie2")


def _new_sync_client() -> httpx.Client:
    client = httpx.Client(
        verify=ssl_config(),
        limits=httpx.Limits(max_connections=1000, max_keepalive_connections=100),
        timeout=httpx.Timeout(600.0, connect=10.0),
        follow_redirects=False,
    )
    if isinstance(getattr(client, "_cookies", None), httpx.Cookies):  # httpx's own jar: swap in ours
        client._cookies = _CookiesWhenSet(client._cookies)
    return client


def sync_client(url: str) -> httpx.Client:
    """The pooled client for ``url``'s origin (looked up by the full URL first: urlsplit costs µs)."""
    client = _clients_by_url.get(url)
    if client is not None and not client.is_closed:
        return client
    origin = origin_of(url)
    client = _sync_clients.get(origin)
    if client is None or client.is_closed:
        with _lock:
            client = _sync_clients.get(origin)
            if client is None or client.is_closed:
                client = _new_sync_client()
                _sync_clients[origin] = client
    if len(_clients_by_url) > 1024:  # many distinct URLs (query strings): keep the memo bounded
        _clients_by_url.clear()
    _clients_by_url[url] = client
    return client


def _timeout_seconds(timeout: Any) -> float:
    if isinstance(timeout, httpx.Timeout):
        return float(timeout.read or timeout.connect or 600.0)
    return float(timeout) if timeout is not None else 600.0


def async_session(url: str) -> Any:
    """The aiohttp session for this event loop and origin (created on first use)."""
    loop = asyncio.get_running_loop()
    entry = _async_sessions.get(id(loop))
    if entry is not None and entry[0] is loop:
        session = entry[2].get(url)  # by full URL first: urlsplit per call costs µs
        if session is not None and not session.closed:
            return session
    else:
        _reap_closed_loops()
        entry = (loop, {}, {})
        _async_sessions[id(loop)] = entry
    origin = origin_of(url)
    session = entry[1].get(origin)
    if session is None or session.closed:
        import aiohttp

        tls = ssl_config()
        connector = aiohttp.TCPConnector(
            limit=0, ttl_dns_cache=300, enable_cleanup_closed=False, ssl=tls if tls is not True else True
        )
        session = aiohttp.ClientSession(connector=connector, auto_decompress=True, trust_env=False)
        entry[1][origin] = session
    if len(entry[2]) > 1024:
        entry[2].clear()
    entry[2][url] = session
    return session


_async_timeouts: dict[Any, tuple[float, float]] = {}


def async_timeouts(timeout: Any) -> tuple[float, float]:
    """``(connect, read)`` seconds for an async send, as :func:`aiohttp_timeout` has them: connect =
    min(seconds, 10), read = seconds per read, no total."""
    cacheable = timeout is None or isinstance(timeout, (int, float))
    cached = _async_timeouts.get(timeout) if cacheable else None
    if cached is None:
        seconds = _timeout_seconds(timeout)
        cached = (min(seconds, 10.0), seconds)
        if cacheable and len(_async_timeouts) < 256:
            _async_timeouts[timeout] = cached
    return cached


_aiohttp_timeouts: dict[Any, Any] = {}


def aiohttp_timeout(timeout: Any) -> Any:
    cacheable = timeout is None or isinstance(timeout, (int, float))
    key = timeout
    cached = _aiohttp_timeouts.get(key) if cacheable else None
    if cached is None:
        import aiohttp

        seconds = _timeout_seconds(timeout)
        cached = aiohttp.ClientTimeout(total=None, sock_connect=min(seconds, 10.0), sock_read=seconds)
        if cacheable and len(_aiohttp_timeouts) < 256:
            _aiohttp_timeouts[key] = cached
    return cached


def _close_session_now(session: Any) -> None:
    """Close an aiohttp session whose loop is gone, without awaiting (no loop to await on)."""
    try:
        connector = session._connector
        if connector is not None:
            connector._close()
        session._connector = None
    except Exception:  # best effort at teardown: never raise from cleanup
        pass


def _reap_closed_loops() -> None:
    for key, (loop, sessions, _) in list(_async_sessions.items()):
        if loop.is_closed():
            for session in sessions.values():
                _close_session_now(session)
            _async_sessions.pop(key, None)


def close_clients() -> None:
    """Close every pooled client (also run at interpreter exit)."""
    with _lock:
        clients = list(_sync_clients.values())
        _sync_clients.clear()
        _clients_by_url.clear()
    for client in clients:
        try:
            client.close()
        except Exception:
            pass
    for _, sessions, _ in list(_async_sessions.values()):
        for session in sessions.values():
            _close_session_now(session)
    _async_sessions.clear()
    ours = sys.modules.get("litellm.core._aio_conn")  # imported on the first async call only
    if ours is not None:
        ours.close_pools()


atexit.register(close_clients)


# ---------------------------------------------------------------------------------------------------
# Retry timing
# ---------------------------------------------------------------------------------------------------


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """Honour ``retry-after-ms`` and ``Retry-After`` (seconds or HTTP date)."""
    if not headers:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def backoff_delay(
    attempt: int,
    retry_after: float | None,
    *,
    base: float = 0.5,
    cap: float = 8.0,
    cap_retry_after: float | None = 60.0,
) -> float:
    """Exponential backoff with jitter; a server's Retry-After (up to ``cap_retry_after``) wins."""
    if (
        retry_after is not None
        and 0 <= retry_after
        and (cap_retry_after is None or retry_after <= cap_retry_after)
    ):
        return retry_after
    ceiling = min(cap, base * (2**attempt))
    return random.uniform(ceiling / 2, ceiling)
