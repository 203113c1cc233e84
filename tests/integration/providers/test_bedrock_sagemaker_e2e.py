"""SageMaker through the pipeline against the fake provider's SageMaker runtime: SigV4 for service
'sagemaker' verified over the bytes received, TGI and OpenAI bodies, PayloadPart event streams whose
container lines are cut at arbitrary points, embeddings."""

from __future__ import annotations

import pytest

from litellm.calls.pipeline import acompletion, completion, embedding
from litellm.core import exceptions
from litellm.fake_provider.wire_bedrock import VERIFIED_ACCESS_KEY, VERIFIED_SECRET_KEY

pytestmark = pytest.mark.integration

MSGS = [{"role": "user", "content": "hello"}]
REPLY = "Hello from the fake provider! This reply is deterministic."


@pytest.fixture
def aws(fake_url):
    return {
        "api_base": fake_url,
        "aws_access_key_id": VERIFIED_ACCESS_KEY,
        "aws_secret_access_key": VERIFIED_SECRET_KEY,
        "aws_region_name": "us-west-2",
    }


def test_tgi_endpoint_signed_round_trip(fake_provider, aws):
    response = completion("sagemaker/my-tgi-endpoint", messages=MSGS, max_tokens=20, **aws)
    assert response.choices[0].message.content == REPLY
    sent = fake_provider.requests[-1]
    assert sent["path"] == "/endpoints/my-tgi-endpoint/invocations"
    assert sent["json"] == {"inputs": "hello", "parameters": {"max_new_tokens": 20}}
    assert "/us-west-2/sagemaker/aws4_request" in sent["headers"]["authorization"]


def test_tgi_stream_reassembles_lines_split_across_payload_parts(aws):
    chunks = list(completion("sagemaker/my-tgi-endpoint", messages=MSGS, stream=True, **aws))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == REPLY
    assert chunks[-1].choices[0].finish_reason == "stop"


async def test_chat_endpoint_async_stream(fake_provider, aws):
    stream = await acompletion("sagemaker_chat/my-vllm", messages=MSGS, stream=True, **aws)
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text == REPLY
    assert fake_provider.requests[-1]["path"] == "/endpoints/my-vllm/invocations-response-stream"


def test_chat_endpoint_plain(aws):
    response = completion("sagemaker_chat/my-vllm", messages=MSGS, **aws)
    assert response.choices[0].message.content == REPLY and response.usage.prompt_tokens > 0


def test_wrong_secret_is_an_authentication_error(fake_url):
    with pytest.raises(exceptions.AuthenticationError):
        completion(
            "sagemaker/ep",
            messages=MSGS,
            api_base=fake_url,
            aws_access_key_id=VERIFIED_ACCESS_KEY,
            aws_secret_access_key="wrong",
            aws_region_name="us-west-2",
        )


def test_throttling_maps_to_rate_limit(aws):
    with pytest.raises(exceptions.RateLimitError):
        completion("sagemaker/ep", messages=MSGS, extra_headers={"x-fake-error": "429"}, num_retries=0, **aws)


def test_embedding_endpoint(aws):
    result = embedding("sagemaker/hf-embed", input=["a", "b"], **aws)
    assert [d["index"] for d in result.data] == [0, 1]
