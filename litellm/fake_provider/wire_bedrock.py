"""The fake provider speaks Amazon Bedrock runtime: Converse, ConverseStream, InvokeModel and
InvokeModelWithResponseStream, under ``/model/{modelId}/...`` as the real endpoint serves them.

Owns: the SigV4 ``Authorization`` check (shape always: algorithm, ``Credential=KEY/DATE/REGION/bedrock/
aws4_request``, SignedHeaders including host and x-amz-date, a 64-hex signature, an ``X-Amz-Date`` of the
same day; and for the access key :data:`VERIFIED_ACCESS_KEY` the signature itself, recomputed with
:data:`VERIFIED_SECRET_KEY` over the bytes received, so a test proves the client signs what it sends), a
bearer API key, the Converse JSON reply (text, toolUse, usage with cache reads/writes from ``cachePoint``
blocks), the ConverseStream event sequence encoded as ``application/vnd.amazon.eventstream`` frames with
CRCs, the invoke Anthropic body (reply and base64-wrapped ``chunk`` stream) and Titan / Cohere embeddings,
and Bedrock's error bodies with ``x-amzn-ErrorType`` for ``x-fake-*`` faults (mid-stream errors are
``exception`` frames).

Must not: start loops or threads, or touch the OpenAI / Anthropic routes (``app`` owns those).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
from typing import Any

from aiohttp import web

from litellm.core.eventstream import event_frame, exception_frame
from litellm.fake_provider import anthropic_wire, content, faults
from litellm.fake_provider.faults import Controls

#: signatures from this access key are verified in full (with VERIFIED_SECRET_KEY)
VERIFIED_ACCESS_KEY = "AKIAFAKEBEDROCKTEST1"
VERIFIED_SECRET_KEY = "fake-bedrock-secret-key"

_AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[A-Z0-9]+)/(?P<date>\d{8})/(?P<region>[a-z0-9-]+)/"
    r"(?P<service>[a-z-]+)/aws4_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<sig>[0-9a-f]{64})$"
)
_ERROR_TYPES = {
    400: ("ValidationException", "Malformed input request (injected by the fake provider)."),
    401: ("UnrecognizedClientException", "The security token included in the request is invalid."),
    403: ("AccessDeniedException", "You don't have access to the model with the specified model ID."),
    404: (
        "ResourceNotFoundException",
        "Could not resolve the foundation model from the provided model identifier.",
    ),
    408: ("ModelTimeoutException", "Model has timed out in processing the request."),
    424: ("ModelErrorException", "The model returned an error."),
    429: ("ThrottlingException", "Too many requests, please wait before trying again."),
    500: ("InternalServerException", "The server encountered an internal error."),
    503: ("ServiceUnavailableException", "The service is unavailable. Please try again."),
}
_HEADERS = {"x-amzn-RequestId": "fake-bedrock-request"}
_STREAM_HEADERS = {"Content-Type": "application/vnd.amazon.eventstream", **_HEADERS}


def _error(status: int, message: str | None = None, error_type: str | None = None) -> web.Response:
    etype, default = _ERROR_TYPES.get(
        status, ("InternalServerException", "Error (injected by the fake provider).")
    )
    etype = error_type or etype
    return web.Response(
        status=status,
        body=json.dumps({"message": message or default}).encode(),
        content_type="application/json",
        headers={
            **_HEADERS,
            "x-amzn-ErrorType": f"{etype}:http://internal.amazon.com/coral/com.amazon.bedrock/",
        },
    )


def _check_auth(request: web.Request, raw: bytes, service: str = "bedrock") -> web.Response | None:
    header = request.headers.get("Authorization")
    if not header:
        return _error(403, "Missing Authentication Token", "MissingAuthenticationTokenException")
    if header.startswith("Bearer "):
        token = header[7:].strip()
        if not token or token.startswith("invalid"):
            return _error(403, "Invalid API key.", "UnrecognizedClientException")
        return None
    m = _AUTH_RE.match(header)
    amz_date = request.headers.get("X-Amz-Date", "")
    if m is None or m.group("service") != service:
        return _error(
            403, f"Authorization header requires SigV4 for service {service}.", "IncompleteSignatureException"
        )
    signed = m.group("signed").split(";")
    if "host" not in signed or "x-amz-date" not in signed or not amz_date.startswith(m.group("date")):
        return _error(
            403, "Signature must cover host and x-amz-date of the same day.", "IncompleteSignatureException"
        )
    if m.group("key").startswith("AKIAINVALID"):
        return _error(
            403, "The security token included in the request is invalid.", "UnrecognizedClientException"
        )
    if m.group("key") == VERIFIED_ACCESS_KEY:
        from datetime import datetime, timezone

        from litellm.providers.auth.aws import sigv4_headers

        headers = {k: v for k, v in request.headers.items() if k.lower() in signed and k.lower() != "host"}
        url = f"{request.scheme}://{request.host}{request.raw_path}"
        expected = sigv4_headers(
            request.method,
            url,
            headers,
            raw,
            access_key=VERIFIED_ACCESS_KEY,
            secret_key=VERIFIED_SECRET_KEY,
            session_token=request.headers.get("X-Amz-Security-Token"),
            region=m.group("region"),
            service=service,
            now=datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc),
        )
        if expected["Authorization"] != header:
            return _error(
                403,
                "The request signature we calculated does not match the signature you provided.",
                "InvalidSignatureException",
            )
    return None


def _injected(request: web.Request, controls: Controls) -> web.Response | None:
    state = request.app[_state_key()]
    error = controls.error
    if controls.fail_times:
        if not state.fail_counter.should_fail(controls.fail_key or "", controls.fail_times):
            return None
        error = error if error is not None else 500
    if error is None:
        return None
    if error == faults.CONTEXT_WINDOW:
        return _error(400, "Input is too long for requested model.")
    if error == faults.CONTENT_POLICY:
        return _error(400, "The request was blocked by a guardrail.")
    status = error if isinstance(error, int) else 400
    response = _error(status)
    response.headers.update(faults.retry_headers(controls))
    return response


def _state_key() -> Any:
    from litellm.fake_provider.app import STATE_KEY

    return STATE_KEY


async def _prelude(
    request: web.Request, service: str = "bedrock"
) -> tuple[dict[str, Any], Controls, str, web.Response | None]:
    state = request.app[_state_key()]
    raw = await request.read()
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        body = None
    model_id = request.match_info.get("model_id") or request.match_info.get("endpoint", "")
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
    controls = faults.parse_controls(request.headers, model_id)
    delay_ms = state.options.latency_ms + controls.latency_ms
    if delay_ms > 0:
        await asyncio.sleep(delay_ms / 1000)
    if controls.hang_s is not None:
        await asyncio.sleep(controls.hang_s)
    rejected = _check_auth(request, raw, service) or _injected(request, controls)
    if rejected is None and not isinstance(body, dict):
        rejected = _error(400, "Malformed input request: the body is not a JSON object.")
    return body or {}, controls, model_id, rejected


# ---- Converse ---------------------------------------------------------------------------------------


def _segments(body: dict[str, Any]) -> list[tuple[str, bool]]:
    """(text, a cachePoint follows) in Bedrock's cache order: tools, system, messages."""
    out: list[tuple[str, bool]] = []

    def add(blocks: Any) -> None:
        for block in blocks or ():
            if not isinstance(block, dict):
                continue
            if "cachePoint" in block:
                if out:
                    out[-1] = (out[-1][0], True)
                continue
            out.append((json.dumps(block, sort_keys=True), False))

    add((body.get("toolConfig") or {}).get("tools"))
    add(body.get("system"))
    for message in body.get("messages") or ():
        if isinstance(message, dict):
            add(message.get("content"))
    return out


def _usage(
    request: web.Request, body: dict[str, Any], model_id: str, controls: Controls, output: int
) -> dict[str, Any]:
    segments = _segments(body)
    total = sum(content.estimate_tokens(t) for t, _ in segments) + 3 * len(body.get("messages") or ())
    prefix, end, running = 0, -1, 0
    for i, (text, marked) in enumerate(segments):
        running += content.estimate_tokens(text)
        if marked:
            prefix, end = running, i
    read = write = 0
    if end >= 0 and controls.cache != "none":
        if controls.cache in ("read", "write"):
            hit = controls.cache == "read"
        else:
            digest = hashlib.sha256(model_id.encode())
            for text, _ in segments[: end + 1]:
                digest.update(text.encode())
            hit = request.app[_state_key()].prompt_cache.hit("bedrock:" + digest.hexdigest())
        read, write = (prefix, 0) if hit else (0, prefix)
    uncached = total - prefix if end >= 0 and controls.cache != "none" else total
    usage = {"inputTokens": uncached, "outputTokens": output, "totalTokens": total + output}
    if end >= 0 and controls.cache != "none":
        usage.update(cacheReadInputTokens=read, cacheWriteInputTokens=write)
    return usage


def _plan(
    request: web.Request, body: dict[str, Any], controls: Controls
) -> tuple[list[str], list[content.ToolCall]]:
    tool_config = body.get("toolConfig") or {}
    specs = [t["toolSpec"] for t in tool_config.get("tools") or () if isinstance(t, dict) and "toolSpec" in t]
    tools = [
        {"name": s.get("name"), "input_schema": (s.get("inputSchema") or {}).get("json") or {}} for s in specs
    ]
    choice = tool_config.get("toolChoice") or {}
    forced = (choice.get("tool") or {}).get("name")
    last_user = ""
    for message in body.get("messages") or ():
        if isinstance(message, dict) and message.get("role") == "user":
            last_user = content.text_of(message.get("content"))
    calls = content.choose_tool_calls(
        tools, forced, "any" in choice, last_user, id_prefix="tooluse_", schema_key="input_schema"
    )
    chunks = controls.chunks or request.app[_state_key()].options.chunks
    return ([] if calls else content.reply_pieces(chunks)), calls


async def converse(request: web.Request) -> web.StreamResponse:
    body, controls, model_id, rejected = await _prelude(request)
    if rejected is not None:
        return rejected
    if not body.get("messages"):
        return _error(400, "A conversation must start with a user message.")
    pieces, calls = _plan(request, body, controls)
    blocks: list[dict[str, Any]] = [{"text": "".join(pieces)}] if pieces else []
    for call in calls:
        blocks.append(
            {"toolUse": {"toolUseId": call.id, "name": call.name, "input": json.loads(call.arguments)}}
        )
    output = len(pieces) + sum(content.estimate_tokens(c.arguments) for c in calls)
    reply = {
        "output": {"message": {"role": "assistant", "content": blocks}},
        "stopReason": "tool_use" if calls else "end_turn",
        "usage": _usage(request, body, model_id, controls, output),
        "metrics": {"latencyMs": 1},
    }
    return web.Response(body=json.dumps(reply).encode(), content_type="application/json", headers=_HEADERS)


def _converse_events(usage: dict[str, Any], pieces: list[str], calls: list[content.ToolCall]) -> list[bytes]:
    frame = lambda name, payload: event_frame(name, json.dumps({**payload, "p": "abcdefgh"}).encode())  # noqa: E731
    events = [frame("messageStart", {"role": "assistant"})]
    index = 0
    if pieces:
        for piece in pieces:
            events.append(frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": piece}}))
        events.append(frame("contentBlockStop", {"contentBlockIndex": 0}))
        index = 1
    for call in calls:
        start = {"toolUse": {"toolUseId": call.id, "name": call.name}}
        events.append(frame("contentBlockStart", {"contentBlockIndex": index, "start": start}))
        for fragment in content.split_json(call.arguments):
            delta = {"toolUse": {"input": fragment}}
            events.append(frame("contentBlockDelta", {"contentBlockIndex": index, "delta": delta}))
        events.append(frame("contentBlockStop", {"contentBlockIndex": index}))
        index += 1
    events.append(frame("messageStop", {"stopReason": "tool_use" if calls else "end_turn"}))
    events.append(frame("metadata", {"usage": usage, "metrics": {"latencyMs": 1}}))
    return events


async def _write_frames(request: web.Request, events: list[bytes], controls: Controls) -> web.StreamResponse:
    state = request.app[_state_key()]
    response = web.StreamResponse(status=200, headers=_STREAM_HEADERS)
    await response.prepare(request)
    delay = (state.options.chunk_delay_ms + controls.chunk_delay_ms) / 1000
    cut = [
        (n, kind)
        for n, kind in (
            (controls.disconnect_after, "disconnect"),
            (controls.stream_error_after, "error"),
            (controls.stream_hang_after, "hang"),
        )
        if n is not None
    ]
    if not cut and not delay:
        await response.write(b"".join(events))
        await response.write_eof()
        return response
    at, kind = min(cut) if cut else (len(events), "")
    at = min(at, len(events) - 1) if cut else len(events)
    for i, event in enumerate(events[:at]):
        if delay and i:
            await asyncio.sleep(delay)
        await response.write(event)
    if kind == "disconnect":
        if request.transport is not None:
            request.transport.close()
        raise asyncio.CancelledError
    if kind == "error":
        await response.write(
            exception_frame(
                "internalServerException", b'{"message":"The server encountered an internal error."}'
            )
        )
    elif kind == "hang":
        from litellm.fake_provider.app import STREAM_HANG_S

        await asyncio.sleep(STREAM_HANG_S)
    await response.write_eof()
    return response


async def converse_stream(request: web.Request) -> web.StreamResponse:
    body, controls, model_id, rejected = await _prelude(request)
    if rejected is not None:
        return rejected
    if not body.get("messages"):
        return _error(400, "A conversation must start with a user message.")
    pieces, calls = _plan(request, body, controls)
    output = len(pieces) + sum(content.estimate_tokens(c.arguments) for c in calls)
    usage = _usage(request, body, model_id, controls, output)
    return await _write_frames(request, _converse_events(usage, pieces, calls), controls)


# ---- InvokeModel ------------------------------------------------------------------------------------


def _embedding(model_id: str, body: dict[str, Any], dim: int) -> dict[str, Any]:
    def vector(text: str, n: int) -> list[float]:
        seed = hashlib.sha256(text.encode()).digest()
        return [round((seed[i % 32] - 128) / 128, 6) for i in range(n)]

    if "cohere." in model_id:
        texts = body.get("texts") or []
        return {
            "embeddings": [vector(t, dim) for t in texts],
            "id": content.new_id(""),
            "response_type": "embeddings_floats",
            "texts": texts,
        }
    text = str(body.get("inputText") or body.get("inputImage") or "")
    n = int(body.get("dimensions") or (body.get("embeddingConfig") or {}).get("outputEmbeddingLength") or dim)
    return {"embedding": vector(text, n), "inputTextTokenCount": content.estimate_tokens(text)}


#: a 1x1 PNG, the image every fake image model draws
_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="


def _image_reply(model_id: str, body: dict[str, Any]) -> dict[str, Any] | None:
    """Stability SD3 / Stable Image, SDXL and Titan / Nova Canvas reply bodies (None: not an image model)."""
    if "stable-diffusion-xl" in model_id:
        n = int(body.get("samples") or 1)
        return {
            "result": "success",
            "artifacts": [{"seed": 1, "base64": _PNG, "finishReason": "SUCCESS"}] * n,
        }
    if "stability." in model_id:
        blocked = "[fake:blocked]" in str(body.get("prompt"))
        return {
            "seeds": [1],
            "finish_reasons": ["Filter reason: prompt" if blocked else None],
            "images": [_PNG],
        }
    if "titan-image" in model_id or "nova-canvas" in model_id:
        config = body.get("imageGenerationConfig") or {}
        if "[fake:blocked]" in str((body.get("textToImageParams") or {}).get("text")):
            return {"images": [], "error": "This request has been blocked by our content filters."}
        return {"images": [_PNG] * int(config.get("numberOfImages") or 1), "error": None}
    return None


async def invoke(request: web.Request) -> web.StreamResponse:
    body, controls, model_id, rejected = await _prelude(request)
    if rejected is not None:
        return rejected
    state = request.app[_state_key()]
    if "embed" in model_id:
        payload = _embedding(model_id, body, state.options.embedding_dim)
        return web.Response(
            body=json.dumps(payload).encode(), content_type="application/json", headers=_HEADERS
        )
    image = _image_reply(model_id, body)
    if image is not None:
        return web.Response(
            body=json.dumps(image).encode(), content_type="application/json", headers=_HEADERS
        )
    if body.get("anthropic_version") != "bedrock-2023-05-31":
        return _error(400, "Malformed input request: #: required key [anthropic_version] not found")
    plan = anthropic_wire.plan_message(
        {**body, "model": model_id}, controls, state.options.chunks, state.prompt_cache
    )
    return web.Response(
        body=anthropic_wire.message_json(plan), content_type="application/json", headers=_HEADERS
    )


async def invoke_stream(request: web.Request) -> web.StreamResponse:
    body, controls, model_id, rejected = await _prelude(request)
    if rejected is not None:
        return rejected
    state = request.app[_state_key()]
    if body.get("anthropic_version") != "bedrock-2023-05-31":
        return _error(400, "Malformed input request: #: required key [anthropic_version] not found")
    plan = anthropic_wire.plan_message(
        {**body, "model": model_id}, controls, state.options.chunks, state.prompt_cache
    )
    frames = []
    for sse in anthropic_wire.message_stream(plan):
        data = next(line[6:] for line in sse.decode().splitlines() if line.startswith("data: "))
        wrapped = {"bytes": base64.b64encode(data.encode()).decode(), "p": "abcd"}
        frames.append(event_frame("chunk", json.dumps(wrapped).encode()))
    return await _write_frames(request, frames, controls)


# ---- SageMaker runtime ------------------------------------------------------------------------------


def _tgi_lines(pieces: list[str], prompt_tokens: int) -> list[bytes]:
    lines = []
    for i, piece in enumerate(pieces):
        token = {"id": i, "text": piece, "logprob": -0.1, "special": False}
        lines.append(json.dumps({"index": i, "token": token, "generated_text": None, "details": None}))
    details = {
        "finish_reason": "eos_token",
        "generated_tokens": len(pieces) + 1,
        "input_length": prompt_tokens,
    }
    eos = {"id": 2, "text": "</s>", "logprob": -0.1, "special": True}
    lines.append(
        json.dumps(
            {"index": len(pieces), "token": eos, "generated_text": "".join(pieces), "details": details}
        )
    )
    return [f"data:{line}\n\n".encode() for line in lines]


def _payload_parts(stream_bytes: bytes) -> list[bytes]:
    """The container's stream cut at arbitrary points (SageMaker does not keep lines whole)."""
    cuts, i, step = [], 0, 23
    while i < len(stream_bytes):
        cuts.append(stream_bytes[i : i + step])
        i += step
        step = 37 if step == 23 else 23
    return [event_frame("PayloadPart", part, content_type="application/octet-stream") for part in cuts]


async def sagemaker_invoke(request: web.Request) -> web.StreamResponse:
    body, controls, _endpoint, rejected = await _prelude(request, "sagemaker")
    if rejected is not None:
        return rejected
    state = request.app[_state_key()]
    stream = request.path.endswith("-response-stream")
    if "messages" in body:
        from litellm.fake_provider import openai_wire

        plan = openai_wire.plan_chat(body, controls, state.options.chunks)
        if stream:
            sse = b"".join(openai_wire.chat_stream(plan, include_usage=True))
            return await _write_frames(request, _payload_parts(sse), controls)
        return web.Response(
            body=openai_wire.chat_json(plan), content_type="application/json", headers=_HEADERS
        )
    inputs = body.get("inputs")
    if isinstance(inputs, list):  # an embedding container
        dim = state.options.embedding_dim
        vectors = [_embedding("amazon.titan-embed", {"inputText": t}, dim)["embedding"] for t in inputs]
        return web.Response(body=json.dumps({"embedding": vectors}).encode(), content_type="application/json")
    pieces = content.reply_pieces(controls.chunks or state.options.chunks)
    if stream:
        prompt_tokens = content.estimate_tokens(str(inputs or ""))
        return await _write_frames(
            request, _payload_parts(b"".join(_tgi_lines(pieces, prompt_tokens))), controls
        )
    reply = [{"generated_text": "".join(pieces)}]
    return web.Response(body=json.dumps(reply).encode(), content_type="application/json", headers=_HEADERS)


def add_routes(app: web.Application, add: Any) -> None:
    add("POST", "/endpoints/{endpoint}/invocations", sagemaker_invoke)
    add("POST", "/endpoints/{endpoint}/invocations-response-stream", sagemaker_invoke)
    add("POST", "/model/{model_id}/converse", converse)
    add("POST", "/model/{model_id}/converse-stream", converse_stream)
    add("POST", "/model/{model_id}/invoke", invoke)
    add("POST", "/model/{model_id}/invoke-with-response-stream", invoke_stream)
