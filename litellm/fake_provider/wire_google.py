"""Google wire formats of the fake provider: Gemini (AI Studio) and Vertex AI, plus an OAuth token endpoint.

Owns the routes and bodies Google documents:

* AI Studio: ``POST /v1beta/models/{model}:generateContent`` (JSON), ``:streamGenerateContent?alt=sse``
  (SSE, one GenerateContentResponse per event with cumulative ``usageMetadata``; without ``alt=sse`` a
  streamed JSON array), ``:embedContent``, ``:batchEmbedContents``; the key in ``x-goog-api-key`` or
  ``?key=`` (403 PERMISSION_DENIED without one, 400 API_KEY_INVALID for a key starting ``invalid``).
* Vertex AI: the same bodies under ``/v1/projects/{p}/locations/{l}/publishers/google/models/{model}:...``
  (and ``/v1beta1``, express mode ``/v1/publishers/google/models/...``, tuned ``endpoints/{id}``),
  ``:predict`` embeddings (``instances`` -> ``predictions[].embeddings`` with token statistics),
  Anthropic ``publishers/anthropic/models/{model}:rawPredict`` / ``:streamRawPredict`` (Messages bodies,
  ``anthropic_version`` required), ``publishers/mistralai/...:rawPredict`` and
  ``endpoints/openapi/chat/completions`` (OpenAI bodies). Vertex needs ``Authorization: Bearer`` (401
  UNAUTHENTICATED otherwise, or for a token starting ``invalid``) or an express-mode ``x-goog-api-key``.
* ``POST /token``: an OAuth 2.0 token endpoint for service-account JWT assertions
  (``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``), so google-auth can refresh against it;
  issued tokens are counted in ``TOKENS_ISSUED`` (tests assert token caching with it).

What the fake model says follows ``content`` (same words, tools, JSON and thinking rules as the other
flavours); faults follow the ``x-fake-*`` headers and magic model names with Google's error bodies.

Also owns the small helpers the other native wires share (``prelude``, ``write_events``): reading and
recording the body, latency / hang / injected errors / fail-N-times, and writing a stream with the same
disconnect / error / hang / chunk-delay injection as the SSE writer in ``app``. Must not import
anything from ``litellm`` outside this package.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

from litellm.fake_provider import anthropic_wire, content, faults
from litellm.fake_provider.app import STATE_KEY, STREAM_HANG_S, _record, chat_completions

_dumps = content.compact_json
_JSON = "application/json"

#: OAuth tokens the /token endpoint has issued (token -> count of uses is not kept; tests read len())
TOKENS_ISSUED: list[str] = []
_TOKEN_TTL_S = 3600


class Reject(Exception):
    """A finished error response, raised out of a native handler's prelude."""

    def __init__(self, response: web.Response) -> None:
        self.response = response


def json_response(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> web.Response:
    body = payload if isinstance(payload, bytes) else _dumps(payload).encode()
    return web.Response(body=body, status=status, content_type=_JSON, headers=dict(headers or {}))


async def prelude(
    request: web.Request,
    *,
    model: str,
    error_body: Callable[[int, str, str | None], Any],
    check_auth: Callable[[web.Request], web.Response | None],
) -> tuple[dict[str, Any], faults.Controls]:
    """Read and record the JSON body, then latency, hang, auth and injected errors, in the order the
    other flavours use. ``error_body(status, model, message)`` builds the provider's error JSON."""
    state = request.app[STATE_KEY]
    raw = await request.read()
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        body = None
    _record(state, request, body)
    if not isinstance(body, dict):
        raise Reject(json_response(400, error_body(400, model, "Invalid JSON payload received.")))
    model = model or str(body.get("model") or "")  # Cohere and Ollama name the model in the body
    controls = faults.parse_controls(request.headers, model)
    delay_ms = state.options.latency_ms + controls.latency_ms
    if delay_ms > 0:
        await asyncio.sleep(delay_ms / 1000)
    if controls.hang_s is not None:
        await asyncio.sleep(controls.hang_s)
    refused = check_auth(request)
    if refused is not None:
        raise Reject(refused)
    error = controls.error
    if controls.fail_times:
        error = (
            (error if error is not None else 500)
            if state.fail_counter.should_fail(controls.fail_key or "", controls.fail_times)
            else None
        )
    elif error is None and state.options.error_rate and state.rng.random() < state.options.error_rate:
        error = state.options.error_status
    if error is not None and error not in (faults.CONTEXT_WINDOW, faults.CONTENT_POLICY):
        status = error if isinstance(error, int) and 400 <= error <= 599 else 400
        raise Reject(json_response(status, error_body(status, model, None), faults.retry_headers(controls)))
    return body, controls


async def write_events(
    request: web.Request,
    events: list[bytes],
    controls: faults.Controls,
    error_event: Callable[[], bytes],
    content_type: str,
) -> web.StreamResponse:
    """Write a stream with the fault injection of ``app._write_stream`` (disconnect / error / hang after
    N events, per-event delay); a fault always lands before the terminal event."""
    state = request.app[STATE_KEY]
    response = web.StreamResponse(
        status=200, headers={"Content-Type": content_type, "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    faults_at = [
        (n, kind)
        for n, kind in (
            (controls.disconnect_after, "disconnect"),
            (controls.stream_error_after, "error"),
            (controls.stream_hang_after, "hang"),
        )
        if n is not None
    ]
    delay = (state.options.chunk_delay_ms + controls.chunk_delay_ms) / 1000
    if not faults_at and not delay:
        await response.write(b"".join(events))
        await response.write_eof()
        return response
    at, kind = min(faults_at) if faults_at else (len(events), "")
    at = min(at, len(events) - 1)
    for i, event in enumerate(events[:at]):
        if delay and i:
            await asyncio.sleep(delay)
        await response.write(event)
    if kind == "disconnect":
        if request.transport is not None:
            request.transport.close()
        raise asyncio.CancelledError
    if kind == "error":
        await response.write(error_event())
    elif kind == "hang":
        await asyncio.sleep(STREAM_HANG_S)
    else:
        if delay:
            await asyncio.sleep(delay)
        for event in events[at:]:
            await response.write(event)
    await response.write_eof()
    return response


# --- Google error bodies ------------------------------------------------------------------------------

_GOOGLE_ERRORS: dict[int, tuple[str, str]] = {
    400: ("INVALID_ARGUMENT", "Request contains an invalid argument."),
    401: (
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
    ),
    403: ("PERMISSION_DENIED", "The caller does not have permission"),
    404: (
        "NOT_FOUND",
        "models/{model} is not found for API version v1beta, or is not supported for generateContent.",
    ),
    408: ("DEADLINE_EXCEEDED", "The request timed out."),
    429: (
        "RESOURCE_EXHAUSTED",
        "You exceeded your current quota, please check your plan and billing details.",
    ),
    500: (
        "INTERNAL",
        "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
    ),
    503: ("UNAVAILABLE", "The model is overloaded. Please try again later."),
    504: ("DEADLINE_EXCEEDED", "The service is currently unavailable."),
}


def google_error(
    status: int, model: str = "", message: str | None = None, reason: str | None = None
) -> dict[str, Any]:
    rpc, text = _GOOGLE_ERRORS.get(status, ("UNKNOWN", f"Error {status} (injected by the fake provider)."))
    err: dict[str, Any] = {"code": status, "message": message or text.format(model=model), "status": rpc}
    if reason:
        err["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
            }
        ]
    return {"error": err}


def _google_error_body(status: int, model: str, message: str | None) -> dict[str, Any]:
    return google_error(status, model, message)


def _gemini_auth(request: web.Request) -> web.Response | None:
    key = request.headers.get("x-goog-api-key") or request.query.get("key")
    if not key:
        bearer = request.headers.get("Authorization", "")
        if bearer.lower().startswith("bearer ") and bearer[7:].strip():
            return None
        message = "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."
        return json_response(403, google_error(403, message=message))
    if key.startswith("invalid"):
        return json_response(
            400,
            google_error(
                400, message="API key not valid. Please pass a valid API key.", reason="API_KEY_INVALID"
            ),
        )
    return None


def _vertex_auth(request: web.Request) -> web.Response | None:
    if request.headers.get("x-goog-api-key"):
        return _gemini_auth(request)  # express mode
    value = request.headers.get("Authorization", "")
    token = value[7:].strip() if value[:7].lower() == "bearer " else ""
    if not token or token.startswith("invalid"):
        return json_response(401, google_error(401))
    return None


# --- Gemini bodies ------------------------------------------------------------------------------------


def _parts_text(contents: Any) -> str:
    out = []
    for c in contents or ():
        if isinstance(c, Mapping):
            for part in c.get("parts") or ():
                if isinstance(part, Mapping):
                    if isinstance(part.get("text"), str):
                        out.append(part["text"])
                    for key in ("functionCall", "functionResponse"):
                        if key in part:
                            out.append(json.dumps(part[key]))
    return " ".join(out)


def _last_user_text(contents: Any) -> str:
    text = ""
    for c in contents or ():
        if isinstance(c, Mapping) and c.get("role", "user") == "user":
            text = " ".join(
                p.get("text", "")
                for p in c.get("parts") or ()
                if isinstance(p, Mapping) and isinstance(p.get("text"), str)
            )
    return text


def _prompt_tokens(body: Mapping[str, Any]) -> int:
    system = body.get("systemInstruction") or {}
    total = content.estimate_tokens(_parts_text(body.get("contents"))) + 3 * len(body.get("contents") or ())
    total += content.estimate_tokens(_parts_text([system])) if system else 0
    total += content.estimate_tokens(json.dumps(body.get("tools"))) if body.get("tools") else 0
    return total


class GeminiPlan:
    __slots__ = (
        "cached",
        "calls",
        "candidates",
        "finish",
        "grounded",
        "json_text",
        "model",
        "pieces",
        "prompt",
        "thoughts",
    )

    def __init__(self) -> None:
        self.calls: list[content.ToolCall] = []
        self.candidates = 1
        self.finish = "STOP"
        self.grounded = False
        self.json_text: str | None = None
        self.model = ""
        self.pieces: list[str] = []
        self.prompt = 0
        self.cached = 0
        self.thoughts: list[str] = []

    @property
    def output_tokens(self) -> int:
        if self.calls:
            return sum(content.estimate_tokens(c.arguments) + 1 for c in self.calls)
        if self.json_text is not None:
            return content.estimate_tokens(self.json_text)
        return len(self.pieces)


def plan_gemini(
    body: Mapping[str, Any], model: str, controls: faults.Controls, default_chunks: int
) -> GeminiPlan:
    plan = GeminiPlan()
    plan.model = model
    plan.prompt = _prompt_tokens(body)
    plan.cached = min(controls.cached_tokens or 0, plan.prompt)
    config = body.get("generationConfig") or {}
    plan.candidates = max(1, int(config.get("candidateCount") or 1))
    thinking = config.get("thinkingConfig") or {}
    if thinking.get("includeThoughts") and thinking.get("thinkingBudget", 1) != 0:
        plan.thoughts = content.thinking_pieces()
    declarations: list[Mapping[str, Any]] = []
    for tool in body.get("tools") or ():
        if isinstance(tool, Mapping):
            declarations.extend(tool.get("functionDeclarations") or ())
            if "googleSearch" in tool or "googleSearchRetrieval" in tool:
                plan.grounded = True
    calling = ((body.get("toolConfig") or {}).get("functionCallingConfig")) or {}
    mode = calling.get("mode", "AUTO")
    if declarations and mode != "NONE":
        allowed = calling.get("allowedFunctionNames") or []
        plan.calls = content.choose_tool_calls(
            declarations,
            allowed[0] if allowed else None,
            mode == "ANY",
            _last_user_text(body.get("contents")),
            id_prefix="",
            schema_key="parameters",
        )
    if plan.calls:
        return plan
    if config.get("responseMimeType") == "application/json":
        schema = config.get("responseJsonSchema") or config.get("responseSchema")
        value = content.value_for_schema(schema) if schema else {"message": "Hello from the fake provider!"}
        plan.json_text = json.dumps(value, separators=(",", ":"))
        return plan
    words = controls.chunks or default_chunks
    limit = config.get("maxOutputTokens")
    if isinstance(limit, int) and 0 < limit < words:
        words, plan.finish = limit, "MAX_TOKENS"
    plan.pieces = content.reply_pieces(words)
    return plan


def _usage(plan: GeminiPlan, candidates_tokens: int) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "promptTokenCount": plan.prompt,
        "candidatesTokenCount": candidates_tokens * plan.candidates,
        "totalTokenCount": plan.prompt + candidates_tokens * plan.candidates + len(plan.thoughts),
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": plan.prompt}],
    }
    if plan.thoughts:
        usage["thoughtsTokenCount"] = len(plan.thoughts)
    if plan.cached:
        usage["cachedContentTokenCount"] = plan.cached
    return usage


def _grounding() -> dict[str, Any]:
    return {
        "webSearchQueries": ["fake provider search"],
        "groundingChunks": [{"web": {"uri": "https://example.com/fake", "title": "example.com"}}],
    }


def _candidate(
    plan: GeminiPlan, index: int, parts: list[dict[str, Any]], finish: str | None
) -> dict[str, Any]:
    cand: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": index}
    if finish:
        cand["finishReason"] = finish
        if plan.grounded:
            cand["groundingMetadata"] = _grounding()
    return cand


def gemini_json(plan: GeminiPlan) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    if plan.thoughts:
        parts.append({"text": "".join(plan.thoughts), "thought": True})
    if plan.calls:
        signature = content.thinking_signature(plan.model)
        for i, call in enumerate(plan.calls):
            part: dict[str, Any] = {"functionCall": {"name": call.name, "args": json.loads(call.arguments)}}
            if i == 0:
                part["thoughtSignature"] = signature
            parts.append(part)
    elif plan.json_text is not None:
        parts.append({"text": plan.json_text})
    else:
        parts.append({"text": "".join(plan.pieces)})
    return {
        "candidates": [
            _candidate(plan, i, [dict(p) for p in parts], plan.finish) for i in range(plan.candidates)
        ],
        "usageMetadata": _usage(plan, plan.output_tokens),
        "modelVersion": plan.model,
        "responseId": secrets.token_urlsafe(16),
    }


def gemini_stream_objects(plan: GeminiPlan) -> list[dict[str, Any]]:
    """The GenerateContentResponse of every stream event: thoughts first, then one word each; usage is
    cumulative on every event and the last one carries the finish reason."""
    response_id = secrets.token_urlsafe(16)
    steps: list[dict[str, Any]] = [{"text": t, "thought": True} for t in plan.thoughts]
    if plan.calls:
        steps.extend({"functionCall": {"name": c.name, "args": json.loads(c.arguments)}} for c in plan.calls)
    elif plan.json_text is not None:
        steps.extend({"text": piece} for piece in content.split_json(plan.json_text))
    else:
        steps.extend({"text": piece} for piece in plan.pieces)
    out = []
    produced = 0
    for i, part in enumerate(steps):
        last = i == len(steps) - 1
        if not part.get("thought"):
            produced = plan.output_tokens if last else produced + 1
        obj = {
            "candidates": [
                _candidate(plan, c, [part], plan.finish if last else None) for c in range(plan.candidates)
            ],
            "usageMetadata": _usage(plan, produced),
            "modelVersion": plan.model,
            "responseId": response_id,
        }
        out.append(obj)
    return out


#: a 1x1 transparent PNG: what the fake Imagen draws
_PNG_1X1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="


def _embedding(text: str, dims: int) -> list[float]:
    from litellm.fake_provider.openai_wire import _vector

    return list(_vector(text, dims))


# --- handlers -----------------------------------------------------------------------------------------


def _split(name: str) -> tuple[str, str]:
    model, _, method = name.partition(":")
    return model, method


def _context_window_error(plan: GeminiPlan, limit: int) -> web.Response | None:
    if plan.prompt > limit:
        message = (
            f"The input token count ({plan.prompt}) exceeds the maximum number of tokens allowed ({limit})."
        )
        return json_response(400, google_error(400, message=message))
    return None


async def _generate(
    request: web.Request, model: str, method: str, auth: Callable[[web.Request], web.Response | None]
) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    try:
        body, controls = await prelude(request, model=model, error_body=_google_error_body, check_auth=auth)
        if controls.error == faults.CONTEXT_WINDOW:
            raise Reject(
                json_response(
                    400,
                    google_error(
                        400,
                        message=f"The input token count ({state.options.context_window + 1}) exceeds the maximum number of tokens allowed ({state.options.context_window}).",
                    ),
                )
            )
        if controls.error == faults.CONTENT_POLICY:
            blocked = {
                "promptFeedback": {"blockReason": "SAFETY"},
                "usageMetadata": {"promptTokenCount": 1, "totalTokenCount": 1},
                "modelVersion": model,
            }
            raise Reject(json_response(200, blocked))
        if not isinstance(body.get("contents"), list) or not body["contents"]:
            raise Reject(
                json_response(
                    400,
                    google_error(400, message="* GenerateContentRequest.contents: contents is not specified"),
                )
            )
        plan = plan_gemini(body, model, controls, state.options.chunks)
        too_long = _context_window_error(plan, state.options.context_window)
        if too_long is not None:
            raise Reject(too_long)
    except Reject as reject:
        return reject.response
    if method == "generateContent":
        return json_response(200, gemini_json(plan))
    objects = gemini_stream_objects(plan)
    if request.query.get("alt") == "sse":
        events = [b"data: " + _dumps(o).encode() + b"\r\n\r\n" for o in objects]
        error = lambda: b"data: " + _dumps(google_error(503)).encode() + b"\r\n\r\n"  # noqa: E731
        return await write_events(request, events, controls, error, "text/event-stream")
    # without alt=sse: one JSON array, streamed element by element
    pieces = [(b"[" if i == 0 else b",\r\n") + _dumps(o).encode() for i, o in enumerate(objects)]
    pieces[-1] += b"]"
    return await write_events(
        request, pieces, controls, lambda: b"," + _dumps(google_error(503)).encode() + b"]", _JSON
    )


async def _embed(
    request: web.Request, model: str, method: str, auth: Callable[[web.Request], web.Response | None]
) -> web.StreamResponse:
    dims_default = request.app[STATE_KEY].options.embedding_dim
    try:
        body, _controls = await prelude(request, model=model, error_body=_google_error_body, check_auth=auth)
    except Reject as reject:
        return reject.response

    def one(req: Mapping[str, Any]) -> dict[str, Any]:
        text = _parts_text([req.get("content") or {}])
        dims = req.get("outputDimensionality") or dims_default
        return {"values": _embedding(text, int(dims))}

    if method == "embedContent":
        return json_response(200, {"embedding": one(body)})
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        return json_response(
            400, google_error(400, message="* BatchEmbedContentsRequest.requests: requests is not specified")
        )
    return json_response(200, {"embeddings": [one(r) for r in requests]})


async def _predict(request: web.Request, model: str) -> web.StreamResponse:
    dims_default = request.app[STATE_KEY].options.embedding_dim
    try:
        body, _controls = await prelude(
            request, model=model, error_body=_google_error_body, check_auth=_vertex_auth
        )
    except Reject as reject:
        return reject.response
    instances = body.get("instances")
    if not isinstance(instances, list) or not instances:
        return json_response(400, google_error(400, message="instances is required"))
    params = body.get("parameters") or {}
    if model.startswith("imagen"):
        count = int(params.get("sampleCount") or 1)
        if not 1 <= count <= 4:
            return json_response(400, google_error(400, message="sampleCount must be between 1 and 4"))
        mime = (params.get("outputOptions") or {}).get("mimeType", "image/png")
        return json_response(
            200, {"predictions": [{"bytesBase64Encoded": _PNG_1X1, "mimeType": mime} for _ in range(count)]}
        )
    predictions = []
    chars = 0
    for inst in instances:
        if model.startswith("multimodalembedding"):
            dims = int(params.get("dimension") or dims_default)
            pred: dict[str, Any] = {}
            if "text" in inst:
                pred["textEmbedding"] = _embedding(str(inst["text"]), dims)
            if "image" in inst:
                pred["imageEmbedding"] = _embedding(json.dumps(inst["image"]), dims)
            predictions.append(pred)
            continue
        text = str(inst.get("content", ""))
        chars += len(text)
        dims = int(params.get("outputDimensionality") or dims_default)
        predictions.append(
            {
                "embeddings": {
                    "values": _embedding(text, dims),
                    "statistics": {"token_count": content.estimate_tokens(text), "truncated": False},
                }
            }
        )
    return json_response(200, {"predictions": predictions, "metadata": {"billableCharacterCount": chars}})


async def _anthropic_raw(request: web.Request, model: str, method: str) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    try:
        body, controls = await prelude(
            request,
            model=model,
            error_body=lambda s, m, msg: faults.anthropic_error(s, m, msg),
            check_auth=_vertex_auth,
        )
        if body.get("anthropic_version") != "vertex-2023-10-16":
            raise Reject(
                json_response(
                    400,
                    faults.anthropic_error(400, message="anthropic_version: vertex-2023-10-16 is required"),
                )
            )
        invalid = anthropic_wire.validate({**body, "model": model})
        if invalid is not None:
            raise Reject(json_response(400, invalid))
        plan = anthropic_wire.plan_message(
            {**body, "model": model}, controls, state.options.chunks, state.prompt_cache
        )
    except Reject as reject:
        return reject.response
    if method == "streamRawPredict":
        return await write_events(
            request,
            anthropic_wire.message_stream(plan),
            controls,
            anthropic_wire.stream_error_event,
            "text/event-stream",
        )
    return json_response(200, anthropic_wire.message_json(plan))


def _route(auth: Callable[[web.Request], web.Response | None]) -> Callable[[web.Request], Any]:
    async def handler(request: web.Request) -> web.StreamResponse:
        model, method = _split(request.match_info["name"])
        publisher = request.match_info.get("publisher", "google")
        if publisher == "anthropic" and method in ("rawPredict", "streamRawPredict"):
            return await _anthropic_raw(request, model, method)
        if publisher == "mistralai" and method in ("rawPredict", "streamRawPredict"):
            return await chat_completions(request)
        if method in ("generateContent", "streamGenerateContent"):
            return await _generate(request, model, method, auth)
        if method in ("embedContent", "batchEmbedContents"):
            return await _embed(request, model, method, auth)
        if method == "predict":
            return await _predict(request, model)
        _record(request.app[STATE_KEY], request, None)
        return json_response(
            404, google_error(404, message=f"Method {method!r} is not found on this fake Google API.")
        )

    return handler


async def token(request: web.Request) -> web.StreamResponse:
    """OAuth 2.0 token endpoint (RFC 7523 JWT bearer grant, as service-account credentials use it)."""
    form = await request.post()
    _record(
        request.app[STATE_KEY],
        request,
        {k: ("<assertion>" if k == "assertion" else v) for k, v in form.items()},
    )
    if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" or not form.get("assertion"):
        return json_response(
            400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type."}
        )
    assertion = str(form.get("assertion"))
    if assertion.count(".") != 2:
        return json_response(400, {"error": "invalid_grant", "error_description": "Invalid JWT."})
    try:
        payload = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return json_response(400, {"error": "invalid_grant", "error_description": "Invalid JWT."})
    if str(claims.get("iss", "")).startswith("invalid"):  # a revoked or deleted service account
        return json_response(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
    issued = "ya29.fake-" + secrets.token_urlsafe(24)
    TOKENS_ISSUED.append(issued)
    if len(TOKENS_ISSUED) > 10_000:
        del TOKENS_ISSUED[:5_000]
    return json_response(200, {"access_token": issued, "expires_in": _TOKEN_TTL_S, "token_type": "Bearer"})


def add_routes(app: web.Application, add: Callable[..., Any]) -> None:
    gemini = _route(_gemini_auth)
    vertex = _route(_vertex_auth)
    for version in ("v1beta", "v1alpha"):
        add("POST", f"/{version}/models/{{name}}", gemini)
        add("POST", f"/{version}/tunedModels/{{name}}", gemini)
    add("POST", "/v1/models/{name}", gemini)
    for version in ("v1", "v1beta1"):
        add(
            "POST",
            f"/{version}/projects/{{project}}/locations/{{location}}/publishers/{{publisher}}/models/{{name}}",
            vertex,
        )
        add(
            "POST",
            f"/{version}/projects/{{project}}/locations/{{location}}/endpoints/openapi/chat/completions",
            chat_completions,
        )
        add("POST", f"/{version}/projects/{{project}}/locations/{{location}}/endpoints/{{name}}", vertex)
        add("POST", f"/{version}/publishers/{{publisher}}/models/{{name}}", vertex)
    add("POST", "/token", token)
