"""Anthropic Messages wire format of the fake provider: request checks and response bodies.

Owns the ``message`` JSON (text, ``thinking`` and ``tool_use`` content blocks, stop reasons, usage with
``cache_creation_input_tokens`` / ``cache_read_input_tokens``) and the SSE event sequence the Messages
API documents: ``message_start``, ``content_block_start``, ``ping``, ``content_block_delta``
(``text_delta``, ``input_json_delta``, ``thinking_delta``, ``signature_delta``),
``content_block_stop``, ``message_delta`` (stop reason and output tokens), ``message_stop``, and the
in-stream ``error`` event. Also the prompt-cache bookkeeping: the first request with a given
``cache_control`` prefix writes the cache, later ones read it.

Must not import aiohttp, sleep or decide injected faults (``faults`` and ``app`` do).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from litellm.fake_provider import content
from litellm.fake_provider.faults import Controls, anthropic_error

_dumps = content.compact_json


class PromptCache:
    """Which ``cache_control`` prefixes were already seen, so usage reports a write, then reads.

    Touched only on the server's loop thread. Bounded: past ``max_entries`` it starts over.
    """

    def __init__(self, max_entries: int = 10_000) -> None:
        self._seen: set[str] = set()
        self._max = max_entries

    def hit(self, key: str) -> bool:
        if key in self._seen:
            return True
        if len(self._seen) >= self._max:
            self._seen.clear()
        self._seen.add(key)
        return False

    def clear(self) -> None:
        self._seen.clear()


@dataclass(slots=True)
class MessagePlan:
    model: str
    thinking: list[str] = field(default_factory=list)
    pieces: list[str] = field(default_factory=list)
    tool_calls: list[content.ToolCall] = field(default_factory=list)
    stop_reason: str = "end_turn"
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation: int = 0
    cache_read: int = 0


def validate(body: Mapping[str, Any]) -> dict[str, Any] | None:
    """The 400 body for a request the real API would refuse, else ``None``."""
    for name in ("model", "messages", "max_tokens"):
        if name not in body:
            return anthropic_error(400, message=f"{name}: Field required")
    if not isinstance(body["messages"], list):
        return anthropic_error(400, message="messages: Input should be a valid list")
    thinking = body.get("thinking")
    if isinstance(thinking, Mapping) and thinking.get("type") == "enabled":
        budget = thinking.get("budget_tokens")
        if isinstance(budget, int) and isinstance(body["max_tokens"], int) and budget >= body["max_tokens"]:
            return anthropic_error(400, message="`max_tokens` must be greater than `thinking.budget_tokens`.")
    return None


def _blocks(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if value is None:
        return []
    return [value]


def _prompt_segments(body: Mapping[str, Any]) -> list[tuple[str, bool]]:
    """The prompt as (text, ends-a-cache-breakpoint) segments, in the API's cache order:
    tools, then system, then messages."""
    segments: list[tuple[str, bool]] = []
    for tool in body.get("tools") or ():
        if isinstance(tool, Mapping):
            segments.append((_dumps(tool), "cache_control" in tool))
    for block in _blocks(body.get("system")):
        if isinstance(block, Mapping):
            segments.append((content.text_of([block]), "cache_control" in block))
        else:
            segments.append((str(block), False))
    for message in body.get("messages") or ():
        if not isinstance(message, Mapping):
            continue
        raw = message.get("content")
        if isinstance(raw, list):
            for block in raw:
                marked = isinstance(block, Mapping) and "cache_control" in block
                segments.append((content.text_of([block]), marked))
        else:
            segments.append((content.text_of(raw), False))
    return segments


def _tokens_and_cache(
    body: Mapping[str, Any], controls: Controls, cache: PromptCache
) -> tuple[int, int, int]:
    """(uncached input tokens, cache-creation tokens, cache-read tokens)."""
    segments = _prompt_segments(body)
    total = sum(content.estimate_tokens(text) for text, _ in segments) + 3 * len(body.get("messages") or ())
    prefix_tokens, prefix_end = 0, -1
    running = 0
    for i, (text, marked) in enumerate(segments):
        running += content.estimate_tokens(text)
        if marked:
            prefix_tokens, prefix_end = running, i
    if prefix_end < 0 or controls.cache == "none":
        return total, 0, 0
    if controls.cache in ("read", "write"):
        read = controls.cache == "read"
    else:
        digest = hashlib.sha256(str(body.get("model")).encode())
        for text, _ in segments[: prefix_end + 1]:
            digest.update(text.encode())
        read = cache.hit(digest.hexdigest())
    uncached = total - prefix_tokens
    return (uncached, 0, prefix_tokens) if read else (uncached, prefix_tokens, 0)


def plan_message(
    body: Mapping[str, Any], controls: Controls, default_chunks: int, cache: PromptCache
) -> MessagePlan:
    plan = MessagePlan(model=str(body.get("model") or ""))
    plan.input_tokens, plan.cache_creation, plan.cache_read = _tokens_and_cache(body, controls, cache)

    thinking = body.get("thinking")
    if isinstance(thinking, Mapping) and thinking.get("type") in ("enabled", "adaptive"):
        plan.thinking = content.thinking_pieces()

    choice = body.get("tool_choice")
    tool_choice: Mapping[str, Any] = choice if isinstance(choice, Mapping) else {}
    kind = tool_choice.get("type", "auto")
    tools = body.get("tools")
    if kind != "none" and isinstance(tools, list):
        forced = tool_choice.get("name") if kind == "tool" else None
        plan.tool_calls = content.choose_tool_calls(
            tools,
            forced,
            kind in ("any", "tool"),
            content.last_user_text(body.get("messages") or []),
            id_prefix="toolu_",
            schema_key="input_schema",
        )

    output = len(plan.thinking)
    if plan.tool_calls:
        plan.stop_reason = "tool_use"
        output += sum(content.estimate_tokens(c.arguments) + 1 for c in plan.tool_calls)
    else:
        words = controls.chunks or default_chunks
        limit = body.get("max_tokens")
        room = limit - output if isinstance(limit, int) else words
        if 0 < room < words:
            words, plan.stop_reason = room, "max_tokens"
        plan.pieces = content.reply_pieces(words)
        output += words
    plan.output_tokens = output
    return plan


def _usage(plan: MessagePlan, output_tokens: int) -> dict[str, Any]:
    return {
        "input_tokens": plan.input_tokens,
        "cache_creation_input_tokens": plan.cache_creation,
        "cache_read_input_tokens": plan.cache_read,
        "cache_creation": {"ephemeral_5m_input_tokens": plan.cache_creation, "ephemeral_1h_input_tokens": 0},
        "output_tokens": output_tokens,
        "service_tier": "standard",
    }


def message_json(plan: MessagePlan) -> bytes:
    blocks: list[dict[str, Any]] = []
    if plan.thinking:
        text = "".join(plan.thinking)
        blocks.append({"type": "thinking", "thinking": text, "signature": content.thinking_signature(text)})
    if plan.tool_calls:
        blocks.extend(
            {"type": "tool_use", "id": c.id, "name": c.name, "input": json.loads(c.arguments)}
            for c in plan.tool_calls
        )
    else:
        blocks.append({"type": "text", "text": "".join(plan.pieces)})
    body = {
        "id": content.new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": plan.model,
        "content": blocks,
        "stop_reason": plan.stop_reason,
        "stop_sequence": None,
        "usage": _usage(plan, plan.output_tokens),
    }
    return _dumps(body).encode()


def _event(name: str, data: Mapping[str, Any]) -> bytes:
    return f"event: {name}\ndata: {_dumps(data)}\n\n".encode()


def message_stream(plan: MessagePlan) -> list[bytes]:
    """Every SSE event of a streamed message, ``message_stop`` last."""
    start: dict[str, Any] = {
        "id": content.new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": plan.model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": _usage(plan, 1),
    }
    out = [_event("message_start", {"type": "message_start", "message": start})]
    index = 0

    def block(opening: dict[str, Any], deltas: list[dict[str, Any]]) -> None:
        nonlocal index
        out.append(
            _event(
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": opening},
            )
        )
        if index == 0:
            out.append(_event("ping", {"type": "ping"}))
        for delta in deltas:
            out.append(
                _event("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
            )
        out.append(_event("content_block_stop", {"type": "content_block_stop", "index": index}))
        index += 1

    if plan.thinking:
        signature = content.thinking_signature("".join(plan.thinking))
        deltas = [{"type": "thinking_delta", "thinking": piece} for piece in plan.thinking]
        deltas.append({"type": "signature_delta", "signature": signature})
        block({"type": "thinking", "thinking": "", "signature": ""}, deltas)
    if plan.tool_calls:
        for call in plan.tool_calls:
            deltas = [
                {"type": "input_json_delta", "partial_json": part}
                for part in content.split_json(call.arguments)
            ]
            block({"type": "tool_use", "id": call.id, "name": call.name, "input": {}}, deltas)
    else:
        block({"type": "text", "text": ""}, [{"type": "text_delta", "text": piece} for piece in plan.pieces])

    out.append(
        _event(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": plan.stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": plan.output_tokens},
            },
        )
    )
    out.append(_event("message_stop", {"type": "message_stop"}))
    return out


def stream_error_event() -> bytes:
    # The in-stream error carries no request_id, unlike the HTTP error body.
    return _event("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})


def count_tokens_json(body: Mapping[str, Any]) -> bytes:
    segments = _prompt_segments(body)
    total = sum(content.estimate_tokens(text) for text, _ in segments) + 3 * len(body.get("messages") or ())
    return _dumps({"input_tokens": total}).encode()
