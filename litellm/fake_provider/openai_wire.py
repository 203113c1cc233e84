"""OpenAI (and Azure OpenAI) wire format of the fake provider: request reading and response bodies.

Owns the shapes of ``chat.completion`` / ``chat.completion.chunk`` (including the ``choices: []`` usage
chunk of ``stream_options.include_usage`` and Azure's leading ``prompt_filter_results`` chunk),
``text_completion``, the embeddings list (float or base64) and the models list, as the OpenAI API
reference documents them. Stream events are returned as ready-to-send ``bytes`` so the server only
writes them; hot pieces are cached because the benchmarks measure our client against this server.

Must not import aiohttp, sleep or decide faults (``faults`` and ``app`` do).
"""

from __future__ import annotations

import base64
import random
import struct
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from litellm.fake_provider import content
from litellm.fake_provider.faults import Controls

DONE = b"data: [DONE]\n\n"
FINGERPRINT = "fp_fake"
_dumps = content.compact_json

_AZURE_FILTERS = {
    name: {"filtered": False, "severity": "safe"} for name in ("hate", "self_harm", "sexual", "violence")
}
_AZURE_PROMPT_FILTERS = [{"prompt_index": 0, "content_filter_results": _AZURE_FILTERS}]
_REASONING_TOKENS = {"minimal": 8, "low": 16, "medium": 32, "high": 64}


@dataclass(slots=True)
class ChatPlan:
    """What the fake model answers to one chat request, before it is put on the wire."""

    model: str
    n: int
    pieces: list[str]  # content pieces (stream chunks); joined they are the message content
    finish_reason: str
    tool_calls: list[content.ToolCall] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    cached_tokens: int = 0

    @property
    def text(self) -> str | None:
        return None if self.tool_calls else "".join(self.pieces)


def _forced_tool(tool_choice: Any) -> tuple[str | None, bool]:
    """(forced tool name, tool required) from OpenAI's ``tool_choice``."""
    if isinstance(tool_choice, Mapping):
        fn = tool_choice.get("function")
        if isinstance(fn, Mapping) and isinstance(fn.get("name"), str):
            return fn["name"], True
        return None, False
    return None, tool_choice == "required"


def _json_reply(response_format: Any) -> str | None:
    if not isinstance(response_format, Mapping):
        return None
    kind = response_format.get("type")
    if kind == "json_schema":
        spec = response_format.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
        return _dumps(content.value_for_schema(schema or {"type": "object"}))
    if kind == "json_object":
        return _dumps({"message": "Hello from the fake provider!"})
    return None


def plan_chat(body: Mapping[str, Any], controls: Controls, default_chunks: int) -> ChatPlan:
    messages = body.get("messages") or []
    model = str(body.get("model") or "")
    n = body.get("n") or 1
    n = n if isinstance(n, int) and 1 <= n <= 16 else 1
    prompt_tokens = content.prompt_tokens_of(messages)
    if body.get("tools"):
        prompt_tokens += content.estimate_tokens(_dumps(body["tools"]))

    tool_choice = body.get("tool_choice")
    calls: list[content.ToolCall] = []
    if tool_choice != "none" and isinstance(body.get("tools"), list):
        forced, required = _forced_tool(tool_choice)
        calls = content.choose_tool_calls(
            body["tools"],
            forced,
            required,
            content.last_user_text(messages),
            id_prefix="call_",
            schema_key="parameters",
        )

    reasoning = _REASONING_TOKENS.get(str(body.get("reasoning_effort") or ""), 0)
    cached = min(controls.cached_tokens or 0, prompt_tokens)
    if calls:
        completion = sum(content.estimate_tokens(c.arguments) + 1 for c in calls)
        return ChatPlan(
            model, n, [], "tool_calls", calls, prompt_tokens, completion + reasoning, reasoning, cached
        )

    json_text = _json_reply(body.get("response_format"))
    if json_text is not None:
        pieces = content.split_json(json_text, controls.chunks or 3)
        completion = content.estimate_tokens(json_text)
        return ChatPlan(
            model, n, pieces, "stop", [], prompt_tokens, completion + reasoning, reasoning, cached
        )

    words = controls.chunks or default_chunks
    finish = "stop"
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    if isinstance(limit, int) and 0 < limit < words:
        words, finish = limit, "length"
    return ChatPlan(
        model, n, list(_pieces(words)), finish, [], prompt_tokens, words + reasoning, reasoning, cached
    )


@lru_cache(maxsize=64)
def _pieces(words: int) -> tuple[str, ...]:
    return tuple(content.reply_pieces(words))


@lru_cache(maxsize=64)
def _piece_json(words: int) -> tuple[str, ...]:
    # The JSON-encoded pieces of the default reply: encoded once, reused by every streamed request.
    return tuple(_dumps(p) for p in _pieces(words))


def usage(plan: ChatPlan) -> dict[str, Any]:
    completion = plan.completion_tokens * plan.n
    return {
        "prompt_tokens": plan.prompt_tokens,
        "completion_tokens": completion,
        "total_tokens": plan.prompt_tokens + completion,
        "prompt_tokens_details": {"cached_tokens": plan.cached_tokens, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": plan.reasoning_tokens * plan.n,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def _tool_call_dicts(calls: list[content.ToolCall]) -> list[dict[str, Any]]:
    return [
        {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
        for c in calls
    ]


def chat_json(plan: ChatPlan, *, azure: bool = False) -> bytes:
    message: dict[str, Any] = {"role": "assistant", "content": plan.text, "refusal": None, "annotations": []}
    if plan.tool_calls:
        message["tool_calls"] = _tool_call_dicts(plan.tool_calls)
    choices = []
    for i in range(plan.n):
        choice: dict[str, Any] = {
            "index": i,
            "message": message,
            "logprobs": None,
            "finish_reason": plan.finish_reason,
        }
        if azure:
            choice["content_filter_results"] = _AZURE_FILTERS
        choices.append(choice)
    body: dict[str, Any] = {
        "id": content.new_id("chatcmpl-"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": plan.model,
        "system_fingerprint": FINGERPRINT,
        "choices": choices,
        "usage": usage(plan),
        "service_tier": "default",
    }
    if azure:
        body["prompt_filter_results"] = _AZURE_PROMPT_FILTERS
    return _dumps(body).encode()


def chat_stream(plan: ChatPlan, *, include_usage: bool, azure: bool = False) -> list[bytes]:
    """Every SSE event of a streamed chat completion, ``data: [DONE]`` last."""
    head = _dumps(
        {
            "id": content.new_id("chatcmpl-"),
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": plan.model,
            "system_fingerprint": FINGERPRINT,
        }
    )[:-1]  # an open object: each event appends its own "choices" (and "usage") and closes it
    tail = ',"usage":null}\n\n' if include_usage else "}\n\n"
    events: list[str] = []
    if azure:
        events.append(
            "data: "
            + _dumps(
                {
                    "choices": [],
                    "created": 0,
                    "id": "",
                    "model": "",
                    "object": "",
                    "prompt_filter_results": _AZURE_PROMPT_FILTERS,
                }
            )
            + "\n\n"
        )

    def choice(index: int, delta: str, finish: str | None = None) -> str:
        finish_json = "null" if finish is None else f'"{finish}"'
        return f'{{"index":{index},"delta":{delta},"logprobs":null,"finish_reason":{finish_json}}}'

    def event(*choices: str) -> str:
        return f'data: {head},"choices":[{",".join(choices)}]{tail}'

    indices = range(plan.n)
    events.append(event(*(choice(i, '{"role":"assistant","content":"","refusal":null}') for i in indices)))
    if plan.tool_calls:
        for position, call in enumerate(plan.tool_calls):
            opening = _dumps(
                {
                    "tool_calls": [
                        {
                            "index": position,
                            "id": call.id,
                            "type": "function",
                            "function": {"name": call.name, "arguments": ""},
                        }
                    ]
                }
            )
            events.append(event(*(choice(i, opening) for i in indices)))
            for fragment in content.split_json(call.arguments):
                delta = _dumps({"tool_calls": [{"index": position, "function": {"arguments": fragment}}]})
                events.append(event(*(choice(i, delta) for i in indices)))
    else:
        cached = _pieces(len(plan.pieces))
        encoded = (
            _piece_json(len(plan.pieces))
            if tuple(plan.pieces) == cached
            else [_dumps(p) for p in plan.pieces]
        )
        for piece in encoded:
            delta = '{"content":' + piece + "}"
            events.append(event(*(choice(i, delta) for i in indices)))
    events.append(event(*(choice(i, "{}", plan.finish_reason) for i in indices)))
    if include_usage:
        events.append(f'data: {head},"choices":[],"usage":{_dumps(usage(plan))}}}\n\n')
    out = [e.encode() for e in events]
    out.append(DONE)
    return out


def stream_error_event(status: int, model: str) -> bytes:
    from litellm.fake_provider.faults import openai_error

    return b"data: " + _dumps(openai_error(status, model)).encode() + b"\n\n"


# --- text completions ---------------------------------------------------------------------------------


def completion_json(
    model: str, prompt: Any, controls: Controls, default_chunks: int, max_tokens: Any
) -> bytes:
    pieces, finish = _text_pieces(controls, default_chunks, max_tokens)
    prompt_tokens = content.estimate_tokens(
        content.text_of(prompt if not isinstance(prompt, list) else " ".join(map(str, prompt)))
    )
    body = {
        "id": content.new_id("cmpl-"),
        "object": "text_completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": FINGERPRINT,
        "choices": [{"text": "".join(pieces), "index": 0, "logprobs": None, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(pieces),
            "total_tokens": prompt_tokens + len(pieces),
        },
    }
    return _dumps(body).encode()


def completion_stream(model: str, controls: Controls, default_chunks: int, max_tokens: Any) -> list[bytes]:
    pieces, finish = _text_pieces(controls, default_chunks, max_tokens)
    base = {
        "id": content.new_id("cmpl-"),
        "object": "text_completion",
        "created": int(time.time()),
        "model": model,
    }
    out = []
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        choice = {"text": piece, "index": 0, "logprobs": None, "finish_reason": finish if last else None}
        out.append(b"data: " + _dumps({**base, "choices": [choice]}).encode() + b"\n\n")
    out.append(DONE)
    return out


def _text_pieces(controls: Controls, default_chunks: int, max_tokens: Any) -> tuple[list[str], str]:
    words = controls.chunks or default_chunks
    if isinstance(max_tokens, int) and 0 < max_tokens < words:
        return list(_pieces(max_tokens)), "length"
    return list(_pieces(words)), "stop"


# --- embeddings and models ----------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _vector(text: str, dims: int) -> tuple[float, ...]:
    # Seeded by the text, so equal inputs embed equally and different inputs differ; unit length like
    # the real models, so cosine similarity behaves.
    rng = random.Random(text)
    raw = [rng.uniform(-1.0, 1.0) for _ in range(dims)]
    norm = sum(x * x for x in raw) ** 0.5 or 1.0
    return tuple(x / norm for x in raw)


def _inputs(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        if value and all(isinstance(x, int) for x in value):
            return [" ".join(map(str, value))]  # one pre-tokenised input
        return [x if isinstance(x, str) else " ".join(map(str, x)) for x in value]
    return []


def embeddings_json(body: Mapping[str, Any], default_dim: int) -> bytes | None:
    """The embeddings list, or ``None`` when ``input`` is missing or empty (a 400)."""
    inputs = _inputs(body.get("input"))
    if not inputs:
        return None
    dims = body.get("dimensions")
    dims = dims if isinstance(dims, int) and 0 < dims <= 8192 else default_dim
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    for i, text in enumerate(inputs):
        vec = _vector(text, dims)
        embedding: Any = base64.b64encode(struct.pack(f"<{dims}f", *vec)).decode() if as_base64 else list(vec)
        data.append({"object": "embedding", "index": i, "embedding": embedding})
    tokens = sum(content.estimate_tokens(t) for t in inputs)
    body_out = {
        "object": "list",
        "data": data,
        "model": str(body.get("model") or ""),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
    return _dumps(body_out).encode()


MODEL_IDS = ("fake-model", "fake-embedding", "gpt-4o-mini", "text-embedding-3-small")


def model_json(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": 1700000000, "owned_by": "fake-provider"}


def models_json() -> bytes:
    return _dumps({"object": "list", "data": [model_json(m) for m in MODEL_IDS]}).encode()
