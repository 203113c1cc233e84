"""Azure OpenAI: deployment URL and api-version, api-key vs Azure AD auth, filters, errors."""

from __future__ import annotations

import pytest

from litellm.providers.azure import DEFAULT_API_VERSION
from litellm.providers.base import Credentials
from litellm.providers.registry import get_adapter

from .conftest import joined_content, load_json, replay

BASE = "https://my-resource.openai.azure.com"


def _request(creds, model="my-gpt4o", params=None, stream=False):
    return get_adapter("azure").build_request(
        model, [{"role": "user", "content": "hi"}], dict(params or {}), creds, stream=stream
    )


def test_url_is_the_deployment_path_with_the_given_api_version():
    request = _request(Credentials(api_key="az-key", api_base=BASE + "/", api_version="2024-10-21"))
    assert request.url == f"{BASE}/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21"
    assert request.body["model"] == "my-gpt4o"


def test_default_api_version_is_litellms():
    request = _request(Credentials(api_key="az-key", api_base=BASE))
    assert request.url.endswith(f"?api-version={DEFAULT_API_VERSION}")
    assert DEFAULT_API_VERSION == "2025-02-01-preview"


def test_api_key_goes_in_the_api_key_header_not_authorization():
    headers = _request(Credentials(api_key="az-key", api_base=BASE)).headers
    assert headers["api-key"] == "az-key"
    assert "Authorization" not in headers


def test_azure_ad_token_is_sent_as_bearer_when_there_is_no_key():
    headers = _request(Credentials(api_base=BASE, azure_ad_token="eyJ0eXAi")).headers
    assert headers["Authorization"] == "Bearer eyJ0eXAi"
    assert "api-key" not in headers


def test_a_full_deployment_base_is_not_doubled():
    creds = Credentials(api_key="k", api_base=f"{BASE}/openai/deployments/dep1", api_version="2024-10-21")
    assert _request(creds).url == f"{BASE}/openai/deployments/dep1/chat/completions?api-version=2024-10-21"


def test_missing_api_base_raises_naming_azure_api_base():
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError, match="AZURE_API_BASE"):
        _request(Credentials(api_key="k"))


def test_missing_credentials_name_base_and_key_but_accept_an_ad_token():
    adapter = get_adapter("azure")
    assert adapter.missing_credentials(Credentials()) == ["AZURE_API_BASE", "AZURE_API_KEY"]
    assert adapter.missing_credentials(Credentials(api_base=BASE, azure_ad_token="t")) == []


def test_env_var_names_match_litellm():
    adapter = get_adapter("azure")
    assert adapter.api_key_env == "AZURE_API_KEY"
    assert adapter.api_base_env == "AZURE_API_BASE"
    assert adapter.api_version_env == "AZURE_API_VERSION"
    assert adapter.ad_token_env == "AZURE_AD_TOKEN"
    assert "AZURE_OPENAI_API_KEY" in adapter.api_key_env_fallbacks


def test_reasoning_deployment_named_like_an_o_series_model_gets_max_completion_tokens():
    body = _request(Credentials(api_key="k", api_base=BASE), model="o3-mini", params={"max_tokens": 5}).body
    assert body["max_completion_tokens"] == 5


def test_response_with_content_filter_results_passes_through():
    out = get_adapter("azure").parse_response("my-gpt4o", load_json("azure", "chat_completion.json"))
    assert out["choices"][0]["message"]["content"].startswith("Yes")
    assert out["prompt_filter_results"][0]["prompt_index"] == 0
    assert out["usage"]["total_tokens"] == 37


def test_stream_skips_filter_only_chunks_and_keeps_content_finish_and_usage():
    chunks = replay(get_adapter("azure"), "my-gpt4o", "azure", "stream.sse")
    assert joined_content(chunks) == "Color"
    assert [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]] == [None, None, "stop"]
    assert chunks[-1]["usage"]["completion_tokens"] == 2
    assert all(c["id"] == "chatcmpl-AEa7dStream" for c in chunks)


@pytest.mark.parametrize("case", load_json("azure", "errors.json"), ids=lambda c: c["name"])
def test_azure_error_bodies_map_to_the_expected_exception_kind(case):
    info = get_adapter("azure").classify_error(case["status"], case["body"], {})
    assert info.kind == case["kind"]
    assert info.message
