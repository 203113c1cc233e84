"""Databricks serving endpoints: URL, PAT vs OAuth M2M auth, content-block replies (the response shape is
the one Databricks documents for reasoning models, ``tests/fixtures/databricks``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litellm.providers.base import Credentials
from litellm.providers.databricks import DatabricksAdapter, flatten_content
from litellm.providers.environment import credentials_from_env
from litellm.providers.registry import get_adapter

FIXTURES = Path(__file__).parents[2] / "fixtures" / "databricks"
MSGS = [{"role": "user", "content": "capital of France?"}]
BASE = "https://adb-1234.5.azuredatabricks.net/serving-endpoints"


@pytest.fixture(autouse=True)
def _no_oauth_env(monkeypatch):
    for name in (
        "DATABRICKS_CLIENT_ID",
        "DATABRICKS_CLIENT_SECRET",
        "DATABRICKS_API_KEY",
        "DATABRICKS_API_BASE",
    ):
        monkeypatch.delenv(name, raising=False)


def test_registry_serves_databricks_natively():
    assert isinstance(get_adapter("databricks"), DatabricksAdapter)


def test_pat_is_a_bearer_token_and_the_url_is_the_serving_endpoints_chat_path():
    req = get_adapter("databricks").build_request(
        "databricks-meta-llama-3-3-70b-instruct",
        MSGS,
        {"max_completion_tokens": 20},
        Credentials(api_key="dapi-123", api_base=BASE),
        stream=False,
    )
    assert req.url == BASE + "/chat/completions"
    assert req.headers["Authorization"] == "Bearer dapi-123" and req.auth is None
    assert req.body["model"] == "databricks-meta-llama-3-3-70b-instruct"
    assert req.body["max_tokens"] == 20


def test_a_workspace_url_gets_serving_endpoints():
    req = get_adapter("databricks").build_request(
        "m",
        MSGS,
        {},
        Credentials(api_key="dapi", api_base="https://adb-1.azuredatabricks.net/"),
        stream=False,
    )
    assert req.url == "https://adb-1.azuredatabricks.net/serving-endpoints/chat/completions"


def test_oauth_client_env_wins_and_the_token_url_is_the_workspace_oidc_endpoint(monkeypatch):
    monkeypatch.setenv("DATABRICKS_CLIENT_ID", "sp-client")
    monkeypatch.setenv("DATABRICKS_CLIENT_SECRET", "sp-secret")
    adapter = get_adapter("databricks")
    creds = Credentials(api_base=BASE)
    assert adapter.missing_credentials(creds) == []
    req = adapter.build_request("m", MSGS, {}, creds, stream=True)
    assert "Authorization" not in req.headers
    assert (
        req.auth is not None and req.auth.token_url == "https://adb-1234.5.azuredatabricks.net/oidc/v1/token"
    )
    assert "sp-secret" not in repr(req.auth)
    emb = adapter.build_embedding_request("databricks-bge-large-en", ["x"], {}, creds)
    assert emb.url == BASE + "/embeddings" and emb.auth is not None


def test_missing_credentials_name_both_ways_to_authenticate(monkeypatch):
    missing = get_adapter("databricks").missing_credentials(Credentials())
    assert missing == [
        "DATABRICKS_API_BASE",
        "DATABRICKS_API_KEY",
        "DATABRICKS_CLIENT_ID",
        "DATABRICKS_CLIENT_SECRET",
    ]
    monkeypatch.setenv("DATABRICKS_API_BASE", BASE)
    monkeypatch.setenv("DATABRICKS_API_KEY", "dapi-env")
    creds = credentials_from_env(get_adapter("databricks"), Credentials())
    assert (creds.api_base, creds.api_key) == (BASE, "dapi-env")


def test_reasoning_content_blocks_become_content_and_reasoning_content():
    data = json.loads((FIXTURES / "claude_reasoning_response.json").read_text())
    out = get_adapter("databricks").parse_response("databricks-claude-3-7-sonnet", data)
    message = out["choices"][0]["message"]
    assert message["content"] == "Paris is the capital of France."
    assert message["reasoning_content"].startswith("The user wants")
    assert message["thinking_blocks"][0]["signature"] == "ErcBCkgIAhABGAIiQM7x"


def test_streamed_reasoning_delta_has_no_text_content():
    delta = {"content": [{"type": "reasoning", "summary": [{"type": "summary_text", "text": "hm"}]}]}
    flatten_content(delta)
    assert delta["content"] is None and delta["reasoning_content"] == "hm"
    adapter = get_adapter("databricks")
    state = adapter.new_stream_state("m")
    event = {"id": "c1", "choices": [{"index": 0, "delta": {"content": [{"type": "text", "text": "Par"}]}}]}
    (chunk,) = adapter.parse_stream_event(state, None, json.dumps(event))
    assert chunk["choices"][0]["delta"]["content"] == "Par"
