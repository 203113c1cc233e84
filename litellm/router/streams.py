"""The stream the Router hands back: the pipeline's stream wrapper, its first chunk already read.

The Router reads the first chunk before returning, so a stream that fails before producing anything is
retried or falls back like any other failure; after that the stream is the caller's and a failure is
final. This wrapper replays the first chunk, passes the rest through, and tells the Router once when the
stream ends (its usage, or an estimate, for tpm and budgets; total latency; the in-flight slot). Everything else (``.model``,
``.logging_obj``, ``completion_stream`` users) is the inner wrapper's, reached through ``__getattr__``.

Must not buffer, re-order or alter chunks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["END", "RouterStream"]

END = object()  # "the stream ended before its first chunk"


def _usage_tokens(usage: Any) -> int:
    if usage is None:
        return 0
    total = usage.get("total_tokens") if isinstance(usage, dict) else getattr(usage, "total_tokens", None)
    return int(total or 0)


class RouterStream:
    """Iterate with ``for`` or ``async for``, as the inner stream."""

    def __init__(
        self,
        inner: Any,
        first: Any,
        on_end: Callable[[BaseException | None, Any], None],
        prompt_tokens: int = 0,
    ) -> None:
        self._inner = inner
        self._first = first
        self._on_end: Callable[[BaseException | None, Any], None] | None = on_end
        self._usage: Any = None
        self._chunks = 0
        self._prompt_tokens = prompt_tokens

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["_inner"], name)

    def _end(self, error: BaseException | None) -> None:
        on_end, self._on_end = self._on_end, None
        if on_end is None:
            return
        usage = self._usage
        if usage is None:  # usage-only chunks may have been hidden from the caller; the context has them
            for chunk in reversed(getattr(getattr(self._inner, "ctx", None), "chunks", None) or []):
                if isinstance(chunk, dict) and chunk.get("usage"):
                    usage = chunk["usage"]
                    break
        if usage is None:  # no usage reached us: estimate (a chunk is about one token)
            usage = {
                "prompt_tokens": self._prompt_tokens,
                "completion_tokens": self._chunks,
                "total_tokens": self._prompt_tokens + self._chunks,
            }
        try:
            on_end(error, usage)
        except Exception:  # bookkeeping must never break the caller's iteration
            pass

    def _seen(self, chunk: Any) -> Any:
        self._chunks += 1
        usage = getattr(chunk, "usage", None)
        if usage is not None and _usage_tokens(usage):
            self._usage = usage
        return chunk

    # sync
    def __iter__(self) -> RouterStream:
        return self

    def __next__(self) -> Any:
        first = self._first
        if first is not END and first is not None:
            self._first = None
            return self._seen(first)
        if first is END:
            self._end(None)
            raise StopIteration
        try:
            return self._seen(next(self._inner))
        except StopIteration:
            self._end(None)
            raise
        except Exception as exc:
            self._end(exc)
            raise

    def close(self) -> None:
        try:
            close = getattr(self._inner, "close", None)
            if close is not None:
                close()
        finally:
            self._end(None)

    def __enter__(self) -> RouterStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # async
    def __aiter__(self) -> RouterStream:
        return self

    async def __anext__(self) -> Any:
        first = self._first
        if first is not END and first is not None:
            self._first = None
            return self._seen(first)
        if first is END:
            self._end(None)
            raise StopAsyncIteration
        try:
            return self._seen(await self._inner.__anext__())
        except StopAsyncIteration:
            self._end(None)
            raise
        except Exception as exc:
            self._end(exc)
            raise

    async def aclose(self) -> None:
        try:
            aclose = getattr(self._inner, "aclose", None)
            if aclose is not None:
                await aclose()
        finally:
            self._end(None)

    async def __aenter__(self) -> RouterStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __del__(self) -> None:
        if self.__dict__.get("_on_end") is not None:
            self._end(None)
