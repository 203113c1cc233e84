"""watsonx adapter against wire fixtures: chat / text generation / deployment / embedding requests,
project and space scope, auth choice (IAM key, ready token, ZenApiKey), replies, SSE streams, errors,
and the IAM token cache (one exchange per expiry)."""

from __future__ import annotations

import threading

import pytest

from litellm.providers.auth import ibm
from litellm.providers.auth.ibm import IAMTokenAuth, StaticAuth
from litellm.providers.base import Credentials
from litellm.providers.watsonx import WatsonxAdapter
from tests.unit.providers.conftest import joined_content, load_json, replay

URL = "https://us-south.ml.cloud.ibm.com"
MSGS = [{"role": "user", "content": "Why is the sky blue?"}]
WX_ENV = (
    "WATSONX_PROJECT_ID", "WX_PROJECT_ID", "PROJECT_ID", "WATSONX_SPACE_ID", "WATSONX_DEPLOYMENT_SPACE_ID",
    "WX_SPACE_ID", "SPACE_ID", "WATSONX_TOKEN", "WATSONX_ZENAPIKEY", "WATSONX_IAM_URL", "WATSONX_REGION",
    "WX_REGION", "WATSONX_APIKEY", "WATSONX_API_KEY", "WX_API_KEY", "IBM_WATSONX_API_KEY", "WATSONX_URL",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in WX_ENV:
        monkeypatch.delenv(name, raising=False)
    ibm.clear_token_cache()
    yield
    ibm.clear_token_cache()


@pytest.fixture
def creds():
    return Credentials(api_key="ibm-cloud-key", api_base=URL)


def test_chat_request(creds):
    adapter = WatsonxAdapter("watsonx")
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    req = adapter.build_request(
        "ibm/granite-3-8b-instruct",
        MSGS,
        {
            "project_id": "proj-1",
            "max_completion_tokens": 100,
            "tools": tools,
            "tool_choice": "required",
            "temperature": 0.3,
        },
        creds,
        stream=False,
    )
    assert req.url == f"{URL}/ml/v1/text/chat?version=2024-03-13"
    assert req.body == {
        "messages": MSGS,
        "max_tokens": 100,
        "tool_choice_option": "required",
        "tools": tools,
        "temperature": 0.3,
        "model_id": "ibm/granite-3-8b-instruct",
        "project_id": "proj-1",
    }
    assert isinstance(req.auth, IAMTokenAuth) and "ibm-cloud-key" not in repr(req.auth)
    named = adapter.build_request(
        "m",
        MSGS,
        {"project_id": "p", "tool_choice": {"type": "function", "function": {"name": "f"}}},
        creds,
        stream=True,
    )
    assert named.body["tool_choice"] == {"type": "function", "function": {"name": "f"}}
    assert named.url == f"{URL}/ml/v1/text/chat_stream?version=2024-03-13"


def test_scope_from_env_and_missing_scope(creds, monkeypatch):
    adapter = WatsonxAdapter()
    monkeypatch.setenv("WATSONX_SPACE_ID", "space-9")
    assert adapter.build_request("m", MSGS, {}, creds, stream=False).body["space_id"] == "space-9"
    monkeypatch.setenv("WX_PROJECT_ID", "proj-env")
    body = adapter.build_request("m", MSGS, {}, creds, stream=False).body
    assert body["project_id"] == "proj-env" and "space_id" not in body
    monkeypatch.delenv("WATSONX_SPACE_ID")
    monkeypatch.delenv("WX_PROJECT_ID")
    from litellm.core.exceptions import AuthenticationError

    with pytest.raises(AuthenticationError, match="WATSONX_PROJECT_ID"):
        adapter.build_request("m", MSGS, {}, creds, stream=False)


def test_deployment_url_has_no_model_id(creds):
    req = WatsonxAdapter().build_request("deployment/dep-123", MSGS, {}, creds, stream=False)
    assert req.url == f"{URL}/ml/v1/deployments/dep-123/text/chat?version=2024-03-13"
    assert "model_id" not in req.body and "project_id" not in req.body


def test_text_generation_body(creds):
    req = WatsonxAdapter("watsonx_text").build_request(
        "ibm/granite-13b-instruct-v2",
        MSGS,
        {
            "project_id": "p",
            "max_tokens": 20,
            "stop": "\n",
            "seed": 7,
            "temperature": 0.5,
            "api_version": "2025-01-01",
        },
        creds,
        stream=True,
    )
    assert req.url == f"{URL}/ml/v1/text/generation_stream?version=2025-01-01"
    assert req.body == {
        "input": "Why is the sky blue?",
        "parameters": {
            "max_new_tokens": 20,
            "stop_sequences": ["\n"],
            "random_seed": 7,
            "temperature": 0.5,
            "decoding_method": "sample",
        },
        "model_id": "ibm/granite-13b-instruct-v2",
        "project_id": "p",
    }


def test_auth_choice(creds, monkeypatch):
    adapter = WatsonxAdapter()
    req = adapter.build_request("m", MSGS, {"project_id": "p", "token": "ready-token"}, creds, stream=False)
    assert isinstance(req.auth, StaticAuth)
    assert req.auth.apply("POST", req.url, {}, b"") == {"Authorization": "Bearer ready-token"}
    assert "ready-token" not in repr(req.auth) and "token" not in req.body
    monkeypatch.setenv("WATSONX_ZENAPIKEY", "zen-key")
    req = adapter.build_request("m", MSGS, {"project_id": "p"}, Credentials(api_base=URL), stream=False)
    assert req.auth.apply("POST", req.url, {}, b"") == {"Authorization": "ZenApiKey zen-key"}
    monkeypatch.delenv("WATSONX_ZENAPIKEY")
    assert adapter.missing_credentials(Credentials()) == ["WATSONX_URL", "WATSONX_APIKEY"]
    monkeypatch.setenv("WATSONX_REGION", "eu-de")
    assert adapter.build_request(
        "m", MSGS, {"project_id": "p"}, Credentials(api_key="k"), stream=False
    ).url.startswith("https://eu-de.ml.cloud.ibm.com/ml/v1/text/chat")


def test_chat_reply_with_tool_calls():
    out = WatsonxAdapter().parse_response("ibm/granite-3-8b-instruct", load_json("watsonx", "chat.json"))
    assert out["object"] == "chat.completion" and out["model"] == "ibm/granite-3-8b-instruct"
    assert out["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_weather"
    assert out["choices"][0]["finish_reason"] == "tool_calls"
    assert out["usage"] == {"completion_tokens": 18, "prompt_tokens": 210, "total_tokens": 228}
    assert "model_id" not in out and "created_at" not in out


def test_chat_stream():
    chunks = replay(WatsonxAdapter(), "ibm/granite-3-8b-instruct", "watsonx", "chat_stream.txt")
    assert joined_content(chunks) == "Hello there"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["usage"]["total_tokens"] == 15
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}


def test_text_generation_reply_and_stream():
    adapter = WatsonxAdapter("watsonx_text")
    out = adapter.parse_response("ibm/granite-13b-instruct-v2", load_json("watsonx", "generation.json"))
    assert out["choices"][0]["message"]["content"] == "Rayleigh scattering."
    assert out["usage"] == {"prompt_tokens": 9, "completion_tokens": 6, "total_tokens": 15}
    chunks = replay(adapter, "ibm/granite-13b-instruct-v2", "watsonx", "generation_stream.txt")
    assert joined_content(chunks) == "Rayleigh."
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"
    assert chunks[-1]["usage"]["prompt_tokens"] == 9


def test_stream_error_event():
    from litellm.providers.base import StreamErrorEvent

    state = WatsonxAdapter().new_stream_state("m")
    with pytest.raises(StreamErrorEvent) as info:
        WatsonxAdapter().parse_stream_event(
            state, "error", '{"errors":[{"code":"token_quota_reached","message":"quota"}],"status_code":429}'
        )
    assert info.value.status_code == 429


@pytest.mark.parametrize(
    "case", load_json("watsonx", "errors.json"), ids=lambda c: c["body"]["errors"][0]["code"]
)
def test_errors(case):
    info = WatsonxAdapter().classify_error(case["status"], case["body"], {})
    assert info.kind == case["kind"]
    assert info.message == case["body"]["errors"][0]["message"]


def test_embeddings(creds):
    adapter = WatsonxAdapter()
    req = adapter.build_embedding_request(
        "ibm/slate-125m-english-rtrvr", ["a", "b"], {"project_id": "p"}, creds
    )
    assert req.url == f"{URL}/ml/v1/text/embeddings?version=2024-03-13"
    assert req.body == {"inputs": ["a", "b"], "model_id": "ibm/slate-125m-english-rtrvr", "project_id": "p"}
    out = adapter.parse_embedding_response(
        "ibm/slate-125m-english-rtrvr", load_json("watsonx", "embeddings.json")
    )
    assert [d["index"] for d in out["data"]] == [0, 1] and out["usage"]["prompt_tokens"] == 10


def test_iam_token_is_exchanged_once_per_expiry(monkeypatch):
    calls = []
    now = [1000.0]
    monkeypatch.setattr(ibm.time, "time", lambda: now[0])

    def exchange(self):
        calls.append(1)
        return f"token-{len(calls)}", now[0] + 3600

    monkeypatch.setattr(IAMTokenAuth, "_exchange", exchange)
    auth = IAMTokenAuth("key-a", "https://iam.test/identity/token")
    threads = [threading.Thread(target=auth.apply, args=("POST", "u", {}, b"")) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert auth.apply("POST", "u", {}, b"") == {"Authorization": "Bearer token-1"}
    # another instance with the same key shares the cache
    assert IAMTokenAuth("key-a", "https://iam.test/identity/token").token() == "token-1"
    now[0] += 3600 - 30  # inside the 60 s margin: refreshed once
    assert auth.token() == "token-2" and auth.token() == "token-2" and len(calls) == 2
    assert IAMTokenAuth("key-b", "https://iam.test/identity/token").token() == "token-3"


async def test_iam_async_apply_uses_the_cache(monkeypatch):
    calls = []

    def exchange(self):
        calls.append(1)
        return "tok", 10**10

    monkeypatch.setattr(IAMTokenAuth, "_exchange", exchange)
    auth = IAMTokenAuth("key-c")
    assert await auth.aapply("POST", "u", {}, b"") == {"Authorization": "Bearer tok"}
    assert await auth.aapply("POST", "u", {}, b"") == {"Authorization": "Bearer tok"}
    assert len(calls) == 1
