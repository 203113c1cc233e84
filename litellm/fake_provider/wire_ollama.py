"""Ollama's native wire format of the fake provider: ``/api/chat``, ``/api/generate``, ``/api/embed``,
``/api/tags``.

Owns the replies Ollama documents: chat (``message`` with ``content``, ``thinking`` when ``think`` is on,
``tool_calls`` with object arguments) and generate (``response``) objects with ``done``, ``done_reason``
(``stop`` / ``length``), ``prompt_eval_count`` / ``eval_count`` and the duration fields; streaming as
NDJSON (one object a line, ``stream`` defaults to true as in Ollama, ``done: true`` last, an in-stream
``{"error": ...}`` line for injected stream errors); ``/api/embed`` (``embeddings`` and
``prompt_eval_count``); the ``{"error": "..."}`` bodies (a model named ``missing-*`` is a 404 "not found,
try pulling it first"). No key is needed (a key starting ``invalid`` is refused with 401, as an
authenticating proxy would).

The fake model follows ``content``: the same words, tool rules (``[fake:tool]`` markers; Ollama has no
tool_choice) and JSON answers for ``format``. Must not import ``litellm`` outside this package.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

from litellm.fake_provider import content, faults
from litellm.fake_provider.app import STATE_KEY
from litellm.fake_provider.wire_google import Reject, json_response, prelude, write_events

_dumps = content.compact_json
_CREATED_AT = "2024-07-22T20:33:28.123648Z"
_MESSAGES = {
    400: "invalid request (injected by the fake provider)",
    401: "unauthorized",
    404: 'model "{model}" not found, try pulling it first',
    429: "too many requests",
    500: "an error was encountered while running the model",
    503: "server busy, please try again.  maximum pending requests exceeded",
}


def ollama_error(status: int, model: str = "", message: str | None = None) -> dict[str, Any]:
    return {
        "error": message
        or _MESSAGES.get(status, f"error {status} (injected by the fake provider)").format(model=model)
    }


def _auth(request: web.Request) -> web.Response | None:
    value = request.headers.get("Authorization", "")
    if value[:7].lower() == "bearer " and value[7:].strip().startswith("invalid"):
        return json_response(401, ollama_error(401))
    return None


class _Plan:
    __slots__ = ("calls", "done_reason", "json_text", "model", "pieces", "prompt", "thinking")

    def __init__(self, model: str) -> None:
        self.model = model
        self.calls: list[content.ToolCall] = []
        self.done_reason = "stop"
        self.json_text: str | None = None
        self.pieces: list[str] = []
        self.prompt = 0
        self.thinking: list[str] = []

    @property
    def eval_count(self) -> int:
        out = len(self.thinking)
        if self.calls:
            return out + sum(content.estimate_tokens(c.arguments) + 1 for c in self.calls)
        if self.json_text is not None:
            return out + content.estimate_tokens(self.json_text)
        return out + len(self.pieces)


def _plan(body: Mapping[str, Any], controls: faults.Controls, default_chunks: int, chat: bool) -> _Plan:
    plan = _Plan(str(body.get("model") or ""))
    if chat:
        messages = body.get("messages") or []
        plan.prompt = content.prompt_tokens_of(messages)
        last_user = content.last_user_text(messages)
    else:
        last_user = str(body.get("prompt") or "")
        plan.prompt = content.estimate_tokens(last_user + str(body.get("system") or "")) + 3
    if body.get("think") not in (None, False):
        plan.thinking = content.thinking_pieces()
    tools = body.get("tools")
    if chat and isinstance(tools, list) and tools:
        plan.calls = content.choose_tool_calls(
            tools, None, False, last_user, id_prefix="call_", schema_key="parameters"
        )
        if plan.calls:
            return plan
    fmt = body.get("format")
    if fmt == "json" or isinstance(fmt, Mapping):
        value = (
            content.value_for_schema(fmt)
            if isinstance(fmt, Mapping)
            else {"message": "Hello from the fake provider!"}
        )
        plan.json_text = json.dumps(value, separators=(",", ":"))
        return plan
    words = controls.chunks or default_chunks
    limit = (body.get("options") or {}).get("num_predict")
    if isinstance(limit, int) and 0 < limit < words:
        words, plan.done_reason = limit, "length"
    plan.pieces = content.reply_pieces(words)
    return plan


def _final_fields(plan: _Plan) -> dict[str, Any]:
    return {
        "done_reason": plan.done_reason,
        "done": True,
        "total_duration": 885095291,
        "load_duration": 3753500,
        "prompt_eval_count": plan.prompt,
        "prompt_eval_duration": 328493000,
        "eval_count": plan.eval_count,
        "eval_duration": 552222000,
    }


def _text(plan: _Plan) -> str:
    return plan.json_text if plan.json_text is not None else "".join(plan.pieces)


def _message(plan: _Plan, text: str, thinking: str | None, calls: list[content.ToolCall]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if thinking:
        message["thinking"] = thinking
    if calls:
        message["tool_calls"] = [
            {"function": {"name": c.name, "arguments": json.loads(c.arguments)}} for c in calls
        ]
    return message


def reply_json(plan: _Plan, chat: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"model": plan.model, "created_at": _CREATED_AT}
    thinking = "".join(plan.thinking) or None
    if chat:
        out["message"] = _message(plan, "" if plan.calls else _text(plan), thinking, plan.calls)
    else:
        out["response"] = _text(plan)
        if thinking:
            out["thinking"] = thinking
        out["context"] = [1, 2, 3]
    out.update(_final_fields(plan))
    return out


def reply_lines(plan: _Plan, chat: bool) -> list[bytes]:
    steps: list[tuple[str, str | None, list[content.ToolCall]]] = [("", t, []) for t in plan.thinking]
    if plan.calls:
        steps.append(("", None, plan.calls))
    else:
        pieces = content.split_json(plan.json_text) if plan.json_text is not None else plan.pieces
        steps.extend((p, None, []) for p in pieces)
    lines = []
    for text, thinking, calls in steps:
        obj: dict[str, Any] = {"model": plan.model, "created_at": _CREATED_AT}
        if chat:
            obj["message"] = _message(plan, text, thinking, calls)
        else:
            obj["response"] = text
            if thinking:
                obj["thinking"] = thinking
        obj["done"] = False
        lines.append(_dumps(obj).encode() + b"\n")
    last: dict[str, Any] = {"model": plan.model, "created_at": _CREATED_AT}
    if chat:
        last["message"] = {"role": "assistant", "content": ""}
    else:
        last["response"] = ""
        last["context"] = [1, 2, 3]
    last.update(_final_fields(plan))
    lines.append(_dumps(last).encode() + b"\n")
    return lines


def _handler(chat: bool) -> Callable[[web.Request], Any]:
    async def handler(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE_KEY]
        try:
            body, controls = await prelude(request, model="", error_body=ollama_error, check_auth=_auth)
            model = str(body.get("model") or "")
            if not model:
                raise Reject(json_response(400, ollama_error(400, message="model is required")))
            if model.startswith("missing"):
                raise Reject(json_response(404, ollama_error(404, model)))
            if chat and not isinstance(body.get("messages"), list):
                raise Reject(json_response(400, ollama_error(400, message="messages is required")))
            plan = _plan(body, controls, state.options.chunks, chat)
        except Reject as reject:
            return reject.response
        if body.get("stream", True):
            error = lambda: _dumps(ollama_error(500)).encode() + b"\n"  # noqa: E731
            return await write_events(
                request, reply_lines(plan, chat), controls, error, "application/x-ndjson"
            )
        return json_response(200, reply_json(plan, chat))

    return handler


def _vector(text: str, dims: int) -> list[float]:
    from litellm.fake_provider.openai_wire import _vector as vec

    return list(vec(text, dims))


async def embed(request: web.Request) -> web.StreamResponse:
    dims_default = request.app[STATE_KEY].options.embedding_dim
    try:
        body, _controls = await prelude(request, model="", error_body=ollama_error, check_auth=_auth)
    except Reject as reject:
        return reject.response
    model = str(body.get("model") or "")
    if model.startswith("missing"):
        return json_response(404, ollama_error(404, model))
    inputs = body.get("input")
    items = [inputs] if isinstance(inputs, str) else inputs
    if not isinstance(items, list) or not items:
        return json_response(400, ollama_error(400, message="input is required"))
    dims = int(body.get("dimensions") or dims_default)
    return json_response(
        200,
        {
            "model": model,
            "embeddings": [_vector(str(t), dims) for t in items],
            "total_duration": 14143917,
            "load_duration": 1019500,
            "prompt_eval_count": sum(content.estimate_tokens(str(t)) for t in items),
        },
    )


async def tags(request: web.Request) -> web.StreamResponse:
    models = [
        {"name": n, "model": n, "size": 2019393189, "details": {"family": "llama"}}
        for n in ("llama3.2:latest", "all-minilm:latest")
    ]
    return json_response(200, {"models": models})


def add_routes(app: web.Application, add: Callable[..., Any]) -> None:
    add("POST", "/api/chat", _handler(chat=True))
    add("POST", "/api/generate", _handler(chat=False))
    add("POST", "/api/embed", embed)
    add("GET", "/api/tags", tags)
