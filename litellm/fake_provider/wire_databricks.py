"""Databricks Model Serving in the fake provider: ``/oidc/v1/token`` (OAuth M2M client credentials) and
``/serving-endpoints/chat/completions`` / ``/serving-endpoints/embeddings``.

Owns the token endpoint Databricks documents (HTTP basic ``client_id:client_secret``, form
``grant_type=client_credentials&scope=all-apis`` -> ``access_token``, ``token_type``, ``expires_in``; a
client id starting ``invalid`` is refused with ``invalid_client``), the serving endpoints' bearer check
(a token this server issued, or a personal access token starting ``dapi``; anything else is a 401 with
Databricks' ``{"error_code", "message"}`` body), and, for an endpoint whose name contains ``claude``, a
non-streamed reply whose ``content`` is Databricks' list of ``reasoning`` / ``text`` blocks. Everything
else (faults, streaming, tools) is the OpenAI flavour's.

Must not import ``litellm`` outside this package.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable
from typing import Any

from aiohttp import web

from litellm.fake_provider.app import STATE_KEY, _record, chat_completions, embeddings
from litellm.fake_provider.wire_google import json_response

#: tokens the token endpoint issued (tests read len() to count exchanges)
TOKENS_ISSUED: list[str] = []
_TTL_S = 3600


async def token(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    _record(request.app[STATE_KEY], request, dict(form))
    client_id = ""
    header = request.headers.get("Authorization", "")
    if header[:6].lower() == "basic ":
        try:
            client_id = base64.b64decode(header[6:]).decode().split(":", 1)[0]
        except ValueError:
            client_id = ""
    if form.get("grant_type") != "client_credentials":
        return json_response(400, {"error": "unsupported_grant_type", "error_description": "grant_type"})
    if not client_id or client_id.startswith("invalid"):
        return json_response(
            401, {"error": "invalid_client", "error_description": "Client authentication failed"}
        )
    issued = "eyJfake." + secrets.token_urlsafe(18)
    TOKENS_ISSUED.append(issued)
    if len(TOKENS_ISSUED) > 10_000:
        del TOKENS_ISSUED[:5_000]
    return json_response(
        200, {"access_token": issued, "token_type": "Bearer", "expires_in": _TTL_S, "scope": "all-apis"}
    )


def _authorised(request: web.Request) -> web.Response | None:
    value = request.headers.get("Authorization", "")
    bearer = value[7:].strip() if value[:7].lower() == "bearer " else ""
    if bearer in TOKENS_ISSUED or bearer.startswith("dapi"):
        return None
    _record(request.app[STATE_KEY], request, None)
    return json_response(
        401,
        {"error_code": "UNAUTHENTICATED", "message": "Invalid Token"},
    )


def _reasoning_blocks(response: web.StreamResponse) -> web.StreamResponse:
    if not isinstance(response, web.Response) or response.status != 200:
        return response
    if not isinstance(response.body, (bytes, bytearray)):  # the fake's replies are built from bytes
        return response
    data: Any = json.loads(response.body)
    for choice in data.get("choices") or ():
        message = choice.get("message") or {}
        text = message.get("content")
        if isinstance(text, str):
            message["content"] = [
                {
                    "type": "reasoning",
                    "summary": [
                        {"type": "summary_text", "text": "Thinking it over.", "signature": "sig-fake"}
                    ],
                },
                {"type": "text", "text": text},
            ]
    return json_response(200, data)


async def _chat(request: web.Request) -> web.StreamResponse:
    refused = _authorised(request)
    if refused is not None:
        return refused
    raw = await request.read()  # aiohttp keeps the bytes: the OpenAI handler reads them again
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        body = {}
    response = await chat_completions(request)
    if isinstance(body, dict) and "claude" in str(body.get("model") or "") and not body.get("stream"):
        return _reasoning_blocks(response)
    return response


async def _embed(request: web.Request) -> web.StreamResponse:
    refused = _authorised(request)
    if refused is not None:
        return refused
    return await embeddings(request)


def add_routes(app: web.Application, add: Callable[..., Any]) -> None:
    add("POST", "/oidc/v1/token", token)
    add("POST", "/serving-endpoints/chat/completions", _chat)
    add("POST", "/serving-endpoints/embeddings", _embed)
