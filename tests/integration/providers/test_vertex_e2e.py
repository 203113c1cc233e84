"""Vertex AI through the pipeline against the fake provider's Vertex wire, with real OAuth.

The service-account key is a freshly generated RSA key whose ``token_uri`` is the fake provider's
``/token`` endpoint: google-auth signs a JWT assertion, exchanges it over our httpx transport, and the
pipeline's auth hook sends the token. The tests count the tokens the endpoint issued to prove the token
is cached across calls (sync and async) and refreshed once it is due.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest

pytest.importorskip("google.auth")

from litellm.calls.pipeline import acompletion, aembedding, completion, embedding
from litellm.core import exceptions
from litellm.fake_provider.wire_google import TOKENS_ISSUED
from litellm.providers.auth.google import clear_token_cache, token_source
from litellm.providers.base import Credentials
from litellm.providers.vertex import VertexAdapter

pytestmark = pytest.mark.integration

MSGS = [{"role": "user", "content": "hello"}]
REPLY = "Hello from the fake provider! This reply is deterministic."


@pytest.fixture(scope="module")
def private_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _service_account(fake_url: str, pem: str, email: str = "svc@fake-proj.iam.gserviceaccount.com") -> dict:
    return {
        "type": "service_account",
        "project_id": "fake-proj",
        "private_key_id": "kid-1",
        "private_key": pem,
        "client_email": email,
        "client_id": "1",
        "token_uri": f"{fake_url}/token",
    }


@pytest.fixture(autouse=True)
def _isolated(monkeypatch):
    for name in (
        "VERTEXAI_PROJECT",
        "VERTEX_PROJECT",
        "VERTEXAI_LOCATION",
        "VERTEX_LOCATION",
        "VERTEXAI_CREDENTIALS",
        "GOOGLE_APPLICATION_CREDENTIALS",
    ):
        monkeypatch.delenv(name, raising=False)
    clear_token_cache()
    yield
    clear_token_cache()


@pytest.fixture
def vertex(fake_url, private_key_pem):
    sa = _service_account(fake_url, private_key_pem)
    return {"api_base": fake_url, "vertex_credentials": json.dumps(sa), "vertex_location": "us-east5"}


def _last(fake_provider, path_part: str = ""):
    for request in reversed(fake_provider.requests):
        if path_part in request["path"]:
            return request
    raise AssertionError(f"no request to {path_part}")


def test_gemini_on_vertex_with_a_cached_oauth_token(fake_provider, vertex):
    issued_before = len(TOKENS_ISSUED)
    for _ in range(3):
        response = completion("vertex_ai/gemini-2.5-flash", messages=MSGS, max_tokens=20, **vertex)
        assert response.choices[0].message.content == REPLY
    assert len(TOKENS_ISSUED) == issued_before + 1  # one token exchange for three calls
    sent = _last(fake_provider, ":generateContent")
    assert (
        sent["path"]
        == "/v1/projects/fake-proj/locations/us-east5/publishers/google/models/gemini-2.5-flash:generateContent"
    )
    assert sent["headers"]["authorization"] == f"Bearer {TOKENS_ISSUED[-1]}"
    assert sent["json"]["generationConfig"] == {"maxOutputTokens": 20}
    assert "vertex_credentials" not in json.dumps(sent["json"])
    token_request = _last(fake_provider, "/token")
    assert token_request["json"]["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert response._hidden_params["response_cost"] > 0


def test_token_is_refreshed_once_due(vertex):
    completion("vertex_ai/gemini-2.5-flash", messages=MSGS, **vertex)
    issued = len(TOKENS_ISSUED)
    source = token_source(vertex["vertex_credentials"])
    source._expires_at = time.time() + 60  # inside the refresh margin: due now
    completion("vertex_ai/gemini-2.5-flash", messages=MSGS, **vertex)
    completion("vertex_ai/gemini-2.5-flash", messages=MSGS, **vertex)
    assert len(TOKENS_ISSUED) == issued + 1


def test_async_and_streamed_reuse_the_token(vertex):
    completion("vertex_ai/gemini-2.5-flash", messages=MSGS, **vertex)
    issued = len(TOKENS_ISSUED)

    async def run():
        plain = await acompletion("vertex_ai/gemini-2.5-flash", messages=MSGS, **vertex)
        stream = await acompletion("vertex_ai/gemini-2.5-flash", messages=MSGS, stream=True, **vertex)
        return plain, [c async for c in stream]

    plain, chunks = asyncio.run(run())
    assert plain.choices[0].message.content == REPLY
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == REPLY
    sync_chunks = list(completion("vertex_ai/gemini-2.5-flash", messages=MSGS, stream=True, **vertex))
    assert "".join(c.choices[0].delta.content or "" for c in sync_chunks if c.choices) == REPLY
    assert len(TOKENS_ISSUED) == issued


def test_first_async_call_fetches_the_token_off_the_loop(vertex):
    issued = len(TOKENS_ISSUED)

    async def run():
        return await asyncio.gather(
            *(acompletion("vertex_ai/gemini-2.5-flash", messages=MSGS, **vertex) for _ in range(4))
        )

    replies = asyncio.run(run())
    assert all(r.choices[0].message.content == REPLY for r in replies)
    assert len(TOKENS_ISSUED) == issued + 1  # concurrent first calls share one refresh


def test_refused_service_account_is_an_authentication_error(fake_url, private_key_pem):
    sa = _service_account(fake_url, private_key_pem, email="invalid@fake-proj.iam.gserviceaccount.com")
    with pytest.raises(exceptions.AuthenticationError, match="refused") as info:
        completion("vertex_ai/gemini-2.5-flash", messages=MSGS, api_base=fake_url, vertex_credentials=sa)
    assert private_key_pem.splitlines()[1] not in str(info.value)


def test_claude_on_vertex_raw_predict(fake_provider, vertex):
    response = completion("vertex_ai/claude-sonnet-4-5@20250929", messages=MSGS, max_tokens=30, **vertex)
    assert response.choices[0].message.content == REPLY
    sent = _last(fake_provider, ":rawPredict")
    assert sent["path"].endswith("/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict")
    assert sent["json"]["anthropic_version"] == "vertex-2023-10-16" and "model" not in sent["json"]
    chunks = list(completion("vertex_ai/claude-sonnet-4-5@20250929", messages=MSGS, stream=True, **vertex))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == REPLY
    assert _last(fake_provider, "RawPredict")["path"].endswith(":streamRawPredict")


def test_llama_maas_openapi_endpoint(fake_provider, vertex):
    response = completion("vertex_ai/meta/llama-4-maverick-17b-128e-instruct-maas", messages=MSGS, **vertex)
    assert response.choices[0].message.content == REPLY
    assert (
        _last(fake_provider, "/endpoints/openapi/")["path"]
        == "/v1/projects/fake-proj/locations/us-east5/endpoints/openapi/chat/completions"
    )


def test_project_from_env_overrides_nothing_given(fake_provider, vertex, monkeypatch):
    monkeypatch.setenv("VERTEXAI_PROJECT", "env-proj")
    completion("vertex_ai/gemini-2.5-flash", messages=MSGS, **vertex)
    assert "/projects/env-proj/" in _last(fake_provider, ":generateContent")["path"]


def test_errors(vertex):
    with pytest.raises(exceptions.RateLimitError):
        completion("vertex_ai/fake-error-429", messages=MSGS, **vertex)
    with pytest.raises(exceptions.ContextWindowExceededError):
        completion("vertex_ai/fake-context-window", messages=MSGS, **vertex)


def test_text_embeddings_predict(fake_provider, vertex):
    response = embedding("vertex_ai/text-embedding-005", input=["hello world", "bye"], dimensions=8, **vertex)
    assert [len(d["embedding"]) for d in response.data] == [8, 8]
    sent = _last(fake_provider, ":predict")
    assert sent["path"].endswith("/publishers/google/models/text-embedding-005:predict")
    assert sent["json"]["parameters"] == {"outputDimensionality": 8}
    assert response.usage.prompt_tokens > 0

    async def run():
        return await aembedding("vertex_ai/text-embedding-005", input="x", **vertex)

    assert len(asyncio.run(run()).data) == 1


def test_imagen_through_the_fake_provider(fake_url):
    """Imagen through the adapter against the fake provider (the image spine has no native-adapter hook yet:
    the request is sent as the pipeline would send it)."""
    import httpx

    req = VertexAdapter().build_image_generation_request(
        "imagen-3.0-generate-002",
        "a cat",
        {"vertex_project": "p", "n": 3},
        Credentials(api_key="vx", api_base=fake_url),
    )
    reply = httpx.post(req.url, json=req.body, headers=req.headers, timeout=10)
    assert reply.status_code == 200
    out = VertexAdapter().parse_image_generation_response("imagen-3.0-generate-002", reply.json())
    assert len(out["data"]) == 3 and out["data"][0]["b64_json"].startswith("iVBOR")


def test_application_default_credentials_from_google_application_credentials(
    fake_provider, fake_url, private_key_pem, tmp_path, monkeypatch
):
    path = tmp_path / "adc.json"
    path.write_text(
        json.dumps(_service_account(fake_url, private_key_pem, email="adc@fake-proj.iam.gserviceaccount.com"))
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    issued = len(TOKENS_ISSUED)
    response = completion(
        "vertex_ai/gemini-2.5-flash", messages=MSGS, api_base=fake_url
    )  # no project, no credentials
    assert response.choices[0].message.content == REPLY
    sent = _last(fake_provider, ":generateContent")
    assert sent["path"].startswith(
        "/v1/projects/fake-proj/locations/us-central1/"
    )  # project from the ADC file
    assert sent["headers"]["authorization"] == f"Bearer {TOKENS_ISSUED[-1]}"
    assert len(TOKENS_ISSUED) == issued + 1


def test_credentials_path_from_vertexai_credentials_env(
    fake_provider, fake_url, private_key_pem, tmp_path, monkeypatch
):
    path = tmp_path / "sa.json"
    path.write_text(json.dumps(_service_account(fake_url, private_key_pem)))
    monkeypatch.setenv("VERTEXAI_CREDENTIALS", str(path))
    monkeypatch.setenv("VERTEXAI_PROJECT", "env-proj")
    monkeypatch.setenv("VERTEXAI_LOCATION", "europe-west4")
    completion("vertex_ai/gemini-2.5-flash", messages=MSGS, api_base=fake_url)
    assert _last(fake_provider, ":generateContent")["path"].startswith(
        "/v1/projects/env-proj/locations/europe-west4/"
    )


def test_imagen_through_image_generation(fake_provider, vertex):
    from litellm.calls.images import aimage_generation, image_generation

    response = image_generation(
        model="vertex_ai/imagen-4.0-generate-001", prompt="a cat", n=2, size="1792x1024", **vertex
    )
    assert len(response.data) == 2 and response.data[0].b64_json.startswith("iVBOR")
    sent = _last(fake_provider, ":predict")
    assert (
        sent["path"]
        == "/v1/projects/fake-proj/locations/us-east5/publishers/google/models/imagen-4.0-generate-001:predict"
    )
    assert sent["json"] == {
        "instances": [{"prompt": "a cat"}],
        "parameters": {"sampleCount": 2, "aspectRatio": "16:9"},
    }
    assert sent["headers"]["authorization"] == f"Bearer {TOKENS_ISSUED[-1]}"

    async def run():
        return await aimage_generation(model="vertex_ai/imagen-4.0-generate-001", prompt="a dog", **vertex)

    assert len(asyncio.run(run()).data) == 1
