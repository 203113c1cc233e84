"""The fake provider's OpenAI Responses API: ``POST /v1/responses`` (JSON, or typed SSE events with
``stream``), ``GET /v1/responses/{id}``, ``DELETE /v1/responses/{id}``, ``GET
/v1/responses/{id}/input_items``; Azure under ``/openai/responses`` and ``/openai/v1/responses``.

The answer follows the chat rules of ``openai_wire`` (same words, tools called on ``tool_choice:
"required"`` or the ``[fake:tool]`` marker, JSON for ``text.format`` json_schema, reasoning tokens for
``reasoning.effort``); ``previous_response_id`` must name a stored response. Stream events, in order:
``response.created``, ``response.in_progress``, ``response.output_item.added``,
``response.content_part.added``, one ``response.output_text.delta`` per word, ``response.output_text.done``,
``response.content_part.done``, ``response.output_item.done``, ``response.completed`` (with usage).
Faults: the ``x-fake-*`` headers as on the chat routes. Must not import anything from ``litellm``
outside this package.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from aiohttp import web

from litellm.fake_provider import faults, openai_wire
from litellm.fake_provider.app import STATE_KEY, _record, _write_stream
from litellm.fake_provider.wire_stateful import _error, _gate, _json

RESPONSES_KEY: web.AppKey[dict[str, dict[str, Any]]] = web.AppKey("fake_responses_store")


def _messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    if body.get("instructions"):
        messages.append({"role": "system", "content": body["instructions"]})
    value = body.get("input")
    if isinstance(value, str):
        return [*messages, {"role": "user", "content": value}]
    for item in value or []:
        if not isinstance(item, dict):
            continue
        kind = item.get("type") or "message"
        if kind == "message":
            content = item.get("content")
            if isinstance(content, list):
                content = " ".join(str(p.get("text") or "") for p in content if isinstance(p, dict))
            messages.append({"role": item.get("role") or "user", "content": content})
        elif kind == "function_call_output":
            messages.append({"role": "tool", "content": str(item.get("output"))})
    return messages


def _chat_body(body: dict[str, Any]) -> dict[str, Any]:
    chat: dict[str, Any] = {"model": body.get("model"), "messages": _messages(body)}
    tools = [
        {"type": "function", "function": {k: t[k] for k in ("name", "description", "parameters") if k in t}}
        for t in body.get("tools") or []
        if isinstance(t, dict) and t.get("type") == "function"
    ]
    if tools:
        chat["tools"] = tools
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "function":
        chat["tool_choice"] = {"type": "function", "function": {"name": choice.get("name")}}
    elif choice is not None:
        chat["tool_choice"] = choice
    fmt = (body.get("text") or {}).get("format") if isinstance(body.get("text"), dict) else None
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        chat["response_format"] = {"type": "json_schema", "json_schema": {"schema": fmt.get("schema") or {}}}
    effort = (body.get("reasoning") or {}).get("effort") if isinstance(body.get("reasoning"), dict) else None
    if effort:
        chat["reasoning_effort"] = effort
    if body.get("max_output_tokens"):
        chat["max_tokens"] = body["max_output_tokens"]
    return chat


def _response(body: dict[str, Any], plan: Any, response_id: str) -> dict[str, Any]:
    output: list[dict[str, Any]] = []
    if plan.tool_calls:
        for call in plan.tool_calls:
            output.append(
                {
                    "type": "function_call",
                    "id": f"fc_{uuid.uuid4().hex[:16]}",
                    "call_id": call.id,
                    "name": call.name,
                    "arguments": call.arguments,
                    "status": "completed",
                }
            )
    else:
        output.append(
            {
                "type": "message",
                "id": f"msg_{uuid.uuid4().hex[:16]}",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": plan.text or "", "annotations": []}],
            }
        )
    incomplete = plan.finish_reason == "length"
    return {
        "id": response_id,
        "object": "response",
        "created_at": int(time.time()),
        "status": "incomplete" if incomplete else "completed",
        "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None,
        "error": None,
        "model": body.get("model"),
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": body.get("tool_choice") or "auto",
        "tools": body.get("tools") or [],
        "instructions": body.get("instructions"),
        "metadata": body.get("metadata") or {},
        "previous_response_id": body.get("previous_response_id"),
        "store": body.get("store", True),
        "temperature": body.get("temperature"),
        "top_p": body.get("top_p"),
        "max_output_tokens": body.get("max_output_tokens"),
        "text": body.get("text") or {"format": {"type": "text"}},
        "usage": {
            "input_tokens": plan.prompt_tokens,
            "input_tokens_details": {"cached_tokens": plan.cached_tokens},
            "output_tokens": plan.completion_tokens,
            "output_tokens_details": {"reasoning_tokens": plan.reasoning_tokens},
            "total_tokens": plan.prompt_tokens + plan.completion_tokens,
        },
    }


def _sse(kind: str, seq: int, **fields: Any) -> bytes:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, 'sequence_number': seq, **fields})}\n\n".encode()


def _events(response: dict[str, Any], plan: Any) -> list[bytes]:
    start = {**response, "status": "in_progress", "output": [], "usage": None}
    out = [_sse("response.created", 0, response=start), _sse("response.in_progress", 1, response=start)]
    seq = 2
    for index, item in enumerate(response["output"]):
        if item["type"] == "message":
            opened = {**item, "status": "in_progress", "content": []}
            out.append(_sse("response.output_item.added", seq, output_index=index, item=opened))
            seq += 1
            part = {"type": "output_text", "text": "", "annotations": []}
            out.append(
                _sse(
                    "response.content_part.added",
                    seq,
                    item_id=item["id"],
                    output_index=index,
                    content_index=0,
                    part=part,
                )
            )
            seq += 1
            for piece in plan.pieces:
                out.append(
                    _sse(
                        "response.output_text.delta",
                        seq,
                        item_id=item["id"],
                        output_index=index,
                        content_index=0,
                        delta=piece,
                        logprobs=[],
                    )
                )
                seq += 1
            text = item["content"][0]["text"]
            out.append(
                _sse(
                    "response.output_text.done",
                    seq,
                    item_id=item["id"],
                    output_index=index,
                    content_index=0,
                    text=text,
                    logprobs=[],
                )
            )
            seq += 1
            out.append(
                _sse(
                    "response.content_part.done",
                    seq,
                    item_id=item["id"],
                    output_index=index,
                    content_index=0,
                    part=item["content"][0],
                )
            )
            seq += 1
        else:
            out.append(
                _sse("response.output_item.added", seq, output_index=index, item={**item, "arguments": ""})
            )
            seq += 1
            out.append(
                _sse(
                    "response.function_call_arguments.delta",
                    seq,
                    item_id=item["id"],
                    output_index=index,
                    delta=item["arguments"],
                )
            )
            seq += 1
        out.append(_sse("response.output_item.done", seq, output_index=index, item=item))
        seq += 1
    final = "response.incomplete" if response["status"] == "incomplete" else "response.completed"
    out.append(_sse(final, seq, response=response))
    return out


async def create_response(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    raw = await request.read()
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        body = None
    _record(state, request, body)
    refused = await _gate(request)
    if refused is not None:
        return refused
    if not isinstance(body, dict):
        return _error(400, "We could not parse the JSON body of your request.")
    if not body.get("model"):
        return _error(400, "Missing required parameter: 'model'.")
    if body.get("input") is None:
        return _error(400, "Missing required parameter: 'input'.")
    store = request.app[RESPONSES_KEY]
    previous = body.get("previous_response_id")
    if previous and previous not in store:
        return _error(
            404, f"Previous response with id '{previous}' not found.", "previous_response_not_found"
        )
    controls = faults.parse_controls(request.headers, str(body["model"]))
    plan = openai_wire.plan_chat(_chat_body(body), controls, state.options.chunks)
    plan.model = str(body["model"])
    response = _response(body, plan, f"resp_{uuid.uuid4().hex}")
    if body.get("store", True):
        store[response["id"]] = {"response": response, "input": body.get("input")}
    if body.get("stream"):
        return await _write_stream(
            request,
            _events(response, plan),
            controls,
            "openai",
            lambda: _sse("error", 0, code="server_error", message="The server had an error.", param=None),
        )
    return _json(200, response)


async def get_response(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    refused = await _gate(request)
    if refused is not None:
        return refused
    stored = request.app[RESPONSES_KEY].get(request.match_info["response_id"])
    if stored is None:
        return _error(404, f"Response with id '{request.match_info['response_id']}' not found.")
    return _json(200, stored["response"])


async def delete_response(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    refused = await _gate(request)
    if refused is not None:
        return refused
    response_id = request.match_info["response_id"]
    if request.app[RESPONSES_KEY].pop(response_id, None) is None:
        return _error(404, f"Response with id '{response_id}' not found.")
    return _json(200, {"id": response_id, "object": "response", "deleted": True})


async def input_items(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    refused = await _gate(request)
    if refused is not None:
        return refused
    stored = request.app[RESPONSES_KEY].get(request.match_info["response_id"])
    if stored is None:
        return _error(404, f"Response with id '{request.match_info['response_id']}' not found.")
    value = stored["input"]
    items = (
        [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": value}]}]
        if isinstance(value, str)
        else list(value or [])
    )
    items = [{"id": f"msg_{i}", **item} for i, item in enumerate(items)]
    if request.query.get("order", "desc") == "desc":
        items.reverse()
    return _json(
        200,
        {
            "object": "list",
            "data": items,
            "has_more": False,
            "first_id": items[0]["id"] if items else None,
            "last_id": items[-1]["id"] if items else None,
        },
    )


def add_routes(app: web.Application, add: Any) -> None:
    app[RESPONSES_KEY] = {}
    for prefix in ("/v1", "", "/openai", "/openai/v1"):
        add("POST", f"{prefix}/responses", create_response)
        add("GET", f"{prefix}/responses/{{response_id}}", get_response)
        add("DELETE", f"{prefix}/responses/{{response_id}}", delete_response)
        add("GET", f"{prefix}/responses/{{response_id}}/input_items", input_items)
