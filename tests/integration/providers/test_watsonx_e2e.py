"""watsonx through the pipeline against the fake provider's watsonx.ai and IBM IAM: the API key is
exchanged for a bearer token once and reused, chat / text generation / deployments / embeddings, sync and
async, streamed and not, errors mapped from watsonx's error body."""

from __future__ import annotations

import pytest

from litellm.calls.pipeline import acompletion, aembedding, completion, embedding
from litellm.core import exceptions
from litellm.fake_provider import wire_watsonx
from litellm.providers.auth import ibm

pytestmark = pytest.mark.integration

MSGS = [{"role": "user", "content": "hello"}]
REPLY = "Hello from the fake provider! This reply is deterministic."


@pytest.fixture(autouse=True)
def _iam(fake_url, monkeypatch):
    for name in (
        "WATSONX_TOKEN",
        "WATSONX_ZENAPIKEY",
        "WATSONX_SPACE_ID",
        "WATSONX_PROJECT_ID",
        "WX_PROJECT_ID",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WATSONX_IAM_URL", f"{fake_url}/identity/token")
    ibm.clear_token_cache()
    yield
    ibm.clear_token_cache()


@pytest.fixture
def wx(fake_url, fake_key):
    return {"api_base": fake_url, "api_key": fake_key, "project_id": "proj-test"}


def test_chat_exchanges_the_key_once(fake_provider, wx, fake_key):
    for _ in range(3):
        response = completion("watsonx/ibm/granite-3-8b-instruct", messages=MSGS, **wx)
        assert response.choices[0].message.content == REPLY
    assert wire_watsonx.IAM_EXCHANGES[wire_watsonx.fingerprint(fake_key)] == 1
    sent = fake_provider.requests[-1]
    assert sent["path"] == "/ml/v1/text/chat" and sent["query"] == {"version": "2024-03-13"}
    assert (
        sent["json"]["project_id"] == "proj-test" and sent["json"]["model_id"] == "ibm/granite-3-8b-instruct"
    )
    assert sent["headers"]["authorization"].startswith("Bearer wx-fake-token-")
    assert fake_key not in str(sent)
    assert response.usage.prompt_tokens > 0


async def test_async_chat_stream_and_tools(wx, fake_key):
    stream = await acompletion("watsonx/ibm/granite-3-8b-instruct", messages=MSGS, stream=True, **wx)
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text == REPLY
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    response = await acompletion(
        "watsonx/ibm/granite-3-8b-instruct", messages=MSGS, tools=[tool], tool_choice="required", **wx
    )
    assert response.choices[0].message.tool_calls[0].function.name == "get_weather"
    assert wire_watsonx.IAM_EXCHANGES[wire_watsonx.fingerprint(fake_key)] == 1


def test_text_generation_plain_and_streamed(fake_provider, wx):
    response = completion("watsonx_text/ibm/granite-13b-instruct-v2", messages=MSGS, max_tokens=3, **wx)
    assert response.choices[0].message.content == "Hello from the"
    assert response.choices[0].finish_reason == "length"
    assert fake_provider.requests[-1]["json"]["parameters"]["max_new_tokens"] == 3
    chunks = list(completion("watsonx_text/ibm/granite-13b-instruct-v2", messages=MSGS, stream=True, **wx))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == REPLY


def test_deployment(fake_provider, fake_url, fake_key):
    response = completion("watsonx/deployment/dep-42", messages=MSGS, api_base=fake_url, api_key=fake_key)
    assert response.choices[0].message.content == REPLY
    assert fake_provider.requests[-1]["path"] == "/ml/v1/deployments/dep-42/text/chat"


def test_invalid_key_is_an_authentication_error(fake_url):
    with pytest.raises(exceptions.AuthenticationError, match="API key could not be found"):
        completion("watsonx/m", messages=MSGS, api_base=fake_url, api_key="invalid-key", project_id="p")


def test_errors_from_the_error_body(wx):
    with pytest.raises(exceptions.ContextWindowExceededError):
        completion("watsonx/m", messages=MSGS, extra_headers={"x-fake-error": "context_window"}, **wx)
    with pytest.raises(exceptions.RateLimitError):
        completion("watsonx/m", messages=MSGS, extra_headers={"x-fake-error": "429"}, num_retries=0, **wx)


def test_missing_url_and_key_are_named(monkeypatch):
    for name in ("WATSONX_URL", "WATSONX_API_BASE", "WX_URL", "WML_URL", "WATSONX_APIKEY", "WATSONX_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(exceptions.AuthenticationError, match="WATSONX_URL or WATSONX_APIKEY"):
        completion("watsonx/m", messages=MSGS, project_id="p")


def test_embeddings_sync_and_async(wx):
    result = embedding("watsonx/ibm/slate-125m-english-rtrvr", input=["a", "b"], **wx)
    assert [d["index"] for d in result.data] == [0, 1] and result.usage.prompt_tokens > 0


async def test_embeddings_async(wx):
    result = await aembedding("watsonx/ibm/slate-125m-english-rtrvr", input="a", **wx)
    assert len(result.data) == 1
