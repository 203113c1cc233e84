"""Databricks through the pipeline against the fake provider's serving endpoints: a PAT, OAuth M2M with
the token exchanged once and reused (sync and async, streamed), refused credentials, cost."""

from __future__ import annotations

import asyncio

import pytest

from litellm.calls.pipeline import acompletion, completion, embedding

pytestmark = pytest.mark.integration
MSGS = [{"role": "user", "content": "say hi"}]


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    for name in (
        "DATABRICKS_CLIENT_ID",
        "DATABRICKS_CLIENT_SECRET",
        "DATABRICKS_API_KEY",
        "DATABRICKS_API_BASE",
    ):
        monkeypatch.delenv(name, raising=False)
    from litellm.providers.auth.databricks import clear_token_cache

    clear_token_cache()


def test_pat_chat_and_cost(fake_url):
    response = completion(
        "databricks/databricks-meta-llama-3-3-70b-instruct",
        MSGS,
        api_base=fake_url + "/serving-endpoints",
        api_key="dapi-test",
    )
    assert response.choices[0].message.content
    assert response._hidden_params["custom_llm_provider"] == "databricks"
    assert response._hidden_params["response_cost"] > 0  # databricks/ models are in the price map


def test_oauth_m2m_token_is_exchanged_once_and_reused(monkeypatch, fake_provider, fake_url):
    monkeypatch.setenv("DATABRICKS_CLIENT_ID", "sp-1")
    monkeypatch.setenv("DATABRICKS_CLIENT_SECRET", "sp-secret")
    monkeypatch.setenv("DATABRICKS_API_BASE", fake_url + "/serving-endpoints")
    for _ in range(3):
        assert completion("databricks/databricks-claude-3-7-sonnet", MSGS).choices[0].message.content

    async def run() -> list:
        stream = await acompletion("databricks/databricks-dbrx-instruct", MSGS, stream=True)
        return [chunk async for chunk in stream]

    chunks = asyncio.run(run())
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    paths = [r["path"] for r in fake_provider.requests]
    assert paths.count("/oidc/v1/token") == 1
    assert paths.count("/serving-endpoints/chat/completions") == 4
    token_request = next(r for r in fake_provider.requests if r["path"] == "/oidc/v1/token")
    assert token_request["json"] == {"grant_type": "client_credentials", "scope": "all-apis"}
    assert token_request["headers"]["authorization"].startswith("Basic ")


def test_claude_reply_blocks_reach_the_caller_as_reasoning(monkeypatch, fake_url):
    response = completion(
        "databricks/databricks-claude-3-7-sonnet",
        MSGS,
        api_base=fake_url + "/serving-endpoints",
        api_key="dapi-x",
    )
    message = response.choices[0].message
    assert isinstance(message.content, str) and message.content
    assert message.reasoning_content == "Thinking it over."


def test_refused_oauth_client_is_an_authentication_error_without_the_secret(monkeypatch, fake_url):
    from litellm.core.exceptions import AuthenticationError

    monkeypatch.setenv("DATABRICKS_CLIENT_ID", "invalid-sp")
    monkeypatch.setenv("DATABRICKS_CLIENT_SECRET", "very-secret-value")
    with pytest.raises(AuthenticationError) as info:
        completion("databricks/m", MSGS, api_base=fake_url + "/serving-endpoints")
    assert "very-secret-value" not in str(info.value)
    assert "DATABRICKS_CLIENT_ID" in str(info.value)


def test_bad_pat_is_an_authentication_error(fake_url):
    from litellm.core.exceptions import AuthenticationError

    with pytest.raises(AuthenticationError):
        completion("databricks/m", MSGS, api_base=fake_url + "/serving-endpoints", api_key="not-a-pat")


def test_missing_credentials_fail_before_any_request(fake_provider, fake_url):
    from litellm.core.exceptions import AuthenticationError

    with pytest.raises(AuthenticationError, match="DATABRICKS_CLIENT_SECRET"):
        completion("databricks/m", MSGS, api_base=fake_url + "/serving-endpoints")
    assert fake_provider.requests == []


def test_embeddings_with_oauth(monkeypatch, fake_provider, fake_url):
    monkeypatch.setenv("DATABRICKS_CLIENT_ID", "sp-2")
    monkeypatch.setenv("DATABRICKS_CLIENT_SECRET", "s")
    response = embedding(
        "databricks/databricks-bge-large-en", input=["a", "b"], api_base=fake_url + "/serving-endpoints"
    )
    assert len(response.data) == 2
    assert fake_provider.requests[-1]["path"] == "/serving-endpoints/embeddings"
