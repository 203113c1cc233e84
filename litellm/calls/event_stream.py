"""A stream of typed events read from an SSE reply (the Responses API's events, an assistants run's
events): iterated with ``for`` or ``async for``, logged once when it ends, fails or is closed.

A subclass turns each SSE event into objects for the caller (``_handle`` appends to ``_pending``, and
raises ``StreamErrorEvent`` for an in-band error) and names the final object the record is built from
(``_result``). Reading, decoding, error mapping, releasing the connection and the one terminal event are
here, once.

Must not: send (the pipeline opened the reply) or build provider requests.
"""

from __future__ import annotations

import asyncio
from typing import Any

from litellm.calls.spec import Prepared

__all__ = ["SSEEventStream"]


class SSEEventStream:
    def __init__(self, p: Prepared, reply: Any) -> None:
        from litellm.core.decoders import decoder_for

        self._p = p
        self._reply = reply
        self._decoder = decoder_for("sse")
        self._pending: list[Any] = []
        self._lines: Any = None
        self._done = False

    def _handle(self, name: str | None, text: str) -> None:
        """Turn one SSE event into caller-facing objects appended to ``self._pending``."""
        raise NotImplementedError

    def _result(self) -> Any:
        """The final object the call's record is built from (None while there is none)."""
        return None

    def _end(self, error: BaseException | None, incomplete: str | None = None) -> None:
        if self._done:
            return
        self._done = True
        from litellm.calls.pipeline import _finish_stream

        ctx = self._p.ctx
        ctx.chunks = None
        result = self._result()
        if result is not None:
            ctx.result = result
        elif error is None and incomplete is not None:
            ctx.incomplete = incomplete
        _finish_stream(ctx, error)

    def _fail(self, exc: BaseException) -> BaseException:
        from litellm.calls.send import map_exception

        mapped = map_exception(exc, self._p.provider, self._p.model, self._p.adapter)
        self._end(mapped)
        return mapped

    def _feed(self, line: bytes | None) -> bool:
        """Decode one line (None = the end of the body); False when the body is over."""
        events = self._decoder.flush() if line is None else self._decoder.feed(line)
        for name, text in events:
            self._handle(name, text)
        return line is not None

    def __iter__(self) -> SSEEventStream:
        return self

    def __next__(self) -> Any:
        while not self._pending:
            if self._done:
                raise StopIteration
            try:
                if self._lines is None:
                    self._lines = self._reply.iter_lines()
                more = self._feed(next(self._lines, None))
            except Exception as exc:
                self._reply.close()
                raise self._fail(exc) from exc
            if not more and not self._pending:
                self._reply.close()
                self._end(None)
                raise StopIteration
        return self._pending.pop(0)

    def __aiter__(self) -> SSEEventStream:
        return self

    async def __anext__(self) -> Any:
        while not self._pending:
            if self._done:
                raise StopAsyncIteration
            try:
                more = self._feed(await self._reply.readline() or None)
            except asyncio.CancelledError:
                self._reply.release()
                self._end(None, "cancelled")
                raise
            except Exception as exc:
                self._reply.release()
                raise self._fail(exc) from exc
            if not more and not self._pending:
                self._reply.release()
                self._end(None)
                raise StopAsyncIteration
        return self._pending.pop(0)

    def close(self) -> None:
        if self._p.is_async:
            self._reply.release()
        else:
            self._reply.close()
        self._end(None, "closed")

    async def aclose(self) -> None:
        self.close()

    def __del__(self) -> None:
        if not getattr(self, "_done", True):
            try:
                self.close()
            except Exception:
                pass
