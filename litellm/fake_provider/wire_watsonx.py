"""The fake provider speaks IBM watsonx.ai and IBM Cloud IAM.

Owns: ``POST /identity/token`` (the API-key grant: a form with ``grant_type`` and ``apikey``; a key
starting with ``invalid`` is refused with IAM's ``errorCode``/``errorMessage`` body; each exchange is
counted in :data:`IAM_EXCHANGES` so tests can prove tokens are cached), and under ``/ml/v1``: ``text/chat``
and ``text/chat_stream`` (OpenAI-shaped replies with ``model_id``; SSE with ``id:``/``event: message``),
``text/generation`` and ``generation_stream`` (``results[]``), ``text/embeddings`` and the
``deployments/<id>/text/...`` variants. Requests need ``?version=``, a bearer token this IAM issued (or a
``ZenApiKey``) and a ``project_id`` or ``space_id`` (except deployments); errors use watsonx's
``{"errors": [...], "trace", "status_code"}`` body. ``x-fake-*`` faults apply.

Must not: start loops or threads, or touch routes other modules own.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from aiohttp import web

from litellm.fake_provider import content, faults

#: IAM exchanges served, per API key fingerprint (tests read it to prove the client caches tokens)
IAM_EXCHANGES: dict[str, int] = {}
_TOKEN_PREFIX = "wx-fake-token-"


def _state(request: web.Request) -> Any:
    from litellm.fake_provider.app import STATE_KEY

    return request.app[STATE_KEY]


def _record(request: web.Request, body: Any) -> None:
    state = _state(request)
    if state.log is not None:
        state.log.append(
            {
                "method": request.method,
                "path": request.path,
                "query": dict(request.query),
                "headers": {k.lower(): v for k, v in request.headers.items()},
                "json": body,
            }
        )


def _error(status: int, code: str, message: str) -> web.Response:
    payload = {"errors": [{"code": code, "message": message}], "trace": "fake-trace", "status_code": status}
    return web.Response(status=status, body=json.dumps(payload).encode(), content_type="application/json")


def fingerprint(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


async def iam_token(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    _record(request, {"grant_type": form.get("grant_type")})  # never the key itself
    key = str(form.get("apikey") or "")
    if form.get("grant_type") != "urn:ibm:params:oauth:grant-type:apikey" or not key:
        body = {"errorCode": "BXNIM0109E", "errorMessage": "Property missing or empty. Property: apikey"}
        return web.Response(status=400, body=json.dumps(body).encode(), content_type="application/json")
    if key.startswith("invalid"):
        body = {"errorCode": "BXNIM0415E", "errorMessage": "Provided API key could not be found."}
        return web.Response(status=400, body=json.dumps(body).encode(), content_type="application/json")
    fp = fingerprint(key)
    IAM_EXCHANGES[fp] = IAM_EXCHANGES.get(fp, 0) + 1
    now = int(time.time())
    reply = {
        "access_token": _TOKEN_PREFIX + fp,
        "refresh_token": "not_supported",
        "token_type": "Bearer",
        "expires_in": 3600,
        "expiration": now + 3600,
        "scope": "ibm openid",
    }
    return web.Response(body=json.dumps(reply).encode(), content_type="application/json")


async def _prelude(request: web.Request) -> tuple[dict[str, Any], faults.Controls, web.Response | None]:
    raw = await request.read()
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        body = None
    _record(request, body)
    controls = faults.parse_controls(request.headers, str((body or {}).get("model_id") or ""))
    auth = request.headers.get("Authorization", "")
    if not (auth.startswith("Bearer " + _TOKEN_PREFIX) or auth.startswith("ZenApiKey ")):
        return (
            {},
            controls,
            _error(401, "authentication_token_not_valid", "Failed to authenticate the request"),
        )
    if "version" not in request.query:
        return {}, controls, _error(400, "missing_version", "Missing query parameter 'version'")
    if not isinstance(body, dict):
        return {}, controls, _error(400, "json_validation_error", "Json document validation error")
    deployment = "/deployments/" in request.path
    if not deployment and not (body.get("project_id") or body.get("space_id")):
        return (
            body,
            controls,
            _error(400, "invalid_request_entity", "Either 'space_id' or 'project_id' must be set"),
        )
    if controls.error == faults.CONTEXT_WINDOW:
        message = "the number of input tokens 9000 cannot exceed the total tokens limit 8192 for this model"
        return body, controls, _error(400, "invalid_input_argument", message)
    if isinstance(controls.error, int):
        code = {429: "token_quota_reached", 404: "model_not_supported", 403: "authorization_rejected"}.get(
            controls.error, "internal_error"
        )
        return (
            body,
            controls,
            _error(controls.error, code, f"Error {controls.error} (injected by the fake provider)"),
        )
    return body, controls, None


def _model(request: web.Request, body: dict[str, Any]) -> str:
    return str(body.get("model_id") or request.match_info.get("deployment") or "")


def _pieces(request: web.Request, controls: faults.Controls, limit: Any = None) -> list[str]:
    n = controls.chunks or _state(request).options.chunks
    if isinstance(limit, int):
        n = min(n, limit)
    return content.reply_pieces(n)


async def _sse(request: web.Request, events: list[dict[str, Any]]) -> web.StreamResponse:
    response = web.StreamResponse(status=200, headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    out = b"".join(
        f"id: {i}\nevent: message\ndata: {json.dumps(e)}\n\n".encode() for i, e in enumerate(events, start=1)
    )
    await response.write(out)
    await response.write_eof()
    return response


async def chat(request: web.Request) -> web.StreamResponse:
    body, controls, rejected = await _prelude(request)
    if rejected is not None:
        return rejected
    model = _model(request, body)
    messages = body.get("messages") or []
    prompt = content.prompt_tokens_of(messages)
    created = int(time.time())
    calls = content.choose_tool_calls(
        body.get("tools") or [],
        ((body.get("tool_choice") or {}).get("function") or {}).get("name"),
        body.get("tool_choice_option") == "required",
        content.last_user_text(messages),
        id_prefix="chatcmpl-tool-",
        schema_key="parameters",
    )
    pieces = [] if calls else _pieces(request, controls, body.get("max_tokens"))
    usage = {"completion_tokens": len(pieces) or len(calls) * 5, "prompt_tokens": prompt}
    usage["total_tokens"] = usage["completion_tokens"] + prompt
    base = {"id": content.new_id("chatcmpl-"), "model_id": model, "model": model, "created": created}
    tool_calls = [
        {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
        for c in calls
    ]
    finish = "tool_calls" if calls else "stop"
    if not request.path.endswith("chat_stream"):
        message: dict[str, Any] = {"role": "assistant", "content": "".join(pieces)}
        if tool_calls:
            message["tool_calls"] = tool_calls
        reply = {
            **base,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": usage,
        }
        return web.Response(body=json.dumps(reply).encode(), content_type="application/json")
    events = [
        {
            **base,
            "choices": [{"index": 0, "finish_reason": None, "delta": {"role": "assistant", "content": ""}}],
        }
    ]
    for piece in pieces:
        events.append({**base, "choices": [{"index": 0, "finish_reason": None, "delta": {"content": piece}}]})
    for i, call in enumerate(tool_calls):
        events.append(
            {
                **base,
                "choices": [
                    {"index": 0, "finish_reason": None, "delta": {"tool_calls": [{**call, "index": i}]}}
                ],
            }
        )
    events.append({**base, "choices": [{"index": 0, "finish_reason": finish, "delta": {}}], "usage": usage})
    return await _sse(request, events)


async def generation(request: web.Request) -> web.StreamResponse:
    body, controls, rejected = await _prelude(request)
    if rejected is not None:
        return rejected
    model = _model(request, body)
    params = body.get("parameters") or {}
    limit = params.get("max_new_tokens")
    pieces = _pieces(request, controls, limit)
    prompt = content.estimate_tokens(str(body.get("input") or ""))
    stop = "max_tokens" if isinstance(limit, int) and len(pieces) >= limit else "eos_token"
    if not request.path.endswith("generation_stream"):
        result = {
            "generated_text": "".join(pieces),
            "generated_token_count": len(pieces),
            "input_token_count": prompt,
            "stop_reason": stop,
        }
        reply = {"model_id": model, "created_at": "2026-01-01T00:00:00Z", "results": [result]}
        return web.Response(body=json.dumps(reply).encode(), content_type="application/json")
    events = []
    for i, piece in enumerate(pieces, start=1):
        result = {
            "generated_text": piece,
            "generated_token_count": i,
            "input_token_count": prompt,
            "stop_reason": stop if i == len(pieces) else "not_finished",
        }
        events.append({"model_id": model, "created_at": "2026-01-01T00:00:00Z", "results": [result]})
    return await _sse(request, events)


async def embeddings(request: web.Request) -> web.StreamResponse:
    body, _controls, rejected = await _prelude(request)
    if rejected is not None:
        return rejected
    inputs = body.get("inputs") or []
    dim = _state(request).options.embedding_dim

    def vector(text: str) -> list[float]:
        seed = hashlib.sha256(text.encode()).digest()
        return [round((seed[i % 32] - 128) / 128, 6) for i in range(dim)]

    reply = {
        "model_id": body.get("model_id"),
        "results": [{"embedding": vector(str(t))} for t in inputs],
        "created_at": "2026-01-01T00:00:00Z",
        "input_token_count": sum(content.estimate_tokens(str(t)) for t in inputs),
    }
    return web.Response(body=json.dumps(reply).encode(), content_type="application/json")


def add_routes(app: web.Application, add: Any) -> None:
    add("POST", "/identity/token", iam_token)
    for prefix in ("/ml/v1", "/ml/v1/deployments/{deployment}"):
        add("POST", f"{prefix}/text/chat", chat)
        add("POST", f"{prefix}/text/chat_stream", chat)
        add("POST", f"{prefix}/text/generation", generation)
        add("POST", f"{prefix}/text/generation_stream", generation)
    add("POST", "/ml/v1/text/embeddings", embeddings)
