"""NLP Cloud's generation endpoint in the fake provider: ``POST /v1/gpu/{model}/generation`` (and
``/v1/{model}/generation`` for CPU plans).

Owns the reply NLP Cloud documents (``generated_text``, ``nb_input_tokens``, ``nb_generated_tokens``),
its ``{"detail": "..."}`` errors (a missing or ``invalid*`` ``Token`` is a 401; a ``text`` missing is
a 422), ``max_length`` capping the reply, and the ``x-fake-*`` faults. Must not import ``litellm``
outside this package.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from litellm.fake_provider import content
from litellm.fake_provider.app import STATE_KEY
from litellm.fake_provider.wire_google import Reject, json_response, prelude


def _error(status: int, model: str, message: str | None) -> dict[str, Any]:
    return {
        "detail": message
        or {401: "Invalid token.", 429: "Too many requests"}.get(
            status, f"error {status} (injected by the fake provider)"
        )
    }


def _auth(request: web.Request) -> web.Response | None:
    value = request.headers.get("Authorization", "")
    token = value[6:].strip() if value[:6].lower() == "token " else ""
    if not token or token.startswith("invalid"):
        return json_response(401, _error(401, "", None))
    return None


async def generation(request: web.Request) -> web.StreamResponse:
    model = request.match_info["model"]
    try:
        body, controls = await prelude(request, model=model, error_body=_error, check_auth=_auth)
        if not isinstance(body.get("text"), str) or not body["text"]:
            raise Reject(json_response(422, _error(422, model, "text: field required")))
    except Reject as reject:
        return reject.response
    n = controls.chunks or request.app[STATE_KEY].options.chunks
    if isinstance(body.get("max_length"), int) and body["max_length"] > 0:
        n = min(n, body["max_length"])
    pieces = content.reply_pieces(n)
    return json_response(
        200,
        {
            "generated_text": "".join(pieces),
            "nb_generated_tokens": len(pieces),
            "nb_input_tokens": content.estimate_tokens(body["text"]),
        },
    )


def add_routes(app: web.Application, add: Callable[..., Any]) -> None:
    add("POST", "/v1/gpu/{model}/generation", generation)
    add("POST", "/v1/{model}/generation", generation)
