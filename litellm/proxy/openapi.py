"""``/openapi.json`` (an OpenAPI 3.1 description of the proxy's routes) and the Swagger UI page at ``/docs``.

Owns the spec, built from the route table in :mod:`litellm.proxy.app` so a new route appears here without
a second list. Request bodies are described loosely (OpenAI's API reference is the contract; the proxy
passes parameters through). Must not: list secrets or deployment details beyond the model names.
"""

from __future__ import annotations

from typing import Any

__all__ = ["spec", "swagger_html"]

_ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "message": {"type": "string"},
                "type": {"type": "string"},
                "param": {"type": ["string", "null"]},
                "code": {"type": ["string", "null"]},
            },
        }
    },
}

_SUMMARIES = {
    "/chat/completions": "Chat completion (JSON, or SSE with stream=true)",
    "/completions": "Text completion",
    "/embeddings": "Embeddings",
    "/images/generations": "Image generation",
    "/audio/transcriptions": "Audio transcription (multipart/form-data)",
    "/audio/speech": "Text to speech (binary audio)",
    "/moderations": "Moderation",
    "/rerank": "Rerank documents",
    "/responses": "Responses API",
}


def _llm_op(suffix: str, models: list[str]) -> dict[str, Any]:
    multipart = suffix == "/audio/transcriptions"
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"model": {"type": "string", "enum": models} if models else {"type": "string"}},
        "additionalProperties": True,
    }
    content_type = "multipart/form-data" if multipart else "application/json"
    return {
        "summary": _SUMMARIES.get(suffix, suffix),
        "security": [{"bearer": []}],
        "requestBody": {"required": True, "content": {content_type: {"schema": schema}}},
        "responses": {
            "200": {"description": "OpenAI-format response"},
            "4XX": {
                "description": "OpenAI-shaped error",
                "content": {"application/json": {"schema": _ERROR}},
            },
            "5XX": {
                "description": "OpenAI-shaped error",
                "content": {"application/json": {"schema": _ERROR}},
            },
        },
    }


def spec(version: str, models: list[str]) -> dict[str, Any]:
    from litellm.proxy.app import LLM_ROUTES

    paths: dict[str, Any] = {}
    for suffix in LLM_ROUTES:
        op = _llm_op(suffix, models)
        for prefix in ("", "/v1"):
            paths[prefix + suffix] = {
                "post": {**op, "operationId": f"post{prefix}{suffix}".replace("/", "_")}
            }
        paths["/openai/deployments/{model}" + suffix] = {
            "post": {
                **op,
                "operationId": f"azure{suffix}".replace("/", "_"),
                "parameters": [
                    {"name": "model", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
            }
        }
    paths["/v2/rerank"] = {"post": {**_llm_op("/rerank", models), "operationId": "post_v2_rerank"}}
    gets = {
        "/models": "List models",
        "/v1/models": "List models",
        "/model/info": "Deployments with their (masked) litellm_params and model_info",
        "/v1/model/info": "Deployments with their (masked) litellm_params and model_info",
        "/health": "Probe every deployment",
        "/health/liveliness": "Liveness probe",
        "/health/readiness": "Readiness probe (database and cache status)",
        "/metrics": "Prometheus metrics",
    }
    for path, summary in gets.items():
        paths[path] = {
            "get": {
                "summary": summary,
                "operationId": f"get{path}".replace("/", "_"),
                "responses": {"200": {"description": "OK"}},
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": "LiteLLM-compatible proxy", "version": version},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": paths,
    }


def swagger_html() -> str:
    return """<!doctype html>
<html><head><meta charset="utf-8"><title>LiteLLM proxy - API</title>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>"""
