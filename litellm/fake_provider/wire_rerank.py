"""Fake rerank endpoints in Cohere's wire format: ``POST /v1/rerank`` and ``POST /v2/rerank`` (also
``/rerank``, as Infinity and vLLM serve it).

Scores are the share of query words found in each document (plus a small tie-break by position), so
the order is deterministic and meaningful. ``top_n`` limits the results; v1 returns each result's
``document`` (``{"text": ...}``, or the dict as sent) unless ``return_documents`` is false, v2 never does
(Cohere's v2 API). ``meta.billed_units.search_units`` is 1 per 100 documents (Cohere's rule), and
``meta.api_version.version`` says which API answered. Documents must be strings, or dicts with a
``text`` field or ``rank_fields`` (v1).

Must not: start threads or loops (``server`` does).
"""

from __future__ import annotations

import math
import re
from typing import Any

from aiohttp import web

from litellm.fake_provider import app as _app
from litellm.fake_provider import content

_WORD = re.compile(r"\w+")


def _doc_text(doc: Any, rank_fields: list[str] | None) -> str:
    if isinstance(doc, str):
        return doc
    if isinstance(doc, dict):
        fields = rank_fields or ["text"]
        return " ".join(str(doc.get(f) or "") for f in fields)
    return str(doc)


def score(query: str, text: str, index: int) -> float:
    wanted = {w.lower() for w in _WORD.findall(query)}
    found = {w.lower() for w in _WORD.findall(text)}
    overlap = len(wanted & found) / len(wanted) if wanted else 0.0
    return round(0.05 + 0.9 * overlap - 0.001 * index, 6)


def rerank_json(body: dict[str, Any], version: str) -> dict[str, Any] | str:
    """The answer, or an error message for a 400."""
    query = body.get("query")
    documents = body.get("documents")
    if not isinstance(query, str) or not query:
        return "query is required and must be a non-empty string"
    if not isinstance(documents, list) or not documents:
        return "documents is required and must be a non-empty list"
    rank_fields = body.get("rank_fields")
    scored = sorted(
        ((score(query, _doc_text(d, rank_fields), i), i) for i, d in enumerate(documents)),
        key=lambda x: -x[0],
    )
    top_n = body.get("top_n")
    if isinstance(top_n, int) and top_n > 0:
        scored = scored[:top_n]
    return_documents = version == "1" and body.get("return_documents", True) is not False
    results = []
    for relevance, i in scored:
        result: dict[str, Any] = {"index": i, "relevance_score": relevance}
        if return_documents:
            doc = documents[i]
            result["document"] = {"text": doc} if isinstance(doc, str) else doc
        results.append(result)
    return {
        "id": content.new_id("rerank-"),
        "results": results,
        "meta": {
            "api_version": {"version": version},
            "billed_units": {"search_units": max(1, math.ceil(len(documents) / 100))},
        },
    }


async def _rerank(request: web.Request, version: str) -> web.StreamResponse:
    try:
        body, _controls, model = await _app._prelude(request, "openai")
    except _app._Reject as reject:
        return reject.response
    if version == "2" and not model:
        return _app._json_response(400, {"message": "model is required for /v2/rerank"}, "openai")
    out = rerank_json(body, version)
    if isinstance(out, str):
        return _app._json_response(400, {"message": out}, "openai")
    return _app._json_response(200, out, "openai")


async def rerank_v1(request: web.Request) -> web.StreamResponse:
    return await _rerank(request, "1")


async def rerank_v2(request: web.Request) -> web.StreamResponse:
    return await _rerank(request, "2")


def add_routes(app: web.Application, add: Any) -> None:
    add("POST", "/v1/rerank", rerank_v1)
    add("POST", "/rerank", rerank_v1)
    add("POST", "/v2/rerank", rerank_v2)
