"""NVIDIA Triton Inference Server in the fake provider: the generate extension
(``/v2/models/{model}/generate`` and ``/generate_stream``) and the KServe v2 ``/v2/models/{model}/infer``
protocol (a ``text_input`` tensor answers with a ``text_output`` tensor; an ``input_text`` tensor is an
embedding request answered with a ``[n, 8]`` FP32 tensor).

Owns Triton's reply shapes (``model_name``, ``model_version``, ``text_output``; SSE events of
``text_output`` deltas, the last with ``is_finished``), its ``{"error": "..."}`` bodies (a model named
``missing-*`` is 400 "Request for unknown model"), and the usual ``x-fake-*`` faults. No key is needed
(a bearer token starting ``invalid`` is refused, as a gateway in front of Triton would).

Must not import ``litellm`` outside this package.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from litellm.fake_provider import content
from litellm.fake_provider.app import STATE_KEY
from litellm.fake_provider.wire_google import Reject, json_response, prelude, write_events

_dumps = content.compact_json


def _error(status: int, model: str, message: str | None) -> dict[str, Any]:
    if message:
        return {"error": message}
    if status == 400:
        return {"error": f"Request for unknown model: '{model}' is not found"}
    return {"error": f"error {status} (injected by the fake provider)"}


def _auth(request: web.Request) -> web.Response | None:
    value = request.headers.get("Authorization", "")
    if value[:7].lower() == "bearer " and value[7:].startswith("invalid"):
        return json_response(401, {"error": "Unauthorized"})
    return None


async def _start(request: web.Request) -> tuple[str, dict[str, Any], Any]:
    model = request.match_info["model"]
    body, controls = await prelude(request, model=model, error_body=_error, check_auth=_auth)
    if model.startswith("missing-"):
        raise Reject(json_response(400, _error(400, model, None)))
    return model, body, controls


def _pieces(request: web.Request, params: Any, controls: Any) -> list[str]:
    n = controls.chunks or request.app[STATE_KEY].options.chunks
    limit = params.get("max_tokens") if isinstance(params, dict) else None
    if isinstance(limit, int) and limit > 0:
        n = min(n, limit)
    return content.reply_pieces(n)


async def generate(request: web.Request) -> web.StreamResponse:
    try:
        model, body, controls = await _start(request)
        if not isinstance(body.get("text_input"), str):
            raise Reject(json_response(400, {"error": "missing input 'text_input'"}))
    except Reject as reject:
        return reject.response
    pieces = _pieces(request, body.get("parameters"), controls)
    streaming = request.path.endswith("/generate_stream")
    if not streaming:
        return json_response(200, {"model_name": model, "model_version": "1", "text_output": "".join(pieces)})
    events = [
        b"data: "
        + _dumps(
            {
                "model_name": model,
                "model_version": "1",
                "text_output": piece,
                **({"is_finished": True, "stop_reason": "length"} if i == len(pieces) - 1 else {}),
            }
        ).encode()
        + b"\n\n"
        for i, piece in enumerate(pieces)
    ]
    return await write_events(
        request,
        events,
        controls,
        lambda: b'data: {"error":"stream interrupted (injected by the fake provider)"}\n\n',
        "text/event-stream",
    )


async def infer(request: web.Request) -> web.StreamResponse:
    try:
        model, body, controls = await _start(request)
    except Reject as reject:
        return reject.response
    tensors = {t.get("name"): t for t in body.get("inputs") or () if isinstance(t, dict)}
    if "input_text" in tensors:
        texts = tensors["input_text"].get("data") or []
        data: list[float] = []
        for text in texts:
            seed = sum(map(ord, str(text))) or 1
            data += [((seed * (i + 3)) % 97) / 97.0 for i in range(8)]
        output = {"name": "embedding", "datatype": "FP32", "shape": [len(texts), 8], "data": data}
        return json_response(200, {"model_name": model, "model_version": "1", "outputs": [output]})
    if "text_input" not in tensors:
        return json_response(400, {"error": "expected input 'text_input' or 'input_text'"})
    limit = (tensors.get("max_tokens") or {}).get("data") or [None]
    pieces = _pieces(request, {"max_tokens": limit[0]}, controls)
    output = {"name": "text_output", "datatype": "BYTES", "shape": [1], "data": ["".join(pieces)]}
    return json_response(200, {"model_name": model, "model_version": "1", "outputs": [output]})


def add_routes(app: web.Application, add: Callable[..., Any]) -> None:
    add("POST", "/v2/models/{model}/generate", generate)
    add("POST", "/v2/models/{model}/generate_stream", generate)
    add("POST", "/v2/models/{model}/infer", infer)
