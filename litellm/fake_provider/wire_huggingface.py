"""The fake provider speaks Hugging Face's native formats: TGI ``/generate`` and ``/generate_stream``
and the ``feature-extraction`` pipeline the router serves at ``/hf-inference/models/<model>/pipeline/
feature-extraction``. (The router's and TGI's OpenAI-compatible chat is the fake's OpenAI route.)

Owns the TGI reply (``generated_text`` with ``details``), the token-per-event SSE stream ending in a
special token with ``details`` (finish reason, generated tokens, input length), TGI's validation error
body (``{"error", "error_type"}`` with 422) and the bare JSON array of vectors feature-extraction returns.
A bearer token starting with ``invalid`` is refused as the router refuses it.

Must not: start loops or threads, or touch routes other modules own.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from aiohttp import web

from litellm.fake_provider import content, faults


def _state(request: web.Request) -> Any:
    from litellm.fake_provider.app import STATE_KEY

    return request.app[STATE_KEY]


def _error(status: int, message: str, error_type: str | None = None) -> web.Response:
    payload: dict[str, Any] = {"error": message}
    if error_type:
        payload["error_type"] = error_type
    return web.Response(status=status, body=json.dumps(payload).encode(), content_type="application/json")


async def _prelude(request: web.Request) -> tuple[Any, faults.Controls, web.Response | None]:
    state = _state(request)
    raw = await request.read()
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        body = None
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
    controls = faults.parse_controls(request.headers, "")
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer invalid"):
        return body, controls, _error(401, "Invalid credentials in Authorization header")
    if controls.error == faults.CONTEXT_WINDOW:
        message = "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4100"
        return body, controls, _error(422, message, "validation")
    if isinstance(controls.error, int):
        return (
            body,
            controls,
            _error(controls.error, f"Error {controls.error} (injected by the fake provider)"),
        )
    if not isinstance(body, dict):
        return body, controls, _error(422, "Failed to deserialize the JSON body", "validation")
    return body, controls, None


def _pieces(request: web.Request, body: dict[str, Any], controls: faults.Controls) -> list[str]:
    params = body.get("parameters") or {}
    n = controls.chunks or _state(request).options.chunks
    if isinstance(params.get("max_new_tokens"), int):
        n = min(n, params["max_new_tokens"])
    return content.reply_pieces(n)


async def generate(request: web.Request) -> web.StreamResponse:
    body, controls, rejected = await _prelude(request)
    if rejected is not None:
        return rejected
    if not isinstance(body.get("inputs"), str):
        return _error(422, "Input validation error: `inputs` must be a string", "validation")
    pieces = _pieces(request, body, controls)
    details = {
        "finish_reason": "eos_token",
        "generated_tokens": len(pieces),
        "seed": None,
        "prefill": [],
        "tokens": [],
    }
    reply = {"generated_text": "".join(pieces), "details": details}
    return web.Response(body=json.dumps(reply).encode(), content_type="application/json")


async def generate_stream(request: web.Request) -> web.StreamResponse:
    body, controls, rejected = await _prelude(request)
    if rejected is not None:
        return rejected
    pieces = _pieces(request, body, controls)
    response = web.StreamResponse(status=200, headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    out = []
    for i, piece in enumerate(pieces):
        token = {"id": i, "text": piece, "logprob": -0.1, "special": False}
        out.append({"index": i, "token": token, "generated_text": None, "details": None})
    details = {
        "finish_reason": "eos_token",
        "generated_tokens": len(pieces) + 1,
        "input_length": content.estimate_tokens(str(body.get("inputs") or "")),
        "seed": None,
    }
    eos = {"id": 2, "text": "</s>", "logprob": -0.1, "special": True}
    out.append({"index": len(pieces), "token": eos, "generated_text": "".join(pieces), "details": details})
    events = [f"data:{json.dumps(e)}\n\n".encode() for e in out]
    if controls.stream_error_after is not None:
        events = events[: controls.stream_error_after]
        events.append(b'data:{"error":"Request failed during generation","error_type":"generation"}\n\n')
    await response.write(b"".join(events))
    await response.write_eof()
    return response


def _vector(text: str, dim: int) -> list[float]:
    seed = hashlib.sha256(text.encode()).digest()
    return [round((seed[i % 32] - 128) / 128, 6) for i in range(dim)]


async def feature_extraction(request: web.Request) -> web.StreamResponse:
    body, _controls, rejected = await _prelude(request)
    if rejected is not None:
        return rejected
    if not request.headers.get("Authorization"):
        return _error(401, "You must provide a token to call the Inference Providers router.")
    inputs = body.get("inputs")
    dim = _state(request).options.embedding_dim
    if isinstance(inputs, str):
        reply: Any = _vector(inputs, dim)
    elif isinstance(inputs, list) and all(isinstance(i, str) for i in inputs):
        reply = [_vector(i, dim) for i in inputs]
    else:
        return _error(400, "inputs must be a string or a list of strings")
    return web.Response(body=json.dumps(reply).encode(), content_type="application/json")


def add_routes(app: web.Application, add: Any) -> None:
    add("POST", "/generate", generate)
    add("POST", "/generate_stream", generate_stream)
    add("POST", "/hf-inference/models/{model:.+}/pipeline/feature-extraction", feature_extraction)
