"""Credentials from env vars, validate_environment, get_valid_models and check_valid_key."""

from __future__ import annotations

import pytest

from litellm.providers import environment
from litellm.providers.base import Credentials
from litellm.providers.registry import get_adapter

PROVIDER_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_API_BASE",
    "ANTHROPIC_API_KEY",
    "AZURE_API_KEY",
    "AZURE_OPENAI_API_KEY",
    "AZURE_API_BASE",
    "AZURE_API_VERSION",
    "AZURE_AD_TOKEN",
    "GROQ_API_KEY",
    "TOGETHER_API_KEY",
    "TOGETHER_AI_API_KEY",
    "TOGETHERAI_API_KEY",
    "TOGETHER_AI_TOKEN",
    "HOSTED_VLLM_API_BASE",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)


def test_credentials_come_from_the_adapters_env_vars(monkeypatch):
    monkeypatch.setenv("GROQ_API_KEY", "gsk-env")
    creds = environment.credentials_from_env(get_adapter("groq"))
    assert creds.api_key == "gsk-env"


def test_arguments_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("GROQ_API_KEY", "gsk-env")
    creds = environment.credentials_from_env(get_adapter("groq"), Credentials(api_key="gsk-arg"))
    assert creds.api_key == "gsk-arg"


def test_key_aliases_are_read_in_order(monkeypatch):
    monkeypatch.setenv("TOGETHER_AI_TOKEN", "last")
    monkeypatch.setenv("TOGETHERAI_API_KEY", "third")
    assert environment.credentials_from_env(get_adapter("together_ai")).api_key == "third"


def test_azure_reads_base_version_and_ad_token(monkeypatch):
    monkeypatch.setenv("AZURE_API_BASE", "https://r.openai.azure.com")
    monkeypatch.setenv("AZURE_API_VERSION", "2024-10-21")
    monkeypatch.setenv("AZURE_AD_TOKEN", "eyJ")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "fallback-key")
    creds = environment.credentials_from_env(get_adapter("azure"))
    assert (creds.api_base, creds.api_version, creds.azure_ad_token, creds.api_key) == (
        "https://r.openai.azure.com",
        "2024-10-21",
        "eyJ",
        "fallback-key",
    )


def test_openai_base_env_var_prefers_openai_base_url(monkeypatch):
    monkeypatch.setenv("OPENAI_API_BASE", "http://old")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://new")
    assert environment.credentials_from_env(get_adapter("openai")).api_base == "http://new"


def test_validate_environment_names_the_missing_key():
    assert environment.validate_environment("gpt-4o") == {
        "keys_in_environment": False,
        "missing_keys": ["OPENAI_API_KEY"],
    }
    assert environment.validate_environment("anthropic/claude-3-5-sonnet-20241022")["missing_keys"] == [
        "ANTHROPIC_API_KEY"
    ]
    assert environment.validate_environment("groq/llama3")["missing_keys"] == ["GROQ_API_KEY"]


def test_validate_environment_is_satisfied_by_env_or_argument(monkeypatch):
    assert environment.validate_environment("gpt-4o", api_key="sk-arg") == {
        "keys_in_environment": True,
        "missing_keys": [],
    }
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    assert environment.validate_environment("gpt-4o")["keys_in_environment"] is True


def test_validate_environment_for_azure_lists_base_version_and_key(monkeypatch):
    # as LiteLLM 1.110.2 lists them (a call itself works without a version: the default one is used)
    assert environment.validate_environment("azure/dep")["missing_keys"] == [
        "AZURE_API_BASE",
        "AZURE_API_VERSION",
        "AZURE_API_KEY",
    ]
    result = environment.validate_environment("azure/dep", api_key="k", api_base="https://r.openai.azure.com")
    assert result == {"keys_in_environment": False, "missing_keys": ["AZURE_API_VERSION"]}
    monkeypatch.setenv("AZURE_API_VERSION", "2024-10-21")
    result = environment.validate_environment("azure/dep", api_key="k", api_base="https://r.openai.azure.com")
    assert result == {"keys_in_environment": True, "missing_keys": []}


def test_local_servers_need_only_a_base():
    assert environment.validate_environment("ollama_chat/llama3")["keys_in_environment"] is True
    assert environment.validate_environment("hosted_vllm/m")["missing_keys"] == ["HOSTED_VLLM_API_BASE"]


def test_unroutable_model_reports_nothing_in_environment():
    assert environment.validate_environment("nope/x") == {"keys_in_environment": False, "missing_keys": []}


def test_get_valid_models_lists_models_of_providers_with_a_key(monkeypatch):
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GROQ_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(environment, "env_value", lambda name: "k" if name == "ANTHROPIC_API_KEY" else None)
    models = environment.get_valid_models()
    assert models and "claude-sonnet-4-5" in models
    assert "gpt-4o" not in models


def test_get_valid_models_is_empty_without_keys(monkeypatch):
    monkeypatch.setattr(environment, "env_value", lambda name: None)
    assert environment.get_valid_models() == []


def test_check_valid_key_is_true_when_the_call_succeeds_and_false_when_it_fails(monkeypatch):
    import litellm.calls.pipeline as pipeline

    seen = {}

    def fake_completion(**kwargs):
        seen.update(kwargs)
        if kwargs["api_key"] != "good":
            raise RuntimeError("401")
        return object()

    monkeypatch.setattr(pipeline, "completion", fake_completion)
    assert pipeline.check_valid_key("gpt-4o", "good") is True
    assert seen["max_tokens"] == 1 and seen["model"] == "gpt-4o"
    assert pipeline.check_valid_key("gpt-4o", "bad") is False
