"""Helpers for the provider adapter tests: load wire fixtures and replay SSE files through an adapter.

Fixtures live in ``tests/fixtures/<provider>/`` (each directory's SOURCES.md names the public page
every file follows). Nothing here touches the network or the environment.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def load_json(provider: str, name: str) -> Any:
    return json.loads((FIXTURES / provider / name).read_text())


def sse_events(provider: str, name: str) -> list[tuple[str | None, str]]:
    """The (event, data) pairs of a recorded SSE stream, decoded by the pipeline's own decoder."""
    from litellm.core.sse import SSEDecoder

    decoder = SSEDecoder()
    events = []
    for line in (FIXTURES / provider / name).read_text().splitlines():
        event = decoder.feed_line(line)
        if event is not None:
            events.append(event)
    tail = decoder.flush()
    if tail is not None:
        events.append(tail)
    return events


def replay(adapter: Any, model: str, provider: str, name: str) -> list[dict[str, Any]]:
    """Every OpenAI chunk dict the adapter makes from a recorded stream."""
    state = adapter.new_stream_state(model)
    chunks: list[dict[str, Any]] = []
    for event, data in sse_events(provider, name):
        chunks.extend(adapter.parse_stream_event(state, event, data))
    return chunks


def joined_content(chunks: list[dict[str, Any]]) -> str:
    return "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])


def joined_arguments(chunks: list[dict[str, Any]], index: int = 0) -> str:
    out = []
    for chunk in chunks:
        for choice in chunk["choices"]:
            for call in choice["delta"].get("tool_calls") or ():
                if call["index"] == index:
                    out.append(call["function"].get("arguments") or "")
    return "".join(out)


@pytest.fixture
def creds():
    from litellm.providers.base import Credentials

    return Credentials(api_key="sk-test-0000", api_base=None)
