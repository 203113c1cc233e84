"""Rate selection for one price-map entry: service tier, long-context tier and ``tiered_pricing`` tables.

Owns the rules that turn an entry plus a prompt size into per-token rates. Pure: no I/O, no logging, no
import of other ``litellm`` modules. The calculator caches the parsed thresholds of each map entry.

Rules (as LiteLLM 1.110.2 prices):
- service tier ``flex`` / ``priority`` / ``batch`` / ``balanced`` / ``ultrafast`` picks ``<key>_<suffix>``
  when the entry has it, else the standard key;
- a prompt above ``N`` tokens (``*_above_Nk_tokens``; at or above for xAI) bills every token kind at that
  tier's rate, falling back to the standard rate for a kind the tier does not price;
- a ``tiered_pricing`` table (ranges of prompt tokens) wins over both and bills the whole request at the
  tier it falls in;
- a missing cache-read or cache-write rate bills those tokens as ordinary input; a missing reasoning,
  audio or image rate bills them at the text rate of the same direction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

SERVICE_TIER_SUFFIX: dict[str, str] = {
    "flex": "flex",
    "priority": "priority",
    "fast": "priority",
    "batch": "batches",
    "batches": "batches",
    "balanced": "balanced",
    "ultrafast": "ultrafast",
}

# xAI bills the higher tier once the prompt reaches the threshold; everyone else above it.
INCLUSIVE_THRESHOLD_PROVIDERS = frozenset({"xai"})

_THRESHOLD_KEY = re.compile(
    r"^(?:input|output)_cost_per_token_above_(\d+(?:\.\d+)?)(k|m)?_tokens(?:_[a-z]+)?$"
)


def tier_suffix(service_tier: str | None) -> str | None:
    """The price-key suffix for a service tier, or None for the standard tier."""
    if not service_tier:
        return None
    return SERVICE_TIER_SUFFIX.get(str(service_tier).lower())


def parse_thresholds(entry: Mapping[str, Any]) -> tuple[tuple[float, str], ...]:
    """The long-context thresholds an entry prices, as (tokens, label) sorted high to low."""
    found: dict[str, float] = {}
    for key in entry:
        if "_above_" not in key:
            continue
        m = _THRESHOLD_KEY.match(key)
        if m is None:
            continue
        number, unit = m.group(1), m.group(2)
        label = number + (unit or "")
        factor = 1000 if unit == "k" else 1_000_000 if unit == "m" else 1
        found[label] = float(number) * factor
    return tuple(sorted(((v, k) for k, v in found.items()), reverse=True))


def _num(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:  # prices set from YAML config arrive as strings ("3e-7")
        return float(value)
    except (TypeError, ValueError):
        return None


class Rates:
    """Per-unit rates resolved for one request."""

    __slots__ = (
        "audio_in",
        "audio_out",
        "cache_read",
        "cache_read_audio",
        "cache_write",
        "cache_write_1h",
        "image_in",
        "image_out",
        "input",
        "output",
        "reasoning",
    )

    def __init__(self) -> None:
        self.input = 0.0
        self.output = 0.0
        self.cache_read = 0.0
        self.cache_read_audio = 0.0
        self.cache_write = 0.0
        self.cache_write_1h = 0.0
        self.reasoning = 0.0
        self.audio_in = 0.0
        self.audio_out = 0.0
        self.image_in = 0.0
        self.image_out = 0.0


def _pick_tier(table: Any, prompt_tokens: int) -> Mapping[str, Any] | None:
    if not isinstance(table, list) or not table:
        return None
    last = None
    for tier in table:
        rng = tier.get("range") if isinstance(tier, Mapping) else None
        if not (isinstance(rng, (list, tuple)) and len(rng) == 2):
            continue
        last = tier
        if float(rng[0]) <= prompt_tokens < float(rng[1]):
            return tier
    # a prompt past the last range is billed at the last (highest) tier
    return last if last is not None and prompt_tokens >= float(last["range"][1]) else None


def select_threshold(
    thresholds: tuple[tuple[float, str], ...], prompt_tokens: int, inclusive: bool
) -> str | None:
    """The label ("200k") of the highest long-context tier the prompt is in, or None."""
    for tokens, label in thresholds:
        if prompt_tokens > tokens or (inclusive and prompt_tokens == tokens):
            return label
    return None


def select_table_tier(entry: Mapping[str, Any], prompt_tokens: int) -> Mapping[str, Any] | None:
    """The row of the entry's ``tiered_pricing`` table the prompt falls in, if it has a priced one."""
    tier = _pick_tier(entry.get("tiered_pricing"), prompt_tokens)
    if tier is not None and _num(tier.get("input_cost_per_token")) is not None:
        return tier
    return None


def resolve_rates(
    entry: Mapping[str, Any],
    suffix: str | None,
    label: str | None,
    tier: Mapping[str, Any] | None,
) -> Rates:
    """All rates for one request against ``entry``, given its service-tier suffix, long-context tier label
    and ``tiered_pricing`` row (see :func:`select_threshold` and :func:`select_table_tier`)."""
    get = entry.get

    def rate(key: str, default: float) -> float:
        if suffix is not None:
            v = _num(get(f"{key}_{suffix}"))
            if v is not None:
                return v
        v = _num(get(key))
        return default if v is None else v

    r = Rates()
    r.input = rate("input_cost_per_token", 0.0)
    r.output = rate("output_cost_per_token", 0.0)
    if r.output == 0.0 and get("output_cost_per_image_token") is not None:
        # image models price every output token as an image token
        r.output = rate("output_cost_per_image_token", 0.0)
    r.cache_read = rate("cache_read_input_token_cost", r.input)
    r.cache_write = rate("cache_creation_input_token_cost", r.input)

    if label is not None:
        above = f"_above_{label}_tokens"
        r.input = rate("input_cost_per_token" + above, r.input)
        r.output = rate("output_cost_per_token" + above, r.output)
        r.cache_read = rate("cache_read_input_token_cost" + above, r.cache_read)
        r.cache_write = rate("cache_creation_input_token_cost" + above, r.cache_write)

    if tier is not None:
        r.input = _num(tier.get("input_cost_per_token")) or 0.0
        out = _num(tier.get("output_cost_per_token"))
        r.output = out if out is not None else r.output
        cr = _num(tier.get("cache_read_input_token_cost"))
        r.cache_read = cr if cr is not None else r.input
        cw = _num(tier.get("cache_creation_input_token_cost"))
        r.cache_write = cw if cw is not None else r.input

    one_hour = "cache_creation_input_token_cost_above_1hr"
    if label is not None and get(f"{one_hour}_above_{label}_tokens") is not None:
        one_hour = f"{one_hour}_above_{label}_tokens"
    r.cache_write_1h = rate(one_hour, r.cache_write)

    # a tier that prices output but not reasoning bills reasoning at the tier's output rate
    if suffix is not None and get(f"output_cost_per_token_{suffix}") is not None:
        reasoning = _num(get(f"output_cost_per_reasoning_token_{suffix}"))
        r.reasoning = reasoning if reasoning is not None else r.output
    else:
        reasoning = _num(get("output_cost_per_reasoning_token"))
        r.reasoning = reasoning if reasoning is not None else r.output
    r.audio_in = rate("input_cost_per_audio_token", r.input)
    r.image_in = rate("input_cost_per_image_token", r.input)
    r.cache_read_audio = rate("cache_read_input_audio_token_cost", r.cache_read)
    r.audio_out = rate("output_cost_per_audio_token", r.output)
    r.image_out = rate("output_cost_per_image_token", r.output)
    return r


def number(value: Any) -> float | None:
    """A price value as a float (numbers or numeric strings), None otherwise."""
    return _num(value)
