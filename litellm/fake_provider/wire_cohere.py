"""Cohere v2 wire format of the fake provider: ``POST /v2/chat`` (JSON or SSE) and ``POST /v2/embed``.

Owns the chat response (``message.content`` text blocks, ``tool_plan`` + ``tool_calls``, ``finish_reason``
COMPLETE / MAX_TOKENS / TOOL_CALL, ``usage.billed_units`` and ``usage.tokens``), the v2 stream events
(``message-start``, ``content-start``, ``content-delta``, ``content-end``, ``tool-plan-delta``,
``tool-call-start`` / ``-delta`` / ``-end``, ``message-end`` with the finish reason and usage), Embed v2
(``embeddings`` by type with ``meta.billed_units``), and Cohere's ``{"id", "message"}`` error bodies.
A Bearer key is required (401 ``invalid api token`` without one or for a key starting ``invalid``).

The fake model follows ``content``: the same words, tool choice rules (``tool_choice: REQUIRED`` forces
the first tool) and JSON-mode answers as the other flavours. Must not import ``litellm`` outside this
package.
"""

from __future__ import annotations

import base64
import json
import secrets
import struct
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

from litellm.fake_provider import content, faults
from litellm.fake_provider.app import STATE_KEY
from litellm.fake_provider.wire_google import Reject, json_response, prelude, write_events

_dumps = content.compact_json

_MESSAGES = {
    400: "invalid request (injected by the fake provider)",
    401: "invalid api token",
    402: "Please add a payment method to your account.",
    404: "model '{model}' not found, make sure the correct model ID was used and that you have access to the model.",
    429: "You are using a Trial key, which is limited to 10 API calls / minute.",
    498: "invalid api token",
    500: "internal server error, this has been reported to our developers",
    503: "service unavailable",
}


def cohere_error(status: int, model: str = "", message: str | None = None) -> dict[str, Any]:
    text = _MESSAGES.get(status, f"error {status} (injected by the fake provider)")
    return {"id": secrets.token_hex(8), "message": message or text.format(model=model)}


def _auth(request: web.Request) -> web.Response | None:
    value = request.headers.get("Authorization", "")
    key = value[7:].strip() if value[:7].lower() == "bearer " else ""
    if not key or key.startswith("invalid"):
        return json_response(401, cohere_error(401))
    return None


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return content.text_of(value)


class _Plan:
    __slots__ = ("calls", "finish", "json_text", "pieces", "plan_text", "prompt")

    def __init__(self) -> None:
        self.calls: list[content.ToolCall] = []
        self.finish = "COMPLETE"
        self.json_text: str | None = None
        self.pieces: list[str] = []
        self.plan_text = ""
        self.prompt = 0

    @property
    def output(self) -> int:
        if self.calls:
            return content.estimate_tokens(self.plan_text) + sum(
                content.estimate_tokens(c.arguments) + 1 for c in self.calls
            )
        if self.json_text is not None:
            return content.estimate_tokens(self.json_text)
        return len(self.pieces)


def _plan(body: Mapping[str, Any], controls: faults.Controls, default_chunks: int) -> _Plan:
    plan = _Plan()
    messages = body.get("messages") or []
    plan.prompt = sum(
        3 + content.estimate_tokens(_text(m.get("content")) + _text(m.get("tool_plan")))
        for m in messages
        if isinstance(m, Mapping)
    )
    tools = body.get("tools")
    choice = body.get("tool_choice")
    if isinstance(tools, list) and tools and choice != "NONE":
        last_user = "".join(
            _text(m.get("content")) for m in messages if isinstance(m, Mapping) and m.get("role") == "user"
        )
        plan.calls = content.choose_tool_calls(
            tools, None, choice == "REQUIRED", last_user, id_prefix="call_", schema_key="parameters"
        )
    if plan.calls:
        plan.plan_text = "I will call " + ", ".join(c.name for c in plan.calls) + "."
        plan.finish = "TOOL_CALL"
        return plan
    fmt = body.get("response_format")
    if isinstance(fmt, Mapping) and fmt.get("type") == "json_object":
        schema = fmt.get("json_schema")
        value = content.value_for_schema(schema) if schema else {"message": "Hello from the fake provider!"}
        plan.json_text = json.dumps(value, separators=(",", ":"))
        return plan
    words = controls.chunks or default_chunks
    limit = body.get("max_tokens")
    if isinstance(limit, int) and 0 < limit < words:
        words, plan.finish = limit, "MAX_TOKENS"
    plan.pieces = content.reply_pieces(words)
    return plan


def _usage(plan: _Plan) -> dict[str, Any]:
    return {
        "billed_units": {"input_tokens": plan.prompt, "output_tokens": plan.output},
        "tokens": {"input_tokens": plan.prompt + 66, "output_tokens": plan.output},
    }


def _calls_json(plan: _Plan) -> list[dict[str, Any]]:
    return [
        {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
        for c in plan.calls
    ]


def chat_json(plan: _Plan, response_id: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant"}
    if plan.calls:
        message["tool_plan"] = plan.plan_text
        message["tool_calls"] = _calls_json(plan)
    else:
        text = plan.json_text if plan.json_text is not None else "".join(plan.pieces)
        message["content"] = [{"type": "text", "text": text}]
    return {"id": response_id, "finish_reason": plan.finish, "message": message, "usage": _usage(plan)}


def _event(data: Mapping[str, Any]) -> bytes:
    return f"event: {data['type']}\ndata: {_dumps(data)}\n\n".encode()


def chat_stream(plan: _Plan, response_id: str) -> list[bytes]:
    out = [
        _event(
            {
                "id": response_id,
                "type": "message-start",
                "delta": {
                    "message": {
                        "role": "assistant",
                        "content": [],
                        "tool_plan": "",
                        "tool_calls": [],
                        "citations": [],
                    }
                },
            }
        )
    ]
    if plan.calls:
        out.append(_event({"type": "tool-plan-delta", "delta": {"message": {"tool_plan": plan.plan_text}}}))
        for i, call in enumerate(plan.calls):
            start = {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": ""}}
            out.append(
                _event({"type": "tool-call-start", "index": i, "delta": {"message": {"tool_calls": start}}})
            )
            for part in content.split_json(call.arguments):
                delta = {"message": {"tool_calls": {"function": {"arguments": part}}}}
                out.append(_event({"type": "tool-call-delta", "index": i, "delta": delta}))
            out.append(_event({"type": "tool-call-end", "index": i}))
    else:
        pieces = content.split_json(plan.json_text) if plan.json_text is not None else plan.pieces
        out.append(
            _event(
                {
                    "type": "content-start",
                    "index": 0,
                    "delta": {"message": {"content": {"type": "text", "text": ""}}},
                }
            )
        )
        for piece in pieces:
            out.append(
                _event(
                    {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": piece}}}}
                )
            )
        out.append(_event({"type": "content-end", "index": 0}))
    out.append(
        _event({"type": "message-end", "delta": {"finish_reason": plan.finish, "usage": _usage(plan)}})
    )
    return out


def _stream_error() -> bytes:
    return _event(
        {"type": "message-end", "delta": {"finish_reason": "ERROR", "error": "internal server error"}}
    )


async def chat(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    try:
        body, controls = await prelude(request, model="", error_body=cohere_error, check_auth=_auth)
        model = str(body.get("model") or "")
        if not model:
            raise Reject(
                json_response(400, cohere_error(400, message="invalid request: model must be specified"))
            )
        if not isinstance(body.get("messages"), list) or not body["messages"]:
            raise Reject(
                json_response(400, cohere_error(400, message="invalid request: messages must not be empty"))
            )
        plan = _plan(body, controls, state.options.chunks)
        if controls.error == faults.CONTEXT_WINDOW or plan.prompt > state.options.context_window:
            limit = state.options.context_window
            message = f"too many tokens: total number of tokens in the prompt cannot exceed {limit} - received {max(plan.prompt, limit + 1)}. Try using a shorter prompt, or enabling prompt truncating."
            raise Reject(json_response(400, cohere_error(400, message=message)))
    except Reject as reject:
        return reject.response
    response_id = secrets.token_hex(16)
    if body.get("stream"):
        return await write_events(
            request, chat_stream(plan, response_id), controls, _stream_error, "text/event-stream"
        )
    return json_response(200, chat_json(plan, response_id))


def _vector(text: str, dims: int) -> list[float]:
    from litellm.fake_provider.openai_wire import _vector as vec

    return list(vec(text, dims))


async def embed(request: web.Request) -> web.StreamResponse:
    dims_default = request.app[STATE_KEY].options.embedding_dim
    try:
        body, _controls = await prelude(request, model="", error_body=cohere_error, check_auth=_auth)
    except Reject as reject:
        return reject.response
    texts = body.get("texts") or body.get("images") or []
    if not isinstance(texts, list) or not texts:
        return json_response(
            400, cohere_error(400, message="invalid request: texts or images must be provided")
        )
    if body.get("texts") and not body.get("input_type") and "v3" in str(body.get("model")):
        return json_response(
            400, cohere_error(400, message="invalid request: input_type is required for embed v3 models")
        )
    dims = int(body.get("output_dimension") or dims_default)
    vectors = [_vector(str(t), dims) for t in texts]
    types = body.get("embedding_types") or ["float"]
    embeddings: dict[str, Any] = {}
    for kind in types:
        if kind == "float":
            embeddings["float"] = vectors
        elif kind == "base64":
            embeddings["base64"] = [base64.b64encode(struct.pack(f"<{dims}f", *v)).decode() for v in vectors]
        elif kind in ("int8", "uint8"):
            embeddings[kind] = [[int(x * 127) + (128 if kind == "uint8" else 0) for x in v] for v in vectors]
    billed: dict[str, Any] = {}
    if body.get("images"):
        billed["images"] = len(texts)
    else:
        billed["input_tokens"] = sum(content.estimate_tokens(str(t)) for t in texts)
    return json_response(
        200,
        {
            "id": secrets.token_hex(16),
            "embeddings": embeddings,
            "texts": body.get("texts") or [],
            "meta": {"api_version": {"version": "2"}, "billed_units": billed},
            "response_type": "embeddings_by_type",
        },
    )


def add_routes(app: web.Application, add: Callable[..., Any]) -> None:
    add("POST", "/v2/chat", chat)
    add("POST", "/v2/embed", embed)
