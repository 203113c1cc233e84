"""Long-tail providers through the pipeline against the fake provider's OpenAI route: Mistral's wire
rules reach the server (tool-call ids, names, random_seed), streamed and async; per-account rows
(Cloudflare, Snowflake) built from their account env vars reach the URL they name."""

from __future__ import annotations

import asyncio

import pytest

from litellm.calls.pipeline import acompletion, completion

pytestmark = pytest.mark.integration

HISTORY = [
    {"role": "user", "content": "weather in Paris?", "name": "alice"},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "toolu_01A09q90qw90lq917835lq9",
                "type": "function",
                "function": {"name": "w", "arguments": "{}"},
            }
        ],
    },
    {"role": "tool", "tool_call_id": "toolu_01A09q90qw90lq917835lq9", "content": "sunny"},
]


def test_mistral_history_from_another_provider_is_sent_in_mistrals_terms(fake_provider, fake_url):
    response = completion("mistral/mistral-large-latest", HISTORY, api_base=fake_url, api_key="m-key", seed=1)
    assert response.choices[0].message.content
    sent = fake_provider.requests[-1]
    assert sent["path"] == "/v1/chat/completions"
    body = sent["json"]
    call_id = body["messages"][1]["tool_calls"][0]["id"]
    assert len(call_id) == 9 and call_id.isalnum() and body["messages"][2]["tool_call_id"] == call_id
    assert "name" not in body["messages"][0] and body["random_seed"] == 1
    assert response._hidden_params["response_cost"] > 0


def test_mistral_stream_and_async(fake_url):
    chunks = list(
        completion("mistral/mistral-small-latest", HISTORY, api_base=fake_url, api_key="k", stream=True)
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)

    async def run():
        return await acompletion(
            "mistral/magistral-medium-latest",
            HISTORY,
            api_base=fake_url,
            api_key="k",
            reasoning_effort="high",
        )

    assert asyncio.run(run()).choices[0].message.content


@pytest.mark.parametrize(
    "provider,account_env,key_env,path",
    [
        (
            "cloudflare",
            "CLOUDFARE_ACCOUNT_ID",
            "CLOUDFARE_API_KEY",
            "/client/v4/accounts/acc-9/ai/v1/chat/completions",
        ),
        ("snowflake", "SNOWFLAKE_ACCOUNT_ID", "SNOWFLAKE_JWT", None),
    ],
)
def test_per_account_rows_resolve_their_base_from_env(monkeypatch, provider, account_env, key_env, path):
    from litellm.providers.environment import credentials_from_env
    from litellm.providers.registry import get_adapter

    for name in ("CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_API_BASE", "CLOUDFARE_API_BASE", "SNOWFLAKE_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(account_env, "acc-9")
    monkeypatch.setenv(key_env, "secret-token")
    adapter = get_adapter(provider)
    creds = credentials_from_env(adapter)
    url = adapter.build_request("m", [{"role": "user", "content": "x"}], {}, creds, stream=False).url
    if path:
        assert url == "https://api.cloudflare.com" + path
    else:
        assert url == "https://acc-9.snowflakecomputing.com/api/v2/cortex/v1/chat/completions"


def test_an_explicit_base_serves_a_per_account_row_end_to_end(fake_provider, fake_url):
    response = completion(
        "cloudflare/@cf/meta/llama-3.1-8b-instruct",
        [{"role": "user", "content": "hi"}],
        api_base=fake_url + "/v1",
        api_key="cf",
    )
    assert response.choices[0].message.content
    assert fake_provider.requests[-1]["json"]["model"] == "@cf/meta/llama-3.1-8b-instruct"


def test_nlp_cloud_generation_priced_from_the_map(fake_provider, fake_url):
    response = completion(
        "nlp_cloud/chatdolphin",
        [{"role": "user", "content": "hello there"}],
        api_base=fake_url + "/v1/gpu",
        api_key="nlp",
        max_tokens=3,
    )
    assert len(response.choices[0].message.content.split()) == 3
    assert response.usage.completion_tokens == 3
    assert response._hidden_params["response_cost"] == pytest.approx(
        5e-07 * (response.usage.prompt_tokens + 3)
    )
    assert fake_provider.requests[-1]["path"] == "/v1/gpu/chatdolphin/generation"

    async def run():
        return await acompletion(
            "nlp_cloud/dolphin",
            [{"role": "user", "content": "x"}],
            api_base=fake_url + "/v1/gpu",
            api_key="nlp",
        )

    assert asyncio.run(run()).choices[0].message.content


def test_nlp_cloud_bad_token(fake_url):
    from litellm.core.exceptions import AuthenticationError

    with pytest.raises(AuthenticationError, match="Invalid token"):
        completion(
            "nlp_cloud/dolphin",
            [{"role": "user", "content": "x"}],
            api_base=fake_url + "/v1/gpu",
            api_key="invalid",
        )


def test_aleph_alpha_complete_end_to_end(fake_provider, fake_url):
    from litellm.core.exceptions import AuthenticationError

    response = completion(
        "aleph_alpha/luminous-base",
        [{"role": "user", "content": "hi"}],
        api_base=fake_url,
        api_key="aa",
        max_tokens=2,
        n=2,
    )
    assert len(response.choices) == 2 and response.choices[0].finish_reason == "length"
    assert response.usage.completion_tokens == 4
    assert fake_provider.requests[-1]["json"]["maximum_tokens"] == 2
    with pytest.raises(AuthenticationError):
        completion(
            "aleph_alpha/luminous-base",
            [{"role": "user", "content": "hi"}],
            api_base=fake_url,
            api_key="invalid",
        )


def test_petals_server_end_to_end(monkeypatch, fake_provider, fake_url):
    monkeypatch.delenv("PETALS_API_BASE", raising=False)
    from litellm.core.exceptions import APIResponseValidationError, AuthenticationError
    from litellm.providers.base import Credentials
    from litellm.providers.registry import get_adapter

    response = completion(
        "petals/petals-team/StableBeluga2",
        [{"role": "user", "content": "hi"}],
        api_base=fake_url + "/api/v1/generate",
        max_tokens=3,
        temperature=0.5,
    )
    assert len(response.choices[0].message.content.split()) == 3
    sent = fake_provider.requests[-1]["json"]
    assert sent == {
        "model": "petals-team/StableBeluga2",
        "inputs": "hi",
        "max_new_tokens": "3",
        "temperature": "0.5",
    }
    req = get_adapter("petals").build_request(
        "m",
        [{"role": "user", "content": "x"}],
        {},
        Credentials(api_base="http://p/api/v1/generate"),
        stream=False,
    )
    assert req.content == b"model=m&inputs=x&max_new_tokens=256"
    with pytest.raises(AuthenticationError, match="PETALS_API_BASE"):
        completion("petals/m", [{"role": "user", "content": "x"}])
    with pytest.raises(APIResponseValidationError, match="Petals server error"):
        completion("petals/m", [{"role": "user", "content": ""}], api_base=fake_url + "/api/v1/generate")
