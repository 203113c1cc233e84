"""Row-class features: per-account base URLs from env vars, Azure AI's api-version, Voyage's renamed
embedding params; each through the pipeline's credential resolution (``credentials_from_env``)."""

from __future__ import annotations

import pytest

from litellm.providers.base import Credentials
from litellm.providers.environment import credentials_from_env, missing_credentials
from litellm.providers.openai_compat import EmbeddingRenamesAdapter
from litellm.providers.registry import get_adapter

MSGS = [{"role": "user", "content": "hi"}]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in (
        "CLOUDFLARE_ACCOUNT_ID",
        "CLOUDFARE_ACCOUNT_ID",
        "CLOUDFLARE_API_BASE",
        "CLOUDFARE_API_BASE",
        "CLOUDFLARE_API_KEY",
        "CLOUDFARE_API_KEY",
        "SNOWFLAKE_ACCOUNT_ID",
        "SNOWFLAKE_API_BASE",
        "SNOWFLAKE_JWT",
        "SNOWFLAKE_PAT",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("account_env", ["CLOUDFLARE_ACCOUNT_ID", "CLOUDFARE_ACCOUNT_ID"])
def test_cloudflare_base_is_built_from_the_account_id(monkeypatch, account_env):
    monkeypatch.setenv(account_env, "0123abcd")
    monkeypatch.setenv("CLOUDFARE_API_KEY", "cf-token")
    adapter = get_adapter("cloudflare")
    creds = credentials_from_env(adapter, Credentials())
    assert creds.api_base == "https://api.cloudflare.com/client/v4/accounts/0123abcd/ai/v1"
    assert missing_credentials(adapter, creds) == []
    req = adapter.build_request("@cf/meta/llama-3.1-8b-instruct", MSGS, {}, creds, stream=False)
    assert req.url == "https://api.cloudflare.com/client/v4/accounts/0123abcd/ai/v1/chat/completions"
    assert req.headers["Authorization"] == "Bearer cf-token"


def test_the_correct_spelling_wins_and_an_explicit_base_beats_the_template(monkeypatch):
    monkeypatch.setenv("CLOUDFARE_ACCOUNT_ID", "seed")
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", "right")
    adapter = get_adapter("cloudflare")
    assert "/accounts/right/" in credentials_from_env(adapter, Credentials()).api_base
    given = Credentials(api_base="https://gateway.ai.cloudflare.com/v1/acc/gw/workers-ai/v1")
    assert credentials_from_env(adapter, given).api_base == given.api_base
    monkeypatch.setenv("CLOUDFLARE_API_BASE", "https://proxy.example/v1")
    assert credentials_from_env(adapter, Credentials()).api_base == "https://proxy.example/v1"


def test_without_an_account_id_the_error_names_it():
    from litellm.core.exceptions import BadRequestError

    adapter = get_adapter("cloudflare")
    creds = credentials_from_env(adapter, Credentials(api_key="k"))
    assert creds.api_base is None
    assert "CLOUDFLARE_ACCOUNT_ID" in missing_credentials(adapter, creds)
    with pytest.raises(BadRequestError, match="CLOUDFLARE_ACCOUNT_ID"):
        adapter.build_request("m", MSGS, {}, creds, stream=False)


def test_snowflake_base_from_account_and_pat_alias(monkeypatch):
    monkeypatch.setenv("SNOWFLAKE_ACCOUNT_ID", "myorg-acct1")
    monkeypatch.setenv("SNOWFLAKE_PAT", "pat-123")
    adapter = get_adapter("snowflake")
    creds = credentials_from_env(adapter, Credentials())
    req = adapter.build_request("claude-3-5-sonnet", MSGS, {"max_completion_tokens": 9}, creds, stream=False)
    assert req.url == "https://myorg-acct1.snowflakecomputing.com/api/v2/cortex/v1/chat/completions"
    assert req.headers["Authorization"] == "Bearer pat-123"
    assert req.body["max_tokens"] == 9


def test_azure_ai_services_endpoint_gets_the_models_path_and_no_version_unless_given():
    adapter = get_adapter("azure_ai")
    creds = Credentials(api_key="az", api_base="https://res.services.ai.azure.com")
    url = adapter.build_request("DeepSeek-R1", MSGS, {}, creds, stream=False).url
    assert url == "https://res.services.ai.azure.com/models/chat/completions"  # as LiteLLM sends it


def test_azure_ai_api_version_from_the_call_and_one_already_in_the_base():
    adapter = get_adapter("azure_ai")
    creds = Credentials(
        api_key="az", api_base="https://res.services.ai.azure.com/models", api_version="2025-05-01"
    )
    url = adapter.build_request("m", MSGS, {}, creds, stream=False).url
    assert url == "https://res.services.ai.azure.com/models/chat/completions?api-version=2025-05-01"
    creds = Credentials(
        api_key="az", api_base="https://res.services.ai.azure.com/models?api-version=2024-08-01"
    )
    url = adapter.build_request("m", MSGS, {}, creds, stream=False).url
    assert url == "https://res.services.ai.azure.com/models/chat/completions?api-version=2024-08-01"


def test_azure_ai_serverless_endpoint_has_no_version_unless_given():
    adapter = get_adapter("azure_ai")
    creds = Credentials(api_key="az", api_base="https://Mistral-large.eastus2.inference.ai.azure.com/v1")
    assert adapter.build_request("m", MSGS, {}, creds, stream=False).url.endswith("/v1/chat/completions")


def test_azure_ai_embeddings_keep_the_api_version():
    from litellm.providers.openai_endpoints import endpoint_url

    creds = Credentials(
        api_key="az", api_base="https://res.services.ai.azure.com/models", api_version="2024-05-01-preview"
    )
    assert endpoint_url(get_adapter("azure_ai"), "m", creds, "embeddings") == (
        "https://res.services.ai.azure.com/models/embeddings?api-version=2024-05-01-preview"
    )


def test_voyage_embedding_renames_dimensions_to_output_dimension():
    adapter = get_adapter("voyage")
    assert isinstance(adapter, EmbeddingRenamesAdapter)
    req = adapter.build_embedding_request(
        "voyage-3.5", ["a", "b"], {"dimensions": 256, "input_type": "query"}, Credentials(api_key="pa-k")
    )
    assert req.url == "https://api.voyageai.com/v1/embeddings"
    assert req.body == {
        "model": "voyage-3.5",
        "input": ["a", "b"],
        "output_dimension": 256,
        "input_type": "query",
    }
    assert req.headers["Authorization"] == "Bearer pa-k"


def test_voyage_embedding_through_the_pipeline(fake_provider, fake_url):
    """The renamed body reaches an OpenAI-shaped /embeddings server and the reply is priced."""
    from litellm.calls.pipeline import embedding

    response = embedding(
        "voyage/voyage-3.5", input=["hello"], dimensions=8, api_base=fake_url + "/v1", api_key="pa-k"
    )
    assert len(response.data) == 1
    sent = fake_provider.requests[-1]
    assert sent["json"]["output_dimension"] == 8 and "dimensions" not in sent["json"]


def test_an_account_id_cannot_change_the_host_or_path(monkeypatch):
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", "x@evil.example/steal?")
    base = credentials_from_env(get_adapter("cloudflare"), Credentials()).api_base
    assert base == "https://api.cloudflare.com/client/v4/accounts/x%40evil.example%2Fsteal%3F/ai/v1"
