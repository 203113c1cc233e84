"""Aleph Alpha's ``POST /complete`` in the fake provider.

Owns the reply of Aleph Alpha's OpenAPI spec (``model_version``, ``completions[]`` with ``completion``
and ``finish_reason``, ``num_tokens_prompt_total``, ``num_tokens_generated``; ``n`` completions), its
``{"error", "code"}`` bodies (a missing or ``invalid*`` bearer token is 401 ``UNAUTHENTICATED``; no
``maximum_tokens`` is 400), ``maximum_tokens`` capping the reply, and the ``x-fake-*`` faults. Must not
import ``litellm`` outside this package.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from litellm.fake_provider import content
from litellm.fake_provider.app import STATE_KEY
from litellm.fake_provider.wire_google import Reject, json_response, prelude

_CODES = {401: "UNAUTHENTICATED", 429: "TOO_MANY_REQUESTS", 503: "BUSY"}


def _error(status: int, model: str, message: str | None) -> dict[str, Any]:
    return {
        "error": message or f"error {status} (injected by the fake provider)",
        "code": _CODES.get(status, "ERROR"),
    }


def _auth(request: web.Request) -> web.Response | None:
    value = request.headers.get("Authorization", "")
    token = value[7:].strip() if value[:7].lower() == "bearer " else ""
    if not token or token.startswith("invalid"):
        return json_response(401, _error(401, "", "Unauthorized"))
    return None


async def complete(request: web.Request) -> web.StreamResponse:
    try:
        body, controls = await prelude(request, model="", error_body=_error, check_auth=_auth)
        if not isinstance(body.get("maximum_tokens"), int):
            raise Reject(json_response(400, _error(400, "", "maximum_tokens is required")))
    except Reject as reject:
        return reject.response
    n_words = min(controls.chunks or request.app[STATE_KEY].options.chunks, body["maximum_tokens"])
    pieces = content.reply_pieces(n_words)
    n = int(body.get("n") or 1)
    finish = "maximum_tokens" if n_words == body["maximum_tokens"] else "end_of_text"
    return json_response(
        200,
        {
            "model_version": "2024-01",
            "completions": [{"completion": "".join(pieces), "finish_reason": finish} for _ in range(n)],
            "num_tokens_prompt_total": content.estimate_tokens(str(body.get("prompt") or "")),
            "num_tokens_generated": len(pieces) * n,
        },
    )


def add_routes(app: web.Application, add: Callable[..., Any]) -> None:
    add("POST", "/complete", complete)
