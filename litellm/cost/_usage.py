"""Read a usage block of any known shape into one flat set of token counts for pricing.

Accepted shapes: OpenAI chat usage (``prompt_tokens`` including cached tokens, ``prompt_tokens_details``,
``completion_tokens_details``), the pipeline's normalised Anthropic usage (the same shape plus top-level
``cache_creation_input_tokens`` / ``cache_read_input_tokens``), raw Anthropic usage (``input_tokens``
excluding cache reads and writes, ``cache_creation`` by lifetime, ``server_tool_use``), and the Responses
API shape (``input_tokens`` including cached, ``input_tokens_details``). Each as a dict, an object with
attributes, or a pydantic model. Pure; never raises on odd values (they count as 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["TokenCounts", "read_usage"]


def _field(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if type(obj) is dict:  # the common case first: isinstance against the Mapping ABC is slow
        return obj.get(name)
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _int(value: Any) -> int:
    kind = type(value)
    if kind is int:
        return value if value > 0 else 0
    if value is None or kind is bool:
        return 0
    if isinstance(value, (int, float)):
        return int(value) if value > 0 else 0
    return 0


class TokenCounts:
    """Token counts for pricing. ``prompt`` includes cache reads and writes; parts never exceed it."""

    __slots__ = (
        "audio_in",
        "audio_out",
        "cache_read",
        "cache_read_audio",
        "cache_write",
        "cache_write_1h",
        "completion",
        "image_in",
        "image_out",
        "prompt",
        "reasoning",
        "service_tier",
        "web_search_requests",
    )

    def __init__(self) -> None:
        self.prompt = 0
        self.completion = 0
        self.cache_read = 0
        self.cache_read_audio = 0
        self.cache_write = 0
        self.cache_write_1h = 0
        self.audio_in = 0
        self.image_in = 0
        self.reasoning = 0
        self.audio_out = 0
        self.image_out = 0
        self.web_search_requests = 0
        self.service_tier: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def _getter(obj: Any) -> Any:
    def get(name: str) -> Any:
        return getattr(obj, name, None)

    return get


def read_usage(usage: Any) -> TokenCounts:
    """Normalise ``usage`` (see module docstring) into :class:`TokenCounts`."""
    t = TokenCounts()
    if usage is None:
        return t
    get: Any
    if type(usage) is dict:  # the common case first: isinstance against the Mapping ABC is slow
        get = usage.get
    else:
        if (
            not isinstance(usage, Mapping)
            and hasattr(usage, "model_dump")
            and not hasattr(usage, "prompt_tokens")
        ):
            # a pydantic model whose fields are not attributes (extra fields stored in a dict)
            try:
                usage = usage.model_dump()
            except Exception:
                return t
        get = usage.get if type(usage) is dict or isinstance(usage, Mapping) else _getter(usage)

    prompt_raw = get("prompt_tokens")
    has_prompt_tokens = prompt_raw is not None
    prompt = _int(prompt_raw) if has_prompt_tokens else _int(get("input_tokens"))
    completion = get("completion_tokens")
    t.completion = _int(completion if completion is not None else get("output_tokens"))

    ptd = get("prompt_tokens_details")
    if ptd is None:
        ptd = get("input_tokens_details")
    pget = None
    if ptd is not None:
        pget = ptd.get if type(ptd) is dict or isinstance(ptd, Mapping) else _getter(ptd)
        cached = _int(pget("cached_tokens"))
        written = _int(pget("cache_creation_tokens")) or _int(pget("cache_write_tokens"))
    else:
        cached = written = 0

    top_read = get("cache_read_input_tokens")
    top_write = get("cache_creation_input_tokens")
    anthropic_style = top_read is not None or top_write is not None
    if not cached:
        cached = _int(top_read)
    if not written:
        written = _int(top_write)

    if not has_prompt_tokens and anthropic_style:
        # raw Anthropic usage: input_tokens counts only the uncached, unwritten part of the prompt
        prompt += cached + written
    elif cached + written > prompt:
        # the prompt count cannot include what is larger than it: the provider reported it separately
        prompt += cached + written

    t.prompt = prompt
    t.cache_read = cached
    t.cache_write = written

    # cache writes by lifetime: normalised (prompt_tokens_details.cache_creation_token_details) or raw
    details = pget("cache_creation_token_details") if pget is not None else None
    if details is None and written:
        details = get("cache_creation")
    if details is not None:
        t.cache_write_1h = min(_int(_field(details, "ephemeral_1h_input_tokens")), written)

    if pget is not None:
        t.audio_in = _int(pget("audio_tokens"))
        t.image_in = _int(pget("image_tokens"))
        if cached:
            t.cache_read_audio = min(_int(_field(pget("cached_tokens_details"), "audio_tokens")), cached)

    ctd = get("completion_tokens_details")
    if ctd is None:
        ctd = get("output_tokens_details")
    if ctd is not None:
        t.reasoning = _int(_field(ctd, "reasoning_tokens"))
        t.audio_out = _int(_field(ctd, "audio_tokens"))
        t.image_out = _int(_field(ctd, "image_tokens"))
    # Anthropic's server-side tools and LiteLLM's normalised field of the same name
    server_tools = get("server_tool_use")
    if server_tools is not None:
        t.web_search_requests = _int(_field(server_tools, "web_search_requests"))
    tier = get("service_tier")
    t.service_tier = tier if isinstance(tier, str) else None
    return t
