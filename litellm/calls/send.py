"""The one send path every call type uses, sync and async, and the decisions both share.

``send`` and ``asend`` are the only loops that talk to a transport. Each is a thin shell around the same
decisions, made by plain functions here: the bytes on the wire (:func:`wire_request`, which runs the
adapter's auth hook over the exact body bytes on every attempt), the per-attempt timeout under the
call's deadline (:func:`attempt_timeout`), the mapping of any failure to our exception tree
(:func:`map_exception`, :func:`status_error`: one table, the adapter's ``classify_error``, for real
replies, mocks and stream errors alike), and whether to retry and how long to wait
(:func:`retry_delay`).

Retry rule (documented in the README): only 408/409/429/5xx, timeouts and connection errors are
retried, with jittered exponential backoff; a server's Retry-After is honoured up to
``litellm.retry_after_cap`` seconds (default 60) and a longer one is not waited for (the error is
raised, so a Router can try another deployment); with a ``timeout`` the whole call, retries and waits
included, ends by ``start + timeout``: a wait that would cross it is not taken.

Must not: build requests or responses (specs do) or emit logging events (the pipeline does).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from typing import Any

import httpx

from litellm.core import http as _http
from litellm.core.settings import settings
from litellm.core.transport import WireRequest, async_transport_for, sync_transport_for

__all__ = [
    "asend",
    "attempt_timeout",
    "map_exception",
    "retry_delay",
    "send",
    "status_error",
    "wire_request",
]


def _exc() -> Any:
    from litellm.core import exceptions

    return exceptions


# ---------------------------------------------------------------------------------------------------
# Error mapping: one table (the adapter's classify_error) for replies, mocks and stream errors
# ---------------------------------------------------------------------------------------------------


def _error_body(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return content.decode("utf-8", "replace")[:2000]


def _masked_url(url: str) -> str:
    """The URL with any userinfo (``user:KEY@``) and credential query values masked."""
    from litellm.core.redact import mask_url

    return str(mask_url(url))


def error_from_body(
    adapter: Any,
    provider: str | None,
    model: str,
    status: int,
    body: Any,
    headers: Mapping[str, str] | None = None,
    *,
    method: str = "POST",
    url: str | None = None,
    content: bytes | None = None,
) -> Exception:
    """The exception for a provider's error ``body`` with ``status``: kind from the adapter's table;
    the real response (status, headers, body) and request (method, masked URL) attached."""
    info = adapter.classify_error(status, body, headers or {})
    response = None
    if url is not None:
        request = httpx.Request(method, _masked_url(url))
        if content is None:
            content = json.dumps(body).encode() if isinstance(body, (dict, list)) else str(body).encode()
        response = httpx.Response(status, headers=dict(headers or {}), content=content, request=request)
    return _exc().make_error(
        info.kind,
        info.message,
        model=model,
        llm_provider=provider,
        status_code=status,
        body=body if isinstance(body, dict) else None,
        headers=dict(headers or {}),
        response=response,
    )


def status_error(p: Any, status: int, content: bytes, headers: Mapping[str, str]) -> Exception:
    return error_from_body(
        p.adapter,
        p.provider,
        p.model,
        status,
        _error_body(content),
        headers,
        method=p.request.method,
        url=p.request.url,
        content=content,
    )


def map_exception(exc: BaseException, provider: str | None, model: str, adapter: Any = None) -> BaseException:
    """Any exception from preparation, the transport, a parser or a stream -> our tree.

    Ours pass through unchanged. Transport failures become APIConnectionError / Timeout (retryable);
    an answer we cannot parse becomes APIResponseValidationError (never retried); anything else is an
    APIError carrying the original's class name (never retried).
    """
    exceptions = _exc()
    if isinstance(exc, (exceptions._LiteLLMErrorMixin, exceptions.BudgetExceededError)):
        return exc
    if isinstance(exc, (httpx.TimeoutException, asyncio.TimeoutError, TimeoutError)):
        return exceptions.Timeout(f"Request timed out: {type(exc).__name__}", model, provider)
    from litellm.core.decoders import EventStreamError
    from litellm.providers.base import StreamErrorEvent

    if isinstance(exc, StreamErrorEvent):
        if adapter is None:
            from litellm.providers.registry import get_adapter

            adapter = get_adapter(provider or "openai")
        return error_from_body(adapter, provider, model, exc.status_code, exc.body)
    if isinstance(exc, EventStreamError):
        if adapter is None:
            from litellm.providers.registry import get_adapter

            adapter = get_adapter(provider or "openai")
        to_event = getattr(adapter, "stream_exception", None)
        if to_event is not None:  # the adapter knows each exception type's real status (429, 424, ...)
            event = to_event(exc.error_type, exc.body)
            return error_from_body(adapter, provider, model, event.status_code, event.body)
        return error_from_body(adapter, provider, model, 400, exc.body, {"x-amzn-ErrorType": exc.error_type})
    module = type(exc).__module__
    if isinstance(exc, (httpx.TransportError, ConnectionError, OSError)) or module.startswith("aiohttp"):
        if type(exc).__name__ in ("ServerTimeoutError", "SocketTimeoutError", "ConnectionTimeoutError"):
            return exceptions.Timeout(f"Request timed out: {exc}", model, provider)
        if module.startswith("aiohttp") and type(exc).__name__ in ("ContentTypeError",):
            return exceptions.APIResponseValidationError(str(exc), provider, model)
        return exceptions.APIConnectionError(f"{type(exc).__name__}: {exc}", provider, model)
    if isinstance(exc, (ValueError, KeyError, TypeError, AttributeError, IndexError)):
        return exceptions.APIResponseValidationError(
            f"Could not parse the provider's answer: {type(exc).__name__}: {exc}", provider, model
        )
    return exceptions.APIError(500, f"{type(exc).__name__}: {exc}", provider, model)


def _is_retryable(exc: BaseException) -> bool:
    exceptions = _exc()
    if isinstance(exc, exceptions.APIResponseValidationError):
        return False
    if isinstance(exc, (exceptions.Timeout, exceptions.APIConnectionError)):
        return True
    return getattr(exc, "status_code", None) in _http.RETRYABLE_STATUS


def retry_delay(p: Any, mapped: BaseException, attempt: int) -> float | None:
    """Seconds to wait before retrying ``mapped``, or None when it is final (see the module rule)."""
    if attempt >= p.retries or not _is_retryable(mapped):
        return None
    retry_after = _http.retry_after_seconds(getattr(mapped, "headers", None))
    cap = settings.retry_after_cap
    if retry_after is not None and cap is not None and retry_after > cap:
        return None
    delay = _http.backoff_delay(attempt, retry_after, cap_retry_after=cap)
    if p.deadline is not None and time.time() + delay >= p.deadline:
        return None
    return delay


def attempt_timeout(p: Any) -> Any:
    """This attempt's timeout: the call's, shortened to what is left of its deadline."""
    if p.deadline is None or isinstance(p.timeout, httpx.Timeout):
        return p.timeout
    left = p.deadline - time.time()
    return max(0.001, min(float(p.timeout), left))


# ---------------------------------------------------------------------------------------------------
# The wire
# ---------------------------------------------------------------------------------------------------


def wire_request(p: Any) -> WireRequest:
    req = p.request
    headers = req.headers
    if req.auth is not None:
        headers = {**headers, **req.auth.apply(req.method, req.url, headers, p.body or b"")}
    return WireRequest(req.method, req.url, headers, p.body, req.files)


async def awire_request(p: Any) -> WireRequest:
    req = p.request
    headers = req.headers
    if req.auth is not None:
        headers = {**headers, **(await req.auth.aapply(req.method, req.url, headers, p.body or b""))}
    return WireRequest(req.method, req.url, headers, p.body, req.files)


class Failed(Exception):
    """Internal: the final, mapped failure of a send (the caller logs and raises ``error``)."""

    def __init__(self, error: BaseException, cause: BaseException, attempts: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.cause = cause
        self.attempts = attempts


def _final(p: Any, exc: BaseException, attempt: int) -> float:
    """Map ``exc``; return the wait before the next attempt, or raise :class:`Failed`."""
    mapped = map_exception(exc, p.provider, p.model, p.adapter)
    delay = retry_delay(p, mapped, attempt)
    if delay is None:
        if attempt:
            try:
                mapped.num_retries = attempt  # type: ignore[attr-defined]
                mapped.max_retries = p.retries  # type: ignore[attr-defined]
            except Exception:
                pass
        raise Failed(mapped, exc, attempt)
    return delay


def send(p: Any) -> tuple[Any, Any, float]:
    """Send ``p`` until it succeeds or is final. Returns ``(reply, body or None when streamed, start)``;
    raises :class:`Failed`. A streamed reply is returned open, with a status below 400."""
    transport = sync_transport_for(p.client)
    attempt = 0
    while True:
        reply = None
        try:
            wire = wire_request(p)
            started = time.time()
            reply = transport.send(wire, timeout=attempt_timeout(p), stream=p.stream)
            if reply.status >= 400:
                p.ctx.end_time = time.time()  # the provider's answer time, before our own mapping work
                content = reply.read()
                reply.close()
                raise status_error(p, reply.status, content, reply.headers)
            if p.stream:
                return reply, None, started
            return reply, reply.read(), started
        except Exception as exc:
            if reply is not None and p.stream:
                reply.close()
            time.sleep(_final(p, exc, attempt))
            attempt += 1


async def asend(p: Any) -> tuple[Any, Any, float]:
    """The async twin of :func:`send` (same decisions, same result shape)."""
    transport = async_transport_for(p.client)
    attempt = 0
    while True:
        reply = None
        try:
            # without request auth nothing is awaited: no coroutine to make and run
            wire = wire_request(p) if p.request.auth is None else await awire_request(p)
            started = time.time()
            reply = await transport.send(wire, timeout=attempt_timeout(p), stream=p.stream)
            if reply.status >= 400:
                p.ctx.end_time = time.time()  # the provider's answer time, before our own mapping work
                content = await reply.read()
                raise status_error(p, reply.status, content, reply.headers)
            if p.stream:
                return reply, None, started
            return reply, await reply.read(), started
        except Exception as exc:
            if reply is not None:
                reply.release()
            await asyncio.sleep(_final(p, exc, attempt))
            attempt += 1
        except BaseException:  # cancelled while waiting: give the connection back, then propagate
            if reply is not None:
                reply.release()
            raise
