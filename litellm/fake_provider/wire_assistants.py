"""The fake provider's Assistants v2: assistants, threads, messages and runs, kept in memory.

Routes (OpenAI under ``/v1`` and without it; Azure under ``/openai`` with ``api-version``):
``POST/GET /v1/assistants``, ``DELETE /v1/assistants/{id}``, ``POST /v1/threads``, ``GET/DELETE
/v1/threads/{id}``, ``POST/GET /v1/threads/{id}/messages``, ``POST /v1/threads/{id}/runs`` and ``GET
/v1/threads/{id}/runs/{run_id}``. A run starts ``queued`` and moves one step per retrieve (``in_progress``
then ``completed``); on completion the assistant's answer (the chat rules of ``openai_wire`` over the
thread's messages and the assistant's instructions) is appended to the thread and the run carries
``usage``. With ``"stream": true`` the run happens at once and is sent as Assistants SSE events
(``thread.run.created`` ... ``thread.message.delta`` ... ``thread.run.completed``, then ``done``).
Faults: the ``x-fake-*`` headers as elsewhere. Must not import anything from ``litellm`` outside this
package.
"""

from __future__ import annotations

import json
import time
from typing import Any

from aiohttp import web

from litellm.fake_provider import faults, openai_wire
from litellm.fake_provider.app import STATE_KEY, _record, _write_stream
from litellm.fake_provider.wire_stateful import STORE_KEY, _body, _error, _gate, _json, _page


class Assistants:
    def __init__(self) -> None:
        self.assistants: dict[str, dict[str, Any]] = {}
        self.threads: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.runs: dict[str, dict[str, Any]] = {}


ASSISTANTS_KEY: web.AppKey[Assistants] = web.AppKey("fake_assistants_store")


def _ids(request: web.Request, prefix: str) -> str:
    return request.app[STORE_KEY].new_id(prefix)


def _message(
    request: web.Request, thread_id: str, role: str, text: Any, run_id: str | None = None
) -> dict[str, Any]:
    if isinstance(text, list):
        text = " ".join(str(p.get("text") or "") for p in text if isinstance(p, dict))
    return {
        "id": _ids(request, "msg"),
        "object": "thread.message",
        "created_at": int(time.time()),
        "thread_id": thread_id,
        "role": role,
        "status": "completed",
        "content": [{"type": "text", "text": {"value": str(text), "annotations": []}}],
        "assistant_id": None,
        "run_id": run_id,
        "attachments": [],
        "metadata": {},
    }


async def create_assistant(request: web.Request) -> web.StreamResponse:
    refused = await _gate(request)
    body = await _body(request)
    if refused is not None:
        return refused
    if not body.get("model"):
        return _error(400, "Missing required parameter: 'model'.")
    assistant = {
        "id": _ids(request, "asst"),
        "object": "assistant",
        "created_at": int(time.time()),
        "name": body.get("name"),
        "description": body.get("description"),
        "model": body["model"],
        "instructions": body.get("instructions"),
        "tools": body.get("tools") or [],
        "metadata": body.get("metadata") or {},
        "temperature": body.get("temperature"),
        "top_p": body.get("top_p"),
        "response_format": body.get("response_format") or "auto",
    }
    request.app[ASSISTANTS_KEY].assistants[assistant["id"]] = assistant
    return _json(200, assistant)


async def list_assistants(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    refused = await _gate(request)
    if refused is not None:
        return refused
    return _json(200, _page(list(request.app[ASSISTANTS_KEY].assistants.values())))


async def delete_assistant(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    refused = await _gate(request)
    if refused is not None:
        return refused
    assistant_id = request.match_info["assistant_id"]
    if request.app[ASSISTANTS_KEY].assistants.pop(assistant_id, None) is None:
        return _error(404, f"No assistant found with id '{assistant_id}'.")
    return _json(200, {"id": assistant_id, "object": "assistant.deleted", "deleted": True})


async def create_thread(request: web.Request) -> web.StreamResponse:
    refused = await _gate(request)
    body = await _body(request)
    if refused is not None:
        return refused
    store = request.app[ASSISTANTS_KEY]
    thread = {
        "id": _ids(request, "thread"),
        "object": "thread",
        "created_at": int(time.time()),
        "metadata": body.get("metadata") or {},
        "tool_resources": body.get("tool_resources"),
    }
    thread_id = str(thread["id"])
    store.threads[thread_id] = thread
    store.messages[thread_id] = [
        _message(request, thread_id, m.get("role") or "user", m.get("content"))
        for m in body.get("messages") or []
    ]
    return _json(200, thread)


def _thread_or_404(request: web.Request) -> dict[str, Any] | web.Response:
    thread = request.app[ASSISTANTS_KEY].threads.get(request.match_info["thread_id"])
    return (
        thread
        if thread is not None
        else _error(404, f"No thread found with id '{request.match_info['thread_id']}'.")
    )


async def get_thread(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    refused = await _gate(request)
    if refused is not None:
        return refused
    thread = _thread_or_404(request)
    return thread if isinstance(thread, web.Response) else _json(200, thread)


async def delete_thread(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    refused = await _gate(request)
    if refused is not None:
        return refused
    thread = _thread_or_404(request)
    if isinstance(thread, web.Response):
        return thread
    store = request.app[ASSISTANTS_KEY]
    store.threads.pop(thread["id"], None)
    store.messages.pop(thread["id"], None)
    return _json(200, {"id": thread["id"], "object": "thread.deleted", "deleted": True})


async def add_message(request: web.Request) -> web.StreamResponse:
    refused = await _gate(request)
    body = await _body(request)
    if refused is not None:
        return refused
    thread = _thread_or_404(request)
    if isinstance(thread, web.Response):
        return thread
    if body.get("role") not in ("user", "assistant"):
        return _error(400, "Invalid value for 'role': expected 'user' or 'assistant'.")
    message = _message(request, thread["id"], body["role"], body.get("content"))
    message["metadata"] = body.get("metadata") or {}
    request.app[ASSISTANTS_KEY].messages[thread["id"]].append(message)
    return _json(200, message)


async def list_messages(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    refused = await _gate(request)
    if refused is not None:
        return refused
    thread = _thread_or_404(request)
    if isinstance(thread, web.Response):
        return thread
    items = list(request.app[ASSISTANTS_KEY].messages[thread["id"]])
    if request.query.get("order", "desc") == "desc":
        items.reverse()
    return _json(200, _page(items))


def _answer(request: web.Request, run: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    store = request.app[ASSISTANTS_KEY]
    assistant = store.assistants[run["assistant_id"]]
    chat_messages = []
    instructions = run.get("instructions") or assistant.get("instructions")
    if instructions:
        chat_messages.append({"role": "system", "content": instructions})
    for m in store.messages[run["thread_id"]]:
        chat_messages.append({"role": m["role"], "content": m["content"][0]["text"]["value"]})
    model = run.get("model") or assistant["model"]
    plan = openai_wire.plan_chat(
        {"model": model, "messages": chat_messages},
        faults.parse_controls({}, model),
        request.app[STATE_KEY].options.chunks,
    )
    message = _message(request, run["thread_id"], "assistant", plan.text or "", run["id"])
    message["assistant_id"] = run["assistant_id"]
    store.messages[run["thread_id"]].append(message)
    now = int(time.time())
    run.update(
        status="completed",
        completed_at=now,
        usage={
            "prompt_tokens": plan.prompt_tokens,
            "completion_tokens": plan.completion_tokens,
            "total_tokens": plan.prompt_tokens + plan.completion_tokens,
        },
    )
    return message, plan


def _sse(event: str, data: Any) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


async def create_run(request: web.Request) -> web.StreamResponse:
    refused = await _gate(request)
    body = await _body(request)
    if refused is not None:
        return refused
    thread = _thread_or_404(request)
    if isinstance(thread, web.Response):
        return thread
    store = request.app[ASSISTANTS_KEY]
    assistant = store.assistants.get(body.get("assistant_id") or "")
    if assistant is None:
        return _error(404, f"No assistant found with id '{body.get('assistant_id')}'.")
    for extra in body.get("additional_messages") or []:
        store.messages[thread["id"]].append(
            _message(request, thread["id"], extra.get("role") or "user", extra.get("content"))
        )
    now = int(time.time())
    run = {
        "id": _ids(request, "run"),
        "object": "thread.run",
        "created_at": now,
        "thread_id": thread["id"],
        "assistant_id": assistant["id"],
        "status": "queued",
        "model": body.get("model") or assistant["model"],
        "instructions": body.get("instructions") or assistant.get("instructions") or "",
        "tools": body.get("tools") or assistant.get("tools") or [],
        "metadata": body.get("metadata") or {},
        "started_at": None,
        "completed_at": None,
        "usage": None,
        "parallel_tool_calls": True,
        "truncation_strategy": {"type": "auto", "last_messages": None},
        "tool_choice": "auto",
        "response_format": "auto",
        "incomplete_details": None,
        "last_error": None,
        "required_action": None,
        "expires_at": None,
        "failed_at": None,
        "cancelled_at": None,
        "max_completion_tokens": None,
        "max_prompt_tokens": None,
        "temperature": body.get("temperature"),
        "top_p": body.get("top_p"),
    }
    store.runs[run["id"]] = run
    if not body.get("stream"):
        return _json(200, run)
    created = dict(run)
    events = [_sse("thread.run.created", created), _sse("thread.run.queued", created)]
    run.update(status="in_progress", started_at=now)
    events.append(_sse("thread.run.in_progress", dict(run)))
    message, plan = _answer(request, run)
    opened = {**message, "status": "in_progress", "content": []}
    events.append(_sse("thread.message.created", opened))
    events.append(_sse("thread.message.in_progress", opened))
    for i, piece in enumerate(plan.pieces):
        delta = {"index": 0, "type": "text", "text": {"value": piece, "annotations": []}}
        events.append(
            _sse(
                "thread.message.delta",
                {"id": message["id"], "object": "thread.message.delta", "delta": {"content": [delta]}},
            )
        )
        del i
    events.append(_sse("thread.message.completed", message))
    events.append(_sse("thread.run.completed", dict(run)))
    events.append(b"event: done\ndata: [DONE]\n\n")
    controls = faults.parse_controls(request.headers, run["model"])
    return await _write_stream(
        request, events, controls, "openai", lambda: _sse("error", {"message": "server error"})
    )


async def get_run(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    refused = await _gate(request)
    if refused is not None:
        return refused
    run = request.app[ASSISTANTS_KEY].runs.get(request.match_info["run_id"])
    if run is None or run["thread_id"] != request.match_info["thread_id"]:
        return _error(404, f"No run found with id '{request.match_info['run_id']}'.")
    if run["status"] == "queued":
        run.update(status="in_progress", started_at=int(time.time()))
    elif run["status"] == "in_progress":
        _answer(request, run)
    return _json(200, run)


def add_routes(app: web.Application, add: Any) -> None:
    app[ASSISTANTS_KEY] = Assistants()
    for prefix in ("/v1", "", "/openai"):
        add("POST", f"{prefix}/assistants", create_assistant)
        add("GET", f"{prefix}/assistants", list_assistants)
        add("DELETE", f"{prefix}/assistants/{{assistant_id}}", delete_assistant)
        add("POST", f"{prefix}/threads", create_thread)
        add("GET", f"{prefix}/threads/{{thread_id}}", get_thread)
        add("DELETE", f"{prefix}/threads/{{thread_id}}", delete_thread)
        add("POST", f"{prefix}/threads/{{thread_id}}/messages", add_message)
        add("GET", f"{prefix}/threads/{{thread_id}}/messages", list_messages)
        add("POST", f"{prefix}/threads/{{thread_id}}/runs", create_run)
        add("GET", f"{prefix}/threads/{{thread_id}}/runs/{{run_id}}", get_run)
