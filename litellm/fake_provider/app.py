"""The fake provider's aiohttp application: routes, the per-request fault pipeline, and the SSE writer.

Owns the HTTP side: which paths speak which flavour (OpenAI, Azure OpenAI, Anthropic), the order in which
a request is handled (record -> latency -> hang -> auth -> injected error -> validation -> context
window -> answer), and how a stream is written, cut, failed or stalled. Bodies come from
``openai_wire`` / ``anthropic_wire``; fault decisions from ``faults``.

Must not start threads or loops (``server`` and ``__main__`` do) and must stay fast: the benchmarks
measure our client against this server, so no per-request logging and no middleware.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from typing import Any

from aiohttp import web

from litellm.fake_provider import anthropic_wire, faults, openai_wire
from litellm.fake_provider.faults import Controls, Flavour
from litellm.fake_provider.options import FakeProviderOptions
from litellm.fake_provider.recording import RequestLog

_JSON = "application/json"
_OPENAI_HEADERS = {
    "x-request-id": "req_fake",
    "openai-processing-ms": "1",
    "x-ratelimit-limit-requests": "10000",
    "x-ratelimit-remaining-requests": "9999",
    "x-ratelimit-limit-tokens": "10000000",
    "x-ratelimit-remaining-tokens": "9999000",
}
_ANTHROPIC_HEADERS = {
    "request-id": "req_fake",
    "anthropic-ratelimit-requests-limit": "4000",
    "anthropic-ratelimit-requests-remaining": "3999",
    "anthropic-ratelimit-tokens-limit": "400000",
    "anthropic-ratelimit-tokens-remaining": "399000",
}
_SSE_HEADERS = {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"}

STREAM_HANG_S = 300.0  # long enough for any client read timeout under test; the server stop cancels it

STATE_KEY: web.AppKey[FakeState] = web.AppKey("fake_provider_state")


class FakeState:
    """Everything the handlers share: options, counters, the prompt cache and the request log."""

    def __init__(self, options: FakeProviderOptions, log: RequestLog | None) -> None:
        self.options = options
        self.log = log
        self.fail_counter = faults.FailCounter()
        self.prompt_cache = anthropic_wire.PromptCache()
        self.rng = random.Random(options.seed)

    def reset(self) -> None:
        self.fail_counter.clear()
        self.prompt_cache.clear()
        if self.log is not None:
            self.log.clear()


class _Reject(Exception):
    """A finished error response, raised out of the request pipeline."""

    def __init__(self, response: web.Response) -> None:
        self.response = response


def _flavour_headers(flavour: Flavour) -> dict[str, str]:
    return _ANTHROPIC_HEADERS if flavour == "anthropic" else _OPENAI_HEADERS


def _json_response(
    status: int, payload: dict[str, Any] | bytes, flavour: Flavour, extra: dict[str, str] | None = None
) -> web.Response:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = dict(_flavour_headers(flavour))
    if extra:
        headers.update(extra)
    return web.Response(body=body, status=status, content_type=_JSON, headers=headers)


async def _read_body(request: web.Request, flavour: Flavour) -> dict[str, Any]:
    raw = await request.read()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        message = "We could not parse the JSON body of your request."
        payload = (
            faults.anthropic_error(400, message=message)
            if flavour == "anthropic"
            else faults.openai_error(400, "", message)
        )
        raise _Reject(_json_response(400, payload, flavour))
    return body


def _record(state: FakeState, request: web.Request, body: Any) -> None:
    if state.log is None:
        return
    state.log.append(
        {
            "method": request.method,
            "path": request.path,
            "query": dict(request.query),
            "headers": {k.lower(): v for k, v in request.headers.items()},
            "json": body,
        }
    )


def _bearer(request: web.Request) -> str | None:
    value = request.headers.get("Authorization")
    if value is None:
        return None
    return value[7:].strip() if value[:7].lower() == "bearer " else ""


def _check_auth(request: web.Request, flavour: Flavour, model: str) -> None:
    """Refuse the request the way the real API refuses a missing or bad key.

    OpenAI-compatible servers often run without keys, so a missing key passes there; a key starting
    with ``invalid`` is refused everywhere, so tests can drive AuthenticationError.
    """
    if flavour == "anthropic":
        # Current Anthropic SDKs send the key as a Bearer token; LiteLLM and older SDKs use x-api-key.
        key = request.headers.get("x-api-key") or _bearer(request)
        if not key:
            raise _Reject(
                _json_response(
                    401, faults.anthropic_error(401, message="x-api-key header is required"), flavour
                )
            )
        if key.startswith("invalid"):
            raise _Reject(_json_response(401, faults.anthropic_error(401), flavour))
        if not request.headers.get("anthropic-version"):
            payload = faults.anthropic_error(400, message="anthropic-version: header is required")
            raise _Reject(_json_response(400, payload, flavour))
        return
    if flavour == "azure":
        key = request.headers.get("api-key") or _bearer(request)
        if not key or key.startswith("invalid"):
            raise _Reject(_json_response(401, faults.azure_error(401, model), flavour))
        if request.path.startswith("/openai/deployments/") and "api-version" not in request.query:
            raise _Reject(_json_response(404, faults.azure_error(404, model), flavour))
        return
    key = _bearer(request)
    if key is not None and (not key or key.startswith("invalid")):
        raise _Reject(_json_response(401, faults.openai_error(401, model), flavour))


def _injected_error(
    state: FakeState, controls: Controls, flavour: Flavour, model: str
) -> web.Response | None:
    error = controls.error
    if controls.fail_times:
        if not state.fail_counter.should_fail(controls.fail_key or "", controls.fail_times):
            return None
        error = error if error is not None else 500
    elif error is None and state.options.error_rate and state.rng.random() < state.options.error_rate:
        error = state.options.error_status
    if error is None:
        return None
    if error == faults.CONTEXT_WINDOW:
        limit = (
            state.options.anthropic_context_window if flavour == "anthropic" else state.options.context_window
        )
        return _json_response(400, faults.context_window_error(flavour, limit + 1, limit), flavour)
    if error == faults.CONTENT_POLICY:
        return _json_response(400, faults.content_policy_error(flavour), flavour)
    if not isinstance(error, int) or not 400 <= error <= 599:
        return _json_response(400, faults.error_for(flavour, 400, model), flavour)
    return _json_response(
        error, faults.error_for(flavour, error, model), flavour, faults.retry_headers(controls)
    )


async def _prelude(
    request: web.Request, flavour: Flavour, model_hint: str = ""
) -> tuple[dict[str, Any], Controls, str]:
    """Read, record and apply every fault that comes before the answer; return (body, controls, model)."""
    state = request.app[STATE_KEY]
    try:
        body = await _read_body(request, flavour)
    except _Reject:
        _record(state, request, None)
        raise
    _record(state, request, body)
    model = str(body.get("model") or model_hint)
    controls = faults.parse_controls(request.headers, model)
    delay_ms = state.options.latency_ms + controls.latency_ms
    if delay_ms > 0:
        await asyncio.sleep(delay_ms / 1000)
    if controls.hang_s is not None:
        await asyncio.sleep(controls.hang_s)
    _check_auth(request, flavour, model)
    rejected = _injected_error(state, controls, flavour, model)
    if rejected is not None:
        raise _Reject(rejected)
    return body, controls, model


async def _write_stream(
    request: web.Request,
    events: list[bytes],
    controls: Controls,
    flavour: Flavour,
    error_event: Callable[[], bytes],
) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    response = web.StreamResponse(status=200, headers={**_flavour_headers(flavour), **_SSE_HEADERS})
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
        # One write: the client still parses an event stream, and the server stays off the hot path.
        await response.write(b"".join(events))
        await response.write_eof()
        return response
    # A fault always lands before the terminal event, so the stream is never complete.
    at, kind = min(faults_at) if faults_at else (len(events), "")
    at = min(at, len(events) - 1)
    for i, event in enumerate(events[:at]):
        if delay and i:
            await asyncio.sleep(delay)
        await response.write(event)
    if kind == "disconnect":
        # Close the socket mid-body: the client sees an incomplete chunked response.
        if request.transport is not None:
            request.transport.close()
        raise asyncio.CancelledError
    if kind == "error":
        await response.write(error_event())
    elif kind == "hang":
        await asyncio.sleep(STREAM_HANG_S)
    elif delay:
        await asyncio.sleep(delay)
        await response.write(events[-1])
    await response.write_eof()
    return response


# --- handlers -----------------------------------------------------------------------------------------


def _azure_or_openai(request: web.Request) -> tuple[Flavour, str]:
    if request.path.startswith("/openai/"):
        return "azure", request.match_info.get("deployment", "")
    return "openai", ""


async def chat_completions(request: web.Request) -> web.StreamResponse:
    flavour, deployment = _azure_or_openai(request)
    try:
        body, controls, model = await _prelude(request, flavour, deployment)
        if not body.get("model") and flavour == "openai":
            raise _Reject(
                _json_response(
                    400, faults.openai_error(400, "", "you must provide a model parameter"), flavour
                )
            )
        if not isinstance(body.get("messages"), list) or not body["messages"]:
            raise _Reject(_json_response(400, faults.openai_missing_param("messages"), flavour))
        state = request.app[STATE_KEY]
        plan = openai_wire.plan_chat(body, controls, state.options.chunks)
        plan.model = model
        if plan.prompt_tokens > state.options.context_window:
            payload = faults.context_window_error(flavour, plan.prompt_tokens, state.options.context_window)
            raise _Reject(_json_response(400, payload, flavour))
    except _Reject as reject:
        return reject.response
    azure = flavour == "azure"
    if body.get("stream"):
        stream_options = body.get("stream_options")
        include_usage = isinstance(stream_options, dict) and bool(stream_options.get("include_usage"))
        events = openai_wire.chat_stream(plan, include_usage=include_usage, azure=azure)
        return await _write_stream(
            request, events, controls, flavour, lambda: openai_wire.stream_error_event(500, model)
        )
    return _json_response(200, openai_wire.chat_json(plan, azure=azure), flavour)


async def completions(request: web.Request) -> web.StreamResponse:
    flavour, deployment = _azure_or_openai(request)
    try:
        body, controls, model = await _prelude(request, flavour, deployment)
        if "prompt" not in body:
            raise _Reject(_json_response(400, faults.openai_missing_param("prompt"), flavour))
    except _Reject as reject:
        return reject.response
    chunks = request.app[STATE_KEY].options.chunks
    if body.get("stream"):
        events = openai_wire.completion_stream(model, controls, chunks, body.get("max_tokens"))
        return await _write_stream(
            request, events, controls, flavour, lambda: openai_wire.stream_error_event(500, model)
        )
    return _json_response(
        200,
        openai_wire.completion_json(model, body["prompt"], controls, chunks, body.get("max_tokens")),
        flavour,
    )


async def embeddings(request: web.Request) -> web.StreamResponse:
    flavour, deployment = _azure_or_openai(request)
    try:
        body, _controls, _model = await _prelude(request, flavour, deployment)
    except _Reject as reject:
        return reject.response
    out = openai_wire.embeddings_json(body, request.app[STATE_KEY].options.embedding_dim)
    if out is None:
        return _json_response(400, faults.openai_missing_param("input"), flavour)
    return _json_response(200, out, flavour)


async def list_models(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    return _json_response(200, openai_wire.models_json(), "openai")


async def get_model(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    return _json_response(200, openai_wire.model_json(request.match_info["model"]), "openai")


async def messages(request: web.Request) -> web.StreamResponse:
    try:
        body, controls, _model = await _prelude(request, "anthropic")
        invalid = anthropic_wire.validate(body)
        if invalid is not None:
            raise _Reject(_json_response(400, invalid, "anthropic"))
        state = request.app[STATE_KEY]
        plan = anthropic_wire.plan_message(body, controls, state.options.chunks, state.prompt_cache)
        prompt = plan.input_tokens + plan.cache_read + plan.cache_creation
        if prompt > state.options.anthropic_context_window:
            payload = faults.anthropic_context_window(prompt, state.options.anthropic_context_window)
            raise _Reject(_json_response(400, payload, "anthropic"))
    except _Reject as reject:
        return reject.response
    if body.get("stream"):
        events = anthropic_wire.message_stream(plan)
        return await _write_stream(request, events, controls, "anthropic", anthropic_wire.stream_error_event)
    return _json_response(200, anthropic_wire.message_json(plan), "anthropic")


async def count_tokens(request: web.Request) -> web.StreamResponse:
    try:
        body, _controls, _model = await _prelude(request, "anthropic")
    except _Reject as reject:
        return reject.response
    return _json_response(200, anthropic_wire.count_tokens_json(body), "anthropic")


async def health(request: web.Request) -> web.StreamResponse:
    return web.Response(body=b'{"status":"ok"}', content_type=_JSON)


async def unknown_route(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    message = f"Invalid URL ({request.method} {request.path})"
    return _json_response(404, faults.openai_error(404, "", message), "openai")


def _extra_wires() -> list[Any]:
    """Every ``litellm.fake_provider.wire_*`` module, sorted by name; each offers
    ``add_routes(app, add)`` and registers its own paths (no shared route table to edit)."""
    import pkgutil
    from importlib import import_module

    import litellm.fake_provider as pkg

    names = sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if m.name.startswith("wire_"))
    return [import_module(f"litellm.fake_provider.{name}") for name in names]


def build_app(options: FakeProviderOptions, log: RequestLog | None = None) -> web.Application:
    app = web.Application(client_max_size=options.max_body_mb * 1024 * 1024)
    app[STATE_KEY] = FakeState(options, log)
    add = app.router.add_route
    for prefix in ("/v1", ""):
        add("POST", f"{prefix}/chat/completions", chat_completions)
        add("POST", f"{prefix}/completions", completions)
        add("POST", f"{prefix}/embeddings", embeddings)
        add("GET", f"{prefix}/models", list_models)
        add("GET", f"{prefix}/models/{{model}}", get_model)
    add("POST", "/openai/deployments/{deployment}/chat/completions", chat_completions)
    add("POST", "/openai/deployments/{deployment}/completions", completions)
    add("POST", "/openai/deployments/{deployment}/embeddings", embeddings)
    add("POST", "/openai/v1/chat/completions", chat_completions)
    add("POST", "/openai/v1/embeddings", embeddings)
    add("POST", "/v1/messages", messages)
    add("POST", "/v1/messages/count_tokens", count_tokens)
    add("GET", "/health", health)
    for wire in _extra_wires():  # native formats and other call types, each a wire_*.py module
        wire.add_routes(app, add)
    add("*", "/{tail:.*}", unknown_route)
    return app
