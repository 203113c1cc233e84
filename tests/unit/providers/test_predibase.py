"""Predibase: URL with tenant and deployment, TGI body with LoRAX adapter params, replies and streams
(shapes from Predibase's REST reference, ``tests/fixtures/predibase``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litellm.providers.base import Credentials
from litellm.providers.registry import get_adapter

FIXTURES = Path(__file__).parents[2] / "fixtures" / "predibase"
MSGS = [{"role": "user", "content": "What is machine learning?"}]


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.delenv("PREDIBASE_TENANT_ID", raising=False)


def _build(params=None, stream=False, creds=None):
    return get_adapter("predibase").build_request(
        "llama-3-1-8b-instruct", MSGS, dict(params or {}), creds or Credentials(api_key="pb_k"), stream=stream
    )


def test_url_body_and_auth(monkeypatch):
    monkeypatch.setenv("PREDIBASE_TENANT_ID", "c4768f95")
    req = _build(
        {"max_tokens": 40, "temperature": 0.3, "adapter_id": "news-summarizer/1", "adapter_source": "pbase"}
    )
    assert (
        req.url
        == "https://serving.app.predibase.com/c4768f95/deployments/v2/llms/llama-3-1-8b-instruct/generate"
    )
    assert req.headers["Authorization"] == "Bearer pb_k"
    assert req.body == {
        "inputs": "What is machine learning?",
        "parameters": {
            "max_new_tokens": 40,
            "temperature": 0.3,
            "adapter_id": "news-summarizer/1",
            "adapter_source": "pbase",
            "details": True,
        },
    }


def test_tenant_argument_stream_url_and_default_max_new_tokens():
    req = _build(
        {"tenant_id": "t-1"}, stream=True, creds=Credentials(api_key="k", api_base="https://pb.internal/")
    )
    assert req.url == "https://pb.internal/t-1/deployments/v2/llms/llama-3-1-8b-instruct/generate_stream"
    assert req.body["stream"] is True and req.body["parameters"]["max_new_tokens"] == 256
    assert "tenant_id" not in req.body["parameters"]


def test_missing_tenant_names_the_env_var():
    from litellm.core.exceptions import AuthenticationError

    with pytest.raises(AuthenticationError, match="PREDIBASE_TENANT_ID"):
        _build()


def test_json_mode_becomes_lorax_response_format(monkeypatch):
    monkeypatch.setenv("PREDIBASE_TENANT_ID", "t")
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    req = _build({"response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}})
    assert req.body["parameters"]["response_format"] == {"type": "json_object", "schema": schema}


def test_reply_and_stream_parse():
    adapter = get_adapter("predibase")
    data = json.loads((FIXTURES / "generate_response.json").read_text())
    out = adapter.parse_response("llama-3-1-8b-instruct", data)
    assert out["choices"][0]["message"]["content"].startswith(" Machine learning")
    assert out["choices"][0]["finish_reason"] == "length"
    assert out["usage"]["completion_tokens"] == 14
    state = adapter.new_stream_state("llama-3-1-8b-instruct")
    chunks = []
    for block in (FIXTURES / "generate_stream.txt").read_text().split("\n\n"):
        if block.strip():
            chunks += adapter.parse_stream_event(state, None, block.strip()[len("data:") :])
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert text == " Machine learning"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["usage"] == {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}


def test_errors_map_like_tgi():
    adapter = get_adapter("predibase")
    assert adapter.classify_error(401, {"error": "Unauthorized"}, {}).kind == "AuthenticationError"
    info = adapter.classify_error(
        422,
        {
            "error": "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 8192",
            "error_type": "validation",
        },
        {},
    )
    assert info.kind == "ContextWindowExceededError"
