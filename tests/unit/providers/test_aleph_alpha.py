"""Aleph Alpha ``/complete``: request body and prompt rendering, reply with several completions and token
counts (shape from Aleph Alpha's OpenAPI spec), refused streaming, error bodies."""

from __future__ import annotations

import pytest

from litellm.providers.aleph_alpha import render_prompt
from litellm.providers.base import Credentials
from litellm.providers.registry import get_adapter

MSGS = [{"role": "system", "content": "Translate."}, {"role": "user", "content": "Hallo"}]


def test_request_body_and_url():
    req = get_adapter("aleph_alpha").build_request(
        "luminous-base",
        MSGS,
        {"max_tokens": 20, "stop": "\n", "n": 2},
        Credentials(api_key="aa"),
        stream=False,
    )
    assert req.url == "https://api.aleph-alpha.com/complete"
    assert req.headers["Authorization"] == "Bearer aa"
    assert req.body == {
        "model": "luminous-base",
        "prompt": "Translate. Hallo",
        "maximum_tokens": 20,
        "stop_sequences": ["\n"],
        "n": 2,
    }
    own = get_adapter("aleph_alpha").build_request(
        "llama-3.1-8b-instruct",
        MSGS,
        {},
        Credentials(api_key="aa", api_base="https://inference.internal/"),
        stream=False,
    )
    assert own.url == "https://inference.internal/complete" and own.body["maximum_tokens"] == 256


def test_control_models_use_the_instruction_format():
    assert render_prompt("luminous-supreme-control", [*MSGS, {"role": "assistant", "content": "Hello"}]) == (
        "###Instruction: Translate.###Input: Hallo###Response: Hello"
    )


def test_reply_choices_usage_and_errors():
    adapter = get_adapter("aleph_alpha")
    data = {
        "model_version": "2022-04",
        "completions": [
            {"completion": " Hello", "finish_reason": "end_of_text"},
            {"completion": " Hi there", "finish_reason": "maximum_tokens"},
        ],
        "num_tokens_prompt_total": 5,
        "num_tokens_generated": 4,
    }
    out = adapter.parse_response("luminous-base", data)
    assert [c["finish_reason"] for c in out["choices"]] == ["stop", "length"]
    assert out["choices"][1]["message"]["content"] == " Hi there"
    assert out["usage"] == {"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9}
    info = adapter.classify_error(400, {"error": "Prompt too long", "code": "PROMPT_TOO_LONG"}, {})
    assert info.kind == "ContextWindowExceededError"
    assert (
        adapter.classify_error(401, {"error": "Unauthorized", "code": "UNAUTHENTICATED"}, {}).kind
        == "AuthenticationError"
    )
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError, match="stream"):
        adapter.build_request("luminous-base", MSGS, {}, Credentials(api_key="aa"), stream=True)
