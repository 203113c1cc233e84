"""The long-tail OpenAI-compatible rows (AI21, Xinference, Infinity, Baseten, Cloudflare, Snowflake,
Azure AI Foundry, Voyage, Jina, Volcano Engine, Galadriel): URLs, bearer auth, env var names (including
the seed's CLOUDFARE_ spellings), param rules, and the error naming what to set."""

from __future__ import annotations

import pytest

from litellm.providers.base import Credentials
from litellm.providers.environment import credentials_from_env, missing_credentials
from litellm.providers.registry import get_adapter

MSGS = [{"role": "user", "content": "hi"}]

ROWS = [
    ("ai21_chat", "jamba-large", "https://api.ai21.com/studio/v1/chat/completions"),
    ("ai21", "jamba-mini", "https://api.ai21.com/studio/v1/chat/completions"),
    ("xinference", "qwen2.5-instruct", "http://127.0.0.1:9997/v1/chat/completions"),
    ("baseten", "deepseek-ai/DeepSeek-V3-0324", "https://inference.baseten.co/v1/chat/completions"),
    ("galadriel", "llama3.1", "https://api.galadriel.com/v1/chat/completions"),
    ("volcengine", "doubao-pro-32k", "https://ark.cn-beijing.volces.com/api/v3/chat/completions"),
    ("voyage", "voyage-3", "https://api.voyageai.com/v1/chat/completions"),
    ("jina_ai", "jina-embeddings-v3", "https://api.jina.ai/v1/chat/completions"),
]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in (
        "CLOUDFLARE_API_KEY", "CLOUDFARE_API_KEY", "CLOUDFLARE_API_BASE", "CLOUDFARE_API_BASE", "ARK_API_KEY",
        "VOLCENGINE_API_KEY", "VOYAGE_API_KEY", "VOYAGE_AI_API_KEY", "JINA_AI_API_KEY", "JINA_API_KEY",
        "AZURE_AI_API_KEY", "AZURE_AI_API_BASE", "SNOWFLAKE_JWT", "SNOWFLAKE_PAT", "SNOWFLAKE_API_BASE",
        "INFINITY_API_BASE", "INFINITY_API_KEY", "AI21_API_KEY", "XINFERENCE_API_KEY",
    ):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("provider,model,url", ROWS)
def test_row_url_and_bearer_key(provider, model, url):
    adapter = get_adapter(provider)
    creds = Credentials(api_key="k-123", api_base=adapter.default_api_base)
    req = adapter.build_request(model, MSGS, {}, creds, stream=False)
    assert req.url == url
    assert req.headers["Authorization"] == "Bearer k-123"
    assert req.body["model"] == model


def test_ai21_takes_jamba_params_and_renames_max_completion_tokens():
    adapter = get_adapter("ai21_chat")
    supported = adapter.supported_params("jamba-large")
    assert {"tools", "response_format", "max_tokens", "stop", "n", "seed", "tool_choice"} <= supported
    assert "frequency_penalty" not in supported and "presence_penalty" not in supported
    req = adapter.build_request(
        "jamba-large",
        MSGS,
        {"max_completion_tokens": 7},
        Credentials(api_key="k", api_base=adapter.default_api_base),
        stream=False,
    )
    assert req.body["max_tokens"] == 7 and "max_completion_tokens" not in req.body


def test_cloudflare_reads_the_seed_spelling_and_names_its_base(monkeypatch):
    adapter = get_adapter("cloudflare")
    monkeypatch.setenv("CLOUDFARE_API_KEY", "cf-token")
    monkeypatch.setenv("CLOUDFARE_API_BASE", "https://api.cloudflare.com/client/v4/accounts/acc123/ai/v1")
    creds = credentials_from_env(adapter, Credentials())
    assert creds.api_key == "cf-token"
    req = adapter.build_request("@cf/meta/llama-3.1-8b-instruct", MSGS, {}, creds, stream=False)
    assert req.url == "https://api.cloudflare.com/client/v4/accounts/acc123/ai/v1/chat/completions"
    assert req.body["model"] == "@cf/meta/llama-3.1-8b-instruct"
    monkeypatch.setenv("CLOUDFLARE_API_KEY", "correct-spelling")
    assert credentials_from_env(adapter, Credentials()).api_key == "correct-spelling"  # the right name wins
    assert missing_credentials(adapter, Credentials(api_key="x")) == ["CLOUDFLARE_API_BASE", "CLOUDFLARE_ACCOUNT_ID"]


@pytest.mark.parametrize(
    "provider,base_env",
    [
        ("azure_ai", "AZURE_AI_API_BASE"),
        ("snowflake", "SNOWFLAKE_API_BASE"),
        ("infinity", "INFINITY_API_BASE"),
    ],
)
def test_per_account_providers_need_a_base(provider, base_env):
    adapter = get_adapter(provider)
    assert base_env in missing_credentials(adapter, Credentials(api_key="x"))
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError, match=base_env):
        adapter.build_request("m", MSGS, {}, Credentials(api_key="x"), stream=False)


def test_azure_ai_models_endpoint():
    adapter = get_adapter("azure_ai")
    creds = Credentials(api_key="az", api_base="https://my-res.services.ai.azure.com/models")
    req = adapter.build_request("DeepSeek-R1", MSGS, {"user": "u1"}, creds, stream=True)
    assert req.url == "https://my-res.services.ai.azure.com/models/chat/completions"
    assert req.headers["Authorization"] == "Bearer az" and req.body["stream"] is True


def test_volcengine_ark_alias(monkeypatch):
    monkeypatch.setenv("ARK_API_KEY", "ark-key")
    assert credentials_from_env(get_adapter("volcengine"), Credentials()).api_key == "ark-key"


def test_infinity_and_xinference_need_no_key():
    assert (
        missing_credentials(get_adapter("xinference"), Credentials(api_base="http://127.0.0.1:9997/v1")) == []
    )
    assert missing_credentials(get_adapter("infinity"), Credentials(api_base="http://infinity:7997")) == []
