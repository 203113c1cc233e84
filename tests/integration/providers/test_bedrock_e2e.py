"""Bedrock through litellm.completion / acompletion / embedding against the fake provider's Bedrock wire.

The fake provider recomputes the SigV4 signature of every request signed with its verified test key, so
these tests prove the pipeline sends exactly the bytes and headers the adapter's auth signed; streams
arrive as real ``application/vnd.amazon.eventstream`` frames with CRCs.
"""

from __future__ import annotations

import pytest

from litellm.calls.pipeline import acompletion, aembedding, completion, embedding
from litellm.core import exceptions
from litellm.fake_provider.wire_bedrock import VERIFIED_ACCESS_KEY, VERIFIED_SECRET_KEY

pytestmark = pytest.mark.integration

CLAUDE = "us.anthropic.claude-3-5-sonnet-20241022-v2:0"
MSGS = [{"role": "user", "content": "hello"}]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("AWS_BEARER_TOKEN_BEDROCK", "AWS_SESSION_TOKEN", "AWS_PROFILE_NAME", "AWS_ROLE_NAME"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def aws(fake_url):
    return {
        "api_base": fake_url,
        "aws_access_key_id": VERIFIED_ACCESS_KEY,
        "aws_secret_access_key": VERIFIED_SECRET_KEY,
        "aws_region_name": "us-east-1",
    }


def _last(fake_provider):
    return fake_provider.requests[-1]


def test_converse_signed_round_trip_priced(fake_provider, aws):
    response = completion(f"bedrock/{CLAUDE}", messages=MSGS, max_tokens=50, **aws)
    assert response.choices[0].message.content == "Hello from the fake provider! This reply is deterministic."
    assert response.choices[0].finish_reason == "stop"
    sent = _last(fake_provider)
    assert sent["path"] == f"/model/{CLAUDE}/converse"
    assert sent["json"]["inferenceConfig"] == {"maxTokens": 50}
    assert sent["headers"]["authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={VERIFIED_ACCESS_KEY}/")
    assert VERIFIED_SECRET_KEY not in str(sent)
    assert response._hidden_params["response_cost"] > 0


def test_wrong_secret_is_refused_by_signature_check(fake_url):
    with pytest.raises(exceptions.AuthenticationError, match="signature"):
        completion(
            f"bedrock/{CLAUDE}",
            messages=MSGS,
            api_base=fake_url,
            aws_access_key_id=VERIFIED_ACCESS_KEY,
            aws_secret_access_key="not-the-secret",
            aws_region_name="us-east-1",
        )


def test_session_token_is_signed_and_sent(fake_provider, aws):
    completion(f"bedrock/{CLAUDE}", messages=MSGS, aws_session_token="FwoGZXIvYXdzEXAMPLE", **aws)
    headers = _last(fake_provider)["headers"]
    assert headers["x-amz-security-token"] == "FwoGZXIvYXdzEXAMPLE"
    assert "x-amz-security-token" in headers["authorization"]


def test_bearer_api_key_from_env(fake_provider, fake_url, monkeypatch):
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-fake")
    response = completion(f"bedrock/{CLAUDE}", messages=MSGS, api_base=fake_url, aws_region_name="us-east-1")
    assert response.choices[0].message.content
    assert _last(fake_provider)["headers"]["authorization"] == "Bearer bedrock-api-key-fake"


def test_stream_of_eventstream_frames_with_usage(fake_provider, aws):
    chunks = list(completion(f"bedrock/converse/{CLAUDE}", messages=MSGS, stream=True, **aws))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hello from the fake provider! This reply is deterministic."
    assert _last(fake_provider)["path"].endswith("/converse-stream")
    assert chunks[-1].choices[0].finish_reason == "stop"


async def test_async_stream_and_tools(fake_provider, aws):
    stream = await acompletion(
        f"bedrock/{CLAUDE}", messages=MSGS, tools=[WEATHER], tool_choice="required", stream=True, **aws
    )
    calls = {}
    finish = None
    async for chunk in stream:
        for choice in chunk.choices:
            for call in choice.delta.tool_calls or ():
                entry = calls.setdefault(call.index, {"name": None, "args": ""})
                entry["name"] = call.function.name or entry["name"]
                entry["args"] += call.function.arguments or ""
            finish = choice.finish_reason or finish
    assert calls[0]["name"] == "get_weather" and '"city"' in calls[0]["args"]
    assert finish == "tool_calls"
    assert _last(fake_provider)["json"]["toolConfig"]["toolChoice"] == {"any": {}}


async def test_async_converse_tool_call(aws):
    response = await acompletion(
        f"bedrock/{CLAUDE}",
        messages=MSGS,
        tools=[WEATHER],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
        **aws,
    )
    call = response.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather" and response.choices[0].finish_reason == "tool_calls"


def test_prompt_cache_write_then_read_is_reported(aws):
    messages = [
        {"role": "system", "content": "A long system prompt " * 50, "cache_control": {"type": "ephemeral"}},
        {"role": "user", "content": "hello"},
    ]
    first = completion(f"bedrock/{CLAUDE}", messages=messages, **aws)
    second = completion(f"bedrock/{CLAUDE}", messages=messages, **aws)
    assert first.usage.cache_creation_input_tokens > 0 and first.usage.cache_read_input_tokens == 0
    assert second.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    assert second._hidden_params["response_cost"] < first._hidden_params["response_cost"]


def test_invoke_anthropic_body_plain_and_streamed(fake_provider, aws):
    model = "bedrock/invoke/anthropic.claude-3-5-sonnet-20241022-v2:0"
    response = completion(model, messages=MSGS, **aws)
    assert response.choices[0].message.content.startswith("Hello from the fake provider")
    assert _last(fake_provider)["json"]["anthropic_version"] == "bedrock-2023-05-31"
    chunks = list(completion(model, messages=MSGS, stream=True, **aws))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices).startswith("Hello from")
    assert _last(fake_provider)["path"].endswith("/invoke-with-response-stream")


@pytest.mark.parametrize(
    "status,kind",
    [
        ("429", exceptions.RateLimitError),
        ("403", exceptions.PermissionDeniedError),
        ("context_window", exceptions.ContextWindowExceededError),
        ("404", exceptions.NotFoundError),
    ],
)
def test_errors_by_amzn_error_type(aws, status, kind):
    with pytest.raises(kind):
        completion(
            f"bedrock/{CLAUDE}", messages=MSGS, extra_headers={"x-fake-error": status}, num_retries=0, **aws
        )


def test_mid_stream_exception_frame_raises_mapped_error(aws):
    stream = completion(
        f"bedrock/{CLAUDE}",
        messages=MSGS,
        stream=True,
        extra_headers={"x-fake-stream-error-after": "3"},
        **aws,
    )
    with pytest.raises(exceptions.InternalServerError):
        for _chunk in stream:
            pass


def test_throttling_is_retried_then_succeeds(fake_provider, aws, fake_key):
    response = completion(
        f"bedrock/{CLAUDE}",
        messages=MSGS,
        num_retries=2,
        extra_headers={
            "x-fake-error": "429",
            "x-fake-fail-times": "1",
            "x-fake-key": fake_key,
            "x-fake-retry-after-ms": "1",
        },
        **aws,
    )
    assert response.choices[0].message.content
    attempts = [r for r in fake_provider.requests if r["headers"].get("x-fake-key") == fake_key]
    assert len(attempts) == 2
    # each attempt is signed afresh (a signature covers its time)
    assert all(a["headers"]["authorization"].startswith("AWS4-HMAC-SHA256") for a in attempts)


def test_missing_credentials_name_what_to_set(fake_url, monkeypatch):
    from litellm.providers.auth import aws as aws_auth

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)

    class NoChain:
        def get_credentials(self):
            return None

    monkeypatch.setattr(aws_auth, "_botocore_session", lambda profile=None: NoChain())
    with pytest.raises(exceptions.AuthenticationError, match="AWS_ACCESS_KEY_ID"):
        completion(f"bedrock/{CLAUDE}", messages=MSGS, api_base=fake_url, aws_region_name="us-east-1")


def test_titan_and_cohere_embeddings(fake_provider, aws):
    titan = embedding("bedrock/amazon.titan-embed-text-v2:0", input="hello world", dimensions=8, **aws)
    assert len(titan.data[0]["embedding"]) == 8 and titan.usage.prompt_tokens > 0
    assert _last(fake_provider)["json"] == {"inputText": "hello world", "dimensions": 8}
    cohere = embedding("bedrock/cohere.embed-english-v3", input=["a", "b"], input_type="search_query", **aws)
    assert [d["index"] for d in cohere.data] == [0, 1]
    assert _last(fake_provider)["json"]["input_type"] == "search_query"


async def test_async_embedding(aws):
    result = await aembedding("bedrock/amazon.titan-embed-text-v2:0", input="hi", **aws)
    assert result.data[0]["embedding"]


def test_aws_secrets_never_reach_the_logging_payload(aws):
    import json

    from litellm.calls.pipeline import flush_callbacks

    seen = []
    completion(
        f"bedrock/{CLAUDE}",
        messages=MSGS,
        aws_session_token="SESSIONTOKENSECRET",
        success_callback=[lambda kwargs, response, start, end: seen.append(kwargs)],
        **aws,
    )
    flush_callbacks()
    blob = json.dumps(seen, default=str)
    assert seen and VERIFIED_SECRET_KEY not in blob and "SESSIONTOKENSECRET" not in blob
    assert VERIFIED_ACCESS_KEY not in blob  # the key id is masked too (its tail only)


def test_image_generation_nova_canvas_priced_per_image(fake_provider, aws):
    from litellm.calls.images import image_generation

    result = image_generation(
        "a red fox", model="bedrock/amazon.nova-canvas-v1:0", n=2, size="1024x1024", **aws
    )
    assert len(result.data) == 2 and result.data[0].b64_json
    sent = fake_provider.requests[-1]
    assert sent["path"] == "/model/amazon.nova-canvas-v1:0/invoke"
    assert sent["json"]["imageGenerationConfig"]["numberOfImages"] == 2
    assert result._hidden_params["response_cost"] == pytest.approx(2 * 0.06)


async def test_image_generation_async_stability_and_content_filter(aws):
    from litellm.calls.images import aimage_generation

    result = await aimage_generation("a red fox", model="bedrock/stability.sd3-5-large-v1:0", **aws)
    assert len(result.data) == 1
    with pytest.raises(exceptions.ContentPolicyViolationError):
        await aimage_generation("[fake:blocked] fox", model="bedrock/stability.sd3-5-large-v1:0", **aws)
