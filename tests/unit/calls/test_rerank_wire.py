"""The rerank dialects as pure functions: where each provider's endpoint is, the body in its dialect,
and every reply shape (Cohere v1/v2, Jina, Voyage, Together, Infinity) read into LiteLLM's rerank shape,
from the fixtures taken from each public API reference."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litellm.core import exceptions
from litellm.providers.base import Credentials
from litellm.providers.rerank_wire import (
    RerankOnlyAdapter,
    parse_rerank,
    rerank_body,
    rerank_request,
    rerank_url,
)

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "rerank"
DOCS = ["Carson City is the capital of Nevada.", "Washington, D.C. is the capital of the United States."]


def load(name: str) -> dict:
    return json.loads((FIX / name).read_text())


@pytest.mark.parametrize(
    ("provider", "base", "docs", "params", "url"),
    [
        ("cohere", None, DOCS, {}, "https://api.cohere.com/v2/rerank"),
        ("cohere", None, [{"text": "a"}], {}, "https://api.cohere.com/v1/rerank"),
        ("cohere", None, DOCS, {"rank_fields": ["text"]}, "https://api.cohere.com/v1/rerank"),
        ("cohere", "https://proxy.example/v1/rerank", DOCS, {}, "https://proxy.example/v1/rerank"),
        ("jina_ai", None, DOCS, {}, "https://api.jina.ai/v1/rerank"),
        ("voyage", None, DOCS, {}, "https://api.voyageai.com/v1/rerank"),
        ("together_ai", "https://api.together.ai/v1", DOCS, {}, "https://api.together.ai/v1/rerank"),
        ("infinity", "http://localhost:7997", DOCS, {}, "http://localhost:7997/rerank"),
        (
            "azure_ai",
            "https://my-rerank.eastus.models.ai.azure.com",
            DOCS,
            {},
            "https://my-rerank.eastus.models.ai.azure.com/v1/rerank",
        ),
        ("hosted_vllm", "http://vllm:8000/v1", DOCS, {}, "http://vllm:8000/v1/rerank"),
    ],
)
def test_rerank_url_per_provider(provider: str, base: str | None, docs: list, params: dict, url: str) -> None:
    assert rerank_url(provider, base, docs, params, "m") == url


def test_infinity_without_api_base_is_a_clear_error() -> None:
    with pytest.raises(exceptions.BadRequestError, match="INFINITY_API_BASE"):
        rerank_url("infinity", None, DOCS, {}, "m")


def test_voyage_body_uses_top_k_and_text_documents() -> None:
    body = rerank_body(
        "voyage", "rerank-2", "q", [{"text": "a"}, "b"], {"top_n": 1, "return_documents": True}
    )
    assert body == {
        "model": "rerank-2",
        "query": "q",
        "documents": ["a", "b"],
        "top_k": 1,
        "return_documents": True,
    }


def test_cohere_body_carries_rank_fields_and_chunking() -> None:
    body = rerank_body(
        "cohere", "rerank-english-v3.0", "q", [{"title": "t", "text": "x"}],
        {"top_n": 2, "rank_fields": ["title"], "return_documents": False, "max_chunks_per_doc": 4},
    )  # fmt: skip
    assert body == {
        "model": "rerank-english-v3.0",
        "query": "q",
        "documents": [{"title": "t", "text": "x"}],
        "top_n": 2,
        "return_documents": False,
        "rank_fields": ["title"],
        "max_chunks_per_doc": 4,
    }


def test_cohere_v2_request_drops_v1_only_fields_and_sends_bearer_key() -> None:
    req = rerank_request(
        "cohere", "rerank-v3.5", "q", DOCS, {"return_documents": True}, Credentials(api_key="co-key")
    )
    assert req.url.endswith("/v2/rerank") and "return_documents" not in req.body
    assert req.headers["Authorization"] == "Bearer co-key"


@pytest.mark.parametrize(
    ("fixture", "indexes", "first_doc", "billed"),
    [
        ("cohere_v1.json", [1, 0], {"text": DOCS[1]}, {"search_units": 1}),
        ("jina.json", [1, 0], {"text": DOCS[1]}, {"total_tokens": 815}),
        ("voyage.json", [1, 0], {"text": DOCS[1]}, {"total_tokens": 26}),
        ("together.json", [1, 0], {"text": DOCS[1]}, {"total_tokens": 2966}),
        ("infinity.json", [1, 0], {"text": DOCS[1]}, {"total_tokens": 24}),
    ],
)
def test_every_reply_shape_reads_into_the_rerank_shape(
    fixture: str, indexes: list, first_doc: dict, billed: dict
) -> None:
    out, tokens = parse_rerank(load(fixture), DOCS, True)
    assert [r["index"] for r in out["results"]] == indexes
    assert out["results"][0]["document"] == first_doc
    assert isinstance(out["results"][0]["relevance_score"], float)
    assert out["meta"]["billed_units"] == billed
    if "total_tokens" in billed:
        assert tokens == {
            "prompt_tokens": billed["total_tokens"],
            "completion_tokens": 0,
            "total_tokens": billed["total_tokens"],
        }
    else:
        assert tokens is None


def test_a_reply_without_results_is_refused() -> None:
    with pytest.raises(ValueError, match="results"):
        parse_rerank({"object": "list"}, DOCS, None)


def test_rerank_only_adapter_names_credentials_and_refuses_chat() -> None:
    adapter = RerankOnlyAdapter("jina_ai")
    assert adapter.missing_credentials(Credentials()) == ["JINA_AI_API_KEY"]
    assert RerankOnlyAdapter("infinity").missing_credentials(Credentials()) == ["INFINITY_API_BASE"]
    with pytest.raises(exceptions.BadRequestError, match="serves rerank"):
        adapter.build_request("jina-reranker-v2-base-multilingual", [], {}, Credentials(api_key="k"))
    info = adapter.classify_error(429, {"detail": "Too many requests"}, {})
    assert info.kind == "RateLimitError" and "Too many" in info.message
