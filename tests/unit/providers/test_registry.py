"""Provider resolution: prefixes, custom_llm_provider, bare names, unknown prefixes, adapter caching."""

from __future__ import annotations

import subprocess
import sys

import pytest

from litellm.providers import registry
from litellm.providers.openai_compat import PROVIDERS

REQUIRED = [
    "openai",
    "azure",
    "anthropic",
    "groq",
    "together_ai",
    "deepseek",
    "fireworks_ai",
    "openrouter",
    "mistral",
    "perplexity",
    "deepinfra",
    "xai",
    "cerebras",
    "sambanova",
    "nvidia_nim",
    "hosted_vllm",
    "lm_studio",
    "ollama_chat",
    "github",
    "databricks",
    "anyscale",
    "friendliai",
    "custom_openai",
]


def test_every_required_provider_is_known_and_the_list_is_sorted():
    known = registry.known_providers()
    assert known == sorted(known)
    assert set(REQUIRED) <= set(known)
    assert registry.PROVIDER_LIST == known


@pytest.mark.parametrize("provider", sorted({*PROVIDERS, "azure", "anthropic"}))
def test_every_table_provider_resolves_from_its_prefix_and_strips_it(provider):
    resolved = registry.resolve(f"{provider}/some-model")
    assert resolved.provider == provider
    assert resolved.model == "some-model"
    assert resolved.original_model == f"{provider}/some-model"
    assert resolved.adapter.name == provider


def test_model_keeps_everything_after_the_first_slash():
    resolved = registry.resolve("together_ai/meta-llama/Llama-3-70b")
    assert (resolved.provider, resolved.model) == ("together_ai", "meta-llama/Llama-3-70b")
    resolved = registry.resolve("openrouter/anthropic/claude-3.5-sonnet")
    assert (resolved.provider, resolved.model) == ("openrouter", "anthropic/claude-3.5-sonnet")


@pytest.mark.parametrize(
    ("model", "provider"),
    [
        ("gpt-4o", "openai"),
        ("gpt-4o-mini", "openai"),
        ("o1", "openai"),
        ("o3-mini", "openai"),
        ("o4-mini", "openai"),
        ("chatgpt-4o-latest", "openai"),
        ("text-embedding-3-small", "openai"),
        ("ft:gpt-4o-mini:my-org::abc123", "openai"),
        ("claude-3-5-sonnet-20241022", "anthropic"),
        ("claude-sonnet-4-5", "anthropic"),
    ],
)
def test_bare_known_names_resolve_to_their_provider_and_keep_the_name(model, provider):
    resolved = registry.resolve(model)
    assert resolved.provider == provider
    assert resolved.model == model


def test_bare_names_fall_back_to_name_patterns_when_the_price_map_cannot_tell(monkeypatch):
    import litellm.cost.price_map as price_map

    monkeypatch.setattr(price_map, "lookup_provider", lambda model: None)
    registry._resolved.clear()
    try:
        assert registry.resolve("gpt-9-preview").provider == "openai"
        assert registry.resolve("claude-next").provider == "anthropic"
    finally:
        registry._resolved.clear()


def test_custom_llm_provider_wins_over_the_name():
    resolved = registry.resolve("meta-llama/Llama-3-70b", custom_llm_provider="groq")
    assert (resolved.provider, resolved.model) == ("groq", "meta-llama/Llama-3-70b")
    resolved = registry.resolve("gpt-4o", custom_llm_provider="azure")
    assert (resolved.provider, resolved.model) == ("azure", "gpt-4o")
    # the provider's own prefix is not doubled
    resolved = registry.resolve("groq/llama3", custom_llm_provider="groq")
    assert resolved.model == "llama3"


def test_openai_prefix_with_api_base_takes_any_model_name():
    resolved = registry.resolve("openai/my-local-model", api_base="http://127.0.0.1:8000/v1")
    assert (resolved.provider, resolved.model) == ("openai", "my-local-model")


def test_openai_prefix_pointed_at_a_known_providers_base_becomes_that_provider():
    resolved = registry.resolve("openai/llama3", api_base="https://api.groq.com/openai/v1/")
    assert resolved.provider == "groq"


def test_unknown_prefix_raises_bad_request_naming_it_and_listing_known_providers():
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError) as info:
        registry.resolve("notaprovider/some-model")
    message = str(info.value)
    assert "'notaprovider'" in message
    assert ", ".join(registry.known_providers()) in message
    assert info.value.status_code == 400


def test_unknown_custom_llm_provider_raises_listing_known_providers():
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError, match=r"Known providers: .*anthropic, anyscale"):
        registry.resolve("x", custom_llm_provider="nope")


def test_unroutable_bare_name_raises_bad_request():
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError, match="LLM Provider NOT provided"):
        registry.resolve("totally-unknown-model-xyz")


def test_adapters_are_created_once_and_shared():
    assert registry.get_adapter("groq") is registry.get_adapter("groq")
    assert registry.resolve("groq/a").adapter is registry.resolve("groq/b").adapter


def test_get_adapter_for_unknown_provider_raises():
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError):
        registry.get_adapter("nope")


def test_get_llm_provider_fills_key_and_base_for_compatible_providers(monkeypatch):
    monkeypatch.setenv("GROQ_API_KEY", "gsk-from-env")
    model, provider, key, base = registry.get_llm_provider("groq/llama3")
    assert (model, provider, key, base) == (
        "llama3",
        "groq",
        "gsk-from-env",
        "https://api.groq.com/openai/v1",
    )


def test_get_llm_provider_returns_openai_credentials_as_given():
    assert registry.get_llm_provider("gpt-4o") == ("gpt-4o", "openai", None, None)


def test_importing_the_registry_imports_no_adapter_price_map_or_openai():
    code = (
        "import sys, litellm.providers.registry as r\n"
        "bad = [m for m in ('litellm.providers.anthropic', 'litellm.providers.azure', "
        "'litellm.cost.price_map', 'openai', 'litellm.core.exceptions') if m in sys.modules]\n"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"
