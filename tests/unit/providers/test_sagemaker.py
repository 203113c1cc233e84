"""SageMaker adapter: invocations URLs signed for service 'sagemaker', the TGI and OpenAI bodies,
PayloadPart streams whose lines are split across event-stream frames, and ModelError bodies.

Wire shapes: SageMaker Runtime API reference (InvokeEndpoint, InvokeEndpointWithResponseStream:
``PayloadPart`` events carry the container's raw bytes; errors ``ModelError`` with ``OriginalStatusCode`` /
``OriginalMessage``), and the TGI container's stream (``data:{token...}`` lines)."""

from __future__ import annotations

import json

import pytest

from litellm.core.eventstream import EventStreamDecoder, event_frame, frame_event
from litellm.providers.base import Credentials
from litellm.providers.sagemaker import SageMakerAdapter

KEYS = {"aws_access_key_id": "AKIATEST", "aws_secret_access_key": "s3cr3t", "aws_region_name": "eu-west-1"}
MSGS = [{"role": "user", "content": "Why is the sky blue?"}]


@pytest.fixture(autouse=True)
def _no_aws_env(monkeypatch):
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION_NAME",
        "AWS_REGION",
    ):
        monkeypatch.delenv(name, raising=False)


def test_tgi_body_url_and_signature():
    adapter = SageMakerAdapter("sagemaker")
    req = adapter.build_request(
        "jumpstart-dft-hf-llm-mistral-7b",
        MSGS,
        {**KEYS, "max_tokens": 64, "temperature": 0.2},
        Credentials(),
        stream=False,
    )
    assert req.url == (
        "https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/jumpstart-dft-hf-llm-mistral-7b/invocations"
    )
    assert req.body == {
        "inputs": "Why is the sky blue?",
        "parameters": {"max_new_tokens": 64, "temperature": 0.2},
    }
    signed = req.auth.apply("POST", req.url, req.headers, json.dumps(req.body).encode())
    assert "/eu-west-1/sagemaker/aws4_request" in signed["Authorization"]
    assert "s3cr3t" not in json.dumps(req.body)
    stream = adapter.build_request("ep", MSGS, dict(KEYS), Credentials(), stream=True)
    assert stream.url.endswith("/endpoints/ep/invocations-response-stream") and stream.body["stream"] is True
    assert stream.stream_format == "aws-eventstream"


def test_chat_body_is_openai():
    adapter = SageMakerAdapter("sagemaker_chat")
    req = adapter.build_request(
        "my-vllm-endpoint", MSGS, {**KEYS, "max_tokens": 10, "tools": []}, Credentials(), stream=False
    )
    assert req.body == {"model": "my-vllm-endpoint", "messages": MSGS, "max_tokens": 10, "tools": []}
    assert "tools" in adapter.supported_params("x") and "tools" not in SageMakerAdapter().supported_params(
        "x"
    )


def test_tgi_reply_list():
    out = SageMakerAdapter().parse_response("ep", [{"generated_text": "Rayleigh scattering."}])
    assert out["choices"][0]["message"]["content"] == "Rayleigh scattering."
    assert out["usage"]["completion_tokens"] > 0


def _replay(adapter, parts: list[bytes]):
    data = b"".join(
        event_frame("PayloadPart", part, content_type="application/octet-stream") for part in parts
    )
    decoder = EventStreamDecoder()
    state = adapter.new_stream_state("ep")
    chunks = []
    for i in range(0, len(data), 11):
        for frame in decoder.feed(data[i : i + 11]):
            event_type, payload, _, _ = frame_event(frame)
            chunks.extend(adapter.parse_stream_event(state, event_type, payload.decode()))
    return chunks


def test_tgi_stream_lines_split_across_payload_parts():
    lines = (
        b'data:{"token":{"text":"Ray","special":false},"details":null}\n\n'
        b'data:{"token":{"text":"leigh","special":false},"details":null}\n\n'
        b'data:{"token":{"text":"</s>","special":true},"generated_text":"Rayleigh",'
        b'"details":{"finish_reason":"eos_token","generated_tokens":3,"input_length":7}}\n\n'
    )
    parts = [lines[:17], lines[17:70], lines[70:71], lines[71:]]
    chunks = _replay(SageMakerAdapter(), parts)
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == "Rayleigh"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["usage"] == {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}


def test_a_utf8_character_cut_between_payload_parts_survives():
    line = 'data:{"token":{"text":"café ☕","special":false},"details":null}\n\n'.encode()
    cut = line.index("☕".encode()) + 1  # inside the 3-byte character
    adapter = SageMakerAdapter()
    state = adapter.new_stream_state("ep")
    chunks = []
    for part in (line[:cut], line[cut:]):
        # as a decoder hands undecodable bytes on: surrogateescape text (or the bytes themselves)
        chunks.extend(
            adapter.parse_stream_event(state, "PayloadPart", part.decode("utf-8", "surrogateescape"))
        )
    assert chunks[0]["choices"][0]["delta"]["content"] == "café ☕"
    state = adapter.new_stream_state("ep")
    assert adapter.parse_stream_event(state, "PayloadPart", line[:cut]) == []
    assert (
        adapter.parse_stream_event(state, "PayloadPart", line[cut:])[0]["choices"][0]["delta"]["content"]
        == "café ☕"
    )


def test_chat_stream_of_openai_sse_lines():
    sse = (
        b'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m",'
        b'"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}\n\n'
        b'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m",'
        b'"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'
    )
    chunks = _replay(SageMakerAdapter("sagemaker_chat"), [sse[:40], sse[40:]])
    assert [c["choices"][0]["delta"].get("content") for c in chunks] == ["Hi", None]
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


@pytest.mark.parametrize(
    "status,etype,body,kind",
    [
        (
            424,
            "ModelError",
            {
                "ErrorCode": "CLIENT_ERROR_FROM_MODEL",
                "OriginalStatusCode": 422,
                "OriginalMessage": "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 2048.",
                "Message": "Received client error (422) from primary with message ...",
            },
            "ContextWindowExceededError",
        ),
        (
            424,
            "ModelError",
            {"OriginalStatusCode": 500, "OriginalMessage": "CUDA out of memory"},
            "InternalServerError",
        ),
        (400, "ValidationError", {"message": "Endpoint my-ep of account 1 not found."}, "BadRequestError"),
        (429, "ThrottlingException", {"message": "Rate exceeded"}, "RateLimitError"),
        (
            403,
            "AccessDeniedException",
            {"message": "not authorized to perform sagemaker:InvokeEndpoint"},
            "PermissionDeniedError",
        ),
        (503, "ServiceUnavailable", {"message": "unavailable"}, "ServiceUnavailableError"),
    ],
)
def test_errors(status, etype, body, kind):
    info = SageMakerAdapter().classify_error(status, body, {"x-amzn-ErrorType": etype})
    assert info.kind == kind


def test_embeddings_body_and_reply():
    adapter = SageMakerAdapter()
    req = adapter.build_embedding_request("hf-embed-ep", "hello", dict(KEYS), Credentials())
    assert req.body == {"inputs": ["hello"]} and req.url.endswith("/endpoints/hf-embed-ep/invocations")
    out = adapter.parse_embedding_response("hf-embed-ep", {"embedding": [[0.1, 0.2], [0.3, 0.4]]})
    assert [d["embedding"] for d in out["data"]] == [[0.1, 0.2], [0.3, 0.4]]


def test_registry_routes_both_prefixes():
    from litellm.providers.registry import resolve

    assert resolve("sagemaker/ep").adapter.name == "sagemaker"
    assert resolve("sagemaker_chat/ep").adapter.name == "sagemaker_chat"
