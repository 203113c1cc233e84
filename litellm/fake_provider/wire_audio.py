"""Fake OpenAI audio endpoints: ``POST /v1/audio/transcriptions`` (multipart upload) and
``POST /v1/audio/speech`` (JSON in, binary audio out), also under Azure's deployment paths.

Transcription answers "Hello from the fake provider." in every ``response_format`` (``json``, ``text``,
``srt``, ``vtt``, ``verbose_json`` with segments, and words with ``timestamp_granularities[]=word``).
The audio's duration is read from a WAV header, else estimated as 16 kB per second. Usage follows the
model: ``{"type": "tokens", ...}`` for gpt-4o transcribe models, ``{"type": "duration", "seconds"}``
otherwise. Speech returns a WAV (real header, silence) for ``response_format=wav`` and deterministic
bytes with the right content type for the other formats, one second per 15 input characters.

Also owns :func:`multipart_prelude`, the multipart twin of the JSON prelude in ``app`` (record, latency,
hang, auth, injected errors), used by ``wire_images`` too.

Must not: start threads or loops (``server`` does).
"""

from __future__ import annotations

import asyncio
import json
import math
import struct
from typing import Any

from aiohttp import BodyPartReader, web

from litellm.fake_provider import app as _app
from litellm.fake_provider import faults

TRANSCRIPT = "Hello from the fake provider."
_BYTES_PER_SECOND = 16_000
_SPEECH_TYPES = {
    "mp3": "audio/mpeg",
    "opus": "audio/opus",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}


async def multipart_prelude(
    request: web.Request, flavour: faults.Flavour, model_hint: str = ""
) -> tuple[dict[str, Any], dict[str, tuple[str, bytes, str]], faults.Controls, str]:
    """Read a multipart form: (fields, files by field name, controls, model). Repeated fields
    (``timestamp_granularities[]``, ``image[]``) collect into lists. Recorded with the files as
    ``{"filename", "content_type", "size"}``."""
    state = request.app[_app.STATE_KEY]
    fields: dict[str, Any] = {}
    files: dict[str, Any] = {}
    if not (request.content_type or "").startswith("multipart/"):
        _app._record(state, request, None)
        payload = faults.openai_error(400, "", "This endpoint expects a multipart/form-data body.")
        raise _app._Reject(_app._json_response(400, payload, flavour))
    reader = await request.multipart()
    # what `async for part in reader` does; aiohttp mistypes MultipartReader.__aiter__ before Python 3.11
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue  # nested multipart: not something the OpenAI endpoints take
        name = part.name or ""
        if part.filename is not None:
            data = await part.read()
            value: Any = (
                part.filename,
                bytes(data),
                part.headers.get("Content-Type", "application/octet-stream"),
            )
            target = files
        else:
            value = await part.text()
            target = fields
        if name.endswith("[]"):
            target.setdefault(name[:-2], []).append(value)
        else:
            target[name] = value
    recorded = dict(fields)
    for name, value in files.items():
        items = value if isinstance(value, list) else [value]
        recorded[name] = [{"filename": f, "content_type": t, "size": len(b)} for f, b, t in items]
    _app._record(state, request, recorded)
    model = str(fields.get("model") or model_hint)
    controls = faults.parse_controls(request.headers, model)
    delay_ms = state.options.latency_ms + controls.latency_ms
    if delay_ms > 0:
        await asyncio.sleep(delay_ms / 1000)
    if controls.hang_s is not None:
        await asyncio.sleep(controls.hang_s)
    _app._check_auth(request, flavour, model)
    rejected = _app._injected_error(state, controls, flavour, model)
    if rejected is not None:
        raise _app._Reject(rejected)
    return fields, files, controls, model


def wav_duration(data: bytes) -> float | None:
    """Seconds of audio in a PCM WAV file, from its header (None when it is not one)."""
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    pos = 12
    byte_rate = None
    while pos + 8 <= len(data):
        chunk_id, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        if chunk_id == b"fmt ":
            byte_rate = struct.unpack("<I", data[pos + 16 : pos + 20])[0]
        elif chunk_id == b"data" and byte_rate:
            return min(size, len(data) - pos - 8) / byte_rate
        pos += 8 + size + (size & 1)
    return None


def make_wav(seconds: float, rate: int = 8000) -> bytes:
    """A mono 16-bit PCM WAV of silence."""
    frames = int(seconds * rate)
    data = b"\x00\x00" * frames
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + fmt + b"data" + struct.pack("<I", len(data)) + data


def _stamp(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _words(duration: float) -> list[dict[str, Any]]:
    words = TRANSCRIPT.rstrip(".").split()
    step = duration / len(words)
    return [
        {"word": w, "start": round(i * step, 2), "end": round((i + 1) * step, 2)} for i, w in enumerate(words)
    ]


def transcription_body(fields: dict[str, Any], model: str, duration: float) -> tuple[bytes, str]:
    """(body, content type) for the requested ``response_format``."""
    fmt = fields.get("response_format") or "json"
    text = TRANSCRIPT
    if fmt == "text":
        return text.encode() + b"\n", "text/plain; charset=utf-8"
    if fmt == "srt":
        return (
            f"1\n{_stamp(0, ',')} --> {_stamp(duration, ',')}\n{text}\n\n".encode(),
            "text/plain; charset=utf-8",
        )
    if fmt == "vtt":
        vtt = f"WEBVTT\n\n{_stamp(0, '.')} --> {_stamp(duration, '.')}\n{text}\n\n"
        return vtt.encode(), "text/plain; charset=utf-8"
    if "transcribe" in model:
        audio_tokens = max(1, math.ceil(duration * 10))
        text_tokens = len(str(fields.get("prompt") or "").split())
        output = len(text.split())
        usage: dict[str, Any] = {
            "type": "tokens",
            "input_tokens": audio_tokens + text_tokens,
            "input_token_details": {"text_tokens": text_tokens, "audio_tokens": audio_tokens},
            "output_tokens": output,
            "total_tokens": audio_tokens + text_tokens + output,
        }
    else:
        usage = {"type": "duration", "seconds": math.ceil(duration)}
    if fmt == "verbose_json":
        granularities = fields.get("timestamp_granularities") or ["segment"]
        body: dict[str, Any] = {
            "task": "transcribe",
            "language": fields.get("language") or "english",
            "duration": round(duration, 3),
            "text": text,
        }
        if "segment" in granularities:
            body["segments"] = [
                {
                    "id": 0,
                    "seek": 0,
                    "start": 0.0,
                    "end": round(duration, 2),
                    "text": text,
                    "tokens": [50364, 2425, 490, 264, 7592, 12398, 13],
                    "temperature": float(fields.get("temperature") or 0.0),
                    "avg_logprob": -0.2,
                    "compression_ratio": 0.9,
                    "no_speech_prob": 0.01,
                }
            ]
        if "word" in granularities:
            body["words"] = _words(duration)
        body["usage"] = usage
        return json.dumps(body).encode(), "application/json"
    return json.dumps({"text": text, "usage": usage}).encode(), "application/json"


async def transcriptions(request: web.Request) -> web.StreamResponse:
    flavour, deployment = _app._azure_or_openai(request)
    try:
        fields, files, _controls, model = await multipart_prelude(request, flavour, deployment)
        upload = files.get("file")
        if upload is None:
            raise _app._Reject(_app._json_response(400, faults.openai_missing_param("file"), flavour))
        if not model:
            raise _app._Reject(_app._json_response(400, faults.openai_missing_param("model"), flavour))
        fmt = fields.get("response_format") or "json"
        if fmt not in ("json", "text", "srt", "vtt", "verbose_json"):
            message = f"Invalid value for 'response_format': {fmt!r}."
            raise _app._Reject(_app._json_response(400, faults.openai_error(400, model, message), flavour))
    except _app._Reject as reject:
        return reject.response
    _name, data, _type = upload
    duration = wav_duration(data)
    if duration is None:
        duration = max(len(data) / _BYTES_PER_SECOND, 0.1)
    body, content_type = transcription_body(fields, model, duration)
    headers = dict(_app._flavour_headers(flavour))
    return web.Response(body=body, status=200, headers={**headers, "Content-Type": content_type})


async def speech(request: web.Request) -> web.StreamResponse:
    flavour, deployment = _app._azure_or_openai(request)
    try:
        body, _controls, model = await _app._prelude(request, flavour, deployment)
        for field in ("model", "input", "voice"):
            if not body.get(field) and not (field == "model" and model):
                raise _app._Reject(_app._json_response(400, faults.openai_missing_param(field), flavour))
        fmt = body.get("response_format") or "mp3"
        if fmt not in _SPEECH_TYPES:
            message = f"Invalid value for 'response_format': {fmt!r}."
            raise _app._Reject(_app._json_response(400, faults.openai_error(400, model, message), flavour))
    except _app._Reject as reject:
        return reject.response
    speed = float(body.get("speed") or 1.0)
    seconds = max(len(str(body["input"])) / 15.0 / speed, 0.1)
    if fmt == "wav":
        audio = make_wav(seconds)
    else:
        # deterministic filler with a format-shaped first bytes; sized like ~16 kB/s of audio
        head = {"mp3": b"ID3\x04\x00\x00", "flac": b"fLaC", "opus": b"OggS", "aac": b"\xff\xf1"}.get(fmt, b"")
        audio = head + bytes((i * 31) & 0xFF for i in range(int(seconds * 2000)))
    headers = dict(_app._flavour_headers(flavour))
    return web.Response(body=audio, status=200, headers={**headers, "Content-Type": _SPEECH_TYPES[fmt]})


def add_routes(app: web.Application, add: Any) -> None:
    for prefix in ("/v1", ""):
        add("POST", f"{prefix}/audio/transcriptions", transcriptions)
        add("POST", f"{prefix}/audio/speech", speech)
    add("POST", "/openai/deployments/{deployment}/audio/transcriptions", transcriptions)
    add("POST", "/openai/deployments/{deployment}/audio/speech", speech)
