"""Rerank wire formats: Cohere's ``/v1/rerank`` and ``/v2/rerank`` and the APIs shaped like them
(Jina, Voyage, Together, Infinity, Azure AI, any ``api_base`` serving ``/rerank``).

Owns, as pure functions: where a provider's rerank endpoint is (:func:`rerank_url`), the request body
in its dialect (:func:`rerank_body`), and reading any of the replies into LiteLLM's rerank shape
(:func:`parse_rerank`: ``results[].index / relevance_score / document`` and ``meta.billed_units``, with
tokens as usage for the providers that bill tokens). Also :class:`RerankOnlyAdapter` for providers that
serve rerank (and nothing else here) so the registry can resolve ``jina_ai/``, ``voyage/``,
``infinity/`` and ``azure_ai/`` models.

Facts (URLs, field names, reply shapes) come from the public API references: Cohere
docs.cohere.com/reference/rerank (v1 and v2), Jina api.jina.ai/redoc#tag/rerank, Voyage
docs.voyageai.com/reference/reranker-api, Together docs.together.ai/reference/rerank-1, Infinity
michaelfeil.github.io/infinity (``/rerank``), Azure AI Foundry's Cohere rerank (``/v1/rerank``).

Must not: send, read the environment or log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from litellm.providers._common import json_bearer_headers
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamState

__all__ = [
    "RERANK_APIS",
    "RerankApi",
    "RerankOnlyAdapter",
    "make_adapter",
    "parse_rerank",
    "rerank_body",
    "rerank_request",
    "rerank_url",
]


class RerankApi:
    """One provider's rerank endpoint: default base, path and dialect."""

    __slots__ = ("api_base_env", "api_key_env", "default_base", "dialect", "key_required", "path")

    def __init__(
        self,
        default_base: str | None,
        path: str,
        dialect: str,
        api_key_env: str | None,
        api_base_env: str | None = None,
        key_required: bool = True,
    ) -> None:
        self.default_base = default_base
        self.path = path
        self.dialect = dialect
        self.api_key_env = api_key_env
        self.api_base_env = api_base_env
        self.key_required = key_required


#: provider -> its rerank API. Providers not listed use the OpenAI-compatible base + "/rerank"
#: (vLLM, Infinity behind openai/, any api_base) in Cohere's v1 dialect.
RERANK_APIS: dict[str, RerankApi] = {
    "cohere": RerankApi(
        "https://api.cohere.com", "/v2/rerank", "cohere", "COHERE_API_KEY", "COHERE_API_BASE"
    ),
    "jina_ai": RerankApi("https://api.jina.ai", "/v1/rerank", "jina", "JINA_AI_API_KEY", "JINA_AI_API_BASE"),
    "voyage": RerankApi(
        "https://api.voyageai.com", "/v1/rerank", "voyage", "VOYAGE_API_KEY", "VOYAGE_API_BASE"
    ),
    "together_ai": RerankApi(
        "https://api.together.ai", "/v1/rerank", "together", "TOGETHER_API_KEY", "TOGETHER_AI_API_BASE"
    ),
    "infinity": RerankApi(
        None, "/rerank", "infinity", "INFINITY_API_KEY", "INFINITY_API_BASE", key_required=False
    ),
    "azure_ai": RerankApi(None, "/v1/rerank", "cohere", "AZURE_AI_API_KEY", "AZURE_AI_API_BASE"),
}


def _cohere_path(base: str, documents: Sequence[Any], params: Mapping[str, Any]) -> str:
    """Cohere v2 takes strings only and never returns documents; v1 takes dicts with rank_fields."""
    needs_v1 = any(not isinstance(d, str) for d in documents) or params.get("rank_fields")
    return "/v1/rerank" if needs_v1 else "/v2/rerank"


def rerank_url(
    provider: str, base: str | None, documents: Sequence[Any], params: Mapping[str, Any], model: str
) -> str:
    """The rerank URL for ``provider`` at ``base`` (a base that already ends in a rerank path is used as is)."""
    api = RERANK_APIS.get(provider)
    base = (base or (api.default_base if api else None) or "").rstrip("/")
    if not base:
        from litellm.providers._common import make_error

        raise make_error(
            "BadRequestError",
            f"{provider} rerank needs an api_base: pass api_base='http://host:port' or set "
            f"{api.api_base_env if api and api.api_base_env else 'api_base'}.",
            model=model,
            provider=provider,
        )
    if base.endswith("/rerank"):
        return base
    if api is None:  # an OpenAI-compatible base: http://host/v1 -> http://host/v1/rerank
        return base + "/rerank"
    path = api.path
    if api.dialect == "cohere":
        if provider == "cohere":
            path = _cohere_path(base, documents, params)
        for suffix in ("/v1", "/v2"):
            if base.endswith(suffix):
                base = base[: -len(suffix)]
    elif base.endswith("/v1") and path.startswith("/v1/"):
        path = path[3:]
    return base + path


def rerank_body(
    dialect: str, model: str, query: str, documents: Sequence[Any], params: Mapping[str, Any]
) -> dict[str, Any]:
    """The request body in ``dialect`` from LiteLLM's rerank arguments."""
    body: dict[str, Any] = {"model": model, "query": query, "documents": list(documents)}
    top_n = params.get("top_n")
    return_documents = params.get("return_documents")
    if dialect == "voyage":
        if any(not isinstance(d, str) for d in documents):
            body["documents"] = [_text_of(d, params.get("rank_fields")) for d in documents]
        if top_n is not None:
            body["top_k"] = top_n
        if return_documents is not None:
            body["return_documents"] = bool(return_documents)
        if params.get("truncation") is not None:
            body["truncation"] = params["truncation"]
        return body
    if top_n is not None:
        body["top_n"] = top_n
    if dialect in ("cohere", "together", "infinity", "jina") and return_documents is not None:
        body["return_documents"] = bool(return_documents)
    if params.get("rank_fields") and dialect in ("cohere", "together"):
        body["rank_fields"] = list(params["rank_fields"])
    for key in ("max_chunks_per_doc", "max_tokens_per_doc"):
        if params.get(key) is not None and dialect == "cohere":
            body[key] = params[key]
    return body


def _text_of(doc: Any, rank_fields: Sequence[str] | None) -> str:
    if isinstance(doc, str):
        return doc
    if isinstance(doc, Mapping):
        fields = list(rank_fields or ["text"])
        return " ".join(str(doc.get(f) or "") for f in fields)
    return str(doc)


def rerank_request(
    provider: str,
    model: str,
    query: str,
    documents: Sequence[Any],
    params: Mapping[str, Any],
    credentials: Credentials,
    extra_headers: Mapping[str, str] | None = None,
) -> ProviderRequest:
    url = rerank_url(provider, credentials.api_base, documents, params, model)
    api = RERANK_APIS.get(provider)
    dialect = api.dialect if api is not None else "cohere"
    if provider == "cohere" and url.endswith("/v1/rerank"):
        dialect = "cohere"
    body = rerank_body(dialect, model, query, documents, params)
    if url.endswith("/v2/rerank"):
        body.pop("return_documents", None)  # not a v2 field: we add the documents back ourselves
        body.pop("rank_fields", None)
    headers = json_bearer_headers(credentials.api_key, extra_headers, accept=True)
    return ProviderRequest(url=url, headers=headers, body=body)


def parse_rerank(
    data: Mapping[str, Any], documents: Sequence[Any], return_documents: bool | None
) -> tuple[dict[str, Any], dict[str, int] | None]:
    """Any of the dialects' replies -> (LiteLLM's rerank dict, token usage or None).

    ``document`` is ``{"text": ...}`` for a string document, the dict as sent otherwise; it is filled
    from the request when the provider did not return it and ``return_documents`` is not False (Cohere
    v2 never returns it), and dropped when ``return_documents`` is False."""
    items = data.get("results")
    if items is None:
        items = data.get("data")  # Voyage
    if not isinstance(items, list):
        raise ValueError("rerank reply has neither 'results' nor 'data'")
    results = []
    for item in items:
        index = int(item["index"])
        score = item.get("relevance_score", item.get("score"))
        result: dict[str, Any] = {"index": index, "relevance_score": float(score)}
        if return_documents is not False:
            doc = item.get("document")
            if doc is None and 0 <= index < len(documents):
                doc = documents[index]
            if doc is not None:
                result["document"] = {"text": doc} if isinstance(doc, str) else dict(doc)
        results.append(result)
    meta = dict(data.get("meta") or {})
    usage = data.get("usage")
    tokens = None
    if isinstance(usage, Mapping):
        total = int(usage.get("total_tokens") or usage.get("prompt_tokens") or 0)
        prompt = int(usage.get("prompt_tokens") or total)
        tokens = {"prompt_tokens": prompt, "completion_tokens": 0, "total_tokens": prompt}
        billed = dict(meta.get("billed_units") or {})
        billed.setdefault("total_tokens", total)
        meta["billed_units"] = billed
        meta.setdefault("tokens", {"input_tokens": prompt, "output_tokens": 0})
    billed_units = meta.get("billed_units")
    if isinstance(billed_units, Mapping) and tokens is None:
        in_tokens = billed_units.get("input_tokens")
        if in_tokens:
            tokens = {"prompt_tokens": int(in_tokens), "completion_tokens": 0, "total_tokens": int(in_tokens)}
    out = {"id": data.get("id"), "results": results, "meta": meta}
    return out, tokens


# ---------------------------------------------------------------------------------------------------
# Adapters for rerank-only providers (registry rows: jina_ai, voyage, infinity, azure_ai)
# ---------------------------------------------------------------------------------------------------


class RerankOnlyAdapter:
    """A provider served here for rerank only: credentials, errors, and a clear refusal for chat."""

    def __init__(self, name: str) -> None:
        api = RERANK_APIS[name]
        self.name = name
        self.api_key_env = api.api_key_env
        self.api_base_env = api.api_base_env
        self.default_api_base = api.default_base
        self._key_required = api.key_required
        self.env_vars: dict[str, tuple[str, ...]] = {}
        if api.api_key_env:
            self.env_vars["api_key"] = (api.api_key_env,)
        if api.api_base_env:
            self.env_vars["api_base"] = (api.api_base_env,)

    def __repr__(self) -> str:
        return f"RerankOnlyAdapter({self.name!r})"

    def supported_params(self, model: str) -> frozenset[str]:
        return frozenset()

    def missing_credentials(self, credentials: Credentials) -> list[str]:
        missing = []
        if self._key_required and not credentials.api_key and self.api_key_env:
            missing.append(self.api_key_env)
        if not (credentials.api_base or self.default_api_base) and self.api_base_env:
            missing.append(self.api_base_env)
        return missing

    def build_request(
        self, model: str, messages: Any, optional_params: Any, credentials: Any, **_: Any
    ) -> Any:
        from litellm.providers._common import make_error

        raise make_error(
            "BadRequestError",
            f"Provider '{self.name}' serves rerank here (litellm.rerank); for chat use a provider that "
            "has a chat API (e.g. openai/, anthropic/, cohere/).",
            model=model,
            provider=self.name,
        )

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        return data

    def new_stream_state(self, model: str) -> StreamState:
        return StreamState(model=model)

    def parse_stream_event(self, state: StreamState, event: str | None, data: str) -> list[dict[str, Any]]:
        return []

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo:
        from litellm.providers._common import error_fields, kind_for_status

        message, _code, _etype = error_fields(body)
        if not message and isinstance(body, Mapping):
            message = str(body.get("message") or body.get("detail") or "")
        return ErrorInfo(kind_for_status(status_code), message or f"HTTP {status_code}")


def make_adapter(name: str) -> RerankOnlyAdapter:
    return RerankOnlyAdapter(name)
