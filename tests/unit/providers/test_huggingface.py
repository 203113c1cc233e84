"""Hugging Face adapter: router URLs and provider pinning, dedicated endpoints, TGI native bodies and
streams, feature-extraction embeddings and error bodies, against wire fixtures."""

from __future__ import annotations

import pytest

from litellm.providers.base import Credentials
from litellm.providers.huggingface import ROUTER_BASE, HuggingFaceAdapter, text_prompt
from tests.unit.providers.conftest import joined_content, load_json, replay

MSGS = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Why is the sky blue?"}]


@pytest.fixture
def adapter():
    return HuggingFaceAdapter()


def router(key="hf_test"):
    return Credentials(api_key=key, api_base=ROUTER_BASE)


def test_router_request_pins_the_provider_with_the_model_suffix(adapter):
    req = adapter.build_request(
        "together/deepseek-ai/DeepSeek-R1", MSGS, {"max_tokens": 20}, router(), stream=False
    )
    assert req.url == "https://router.huggingface.co/v1/chat/completions"
    assert req.body["model"] == "deepseek-ai/DeepSeek-R1:together"
    assert req.body["messages"] == MSGS and req.body["max_tokens"] == 20
    assert req.headers["Authorization"] == "Bearer hf_test"
    # no provider: the router chooses; a policy suffix is kept
    assert (
        adapter.build_request("meta-llama/Llama-3.3-70B-Instruct", MSGS, {}, router(), stream=False).body[
            "model"
        ]
        == "meta-llama/Llama-3.3-70B-Instruct"
    )
    assert (
        adapter.build_request("Qwen/Qwen3-32B:fastest", MSGS, {}, router(), stream=False).body["model"]
        == "Qwen/Qwen3-32B:fastest"
    )


def test_dedicated_endpoint_gets_the_messages_api_path(adapter):
    creds = Credentials(api_key=None, api_base="https://xyz.us-east-1.aws.endpoints.huggingface.cloud")
    req = adapter.build_request("tgi", MSGS, {}, creds, stream=True)
    assert req.url == "https://xyz.us-east-1.aws.endpoints.huggingface.cloud/v1/chat/completions"
    assert "Authorization" not in req.headers and req.body["stream"] is True
    assert adapter.missing_credentials(creds) == []
    assert adapter.missing_credentials(router(None)) == ["HUGGINGFACE_API_KEY (or HF_TOKEN)"]
    creds = Credentials(api_key="k", api_base="http://localhost:8080/v1")
    assert adapter.chat_url("m", creds) == "http://localhost:8080/v1/chat/completions"


def test_router_reply_promotes_reasoning(adapter):
    out = adapter.parse_response("deepseek-ai/DeepSeek-R1", load_json("huggingface", "router_chat.json"))
    assert out["choices"][0]["message"]["reasoning_content"] == "The user greets me."
    assert out["usage"]["total_tokens"] == 21


def test_tgi_generate_body(adapter):
    creds = Credentials(api_base="http://tgi.local:8080")
    req = adapter.build_request(
        "tgi/my-model", MSGS, {"max_tokens": 0, "temperature": 0, "stop": "\n", "n": 2}, creds, stream=False
    )
    assert req.url == "http://tgi.local:8080/generate"
    assert req.body == {
        "inputs": "Be brief. Why is the sky blue?",
        "parameters": {
            "details": True,
            "return_full_text": False,
            "max_new_tokens": 1,
            "temperature": 0.01,
            "stop": ["\n"],
            "best_of": 2,
            "do_sample": True,
        },
    }
    stream_req = adapter.build_request("tgi/my-model", MSGS, {}, creds, stream=True)
    assert stream_req.url == "http://tgi.local:8080/generate_stream" and stream_req.body["stream"] is True
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError, match="api_base"):
        adapter.build_request("tgi/my-model", MSGS, {}, router(), stream=False)


def test_llama2_chat_prompt_template():
    prompt = text_prompt(MSGS, "meta-llama/Llama-2-7b-chat-hf")
    assert prompt == "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n [/INST]\n[INST] Why is the sky blue? [/INST]\n"


def test_tgi_generate_reply(adapter):
    out = adapter.parse_response("tgi/my-model", load_json("huggingface", "tgi_generate.json"))
    assert out["choices"][0]["message"]["content"] == " Rayleigh scattering of sunlight by the atmosphere."
    assert out["choices"][0]["finish_reason"] == "stop"
    assert out["usage"]["completion_tokens"] == 11
    assert out["model"] == "my-model"


def test_tgi_stream_skips_special_tokens_and_reports_usage(adapter):
    chunks = replay(adapter, "tgi/my-model", "huggingface", "tgi_stream.txt")
    assert joined_content(chunks) == " Rayleigh scattering"
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["usage"] == {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13}


def test_tgi_in_stream_error_is_raised(adapter):
    from litellm.providers.base import StreamErrorEvent

    state = adapter.new_stream_state("tgi/m")
    with pytest.raises(StreamErrorEvent):
        adapter.parse_stream_event(
            state, None, '{"error":"Request failed during generation","error_type":"generation"}'
        )


@pytest.mark.parametrize(
    "case", load_json("huggingface", "errors.json"), ids=lambda c: f"{c['status']}-{c['kind']}"
)
def test_error_bodies(adapter, case):
    assert adapter.classify_error(case["status"], case["body"], {}).kind == case["kind"]


def test_feature_extraction_request_and_reply(adapter):
    req = adapter.build_embedding_request(
        "sentence-transformers/all-MiniLM-L6-v2", ["a", "b"], {"normalize": True}, router()
    )
    assert req.url == (
        "https://router.huggingface.co/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2"
        "/pipeline/feature-extraction"
    )
    assert req.body == {"inputs": ["a", "b"], "normalize": True}
    out = adapter.parse_embedding_response("m", load_json("huggingface", "feature_extraction.json"))
    assert [d["index"] for d in out["data"]] == [0, 1] and out["data"][1]["embedding"][2] == -0.091
    # one input, one flat vector; token-level features are mean-pooled
    assert adapter.parse_embedding_response("m", [0.1, 0.2])["data"][0]["embedding"] == [0.1, 0.2]
    pooled = adapter.parse_embedding_response("m", [[[1.0, 3.0], [3.0, 5.0]]])["data"][0]["embedding"]
    assert pooled == [2.0, 4.0]
    req = adapter.build_embedding_request("m", "x", {}, Credentials(api_base="http://tei.local/embed"))
    assert req.url == "http://tei.local/embed"


def test_env_var_names(adapter):
    assert adapter.env_vars["api_key"] == ("HUGGINGFACE_API_KEY", "HF_TOKEN")
    assert adapter.env_vars["api_base"] == ("HF_API_BASE", "HUGGINGFACE_API_BASE")
