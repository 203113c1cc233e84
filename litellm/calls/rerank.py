"""``rerank`` / ``arerank``: LiteLLM's rerank schema (query, documents as strings or dicts, top_n,
return_documents, rank_fields) as a spec, over Cohere's ``/v1/rerank`` / ``/v2/rerank`` wire and the
compatible APIs (:mod:`litellm.providers.rerank_wire`).

Returns :class:`~litellm.core.types_calls.RerankResponse` (``results[].index / relevance_score /
document``, ``meta.billed_units``), priced per search unit (``input_cost_per_query`` x billed search
units, 1 when the provider bills none) or per token for the token-billed providers (Jina, Voyage,
Together). The logging record's ``messages`` holds the query and the documents.

Must not: send, retry or log (the pipeline does).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litellm.calls.endpoints import finish, json_object, request_headers, wire_model
from litellm.calls.pipeline import arun, run
from litellm.calls.spec import CallSpec, Prepared
from litellm.core.types_calls import RerankResponse

__all__ = ["RERANK", "arerank", "rerank"]

RERANK_PARAMS = frozenset(
    {"top_n", "return_documents", "rank_fields", "max_chunks_per_doc", "max_tokens_per_doc", "truncation"}
)


def _build(p: Prepared) -> Any:
    from litellm.providers.openai_compat import OpenAICompatAdapter
    from litellm.providers.rerank_wire import RERANK_APIS, rerank_request

    provider = p.provider or ""
    # an OpenAI-compatible server at an api_base may serve /rerank; OpenAI and Azure OpenAI do not
    compatible = isinstance(p.adapter, OpenAICompatAdapter) and provider != "azure"
    openai_default = (
        provider == "openai" and (p.creds.api_base or "").rstrip("/") == "https://api.openai.com/v1"
    )
    if (provider not in RERANK_APIS and not compatible) or openai_default:
        from litellm.core.exceptions import BadRequestError

        raise BadRequestError(
            f"Provider '{provider}' has no rerank endpoint here. Rerank is served by "
            f"{', '.join(sorted(RERANK_APIS))}, and by any server with a Cohere-style /rerank at an api_base "
            "(e.g. openai/<model> or hosted_vllm/<model> with api_base='http://host:port/v1').",
            p.model,
            provider,
        )

    request = rerank_request(
        provider,
        wire_model(p),
        p.inputs["query"],
        p.inputs["documents"],
        p.params,
        p.creds,
        extra_headers=request_headers(p),
    )
    extra_body = p.call.lp.get("extra_body")
    if extra_body and request.body is not None:
        request.body.update(extra_body)
    return request


def _result(p: Prepared, data: dict[str, Any], tokens: Any, started: float, headers: Any) -> RerankResponse:
    billed = (data.get("meta") or {}).get("billed_units") or {}
    if tokens is None and billed.get("search_units") is None:
        tokens = _counted_tokens(p)  # nothing billed in the reply: count, for the token-priced models
    response = RerankResponse.model_validate(data)
    extra: dict[str, Any] = {}
    if billed.get("search_units") is not None:
        extra["search_units"] = billed["search_units"]
    return finish(p, response, data, started, headers, usage=tokens, cost_extra=extra)


def _counted_tokens(p: Prepared) -> dict[str, int]:
    from litellm.calls.streaming import count_text_tokens

    texts = [p.inputs["query"], *(d if isinstance(d, str) else str(d) for d in p.inputs["documents"])]
    tokens = sum(count_text_tokens(p.model, t) for t in texts)
    return {"prompt_tokens": tokens, "completion_tokens": 0, "total_tokens": tokens}


def _parse(p: Prepared, content: bytes, headers: Mapping[str, str], started: float) -> RerankResponse:
    from litellm.providers.rerank_wire import parse_rerank

    data, tokens = parse_rerank(
        json_object(p, content), p.inputs["documents"], p.params.get("return_documents")
    )
    return _result(p, data, tokens, started, headers)


def _mock(p: Prepared, mock: Any) -> RerankResponse:
    """``mock_response``: a dict / RerankResponse as is; a list of scores (one per document); anything
    else ranks the documents in the order given (scores 1, 1/2, 1/3, ...)."""
    from litellm.providers.rerank_wire import parse_rerank

    documents = p.inputs["documents"]
    if isinstance(mock, RerankResponse):
        raw: dict[str, Any] = mock.model_dump()
    elif isinstance(mock, dict):
        raw = dict(mock)
    else:
        if isinstance(mock, list) and len(mock) == len(documents):
            scores = [float(s) for s in mock]
        else:
            scores = [1.0 / (i + 1) for i in range(len(documents))]
        order = sorted(range(len(documents)), key=lambda i: -scores[i])
        top_n = p.params.get("top_n")
        if isinstance(top_n, int) and top_n > 0:
            order = order[:top_n]
        raw = {
            "id": f"rerank-mock-{int(p.ctx.start_time * 1000)}",
            "results": [{"index": i, "relevance_score": scores[i]} for i in order],
            "meta": {"billed_units": {"search_units": 1}},
        }
    data, tokens = parse_rerank(raw, documents, p.params.get("return_documents"))
    return _result(p, data, tokens, p.ctx.start_time, None)


def _from_cache(p: Prepared, value: dict[str, Any]) -> RerankResponse:
    import time

    response = RerankResponse.model_validate(value)
    return finish(p, response, value, time.time(), None)


RERANK = CallSpec(
    name="rerank",
    build=_build,
    parse=_parse,
    mock=_mock,
    log_input=lambda inputs: {"query": inputs["query"], "documents": inputs["documents"]},
    openai_params=RERANK_PARAMS,
    from_cache=_from_cache,
    to_cache=lambda response: response.model_dump(),
)


def _inputs(query: Any, documents: Any) -> dict[str, Any]:
    from litellm.core.exceptions import BadRequestError

    if not isinstance(query, str) or not query:
        raise BadRequestError(f"rerank: query must be a non-empty string, got {query!r}.", "")
    if not isinstance(documents, list) or not documents:
        raise BadRequestError("rerank: documents must be a non-empty list of strings or dicts.", "")
    for i, doc in enumerate(documents):
        if not isinstance(doc, (str, dict)):
            raise BadRequestError(
                f"rerank: documents[{i}] is {type(doc).__name__}; pass strings or dicts "
                "(with rank_fields naming the dict fields to rank on).",
                "",
            )
    return {"query": query, "documents": documents}


def rerank(model: str, query: str, documents: list[Any], **kwargs: Any) -> RerankResponse:
    """Rank ``documents`` by relevance to ``query`` (Cohere, Jina, Voyage, Together, Infinity, Azure AI,
    or any ``api_base`` serving ``/rerank``)."""
    kwargs.setdefault("return_documents", True)
    return run(RERANK, model, _inputs(query, documents), kwargs)


async def arerank(model: str, query: str, documents: list[Any], **kwargs: Any) -> RerankResponse:
    """Async :func:`rerank`."""
    kwargs.setdefault("return_documents", True)
    return await arun(RERANK, model, _inputs(query, documents), kwargs)
