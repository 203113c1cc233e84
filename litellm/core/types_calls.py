"""Response types of the non-chat call types: text completion, images, moderation, audio, rerank.

OpenAI / LiteLLM shapes, tolerant of unknown fields, readable as attributes and as dict keys (the
``_OpenAIObject`` base from :mod:`litellm.core.types`), carrying ``_hidden_params`` and
``_response_ms`` as the chat types do. :class:`HttpxBinaryResponseContent` (speech) holds the audio
bytes out of ``model_dump()`` so a logging record never carries them.

Must not: import providers, cost or anything heavy; do I/O except the explicit ``*_to_file`` helpers.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Iterator
from os import PathLike
from typing import Any

from pydantic import Field, PrivateAttr

from litellm.core.types import Usage, _OpenAIObject

__all__ = [
    "HttpxBinaryResponseContent",
    "ImageObject",
    "ImageResponse",
    "ImageUsage",
    "Moderation",
    "ModerationResponse",
    "RerankResponse",
    "RerankResult",
    "TextChoices",
    "TextCompletionResponse",
    "TranscriptionResponse",
]


class _Hidden(_OpenAIObject):
    """A response with LiteLLM's private extras."""

    _hidden_params: dict[str, Any] = PrivateAttr(default_factory=dict)
    _response_ms: float | None = PrivateAttr(default=None)
    _response_headers: dict[str, str] | None = PrivateAttr(default=None)


# ---------------------------------------------------------------------------------------------------
# Text completion (/v1/completions)
# ---------------------------------------------------------------------------------------------------


class TextChoices(_OpenAIObject):
    finish_reason: str | None = None
    index: int = 0
    text: str | None = None
    logprobs: Any | None = None


class TextCompletionResponse(_Hidden):
    """``/v1/completions`` answer (also each streamed chunk, as LiteLLM yields them)."""

    id: str = Field(default_factory=lambda: f"cmpl-{uuid.uuid4()}")
    object: str = "text_completion"
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str | None = None
    system_fingerprint: str | None = None
    choices: list[TextChoices] = Field(default_factory=lambda: [TextChoices()])
    usage: Usage | None = None


# ---------------------------------------------------------------------------------------------------
# Images (/v1/images/generations, /edits, /variations)
# ---------------------------------------------------------------------------------------------------


class ImageObject(_OpenAIObject):
    b64_json: str | None = None
    url: str | None = None
    revised_prompt: str | None = None


class ImageUsage(_OpenAIObject):
    """gpt-image-* usage: tokens in (text and image) and image tokens out."""

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    input_tokens_details: dict[str, Any] | None = None


class ImageResponse(_Hidden):
    created: int = Field(default_factory=lambda: int(time.time()))
    data: list[ImageObject] = Field(default_factory=list)
    usage: ImageUsage | None = None
    background: str | None = None
    output_format: str | None = None
    quality: str | None = None
    size: str | None = None


# ---------------------------------------------------------------------------------------------------
# Moderation (/v1/moderations)
# ---------------------------------------------------------------------------------------------------


class Moderation(_OpenAIObject):
    """One input's verdict; ``categories`` and ``category_scores`` keep OpenAI's keys
    (``"self-harm/intent"``), readable as ``result.categories["self-harm/intent"]``."""

    flagged: bool = False
    categories: dict[str, Any] = Field(default_factory=dict)
    category_scores: dict[str, Any] = Field(default_factory=dict)
    category_applied_input_types: dict[str, Any] | None = None


class ModerationResponse(_Hidden):
    id: str = Field(default_factory=lambda: f"modr-{uuid.uuid4().hex}")
    model: str | None = None
    results: list[Moderation] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------------------
# Audio: transcription (/v1/audio/transcriptions) and speech (/v1/audio/speech)
# ---------------------------------------------------------------------------------------------------


class TranscriptionResponse(_Hidden):
    """``text`` always; ``language``, ``duration``, ``words``, ``segments`` with ``verbose_json``;
    ``usage`` as the provider sent it (tokens for gpt-4o transcribe models, seconds for whisper)."""

    text: str | None = None
    task: str | None = None
    language: str | None = None
    duration: float | None = None
    words: list[dict[str, Any]] | None = None
    segments: list[dict[str, Any]] | None = None
    usage: dict[str, Any] | None = None


class HttpxBinaryResponseContent(_Hidden):
    """A speech answer: the audio bytes with the openai SDK's helpers (``content``, ``read()``,
    ``iter_bytes()``, ``stream_to_file(path)`` and async twins). ``model_dump()`` shows only the
    content type and size, so records never carry audio."""

    content_type: str | None = None
    size_bytes: int = 0

    _content: bytes = PrivateAttr(default=b"")

    @classmethod
    def from_bytes(cls, content: bytes, content_type: str | None) -> HttpxBinaryResponseContent:
        obj = cls(content_type=content_type, size_bytes=len(content))
        obj._content = content
        return obj

    @property
    def content(self) -> bytes:
        return self._content

    @property
    def text(self) -> str:
        return self._content.decode("utf-8", "replace")

    @property
    def encoding(self) -> str | None:
        return None

    def read(self) -> bytes:
        return self._content

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        size = chunk_size or 65_536
        for i in range(0, len(self._content), size):
            yield self._content[i : i + size]

    def write_to_file(self, file: str | PathLike[str]) -> None:
        with open(file, "wb") as f:
            f.write(self._content)

    def stream_to_file(self, file: str | PathLike[str], *, chunk_size: int | None = None) -> None:
        with open(file, "wb") as f:
            for chunk in self.iter_bytes(chunk_size):
                f.write(chunk)

    def close(self) -> None:
        return None

    async def aread(self) -> bytes:
        return self._content

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        for chunk in self.iter_bytes(chunk_size):
            yield chunk

    async def astream_to_file(self, file: str | PathLike[str], *, chunk_size: int | None = None) -> None:
        import asyncio

        await asyncio.to_thread(self.stream_to_file, file, chunk_size=chunk_size)

    async def aclose(self) -> None:
        return None


# ---------------------------------------------------------------------------------------------------
# Rerank (Cohere /v1/rerank, /v2/rerank and compatible)
# ---------------------------------------------------------------------------------------------------


class RerankResult(_OpenAIObject):
    index: int
    relevance_score: float
    document: dict[str, Any] | None = None


class RerankResponse(_Hidden):
    id: str | None = None
    results: list[RerankResult] = Field(default_factory=list)
    meta: dict[str, Any] | None = None
