"""One logging record per call for the Google, Cohere and Ollama adapters, priced from the provider's
usage (streamed or not), with no key, token or private key anywhere in the record."""

from __future__ import annotations

import json

import pytest

from litellm.calls.pipeline import completion, flush_callbacks
from litellm.providers.auth.google import clear_token_cache

pytestmark = pytest.mark.integration

MSGS = [{"role": "user", "content": "hello"}]


class _Seen:
    def __init__(self) -> None:
        self.events: list[dict] = []

    def __call__(self, kwargs, response, start, end) -> None:
        self.events.append(kwargs)


@pytest.fixture
def private_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize(
    ("model", "price_in", "price_out"),
    [("gemini/gemini-2.5-flash", 3e-7, 2.5e-6), ("cohere_chat/command-a-03-2025", 2.5e-6, 1e-5)],
)
def test_one_priced_record_without_the_key(fake_url, fake_key, stream, model, price_in, price_out):
    seen = _Seen()
    response = completion(
        model, messages=MSGS, api_base=fake_url, api_key=fake_key, stream=stream, callbacks=[seen]
    )
    if stream:
        list(response)
    assert flush_callbacks(timeout=10)
    (kwargs,) = seen.events
    payload = kwargs["standard_logging_object"]
    assert payload["status"] == "success" and payload["stream"] is stream
    assert payload["completion_tokens"] == 9
    assert payload["response_cost"] == pytest.approx(payload["prompt_tokens"] * price_in + 9 * price_out)
    assert payload["custom_llm_provider"] == model.split("/")[0]
    assert fake_key not in json.dumps(payload, default=str)


def test_vertex_record_has_no_token_or_private_key(fake_url, private_key_pem):
    pytest.importorskip("google.auth")
    from litellm.fake_provider.wire_google import TOKENS_ISSUED

    clear_token_cache()
    sa = {
        "type": "service_account",
        "project_id": "fake-proj",
        "private_key_id": "kid-1",
        "private_key": private_key_pem,
        "client_email": "svc@fake-proj.iam.gserviceaccount.com",
        "token_uri": f"{fake_url}/token",
    }
    seen = _Seen()
    completion(
        "vertex_ai/gemini-2.5-flash",
        messages=MSGS,
        api_base=fake_url,
        vertex_credentials=json.dumps(sa),
        vertex_project="fake-proj",
        callbacks=[seen],
    )
    assert flush_callbacks(timeout=10)
    (kwargs,) = seen.events
    text = json.dumps(kwargs["standard_logging_object"], default=str)
    assert kwargs["standard_logging_object"]["response_cost"] > 0
    assert TOKENS_ISSUED[-1] not in text
    assert private_key_pem.splitlines()[1] not in text
    clear_token_cache()


def test_ollama_record_is_priced_at_zero(fake_url):
    seen = _Seen()
    list(completion("ollama/llama3", messages=MSGS, api_base=fake_url, stream=True, callbacks=[seen]))
    assert flush_callbacks(timeout=10)
    (kwargs,) = seen.events
    payload = kwargs["standard_logging_object"]
    assert payload["completion_tokens"] == 9 and payload["response_cost"] == 0.0
