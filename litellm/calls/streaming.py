"""Streaming: the wrapper users iterate (sync or async), and the assembly of chunks into one response.

The wrapper decodes SSE lines, lets the provider adapter turn each event into OpenAI-format chunk dicts,
hands typed ``ModelResponseStream`` chunks to the caller, and keeps the raw dicts (only when a callback
will want the assembled response). When the stream ends, fails, or is closed early, it reports to the
pipeline exactly once. Assembly (``assemble_chunks``) runs on the logging worker, not per chunk.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

from litellm.core.decoders import decoder_for
from litellm.core.types import ModelResponse, ModelResponseStream


class CustomStreamWrapper:
    """Iterate with ``for`` (sync calls) or ``async for`` (async calls); closing releases the connection.

    A stream that ends before the provider finished it (``break`` then close or garbage collection, an
    interrupt, a cancellation) is logged once as a success marked incomplete (``ctx.incomplete``: the
    reason), with what was received, its tokens counted and priced, and no finish reason invented.
    """

    def __init__(
        self,
        *,
        ctx: Any,
        adapter: Any,
        model: str,
        finish: Callable[[Any, BaseException | None], BaseException | None],
        map_error: Callable[[BaseException], BaseException],
        reply: Any = None,
        stream_format: str = "sse",
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
        self._reply = reply
        self._source: Iterator[bytes | None] | None = None
        self._mock = iter(mock_chunks) if mock_chunks is not None else None
        self._decoder: Any = decoder_for(stream_format) if mock_chunks is None else None
        self._pending: list[dict[str, Any]] = []
        self._collect = collect
        self._on_chunk = on_chunk
        self._hide_usage = hide_usage_only_chunk
        self._held: ModelResponseStream | None = None  # a finish chunk waiting for the hidden usage
        self._out: list[ModelResponseStream] = []
        self._done = False
        self._ended_by_provider = False
        self._saw_first = False
        self._last_key: Any = None
        self._repeats = 0
        self._hidden_params: dict[str, Any] = {
            "custom_llm_provider": getattr(ctx, "custom_llm_provider", None),
            "api_base": getattr(ctx, "api_base", None),
            "model_id": getattr(ctx, "model_id", None),
            "litellm_call_id": getattr(ctx, "litellm_call_id", None),
        }
        if reply is not None:
            from litellm.calls.pipeline import _headers_of_interest

            self._hidden_params["additional_headers"] = _headers_of_interest(reply.headers)
        if collect:
            ctx.chunks = []

    # ------------------------------------------------------------------ shared per-chunk work

    def _check_repeats(self, data: dict[str, Any]) -> None:
        """LiteLLM's REPEATED_STREAMING_CHUNK_LIMIT: a provider stuck sending the same content chunk is
        cut with an error instead of looping forever."""
        choices = data.get("choices")
        if not choices:
            return
        delta = choices[0].get("delta") or {}
        content = delta.get("content")
        if not content or len(content) <= 2:
            self._last_key, self._repeats = None, 0
            return
        if content == self._last_key:
            self._repeats += 1
            from litellm.core.settings import settings

            limit = settings.REPEATED_STREAMING_CHUNK_LIMIT
            if limit and self._repeats >= limit:
                from litellm.core.exceptions import InternalServerError

                raise InternalServerError(
                    f"The model is repeating the same chunk ({content[:40]!r}) {self._repeats + 1} times; "
                    "stream cut (litellm.REPEATED_STREAMING_CHUNK_LIMIT).",
                    getattr(self.ctx, "custom_llm_provider", None),
                    self.model,
                )
        else:
            self._last_key, self._repeats = content, 0

    def _emit(self, data: dict[str, Any]) -> ModelResponseStream | None:
        if self._collect:
            self.ctx.chunks.append(data)
        if not self._saw_first:
            self._saw_first = True
            self.ctx.completion_start_time = time.time()
        choices = data.get("choices")
        if self._hide_usage and not choices and data.get("usage"):
            held = self._held
            if held is not None:  # the provider's count travels with the last chunk, out of sight
                private: dict[str, Any] = held.__pydantic_private__  # type: ignore[assignment]
                private["_hidden_params"] = {
                    **(private.get("_hidden_params") or {}),
                    "usage": data["usage"],
                }
            return None
        self._check_repeats(data)
        chunk = ModelResponseStream.model_validate(data)
        if self._on_chunk is not None:
            self._on_chunk(chunk)
        return chunk

    def _end(self, error: BaseException | None, incomplete: str | None = None) -> BaseException | None:
        if self._done:
            return None
        self._done = True
        if error is None and incomplete is not None and not self._ended_by_provider:
            self.ctx.incomplete = incomplete
        return self._finish(self.ctx, error)

    def _next_ready(self) -> ModelResponseStream | None:
        """The next chunk to hand out, if one is decoded. With hidden usage, a finish chunk is held
        until the event after it (the usage chunk, in practice the same read) so it can carry it."""
        while self._pending:
            data = self._pending.pop(0)
            chunk = self._emit(data)
            if chunk is None:
                continue
            if self._hide_usage:
                choices = data.get("choices")
                if choices and choices[0].get("finish_reason"):
                    previous, self._held = self._held, chunk
                    if previous is not None:
                        return previous
                    continue
                if self._held is not None:  # something after the finish chunk: keep the order
                    previous, self._held = self._held, None
                    self._out.append(chunk)
                    return previous
            return chunk
        return None

    def _release_held(self) -> ModelResponseStream | None:
        held, self._held = self._held, None
        return held

    def _decode(self, data: bytes | None) -> bool:
        """Feed body bytes (a line for line-based framings); None = end. False when the body is over."""
        decoder = self._decoder
        if data is None:
            for event, text in decoder.flush():
                self._pending.extend(self._adapter.parse_stream_event(self._state, event, text))
            self._ended_by_provider = True
            return bool(self._pending)
        for event, text in decoder.feed(data):
            self._pending.extend(self._adapter.parse_stream_event(self._state, event, text))
        return True

    def _feed_mock(self) -> bool:
        data = next(self._mock, None)  # type: ignore[arg-type]
        if data is None:
            self._ended_by_provider = True
            return False
        self._pending.append(data)
        return True

    # ------------------------------------------------------------------ sync iteration

    def __iter__(self) -> CustomStreamWrapper:
        return self

    def __next__(self) -> ModelResponseStream:
        try:
            while True:
                chunk = self._take()
                if chunk is not None:
                    return chunk
                if self._done:
                    raise StopIteration
                try:
                    if self._mock is not None:
                        more = self._feed_mock()
                    else:
                        if self._source is None:
                            reply = self._reply
                            self._source = (
                                reply.iter_lines()
                                if self._decoder.line_based
                                else _with_end(reply.iter_bytes())
                            )
                        more = self._decode(next(self._source, None))
                except Exception as exc:
                    self._close_transport()
                    mapped = self._map_error(exc)
                    self._end(mapped)
                    raise mapped from exc
                if not more and not self._pending:
                    held = self._release_held()
                    self._close_transport()
                    self._end(None)
                    if held is not None:
                        return held
                    raise StopIteration
        except (KeyboardInterrupt, SystemExit):
            self._close_transport()
            self._end(None, "interrupted")
            raise

    def _take(self) -> ModelResponseStream | None:
        if self._out:
            return self._out.pop(0)
        return self._next_ready()

    def close(self) -> None:
        """Stop early: the connection is released and the call is logged with what arrived."""
        self._close_transport()
        self._end(None, "closed")

    def _close_transport(self) -> None:
        reply = self._reply
        if reply is not None and not self.ctx.is_async:
            self._reply = None
            reply.close()

    def __enter__(self) -> CustomStreamWrapper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ async iteration

    def __aiter__(self) -> CustomStreamWrapper:
        return self

    async def __anext__(self) -> ModelResponseStream:
        try:
            while True:
                chunk = self._take()
                if chunk is not None:
                    return chunk
                if self._done:
                    raise StopAsyncIteration
                try:
                    if self._mock is not None:
                        more = self._feed_mock()
                    elif self._decoder.line_based:
                        more = self._decode(await self._reply.readline() or None)
                    else:
                        more = self._decode(await self._reply.read_chunk() or None)
                except Exception as exc:
                    self._release_async()
                    mapped = self._map_error(exc)
                    self._end(mapped)
                    raise mapped from exc
                if not more and not self._pending:
                    held = self._release_held()
                    self._release_async()
                    self._end(None)
                    if held is not None:
                        return held
                    raise StopAsyncIteration
        except (asyncio.CancelledError, KeyboardInterrupt, SystemExit) as exc:
            self._release_async()
            self._end(None, "cancelled" if isinstance(exc, asyncio.CancelledError) else "interrupted")
            raise

    async def aclose(self) -> None:
        self._release_async()
        self._end(None, "closed")

    def _release_async(self) -> None:
        reply = self._reply
        if reply is not None and self.ctx.is_async:
            self._reply = None
            reply.release()

    async def __aenter__(self) -> CustomStreamWrapper:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __del__(self) -> None:
        # an abandoned stream still releases its connection and logs its call once
        if not getattr(self, "_done", True):
            try:
                if self.ctx.is_async:
                    self._release_async()
                else:
                    self._close_transport()
                self._end(None, "closed")
            except Exception:
                pass


def _with_end(chunks: Iterator[bytes]) -> Iterator[bytes | None]:
    for chunk in chunks:
        if chunk:
            yield chunk
    yield None


# ---------------------------------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------------------------------


def _as_dict(chunk: Any) -> dict[str, Any]:
    if isinstance(chunk, dict):
        return chunk
    return chunk.model_dump()


def assemble_chunks(
    chunks: list[Any], messages: list[dict[str, Any]] | None = None, *, incomplete: bool = False
) -> ModelResponse | None:
    """Rebuild the full response from OpenAI-format chunks (dicts or ModelResponseStream objects).

    Usage: the provider's own count when any chunk carries it (also the count a stream kept out of
    sight because the caller did not ask for ``include_usage``), else counted locally with the same
    rule as a non-streamed call (:func:`count_usage`). An ``incomplete`` stream keeps the finish
    reason the provider never sent empty."""
    if not chunks:
        return None
    first = _as_dict(chunks[0])
    by_index: dict[int, dict[str, Any]] = {}
    usage: Any = None
    system_fingerprint = None
    for raw in chunks:
        private = getattr(raw, "__pydantic_private__", None)
        if private:
            hidden_usage = (private.get("_hidden_params") or {}).get("usage")
            if hidden_usage:
                usage = hidden_usage
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
        finish = acc["finish_reason"] or (None if incomplete else "stop")
        choices.append({"index": idx, "message": message, "finish_reason": finish})
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


def count_text_tokens(model: str, text: Any) -> int:
    """Tokens in one input text (or token-id list), with the rule :func:`count_usage` uses."""
    if isinstance(text, list):
        return len(text)
    try:
        from litellm.cost.tokens import token_counter

        return int(token_counter(model=model, text=str(text)))
    except Exception:
        return len(str(text)) // 4


def stream_chunk_builder(
    chunks: list[Any], messages: list[dict[str, Any]] | None = None
) -> ModelResponse | None:
    """LiteLLM's public helper: rebuild the full response from the chunks a stream yielded, priced
    (``_hidden_params["response_cost"]``, None when the model has no price) as LiteLLM's is."""
    response = assemble_chunks(list(chunks), messages)
    if response is not None:
        from litellm.cost.calculator import completion_cost

        try:
            response._hidden_params["response_cost"] = completion_cost(completion_response=response)
        except Exception:  # an unpriced model: the cost is unknown, never a guess
            response._hidden_params["response_cost"] = None
    return response
