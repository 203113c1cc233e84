"""Redaction helpers: content replaced by the marker with tokens kept; canary secrets never survive."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, ConfigDict

from litellm.core.redact import (
    REDACTED_MARKER,
    is_secret_key,
    mask_secret,
    redact_kwargs,
    redact_messages,
    redact_payload,
    redact_response_obj,
    scrub_headers,
    scrub_params,
    scrub_text,
)

CANARY_KEY = "sk-canary-0123456789abcdefQRST"
CANARY_TEXT = "the-canary-sentence-about-zebras"


def no_secret(obj) -> bool:
    text = json.dumps(obj, default=repr)
    return CANARY_KEY not in text and CANARY_KEY[:-4] not in text


def test_marker_is_litellms():
    assert REDACTED_MARKER == "redacted-by-litellm"


def test_redact_messages_replaces_content_and_keeps_roles_and_tool_structure():
    messages = [
        {"role": "system", "content": CANARY_TEXT},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": CANARY_TEXT},
                {"type": "image_url", "image_url": {"url": "x"}},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": CANARY_TEXT}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": CANARY_TEXT},
    ]
    out = redact_messages(messages)
    assert CANARY_TEXT not in json.dumps(out)
    assert [m["role"] for m in out] == ["system", "user", "assistant", "tool"]
    assert out[0]["content"] == REDACTED_MARKER
    assert out[2]["tool_calls"][0]["function"] == {"name": "lookup", "arguments": REDACTED_MARKER}
    assert out[3]["tool_call_id"] == "call_1"
    assert messages[0]["content"] == CANARY_TEXT  # the input is untouched


def test_redact_messages_accepts_a_bare_prompt_and_none():
    assert redact_messages(CANARY_TEXT) == [{"role": "user", "content": REDACTED_MARKER}]
    assert redact_messages(None) == []


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class Message(BaseModel):
    model_config = ConfigDict(extra="allow", validate_assignment=True)
    role: str
    content: str | None = None


class Choice(BaseModel):
    message: Message
    finish_reason: str


class Response(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    choices: list[Choice]
    usage: Usage


def make_response():
    return Response(
        id="r1",
        choices=[
            Choice(
                message=Message(role="assistant", content=CANARY_TEXT, reasoning_content=CANARY_TEXT),
                finish_reason="stop",
            )
        ],
        usage=Usage(prompt_tokens=3, completion_tokens=5, total_tokens=8),
    )


def test_redact_response_obj_returns_a_copy_of_the_same_type_with_usage_kept():
    response = make_response()
    out = redact_response_obj(response)
    assert type(out) is Response
    assert out.choices[0].message.content == REDACTED_MARKER
    assert CANARY_TEXT not in out.model_dump_json()
    assert out.usage.total_tokens == 8 and out.id == "r1" and out.choices[0].finish_reason == "stop"
    assert response.choices[0].message.content == CANARY_TEXT
    assert response.choices[0].message.reasoning_content == CANARY_TEXT


def test_redact_response_obj_handles_the_packages_model_response():
    types = pytest.importorskip("litellm.core.types")
    response = types.ModelResponse(
        choices=[
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": CANARY_TEXT}}
        ],
        usage={"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    )
    response._hidden_params["response_cost"] = 0.5
    out = redact_response_obj(response)
    assert CANARY_TEXT not in out.model_dump_json()
    assert out.usage.total_tokens == 3 and out._hidden_params["response_cost"] == 0.5
    assert response.choices[0].message.content == CANARY_TEXT


def test_redact_response_obj_handles_dicts_and_text():
    assert redact_response_obj(CANARY_TEXT) == REDACTED_MARKER
    out = redact_response_obj(
        {"choices": [{"delta": {"content": CANARY_TEXT}}], "usage": {"total_tokens": 4}}
    )
    assert out == {"choices": [{"delta": {"content": REDACTED_MARKER}}], "usage": {"total_tokens": 4}}
    assert redact_response_obj(None) is None


def test_redact_payload_redacts_messages_response_and_prompt_params_only():
    payload = {
        "messages": [{"role": "user", "content": CANARY_TEXT}],
        "response": {"choices": [{"message": {"content": CANARY_TEXT}}]},
        "model_parameters": {"temperature": 0.2, "instructions": CANARY_TEXT},
        "prompt_tokens": 3,
        "total_tokens": 8,
        "response_cost": 0.01,
        "model": "gpt-4o",
        "metadata": {"team": "a"},
    }
    out = redact_payload(payload)
    assert CANARY_TEXT not in json.dumps(out)
    assert out["total_tokens"] == 8 and out["response_cost"] == 0.01 and out["model"] == "gpt-4o"
    assert out["model_parameters"]["temperature"] == 0.2
    assert out["metadata"] == {"team": "a"}
    assert payload["messages"][0]["content"] == CANARY_TEXT


def test_redact_kwargs_covers_every_place_content_hides():
    kwargs = {
        "messages": [{"role": "user", "content": CANARY_TEXT}],
        "input": [CANARY_TEXT],
        "prompt": CANARY_TEXT,
        "original_response": f'{{"text": "{CANARY_TEXT}"}}',
        "standard_logging_object": {
            "messages": [{"role": "user", "content": CANARY_TEXT}],
            "total_tokens": 9,
        },
        "complete_streaming_response": make_response(),
        "optional_params": {"max_tokens": 5, "system": CANARY_TEXT},
        "additional_args": {"complete_input_dict": {"messages": CANARY_TEXT}, "api_base": "http://x"},
        "response_cost": 0.5,
    }
    out = redact_kwargs(kwargs)
    assert CANARY_TEXT not in json.dumps(
        out, default=lambda o: o.model_dump() if hasattr(o, "model_dump") else repr(o)
    )
    assert out["standard_logging_object"]["total_tokens"] == 9
    assert out["complete_streaming_response"].usage.total_tokens == 8
    assert out["optional_params"]["max_tokens"] == 5 and out["additional_args"]["api_base"] == "http://x"
    assert out["response_cost"] == 0.5
    assert kwargs["messages"][0]["content"] == CANARY_TEXT


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (CANARY_KEY, "sk-...QRST"),
        (f"Bearer {CANARY_KEY}", "Bearer sk-...QRST"),
        ("short-key", "****"),
        ("", "****"),
        (None, "****"),
        (12345, "****"),
    ],
)
def test_mask_secret_shows_at_most_the_last_four_characters(value, expected):
    assert mask_secret(value) == expected


@pytest.mark.parametrize(
    "name",
    [
        "api_key",
        "Authorization",
        "x-api-key",
        "api-key",
        "AWS_SECRET_ACCESS_KEY",
        "azure_ad_token",
        "langfuse_secret_key",
        "client_secret",
        "Cookie",
    ],
)
def test_secret_key_names_are_recognised(name):
    assert is_secret_key(name)


@pytest.mark.parametrize("name", ["max_tokens", "prompt_tokens", "model", "temperature", "messages", "user"])
def test_ordinary_param_names_are_not_secret(name):
    assert not is_secret_key(name)


def test_scrub_headers_masks_credentials_and_keeps_the_rest():
    headers = {
        "Authorization": f"Bearer {CANARY_KEY}",
        "api-key": CANARY_KEY,
        "x-api-key": CANARY_KEY,
        "x-goog-api-key": CANARY_KEY,
        "X-Custom-Token": CANARY_KEY,
        "Content-Type": "application/json",
        "X-Debug": f"key is {CANARY_KEY}",
    }
    out = scrub_headers(headers)
    assert no_secret(out)
    assert out["Content-Type"] == "application/json"
    assert out["Authorization"] == "Bearer sk-...QRST"
    assert headers["api-key"] == CANARY_KEY


def test_scrub_params_masks_keys_header_dicts_and_nested_secrets():
    params = {
        "api_key": CANARY_KEY,
        "azure_ad_token": CANARY_KEY,
        "azure_ad_token_provider": lambda: CANARY_KEY,
        "aws_secret_access_key": CANARY_KEY,
        "extra_headers": {"Authorization": f"Bearer {CANARY_KEY}", "x-trace": "1"},
        "metadata": {"headers": {"x-api-key": CANARY_KEY}, "note": f"api_key={CANARY_KEY}"},
        "api_base": f"https://example.test/v1?key={CANARY_KEY}",
        "temperature": 0.3,
        "messages": [{"role": "user", "content": "hello"}],
    }
    out = scrub_params(params)
    assert no_secret(out)
    assert out["temperature"] == 0.3 and out["extra_headers"]["x-trace"] == "1"
    assert out["messages"] is params["messages"]
    assert params["api_key"] == CANARY_KEY


@pytest.mark.parametrize(
    "text",
    [
        f"Error: invalid key {CANARY_KEY}",
        f"Authorization: Bearer {CANARY_KEY}",
        f"{{'api_key': '{CANARY_KEY}'}}",
        f"https://api.test/x?api_key={CANARY_KEY}&q=1",
        f"headers={{'Authorization': 'Bearer {CANARY_KEY}'}}",
    ],
)
def test_scrub_text_masks_keys_in_free_text(text):
    out = scrub_text(text)
    assert CANARY_KEY not in out and CANARY_KEY[:-4] not in out


def test_scrub_text_masks_bearer_tokens_aws_and_google_keys():
    text = "Bearer abcdefghijklmnopqrstuvwx AKIAABCDEFGHIJKLMNOP AIzaSyA1234567890abcdefghijklmnopqrstu"
    out = scrub_text(text)
    assert "abcdefghijklmnop" not in out and "AKIAABCDEFGHIJKL" not in out and "AIzaSyA1234567890" not in out


def test_scrub_text_leaves_clean_text_alone():
    text = "model gpt-4o returned 3 tokens in 0.2s"
    assert scrub_text(text) == text


def test_mask_secrets_remembers_only_clean_strings_and_masks_the_same_every_time() -> None:
    from litellm.core import redact

    redact._clean_strings.clear()
    secret = "sk-live-abcdefghijklmnopqrstuvwx"
    metadata = {
        "user_api_key_alias": "team-a",
        "api_key": secret,
        "note": f"Bearer {secret}",
        "requester_ip_address": "10.0.0.1",
        "nested": {"password": "hunter2hunter2hunter2", "tag": "blue"},
    }
    first = redact.mask_secrets(metadata)
    for _ in range(3):  # remembered pairs give the same answer as the first walk
        assert redact.mask_secrets(metadata) == first
    assert first["api_key"] != secret and secret not in first["note"]
    assert first["nested"]["password"] != "hunter2hunter2hunter2"
    remembered = {value for values in redact._clean_strings.values() for value in values}
    assert remembered == {"team-a", "10.0.0.1", "blue"}  # never a secret, never what masked one
    clean = {"a": "plain", "b": {"c": "also plain"}}
    assert redact.mask_secrets(clean) is clean and redact.mask_secrets(clean) is clean  # copy-on-write kept
    redact._clean_strings.clear()
