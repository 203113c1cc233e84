"""Triton: endpoint resolution, generate and /infer bodies, replies, SSE events and embeddings (shapes
from Triton's generate-extension and KServe v2 docs, ``tests/fixtures/triton``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litellm.providers.base import Credentials
from litellm.providers.registry import get_adapter

FIXTURES = Path(__file__).parents[2] / "fixtures" / "triton"
MSGS = [{"role": "user", "content": "What is machine learning?"}]


def _build(base, params=None, stream=False):
    return get_adapter("triton").build_request(
        "ensemble", MSGS, dict(params or {}), Credentials(api_base=base), stream=stream
    )


def test_full_generate_url_as_litellm_takes_it_and_its_stream_twin():
    req = _build("http://triton:8000/v2/models/ensemble/generate", {"max_tokens": 20, "temperature": 0.1})
    assert req.url == "http://triton:8000/v2/models/ensemble/generate"
    assert req.body == {
        "text_input": "What is machine learning?",
        "parameters": {"max_tokens": 20, "temperature": 0.1},
        "stream": False,
    }
    assert "Authorization" not in req.headers
    stream = _build("http://triton:8000/v2/models/ensemble/generate", stream=True)
    assert stream.url == "http://triton:8000/v2/models/ensemble/generate_stream"
    assert stream.body["stream"] is True and stream.body["parameters"]["max_tokens"] == 2000


def test_server_root_gets_the_model_path():
    assert _build("http://triton:8000/").url == "http://triton:8000/v2/models/ensemble/generate"


def test_infer_body_has_typed_tensors():
    req = _build("http://t:8000/v2/models/llama/infer", {"max_tokens": 8, "temperature": 0.5, "stop": "x"})
    assert req.body == {
        "inputs": [
            {"name": "text_input", "shape": [1], "datatype": "BYTES", "data": ["What is machine learning?"]},
            {"name": "max_tokens", "shape": [1], "datatype": "INT32", "data": [8]},
            {"name": "temperature", "shape": [1], "datatype": "FP32", "data": [0.5]},
            {"name": "stop", "shape": [1], "datatype": "BYTES", "data": ["x"]},
        ]
    }


def test_infer_cannot_stream_and_no_base_names_the_env_var():
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError, match="does not stream"):
        _build("http://t:8000/v2/models/llama/infer", stream=True)
    with pytest.raises(BadRequestError, match="TRITON_API_BASE"):
        _build(None)
    assert get_adapter("triton").missing_credentials(Credentials()) == ["TRITON_API_BASE"]


def test_generate_and_infer_replies():
    adapter = get_adapter("triton")
    out = adapter.parse_response("ensemble", json.loads((FIXTURES / "generate_response.json").read_text()))
    assert (
        out["choices"][0]["message"]["content"] == "Machine learning is a subset of artificial intelligence"
    )
    out = adapter.parse_response("llama", json.loads((FIXTURES / "infer_response.json").read_text()))
    assert out["choices"][0]["message"]["content"] == "Machine learning is a subset of AI"


def test_stream_events():
    adapter = get_adapter("triton")
    state = adapter.new_stream_state("ensemble")
    first = adapter.parse_stream_event(state, None, '{"model_name":"ensemble","text_output":"Machine"}')
    assert first[0]["choices"][0]["delta"] == {"content": "Machine", "role": "assistant"}
    last = adapter.parse_stream_event(
        state, None, '{"text_output":" learning","is_finished":true,"stop_reason":"length"}'
    )
    assert last[0]["choices"][0]["finish_reason"] == "length"
    from litellm.providers.base import StreamErrorEvent

    with pytest.raises(StreamErrorEvent):
        adapter.parse_stream_event(state, None, '{"error":"boom"}')


def test_embeddings_request_and_reply():
    adapter = get_adapter("triton")
    req = adapter.build_embedding_request("bge", ["a", "b"], {}, Credentials(api_base="http://t:8000"))
    assert req.url == "http://t:8000/v2/models/bge/infer"
    assert req.body["inputs"][0] == {
        "name": "input_text",
        "shape": [2],
        "datatype": "BYTES",
        "data": ["a", "b"],
    }
    out = adapter.parse_embedding_response(
        "bge", json.loads((FIXTURES / "embedding_response.json").read_text())
    )
    assert [d["embedding"] for d in out["data"]] == [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]


def test_errors():
    adapter = get_adapter("triton")
    assert (
        adapter.classify_error(400, {"error": "Request for unknown model: 'x' is not found"}, {}).kind
        == "NotFoundError"
    )
    assert adapter.classify_error(503, {"error": "busy"}, {}).kind == "ServiceUnavailableError"
