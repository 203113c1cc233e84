"""Which provider serves a model, and the one cached adapter per provider.

Owns: :func:`resolve` (``"anthropic/claude-..."``, ``custom_llm_provider=``, bare known names through the
price map, ``"openai/<anything>"`` for any compatible server), :func:`get_adapter` (adapters built on
first use from a ``name -> "module:factory"`` table and cached), :func:`known_providers`,
:data:`PROVIDER_LIST` and LiteLLM's :func:`get_llm_provider`.

Must not: import adapters, the price map or the exception module at import time (all lazily, on first
use), read the environment except through ``litellm.providers.environment``, or send anything.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litellm.providers.base import ProviderAdapter

__all__ = [
    "PROVIDER_LIST",
    "Resolved",
    "get_adapter",
    "get_llm_provider",
    "known_providers",
    "resolve",
]

_NATIVE: dict[str, str] = {
    "anthropic": "litellm.providers.anthropic:make_adapter",
    "azure": "litellm.providers.azure:make_adapter",
    "bedrock": "litellm.providers.bedrock:make_adapter",
    "huggingface": "litellm.providers.huggingface:make_adapter",
    "sagemaker": "litellm.providers.sagemaker:make_adapter",
    "sagemaker_chat": "litellm.providers.sagemaker:make_adapter",
    "watsonx": "litellm.providers.watsonx:make_adapter",
    "watsonx_text": "litellm.providers.watsonx:make_adapter",
    "gemini": "litellm.providers.gemini:make_adapter",
    "vertex_ai": "litellm.providers.vertex:make_adapter",
    "vertex_ai_beta": "litellm.providers.vertex:make_adapter",
    "cohere": "litellm.providers.cohere:make_adapter",
    "cohere_chat": "litellm.providers.cohere:make_adapter",
    "ollama": "litellm.providers.ollama:make_adapter",
    "ollama_chat": "litellm.providers.ollama:make_adapter",
    "databricks": "litellm.providers.databricks:make_adapter",
    "predibase": "litellm.providers.predibase:make_adapter",
    "triton": "litellm.providers.triton:make_adapter",
    "replicate": "litellm.providers.replicate:make_adapter",
    "deepgram": "litellm.providers.deepgram:make_adapter",
    "mistral": "litellm.providers.mistral:make_adapter",
    "nlp_cloud": "litellm.providers.nlp_cloud:make_adapter",
    "topaz": "litellm.providers.topaz:make_adapter",
    "aleph_alpha": "litellm.providers.aleph_alpha:make_adapter",
    "petals": "litellm.providers.petals:make_adapter",
}
_COMPAT_FACTORY = "litellm.providers.openai_compat:make_adapter"

# Name patterns for bare model names when the price map cannot tell (or is not installed).
_BARE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"^(?:ft:)?(?:gpt-|chatgpt-|text-embedding-|o\d+(?:-|$)|dall-e|tts-|whisper|omni-moderation|davinci|babbage)"
        ),
        "openai",
    ),
    (re.compile(r"^claude-"), "anthropic"),
)


@dataclass(frozen=True, slots=True)
class Resolved:
    adapter: ProviderAdapter
    provider: str
    #: the model id the provider is sent, without our provider prefix ("claude-3-5-sonnet-20241022")
    model: str
    #: what the caller passed
    original_model: str


_adapters: dict[str, ProviderAdapter] = {}
_adapters_lock = threading.Lock()
_resolved: dict[tuple[str, str | None, str | None], Resolved] = {}
_RESOLVED_MAX = 4096
_known: tuple[str, ...] | None = None

#: every known provider name (LiteLLM's ``litellm.provider_list``); computed on first access by the
#: module ``__getattr__`` below, so it is declared here without a value
PROVIDER_LIST: list[str]


def known_providers() -> list[str]:
    """Every provider name this build can call, sorted."""
    global _known
    if _known is None:
        from litellm.providers.openai_compat import PROVIDERS

        _known = tuple(sorted({*_NATIVE, *PROVIDERS}))
    return list(_known)


def _is_known(provider: str) -> bool:
    return provider in (_known or tuple(known_providers()))


def get_adapter(provider: str) -> ProviderAdapter:
    """The adapter for ``provider`` (built once, then shared: adapters are stateless)."""
    adapter = _adapters.get(provider)
    if adapter is not None:
        return adapter
    if not _is_known(provider):
        raise _unknown_provider_error(provider, provider)
    target = _NATIVE.get(provider, _COMPAT_FACTORY)
    module_name, _, factory_name = target.partition(":")
    factory = getattr(import_module(module_name), factory_name)
    with _adapters_lock:
        adapter = _adapters.get(provider)
        if adapter is None:
            adapter = factory(provider)
            _adapters[provider] = adapter
    return adapter


def _unknown_provider_error(prefix: str, model: str) -> Exception:
    from litellm.core.exceptions import BadRequestError

    providers = ", ".join(known_providers())
    return BadRequestError(
        message=(
            f"LLM Provider NOT provided or unknown: {prefix!r} (model={model!r}). Pass the model as "
            f"'<provider>/<model>' (e.g. 'anthropic/claude-3-5-sonnet-20241022') or set custom_llm_provider=. "
            f"Known providers: {providers}"
        ),
        model=model,
        llm_provider=prefix,
    )


def _provider_for_bare_name(model: str) -> str | None:
    provider: str | None = None
    try:
        from litellm.cost.price_map import lookup_provider
    except ImportError:
        lookup_provider = None  # type: ignore[assignment]
    if lookup_provider is not None:
        try:
            provider = lookup_provider(model)
        except Exception:  # the price map is a hint here; a broken map falls back to name patterns
            provider = None
    if provider is not None and _is_known(provider):
        return provider
    for pattern, name in _BARE_PATTERNS:
        if pattern.search(model):
            return name
    return provider  # known to the price map but not callable here: the caller reports it


def _provider_for_api_base(api_base: str) -> str | None:
    # "openai/<model>" pointed at a known provider's default base is that provider (LiteLLM does the
    # same), so its key env var and param rules apply
    from litellm.providers.openai_compat import PROVIDERS

    wanted = api_base.rstrip("/")
    for name, spec in PROVIDERS.items():
        if name not in ("openai", "custom_openai") and spec.default_api_base == wanted:
            return name
    return None


def resolve(model: str, custom_llm_provider: str | None = None, api_base: str | None = None) -> Resolved:
    """Find the provider and adapter for a call, as LiteLLM's ``get_llm_provider`` does.

    Raises ``BadRequestError`` naming the bad prefix and listing every known provider when the model
    cannot be routed.
    """
    key = (model, custom_llm_provider, api_base)
    hit = _resolved.get(key)
    if hit is not None:
        return hit
    found = _resolve(model, custom_llm_provider, api_base)
    if len(_resolved) >= _RESOLVED_MAX:  # model names come from callers: keep the cache bounded
        _resolved.clear()
    _resolved[key] = found
    return found


def _resolve(model: str, custom_llm_provider: str | None, api_base: str | None) -> Resolved:
    if not isinstance(model, str) or not model:
        from litellm.core.exceptions import BadRequestError

        raise BadRequestError(message=f"model must be a non-empty string, got {model!r}", model=str(model))
    if custom_llm_provider:
        provider = custom_llm_provider
        if not _is_known(provider):
            raise _unknown_provider_error(provider, model)
        prefix = provider + "/"
        bare = model[len(prefix) :] if model.startswith(prefix) else model
    else:
        head, sep, rest = model.partition("/")
        if sep and _is_known(head):
            provider, bare = head, rest
        else:
            provider_or_none = _provider_for_bare_name(model)
            if provider_or_none is None or not _is_known(provider_or_none):
                raise _unknown_provider_error(provider_or_none or (head if sep else model), model)
            provider, bare = provider_or_none, model
    if provider in ("openai", "custom_openai") and api_base:
        provider = _provider_for_api_base(api_base) or provider
    return Resolved(adapter=get_adapter(provider), provider=provider, model=bare, original_model=model)


def get_llm_provider(
    model: str,
    custom_llm_provider: str | None = None,
    api_base: str | None = None,
    api_key: str | None = None,
    litellm_params: Any = None,
) -> tuple[str, str, str | None, str | None]:
    """LiteLLM's public helper: ``(model, custom_llm_provider, dynamic_api_key, api_base)``.

    As in LiteLLM, the key and base are filled from the provider's env vars and default base for
    OpenAI-compatible providers other than OpenAI itself; for openai, azure and anthropic they are
    returned as given.
    """
    resolved = resolve(model, custom_llm_provider, api_base)
    provider = resolved.provider
    if provider in ("openai", "azure", "anthropic"):
        return resolved.model, provider, api_key, api_base
    from litellm.providers.environment import env_value

    env_vars = getattr(resolved.adapter, "env_vars", {})
    key = api_key or _first_env(env_vars.get("api_key", ()), env_value)
    base = (
        api_base or _first_env(env_vars.get("api_base", ()), env_value) or resolved.adapter.default_api_base
    )
    return resolved.model, provider, key, base


def _first_env(names: tuple[str, ...], read: Any) -> str | None:
    for name in names:
        value = read(name)
        if value:
            return value
    return None


def __getattr__(name: str) -> Any:
    # PROVIDER_LIST is computed on first access so importing this module stays cheap
    if name == "PROVIDER_LIST":
        return known_providers()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
