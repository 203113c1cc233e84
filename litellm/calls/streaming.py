"""Streaming: the wrapper users iterate (sync or async), and the assembly of chunks into one response.

The wrapper decodes SSE lines, lets the provider adapter turn each event into OpenAI-format chunk dicts,
hands typed ``ModelResponseStream`` chunks to the caller, and keeps the raw dicts (only when a callback
will want the assembled response). When the stream ends, fails, or is closed early, it reports to the
pipeline exactly once. Assembly (``assemble_chunks``) runs on the logging worker, not per chunk.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from litellm.core.sse import SSEDecoder
from litellm.core.types import ModelResponse, ModelResponseStream


class CustomStreamWrapper:
    """Iterate with ``for`` (sync calls) or ``async for`` (async calls); closing releases the connection."""

    def __init__(
        self,
        *,
        ctx: Any,
        adapter: Any,
        model: str,
        finish: Callable[[Any, BaseException | None], BaseException | None],
        map_error: Callable[[BaseException], BaseException],
        sync_response: Any = None,
        async_response: Any = None,
        mock_chunks: list[dict[str, Any]] | None = None,
        collect: bool = True,
        on_chunk: Callable[[Any], None] | None = None,
        hide_usage_only_chunk: bool = False,
    ) -> None:
        self.ctx = ctx
        self.model = model
        self.logging_obj = ctx  # LiteLLM exposes the call's logging object on its wrapper
        self._adapter = adapter
        self._state = adapter.new_stream_state(model) if adapter is not None else None
        self._finish = finish
        self._map_error = map_error
        self._sync_response = sync_response
        self._async_response = async_response
        self._lines: Iterator[bytes] | None = None
        self._mock = iter(mock_chunks) if mock_chunks is not None else None
        self._decoder = SSEDecoder()
        self._pending: list[dict[str, Any]] = []
        self._collect = collect
        self._on_chunk = on_chunk
        self._hide_usage_only = hide_usage_only_chunk
        self._done = False
        self._saw_first = False
        if collect:
            ctx.chunks = []

    # ------------------------------------------------------------------ shared per-chunk work

    def _emit(self, data: dict[str, Any]) -> ModelResponseStream | None:
        if self._collect:
            self.ctx.chunks.append(data)
        if not self._saw_first:
            self._saw_first = True
            self.ctx.completion_start_time = time.time()
        if self._hide_usage_only and not data.get("choices") and data.get("usage"):
            return None
        chunk = ModelResponseStream.model_validate(data)
        if self._on_chunk is not None:
            self._on_chunk(chunk)
        return chunk

    def _events_from_line(self, line: bytes) -> None:
        event = self._decoder.feed_line(line)
        if event is not None:
            self._pending.extend(self._adapter.parse_stream_event(self._state, event[0], event[1]))

    def _end(self, error: BaseException | None) -> BaseException | None:
        if self._done:
            return None
        self._done = True
        return self._finish(self.ctx, error)

    # ------------------------------------------------------------------ sync iteration

    def __iter__(self) -> CustomStreamWrapper:
        return self

    def _ready(self) -> ModelResponseStream | None:
        """The next chunk already decoded, if any (usage-only chunks we asked for are skipped)."""
        while self._pending:
            chunk = self._emit(self._pending.pop(0))
            if chunk is not None:
                return chunk
        return None

    def _feed(self, line: bytes | str | None) -> bool:
        """Feed one line (None = end of body); False when the stream is over."""
        if line is None or line == b"":
            tail = self._decoder.flush()
            if tail is not None:
                self._pending.extend(self._adapter.parse_stream_event(self._state, tail[0], tail[1]))
            return bool(self._pending)
        self._events_from_line(line)
        return True

    def _feed_mock(self) -> bool:
        data = next(self._mock, None)
        if data is None:
            return False
        self._pending.append(data)
        return True

    def __next__(self) -> ModelResponseStream:
        while True:
            chunk = self._ready()
            if chunk is not None:
                return chunk
            if self._done:
                raise StopIteration
            try:
                if self._mock is not None:
                    more = self._feed_mock()
                else:
                    if self._lines is None:
                        self._lines = self._sync_response.iter_lines()
                    more = self._feed(next(self._lines, None))
            except Exception as exc:
                self._close_transport()
                mapped = self._map_error(exc)
                self._end(mapped)
                raise mapped from exc
            if not more:
                self._close_transport()
                self._end(None)
                raise StopIteration

    def close(self) -> None:
        """Stop early: the connection is released and the call is logged with what arrived."""
        self._close_transport()
        self._end(None)

    def _close_transport(self) -> None:
        response = self._sync_response
        if response is not None:
            self._sync_response = None
            try:
                response.close()
            except Exception:
                pass

    def __enter__(self) -> CustomStreamWrapper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ async iteration

    def __aiter__(self) -> CustomStreamWrapper:
        return self

    async def __anext__(self) -> ModelResponseStream:
        while True:
            chunk = self._ready()
            if chunk is not None:
                return chunk
            if self._done:
                raise StopAsyncIteration
            try:
                if self._mock is not None:
                    more = self._feed_mock()
                else:
                    more = self._feed(await self._async_response.content.readline())
            except Exception as exc:
                self._release_async()
                mapped = self._map_error(exc)
                self._end(mapped)
                raise mapped from exc
            if not more:
                self._release_async()
                self._end(None)
                raise StopAsyncIteration

    async def aclose(self) -> None:
        self._release_async()
        self._end(None)

    def _release_async(self) -> None:
        response = self._async_response
        if response is not None:
            self._async_response = None
            try:
                response.release()
            except Exception:
                pass

    async def __aenter__(self) -> CustomStreamWrapper:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __del__(self) -> None:
        # an abandoned stream still releases its connection and logs its call once
        if not getattr(self, "_done", True):
            try:
                self._close_transport()
                self._release_async()
                self._end(None)
            except Exception:
                pass


# ---------------------------------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------------------------------


def _as_dict(chunk: Any) -> dict[str, Any]:
    if isinstance(chunk, dict):
        return chunk
    return chunk.model_dump()


def assemble_chunks(chunks: list[Any], messages: list[dict[str, Any]] | None = None) -> ModelResponse | None:
    """Rebuild the full response from OpenAI-format chunks (dicts or ModelResponseStream objects)."""
    if not chunks:
        return None
    first = _as_dict(chunks[0])
    by_index: dict[int, dict[str, Any]] = {}
    usage: Any = None
    system_fingerprint = None
    for raw in chunks:
        data = _as_dict(raw)
        if data.get("usage"):
            usage = data["usage"]  # the provider's own count (last one wins), even beside choices
        system_fingerprint = data.get("system_fingerprint") or system_fingerprint
        for choice in data.get("choices") or []:
            idx = choice.get("index", 0) or 0
            acc = by_index.setdefault(
                idx,
                {
                    "content": [],
                    "reasoning": [],
                    "tools": {},
                    "finish_reason": None,
                    "role": "assistant",
                    "thinking": [],
                },
            )
            delta = choice.get("delta") or {}
            if delta.get("role"):
                acc["role"] = delta["role"]
            if delta.get("content"):
                acc["content"].append(delta["content"])
            if delta.get("reasoning_content"):
                acc["reasoning"].append(delta["reasoning_content"])
            if delta.get("thinking_blocks"):
                acc["thinking"].extend(delta["thinking_blocks"])
            for tc in delta.get("tool_calls") or []:
                tidx = tc.get("index", 0) or 0
                slot = acc["tools"].setdefault(
                    tidx, {"id": None, "type": "function", "name": None, "args": []}
                )
                if tc.get("id"):
                    slot["id"] = tc["id"]
                fn = tc.get("function") or {}
                if fn.get("name"):
                    slot["name"] = fn["name"]
                if fn.get("arguments"):
                    slot["args"].append(fn["arguments"])
            if choice.get("finish_reason"):
                acc["finish_reason"] = choice["finish_reason"]
    choices = []
    for idx in sorted(by_index):
        acc = by_index[idx]
        message: dict[str, Any] = {"role": acc["role"], "content": "".join(acc["content"]) or None}
        if acc["tools"]:
            message["tool_calls"] = [
                {
                    "id": t["id"],
                    "type": "function",
                    "function": {"name": t["name"], "arguments": "".join(t["args"])},
                }
                for _, t in sorted(acc["tools"].items())
            ]
        if acc["reasoning"]:
            message["reasoning_content"] = "".join(acc["reasoning"])
        if acc["thinking"]:
            message["thinking_blocks"] = acc["thinking"]
        choices.append({"index": idx, "message": message, "finish_reason": acc["finish_reason"] or "stop"})
    counted = False
    if not usage:
        usage = count_usage(first.get("model") or "", messages, choices)
        counted = True
    response = ModelResponse.model_validate(
        {
            "id": first.get("id"),
            "created": first.get("created"),
            "model": first.get("model"),
            "object": "chat.completion",
            "system_fingerprint": system_fingerprint,
            "choices": choices
            or [{"index": 0, "message": {"role": "assistant", "content": None}, "finish_reason": "stop"}],
            "usage": usage,
        }
    )
    if counted:
        response._hidden_params["usage_counted"] = True
    return response


def count_usage(
    model: str, messages: list[dict[str, Any]] | None, choices: list[dict[str, Any]]
) -> dict[str, int]:
    """No usage from the provider: count locally (marked as counted in the payload)."""
    completion_text = "".join(
        (c["message"].get("content") or "")
        + "".join(
            (t.get("function") or {}).get("arguments") or ""
            for t in c.get("message", {}).get("tool_calls") or []
        )
        for c in choices
    )
    try:
        from litellm.cost.tokens import token_counter

        prompt = token_counter(model=model, messages=messages or [])
        completion = token_counter(model=model, text=completion_text, count_response_tokens=True)
    except Exception:
        prompt = sum(len(str(m.get("content") or "")) for m in messages or []) // 4
        completion = len(completion_text) // 4
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def stream_chunk_builder(
    chunks: list[Any], messages: list[dict[str, Any]] | None = None
) -> ModelResponse | None:
    """LiteLLM's public helper: rebuild the full response from the chunks a stream yielded."""
    return assemble_chunks(list(chunks), messages)
