"""What a call cost: ``compute_cost`` (the one function the pipeline calls for every logged call),
LiteLLM's ``cost_per_token`` and ``completion_cost``, and :class:`CostResult`.

Pricing is a pure function of (price-map entry, usage, call type, a few call facts in ``extra``):

- chat / text completion / responses / embedding / moderation: per token, with cache reads, cache writes
  (5 minute and 1 hour), reasoning, audio and image tokens, service tiers and long-context tiers
  (see ``_rates``); server-side web searches at ``search_context_cost_per_query``;
- image generation: per image or per pixel for the size and quality asked (``quality/size/model`` keys),
  or per token when the provider reports image-token usage and the entry prices tokens;
- transcription: per second of audio (``output_cost_per_second`` when set, else ``input_cost_per_second``,
  as LiteLLM bills), or per token when the provider reports token usage (gpt-4o-transcribe);
- speech: per input character, else per token, else per second;
- rerank: per query / search unit (``input_cost_per_query``), else per token;
- video generation: per second of video;
- any entry with only per-second prices (and per-call ``input_cost_per_second``): rate x response seconds.

Must not: raise from ``compute_cost`` (the request path calls it; failures become ``response_cost=None``
with ``failure_reason``, never a silent 0), do I/O, or import the package root. ``completion_cost`` and
``cost_per_token`` raise :class:`~litellm.cost.model_info.ModelNotMappedError` for unknown models, as LiteLLM.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from litellm.cost import _rates, price_map
from litellm.cost._usage import TokenCounts, read_usage
from litellm.cost.model_info import ModelNotMappedError

__all__ = [
    "BREAKDOWN_KEYS",
    "CostResult",
    "completion_cost",
    "compute_cost",
    "cost_per_token",
    "normalise_call_type",
]

BREAKDOWN_KEYS = (
    "input_cost",
    "cache_read_cost",
    "cache_creation_cost",
    "output_cost",
    "reasoning_cost",
    "tool_use_cost",
    "total_cost",
)


@dataclass(slots=True)
class CostResult:
    """The cost of one call.

    ``breakdown`` parts are disjoint and add up to ``total_cost`` (== ``response_cost``): ``input_cost`` is
    uncached input (text, audio, image, characters, seconds, queries, images asked for), ``cache_read_cost``
    and ``cache_creation_cost`` the cached-prompt parts, ``output_cost`` the visible output, ``reasoning_cost``
    the reasoning tokens, ``tool_use_cost`` server-side tools (web search). ``model_map_value`` is the entry
    used (the live map dict, or a merged copy when per-call prices were given): do not mutate it.
    When the cost is unknown, ``response_cost`` and every breakdown value are None and ``failure_reason``
    says why.
    """

    response_cost: float | None
    breakdown: dict[str, float | None] = field(default_factory=dict)
    model_map_key: str | None = None
    model_map_value: dict[str, Any] | None = None
    failure_reason: str | None = None


_Parts = tuple[
    float, float, float, float, float, float
]  # input, cache read, cache write, output, reasoning, tool

_UNKNOWN_BREAKDOWN: dict[str, float | None] = dict.fromkeys(BREAKDOWN_KEYS)

# LiteLLM call type names (sync and async) -> the pricing family
_CALL_TYPE_FAMILY: dict[str, str] = {
    "completion": "chat",
    "acompletion": "chat",
    "chat": "chat",
    "text_completion": "chat",
    "atext_completion": "chat",
    "responses": "chat",
    "aresponses": "chat",
    "anthropic_messages": "chat",
    "generate_content": "chat",
    "agenerate_content": "chat",
    "realtime": "chat",
    "arealtime": "chat",
    "embedding": "embedding",
    "aembedding": "embedding",
    "moderation": "moderation",
    "amoderation": "moderation",
    "image_generation": "image_generation",
    "aimage_generation": "image_generation",
    "image_edit": "image_generation",
    "aimage_edit": "image_generation",
    "transcription": "transcription",
    "atranscription": "transcription",
    "speech": "speech",
    "aspeech": "speech",
    "rerank": "rerank",
    "arerank": "rerank",
    "search": "rerank",
    "asearch": "rerank",
    "video_generation": "video_generation",
    "avideo_generation": "video_generation",
    "retrieve_batch": "batch",
    "aretrieve_batch": "batch",
}

_CUSTOM_PRICE_KEYS = (
    "input_cost_per_token",
    "output_cost_per_token",
    "input_cost_per_second",
    "output_cost_per_second",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost",
    "output_cost_per_reasoning_token",
    "input_cost_per_character",
    "input_cost_per_query",
    "input_cost_per_image",
    "output_cost_per_image",
    "input_cost_per_pixel",
)


def normalise_call_type(call_type: str | None) -> str:
    """The pricing family of a LiteLLM call type ("acompletion" -> "chat", "aimage_generation" -> ...)."""
    if not call_type:
        return "chat"
    if type(call_type) is str:  # the pipeline's own names: no enum value to read
        return _CALL_TYPE_FAMILY.get(call_type, "chat")
    value = getattr(call_type, "value", call_type)  # LiteLLM's CallTypes enum members
    return _CALL_TYPE_FAMILY.get(str(value), "chat")


# ---------------------------------------------------------------------------------------------------------
# entry resolution with per-entry cached thresholds


class _EntryMeta:
    """Facts parsed once per price-map entry; ``rates`` caches resolved rates per (tier suffix, threshold).

    Dropped when the map entry is replaced (``register_model``, assignment) or edited in place in a way that
    changes its size or its base input / output price."""

    __slots__ = (
        "entry",
        "fingerprint",
        "has_table",
        "has_token_price",
        "per_second_only",
        "rates",
        "thresholds",
    )

    def __init__(self, entry: Mapping[str, Any]) -> None:
        self.entry = entry
        self.fingerprint = _fingerprint(entry)
        self.rates: dict[tuple[str | None, str | None], _rates.Rates] = {}
        self.has_table = isinstance(entry.get("tiered_pricing"), list)
        self.thresholds = _rates.parse_thresholds(entry)
        self.has_token_price = any(
            _rates.number(entry.get(k))
            for k in ("input_cost_per_token", "output_cost_per_token", "output_cost_per_image_token")
        ) or isinstance(entry.get("tiered_pricing"), list)
        self.per_second_only = not self.has_token_price and any(
            entry.get(k) is not None
            for k in ("input_cost_per_second", "output_cost_per_second", "cost_per_second")
        )


_meta_cache: dict[str, _EntryMeta] = {}


def _fingerprint(entry: Mapping[str, Any]) -> tuple[Any, ...]:
    # cheap staleness check for entries edited in place (model_cost["x"]["input_cost_per_token"] = ...)
    return (len(entry), entry.get("input_cost_per_token"), entry.get("output_cost_per_token"))


def _meta_for(key: str | None, entry: Mapping[str, Any]) -> _EntryMeta:
    if key is None:
        return _EntryMeta(entry)
    meta = _meta_cache.get(key)
    if (
        meta is None
        or meta.entry is not entry
        # _fingerprint(entry), inline: this runs for every priced call
        or meta.fingerprint
        != (len(entry), entry.get("input_cost_per_token"), entry.get("output_cost_per_token"))
    ):
        if len(_meta_cache) > 10_000:
            _meta_cache.clear()
        meta = _EntryMeta(entry)
        _meta_cache[key] = meta
    return meta


def _unknown(reason: str, key: str | None = None, entry: dict[str, Any] | None = None) -> CostResult:
    return CostResult(None, dict(_UNKNOWN_BREAKDOWN), key, entry, reason)


def _not_mapped_reason(model: str, provider: str | None) -> str:
    return (
        f"model={model!r} (custom_llm_provider={provider!r}) is not in the price map; register its prices "
        "with litellm.register_model({...}) or pass input_cost_per_token / output_cost_per_token"
    )


def _merge_custom(entry: Mapping[str, Any] | None, custom: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not custom:
        return None
    overrides = {k: v for k, v in custom.items() if v is not None and k in _CUSTOM_PRICE_KEYS}
    if not overrides:
        return None
    merged = dict(entry) if entry else {}
    merged.update(overrides)
    # a per-call per-second price replaces the entry's token prices, as LiteLLM bills a custom cost per second
    if ("input_cost_per_second" in overrides or "output_cost_per_second" in overrides) and not (
        "input_cost_per_token" in overrides or "output_cost_per_token" in overrides
    ):
        for k in ("input_cost_per_token", "output_cost_per_token", "tiered_pricing"):
            merged.pop(k, None)
    return merged


def compute_cost(
    *,
    model: str,
    custom_llm_provider: str | None,
    call_type: str,
    usage: Mapping[str, Any] | object | None,
    response: object | None = None,
    custom_pricing: Mapping[str, Any] | None = None,
    base_model: str | None = None,
    service_tier: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> CostResult:
    """Price one call. Never raises: an unknown model or missing price gives ``response_cost=None`` and a
    ``failure_reason``.

    ``extra`` carries the facts usage does not: ``size`` ("1024x1024"), ``quality``, ``n`` (images);
    ``duration_seconds`` (transcription audio, video); ``characters`` (speech input); ``search_units`` or
    ``queries`` (rerank / search); ``response_time_ms`` (per-second prices); ``web_search_requests`` and
    ``search_context_size`` (web search tools).
    """
    try:
        return _compute(
            model,
            custom_llm_provider,
            call_type,
            usage,
            response,
            custom_pricing,
            base_model,
            service_tier,
            extra,
        )
    except Exception as exc:  # a pricing bug must cost a null, never the caller's call
        return _unknown(f"cost calculation failed: {type(exc).__name__}: {exc}")


def _compute(
    model: str,
    provider: str | None,
    call_type: str,
    usage: Any,
    response: Any,
    custom_pricing: Mapping[str, Any] | None,
    base_model: str | None,
    service_tier: str | None,
    extra: Mapping[str, Any] | None,
) -> CostResult:
    if provider is None and "/" in model:
        model, provider = price_map.split_provider(model)
    found = None
    if base_model:
        found = price_map.resolve_entry(base_model, provider)
    if found is None:
        found = price_map.resolve_entry(model, provider)
    key, entry = found if found is not None else (None, None)
    merged = _merge_custom(entry, custom_pricing) if custom_pricing else None
    family = normalise_call_type(call_type)
    tokens = read_usage(usage)
    tier = service_tier or tokens.service_tier or _field(response, "service_tier")
    if family == "batch":
        tier = "batch"
    extra = extra or {}

    if family == "image_generation":
        image_entry = merged if merged is not None else entry
        base = (key, image_entry) if image_entry is not None else None
        image_provider = provider or (base[1].get("litellm_provider") if base else None)
        parts, key, entry = _image_cost(
            base,
            base_model or model,
            image_provider,
            tokens,
            usage,
            response,
            extra,
            tier,
            custom_pricing if merged is not None else None,
        )
        if isinstance(parts, str):
            return _unknown(parts, key, entry)
        return _result(parts, key, entry)

    if merged is not None:
        entry = merged
        meta = _EntryMeta(entry)
    elif entry is None:
        return _unknown(_not_mapped_reason(base_model or model, provider))
    else:
        meta = _meta_for(key, entry)
    if provider is None:
        provider = entry.get("litellm_provider")

    if family == "transcription":
        parts = _transcription_cost(meta, tokens, usage, response, extra, tier, provider)
    elif family == "speech":
        parts = _speech_cost(meta, tokens, usage, extra, tier, provider)
    elif family == "rerank":
        parts = _rerank_cost(meta, tokens, response, extra, tier, provider)
    elif family == "video_generation":
        parts = _per_second_cost(meta.entry, extra, prefer_video=True)
    elif meta.per_second_only:
        parts = _per_second_cost(meta.entry, extra)
    elif usage is None:
        parts = "the response carried no usage to price (count the tokens and pass them as usage)"
    else:
        parts = _token_cost(meta, tokens, tier, provider, extra)

    if isinstance(parts, str):
        return _unknown(parts, key, entry)
    return _result(parts, key, entry)


def _result(parts: _Parts, key: str | None, entry: dict[str, Any] | None) -> CostResult:
    total = sum(parts)
    breakdown: dict[str, float | None] = {
        "input_cost": parts[0],
        "cache_read_cost": parts[1],
        "cache_creation_cost": parts[2],
        "output_cost": parts[3],
        "reasoning_cost": parts[4],
        "tool_use_cost": parts[5],
        "total_cost": total,
    }
    return CostResult(total, breakdown, key, entry, None)


def _field(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if type(obj) is dict:  # the common case first: isinstance against the Mapping ABC is slow
        return obj.get(name)
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _token_cost(
    meta: _EntryMeta, t: TokenCounts, tier: str | None, provider: Any, extra: Mapping[str, Any]
) -> _Parts:
    entry = meta.entry
    # _rates.tier_suffix(tier), inline (every priced call): "default" and "auto" have no suffix
    suffix = _rates.SERVICE_TIER_SUFFIX.get(str(tier).lower()) if tier else None
    label = (
        _rates.select_threshold(meta.thresholds, t.prompt, provider in _rates.INCLUSIVE_THRESHOLD_PROVIDERS)
        if meta.thresholds
        else None
    )
    if meta.has_table:
        r = _rates.resolve_rates(entry, suffix, label, _rates.select_table_tier(entry, t.prompt))
    else:
        cache_key = (suffix, label)
        cached = meta.rates.get(cache_key)
        if cached is None:
            cached = meta.rates[cache_key] = _rates.resolve_rates(entry, suffix, label, None)
        r = cached
    cached_audio = t.cache_read_audio
    cached_text = t.cache_read - cached_audio
    # token counts are ints: "x if x > 0 else 0" is max(x, 0) without the builtin call
    audio_in = t.audio_in - cached_audio
    if audio_in < 0:
        audio_in = 0
    text_in = t.prompt - t.cache_read - t.cache_write - audio_in - t.image_in
    if text_in < 0:
        text_in = 0
    input_cost = text_in * r.input + audio_in * r.audio_in + t.image_in * r.image_in
    per_request = entry.get("input_cost_per_request")
    if per_request:  # a flat fee per call (Perplexity online models)
        input_cost += _rates.number(per_request) or 0.0
    cache_read_cost = cached_text * r.cache_read + cached_audio * r.cache_read_audio
    one_hour = t.cache_write_1h
    cache_write_cost = (t.cache_write - one_hour) * r.cache_write + one_hour * r.cache_write_1h

    if t.reasoning or t.audio_out or t.image_out:
        text_out = max(t.completion - t.reasoning - t.audio_out - t.image_out, 0)
    else:
        text_out = t.completion
    output_cost = text_out * r.output + t.audio_out * r.audio_out + t.image_out * r.image_out
    reasoning_cost = t.reasoning * r.reasoning

    tool_cost = 0.0
    searches = t.web_search_requests or int(extra.get("web_search_requests") or 0)
    if searches:
        tool_cost = searches * _search_price(entry, extra.get("search_context_size"))
    return (input_cost, cache_read_cost, cache_write_cost, output_cost, reasoning_cost, tool_cost)


def _search_price(entry: Mapping[str, Any], size: Any) -> float:
    table = entry.get("search_context_cost_per_query")
    if not isinstance(table, Mapping):
        return 0.0
    wanted = f"search_context_size_{size or 'medium'}"
    value = _rates.number(table.get(wanted))
    if value is None:
        value = _rates.number(table.get("search_context_size_medium")) or 0.0
    return value


def _seconds(extra: Mapping[str, Any], *names: str) -> float | None:
    for name in names:
        value = _rates.number(extra.get(name))
        if value is not None:
            return value
    ms = _rates.number(extra.get("response_time_ms"))
    return ms / 1000.0 if ms is not None else None


def _per_second_cost(
    entry: Mapping[str, Any], extra: Mapping[str, Any], prefer_video: bool = False
) -> _Parts | str:
    if prefer_video:
        rate = next(
            (
                v
                for k in ("output_cost_per_video_per_second", "output_cost_per_second", "cost_per_second")
                if (v := _rates.number(entry.get(k))) is not None
            ),
            None,
        )
        seconds = _seconds(extra, "duration_seconds", "video_seconds", "seconds")
        if rate is None or seconds is None:
            return "video generation needs a per-second price and extra['duration_seconds']"
        return (0.0, 0.0, 0.0, rate * seconds, 0.0, 0.0)
    # one rate per second of response time, as LiteLLM bills wall-clock-priced models
    rate = next(
        (
            v
            for k in ("cost_per_second", "input_cost_per_second", "output_cost_per_second")
            if (v := _rates.number(entry.get(k))) is not None
        ),
        None,
    )
    seconds = _seconds(extra, "duration_seconds")
    if rate is None:
        return "the price-map entry has no per-second price"
    if seconds is None:
        return "a per-second price needs extra['response_time_ms'] or extra['duration_seconds']"
    return (rate * seconds, 0.0, 0.0, 0.0, 0.0, 0.0)


def _image_size(size: Any) -> tuple[str, int, int] | None:
    if not size or not isinstance(size, str):
        return None
    s = size.replace("-x-", "x").lower()
    w, sep, h = s.partition("x")
    if not sep or not w.isdigit() or not h.isdigit():
        return None
    return f"{int(w)}-x-{int(h)}", int(w), int(h)


def _sized_image_entry(
    model: str, provider: Any, extra: Mapping[str, Any]
) -> tuple[str, dict[str, Any], int, int] | None:
    """The ``[provider/][quality/]WxH/model`` entry for the size and quality asked, as LiteLLM files them."""
    parsed = _image_size(extra.get("size") or "1024x1024")
    if parsed is None:
        return None
    size_key, w, h = parsed
    quality = extra.get("quality")
    bare = model.split("/", 1)[1] if provider and model.startswith(f"{provider}/") else model
    names: list[str] = []
    for q in ([quality] if quality else []) + ["standard", "high", "medium", None]:
        if q:
            names += [f"{provider}/{q}/{size_key}/{bare}", f"{q}/{size_key}/{bare}"]
        else:
            names += [f"{provider}/{size_key}/{bare}", f"{size_key}/{bare}"]
    model_cost = price_map.get_model_cost_map()
    for name in names:
        entry = model_cost.get(name)
        if isinstance(entry, dict):
            return name, entry, w, h
    return None


def _image_cost(
    base: tuple[str | None, dict[str, Any]] | None,
    model: str,
    provider: Any,
    t: TokenCounts,
    usage: Any,
    response: Any,
    extra: Mapping[str, Any],
    tier: str | None,
    custom: Mapping[str, Any] | None,
) -> tuple[_Parts | str, str | None, dict[str, Any] | None]:
    n_value = extra.get("n")
    data = _field(response, "data")
    if n_value is None and isinstance(data, (list, tuple)) and data:
        n_value = len(data)
    n = int(n_value) if isinstance(n_value, (int, float)) and n_value > 0 else 1

    base_meta = None
    if base is not None:
        base_meta = _meta_for(base[0], base[1]) if custom is None else _EntryMeta(base[1])
        # token-billed image models (gpt-image-*) when the provider reported usage
        if usage is not None and (t.prompt or t.completion) and base_meta.has_token_price:
            return _token_cost(base_meta, t, tier, provider, extra), base[0], base[1]

    sized = _sized_image_entry(model, provider, extra)
    candidates: list[tuple[str | None, dict[str, Any], int, int]] = []
    if sized is not None:
        candidates.append(sized)
    if base is not None:
        parsed = _image_size(extra.get("size") or "1024x1024")
        w, h = (parsed[1], parsed[2]) if parsed else (0, 0)
        candidates.append((base[0], base[1], w, h))
    for key, entry, w, h in candidates:
        for price_key, units in (
            ("input_cost_per_image", n),
            ("output_cost_per_image", n),
            ("input_cost_per_pixel", w * h * n),
        ):
            price = _rates.number(entry.get(price_key))
            if price is not None:
                parts: _Parts = (
                    (0.0, 0.0, 0.0, price * units, 0.0, 0.0)
                    if price_key.startswith("output")
                    else (price * units, 0.0, 0.0, 0.0, 0.0, 0.0)
                )
                return parts, key, dict(entry) if custom is not None else entry
    if base is None:
        return _not_mapped_reason(model, provider), None, None
    if base_meta is not None and base_meta.has_token_price:
        return "this image model is priced per token and the response carried no usage", base[0], base[1]
    reason = (
        f"no per-image or per-pixel price for size={extra.get('size')!r} quality={extra.get('quality')!r}"
    )
    return reason, base[0], base[1]


def _transcription_cost(
    meta: _EntryMeta,
    t: TokenCounts,
    usage: Any,
    response: Any,
    extra: Mapping[str, Any],
    tier: str | None,
    provider: Any,
) -> _Parts | str:
    entry = meta.entry
    if usage is not None and (t.prompt or t.completion) and meta.has_token_price:
        return _token_cost(meta, t, tier, provider, extra)
    seconds = _seconds(extra, "duration_seconds", "audio_seconds")
    if seconds is None:
        seconds = _rates.number(_field(response, "duration"))
    out_rate = _rates.number(entry.get("output_cost_per_second"))
    in_rate = _rates.number(entry.get("input_cost_per_second"))
    if seconds is None:
        return "transcription is priced per second and the audio duration is unknown"
    # LiteLLM bills transcription seconds at the output rate when one is set, else at the input rate
    if out_rate:
        return (0.0, 0.0, 0.0, out_rate * seconds, 0.0, 0.0)
    if in_rate is not None:
        return (in_rate * seconds, 0.0, 0.0, 0.0, 0.0, 0.0)
    return "the transcription model has no per-second price"


def _speech_cost(
    meta: _EntryMeta, t: TokenCounts, usage: Any, extra: Mapping[str, Any], tier: str | None, provider: Any
) -> _Parts | str:
    entry = meta.entry
    per_char = _rates.number(entry.get("input_cost_per_character"))
    chars = _rates.number(extra.get("characters"))
    if per_char is not None:
        if chars is None:
            return "speech is priced per character and extra['characters'] was not given"
        return (per_char * chars, 0.0, 0.0, 0.0, 0.0, 0.0)
    if meta.has_token_price and (t.prompt or t.completion):
        return _token_cost(meta, t, tier, provider, extra)
    out_second = _rates.number(entry.get("output_cost_per_second"))
    seconds = _seconds(extra, "duration_seconds")
    if out_second is not None and seconds is not None:
        return (0.0, 0.0, 0.0, out_second * seconds, 0.0, 0.0)
    if meta.has_token_price:
        return _token_cost(meta, t, tier, provider, extra)
    return "the speech model has no per-character, per-token or per-second price"


def _rerank_cost(
    meta: _EntryMeta, t: TokenCounts, response: Any, extra: Mapping[str, Any], tier: str | None, provider: Any
) -> _Parts | str:
    entry = meta.entry
    per_query = _rates.number(entry.get("input_cost_per_query"))
    if per_query:
        units = _rates.number(extra.get("search_units"))
        if units is None:
            units = _rates.number(extra.get("queries"))
        if units is None:
            billed = _field(_field(response, "meta"), "billed_units")
            units = _rates.number(_field(billed, "search_units"))
        if units is None:
            units = 1.0  # one rerank call is one query unless the provider billed more
        return (per_query * units, 0.0, 0.0, 0.0, 0.0, 0.0)
    if meta.has_token_price:
        return _token_cost(meta, t, tier, provider, extra)
    if per_query == 0.0:
        return (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    return "the rerank model has no per-query or per-token price"


# ---------------------------------------------------------------------------------------------------------
# LiteLLM's public functions


def _raise_for(result: CostResult, model: str, provider: str | None) -> None:
    if result.response_cost is not None:
        return
    if result.model_map_key is None and result.model_map_value is None:
        raise ModelNotMappedError(model, provider)
    raise ValueError(f"cannot price model={model!r}: {result.failure_reason}")


def cost_per_token(
    model: str = "",
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    response_time_ms: float | None = 0.0,
    custom_llm_provider: str | None = None,
    region_name: str | None = None,
    prompt_characters: int | None = None,
    completion_characters: int | None = None,
    cache_creation_input_tokens: int | None = 0,
    cache_read_input_tokens: int | None = 0,
    custom_cost_per_token: Mapping[str, float] | None = None,
    custom_cost_per_second: float | None = None,
    number_of_queries: int | None = None,
    usage_object: Any = None,
    rerank_billed_units: Mapping[str, Any] | None = None,
    call_type: str = "completion",
    audio_transcription_file_duration: float = 0.0,
    service_tier: str | None = None,
    base_model: str | None = None,
) -> tuple[float, float]:
    """(prompt cost, completion cost) in USD, LiteLLM's signature.

    ``prompt_tokens`` is the whole prompt, cache reads and writes included (LiteLLM's documented
    meaning, the same as ``Usage.prompt_tokens``): ``cache_read_input_tokens`` /
    ``cache_creation_input_tokens`` say how many of them were read from / written to the cache, and only
    the rest is priced at the input rate. When ``prompt_tokens`` is smaller than those two together it
    cannot include them, so it is read as Anthropic's ``input_tokens`` (the uncached rest) and they are
    added on top (LiteLLM would price a negative remainder there). Prompt cost includes cache reads,
    cache writes and server-tool use; completion cost includes reasoning. Raises
    :class:`ModelNotMappedError` for a model the map does not know.
    """
    if usage_object is not None:
        usage: Any = usage_object
    else:
        read, write = int(cache_read_input_tokens or 0), int(cache_creation_input_tokens or 0)
        total_prompt = int(prompt_tokens or 0)
        if total_prompt < read + write:
            total_prompt += read + write
        usage = {
            "prompt_tokens": total_prompt,
            "completion_tokens": int(completion_tokens or 0),
            "prompt_tokens_details": {"cached_tokens": read, "cache_creation_tokens": write},
        }
    custom: dict[str, Any] = {}
    if custom_cost_per_token:
        custom.update(custom_cost_per_token)
    if custom_cost_per_second is not None:
        custom["input_cost_per_second"] = custom_cost_per_second
    extra: dict[str, Any] = {"response_time_ms": response_time_ms}
    if prompt_characters is not None:
        extra["characters"] = prompt_characters
    if number_of_queries is not None:
        extra["queries"] = number_of_queries
    if rerank_billed_units and rerank_billed_units.get("search_units") is not None:
        extra["search_units"] = rerank_billed_units["search_units"]
    if audio_transcription_file_duration:
        extra["duration_seconds"] = audio_transcription_file_duration
    name = model
    if region_name and custom_llm_provider:
        regional = f"{custom_llm_provider}/{region_name}/{model.split('/')[-1]}"
        if regional in price_map.get_model_cost_map():
            name = regional
    result = compute_cost(
        model=name,
        custom_llm_provider=custom_llm_provider,
        call_type=call_type,
        usage=usage,
        custom_pricing=custom or None,
        base_model=base_model,
        service_tier=service_tier,
        extra=extra,
    )
    _raise_for(result, model, custom_llm_provider)
    b = result.breakdown
    prompt_cost = (b["input_cost"] or 0.0) + (b["cache_read_cost"] or 0.0) + (b["cache_creation_cost"] or 0.0)
    prompt_cost += b["tool_use_cost"] or 0.0
    completion = (b["output_cost"] or 0.0) + (b["reasoning_cost"] or 0.0)
    return prompt_cost, completion


def _hidden(response: Any) -> Mapping[str, Any]:
    hidden = _field(response, "_hidden_params")
    return hidden if isinstance(hidden, Mapping) else {}


def _infer_call_type(call_type: str, response: Any) -> str:
    if normalise_call_type(call_type) != "chat" or response is None:
        return call_type
    obj = _field(response, "object")
    if obj == "list" and isinstance(_field(response, "data"), list):
        data = _field(response, "data")
        if data and _field(data[0], "embedding") is not None:
            return "embedding"
    if obj == "text_completion":
        return "text_completion"
    if _field(response, "results") is not None and _field(response, "choices") is None:
        return "rerank"
    return call_type


def _count_prompt(model: str, prompt: str, messages: Any) -> int:
    from litellm.cost import tokens as token_mod  # on first use: the counter loads an encoding

    if messages:
        return token_mod.token_counter(model=model, messages=messages)
    if prompt:
        return token_mod.token_counter(model=model, text=prompt)
    return 0


def completion_cost(
    completion_response: Any = None,
    model: str | None = None,
    prompt: str = "",
    messages: list[Any] | None = None,
    completion: str = "",
    call_type: str = "completion",
    size: str | None = None,
    quality: str | None = None,
    n: int | None = None,
    custom_llm_provider: str | None = None,
    total_time: float | None = None,
    custom_cost_per_token: Mapping[str, float] | None = None,
    custom_cost_per_second: float | None = None,
    base_model: str | None = None,
    service_tier: str | None = None,
    region_name: str | None = None,
    optional_params: Mapping[str, Any] | None = None,
    audio_transcription_file_duration: float | None = None,
    **_kwargs: Any,
) -> float:
    """The USD cost of a call, from its response or from (model, prompt/messages, completion).

    ``completion_response`` is duck-typed: ``.usage`` (or ``["usage"]``), ``.model``, and
    ``._hidden_params`` with ``custom_llm_provider`` / ``model``. Without usage the tokens are counted
    locally. ``size``/``quality``/``n`` price image generation; speech is priced on ``prompt``'s characters;
    transcription on ``audio_transcription_file_duration`` or the response's duration. Raises
    :class:`ModelNotMappedError` (naming the model and ``litellm.register_model``) for an unknown model.
    """
    response = completion_response
    hidden = _hidden(response)
    provider = custom_llm_provider or hidden.get("custom_llm_provider")
    name = model or hidden.get("model") or _field(response, "model")
    if not name:
        raise ValueError("completion_cost needs a model: pass model=... or a response that names one")
    call_type = _infer_call_type(call_type, response)
    family = normalise_call_type(call_type)
    usage = _field(response, "usage")
    if isinstance(usage, Mapping) and not usage:
        usage = None
    extra: dict[str, Any] = {}
    params = dict(optional_params or {})
    extra["size"] = size or params.get("size")
    extra["quality"] = quality or params.get("quality")
    if n is not None or params.get("n") is not None:
        extra["n"] = n if n is not None else params.get("n")
    if total_time is not None:
        extra["response_time_ms"] = total_time * 1000.0
    elif hidden.get("_response_ms") is not None:
        extra["response_time_ms"] = hidden.get("_response_ms")
    duration = audio_transcription_file_duration or hidden.get("audio_transcription_duration")
    if duration:
        extra["duration_seconds"] = duration
    if family == "speech":
        extra["characters"] = len(prompt or "")
    if family == "rerank":
        billed = _field(_field(response, "meta"), "billed_units")
        if _field(billed, "search_units") is not None:
            extra["search_units"] = _field(billed, "search_units")
    if usage is None and family in ("chat", "embedding", "moderation"):
        prompt_tokens = _count_prompt(name, prompt, messages)
        completion_tokens = 0
        if completion:
            from litellm.cost import tokens as token_mod

            completion_tokens = token_mod.token_counter(model=name, text=completion)
        elif response is not None:
            text = _response_text(response)
            if text:
                from litellm.cost import tokens as token_mod

                completion_tokens = token_mod.token_counter(model=name, text=text)
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens}
    custom: dict[str, Any] = dict(custom_cost_per_token or {})
    if custom_cost_per_second is not None:
        custom["input_cost_per_second"] = custom_cost_per_second
    if region_name and provider:
        regional = f"{provider}/{region_name}/{str(name).split('/')[-1]}"
        if regional in price_map.get_model_cost_map():
            name = regional
    result = compute_cost(
        model=str(name),
        custom_llm_provider=provider,
        call_type=call_type,
        usage=usage,
        response=response,
        custom_pricing=custom or None,
        base_model=base_model or hidden.get("base_model"),
        service_tier=service_tier,
        extra=extra,
    )
    _raise_for(result, str(name), provider)
    return float(result.response_cost or 0.0)


def _response_text(response: Any) -> str:
    choices = _field(response, "choices")
    if not isinstance(choices, (list, tuple)):
        return ""
    parts: list[str] = []
    for choice in choices:
        message = _field(choice, "message")
        content = _field(message, "content") if message is not None else _field(choice, "text")
        if isinstance(content, str):
            parts.append(content)
    return "".join(parts)
