"""Deepgram speech-to-text: ``transcription("deepgram/<model>", file)`` through pre-recorded ``/v1/listen``.

Owns: :class:`DeepgramAdapter` with the transcription hooks the audio spec calls
(``build_transcription_request`` / ``parse_transcription_response``): the audio bytes are the raw
request body with the upload's ``Content-Type``; the model, ``language`` and every Deepgram option the
caller passes (``punctuate``, ``smart_format``, ``diarize``, ``keyterm``...) are query parameters
(booleans as ``true`` / ``false``, lists repeated); the key (DEEPGRAM_API_KEY) is sent as
``Authorization: Token <key>``. The reply becomes OpenAI's verbose transcription shape: ``text`` (a
diarized transcript as ``Speaker N:`` lines, as LiteLLM renders it), ``task``, ``language`` (the detected
one, else the requested one, else ``en``), ``duration`` (``metadata.duration``: the audio spec prices
it per second from the price map's ``deepgram/<model>``) and ``words``. Deepgram has no chat endpoint:
a chat call is refused naming what it serves.

Must not: send, sleep, log or read the environment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from litellm.providers._common import error_fields, kind_for_status, make_error
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamState

__all__ = ["DEFAULT_API_BASE", "DeepgramAdapter", "make_adapter", "parse_listen_response"]

DEFAULT_API_BASE = "https://api.deepgram.com/v1"
#: OpenAI transcription params Deepgram has no equivalent for (not sent)
_OPENAI_ONLY = frozenset(
    {"response_format", "temperature", "timestamp_granularities", "include", "chunking_strategy"}
)


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _diarized(words: Sequence[Mapping[str, Any]]) -> str:
    lines: list[str] = []
    speaker: Any = None
    current: list[str] = []
    for word in words:
        text = str(word.get("punctuated_word") or word.get("word") or "")
        if word.get("speaker") != speaker:
            if current:
                lines.append(f"Speaker {speaker}: {' '.join(current)}")
            speaker, current = word.get("speaker"), []
        current.append(text)
    if current:
        lines.append(f"Speaker {speaker}: {' '.join(current)}")
    return "\n".join(lines)


def parse_listen_response(data: Mapping[str, Any], language: str | None = None) -> dict[str, Any]:
    """A ``/v1/listen`` reply -> OpenAI's verbose transcription dict."""
    channels = ((data.get("results") or {}).get("channels")) or []
    if not channels:
        raise ValueError(f"Deepgram reply has no results.channels: {str(data)[:200]}")
    channel = channels[0]
    alternative = (channel.get("alternatives") or [{}])[0]
    words = alternative.get("words") or []
    if words and "speaker" in words[0]:
        paragraphs = alternative.get("paragraphs") or {}
        text = paragraphs.get("transcript") or _diarized(words)
    else:
        text = alternative.get("transcript") or ""
    out: dict[str, Any] = {
        "text": text.strip() if isinstance(text, str) else "",
        "task": "transcribe",
        "language": channel.get("detected_language") or language or "en",
    }
    duration = (data.get("metadata") or {}).get("duration")
    if isinstance(duration, (int, float)):
        out["duration"] = float(duration)
    if words:
        out["words"] = [
            {
                "word": str(w.get("punctuated_word") or w.get("word") or ""),
                "start": w.get("start"),
                "end": w.get("end"),
            }
            for w in words
        ]
    return out


class DeepgramAdapter:
    """Deepgram pre-recorded transcription."""

    name = "deepgram"
    api_key_env = "DEEPGRAM_API_KEY"
    api_base_env = "DEEPGRAM_API_BASE"
    default_api_base = DEFAULT_API_BASE
    env_vars: Mapping[str, tuple[str, ...]] = {
        "api_key": ("DEEPGRAM_API_KEY",),
        "api_base": ("DEEPGRAM_API_BASE",),
    }

    def __repr__(self) -> str:
        return "DeepgramAdapter()"

    # ---- transcription -------------------------------------------------------------------------

    def build_transcription_request(
        self,
        model: str,
        audio: bytes,
        content_type: str,
        params: Mapping[str, Any],
        credentials: Credentials,
        extra_headers: Mapping[str, str] | None = None,
    ) -> ProviderRequest:
        query: list[tuple[str, str]] = [("model", model)]
        for key, value in params.items():
            if value is None or key in _OPENAI_ONLY or key == "stream":
                continue
            if key == "prompt":  # Deepgram's nearest equivalent of a prompt: keyterms to listen for
                continue
            if isinstance(value, (list, tuple)):
                query.extend((key, _query_value(v)) for v in value)
            else:
                query.append((key, _query_value(value)))
        base = (credentials.api_base or DEFAULT_API_BASE).rstrip("/")
        headers = {"Content-Type": content_type or "application/octet-stream"}
        if credentials.api_key:
            headers["Authorization"] = f"Token {credentials.api_key}"
        if extra_headers:
            headers.update(extra_headers)
        return ProviderRequest(url=f"{base}/listen?{urlencode(query)}", headers=headers, content=audio)

    def parse_transcription_response(
        self, model: str, data: Mapping[str, Any], params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        return parse_listen_response(data, (params or {}).get("language"))

    # ---- chat: not served ----------------------------------------------------------------------

    def supported_params(self, model: str) -> frozenset[str]:
        return frozenset()

    def build_request(
        self,
        model: str,
        messages: list[dict[str, Any]],
        optional_params: dict[str, Any],
        credentials: Credentials,
        *,
        stream: bool,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ProviderRequest:
        raise make_error(
            "BadRequestError",
            "Deepgram serves speech-to-text only: call transcription('deepgram/<model>', file=...).",
            model=model,
            provider=self.name,
        )

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        raise ValueError("Deepgram has no chat completions")

    def new_stream_state(self, model: str) -> StreamState:
        return StreamState(model=model)

    def parse_stream_event(self, state: StreamState, event: str | None, data: str) -> list[dict[str, Any]]:
        return []

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo:
        message = ""
        if isinstance(body, Mapping):
            message = str(body.get("err_msg") or body.get("message") or body.get("details") or "")
            code = body.get("err_code") or body.get("category")
            if code and message:
                message = f"{code}: {message}"
        if not message:
            message = error_fields(body)[0] or f"HTTP {status_code}"
        return ErrorInfo(kind_for_status(status_code), message)


def make_adapter(name: str = "deepgram") -> DeepgramAdapter:
    return DeepgramAdapter()
