"""Bedrock embeddings through InvokeModel: Amazon Titan (text v1/v2, multimodal image) and Cohere Embed.

Owns the request bodies (Titan ``inputText`` / ``inputImage`` with ``dimensions`` / ``normalize`` /
``embeddingConfig``; Cohere ``texts`` with ``input_type``, ``truncate``, ``embedding_types``,
``output_dimension``) and the replies turned into OpenAI's embedding list (Titan's
``inputTextTokenCount`` as usage; Cohere, which reports no count in the body, counted locally).

Facts from the Bedrock user guide's model parameter pages (Titan Embeddings, Cohere Embed). Must not send,
log or read the environment. One Titan request embeds one text: a list of several is refused with the fix
(Cohere takes up to 96 texts per request).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litellm.providers._common import parse_data_url

__all__ = ["build_embedding_body", "parse_embedding_body"]


def _family(model_id: str) -> str:
    from litellm.providers.bedrock_converse import base_model_id

    base = base_model_id(model_id)
    if base.startswith("cohere."):
        return "cohere"
    if base.startswith("amazon.titan-embed-image"):
        return "titan-image"
    if base.startswith("amazon.titan-embed"):
        return "titan"
    raise ValueError(
        f"bedrock embeddings support Amazon Titan (amazon.titan-embed-*) and Cohere (cohere.embed-*); "
        f"got {model_id!r}."
    )


def _texts(input: Any) -> list[str]:
    items = input if isinstance(input, list) else [input]
    if not items or not all(isinstance(i, str) for i in items):
        raise ValueError("bedrock embeddings take a string or a list of strings as input.")
    return items


def build_embedding_body(model_id: str, input: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    fam = _family(model_id)
    params = {k: v for k, v in params.items() if v is not None}
    params.pop("encoding_format", None)  # always floats on the wire
    params.pop("user", None)
    if fam == "cohere":
        body: dict[str, Any] = {"texts": [], "input_type": params.pop("input_type", "search_document")}
        images = []
        for text in _texts(input):
            if parse_data_url(text) is not None:
                images.append(text)
            else:
                body["texts"].append(text)
        if images:
            body["images"] = images
            body["input_type"] = params.get("input_type", "image")
            if not body["texts"]:
                body.pop("texts")
        if "dimensions" in params:
            body["output_dimension"] = params.pop("dimensions")
        body.update(params)
        return body
    texts = _texts(input)
    if len(texts) != 1:
        raise ValueError(
            f"Amazon Titan embeds one input per request and got {len(texts)}: call embedding() once per "
            "text, or use a Cohere model (bedrock/cohere.embed-english-v3) which takes up to 96."
        )
    text = texts[0]
    body = {}
    parsed = parse_data_url(text)
    if parsed is not None:
        if fam != "titan-image":
            raise ValueError(f"{model_id} embeds text only; use amazon.titan-embed-image-v1 for images.")
        body["inputImage"] = parsed[1]
    else:
        body["inputText"] = text
    dimensions = params.pop("dimensions", None)
    if dimensions is not None:
        if fam == "titan-image":
            body["embeddingConfig"] = {"outputEmbeddingLength": dimensions}
        else:
            body["dimensions"] = dimensions
    body.update(params)  # normalize, embeddingTypes
    return body


def _count(texts: list[str]) -> int:
    try:
        from litellm.cost.tokens import token_counter

        return sum(token_counter(text=t) for t in texts)
    except Exception:  # an estimate must never break response parsing
        return 0


def parse_embedding_body(model_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    fam = _family(model_id)
    if fam == "cohere":
        vectors = data.get("embeddings")
        if isinstance(vectors, Mapping):  # embedding_types given: {"float": [...], "int8": [...]}
            vectors = vectors.get("float") or next(iter(vectors.values()), [])
        vectors = list(vectors or [])
        tokens = _count([t for t in data.get("texts") or () if isinstance(t, str)])
    else:
        vector = data.get("embedding")
        if vector is None:
            by_type = data.get("embeddingsByType") or {}
            vector = by_type.get("float") or next(iter(by_type.values()), [])
        vectors = [vector]
        tokens = int(data.get("inputTextTokenCount") or 0)
    return {
        "object": "list",
        "model": model_id,
        "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)],
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
