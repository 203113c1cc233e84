"""Server-wide settings of the fake provider (the CLI flags and ``start_fake_provider(**options)``).

Owns one small typed settings class with its defaults and validation. Per-request overrides come from
``x-fake-*`` headers (``faults``); these are the values used when a request does not say.

Must not import aiohttp or read the environment: the CLI and the in-process API build it explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

DEFAULT_CHUNKS = 9  # the reply sentence's word count (``content.REPLY_WORDS``)


@dataclass(slots=True)
class FakeProviderOptions:
    latency_ms: float = 0.0  # added before every response (time to first byte)
    error_rate: float = 0.0  # fraction of requests failed at random with ``error_status``
    error_status: int = 500
    chunks: int = DEFAULT_CHUNKS  # reply words; one word = one token = one SSE content chunk
    chunk_delay_ms: float = 0.0  # pause between SSE chunks (time-to-first-token tests)
    seed: int = 0  # seeds the error_rate draw, so a run with the same seed fails the same requests
    record: bool = False  # keep received requests for tests (``FakeProvider.requests``)
    max_recorded: int = 1000  # bound on the recorded requests; the oldest are forgotten first
    context_window: int = 128_000  # OpenAI-format limit in estimated tokens
    anthropic_context_window: int = 200_000
    embedding_dim: int = 16  # when the request gives no ``dimensions``
    max_body_mb: int = 64  # big enough for context-window tests

    def __post_init__(self) -> None:
        if not 0.0 <= self.error_rate <= 1.0:
            raise ValueError(f"error_rate must be within [0, 1], got {self.error_rate}")
        if self.chunks < 1:
            raise ValueError(f"chunks must be at least 1, got {self.chunks}")
        if self.latency_ms < 0 or self.chunk_delay_ms < 0:
            raise ValueError("latencies must not be negative")
        if not 100 <= self.error_status <= 599:
            raise ValueError(f"error_status must be an HTTP status, got {self.error_status}")

    @classmethod
    def from_kwargs(cls, options: dict[str, Any]) -> FakeProviderOptions:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise TypeError(f"unknown fake provider option(s) {unknown}; known: {sorted(known)}")
        return cls(**options)
