"""The request path's quicker ways to price a call give exactly what the general code gives.

``read_usage`` is checked against its previous, straightforward form (kept here as the reference) over
generated usage blocks of every accepted shape and odd values.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Mapping
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from litellm.cost._usage import TokenCounts, _field, _getter, _int, read_usage


def _reference_read_usage(usage: Any) -> TokenCounts:
    """read_usage as it was before its inline fast reads (the behaviour they must keep)."""
    t = TokenCounts()
    if usage is None:
        return t
    if (
        not isinstance(usage, Mapping)
        and hasattr(usage, "model_dump")
        and not hasattr(usage, "prompt_tokens")
    ):
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
        prompt += cached + written
    elif cached + written > prompt:
        prompt += cached + written
    t.prompt = prompt
    t.cache_read = cached
    t.cache_write = written
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
    server_tools = get("server_tool_use")
    if server_tools is not None:
        t.web_search_requests = _int(_field(server_tools, "web_search_requests"))
    tier = get("service_tier")
    t.service_tier = tier if isinstance(tier, str) else None
    return t


class _Count(enum.IntEnum):
    SEVEN = 7


class _Attrs:
    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)


class _Map(Mapping):
    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Any:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


class _Extra(BaseModel):
    model_config = ConfigDict(extra="allow")


_VALUES: list[Any] = [None, 0, 1, 7, 150, 2000, -3, 2.5, 0.0, True, False, "12", _Count.SEVEN, 10**12]
_TOP = [
    "prompt_tokens", "input_tokens", "completion_tokens", "output_tokens", "cache_read_input_tokens",
    "cache_creation_input_tokens",
]  # fmt: skip
_PROMPT_DETAILS = [
    "cached_tokens", "cache_creation_tokens", "cache_write_tokens", "audio_tokens", "image_tokens", "text_tokens",
]  # fmt: skip
_COMPLETION_DETAILS = ["reasoning_tokens", "audio_tokens", "image_tokens", "text_tokens"]


def _wrap(rng: random.Random, data: dict[str, Any]) -> Any:
    kind = rng.randrange(6)
    if kind == 0:
        return _Attrs(**data)
    if kind == 1:
        return _Map(data)
    if kind == 2:
        return _Extra(**data)
    return data


def _block(rng: random.Random, names: list[str]) -> dict[str, Any]:
    return {n: rng.choice(_VALUES) for n in names if rng.random() < 0.6}


def _usage(rng: random.Random) -> Any:
    usage = _block(rng, _TOP)
    if rng.random() < 0.7:
        details = _block(rng, _PROMPT_DETAILS)
        if rng.random() < 0.3:
            details["cached_tokens_details"] = _wrap(rng, _block(rng, ["audio_tokens"]))
        if rng.random() < 0.3:
            details["cache_creation_token_details"] = _wrap(rng, _block(rng, ["ephemeral_1h_input_tokens"]))
        usage[rng.choice(["prompt_tokens_details", "input_tokens_details"])] = _wrap(rng, details)
    if rng.random() < 0.7:
        usage[rng.choice(["completion_tokens_details", "output_tokens_details"])] = _wrap(
            rng, _block(rng, _COMPLETION_DETAILS)
        )
    if rng.random() < 0.2:
        usage["cache_creation"] = _wrap(
            rng, _block(rng, ["ephemeral_1h_input_tokens", "ephemeral_5m_input_tokens"])
        )
    if rng.random() < 0.2:
        usage["server_tool_use"] = _wrap(rng, _block(rng, ["web_search_requests"]))
    if rng.random() < 0.3:
        usage["service_tier"] = rng.choice(["flex", "priority", "default", None, 3])
    return _wrap(rng, usage)


def test_read_usage_matches_the_reference_over_generated_shapes() -> None:
    from litellm.core.types import Usage

    rng = random.Random(20261203)
    samples: list[Any] = [None, {}, _Attrs(), _Extra(), Usage(prompt_tokens=10, completion_tokens=5)]
    samples += [
        Usage.model_validate(
            {
                "prompt_tokens": 2000,
                "completion_tokens": 900,
                "prompt_tokens_details": {"cached_tokens": 1536, "audio_tokens": 3},
                "completion_tokens_details": {"reasoning_tokens": 640},
            }
        )
    ]
    samples += [_usage(rng) for _ in range(4000)]
    for usage in samples:
        assert _facts(read_usage(usage)) == _facts(_reference_read_usage(usage)), usage


def _facts(t: TokenCounts) -> dict[str, tuple[type, Any]]:
    return {k: (type(v), v) for k, v in t.as_dict().items()}


@pytest.mark.parametrize("value", _VALUES)
def test_read_usage_counts_each_value_as_int_does(value: Any) -> None:
    usage = {
        "prompt_tokens": value,
        "completion_tokens": value,
        "prompt_tokens_details": {"cached_tokens": value},
    }
    assert _facts(read_usage(usage)) == _facts(_reference_read_usage(usage))
