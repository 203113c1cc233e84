"""NLP Cloud: the generation request (URL per model, Token auth, LiteLLM's param names), the reply with
its token counts (shape from NLP Cloud's API reference), refused streaming, errors."""

from __future__ import annotations

import pytest

from litellm.providers.base import Credentials
from litellm.providers.registry import get_adapter

MSGS = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}]


def test_request():
    req = get_adapter("nlp_cloud").build_request(
        "chatdolphin",
        MSGS,
        {"max_tokens": 50, "n": 2, "stop": ["\n"], "temperature": 0.4, "top_k": 5},
        Credentials(api_key="nlp-k"),
        stream=False,
    )
    assert req.url == "https://api.nlpcloud.io/v1/gpu/chatdolphin/generation"
    assert req.headers["Authorization"] == "Token nlp-k"
    assert req.body == {
        "text": "Be brief. Hello",
        "max_length": 50,
        "num_return_sequences": 2,
        "stop_sequences": ["\n"],
        "temperature": 0.4,
        "top_k": 5,
    }


def test_streaming_is_refused_before_sending():
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError, match="stream"):
        get_adapter("nlp_cloud").build_request("dolphin", MSGS, {}, Credentials(api_key="k"), stream=True)


def test_reply_and_errors():
    adapter = get_adapter("nlp_cloud")
    out = adapter.parse_response(
        "chatdolphin", {"generated_text": "Hi there!", "nb_generated_tokens": 3, "nb_input_tokens": 7}
    )
    assert out["choices"][0]["message"]["content"] == "Hi there!"
    assert out["usage"] == {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
    assert adapter.classify_error(401, {"detail": "Invalid token."}, {}).message == "Invalid token."
    assert adapter.classify_error(429, {"detail": "Too many requests"}, {}).kind == "RateLimitError"
