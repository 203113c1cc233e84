"""Vertex AI adapter: URLs per model family, project/location resolution, partner bodies, embeddings,
errors (fixtures: tests/fixtures/vertex, Gemini bodies as in tests/fixtures/gemini)."""

from __future__ import annotations

import json

import pytest

from litellm.providers.auth.google import GoogleBearerAuth, clear_token_cache, load_credentials_info
from litellm.providers.base import Credentials
from litellm.providers.registry import resolve
from litellm.providers.vertex import ANTHROPIC_VERTEX_VERSION, VertexAdapter, vertex_family
from tests.unit.providers.conftest import load_json

USER = [{"role": "user", "content": "hi"}]
SA = {
    "type": "service_account",
    "project_id": "sa-project",
    "private_key_id": "k1",
    "private_key": "-----BEGIN PRIVATE KEY-----\nnot-used-without-a-refresh\n-----END PRIVATE KEY-----\n",
    "client_email": "svc@sa-project.iam.gserviceaccount.com",
    "token_uri": "https://oauth2.googleapis.com/token",
}


@pytest.fixture(autouse=True)
def _no_vertex_env(monkeypatch):
    for name in (
        "VERTEXAI_PROJECT",
        "VERTEX_PROJECT",
        "VERTEX_AI_PROJECT",
        "VERTEXAI_LOCATION",
        "VERTEX_LOCATION",
        "VERTEX_AI_LOCATION",
        "VERTEXAI_CREDENTIALS",
        "VERTEX_AI_CREDENTIALS",
        "DEFAULT_GOOGLE_APPLICATION_CREDENTIALS",
    ):
        monkeypatch.delenv(name, raising=False)
    clear_token_cache()
    yield
    clear_token_cache()


@pytest.fixture
def adapter():
    return VertexAdapter()


def _build(adapter, model, params=None, stream=False, creds=None, messages=USER):
    base = {"vertex_credentials": json.dumps(SA)}
    base.update(params or {})
    return adapter.build_request(model, list(messages), base, creds or Credentials(), stream=stream)


def test_routes_vertex_prefix():
    found = resolve("vertex_ai/gemini-2.5-pro")
    assert isinstance(found.adapter, VertexAdapter) and found.model == "gemini-2.5-pro"


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("gemini-2.5-pro", "gemini"),
        ("claude-sonnet-4-5@20250929", "anthropic"),
        ("mistral-large@2407", "mistral"),
        ("codestral-2501", "mistral"),
        ("meta/llama-4-maverick-17b-128e-instruct-maas", "openai"),
        ("1234567890", "gemini"),
    ],
)
def test_model_families(model, family):
    assert vertex_family(model) == family


def test_gemini_url_project_location_and_auth_hook(adapter):
    req = _build(
        adapter,
        "gemini-2.5-pro",
        {"vertex_project": "my-proj", "vertex_location": "europe-west4", "temperature": 0.1},
    )
    assert req.url == (
        "https://europe-west4-aiplatform.googleapis.com/v1/projects/my-proj/locations/europe-west4/"
        "publishers/google/models/gemini-2.5-pro:generateContent"
    )
    assert req.body["generationConfig"] == {"temperature": 0.1}
    assert "vertex_project" not in req.body and "vertex_credentials" not in json.dumps(req.body)
    assert isinstance(req.auth, GoogleBearerAuth)
    assert "Authorization" not in req.headers  # added by the auth hook on each attempt
    streamed = _build(adapter, "gemini-2.5-pro", {"vertex_project": "p"}, stream=True)
    assert streamed.url.endswith("/models/gemini-2.5-pro:streamGenerateContent?alt=sse")


def test_global_location_and_service_account_project(adapter):
    req = _build(adapter, "gemini-2.5-flash", {"vertex_location": "global"})
    assert req.url == (
        "https://aiplatform.googleapis.com/v1/projects/sa-project/locations/global/"
        "publishers/google/models/gemini-2.5-flash:generateContent"
    )


def test_project_and_location_from_env(adapter, monkeypatch):
    monkeypatch.setenv("VERTEXAI_PROJECT", "env-proj")
    monkeypatch.setenv("VERTEX_LOCATION", "asia-northeast1")
    req = _build(adapter, "gemini-2.5-flash")
    assert "/projects/env-proj/locations/asia-northeast1/" in req.url
    assert req.url.startswith("https://asia-northeast1-aiplatform.googleapis.com/")


def test_missing_project_names_the_setting(adapter):
    from litellm.core.exceptions import AuthenticationError

    sa = {k: v for k, v in SA.items() if k != "project_id"}
    with pytest.raises(AuthenticationError, match="VERTEXAI_PROJECT"):
        adapter.build_request("gemini-2.5-pro", USER, {"vertex_credentials": sa}, Credentials(), stream=False)


def test_bad_credentials_are_a_clear_error(adapter, tmp_path):
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError, match="cannot be read"):
        _build(adapter, "gemini-2.5-pro", {"vertex_credentials": str(tmp_path / "missing.json")})
    with pytest.raises(BadRequestError, match="does not parse"):
        _build(adapter, "gemini-2.5-pro", {"vertex_credentials": "{not json"})
    with pytest.raises(BadRequestError, match="not a Vertex AI location"):
        _build(adapter, "gemini-2.5-pro", {"vertex_location": "us central"})


def test_credentials_from_a_file_path(tmp_path):
    path = tmp_path / "sa.json"
    path.write_text(json.dumps(SA))
    assert load_credentials_info(str(path)) == SA
    assert load_credentials_info(json.dumps(SA)) == SA
    assert load_credentials_info(None) is None


def test_api_base_override_keeps_the_path(adapter):
    creds = Credentials(api_base="http://127.0.0.1:9")
    req = _build(
        adapter, "gemini-2.5-pro", {"vertex_project": "p", "vertex_location": "us-east5"}, creds=creds
    )
    assert (
        req.url
        == "http://127.0.0.1:9/v1/projects/p/locations/us-east5/publishers/google/models/gemini-2.5-pro:generateContent"
    )


def test_express_mode_with_api_key(adapter):
    req = adapter.build_request("gemini-2.5-flash", USER, {}, Credentials(api_key="vx-key"), stream=False)
    assert (
        req.url
        == "https://aiplatform.googleapis.com/v1/publishers/google/models/gemini-2.5-flash:generateContent"
    )
    assert req.headers["x-goog-api-key"] == "vx-key"
    assert req.auth is None


def test_tuned_endpoint_id(adapter):
    req = _build(adapter, "4965075652664360960", {"vertex_project": "p"})
    assert req.url.endswith(
        "/v1/projects/p/locations/us-central1/endpoints/4965075652664360960:generateContent"
    )


def test_anthropic_on_vertex_raw_predict_body(adapter):
    req = _build(
        adapter,
        "claude-sonnet-4-5@20250929",
        {"vertex_project": "p", "vertex_location": "us-east5", "max_tokens": 100},
        messages=[{"role": "system", "content": "sys"}, {"role": "user", "content": "hi"}],
    )
    assert req.url == (
        "https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/"
        "publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict"
    )
    assert "model" not in req.body
    assert req.body["anthropic_version"] == ANTHROPIC_VERTEX_VERSION
    assert req.body["system"] == [{"type": "text", "text": "sys"}]
    assert req.body["max_tokens"] == 100
    streamed = _build(adapter, "claude-sonnet-4-5@20250929", {"vertex_project": "p"}, stream=True)
    assert streamed.url.endswith(":streamRawPredict") and streamed.body["stream"] is True


def test_anthropic_reply_and_stream_are_anthropic_shaped(adapter):
    reply = adapter.parse_response(
        "claude-sonnet-4-5@20250929", load_json("vertex", "anthropic_raw_predict.json")
    )
    assert reply["choices"][0]["message"]["content"] == "Hello from Claude on Vertex."
    assert reply["usage"]["prompt_tokens"] == 12
    state = adapter.new_stream_state("claude-sonnet-4-5@20250929")
    chunks = adapter.parse_stream_event(
        state,
        "content_block_delta",
        json.dumps(
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}}
        ),
    )
    assert chunks[0]["choices"][0]["delta"]["content"] == "Hi"


def test_llama_maas_uses_the_openapi_endpoint(adapter):
    req = _build(
        adapter,
        "meta/llama-4-maverick-17b-128e-instruct-maas",
        {"vertex_project": "p", "vertex_location": "us-east5"},
        stream=True,
    )
    assert (
        req.url
        == "https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/endpoints/openapi/chat/completions"
    )
    assert req.body["model"] == "meta/llama-4-maverick-17b-128e-instruct-maas"
    assert req.body["stream"] is True and req.body["stream_options"] == {"include_usage": True}


def test_mistral_raw_predict(adapter):
    req = _build(adapter, "mistral-large@2407", {"vertex_project": "p"})
    assert req.url.endswith("/publishers/mistralai/models/mistral-large@2407:rawPredict")
    assert req.body["messages"] == USER


@pytest.mark.parametrize(
    ("status", "fixture", "kind"),
    [
        (403, "error_permission_denied.json", "PermissionDeniedError"),
        (401, "error_unauthenticated.json", "AuthenticationError"),
    ],
)
def test_google_errors(adapter, status, fixture, kind):
    assert adapter.classify_error(status, load_json("vertex", fixture), {}).kind == kind


def test_anthropic_error_shape_on_vertex(adapter):
    body = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    from litellm.providers.registry import get_adapter

    # Claude's error body on Vertex is classified exactly as Anthropic's own adapter classifies it
    assert adapter.classify_error(529, body, {}) == get_adapter("anthropic").classify_error(529, body, {})
    assert (
        adapter.classify_error(
            429, {"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}}, {}
        ).kind
        == "RateLimitError"
    )


def test_text_embedding_predict(adapter):
    req = adapter.build_embedding_request(
        "text-embedding-005",
        ["hello", "world"],
        {
            "vertex_credentials": SA,
            "vertex_project": "p",
            "dimensions": 256,
            "input_type": "RETRIEVAL_DOCUMENT",
        },
        Credentials(),
    )
    assert req.url.endswith(
        "/v1/projects/p/locations/us-central1/publishers/google/models/text-embedding-005:predict"
    )
    assert req.body == {
        "instances": [
            {"content": "hello", "task_type": "RETRIEVAL_DOCUMENT"},
            {"content": "world", "task_type": "RETRIEVAL_DOCUMENT"},
        ],
        "parameters": {"outputDimensionality": 256},
    }
    assert isinstance(req.auth, GoogleBearerAuth)
    out = adapter.parse_embedding_response(
        "text-embedding-005", load_json("vertex", "predict_text_embedding.json")
    )
    assert out["usage"]["prompt_tokens"] == 10
    assert len(out["data"]) == 2 and out["data"][1]["embedding"][2] == pytest.approx(0.0357)


def test_multimodal_embedding(adapter):
    req = adapter.build_embedding_request(
        "multimodalembedding@001",
        ["a cat", "data:image/png;base64,iVBORw0KGgo=", "gs://b/cat.png"],
        {"vertex_credentials": SA},
        Credentials(),
    )
    assert req.body["instances"] == [
        {"text": "a cat"},
        {"image": {"bytesBase64Encoded": "iVBORw0KGgo="}},
        {"image": {"gcsUri": "gs://b/cat.png"}},
    ]
    out = adapter.parse_embedding_response(
        "multimodalembedding@001", load_json("vertex", "predict_multimodal_embedding.json")
    )
    assert out["data"][0]["embedding"] == [0.1, 0.2]


def test_cost_for_vertex_gemini(adapter):
    from litellm.core.types import ModelResponse
    from litellm.cost.calculator import completion_cost

    data = {
        "candidates": [{"content": {"parts": [{"text": "ok"}], "role": "model"}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 1000, "candidatesTokenCount": 100, "totalTokenCount": 1100},
    }
    reply = adapter.parse_response("gemini-2.5-pro", data)
    cost = completion_cost(
        completion_response=ModelResponse.model_validate(reply), model="vertex_ai/gemini-2.5-pro"
    )
    assert cost == pytest.approx(1000 * 1.25e-6 + 100 * 1e-5)


def test_imagen_request_and_reply(adapter):
    req = adapter.build_image_generation_request(
        "imagen-4.0-generate-001",
        "a cat in a hat",
        {
            "vertex_credentials": SA,
            "vertex_project": "p",
            "n": 2,
            "size": "1792x1024",
            "negative_prompt": "dogs",
        },
        Credentials(),
    )
    assert req.url.endswith(
        "/v1/projects/p/locations/us-central1/publishers/google/models/imagen-4.0-generate-001:predict"
    )
    assert req.body == {
        "instances": [{"prompt": "a cat in a hat"}],
        "parameters": {"sampleCount": 2, "aspectRatio": "16:9", "negativePrompt": "dogs"},
    }
    assert isinstance(req.auth, GoogleBearerAuth)
    out = adapter.parse_image_generation_response(
        "imagen-4.0-generate-001",
        {
            "predictions": [
                {"bytesBase64Encoded": "iVBORw0KGgo=", "mimeType": "image/png"},
                {"raiFilteredReason": "filtered"},
            ]
        },
    )
    assert out["data"] == [{"b64_json": "iVBORw0KGgo="}]


@pytest.mark.parametrize(
    ("api_base", "expected"),
    [
        (
            "https://proxy.example",
            "https://proxy.example/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent",
        ),
        (
            "https://proxy.example/v1beta1",
            "https://proxy.example/v1beta1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent",
        ),
        (
            "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/endpoints/123",
            "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/endpoints/123:generateContent",
        ),
        ("https://psc.example/custom/route", "https://psc.example/custom/route:generateContent"),
    ],
)
def test_api_base_forms_as_litellm_reads_them(adapter, api_base, expected):
    assert (
        _build(adapter, "gemini-2.5-pro", {"vertex_project": "p"}, creds=Credentials(api_base=api_base)).url
        == expected
    )
