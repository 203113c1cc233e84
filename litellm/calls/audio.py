"""Audio calls as specs: ``transcription`` (``/audio/transcriptions``, multipart upload) and ``speech``
(``/audio/speech``, JSON in, binary audio out), sync and async.

Transcription takes the file as a path, bytes, an open binary file or a ``(filename, bytes[, type])``
tuple and returns :class:`~litellm.core.types_calls.TranscriptionResponse` for every ``response_format``
(``text`` / ``srt`` / ``vtt`` answers become its ``text``). It is priced per token when the provider
reports token usage (gpt-4o transcribe models), else per second of audio: the ``verbose_json`` duration,
the provider's ``usage.seconds``, or the length read from the upload's WAV header (the order tried).
Speech returns :class:`~litellm.core.types_calls.HttpxBinaryResponseContent` and is priced per input
character (tts-1) or per input token (gpt-4o-mini-tts, counted locally: the endpoint reports no usage).

The logging record shows the upload as filename, content type and size, never the audio; a speech
record's response is the audio's content type and size. Transcriptions are cacheable (as in LiteLLM): the
key covers the audio's sha256, so the same bytes under another file name hit.

Must not: send, retry or log (the pipeline does).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping
from typing import Any

from litellm.calls.endpoints import Upload, endpoint_request, finish, read_upload, wire_model
from litellm.calls.pipeline import arun, run
from litellm.calls.spec import CallSpec, Prepared
from litellm.core.types_calls import HttpxBinaryResponseContent, TranscriptionResponse

__all__ = ["SPEECH", "TRANSCRIPTION", "aspeech", "atranscription", "speech", "transcription"]

TRANSCRIPTION_PARAMS = frozenset(
    {
        "language",
        "prompt",
        "response_format",
        "temperature",
        "timestamp_granularities",
        "include",
        "chunking_strategy",
    }
)
SPEECH_PARAMS = frozenset({"voice", "response_format", "speed", "instructions", "stream_format"})

_TEXT_FORMATS = frozenset({"text", "srt", "vtt"})


# ---------------------------------------------------------------------------------------------------
# transcription
# ---------------------------------------------------------------------------------------------------


def wav_seconds(data: bytes) -> float | None:
    """Seconds of audio in a PCM WAV file, from its header; None for anything else."""
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    pos, byte_rate = 12, None
    while pos + 8 <= len(data):
        chunk, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        if chunk == b"fmt " and pos + 20 <= len(data):
            byte_rate = struct.unpack("<I", data[pos + 16 : pos + 20])[0]
        elif chunk == b"data" and byte_rate:
            return min(size, len(data) - pos - 8) / byte_rate
        pos += 8 + size + (size & 1)
    return None


def _log_transcription(inputs: dict[str, Any]) -> Any:
    upload = inputs["file"]
    described = {"error": str(upload)} if isinstance(upload, Exception) else upload.describe()
    return [{"role": "user", "content": "", "file": described}]


def _build_transcription(p: Prepared) -> Any:
    upload = p.inputs["file"]
    if isinstance(upload, Exception):
        raise upload
    native = getattr(p.adapter, "build_transcription_request", None)
    if native is not None:  # a provider with its own audio API (Deepgram: raw bytes to /v1/listen)
        from litellm.calls.endpoints import request_headers

        return native(
            p.model, upload.data, upload.content_type, p.params, p.creds, extra_headers=request_headers(p)
        )
    files: list[tuple[str, Any]] = [("file", upload.as_part()), ("model", wire_model(p))]
    for key, value in p.params.items():
        if value is None or key == "stream":
            continue
        if isinstance(value, (list, tuple)):
            files.append((f"{key}[]", [str(v) for v in value]))
        elif isinstance(value, bool):
            files.append((key, "true" if value else "false"))
        elif isinstance(value, (dict,)):
            files.append((key, json.dumps(value)))
        else:
            files.append((key, value))
    return endpoint_request(p, "audio/transcriptions", files=files)


def _token_usage(usage: Any) -> dict[str, Any] | None:
    """OpenAI's transcription token usage as the chat usage shape the calculator prices."""
    if not isinstance(usage, Mapping) or usage.get("type") != "tokens":
        return None
    details = usage.get("input_token_details") or {}
    prompt, completion = int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": int(usage.get("total_tokens") or prompt + completion),
        "prompt_tokens_details": {
            "audio_tokens": int(details.get("audio_tokens") or 0),
            "text_tokens": int(details.get("text_tokens") or 0),
        },
    }


def _duration(p: Prepared, data: Mapping[str, Any]) -> float | None:
    if isinstance(data.get("duration"), (int, float)):
        return float(data["duration"])
    usage = data.get("usage")
    if isinstance(usage, Mapping) and usage.get("type") == "duration" and usage.get("seconds") is not None:
        return float(usage["seconds"])
    upload = p.inputs["file"]
    return wav_seconds(upload.data) if isinstance(upload, Upload) else None


def _transcription_from(
    p: Prepared, data: dict[str, Any], started: float, headers: Any
) -> TranscriptionResponse:
    response = TranscriptionResponse.model_validate(data)
    duration = _duration(p, data)
    extra: dict[str, Any] = {}
    if duration is not None:
        extra["duration_seconds"] = duration
    finish(p, response, data, started, headers, usage=_token_usage(data.get("usage")), cost_extra=extra)
    if duration is not None:
        response._hidden_params["audio_transcription_duration"] = duration
    return response


def _parse_transcription(
    p: Prepared, content: bytes, headers: Mapping[str, str], started: float
) -> TranscriptionResponse:
    native = getattr(p.adapter, "parse_transcription_response", None)
    if native is not None:
        return _transcription_from(p, native(p.model, json.loads(content), p.params), started, headers)
    if p.params.get("response_format") in _TEXT_FORMATS:
        data: dict[str, Any] = {"text": content.decode("utf-8", "replace")}
    else:
        loaded = json.loads(content)
        if not isinstance(loaded, dict):
            raise ValueError(f"expected a JSON object, got {type(loaded).__name__}")
        data = loaded
    return _transcription_from(p, data, started, headers)


def _mock_transcription(p: Prepared, mock: Any) -> TranscriptionResponse:
    """``mock_response``: the transcript text (str), or a dict / TranscriptionResponse as is."""
    if isinstance(mock, TranscriptionResponse):
        data = mock.model_dump(exclude_none=True)
    elif isinstance(mock, dict):
        data = dict(mock)
    else:
        data = {"text": str(mock)}
    return _transcription_from(p, data, p.ctx.start_time, None)


def _transcription_from_cache(p: Prepared, value: dict[str, Any]) -> TranscriptionResponse:
    """A stored transcript (the cache keys it on the audio's sha256 and the params)."""
    import time

    response = TranscriptionResponse.model_validate(value)
    return finish(p, response, value, time.time(), None)


TRANSCRIPTION = CallSpec(
    name="transcription",
    build=_build_transcription,
    parse=_parse_transcription,
    mock=_mock_transcription,
    log_input=_log_transcription,
    openai_params=TRANSCRIPTION_PARAMS,
    from_cache=_transcription_from_cache,
    to_cache=lambda response: response.model_dump(exclude_none=True),
)


def _upload(file: Any) -> Any:
    try:
        return read_upload(file, "file", "audio.wav")
    except Exception as exc:  # raised by build, so the failed call is logged once
        return exc


def transcription(model: str, file: Any, **kwargs: Any) -> TranscriptionResponse:
    """Speech to text (OpenAI ``/audio/transcriptions``: whisper-1, gpt-4o-transcribe, ...)."""
    return run(TRANSCRIPTION, model, {"file": _upload(file)}, kwargs)


async def atranscription(model: str, file: Any, **kwargs: Any) -> TranscriptionResponse:
    """Async :func:`transcription`."""
    return await arun(TRANSCRIPTION, model, {"file": _upload(file)}, kwargs)


# ---------------------------------------------------------------------------------------------------
# speech
# ---------------------------------------------------------------------------------------------------

_SPEECH_TYPES = {
    "mp3": "audio/mpeg",
    "opus": "audio/opus",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}


def _build_speech(p: Prepared) -> Any:
    body = {"model": wire_model(p), "input": p.inputs["input"], **p.params}
    body.pop("stream", None)
    return endpoint_request(p, "audio/speech", body=body)


def _speech_usage(p: Prepared) -> dict[str, int]:
    from litellm.calls.streaming import count_text_tokens

    tokens = count_text_tokens(p.model, p.inputs["input"])
    return {"prompt_tokens": tokens, "completion_tokens": 0, "total_tokens": tokens}


def _speech_from(p: Prepared, audio: bytes, content_type: str | None, started: float, headers: Any) -> Any:
    response = HttpxBinaryResponseContent.from_bytes(audio, content_type)
    raw = {"content_type": content_type, "size_bytes": len(audio)}
    extra = {"characters": len(p.inputs["input"])}
    return finish(p, response, raw, started, headers, usage=_speech_usage(p), cost_extra=extra)


def _parse_speech(p: Prepared, content: bytes, headers: Mapping[str, str], started: float) -> Any:
    content_type = headers.get("content-type") or _SPEECH_TYPES.get(p.params.get("response_format") or "mp3")
    return _speech_from(p, content, content_type, started, headers)


def _mock_speech(p: Prepared, mock: Any) -> Any:
    """``mock_response``: the audio bytes to return (any other value: a short silent WAV)."""
    if isinstance(mock, HttpxBinaryResponseContent):
        return _speech_from(p, mock.content, mock.content_type, p.ctx.start_time, None)
    if isinstance(mock, (bytes, bytearray)):
        audio = bytes(mock)
        content_type = _SPEECH_TYPES.get(p.params.get("response_format") or "mp3")
    else:
        rate, frames = 8000, 800
        data = b"\x00\x00" * frames
        audio = (
            b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
            + b"data" + struct.pack("<I", len(data)) + data
        )  # fmt: skip
        content_type = "audio/wav"
    return _speech_from(p, audio, content_type, p.ctx.start_time, None)


SPEECH = CallSpec(
    name="speech",
    build=_build_speech,
    parse=_parse_speech,
    mock=_mock_speech,
    log_input=lambda inputs: inputs["input"],
    openai_params=SPEECH_PARAMS,
    cacheable=False,
)


def _speech_inputs(input: Any) -> dict[str, Any]:
    if not isinstance(input, str) or not input:
        from litellm.core.exceptions import BadRequestError

        raise BadRequestError(f"speech: input must be a non-empty string, got {input!r}.", "")
    return {"input": input}


def speech(model: str, input: str, voice: Any = None, **kwargs: Any) -> HttpxBinaryResponseContent:
    """Text to speech (OpenAI ``/audio/speech``: tts-1, tts-1-hd, gpt-4o-mini-tts)."""
    if voice is not None:
        kwargs["voice"] = voice
    return run(SPEECH, model, _speech_inputs(input), kwargs)


async def aspeech(model: str, input: str, voice: Any = None, **kwargs: Any) -> HttpxBinaryResponseContent:
    """Async :func:`speech`."""
    if voice is not None:
        kwargs["voice"] = voice
    return await arun(SPEECH, model, _speech_inputs(input), kwargs)
