"""The price map: LiteLLM's schema, loaded once on first use, and the lookup of one model's entry.

Owns the one mutable ``model_cost`` dict (``litellm.model_cost`` is this same object), ``register_model``,
the opt-in remote fetch, provider lookup for bare model names, and ``resolve_entry`` (model + provider ->
the price-map key and entry), which every other module in ``litellm.cost`` uses.

Must not: load or fetch anything at import (the JSON file is read on the first call that needs it; a URL is
fetched only by ``load_remote_cost_map`` or ``register_model(url)``), read the environment outside
``litellm.core.settings.env``, or import the package root.

Data: ``model_prices.json`` is the map shipped with LiteLLM 1.110.2 (public data), minus its
``sample_spec``; ``price_sources.json`` names each provider's pricing page and the date it was read.
Two kinds of special entry are handled at load time, as LiteLLM does:
``{"alias_of": key}`` entries become a copy of the entry they name, and ``fallback_generalizations``
(regex rules that fill capability flags or a provider for ids the map does not list) is taken out of the
dict and kept for :func:`lookup_provider` and ``model_info``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from importlib import resources
from typing import Any

from litellm.core.settings import env

__all__ = [
    "PROVIDER_EQUIVALENTS",
    "get_model_cost_map",
    "load_remote_cost_map",
    "lookup_provider",
    "register_model",
    "reset_model_cost_map",
    "resolve_entry",
]

_RULES_KEY = "fallback_generalizations"
_DATA_FILE = "model_prices.json"

# Providers whose entries are filed under a sibling `litellm_provider` value: a request for the left one may
# be priced by an entry of any name on the right (LiteLLM files Vertex partner models as "vertex_ai-*",
# Bedrock converse-only models as "bedrock_converse", OpenAI text completion as "text-completion-openai").
PROVIDER_EQUIVALENTS: dict[str, frozenset[str]] = {
    "openai": frozenset({"text-completion-openai", "chatgpt"}),
    "text-completion-openai": frozenset({"openai"}),
    "azure": frozenset({"azure_text"}),
    "azure_text": frozenset({"azure"}),
    "bedrock": frozenset({"bedrock_converse", "bedrock_mantle"}),
    "bedrock_converse": frozenset({"bedrock"}),
    "cohere": frozenset({"cohere_chat"}),
    "cohere_chat": frozenset({"cohere"}),
    "codestral": frozenset({"text-completion-codestral", "mistral"}),
    "text-completion-codestral": frozenset({"codestral"}),
    "vertex_ai_beta": frozenset({"vertex_ai"}),
    "fireworks_ai": frozenset({"fireworks_ai-embedding-models"}),
}

# Provider ids a caller may put in front of a model ("groq/llama-3...") that never appear as a
# `litellm_provider` value of their own in the map, so the prefix is still read as a provider.
_EXTRA_PROVIDER_PREFIXES = frozenset(
    {"openrouter", "vertex_ai_beta", "hosted_vllm", "vllm", "huggingface", "custom_openai", "litellm_proxy"}
)


class _State:
    """Everything loaded lazily, behind one lock so concurrent first calls load the file once."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.model_cost: dict[str, Any] | None = None
        self.rules: list[Mapping[str, Any]] = []
        self.compiled_rules: list[tuple[re.Pattern[str], dict[str, Any]]] | None = None
        self.providers: frozenset[str] | None = None
        # bumped on every change made through this module; the resolve cache is keyed on it
        self.generation = 0
        self.resolve_cache: dict[tuple[str, str | None], tuple[str, dict[str, Any]] | None] = {}
        self.resolve_cache_size = -1


_state = _State()


def _read_local_map() -> dict[str, Any]:
    text = resources.files("litellm.cost").joinpath(_DATA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def _install(raw: dict[str, Any]) -> dict[str, Any]:
    """Turn a raw map (file or URL) into the live dict: drop the schema sample, split out rules, copy aliases."""
    raw.pop("sample_spec", None)
    rules = raw.pop(_RULES_KEY, None)
    if isinstance(rules, Mapping) and isinstance(rules.get("rules"), list):
        _state.rules = [r for r in rules["rules"] if isinstance(r, Mapping)]
        _state.compiled_rules = None
    for key, value in list(raw.items()):
        if isinstance(value, Mapping) and set(value) == {"alias_of"}:
            target = raw.get(value["alias_of"])
            # an alias of an alias, or of nothing, stays as it is and is skipped by lookups
            if isinstance(target, Mapping) and "alias_of" not in target:
                raw[key] = dict(target)
    return raw


def get_model_cost_map() -> dict[str, Any]:
    """The live price map (``litellm.model_cost``), loaded from the shipped file on first call.

    ``LITELLM_LOCAL_MODEL_COST_MAP`` is honoured trivially: the local file is always what is loaded here;
    a newer map is only ever fetched by an explicit :func:`load_remote_cost_map` call.
    """
    model_cost = _state.model_cost
    if model_cost is not None:
        return model_cost
    with _state.lock:
        if _state.model_cost is None:
            _state.model_cost = _install(_read_local_map())
            _invalidate()
        return _state.model_cost


def reset_model_cost_map() -> dict[str, Any]:
    """Reload the shipped file into the same dict object (for tests and for undoing ``register_model``)."""
    with _state.lock:
        fresh = _install(_read_local_map())
        live = get_model_cost_map()
        live.clear()
        live.update(fresh)
        _invalidate()
        return live


def _invalidate() -> None:
    _state.generation += 1
    _state.resolve_cache = {}
    _state.providers = None


def _local_map_forced() -> bool:
    return (env("LITELLM_LOCAL_MODEL_COST_MAP") or "").strip().lower() in ("1", "true", "yes", "on")


def _fetch_json(url: str, timeout: float) -> dict[str, Any]:
    import httpx  # on first use only: the cost package must stay cheap to import

    response = httpx.get(url, timeout=timeout, follow_redirects=True)
    response.raise_for_status()
    data = response.json()
    if not isinstance(data, dict):
        raise ValueError(f"the price map at {url} is not a JSON object")
    return data


def load_remote_cost_map(url: str | None = None, *, timeout: float = 5.0) -> dict[str, Any]:
    """Replace the live map's contents with the map at ``url`` (default ``LITELLM_MODEL_COST_MAP_URL``).

    Opt-in only: nothing calls this implicitly. When ``LITELLM_LOCAL_MODEL_COST_MAP`` is true, or no URL is
    given or configured, the local map is kept and returned unchanged. On a fetch error the local map is kept
    and the error is logged, never raised: a bad URL must not take cost tracking down with it.
    """
    live = get_model_cost_map()
    target = url or env("LITELLM_MODEL_COST_MAP_URL")
    if not target or _local_map_forced():
        return live
    try:
        fetched = _install(_fetch_json(target, timeout))
    except Exception as exc:  # any transport or JSON error: keep serving the shipped prices
        _logger().warning("price map fetch failed; keeping the local map", url=target, error=str(exc))
        return live
    with _state.lock:
        live.clear()
        live.update(fetched)
        _invalidate()
    return live


def register_model(model_cost: Mapping[str, Any] | str) -> dict[str, Any]:
    """Add or update price-map entries, with LiteLLM's semantics: a known key is merged (new fields win,
    the rest of the entry is kept), an unknown key is added. ``model_cost`` is a dict in the map's schema or
    a URL serving one. Returns the live map."""
    if isinstance(model_cost, str):
        model_cost = _fetch_json(model_cost, timeout=10.0)
    live = get_model_cost_map()
    with _state.lock:
        for key, value in model_cost.items():
            if not isinstance(value, Mapping):
                raise TypeError(
                    f"register_model: the entry for {key!r} must be a dict, got {type(value).__name__}"
                )
            existing = live.get(key)
            merged = {**existing, **value} if isinstance(existing, Mapping) else dict(value)
            live[key] = merged
            # LiteLLM also makes a bare key reachable under its provider prefix, so "provider/model"
            # lookups (the form the pipeline uses) see the registration too.
            provider = merged.get("litellm_provider")
            if isinstance(provider, str) and provider and not key.startswith(f"{provider}/"):
                prefixed = f"{provider}/{key}"
                if prefixed in live and isinstance(live[prefixed], Mapping):
                    live[prefixed] = {**live[prefixed], **value}
        _invalidate()
    return live


def known_providers() -> frozenset[str]:
    """Every ``litellm_provider`` value in the live map, plus a few prefix-only provider ids."""
    providers = _state.providers
    if providers is None:
        values = {v.get("litellm_provider") for v in get_model_cost_map().values() if isinstance(v, Mapping)}
        providers = frozenset(p for p in values if isinstance(p, str)) | _EXTRA_PROVIDER_PREFIXES
        _state.providers = providers
    return providers


def provider_matches(requested: str, entry_provider: object) -> bool:
    """Whether an entry filed under ``entry_provider`` may price a call made to ``requested``."""
    if not isinstance(entry_provider, str):
        return False
    if entry_provider == requested:
        return True
    if entry_provider.startswith(requested + "-"):  # "vertex_ai-anthropic_models" for "vertex_ai"
        return True
    equivalents = PROVIDER_EQUIVALENTS.get(requested)
    if equivalents is None:
        return False
    return entry_provider in equivalents or any(entry_provider.startswith(e + "-") for e in equivalents)


def _candidates(model: str, provider: str | None) -> list[str]:
    out: list[str] = []
    if provider:
        prefix = provider + "/"
        bare = model[len(prefix) :] if model.startswith(prefix) else model
        out += [prefix + bare, bare, model]
    else:
        out.append(model)
    # "bedrock/us-east-1/anthropic.claude-v2", "vertex_ai/publishers/x/y": the id is the last segment
    if "/" in model:
        out.append(model.split("/", 1)[1])
        out.append(model.rsplit("/", 1)[1])
    return list(dict.fromkeys(c for c in out if c))  # first occurrence wins, order kept


def split_provider(model: str) -> tuple[str, str | None]:
    head, sep, _rest = model.partition("/")
    if sep and head in known_providers():
        return model, head
    return model, None


def resolve_entry(model: str, custom_llm_provider: str | None = None) -> tuple[str, dict[str, Any]] | None:
    """The price-map key and entry that prices ``model`` called through ``custom_llm_provider``, or None.

    Tries ``provider/model``, the model as given, then the model with leading path segments removed, and
    accepts an entry only when its ``litellm_provider`` can serve the provider asked for (so an unknown
    ``azure/my-deployment`` is never priced as some other provider's model of the same name). Without a
    provider, a leading known provider segment (``anthropic/claude-...``) is read as the provider.

    Cached per (model, provider); the cache is dropped when the map changes through this module or grows or
    shrinks, and a hit is re-checked against the live dict so a replaced entry is never served stale.
    """
    model_cost = _state.model_cost if _state.model_cost is not None else get_model_cost_map()
    cache = _state.resolve_cache
    if _state.resolve_cache_size != len(model_cost):
        cache.clear()
        _state.resolve_cache_size = len(model_cost)
    cache_key = (model, custom_llm_provider)
    hit = cache.get(cache_key, _MISS)
    if hit is not _MISS:
        if hit is None or model_cost.get(hit[0]) is hit[1]:
            return hit
    found = _resolve_uncached(model_cost, model, custom_llm_provider)
    if len(cache) > 10_000:  # bounded: model names come from callers
        cache.clear()
    cache[cache_key] = found
    return found


_MISS: Any = object()


def _resolve_uncached(
    model_cost: dict[str, Any], model: str, provider: str | None
) -> tuple[str, dict[str, Any]] | None:
    if not isinstance(model, str) or not model:
        return None
    if provider is None:
        model, provider = split_provider(model)
    for candidate in _candidates(model, provider):
        entry = model_cost.get(candidate)
        if not isinstance(entry, dict) or "alias_of" in entry:
            continue
        if provider is None or provider_matches(provider, entry.get("litellm_provider")):
            return candidate, entry
    return None


def compiled_rules() -> list[tuple[re.Pattern[str], dict[str, Any]]]:
    """The map's ``fallback_generalizations`` rules, compiled (case-insensitive, as LiteLLM matches them)."""
    get_model_cost_map()
    rules = _state.compiled_rules
    if rules is None:
        rules = []
        for rule in _state.rules:
            pattern, info = rule.get("pattern"), rule.get("model_info")
            if not isinstance(pattern, str) or not isinstance(info, Mapping):
                continue
            try:
                rules.append((re.compile(pattern, re.IGNORECASE), dict(rule)))
            except re.error:
                continue
        _state.compiled_rules = rules
    return rules


_VERTEX_FAMILY = "vertex_ai"


def _normalise_provider(provider: str) -> str:
    """The provider a call is routed to, from an entry's ``litellm_provider`` filing name."""
    if provider.startswith(_VERTEX_FAMILY + "-"):
        return _VERTEX_FAMILY
    if provider == "bedrock_converse":
        return "bedrock"
    if provider.startswith("fireworks_ai-"):
        return "fireworks_ai"
    return provider


def lookup_provider(model: str) -> str | None:
    """The provider of a model name as the price map files it: ``gpt-4o`` -> ``openai``,
    ``claude-sonnet-4-5`` -> ``anthropic``, ``anthropic/claude-x`` -> ``anthropic``. None when unknown.

    Order: an exact map entry; a leading known provider segment; the map's provider rules (a bare Claude
    id routes to anthropic, a dotted ``anthropic.claude-`` id to bedrock)."""
    model_cost = get_model_cost_map()
    entry = model_cost.get(model)
    if isinstance(entry, Mapping) and isinstance(entry.get("litellm_provider"), str):
        return _normalise_provider(entry["litellm_provider"])
    head, sep, _rest = model.partition("/")
    if sep and head in known_providers():
        return head
    for pattern, rule in compiled_rules():
        provider = rule["model_info"].get("litellm_provider")
        if isinstance(provider, str) and pattern.search(model):
            return provider
    # retired Claude ids (claude-3-5-sonnet-20241022) left the map but still route to Anthropic
    if model.startswith("claude-"):
        return "anthropic"
    return None


def _logger() -> Any:
    try:
        from litellm.core.log import get_logger

        return get_logger()
    except Exception:  # the shared logger module may not exist yet; fall back to stdlib
        import logging

        class _Adapter:
            def __init__(self) -> None:
                self._log = logging.getLogger("litellm")

            def warning(self, event: str, **kw: Any) -> None:
                self._log.warning("%s %s", event, kw)

            def debug(self, event: str, **kw: Any) -> None:
                self._log.debug("%s %s", event, kw)

        return _Adapter()
