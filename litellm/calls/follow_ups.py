"""Chat calls whose answer takes more than one request: an adapter with ``follow_up_request`` (Replicate)
creates a job first, then is polled until it finishes, or has its stream opened at a second URL.

Owns :func:`enrich` / :func:`aenrich` (a non-streamed call: while the parsed answer is pending, wait the
adapter's ``poll_interval_s`` and send its poll request on the same send path, with the same retries,
credentials and deadline; the finished answer replaces the pending one in place, so the caller, the
cost and the one logging event see the final answer) and :func:`make_stream` (a streamed call: the
create reply is read, the adapter's stream request is sent, and the usual chat stream wrapper runs over
the second reply; sync, or lazily on the first ``__anext__`` for async). Adapters without
``follow_up_request`` pass through untouched, so these can be the completion spec's hooks for every
provider (``COMPLETION = CallSpec(..., enrich=enrich, aenrich=aenrich, make_stream=make_stream)``).

Must not: build provider requests (adapters do) or emit events itself (the pipeline's finishers do).
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
from typing import Any

from litellm.calls.send import Failed, asend, map_exception, send
from litellm.calls.spec import Prepared

__all__ = ["aenrich", "enrich", "make_stream"]

_DEFAULT_WAIT_S = 600.0


def _follow(p: Prepared) -> Any:
    return getattr(p.adapter, "follow_up_request", None)


def _sub(p: Prepared, request: Any, *, stream: bool) -> Prepared:
    q = copy.copy(p)
    q.request = request
    q.body = json.dumps(request.body).encode() if request.body is not None else request.content
    q.stream = stream
    return q


def _deadline(p: Prepared) -> float:
    if p.deadline is not None:
        return p.deadline
    timeout = p.timeout if isinstance(p.timeout, (int, float)) else _DEFAULT_WAIT_S
    return p.ctx.start_time + float(timeout)


def _timeout_error(p: Prepared, parsed: Any) -> Exception:
    from litellm.core.exceptions import Timeout

    job = parsed.get("id") if isinstance(parsed, dict) else None
    return Timeout(
        f"{p.provider} job {job} had not finished when the call's timeout ran out; pass a longer timeout=",
        p.model,
        p.provider,
    )


def _apply(p: Prepared, result: Any, parsed: dict[str, Any], started: float, headers: Any) -> None:
    from litellm.calls.pipeline import _build_response

    final = _build_response(parsed, p.ctx, started, headers)
    for name in type(final).model_fields:
        setattr(result, name, getattr(final, name))
    if result.__pydantic_extra__ is not None:
        result.__pydantic_extra__.clear()
        result.__pydantic_extra__.update(final.__pydantic_extra__ or {})
        for key in [k for k in result.__pydantic_extra__ if k.startswith("_")]:
            del result.__pydantic_extra__[key]
    result.__pydantic_private__.update(final.__pydantic_private__)


def enrich(p: Prepared, result: Any) -> None:
    """Poll a pending answer until it finishes (sync)."""
    follow = _follow(p)
    if follow is None:
        return
    parsed = p.ctx.raw_response
    interval = float(getattr(p.adapter, "poll_interval_s", 0.5))
    deadline = _deadline(p)
    started, headers = time.time(), None
    while (request := follow(p.model, parsed, p.creds, stream=False)) is not None:
        if time.time() + interval >= deadline:
            raise _timeout_error(p, parsed)
        time.sleep(interval)
        try:
            reply, content, started = send(_sub(p, request, stream=False))
        except Failed as failed:
            raise failed.error from failed.cause
        headers = reply.headers
        parsed = p.adapter.parse_response(p.model, json.loads(content))
    if parsed is not p.ctx.raw_response:
        _apply(p, result, parsed, started, headers)


def aenrich(p: Prepared, result: Any) -> Any:
    """Poll a pending answer until it finishes (async): the coroutine to await, None when the adapter
    has no follow-up (every adapter but Replicate's: no coroutine is made per call)."""
    follow = _follow(p)
    if follow is None:
        return None
    return _apoll(p, result, follow)


async def _apoll(p: Prepared, result: Any, follow: Any) -> None:
    parsed = p.ctx.raw_response
    interval = float(getattr(p.adapter, "poll_interval_s", 0.5))
    deadline = _deadline(p)
    started, headers = time.time(), None
    while (request := follow(p.model, parsed, p.creds, stream=False)) is not None:
        if time.time() + interval >= deadline:
            raise _timeout_error(p, parsed)
        await asyncio.sleep(interval)
        try:
            reply, content, started = await asend(_sub(p, request, stream=False))
        except Failed as failed:
            raise failed.error from failed.cause
        headers = reply.headers
        parsed = p.adapter.parse_response(p.model, json.loads(content))
    if parsed is not p.ctx.raw_response:
        _apply(p, result, parsed, started, headers)


def _fail(p: Prepared, exc: BaseException) -> BaseException:
    from litellm.calls.pipeline import _finish_failure

    mapped = exc.error if isinstance(exc, Failed) else map_exception(exc, p.provider, p.model, p.adapter)
    _finish_failure(p.ctx, mapped, p.attempt)
    return mapped


def _finished_stream(p: Prepared, parsed: dict[str, Any]) -> Any:
    """The job finished in the create reply: its answer, replayed as chunks."""
    from litellm.calls.pipeline import _mock_chunks, _stream_wrapper

    return _stream_wrapper(p, mock_chunks=_mock_chunks(parsed, True))


def make_stream(p: Prepared, reply: Any, mock_chunks: Any) -> Any:
    """The stream the caller iterates (the chat wrapper, over the follow-up reply when there is one)."""
    from litellm.calls.pipeline import _stream_wrapper

    follow = _follow(p)
    if follow is None or reply is None or mock_chunks is not None:
        return _stream_wrapper(p, reply=reply, mock_chunks=mock_chunks)
    if p.is_async:
        return _AsyncFollowUpStream(p, reply, follow)
    try:
        try:
            content = reply.read()
        finally:
            reply.close()
        parsed = p.adapter.parse_response(p.model, json.loads(content))
        request = follow(p.model, parsed, p.creds, stream=True)
        if request is None:
            return _finished_stream(p, parsed)
        q = _sub(p, request, stream=True)
        second, _content, _started = send(q)
    except BaseException as exc:
        raise _fail(p, exc) from exc
    return _stream_wrapper(q, reply=second)


class _AsyncFollowUpStream:
    """An async stream that opens its follow-up request on the first ``__anext__`` (``make_stream`` is
    called synchronously, and the second request must be awaited)."""

    def __init__(self, p: Prepared, reply: Any, follow: Any) -> None:
        self._p = p
        self._reply = reply
        self._follow = follow
        self._inner: Any = None

    async def _open(self) -> Any:
        from litellm.calls.pipeline import _stream_wrapper

        p = self._p
        try:
            try:
                content = await self._reply.read()
            finally:
                self._reply.release()
            parsed = p.adapter.parse_response(p.model, json.loads(content))
            request = self._follow(p.model, parsed, p.creds, stream=True)
            if request is None:
                return _finished_stream(p, parsed)
            q = _sub(p, request, stream=True)
            second, _content, _started = await asend(q)
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError):
                raise
            raise _fail(p, exc) from exc
        return _stream_wrapper(q, reply=second)

    def __aiter__(self) -> _AsyncFollowUpStream:
        return self

    async def __anext__(self) -> Any:
        if self._inner is None:
            self._inner = await self._open()
        return await self._inner.__anext__()

    async def aclose(self) -> None:
        if self._inner is not None:
            await self._inner.aclose()
        else:
            self._reply.release()

    async def __aenter__(self) -> _AsyncFollowUpStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __getattr__(self, name: str) -> Any:
        if self._inner is None:
            raise AttributeError(f"{name!r} is available once the stream has started")
        return getattr(self._inner, name)
