"""Replicate's prediction API in the fake provider.

Owns: ``POST /v1/models/{owner}/{name}/predictions``, ``POST /v1/predictions`` (with ``version``),
``POST /v1/deployments/{owner}/{name}/predictions``, ``GET /v1/predictions/{id}`` and the SSE stream at
``GET /v1/streams/{id}`` (``output`` events of text, then ``done``; ``error`` for an injected stream
error). A create with ``Prefer: wait`` finishes synchronously (``succeeded`` with ``output`` as a list of
tokens and ``metrics.input_token_count`` / ``output_token_count``) unless ``x-fake-replicate-polls: N``
asks for a prediction still ``processing`` that succeeds on the N-th poll; without ``Prefer: wait`` the
prediction is ``starting``. ``x-fake-replicate-status: failed`` makes the prediction fail. Errors are
Replicate's problem+json (``{"title", "detail", "status"}``); a missing or ``invalid*`` bearer token is a
401, a model named ``missing-*`` a 404, an input without ``prompt`` a 422. The create request's
``x-fake-*`` stream faults apply to its stream.

Must not import ``litellm`` outside this package.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from aiohttp import web

from litellm.fake_provider import content, faults
from litellm.fake_provider.app import STATE_KEY, _record
from litellm.fake_provider.wire_google import Reject, json_response, prelude, write_events

_dumps = content.compact_json
_PREDICTIONS: OrderedDict[str, dict[str, Any]] = OrderedDict()
_MAX = 2000
_TITLES = {401: "Unauthenticated", 404: "Not found", 422: "Input validation failed", 429: "Too Many Requests"}


def _problem(status: int, model: str = "", message: str | None = None) -> dict[str, Any]:
    detail = message or {
        401: "You did not pass a valid authentication token",
        404: "The requested resource could not be found.",
        429: "Request was throttled. Expected available in 1 second.",
    }.get(status, f"error {status} (injected by the fake provider)")
    return {"title": _TITLES.get(status, "Error"), "detail": detail, "status": status}


def _auth(request: web.Request) -> web.Response | None:
    value = request.headers.get("Authorization", "")
    token = value[7:].strip() if value[:7].lower() == "bearer " else ""
    if not token or token.startswith("invalid"):
        return json_response(401, _problem(401))
    return None


def _base(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _view(request: web.Request, record: dict[str, Any]) -> dict[str, Any]:
    pid = record["id"]
    out = {
        "id": pid,
        "model": record["model"],
        "version": record["version"],
        "input": record["input"],
        "logs": "",
        "output": None,
        "error": None,
        "status": record["status"],
        "created_at": "2025-01-01T00:00:00.000Z",
        "urls": {
            "get": f"{_base(request)}/v1/predictions/{pid}",
            "cancel": f"{_base(request)}/v1/predictions/{pid}/cancel",
            "stream": f"{_base(request)}/v1/streams/{pid}",
        },
    }
    if record["status"] == "succeeded":
        out["output"] = record["pieces"]
        out["metrics"] = {
            "input_token_count": record["prompt_tokens"],
            "output_token_count": len(record["pieces"]),
            "predict_time": 0.01,
        }
    elif record["status"] == "failed":
        out["error"] = "CUDA out of memory (injected by the fake provider)"
    return out


async def create(request: web.Request) -> web.StreamResponse:
    info = request.match_info
    model = f"{info['owner']}/{info['name']}" if "owner" in info else ""
    try:
        body, controls = await prelude(request, model=model, error_body=_problem, check_auth=_auth)
        if not model:
            version = str(body.get("version") or "")
            model = version.split(":", 1)[0] if ":" in version else "replicate-internal/versioned"
        if model.split("/")[-1].startswith("missing-"):
            raise Reject(json_response(404, _problem(404)))
        data = body.get("input")
        if not isinstance(data, dict) or not isinstance(data.get("prompt"), str):
            raise Reject(json_response(422, _problem(422, message="input: prompt is required")))
    except Reject as reject:
        return reject.response
    n = controls.chunks or request.app[STATE_KEY].options.chunks
    limit = data.get("max_new_tokens") or data.get("max_tokens")
    if isinstance(limit, int) and limit > 0:
        n = min(n, limit)
    polls = faults._int(request.headers.get("x-fake-replicate-polls")) or 0
    waiting = request.headers.get("Prefer", "").startswith("wait")
    record: dict[str, Any] = {
        "id": secrets.token_hex(10),
        "model": model,
        "version": str(body.get("version") or "dp-" + secrets.token_hex(8)),
        "input": data,
        "pieces": content.reply_pieces(n),
        "prompt_tokens": content.estimate_tokens(data["prompt"] + str(data.get("system_prompt") or "")),
        "polls_left": polls,
        "fail": (request.headers.get("x-fake-replicate-status") or "") == "failed",
        "controls": controls,
    }
    if waiting and not polls:
        record["status"] = "failed" if record["fail"] else "succeeded"
    else:
        record["status"] = "processing" if waiting else "starting"
    _PREDICTIONS[record["id"]] = record
    while len(_PREDICTIONS) > _MAX:
        _PREDICTIONS.popitem(last=False)
    return json_response(201, _view(request, record))


async def get_prediction(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    refused = _auth(request)
    if refused is not None:
        return refused
    record = _PREDICTIONS.get(request.match_info["pid"])
    if record is None:
        return json_response(404, _problem(404))
    if record["status"] in ("starting", "processing"):
        record["polls_left"] -= 1
        if record["polls_left"] <= 0:
            record["status"] = "failed" if record["fail"] else "succeeded"
        else:
            record["status"] = "processing"
    return json_response(200, _view(request, record))


async def stream(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    record = _PREDICTIONS.get(request.match_info["pid"])
    if record is None:
        return json_response(404, _problem(404))
    record["status"] = "succeeded"
    events = [
        b"event: output\nid: " + str(i).encode() + b"\ndata: " + piece.encode() + b"\n\n"
        for i, piece in enumerate(record["pieces"])
    ]
    events.append(b"event: done\ndata: {}\n\n")
    return await write_events(
        request,
        events,
        record["controls"],
        lambda: b'event: error\ndata: {"detail": "stream interrupted (injected by the fake provider)"}\n\n',
        "text/event-stream",
    )


def add_routes(app: web.Application, add: Callable[..., Any]) -> None:
    add("POST", "/v1/models/{owner}/{name}/predictions", create)
    add("POST", "/v1/deployments/{owner}/{name}/predictions", create)
    add("POST", "/v1/predictions", create)
    add("GET", "/v1/predictions/{pid}", get_prediction)
    add("GET", "/v1/streams/{pid}", stream)
