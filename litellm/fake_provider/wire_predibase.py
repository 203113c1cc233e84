"""Predibase in the fake provider: ``/{tenant}/deployments/v2/llms/{deployment}/generate`` and
``/generate_stream`` (LoRAX, TGI-shaped).

Owns the Predibase routes and their bearer check (no token: 401 ``{"error": ...}``, a token starting
``invalid`` too); the replies, streams and ``x-fake-*`` faults are the TGI handlers' of
:mod:`litellm.fake_provider.wire_huggingface`. Must not import ``litellm`` outside this package.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from litellm.fake_provider import wire_huggingface


def _guard(handler: Callable[[web.Request], Any]) -> Callable[[web.Request], Any]:
    async def serve(request: web.Request) -> web.StreamResponse:
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            payload = {"error": "Unauthorized: missing API token"}
            return web.Response(
                status=401, body=json.dumps(payload).encode(), content_type="application/json"
            )
        return await handler(request)

    return serve


def add_routes(app: web.Application, add: Callable[..., Any]) -> None:
    base = "/{tenant}/deployments/v2/llms/{deployment}"
    add("POST", base + "/generate", _guard(wire_huggingface.generate))
    add("POST", base + "/generate_stream", _guard(wire_huggingface.generate_stream))
