"""Deepgram's pre-recorded transcription in the fake provider: ``POST /v1/listen``.

Owns the reply Deepgram documents (``metadata`` with ``request_id``, ``duration`` and ``channels``;
``results.channels[0].alternatives[0]`` with ``transcript``, ``confidence`` and ``words``; with
``diarize=true`` each word has a ``speaker`` and a ``paragraphs.transcript``; with
``detect_language=true`` the channel has ``detected_language``), the ``Token <key>`` check (missing or
``invalid*``: 401 ``{"err_code": "INVALID_AUTH", ...}``), and the ``x-fake-*`` faults (injected errors
and latency; the request log records the query and the audio's size, not its bytes). The audio's
duration is read from a WAV header (else one second per 32,000 bytes).

Must not import ``litellm`` outside this package.
"""

from __future__ import annotations

import asyncio
import struct
import uuid
from collections.abc import Callable
from typing import Any

from aiohttp import web

from litellm.fake_provider import faults
from litellm.fake_provider.app import STATE_KEY, _record
from litellm.fake_provider.wire_google import json_response

_WORDS = ("hello", "from", "the", "fake", "deepgram", "server")
_ERRORS = {
    400: ("Bad Request", "Bad Request: failed to process audio: corrupt or unsupported data"),
    401: ("INVALID_AUTH", "Invalid credentials."),
    402: ("ASR_PAYMENT_REQUIRED", "Project does not have enough credits for an ASR request"),
    429: ("TOO_MANY_REQUESTS", "Too many requests. Please try again later"),
}


def _error(status: int) -> dict[str, Any]:
    code, message = _ERRORS.get(
        status, ("INTERNAL_SERVER_ERROR", f"error {status} (injected by the fake provider)")
    )
    return {"err_code": code, "err_msg": message, "request_id": str(uuid.uuid4())}


def _seconds(audio: bytes) -> float:
    if len(audio) >= 44 and audio[:4] == b"RIFF" and audio[8:12] == b"WAVE":
        pos, rate = 12, None
        while pos + 8 <= len(audio):
            chunk, size = audio[pos : pos + 4], struct.unpack("<I", audio[pos + 4 : pos + 8])[0]
            if chunk == b"fmt " and pos + 20 <= len(audio):
                rate = struct.unpack("<I", audio[pos + 16 : pos + 20])[0]
            elif chunk == b"data" and rate:
                return round(min(size, len(audio) - pos - 8) / rate, 6)
            pos += 8 + size + (size & 1)
    return round(len(audio) / 32000, 6)


async def listen(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    audio = await request.read()
    _record(state, request, {"audio_bytes": len(audio), "content_type": request.content_type})
    model = request.query.get("model", "base")
    controls = faults.parse_controls(request.headers, model)
    if controls.latency_ms:
        await asyncio.sleep(controls.latency_ms / 1000)
    header = request.headers.get("Authorization", "")
    key = header[6:].strip() if header[:6].lower() == "token " else ""
    if not key or key.startswith("invalid"):
        return json_response(401, _error(401))
    error = controls.error
    if controls.fail_times:
        error = (
            (error or 500)
            if state.fail_counter.should_fail(controls.fail_key or "", controls.fail_times)
            else None
        )
    if isinstance(error, int):
        return json_response(error, _error(error), faults.retry_headers(controls))
    if not audio:
        return json_response(400, _error(400))
    duration = _seconds(audio)
    diarize = request.query.get("diarize") == "true"
    step = duration / len(_WORDS) if duration else 0.1
    words = []
    for i, word in enumerate(_WORDS):
        entry: dict[str, Any] = {
            "word": word,
            "start": round(i * step, 3),
            "end": round((i + 1) * step, 3),
            "confidence": 0.99,
            "punctuated_word": word.capitalize() if i == 0 else word + ("." if i == len(_WORDS) - 1 else ""),
        }
        if diarize:
            entry["speaker"] = 0 if i < 3 else 1
        words.append(entry)
    transcript = " ".join(w["punctuated_word"] for w in words)
    alternative: dict[str, Any] = {"transcript": transcript, "confidence": 0.99, "words": words}
    if diarize:
        alternative["paragraphs"] = {
            "transcript": "\nSpeaker 0: Hello from the\n\nSpeaker 1: fake deepgram server.",
            "paragraphs": [],
        }
    channel: dict[str, Any] = {"alternatives": [alternative]}
    if request.query.get("detect_language") == "true":
        channel["detected_language"] = "en"
    body = {
        "metadata": {
            "transaction_key": "deprecated",
            "request_id": str(uuid.uuid4()),
            "sha256": "0" * 64,
            "created": "2025-01-01T00:00:00.000Z",
            "duration": duration,
            "channels": 1,
            "models": [str(uuid.uuid4())],
            "model_info": {},
        },
        "results": {"channels": [channel]},
    }
    return json_response(200, body)


def add_routes(app: web.Application, add: Callable[..., Any]) -> None:
    add("POST", "/v1/listen", listen)
